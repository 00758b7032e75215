-- When each person's Firebase ID tokens stopped being good (logout, a reused refresh token).
-- A token whose auth_time is earlier is refused by the functions, and by the rules through
-- the revocations/{uid} documents the mirror writes to Firestore and the Realtime Database.
-- Whole seconds: auth_time has no finer resolution.
CREATE TABLE token_revocations (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    revoked_at timestamptz NOT NULL CHECK (revoked_at = date_trunc('second', revoked_at))
);

ALTER TABLE outbox DROP CONSTRAINT outbox_topic_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_topic_check
    CHECK (topic IN ('room', 'user', 'revocation'));
