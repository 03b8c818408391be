-- Guards against hostile and automatic mail.
--
-- Each outbound message gets its own envelope sender, the service address
-- with "b-" and this token as its plus part, so a delivery report can be
-- matched to the one message (and recipient) it is about; a report that
-- matches nothing changes nothing.
ALTER TABLE outbox ADD COLUMN bounce_token TEXT;
CREATE UNIQUE INDEX outbox_bounce_token ON outbox (bounce_token) WHERE bounce_token IS NOT NULL;

-- The inbound message whose handling queued this mail, if any. Mail sent
-- because mail came in counts against a daily budget per address, so an
-- auto-responder cannot hold Accord in a loop.
ALTER TABLE outbox ADD COLUMN cause_inbound BIGINT;
ALTER TABLE outbox ADD COLUMN notice BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX outbox_caused ON outbox (recipient, created_at) WHERE cause_inbound IS NOT NULL;

-- A message's identity in the inbound log now includes its sender, so a
-- stranger who sends a mail under someone's Message-ID first does not
-- decide what becomes of theirs.
UPDATE inbound_log SET message_key = from_address || ' ' || message_key WHERE message_key NOT LIKE 'content:%';
