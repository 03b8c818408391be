-- The language a person reads, an ISO 639-1 code such as "de"; empty for
-- the service's default. It belongs to the person, so every partnership of
-- theirs writes to them in it.
ALTER TABLE people ADD COLUMN language TEXT NOT NULL DEFAULT '';
