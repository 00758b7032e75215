-- Rooms, memberships and roles, invites, blocks, presence for push decisions, device
-- tokens, and the outbox that mirrors membership into Firestore.

CREATE TABLE rooms (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL CHECK (kind IN ('group', 'direct')),
    name        text NOT NULL DEFAULT '',
    topic       text NOT NULL DEFAULT '',
    is_private  boolean NOT NULL DEFAULT true,
    -- "<smaller uid>:<larger uid>" for a direct conversation, so two people have one.
    direct_key  text UNIQUE,
    created_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
);

CREATE TABLE memberships (
    room_id   uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    -- Which messages reach this member as pushes: all, mentions (and DMs), or none.
    notify    text NOT NULL CHECK (notify IN ('all', 'mentions', 'none')),
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE invites (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    room_id      uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    inviter_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invitee_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    responded_at timestamptz
);
CREATE UNIQUE INDEX invites_pending_key ON invites (room_id, invitee_id) WHERE status = 'pending';
CREATE INDEX invites_invitee_idx ON invites (invitee_id) WHERE status = 'pending';

CREATE TABLE blocks (
    blocker_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);

-- Mirrored from the Realtime Database by the presence trigger, so that the message trigger
-- can pick offline members for pushes with one query.
CREATE TABLE presence (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    state      text NOT NULL CHECK (state IN ('online', 'away', 'offline')),
    changed_at timestamptz NOT NULL
);

CREATE TABLE device_tokens (
    token      text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_tokens_user_idx ON device_tokens (user_id);

-- Firestore documents to bring up to date, written in the transaction that changed their
-- source rows: topic 'room' (summary and membership mirror of one room) or 'user' (public
-- profile). The mirror rewrites the documents from the current rows, so applying a row is
-- idempotent; a row stays pending until Firestore has it.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    topic      text NOT NULL CHECK (topic IN ('room', 'user')),
    subject_id uuid NOT NULL,
    -- For 'room': the members whose mirror documents changed.
    user_ids   uuid[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    applied_at timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text
);
CREATE INDEX outbox_pending_idx ON outbox (topic, subject_id) WHERE applied_at IS NULL;

-- Message events already handled by the message trigger (delivery is at least once).
CREATE TABLE processed_events (
    event_id     text PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);
