-- stop asks for a confirmation before anyone leaves, and someone who left
-- may come back with resume for 30 days.
ALTER TABLE participants ADD COLUMN stop_asked_at TIMESTAMP;
ALTER TABLE participants ADD COLUMN left_at TIMESTAMP;
