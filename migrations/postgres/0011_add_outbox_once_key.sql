-- Mail that must go out at most once per person and period, whatever
-- becomes of the job that queues it (the weekly overview), carries a once
-- key; a second mail with the same key is not stored. Other mail has none.
ALTER TABLE outbox ADD COLUMN once_key TEXT;
CREATE UNIQUE INDEX outbox_once_key ON outbox (once_key);
