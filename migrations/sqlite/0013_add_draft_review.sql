-- A review drafts the agreement's statements again, from round 1: rounds
-- are numbered per draft, and a draft is that of version 1 (review 0) or
-- of a review. SQLite cannot change a table's UNIQUE constraint, so the
-- table is rebuilt with the review in its key.
CREATE TABLE agreement_drafts_new (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    review         INTEGER NOT NULL DEFAULT 0 CHECK (review >= 0),
    round          INTEGER NOT NULL CHECK (round >= 1),
    body           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, review, round)
);
INSERT INTO agreement_drafts_new (id, partnership_id, review, round, body, created_at, updated_at)
    SELECT id, partnership_id, 0, round, body, created_at, updated_at FROM agreement_drafts;
DROP TABLE agreement_drafts;
ALTER TABLE agreement_drafts_new RENAME TO agreement_drafts;
