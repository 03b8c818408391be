-- Indexes for work that is due, so that claiming a job and the lookups
-- behind each mail cost the same however many partnerships there are and
-- however many jobs have finished.
--
-- Jobs: the claim walks the available jobs in (run_at, id) order and stops
-- at its limit; leases that ran out are found by their end. Finished jobs
-- are in neither index, and the retention sweep finds them by when they
-- finished.
CREATE INDEX jobs_due ON jobs (run_at, id, kind) WHERE state = 'available';
CREATE INDEX jobs_lease_ends ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('done', 'failed');
DROP INDEX jobs_available;
DROP INDEX jobs_leased;
-- A claimed job leaves its entry in jobs_due until vacuum removes it, and
-- a claim steps over those left before it: during a wave of mail,
-- vacuum the jobs table after 2% of it changed rather than the default
-- 20%.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- Loading a partnership reads what each answer's partner saw, and
-- withdrawing an answer deletes its reveals: both by answer.
CREATE INDEX reveals_answer ON reveals (answer_id);

-- The operator's list, a page at a time, of the partnerships in one state.
CREATE INDEX partnerships_status ON partnerships (status, id);

-- Storing a rendered mail of about 10 kB took ten times as long with
-- PostgreSQL's default compression (pglz) as with lz4, which servers
-- built with it offer. Values stored before keep theirs.
DO $$
BEGIN
    ALTER TABLE outbox ALTER COLUMN raw SET COMPRESSION lz4;
    ALTER TABLE inbound_log ALTER COLUMN raw SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL; -- a server built without lz4 keeps pglz
END
$$;
