-- Core tables: people, question sets, partnerships and everything a
-- partnership accumulates, durable jobs, and the inbound mail log.
-- Timestamps are UTC; dates are 'YYYY-MM-DD' text.

CREATE TABLE question_sets (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    checksum       TEXT NOT NULL,
    question_count INTEGER NOT NULL,
    body           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE people (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE partnerships (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('lead-report', 'peer')),
    status          TEXT NOT NULL,
    question_set_id BIGINT NOT NULL REFERENCES question_sets (id),
    -- The two person ids, smaller first: one live partnership per pair.
    pair_key        TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ,
    end_reason      TEXT NOT NULL DEFAULT '',
    next_wake_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX partnerships_live_pair ON partnerships (pair_key) WHERE ended_at IS NULL;

CREATE TABLE participants (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    person_id      BIGINT NOT NULL REFERENCES people (id),
    slot           INTEGER NOT NULL CHECK (slot IN (0, 1)),
    role           TEXT NOT NULL CHECK (role IN ('lead', 'report', 'peer')),
    status         TEXT NOT NULL,
    paused_until   TIMESTAMPTZ,
    position       INTEGER NOT NULL DEFAULT 0,
    next_send_at   TIMESTAMPTZ,
    agreement_seen INTEGER NOT NULL DEFAULT 0,
    last_seen_at   TIMESTAMPTZ,
    UNIQUE (partnership_id, slot),
    UNIQUE (partnership_id, person_id)
);
CREATE INDEX participants_person ON participants (person_id);

CREATE TABLE prompts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    question_id    TEXT NOT NULL,
    position       INTEGER NOT NULL,
    state          TEXT NOT NULL,
    sent_at        TIMESTAMPTZ NOT NULL,
    nudged_at      TIMESTAMPTZ NOT NULL,
    reminders      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (participant_id, question_id)
);
CREATE INDEX prompts_partnership ON prompts (partnership_id);

-- Every mail that asks a question carries its own reply token; only its
-- sha256 is kept. Any of a prompt's tokens routes a reply to it.
CREATE TABLE reply_tokens (
    token_hash     TEXT PRIMARY KEY,
    prompt_id      BIGINT NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ
);
CREATE INDEX reply_tokens_prompt ON reply_tokens (prompt_id);

CREATE TABLE answers (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    prompt_id      BIGINT NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    question_id    TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    receipt_at     TIMESTAMPTZ
);
CREATE INDEX answers_partnership ON answers (partnership_id, id);

CREATE TABLE reveals (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    viewer_id    BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    answer_id    BIGINT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ,
    UNIQUE (viewer_id, answer_id)
);
CREATE INDEX reveals_pending ON reveals (viewer_id) WHERE delivered_at IS NULL;

CREATE TABLE agreement_versions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partnership_id   BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    version          INTEGER NOT NULL CHECK (version >= 1),
    previous_version INTEGER,
    created_at       TIMESTAMPTZ NOT NULL,
    review_on        TEXT NOT NULL,
    body             JSONB NOT NULL,
    UNIQUE (partnership_id, version)
);
-- Agreement versions are immutable.
CREATE FUNCTION agreement_versions_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'agreement versions are immutable';
END;
$$;
CREATE TRIGGER agreement_versions_immutable BEFORE UPDATE ON agreement_versions
    FOR EACH ROW EXECUTE FUNCTION agreement_versions_immutable();

CREATE TABLE jobs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           TEXT NOT NULL,
    dedupe_key     TEXT UNIQUE,
    partnership_id BIGINT REFERENCES partnerships (id) ON DELETE CASCADE,
    payload        JSONB NOT NULL DEFAULT '{}',
    state          TEXT NOT NULL DEFAULT 'available'
                   CHECK (state IN ('available', 'running', 'done', 'failed')),
    run_at         TIMESTAMPTZ NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL DEFAULT 25,
    locked_by      TEXT,
    locked_until   TIMESTAMPTZ,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ
);
-- Claims look for available jobs by due time and running jobs by lease end;
-- finished jobs pile up and must never be scanned.
CREATE INDEX jobs_available ON jobs (state, run_at);
CREATE INDEX jobs_leased ON jobs (state, locked_until);
CREATE INDEX jobs_partnership ON jobs (partnership_id);

-- One row per fetched message; the unique keys make ingestion idempotent.
CREATE TABLE inbound_log (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mailbox        TEXT NOT NULL,
    uid_validity   BIGINT NOT NULL,
    uid            BIGINT NOT NULL,
    message_id     TEXT,
    raw_sha256     TEXT NOT NULL,
    size           BIGINT NOT NULL DEFAULT 0,
    received_at    TIMESTAMPTZ NOT NULL,
    outcome        TEXT NOT NULL DEFAULT 'pending',
    detail         TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    partnership_id BIGINT REFERENCES partnerships (id) ON DELETE SET NULL,
    raw            BYTEA,
    processed_at   TIMESTAMPTZ,
    UNIQUE (mailbox, uid_validity, uid),
    UNIQUE (raw_sha256)
);
CREATE UNIQUE INDEX inbound_log_message_id ON inbound_log (message_id) WHERE message_id IS NOT NULL;
