-- The token of a mailbox sign-in a person granted with accord mail login
-- (OAuth 2.0): its refresh token, as JSON. Every instance reads it, and
-- the one that refreshes saves the rotated token for all of them.
CREATE TABLE oauth_tokens (
    name       TEXT PRIMARY KEY,
    token      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
