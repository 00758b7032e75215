-- How each person wants to be told (issue 19): missed-message emails on or off, and quiet
-- hours (do not disturb) in their own time zone. A person with no row has the defaults:
-- emails on, no quiet hours. email_version changes with every change of email_missed, so an
-- unsubscribe link works once (it names the version it was mailed with).
CREATE TABLE notification_settings (
    user_id             uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_missed        boolean NOT NULL DEFAULT true,
    email_version       integer NOT NULL DEFAULT 0,
    quiet_start         time,
    quiet_end           time,
    time_zone           text,
    last_missed_mail_at timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)),
    CHECK (quiet_start IS NULL OR (time_zone IS NOT NULL AND quiet_start <> quiet_end))
);

-- Whether ``at`` falls in the quiet hours [quiet_start, quiet_end) of ``time_zone``; the
-- hours may run over midnight (22:00 to 07:00). The time zone was checked against
-- pg_timezone_names when it was saved.
CREATE FUNCTION in_quiet_hours(quiet_start time, quiet_end time, time_zone text, at timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN quiet_start IS NULL OR quiet_end IS NULL OR time_zone IS NULL THEN false
        WHEN quiet_start < quiet_end
            THEN (at AT TIME ZONE time_zone)::time >= quiet_start
                 AND (at AT TIME ZONE time_zone)::time < quiet_end
        ELSE (at AT TIME ZONE time_zone)::time >= quiet_start
             OR (at AT TIME ZONE time_zone)::time < quiet_end
    END
$$;

-- Mentions and direct messages that may go into a missed-message email: one row per person
-- and message, added by the message trigger in the statement that claims the message's push
-- (so a redelivered event adds nothing), taken by the scheduled sendMissedMessages in the
-- transaction that queues the email (so a row is mailed at most once).
CREATE TABLE missed_messages (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id     uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    message_id  text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('mention', 'direct')),
    sender_name text NOT NULL,
    preview     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, room_id, message_id)
);
CREATE INDEX missed_messages_age_idx ON missed_messages (created_at);

-- Extra mail headers (List-Unsubscribe, List-Unsubscribe-Post), as a JSON object.
ALTER TABLE mail_outbox ADD COLUMN headers jsonb NOT NULL DEFAULT '{}';
