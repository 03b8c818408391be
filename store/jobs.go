package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Job states.
const (
	JobAvailable = "available"
	JobRunning   = "running"
	JobDone      = "done"
	JobFailed    = "failed"
)

// ErrLeaseLost means a job's lease ran out and another worker claimed it, so
// this worker must not record an outcome.
var ErrLeaseLost = errors.New("store: job lease lost")

// NewJob describes work to enqueue.
type NewJob struct {
	Kind string
	// DedupeKey makes enqueueing idempotent: a second job with the same key
	// is not added, whatever became of the first. Empty means no key.
	DedupeKey     string
	PartnershipID int64
	Payload       []byte // JSON; empty means {}
	RunAt         time.Time
	// MaxAttempts defaults to 25.
	MaxAttempts int
}

// Job is a claimed or stored unit of work.
type Job struct {
	ID            int64          `db:"id"`
	Kind          string         `db:"kind"`
	DedupeKey     sql.NullString `db:"dedupe_key"`
	PartnershipID sql.NullInt64  `db:"partnership_id"`
	Payload       []byte         `db:"payload"`
	State         string         `db:"state"`
	RunAt         time.Time      `db:"run_at"`
	Attempts      int            `db:"attempts"`
	MaxAttempts   int            `db:"max_attempts"`
	LockedBy      sql.NullString `db:"locked_by"`
	LockedUntil   sql.NullTime   `db:"locked_until"`
	LastError     string         `db:"last_error"`
	CreatedAt     time.Time      `db:"created_at"`
	FinishedAt    sql.NullTime   `db:"finished_at"`
}

const jobColumns = `id, kind, dedupe_key, partnership_id, payload, state, run_at, attempts, max_attempts, locked_by, locked_until, last_error, created_at, finished_at`

var (
	qEnqueue = query(`INSERT INTO jobs (kind, dedupe_key, partnership_id, payload, run_at, max_attempts, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`)
	// A job is due when it is available and its time has come, or when the
	// worker that claimed it let its lease run out. Each of the two is
	// looked for on its own, in (run_at, id) order up to the limit, through
	// its partial index (jobs_due, jobs_lease_ends): a claim reads about as
	// many rows as it takes, however many jobs wait or have finished. The
	// arguments are numbered: worker, lease end, kinds (JSON), now, now,
	// limit.
	qClaim = dialectQuery(`UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?1, locked_until = ?2
		WHERE id IN (
			SELECT id FROM (
				SELECT id, run_at FROM (
					SELECT id, run_at FROM jobs
					WHERE state = 'available' AND run_at <= ?4 AND kind IN (SELECT value FROM json_each(?3))
					ORDER BY run_at, id LIMIT ?6)
				UNION ALL
				SELECT id, run_at FROM (
					SELECT id, run_at FROM jobs
					WHERE state = 'running' AND locked_until <= ?5 AND kind IN (SELECT value FROM json_each(?3))
					ORDER BY run_at, id LIMIT ?6))
			ORDER BY run_at, id LIMIT ?6)
		RETURNING `+jobColumns,
		`UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
		WHERE id IN (
			SELECT id FROM (
				SELECT id, run_at FROM (
					SELECT id, run_at FROM jobs
					WHERE state = 'available' AND run_at <= $4 AND kind = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))
					ORDER BY run_at, id LIMIT $6
					FOR UPDATE SKIP LOCKED) AS available
				UNION ALL
				SELECT id, run_at FROM (
					SELECT id, run_at FROM jobs
					WHERE state = 'running' AND locked_until <= $5 AND kind = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))
					ORDER BY run_at, id LIMIT $6
					FOR UPDATE SKIP LOCKED) AS expired) AS due
			ORDER BY run_at, id LIMIT $6)
		RETURNING `+jobColumns)
	qCompleteJob = query(`UPDATE jobs SET state = 'done', finished_at = ?, locked_by = NULL, locked_until = NULL
		WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?`)
	qRetryJob = query(`UPDATE jobs SET state = 'available', run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL
		WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?`)
	qReleaseJob = query(`UPDATE jobs SET state = 'available', attempts = attempts - 1, run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL
		WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?`)
	qFailJob = query(`UPDATE jobs SET state = 'failed', finished_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL
		WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?`)
	// Plain columns rather than MIN(): SQLite only types a value as a
	// timestamp when it comes straight from a declared column.
	qNextAvailable = query(`SELECT run_at FROM jobs WHERE state = 'available' ORDER BY run_at LIMIT 1`)
	qNextExpiring  = query(`SELECT locked_until FROM jobs WHERE state = 'running' ORDER BY locked_until LIMIT 1`)
	qJobByID       = query(`SELECT ` + jobColumns + ` FROM jobs WHERE id = ?`)
	qJobsByKind    = query(`SELECT ` + jobColumns + ` FROM jobs WHERE kind = ? ORDER BY id`)
)

// Enqueue adds a job inside the transaction. It reports false, and no error,
// when a job with the same dedupe key already exists.
func (t *Tx) Enqueue(ctx context.Context, j NewJob) (id int64, added bool, err error) {
	args, err := t.enqueueArgs(j)
	if err != nil {
		return 0, false, err
	}
	err = t.get(ctx, &id, qEnqueue, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: enqueue %s job: %w", j.Kind, err)
	}
	return id, true, nil
}

// enqueueLater is Enqueue for a caller that needs neither the id nor
// whether the job was added: the insert goes with the transaction's next
// statement (see execLater).
func (t *Tx) enqueueLater(ctx context.Context, j NewJob) error {
	args, err := t.enqueueArgs(j)
	if err != nil {
		return err
	}
	if err := t.execLater(ctx, qEnqueue, args...); err != nil {
		return fmt.Errorf("store: enqueue %s job: %w", j.Kind, err)
	}
	return nil
}

// enqueueArgs checks a job and fills in its defaults, as qEnqueue's
// arguments.
func (t *Tx) enqueueArgs(j NewJob) ([]any, error) {
	if j.Kind == "" {
		return nil, errors.New("store: job without a kind")
	}
	if len(j.Payload) == 0 {
		j.Payload = []byte("{}")
	}
	if !json.Valid(j.Payload) {
		return nil, fmt.Errorf("store: %s job payload is not JSON", j.Kind)
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = 25
	}
	var dedupe, partnership any
	if j.DedupeKey != "" {
		dedupe = j.DedupeKey
	}
	if j.PartnershipID != 0 {
		partnership = j.PartnershipID
	}
	return []any{j.Kind, dedupe, partnership, string(j.Payload), ts(j.RunAt), j.MaxAttempts, ts(t.s.clock.Now())}, nil
}

// Enqueue adds a job in a transaction of its own.
func (s *Store) Enqueue(ctx context.Context, j NewJob) (id int64, added bool, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		id, added, err = tx.Enqueue(ctx, j)
		return err
	})
	return id, added, err
}

// ClaimJobs leases up to limit due jobs of the given kinds to worker. Each
// claim counts as an attempt. On PostgreSQL concurrent claimers skip each
// other's rows; on SQLite the single writer makes the claim atomic.
func (s *Store) ClaimJobs(ctx context.Context, worker string, kinds []string, limit int, lease time.Duration) ([]Job, error) {
	now := s.clock.Now()
	kindList, err := json.Marshal(kinds)
	if err != nil {
		return nil, err
	}
	// One statement, atomic by itself: no transaction around it.
	var jobs []Job
	if err := s.selectAll(ctx, &jobs, qClaim, worker, ts(now.Add(lease)), string(kindList), ts(now), ts(now), limit); err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	for i := range jobs {
		jobs[i].normalise()
	}
	// RETURNING promises no order; hand jobs out oldest first.
	slices.SortFunc(jobs, func(a, b Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return jobs, nil
}

// CompleteJob marks a claimed job done.
func (s *Store) CompleteJob(ctx context.Context, j Job) error {
	return s.finishJob(ctx, qCompleteJob, j, ts(s.clock.Now()))
}

// RetryJob puts a claimed job back, due again at runAt, keeping why it failed.
func (s *Store) RetryJob(ctx context.Context, j Job, runAt time.Time, reason string) error {
	return s.finishJob(ctx, qRetryJob, j, ts(runAt), reason)
}

// ReleaseJob hands a claimed job back without counting the attempt, for
// failures that are not the job's fault (the mail server refusing our login).
func (s *Store) ReleaseJob(ctx context.Context, j Job, runAt time.Time, reason string) error {
	return s.finishJob(ctx, qReleaseJob, j, ts(runAt), reason)
}

// FailJob gives up on a claimed job for good, keeping why.
func (s *Store) FailJob(ctx context.Context, j Job, reason string) error {
	return s.finishJob(ctx, qFailJob, j, ts(s.clock.Now()), reason)
}

// finishJob runs an update guarded by the claim (worker and attempt), so a
// worker whose lease expired cannot overwrite the outcome of the next one.
func (s *Store) finishJob(ctx context.Context, q *Query, j Job, args ...any) error {
	args = append(args, j.ID, j.LockedBy.String, j.Attempts)
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: job %d: %w", j.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("job %d: %w", j.ID, ErrLeaseLost)
	}
	return nil
}

// NextJobAt is when the earliest job becomes due, or zero when none waits.
func (s *Store) NextJobAt(ctx context.Context) (time.Time, error) {
	var next time.Time
	for _, q := range []*Query{qNextAvailable, qNextExpiring} {
		var t sql.NullTime
		err := s.get(ctx, &t, q)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, fmt.Errorf("store: next job: %w", err)
		}
		if at := fromNull(t); !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next, nil
}

// Job reads one job.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) {
	var j Job
	err := s.get(ctx, &j, qJobByID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("store: job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: job %d: %w", id, err)
	}
	j.normalise()
	return j, nil
}

// JobsOfKind lists every job of a kind, oldest first.
func (s *Store) JobsOfKind(ctx context.Context, kind string) ([]Job, error) {
	var jobs []Job
	if err := s.selectAll(ctx, &jobs, qJobsByKind, kind); err != nil {
		return nil, fmt.Errorf("store: %s jobs: %w", kind, err)
	}
	for i := range jobs {
		jobs[i].normalise()
	}
	return jobs, nil
}

func (j *Job) normalise() {
	j.RunAt, j.CreatedAt = j.RunAt.UTC(), j.CreatedAt.UTC()
}
