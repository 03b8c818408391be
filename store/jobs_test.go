package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestEnqueueDedupe(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		id, added, err := st.Enqueue(ctx, NewJob{Kind: "test", DedupeKey: "k1", RunAt: t0})
		if err != nil || !added || id == 0 {
			t.Fatalf("first Enqueue = %d, %v, %v", id, added, err)
		}
		id2, added, err := st.Enqueue(ctx, NewJob{Kind: "test", DedupeKey: "k1", RunAt: t0.Add(time.Hour), Payload: []byte(`{"x":1}`)})
		if err != nil || added || id2 != 0 {
			t.Errorf("duplicate Enqueue = %d, %v, %v; want a no-op", id2, added, err)
		}
		// Jobs without a key never collide.
		for range 2 {
			if _, added, err := st.Enqueue(ctx, NewJob{Kind: "test", RunAt: t0}); !added || err != nil {
				t.Errorf("Enqueue without key = %v, %v", added, err)
			}
		}
		jobs := ok(st.JobsOfKind(ctx, "test"))(t)
		if len(jobs) != 3 || string(jobs[0].Payload) != "{}" || !jobs[0].RunAt.Equal(t0) {
			t.Errorf("jobs = %+v, want 3 with the first untouched by the duplicate", jobs)
		}
		if _, _, err := st.Enqueue(ctx, NewJob{Kind: "test", Payload: []byte("not json")}); err == nil {
			t.Error("Enqueue with a non-JSON payload succeeded")
		}
	})
}

func TestClaimOrderAndDueTime(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		st := openStore(t, url, Options{Clock: clock})
		for i, at := range []time.Time{t0.Add(2 * time.Minute), t0, t0.Add(time.Minute), t0.Add(time.Hour)} {
			enqueue(t, st, NewJob{Kind: "test", DedupeKey: fmt.Sprint(i), RunAt: at})
		}
		enqueue(t, st, NewJob{Kind: "other", RunAt: t0})
		if next := ok(st.NextJobAt(ctx))(t); !next.Equal(t0) {
			t.Errorf("NextJobAt = %s, want %s", next, t0)
		}
		clock.Set(t0.Add(5 * time.Minute))
		jobs := ok(st.ClaimJobs(ctx, "w1", []string{"test"}, 10, time.Minute))(t)
		var keys []string
		for _, j := range jobs {
			keys = append(keys, j.DedupeKey.String)
			if j.Attempts != 1 || j.State != JobRunning || j.LockedBy.String != "w1" {
				t.Errorf("claimed job %+v, want running, attempt 1, locked by w1", j)
			}
		}
		if fmt.Sprint(keys) != "[1 2 0]" {
			t.Errorf("claimed %v, want the three due test jobs oldest first [1 2 0]", keys)
		}
	})
}

func TestLeaseExpiryAndFencing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		st := openStore(t, url, Options{Clock: clock})
		enqueue(t, st, NewJob{Kind: "test", RunAt: t0})
		first := ok(st.ClaimJobs(ctx, "dead-worker", []string{"test"}, 1, time.Minute))(t)
		if len(first) != 1 {
			t.Fatalf("claimed %d jobs, want 1", len(first))
		}
		clock.Advance(30 * time.Second)
		if again := ok(st.ClaimJobs(ctx, "w2", []string{"test"}, 1, time.Minute))(t); len(again) != 0 {
			t.Fatalf("job claimed again while its lease runs: %+v", again)
		}
		clock.Advance(31 * time.Second)
		second := ok(st.ClaimJobs(ctx, "w2", []string{"test"}, 1, time.Minute))(t)
		if len(second) != 1 || second[0].Attempts != 2 {
			t.Fatalf("after the lease ran out claimed %+v, want the job on attempt 2", second)
		}
		// The first worker wakes up late: its outcome must not count.
		if err := st.CompleteJob(ctx, first[0]); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("CompleteJob by the worker that lost the lease = %v, want ErrLeaseLost", err)
		}
		if err := st.CompleteJob(ctx, second[0]); err != nil {
			t.Errorf("CompleteJob by the current holder = %v", err)
		}
		if j := ok(st.Job(ctx, second[0].ID))(t); j.State != JobDone || !j.FinishedAt.Valid {
			t.Errorf("job after completion = %+v", j)
		}
	})
}

func TestWorkerRetriesAndGivesUp(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		st := openStore(t, url, Options{Clock: clock})
		flaky := enqueue(t, st, NewJob{Kind: "flaky", RunAt: t0, MaxAttempts: 3})
		broken := enqueue(t, st, NewJob{Kind: "broken", RunAt: t0})
		panics := enqueue(t, st, NewJob{Kind: "panics", RunAt: t0})
		released := enqueue(t, st, NewJob{Kind: "released", RunAt: t0, MaxAttempts: 2})
		var calls, releases atomic.Int32
		w := &Worker{Store: st, Name: "w", Backoff: func(int) time.Duration { return time.Minute }, Handlers: map[string]Handler{
			"flaky": func(context.Context, Job) error { calls.Add(1); return errors.New("server said 451") },
			"broken": func(context.Context, Job) error {
				return Permanent(errors.New("550 no such user"))
			},
			"panics": func(context.Context, Job) error { panic("boom") },
			"released": func(context.Context, Job) error {
				if releases.Add(1) <= 3 {
					return Release(errors.New("535 login refused"), time.Minute)
				}
				return nil
			},
		}}
		for range 6 {
			ok(w.RunDue(ctx))(t)
			clock.Advance(time.Minute)
		}
		// Three hand-backs did not use up its two attempts.
		if j := ok(st.Job(ctx, released))(t); j.State != JobDone || j.Attempts != 1 || releases.Load() != 4 {
			t.Errorf("released job: state %s after %d attempts and %d calls; want done on its first counted attempt", j.State, j.Attempts, releases.Load())
		}
		if n := calls.Load(); n != 3 {
			t.Errorf("flaky handler ran %d times, want 3 (max attempts)", n)
		}
		for _, c := range []struct {
			id   int64
			want string
		}{{flaky, "server said 451"}, {broken, "550 no such user"}, {panics, "handler panicked: boom"}} {
			j := ok(st.Job(ctx, c.id))(t)
			if j.State != JobFailed || j.LastError != c.want {
				t.Errorf("job %s: state %s, last error %q; want failed with %q", j.Kind, j.State, j.LastError, c.want)
			}
		}
	})
}

// TestWorkersShareJobs is the acceptance check: several workers on one
// database run 2,000 jobs, none twice and none lost.
func TestWorkersShareJobs(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{})
		const total = 2000
		err := st.InTx(ctx, func(tx *Tx) error {
			for i := range total {
				if _, _, err := tx.Enqueue(ctx, NewJob{Kind: "count", DedupeKey: fmt.Sprint("job-", i), RunAt: time.Now().Add(-time.Minute)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		runs := map[int64]int{}
		byWorker := map[string]int{}
		handler := func(name string) Handler {
			return func(_ context.Context, j Job) error {
				mu.Lock()
				runs[j.ID]++
				byWorker[name]++
				mu.Unlock()
				return nil
			}
		}
		var wg sync.WaitGroup
		for i := range 4 {
			// Each worker has its own connection pool, like a separate
			// instance would.
			wst := st
			if st.Dialect() == Postgres {
				wst = openStore(t, url, Options{})
			}
			name := fmt.Sprint("worker-", i)
			w := &Worker{Store: wst, Name: name, Batch: 7, Concurrency: 2, Handlers: map[string]Handler{"count": handler(name)}}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := w.RunDue(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		twice := 0
		for _, n := range runs {
			if n > 1 {
				twice++
			}
		}
		if len(runs) != total || twice != 0 {
			t.Errorf("ran %d distinct jobs (%d more than once), want %d once each", len(runs), twice, total)
		}
		var left int
		if err := st.db.GetContext(ctx, &left, `SELECT COUNT(*) FROM jobs WHERE state <> 'done'`); err != nil || left != 0 {
			t.Errorf("jobs not done: %d (%v)", left, err)
		}
		t.Logf("jobs per worker: %v", byWorker)
	})
}

// BenchmarkJobs measures enqueue + claim + complete of one job at a time.
func BenchmarkJobs(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			url := "sqlite:" + b.TempDir() + "/bench.db"
			if backend == "postgres" {
				url = postgresURL(b)
			}
			ctx := context.Background()
			st := openStore(b, url, Options{})
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := st.Enqueue(ctx, NewJob{Kind: "bench", RunAt: time.Now().Add(-time.Second)}); err != nil {
					b.Fatal(err)
				}
				jobs, err := st.ClaimJobs(ctx, "bench", []string{"bench"}, 1, time.Minute)
				if err != nil || len(jobs) != 1 {
					b.Fatalf("claim: %d jobs, %v", len(jobs), err)
				}
				if err := st.CompleteJob(ctx, jobs[0]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}

// BenchmarkWorker measures a worker draining a backlog: claims of 10,
// handlers 4 at a time, each outcome recorded. Enqueueing is not timed.
func BenchmarkWorker(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			url := "sqlite:" + b.TempDir() + "/bench.db"
			if backend == "postgres" {
				url = postgresURL(b)
			}
			ctx := context.Background()
			st := openStore(b, url, Options{})
			err := st.InTx(ctx, func(tx *Tx) error {
				for range b.N {
					if _, _, err := tx.Enqueue(ctx, NewJob{Kind: "bench", RunAt: time.Now().Add(-time.Second)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			w := &Worker{Store: st, Name: "bench", Batch: 10, Concurrency: 4, Handlers: map[string]Handler{
				"bench": func(context.Context, Job) error { return nil },
			}}
			b.ResetTimer()
			done := 0
			for done < b.N {
				n, err := w.RunDue(ctx)
				if err != nil || n == 0 {
					b.Fatalf("RunDue = %d, %v after %d of %d", n, err, done, b.N)
				}
				done += n
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}

func enqueue(t testing.TB, st *Store, j NewJob) int64 {
	t.Helper()
	id, added, err := st.Enqueue(context.Background(), j)
	if err != nil || !added {
		t.Fatalf("Enqueue(%+v) = %v, %v", j, added, err)
	}
	return id
}

// TestWorkerWake shows that a nudge on Wake starts a job queued while the
// worker sleeps, long before its idle time would have run out.
func TestWorkerWake(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		st := openStore(t, url, Options{})
		wake := make(chan struct{}, 1)
		ran := make(chan int64, 1)
		w := &Worker{Store: st, Name: "w", Idle: time.Hour, Wake: wake, Handlers: map[string]Handler{
			"nudged": func(_ context.Context, j Job) error { ran <- j.ID; return nil },
		}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		time.Sleep(50 * time.Millisecond) // let it find nothing and go to sleep
		id := enqueue(t, st, NewJob{Kind: "nudged", RunAt: time.Now().Add(-time.Second)})
		wake <- struct{}{}
		select {
		case got := <-ran:
			if got != id {
				t.Errorf("ran job %d, want %d", got, id)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the job did not run after the nudge (the worker would have slept an hour)")
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
}
