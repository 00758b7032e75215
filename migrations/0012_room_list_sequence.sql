-- A per-room message sequence for exact unread counts without count queries: each
-- delivered message takes the next number of its room, so a member's unread count is the
-- room's sequence minus how far they have read (docs/architecture.md, "The room list").
ALTER TABLE rooms ADD COLUMN message_seq bigint NOT NULL DEFAULT 0;

-- Where the room's sequence stood when the person (last) joined: nothing before that is
-- unread for them, whatever they read before leaving.
ALTER TABLE memberships ADD COLUMN joined_seq bigint NOT NULL DEFAULT 0;

-- The number each delivered message took, so a redelivered trigger gets the same one; who
-- sent it, so sending moves the sender's own read position past their message; and its time
-- and preview, so the room-list rows can be rebuilt from here after any loss.
CREATE TABLE message_sequence (
    room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    message_id text NOT NULL,
    seq        bigint NOT NULL,
    sender_id  uuid NOT NULL,
    created_at timestamptz NOT NULL,
    preview    text NOT NULL,
    PRIMARY KEY (room_id, message_id),
    UNIQUE (room_id, seq)
);
CREATE INDEX message_sequence_newest_idx ON message_sequence (room_id, created_at DESC, seq DESC);
