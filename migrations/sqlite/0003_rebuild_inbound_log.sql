-- The inbound log, rebuilt for the poller: one row per fetched message,
-- (mailbox, UIDVALIDITY, UID) unique, and one primary row per message
-- identity (its Message-ID, or a hash of its content when it has none).
-- Later copies of the same message point at the primary as duplicates.
-- A row is claimed with a lease while it is processed; attempts count
-- claims, so a message that keeps failing is quarantined.
DROP TABLE inbound_log;
CREATE TABLE inbound_log (
    id             INTEGER PRIMARY KEY,
    mailbox        TEXT NOT NULL,
    uid_validity   INTEGER NOT NULL,
    uid            INTEGER NOT NULL,
    message_key    TEXT NOT NULL,
    message_id     TEXT NOT NULL DEFAULT '',
    raw_sha256     TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    duplicate_of   INTEGER REFERENCES inbound_log (id),
    size           INTEGER NOT NULL DEFAULT 0,
    received_at    TIMESTAMP,
    from_address   TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT 'pending',
    detail         TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    locked_by      TEXT,
    locked_until   TIMESTAMP,
    partnership_id INTEGER REFERENCES partnerships (id) ON DELETE SET NULL,
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    raw            BLOB,
    created_at     TIMESTAMP NOT NULL,
    processed_at   TIMESTAMP,
    UNIQUE (mailbox, uid_validity, uid)
);
CREATE UNIQUE INDEX inbound_log_message ON inbound_log (message_key) WHERE duplicate_of IS NULL;
CREATE INDEX inbound_log_outcome ON inbound_log (outcome, id);
CREATE INDEX inbound_log_created ON inbound_log (created_at);

-- How far each mailbox has been read: every UID up to last_uid has a final
-- outcome. A new UIDVALIDITY starts from zero.
CREATE TABLE imap_checkpoints (
    mailbox      TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL DEFAULT 0,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (mailbox, uid_validity)
);

-- Notices to correspondents (could not read your reply, unknown sender…)
-- go out at most once per address, kind and day.
CREATE TABLE notices (
    recipient  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    day        TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (recipient, kind, day)
);

-- The question an outbound mail asked, so a reply found through its
-- References can answer it.
ALTER TABLE outbox ADD COLUMN prompt_id INTEGER REFERENCES prompts (id) ON DELETE SET NULL;

-- What people write back to their agreement, kept for its next review.
CREATE TABLE amendments (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    body           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX amendments_partnership ON amendments (partnership_id, id);
