package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Handler does the work of one job. Returning an error retries the job
// later unless the error is [Permanent].
type Handler func(ctx context.Context, j Job) error

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks an error that retrying cannot fix.
func Permanent(err error) error { return permanentError{err} }

type releaseError struct {
	err   error
	after time.Duration
}

func (e releaseError) Error() string { return e.err.Error() }
func (e releaseError) Unwrap() error { return e.err }

// Release marks an error that is not the job's fault: the job goes back,
// due again after the given delay, and the attempt does not count.
func Release(err error, after time.Duration) error { return releaseError{err, after} }

// Released reports whether err was marked with [Release], and after how
// long the job is due again.
func Released(err error) (time.Duration, bool) {
	var r releaseError
	if errors.As(err, &r) {
		return r.after, true
	}
	return 0, false
}

// IsPermanent reports whether err was marked with [Permanent].
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Worker claims due jobs and runs their handlers. Several workers, in one
// process or many, may share a database.
type Worker struct {
	Store    *Store
	Name     string
	Handlers map[string]Handler
	// Lease is how long a claim lasts before another worker may take the
	// job over. Default 5 minutes; handlers must finish well within it.
	Lease time.Duration
	// Batch is how many jobs one claim takes. Default 10.
	Batch int
	// Concurrency is how many handlers run at once. Default 1.
	Concurrency int
	// Idle is how long Run sleeps when nothing is due. Default 1 second.
	Idle time.Duration
	// Wake, when set, cuts that sleep short: another part of the process
	// sends on it when it has just queued work for this worker.
	Wake <-chan struct{}
	// Backoff is the delay before retry number attempt (1-based). Default:
	// 30s doubling up to 6h, with ±20% jitter.
	Backoff func(attempt int) time.Duration
	// Gate, when set, is called before each claim and may block until
	// work can go on (the outbox waits there while the mail server refuses
	// its login). An error ends Run.
	Gate   func(ctx context.Context) error
	Logger *slog.Logger
}

// DefaultBackoff waits 30 s, 1 min, 2 min… up to 6 h, with ±20% jitter so
// jobs that failed together do not retry together.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (w *Worker) defaults() {
	if w.Lease == 0 {
		w.Lease = 5 * time.Minute
	}
	if w.Batch == 0 {
		w.Batch = 10
	}
	if w.Concurrency == 0 {
		w.Concurrency = 1
	}
	if w.Idle == 0 {
		w.Idle = time.Second
	}
	if w.Backoff == nil {
		w.Backoff = DefaultBackoff
	}
	if w.Logger == nil {
		w.Logger = w.Store.log
	}
}

func (w *Worker) kinds() []string {
	ks := make([]string, 0, len(w.Handlers))
	for k := range w.Handlers {
		ks = append(ks, k)
	}
	return ks
}

// RunDue claims one batch of due jobs, runs them and records each outcome.
// It returns how many jobs it ran.
func (w *Worker) RunDue(ctx context.Context) (int, error) {
	w.defaults()
	jobs, err := w.Store.ClaimJobs(ctx, w.Name, w.kinds(), w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, w.Concurrency)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			w.run(ctx, j)
		}()
	}
	wg.Wait()
	return len(jobs), nil
}

func (w *Worker) run(ctx context.Context, j Job) {
	log := w.Logger.With("job_id", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	var err error
	if j.Attempts > j.MaxAttempts {
		err = Permanent(fmt.Errorf("gave up after %d attempts", j.MaxAttempts))
	} else {
		err = w.call(ctx, j)
	}
	var outcome error
	var rel releaseError
	switch {
	case err == nil:
		outcome = w.Store.CompleteJob(ctx, j)
	case errors.As(err, &rel):
		log.Warn("job handed back", "err", err, "retry_in", rel.after)
		outcome = w.Store.ReleaseJob(ctx, j, w.Store.clock.Now().Add(rel.after), err.Error())
	case IsPermanent(err) || j.Attempts >= j.MaxAttempts:
		log.Error("job failed for good", "err", err)
		outcome = w.Store.FailJob(ctx, j, err.Error())
	default:
		delay := w.Backoff(j.Attempts)
		log.Warn("job failed, will retry", "err", err, "retry_in", delay.Round(time.Second))
		outcome = w.Store.RetryJob(ctx, j, w.Store.clock.Now().Add(delay), err.Error())
	}
	if outcome != nil {
		log.Error("could not record job outcome", "err", outcome)
	}
}

// call runs the handler, turning a panic into an error so one bad job
// cannot take the worker down.
func (w *Worker) call(ctx context.Context, j Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("handler panicked: %v", r))
		}
	}()
	h, ok := w.Handlers[j.Kind]
	if !ok {
		return Permanent(fmt.Errorf("no handler for %q jobs", j.Kind))
	}
	return h(ctx, j)
}

// Run works until ctx is cancelled, sleeping Idle whenever nothing is due.
// Jobs in flight when ctx ends are finished, not abandoned.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	var failingSince time.Time
	for {
		if w.Gate != nil {
			if err := w.Gate(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
		n, err := w.RunDue(context.WithoutCancel(ctx))
		// A database outage fails every claim, once a second: say when
		// it starts and when it ends, not each time.
		switch {
		case err != nil && failingSince.IsZero():
			failingSince = time.Now()
			w.Logger.Error("claiming jobs failed; trying again every second", "worker", w.Name, "err", err)
		case err != nil:
			w.Logger.Debug("claiming jobs still fails", "worker", w.Name, "err", err)
		case !failingSince.IsZero():
			w.Logger.Info("claiming jobs works again", "worker", w.Name, "failed_for", time.Since(failingSince).Round(time.Second))
			failingSince = time.Time{}
		}
		if n > 0 && err == nil {
			if ctx.Err() != nil {
				return nil
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.Wake:
		case <-time.After(w.Idle):
		}
	}
}
