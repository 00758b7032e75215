-- Mail queued with the change that asks for it, and the single-use tokens mails carry.

-- One row per mail. The rendered text and HTML are cleared once sent: they may carry a
-- token. dedupe_key makes asking twice for the same mail queue it once.
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    dedupe_key      text UNIQUE,
    recipient       text NOT NULL,
    template        text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz,
    given_up_at     timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;

ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Tokens mailed as links, stored hashed (sha256): password resets and address checks.
-- 'verify_email' carries the address it proves, so a later change of address cannot be
-- verified with a link sent to the old one; 'change_email' carries the new address, which
-- replaces the old one only when its link is opened.
CREATE TABLE mail_tokens (
    token_hash bytea PRIMARY KEY,
    purpose    text NOT NULL CHECK (purpose IN ('reset_password', 'verify_email', 'change_email')),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX mail_tokens_user_idx ON mail_tokens (user_id, purpose) WHERE used_at IS NULL;

-- A deleted account keeps an anonymised row (rooms and messages refer to it; its public
-- profile reads "Deleted user"); its username stays reserved for a cooling-off period.
ALTER TABLE users ADD COLUMN deleted_at timestamptz;
CREATE TABLE username_holds (
    username_key text PRIMARY KEY,
    held_until   timestamptz NOT NULL
);

-- Exports of a person's data: prepared in the background, kept as a ZIP until it expires.
CREATE TABLE data_exports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_at timestamptz NOT NULL DEFAULT now(),
    ready_at     timestamptz,
    expires_at   timestamptz,
    archive      bytea,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text
);
CREATE INDEX data_exports_pending_idx ON data_exports (requested_at) WHERE ready_at IS NULL;
