-- undo takes a person's latest answer back (the answer row is deleted);
-- an answer recorded before their last undo cannot be taken back, so a
-- second undo does not reach further into the past.
ALTER TABLE participants ADD COLUMN undone_at TIMESTAMPTZ;
