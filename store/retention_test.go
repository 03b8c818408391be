package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestSweepJobs(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		st := openStore(t, url, Options{Clock: clock})
		// Each job is queued, run and finished on its day, then the clock
		// moves on to the day of the sweep.
		type job struct {
			key     string
			daysAgo int
			finish  func(Job) error // nil leaves the job waiting or running
			claim   bool
			kept    bool
		}
		sweepDay := t0.Add(60 * 24 * time.Hour)
		done := func(j Job) error { return st.CompleteJob(ctx, j) }
		failed := func(j Job) error { return st.FailJob(ctx, j, "gave up") }
		tests := []job{
			{key: "done-long-ago", daysAgo: 31, finish: done, claim: true},
			{key: "failed-long-ago", daysAgo: 45, finish: failed, claim: true},
			{key: "done-recently", daysAgo: 29, finish: done, claim: true, kept: true},
			{key: "failed-recently", daysAgo: 2, finish: failed, claim: true, kept: true},
			{key: "running-long-ago", daysAgo: 40, claim: true, kept: true},
			{key: "waiting-long-ago", daysAgo: 50, kept: true},
		}
		for _, tt := range tests {
			at := sweepDay.Add(-time.Duration(tt.daysAgo) * 24 * time.Hour)
			clock.Set(at)
			enqueue(t, st, NewJob{Kind: tt.key, DedupeKey: tt.key, RunAt: at})
			if !tt.claim {
				continue
			}
			jobs := ok(st.ClaimJobs(ctx, "w", []string{tt.key}, 1, time.Hour))(t)
			if len(jobs) != 1 {
				t.Fatalf("%s: claimed %d jobs, want 1", tt.key, len(jobs))
			}
			if tt.finish != nil {
				if err := tt.finish(jobs[0]); err != nil {
					t.Fatal(err)
				}
			}
		}
		clock.Set(sweepDay)
		if n := ok(st.SweepJobs(ctx, sweepDay.Add(-JobRetention)))(t); n != 2 {
			t.Errorf("SweepJobs deleted %d jobs, want 2", n)
		}
		for _, tt := range tests {
			jobs := ok(st.JobsOfKind(ctx, tt.key))(t)
			if kept := len(jobs) == 1; kept != tt.kept {
				t.Errorf("%s finished %d days ago: kept = %v, want %v", tt.key, tt.daysAgo, kept, tt.kept)
			}
			// A key kept still keeps its job from being queued again.
			_, added, err := st.Enqueue(ctx, NewJob{Kind: tt.key, DedupeKey: tt.key, RunAt: sweepDay})
			if err != nil || added == tt.kept {
				t.Errorf("%s: Enqueue again = added %v, %v; want added %v", tt.key, added, err, !tt.kept)
			}
		}
	})
}

func TestSweepJobsInBatches(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		const n = 2*sweepBatch + 7
		finished := t0.Add(-JobRetention - time.Hour)
		err := st.InTx(ctx, func(tx *Tx) error {
			for i := range n {
				if _, err := tx.tx.ExecContext(ctx, tx.s.sql(qInsertFinishedJob), fmt.Sprint("old-", i), ts(finished), ts(finished), ts(finished)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		enqueue(t, st, NewJob{Kind: "waiting", RunAt: t0})
		if got := ok(st.SweepJobs(ctx, t0.Add(-JobRetention)))(t); got != n {
			t.Errorf("SweepJobs deleted %d jobs, want %d", got, n)
		}
		if left := ok(st.JobsOfKind(ctx, "test"))(t); len(left) != 0 {
			t.Errorf("%d finished jobs left after the sweep", len(left))
		}
		if left := ok(st.JobsOfKind(ctx, "waiting"))(t); len(left) != 1 {
			t.Errorf("the waiting job is gone after the sweep")
		}
	})
}

// qInsertFinishedJob stores a job that ran and finished, for tests that
// need many.
var qInsertFinishedJob = query(`INSERT INTO jobs (kind, dedupe_key, payload, state, run_at, attempts, created_at, finished_at)
	VALUES ('test', ?, '{}', 'done', ?, 1, ?, ?)`)

func TestSweepSchedulesTomorrow(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		st := openStore(t, url, Options{Clock: clock})
		for range 2 { // a second instance starting the same day adds nothing
			if err := st.ScheduleSweep(ctx, t0); err != nil {
				t.Fatal(err)
			}
		}
		w := &Worker{Store: st, Name: "scheduler", Handlers: map[string]Handler{KindSweepJobs: st.Sweep}}
		if n := ok(w.RunDue(ctx))(t); n != 1 {
			t.Fatalf("RunDue ran %d jobs, want the one sweep", n)
		}
		jobs := ok(st.JobsOfKind(ctx, KindSweepJobs))(t)
		if len(jobs) != 2 || jobs[0].State != JobDone || jobs[1].State != JobAvailable || !jobs[1].RunAt.Equal(t0.Add(24*time.Hour)) {
			t.Errorf("sweep jobs = %+v, want today's done and tomorrow's waiting", jobs)
		}
	})
}
