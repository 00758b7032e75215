-- Search speed (issue 16). Typo tolerance for searchPeople looks for similar *words* among
-- the distinct words of display names, then finds the people through the display-name word
-- index, instead of rechecking every name that shares the query's first trigrams.

-- Every word (lexeme of to_tsvector('simple', display_name)) some display name has had,
-- but for the rare ones holding a quote or a backslash (so db/people_search.py can quote
-- them for tsquery by adding quotes). Words of renamed or deleted people stay: they only
-- find no one, and there are few.
CREATE TABLE person_name_words (
    word text PRIMARY KEY
);
-- GiST, for the nearest words first (`<->`, 1 - similarity) without ranking every match.
CREATE INDEX person_name_words_trgm_idx ON person_name_words USING gist (word gist_trgm_ops);

CREATE FUNCTION remember_person_name_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO person_name_words (word)
    SELECT word FROM unnest(tsvector_to_array(to_tsvector('simple', NEW.display_name))) word
    WHERE word !~ '[''\\]'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_remember_name_words
AFTER INSERT OR UPDATE OF display_name ON users
FOR EACH ROW EXECUTE FUNCTION remember_person_name_words();

INSERT INTO person_name_words (word)
SELECT DISTINCT word
FROM users, unnest(tsvector_to_array(to_tsvector('simple', display_name))) word
WHERE word !~ '[''\\]'
ON CONFLICT DO NOTHING;

-- Whole-name trigram matching is no longer used.
DROP INDEX users_display_name_trgm_idx;

-- searchMessages looks up each of the caller's rooms' matches in one index: GIN over
-- (room_id, document), the room id made indexable by btree_gin. The same index serves
-- word-only lookups, so it replaces the GIN over the document alone.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX IF NOT EXISTS message_search_room_document_idx
    ON message_search USING gin (room_id, document);
DROP INDEX message_search_document_idx;

-- GIN's fast update queues new entries in a pending list that every search scans in full
-- until a vacuum or a 4 MB list merges them: over 10,000 queued name words made a people
-- search several times slower. Both search indexes take entries directly instead (a
-- message's insert pays for it: docs/search.md has the measured cost).
ALTER INDEX users_display_name_words_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('users_display_name_words_idx');
ALTER INDEX message_search_room_document_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('message_search_room_document_idx');
