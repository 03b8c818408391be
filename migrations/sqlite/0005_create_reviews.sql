-- Quarterly reviews: one row per review of a partnership, and one row per
-- periodic mail (review invitation, digest) per person and period, so
-- neither can go out twice, whatever the number of schedulers.

CREATE TABLE reviews (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number         INTEGER NOT NULL CHECK (number >= 1),
    due_on         TEXT NOT NULL,
    start_position INTEGER NOT NULL,
    -- The review's questions as they were asked, as JSON.
    questions      TEXT NOT NULL,
    opened_at      TIMESTAMP NOT NULL,
    closed_at      TIMESTAMP,
    partial        BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (partnership_id, number)
);

CREATE TABLE periodic_mail (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    period_key     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (kind, partnership_id, period_key, participant_id)
);
