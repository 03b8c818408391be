package store

import (
	"context"
	"fmt"
	"time"
)

// JobRetention is how long a finished job (done or failed) is kept before
// the daily sweep deletes it. Nothing reads a finished job but an operator
// looking into a recent failure; the outbox keeps what was sent.
const JobRetention = 30 * 24 * time.Hour

// KindSweepJobs is the daily job that deletes finished jobs older than
// JobRetention.
const KindSweepJobs = "sweep-jobs"

// sweepBatch is how many jobs one transaction of the sweep deletes, so
// that no lock is held for long however many jobs have piled up.
const sweepBatch = 1000

// Deleting a job also frees its dedupe key, which is safe past
// retention: every key names the time its job is for, a wake
// ("wake:ID:TIME", queued for the partnership's next wake, never in the
// past), a day (the daily purge, overview scan and this sweep, queued for
// today or tomorrow) or a week (an overview, queued for the coming week),
// and a job finishes after its time. A key whose time is 30 days gone is
// never asked for again, so its row keeps nothing from being queued
// twice. Within retention, the rows stay and keep their keys.
//
// On PostgreSQL the batch is gathered into an array first, so that each
// row is deleted through the primary key rather than by joining the
// whole table.
var qSweepJobs = dialectQuery(`DELETE FROM jobs WHERE id IN (
	SELECT id FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ? ORDER BY finished_at LIMIT ?)`,
	`DELETE FROM jobs WHERE id = ANY (ARRAY(
	SELECT id FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ? ORDER BY finished_at LIMIT ?))`)

// SweepJobs deletes jobs that finished before the given time, a batch per
// transaction, and returns how many it deleted.
func (s *Store) SweepJobs(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.exec(ctx, qSweepJobs, ts(before), sweepBatch)
		if err != nil {
			return total, fmt.Errorf("store: sweep finished jobs: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < sweepBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// ScheduleSweep makes sure a sweep is queued for the day of at. The dedupe
// key is the day, so several instances starting on one day queue one
// sweep between them.
func (s *Store) ScheduleSweep(ctx context.Context, at time.Time) error {
	return s.scheduleDaily(ctx, KindSweepJobs, nil, at)
}

// Sweep is the handler of KindSweepJobs jobs: it deletes the jobs that
// finished more than JobRetention ago and queues tomorrow's sweep.
func (s *Store) Sweep(ctx context.Context, j Job) error {
	now := s.clock.Now()
	n, err := s.SweepJobs(ctx, now.Add(-JobRetention))
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("deleted finished jobs past retention", "jobs", n, "retention_days", int(JobRetention/(24*time.Hour)))
	}
	return s.ScheduleSweep(ctx, now.Add(24*time.Hour))
}
