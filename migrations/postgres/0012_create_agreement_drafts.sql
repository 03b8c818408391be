-- The drafting round: one row per round of a partnership's draft
-- agreement, holding the round's statements and the replies so far as the
-- JSON of conversation.Draft. A round's row is rewritten as replies come in.

CREATE TABLE agreement_drafts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    round          INTEGER NOT NULL CHECK (round >= 1),
    body           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (partnership_id, round)
);
