-- Each spent refresh token points at the token its rotation issued, so that a client whose
-- answer was lost (a dropped connection, a reload mid-request) can present the spent token
-- again, within a short window and only while that successor was never used.
ALTER TABLE refresh_tokens ADD COLUMN replaced_by bytea;
