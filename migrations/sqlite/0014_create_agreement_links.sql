-- Personal links to a read-only page of a person's agreement and its
-- history (served when http.public_url is set). Only a hash of each link's
-- token is kept; a link expires, and goes with the person's participation
-- when a partnership is forgotten.
CREATE TABLE agreement_links (
    token_hash     TEXT PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL
);
CREATE INDEX agreement_links_participant ON agreement_links (participant_id);
