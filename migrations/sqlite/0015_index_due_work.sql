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

-- Loading a partnership reads what each answer's partner saw, and
-- withdrawing an answer deletes its reveals: both by answer.
CREATE INDEX reveals_answer ON reveals (answer_id);

-- The operator's list, a page at a time, of the partnerships in one state.
CREATE INDEX partnerships_status ON partnerships (status, id);
