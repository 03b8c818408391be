-- Rendered outbound mail. A row is written in the transaction of the state
-- change that caused it and delivered by a "mail" job. The bytes never
-- change after that, so a retry sends exactly what was first rendered, with
-- the same Message-ID.
CREATE TABLE outbox (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partnership_id BIGINT REFERENCES partnerships (id) ON DELETE CASCADE,
    participant_id BIGINT REFERENCES participants (id) ON DELETE CASCADE,
    recipient      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    -- Mail to one person in one phase (questions, agreement…) forms a thread.
    thread         TEXT NOT NULL DEFAULT '',
    message_id     TEXT NOT NULL UNIQUE,
    raw            BYTEA NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    smtp_reply     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ
);
CREATE INDEX outbox_thread ON outbox (participant_id, thread, id);
CREATE INDEX outbox_partnership ON outbox (partnership_id, state);

-- Repeated permanent delivery failures mark an address as bouncing; no more
-- mail goes to it until the operator clears it.
ALTER TABLE people ADD COLUMN hard_bounces INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN bouncing_since TIMESTAMPTZ;
ALTER TABLE people ADD COLUMN last_bounce TEXT NOT NULL DEFAULT '';
