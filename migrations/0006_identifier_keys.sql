-- Logins and lookups compare normalised identifiers (NFKC, case-folded, trimmed: the one
-- function accounts/validation.py identifier_key), stored beside what the person typed.
-- Until now uniqueness and lookups used lower(), which PostgreSQL and Python compute
-- differently (U+0130 'İ' is 'i' to one and 'i' + U+0307 to the other).

ALTER TABLE users ADD COLUMN email_key text, ADD COLUMN username_key text;

-- Existing rows: normalize() and lower() give identifier_key's result for every username
-- (ASCII by rule) and every ASCII email; the few non-ASCII emails where case folding and
-- lower() differ ('ß', final sigma) keep lower()'s form until their next login by
-- username, which stores identifier_key's (db/users.py refresh_keys).
UPDATE users SET email_key = btrim(lower(normalize(email, NFKC))),
                 username_key = btrim(lower(normalize(username, NFKC)));

-- Accounts that only normalisation makes equal (e.g. a fullwidth and an ASCII spelling of
-- one address): the oldest keeps the identifier; the others lose it (their key is NULL, so
-- that identifier no longer logs them in) and are listed here for someone to resolve.
CREATE TABLE identifier_conflicts (
    user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    field    text NOT NULL CHECK (field IN ('email', 'username')),
    value    text NOT NULL,
    found_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, field)
);

WITH identifiers AS (
    SELECT id, created_at, f.field, f.value, f.key
    FROM users,
         LATERAL (VALUES ('email', email, email_key), ('username', username, username_key))
           AS f (field, value, key)
), losers AS (
    INSERT INTO identifier_conflicts (user_id, field, value)
    SELECT id, field, value FROM (
        SELECT *, row_number() OVER (PARTITION BY field, key ORDER BY created_at, id) AS n
        FROM identifiers
    ) ranked
    WHERE n > 1
    RETURNING user_id, field
)
UPDATE users u
SET email_key = CASE WHEN 'email' IN (SELECT field FROM losers l WHERE l.user_id = u.id)
                     THEN NULL ELSE email_key END,
    username_key = CASE WHEN 'username' IN (SELECT field FROM losers l WHERE l.user_id = u.id)
                        THEN NULL ELSE username_key END
WHERE u.id IN (SELECT user_id FROM losers);

-- The keys decide uniqueness now; the lower() indexes would disagree with them.
DROP INDEX users_email_key;
DROP INDEX users_username_key;
CREATE UNIQUE INDEX users_email_key_unique ON users (email_key);
CREATE UNIQUE INDEX users_username_key_unique ON users (username_key);

-- Failed logins were counted per lower()-ed login string; the new keys start afresh.
DELETE FROM login_failures WHERE key LIKE 'account:%';
