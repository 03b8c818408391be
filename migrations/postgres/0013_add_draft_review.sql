-- A review drafts the agreement's statements again, from round 1: rounds
-- are numbered per draft, and a draft is that of version 1 (review 0) or
-- of a review.
ALTER TABLE agreement_drafts ADD COLUMN review INTEGER NOT NULL DEFAULT 0 CHECK (review >= 0);
ALTER TABLE agreement_drafts DROP CONSTRAINT agreement_drafts_partnership_id_round_key;
ALTER TABLE agreement_drafts ADD CONSTRAINT agreement_drafts_partnership_review_round_key UNIQUE (partnership_id, review, round);
