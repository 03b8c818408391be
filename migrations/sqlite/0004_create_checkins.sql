-- Weekly check-ins: one calendar series per partnership at a time (a
-- cancelled one stays as history), the meetings something happened to,
-- calendar replies, what people wrote before and after meetings, and the
-- reply tokens of check-in mail.

ALTER TABLE partnerships ADD COLUMN checkin_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE partnerships ADD COLUMN schedule_asked_at TIMESTAMP;

CREATE TABLE checkin_series (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    -- The calendar UID, kept for every update and cancellation.
    uid            TEXT NOT NULL UNIQUE,
    schedule       TEXT NOT NULL,
    time_zone      TEXT NOT NULL,
    start_at       TIMESTAMP NOT NULL,
    sequence       INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL CHECK (status IN ('active', 'paused', 'cancelled')),
    paused_from    TIMESTAMP,
    paused_until   TIMESTAMP,
    stamp          TIMESTAMP,
    created_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX checkin_series_live ON checkin_series (partnership_id) WHERE status <> 'cancelled';
CREATE INDEX checkin_series_partnership ON checkin_series (partnership_id, id);

-- One row per meeting slot (its RECURRENCE-ID): prep, agenda and follow-up
-- go out once per slot, across restarts and instances.
CREATE TABLE checkin_occurrences (
    id                INTEGER PRIMARY KEY,
    series_id         INTEGER NOT NULL REFERENCES checkin_series (id) ON DELETE CASCADE,
    original_at       TIMESTAMP NOT NULL,
    start_at          TIMESTAMP NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('scheduled', 'moved', 'skipped')),
    number            INTEGER NOT NULL,
    prep_sent_first   TIMESTAMP,
    prep_sent_second  TIMESTAMP,
    agenda_sent_at    TIMESTAMP,
    follow_up_sent_at TIMESTAMP,
    UNIQUE (series_id, original_at)
);

-- The latest calendar reply per person and meeting; original_key is ''
-- for a reply to the whole series.
CREATE TABLE checkin_responses (
    id             INTEGER PRIMARY KEY,
    series_id      INTEGER NOT NULL REFERENCES checkin_series (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    original_key   TEXT NOT NULL,
    partstat       TEXT NOT NULL CHECK (partstat IN ('ACCEPTED', 'TENTATIVE', 'DECLINED')),
    sequence       INTEGER NOT NULL,
    stamp          TIMESTAMP NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (series_id, participant_id, original_key)
);

CREATE TABLE checkin_notes (
    id             INTEGER PRIMARY KEY,
    occurrence_id  INTEGER NOT NULL REFERENCES checkin_occurrences (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('prep', 'follow-up')),
    body           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX checkin_notes_occurrence ON checkin_notes (occurrence_id, id);

-- Reply tokens of check-in mail: the schedule question, prep and
-- follow-up prompts, invitations. Stored as hashes, like reply_tokens.
CREATE TABLE checkin_tokens (
    token_hash     TEXT PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    occurrence_id  INTEGER REFERENCES checkin_occurrences (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP
);
