-- A reply that read like a slip (a mistyped command, a note about another
-- question) is held back, not stored, and its sender asked what they
-- meant. Only a fingerprint of it is kept, so that the same words sent
-- again are taken as meant.
ALTER TABLE participants ADD COLUMN held_reply TEXT NOT NULL DEFAULT '';
