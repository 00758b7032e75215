-- Search: a full-text index of messages fed by the message triggers, people found by name,
-- and a per-person rate limit for the search callables.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per Firestore message (rooms/{room_id}/messages/{message_id}). The triggers may
-- run late, twice or out of order, so a row records which write it reflects (version:
-- createdAt, editedAt or deletedAt) and only a newer one replaces it. An edit seen before
-- the create trigger has checked the sender is stored but not admitted; the create trigger
-- admits it, or deletes the row when it quarantines the message.
CREATE TABLE message_search (
    room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    message_id text NOT NULL,
    sender_id  uuid NOT NULL,
    created_at timestamptz NOT NULL,
    version    timestamptz NOT NULL,
    admitted   boolean NOT NULL,
    deleted    boolean NOT NULL DEFAULT false,
    -- The text as written, for snippets; the document is built from it with Chinese,
    -- Japanese and Thai runs cut into overlapping pairs of characters (search/text.py).
    body       text NOT NULL,
    document   tsvector NOT NULL,
    has_file   boolean NOT NULL DEFAULT false,
    has_image  boolean NOT NULL DEFAULT false,
    has_link   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (room_id, message_id)
);
CREATE INDEX message_search_document_idx ON message_search USING gin (document);
-- For searchers in few rooms, and for common words: walk the caller's rooms instead.
CREATE INDEX message_search_room_time_idx ON message_search (room_id, created_at DESC);

-- People by name (db/people_search.py): username prefixes, word prefixes of display names,
-- then names with a word similar to the query (typos) by trigram word similarity.
CREATE INDEX users_username_prefix_idx ON users (lower(username) text_pattern_ops);
CREATE INDEX users_display_name_words_idx ON users USING gin (to_tsvector('simple', display_name));
CREATE INDEX users_display_name_trgm_idx ON users USING gin (lower(display_name) gin_trgm_ops);

-- Calls counted per key ("searchPeople:<uid>") in a fixed window.
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    calls        integer NOT NULL,
    window_start timestamptz NOT NULL
);
