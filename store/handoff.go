package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Handoff takes mail straight from the transaction that queued it, once
// that transaction has committed, so that it is sent without waiting for a
// worker to find and claim it. The mail's job is stored already claimed by
// the Handoff's worker, with a lease: if the process dies before the mail
// is marked sent, the lease runs out and any worker sends it, as with a
// job claimed the usual way. Mail that cannot be handed over (no place is
// free, its recipient may be bouncing) is queued as before.
type Handoff interface {
	// Reserve keeps a place for one message, or reports false when there
	// is none (the sender is busy, stopped or failing).
	Reserve() bool
	// Release gives back a place whose transaction did not commit.
	Release()
	// Take hands over a message whose transaction committed; a place was
	// reserved for it, so Take does not block.
	Take(m OutboxMessage)
	// Lease names the worker handed jobs are claimed for, and for how long.
	Lease() (worker string, d time.Duration)
	// Queued hears that a transaction committed mail it could not hand
	// over, queued for the usual claim: a look at the queue finds it now.
	Queued()
}

// SetHandoff makes h take the mail queued from now on; see [Handoff].
func (s *Store) SetHandoff(h Handoff) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handoff = h
}

func (s *Store) currentHandoff() Handoff {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handoff
}

var (
	// A handed job is stored claimed (running, one attempt, leased), with
	// its outbox row in its dedupe key so that it can be finished without
	// reading its id back.
	qEnqueueHanded = query(`INSERT INTO jobs (kind, dedupe_key, partnership_id, payload, run_at, max_attempts, created_at,
			state, attempts, locked_by, locked_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'running', 1, ?, ?)`)
	qCompleteHanded = query(`UPDATE jobs SET state = 'done', finished_at = ?, locked_by = NULL, locked_until = NULL
		WHERE dedupe_key = ? AND state = 'running' AND locked_by = ?`)
	// Given back: due again at run_at; counted says whether the attempt
	// the hand-over stood for counts.
	qReturnHanded = query(`UPDATE jobs SET state = 'available', attempts = attempts - CASE WHEN ? THEN 0 ELSE 1 END, run_at = ?,
			last_error = ?, locked_by = NULL, locked_until = NULL
		WHERE dedupe_key = ? AND state = 'running' AND locked_by = ?`)
	qFailHanded = query(`UPDATE jobs SET state = 'failed', finished_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL
		WHERE dedupe_key = ? AND state = 'running' AND locked_by = ?`)
)

func handedKey(outboxID int64) string { return "outbox:" + strconv.FormatInt(outboxID, 10) }

// handOver queues job, the delivery of a just stored message, claimed for
// h, and arranges for h to take the message when the transaction commits.
func (t *Tx) handOver(ctx context.Context, h Handoff, m OutboxMessage, job NewJob, now time.Time) error {
	worker, lease := h.Lease()
	job.DedupeKey = handedKey(m.ID)
	args, err := t.enqueueArgs(job)
	if err == nil {
		err = t.execLater(ctx, qEnqueueHanded, append(args, worker, ts(now.Add(lease)))...)
	}
	if err != nil {
		h.Release()
		return fmt.Errorf("store: enqueue mail job: %w", err)
	}
	t.afterCommit = append(t.afterCommit, func() { h.Take(m) })
	t.afterRollback = append(t.afterRollback, h.Release)
	return nil
}

// queuedAfterCommit tells h, once the transaction commits, that it queued
// mail for the usual claim.
func (t *Tx) queuedAfterCommit(h Handoff) {
	if t.toldQueued {
		return
	}
	t.toldQueued = true
	t.afterCommit = append(t.afterCommit, h.Queued)
}

// HandedSent is a handed message the mail server accepted, with its reply.
type HandedSent struct {
	OutboxID int64
	Reply    string
	// At is when the server accepted it.
	At time.Time
}

// MarkHandedSent records that handed messages were accepted by the mail
// server and finishes their jobs, all together: in one round trip and one
// commit on PostgreSQL.
func (s *Store) MarkHandedSent(ctx context.Context, worker string, sent ...HandedSent) error {
	now := ts(s.clock.Now())
	writes := make([]read, 0, 2*len(sent))
	for _, m := range sent {
		writes = append(writes, fetch(qOutboxSent, m.Reply, ts(m.At), m.OutboxID), fetch(qCompleteHanded, now, handedKey(m.OutboxID), worker))
	}
	if err := s.execAll(ctx, writes...); err != nil {
		return fmt.Errorf("store: mark %d outbound messages sent: %w", len(sent), err)
	}
	return nil
}

// ReturnHanded gives a handed message's job back to the queue, due again
// at runAt, keeping why: counted says whether the attempt counts (a
// refusal) or not (the server could not be reached).
func (s *Store) ReturnHanded(ctx context.Context, outboxID int64, worker, reason string, runAt time.Time, counted bool) error {
	if _, err := s.exec(ctx, qReturnHanded, counted, ts(runAt), reason, handedKey(outboxID), worker); err != nil {
		return fmt.Errorf("store: hand back outbound message %d: %w", outboxID, err)
	}
	return nil
}

// FailHanded ends a handed message's job for good, keeping why.
func (s *Store) FailHanded(ctx context.Context, outboxID int64, worker, reason string) error {
	if _, err := s.exec(ctx, qFailHanded, ts(s.clock.Now()), reason, handedKey(outboxID), worker); err != nil {
		return fmt.Errorf("store: fail the job of outbound message %d: %w", outboxID, err)
	}
	return nil
}

// Deliverable notes that the caller read email as not bouncing in this
// transaction, so that mail queued to it may be handed over (see
// [Handoff]); the store notes it itself for the people of a partnership
// it loads.
func (t *Tx) Deliverable(email string) {
	if t.clear == nil {
		t.clear = map[string]bool{}
	}
	t.clear[normalEmail(email)] = true
}

// execAll runs writes that belong together: on PostgreSQL as one
// multi-statement query, which the server runs as one transaction in one
// round trip; on SQLite in a transaction.
func (s *Store) execAll(ctx context.Context, writes ...read) error {
	if s.dialect == Postgres {
		texts, err := inlineAll(writes)
		if err != nil {
			return err
		}
		_, err = s.db.ExecContext(ctx, strings.Join(texts, ";\n"))
		return err
	}
	return s.InTx(ctx, func(tx *Tx) error {
		for _, w := range writes {
			if _, err := tx.exec(ctx, w.q, w.args...); err != nil {
				return err
			}
		}
		return nil
	})
}
