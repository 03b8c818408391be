-- Weekly check-ins: one calendar series per partnership at a time (a
-- cancelled one stays as history), the meetings something happened to,
-- calendar replies, what people wrote before and after meetings, and the
-- reply tokens of check-in mail.

ALTER TABLE partnerships ADD COLUMN checkin_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE partnerships ADD COLUMN schedule_asked_at TIMESTAMPTZ;

CREATE TABLE checkin_series (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    -- The calendar UID, kept for every update and cancellation.
    uid            TEXT NOT NULL UNIQUE,
    schedule       TEXT NOT NULL,
    time_zone      TEXT NOT NULL,
    start_at       TIMESTAMPTZ NOT NULL,
    sequence       INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL CHECK (status IN ('active', 'paused', 'cancelled')),
    paused_from    TIMESTAMPTZ,
    paused_until   TIMESTAMPTZ,
    stamp          TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX checkin_series_live ON checkin_series (partnership_id) WHERE status <> 'cancelled';
CREATE INDEX checkin_series_partnership ON checkin_series (partnership_id, id);

-- One row per meeting slot (its RECURRENCE-ID): prep, agenda and follow-up
-- go out once per slot, across restarts and instances.
CREATE TABLE checkin_occurrences (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    series_id         BIGINT NOT NULL REFERENCES checkin_series (id) ON DELETE CASCADE,
    original_at       TIMESTAMPTZ NOT NULL,
    start_at          TIMESTAMPTZ NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('scheduled', 'moved', 'skipped')),
    number            INTEGER NOT NULL,
    prep_sent_first   TIMESTAMPTZ,
    prep_sent_second  TIMESTAMPTZ,
    agenda_sent_at    TIMESTAMPTZ,
    follow_up_sent_at TIMESTAMPTZ,
    UNIQUE (series_id, original_at)
);

-- The latest calendar reply per person and meeting; original_key is ''
-- for a reply to the whole series.
CREATE TABLE checkin_responses (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    series_id      BIGINT NOT NULL REFERENCES checkin_series (id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    original_key   TEXT NOT NULL,
    partstat       TEXT NOT NULL CHECK (partstat IN ('ACCEPTED', 'TENTATIVE', 'DECLINED')),
    sequence       INTEGER NOT NULL,
    stamp          TIMESTAMPTZ NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (series_id, participant_id, original_key)
);

CREATE TABLE checkin_notes (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurrence_id  BIGINT NOT NULL REFERENCES checkin_occurrences (id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('prep', 'follow-up')),
    body           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX checkin_notes_occurrence ON checkin_notes (occurrence_id, id);

-- Reply tokens of check-in mail: the schedule question, prep and
-- follow-up prompts, invitations. Stored as hashes, like reply_tokens.
CREATE TABLE checkin_tokens (
    token_hash     TEXT PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    occurrence_id  BIGINT REFERENCES checkin_occurrences (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ
);
