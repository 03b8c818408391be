package mailin

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/emersion/go-imap/v2"

	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
)

// uidOf finds the UID of the message in ms that holds text.
func uidOf(ms []mailtest.Stored, text string) imap.UID {
	for _, m := range ms {
		if bytes.Contains(m.Raw, []byte(text)) {
			return m.UID
		}
	}
	return 0
}

// waitCheckpoint waits until the poller's checkpoint reaches uid.
func (e *env) waitCheckpoint(p *Poller, uid imap.UID, timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := e.st.Checkpoint(e.ctx, e.mb.Mailbox, p.Status().UIDValidity)
		if err != nil {
			e.t.Fatal(err)
		}
		if got >= uint32(uid) {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("after %s the checkpoint is %d, want at least %d", timeout, got, uid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPendingMessageHoldsCheckpoint: with small batches, so that fetching,
// processing and acknowledging overlap, a message whose processing keeps
// failing stays unacknowledged in the inbox and keeps the checkpoint
// below it, while every message after it is handled and moved. Once it
// can be processed, it is, and the checkpoint passes it.
func TestPendingMessageHoldsCheckpoint(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		const replies, stuck = 23, 11
		senders := e.enrollPairs(4)
		for i := range replies {
			s := senders[i%len(senders)]
			e.mb.Append(t, e.imap, "", replyMail(s.from, s.welcome, fmt.Sprintf("Answer number %d.", i)))
		}
		inbox := e.mb.Messages(t, e.imap, e.mb.Mailbox)
		stuckUID := uidOf(inbox, fmt.Sprintf("Answer number %d.", stuck))
		pr := e.processor("p1")
		pr.MaxAttempts = 1000
		var failing atomic.Bool
		failing.Store(true)
		pr.crash = func(point string, f Fetched) error {
			if point == "before_commit" && failing.Load() && f.Key.UID == uint32(stuckUID) {
				return fmt.Errorf("answer %d cannot be stored yet", stuck)
			}
			return nil
		}
		p := e.poller(pr)
		p.BatchSize = 4
		p.Workers = 2
		e.run(p)
		e.waitOutcomes(replies-1, time.Minute)
		e.mb.WaitFor(t, e.imap, e.mb.Processed, 20*time.Second, func(ms []mailtest.Stored) bool { return len(ms) == replies-1 })
		inbox = e.mb.Messages(t, e.imap, e.mb.Mailbox)
		if len(inbox) != 1 || inbox[0].Seen() || !bytes.Contains(inbox[0].Raw, fmt.Appendf(nil, "Answer number %d.", stuck)) {
			t.Fatalf("while answer %d fails the inbox holds %d messages; want only that one, unseen", stuck, len(inbox))
		}
		if cp, err := e.st.Checkpoint(e.ctx, e.mb.Mailbox, p.Status().UIDValidity); err != nil || cp >= uint32(stuckUID) {
			t.Fatalf("while UID %d is pending the checkpoint is %d (%v), want below it", stuckUID, cp, err)
		}
		failing.Store(false)
		if o := e.waitOutcomes(replies, time.Minute); o[store.InboundAnswer] != replies {
			t.Errorf("outcomes = %v, want %d answers", o, replies)
		}
		e.mb.WaitFor(t, e.imap, e.mb.Processed, 20*time.Second, func(ms []mailtest.Stored) bool { return len(ms) == replies })
		// Those after it are gone from the inbox, so the checkpoint
		// needs to pass only it.
		e.waitCheckpoint(p, stuckUID, 20*time.Second)
	})
}

// TestCrashMidScan: the process dies after committing the third group of
// a long scan and before acknowledging it, while the acknowledgements of
// the groups before may still be on the wire. After the restart every
// reply is stored once, lands in the Processed folder once, and caused
// one next question.
func TestCrashMidScan(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		const replies = 30
		senders := e.enrollPairs(6)
		for i := range replies {
			s := senders[i%len(senders)]
			e.mb.Append(t, e.imap, "", replyMail(s.from, s.welcome, fmt.Sprintf("Answer number %d.", i)))
		}
		before := len(e.allMail())
		p := e.poller(e.processor("p1"))
		p.BatchSize = 5
		var groups atomic.Int32
		p.crash = func(point string) error {
			if point == "after_commit_before_flag" && groups.Add(1) == 3 {
				return errCrash
			}
			return nil
		}
		e.run(p)
		if o := e.waitOutcomes(replies, time.Minute); o[store.InboundAnswer] != replies {
			t.Errorf("outcomes = %v, want %d answers", o, replies)
		}
		moved := e.mb.WaitFor(t, e.imap, e.mb.Processed, 20*time.Second, func(ms []mailtest.Stored) bool { return len(ms) >= replies })
		copies := map[string]int{}
		for _, m := range moved {
			copies[string(msgIDPattern.Find(m.Raw))]++
		}
		if len(moved) != replies || len(copies) != replies {
			t.Errorf("the Processed folder holds %d messages (%d distinct), want each of the %d replies once", len(moved), len(copies), replies)
		}
		if n := len(e.allMail()) - before; n != replies {
			t.Errorf("%d mails queued after %d replies, want one next question each", n, replies)
		}
		if groups.Load() < 3 {
			t.Errorf("the crash point was reached %d times, want at least 3", groups.Load())
		}
		if st := p.Status(); st.Reconnects != 1 {
			t.Errorf("the poller reconnected %d times, want once, after the crash", st.Reconnects)
		}
	})
}

// TestAckerOrder drives the acknowledger on its own: work queued while
// the server is reachable is acknowledged and then checkpointed; once an
// acknowledgement fails, nothing queued after it is acknowledged and the
// checkpoint does not move.
func TestAckerOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// broken closes the connection before the acknowledgements.
		broken         bool
		wantCheckpoint uint32
		wantInbox      int
	}{
		{"connected", false, 4, 1},
		{"connection lost", true, 0, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, storetest.SQLiteURL(t), mailtest.NewMemoryIMAP(t))
			welcome := e.lastMail("dana@example.test")
			for i := range 5 {
				e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, fmt.Sprint("Answer ", i)))
			}
			uids := make([]imap.UID, 0, 5)
			for _, m := range e.mb.Messages(t, e.imap, e.mb.Mailbox) {
				uids = append(uids, m.UID)
			}
			p := e.poller(e.processor("p1"))
			p.defaults()
			cn, err := p.dial(make(chan struct{}, 1))
			if err != nil {
				t.Fatal(err)
			}
			defer cn.c.Close()
			if _, err := p.login(cn); err != nil {
				t.Fatal(err)
			}
			sel, err := cn.c.Select(e.mb.Mailbox, nil).Wait()
			if err != nil {
				t.Fatal(err)
			}
			if err := p.ensureMailbox(cn, e.mb.Processed); err != nil {
				t.Fatal(err)
			}
			if tc.broken {
				cn.c.Close()
			}
			ctx, cancel := context.WithTimeout(e.ctx, 20*time.Second)
			defer cancel()
			a := p.startAcker(ctx, cn, sel.UIDValidity, true)
			a.add(ackWork{done: uids[:2], through: uint32(uids[1])})
			a.add(ackWork{done: uids[2:4], through: uint32(uids[3])})
			err = a.close()
			if tc.broken != (err != nil) {
				t.Errorf("acker.close() = %v, want an error only when the connection is lost", err)
			}
			cp, cerr := e.st.Checkpoint(e.ctx, e.mb.Mailbox, sel.UIDValidity)
			if cerr != nil {
				t.Fatal(cerr)
			}
			if want := tc.wantCheckpoint; want != 0 {
				want = uint32(uids[want-1])
				if cp != want {
					t.Errorf("checkpoint = %d, want %d", cp, want)
				}
			} else if cp != 0 {
				t.Errorf("checkpoint = %d after a failed acknowledgement, want 0", cp)
			}
			inbox := e.mb.Messages(t, e.imap, e.mb.Mailbox)
			if len(inbox) != tc.wantInbox {
				t.Errorf("the inbox holds %d messages, want %d", len(inbox), tc.wantInbox)
			}
			for _, m := range inbox {
				if m.Seen() {
					t.Errorf("UID %d left in the inbox is marked seen", m.UID)
				}
			}
			if tc.broken && !strings.Contains(err.Error(), "mark handled mail") {
				t.Errorf("acker.close() = %v, want the failed STORE", err)
			}
		})
	}
}

// TestStopFinishesInFlight: serve promises that work in progress is
// finished when it is stopped. A reply whose processing has begun when
// the poller is told to stop is still recorded, acknowledged and answered;
// the poller then returns.
func TestStopFinishesInFlight(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		s := e.enrollPairs(1)[0]
		e.mb.Append(t, e.imap, "", replyMail(s.from, s.welcome, "We say what worries us early."))
		pr := e.processor("p1")
		started, stopped := make(chan struct{}), make(chan struct{})
		pr.crash = func(point string, f Fetched) error {
			if point == "handle" {
				close(started)
				<-stopped
			}
			return nil
		}
		p := e.poller(pr)
		ctx, stop := context.WithCancel(e.ctx)
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		select {
		case <-started:
		case <-time.After(time.Minute):
			t.Fatal("the reply was not picked up within a minute")
		}
		stop()
		close(stopped)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the poller stopped with %v", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("the poller did not stop within a minute of being told to")
		}
		if o := e.outcomes(); o[store.InboundAnswer] != 1 {
			t.Errorf("outcomes after the stop = %v, want the reply in progress recorded as an answer", o)
		}
		e.mb.WaitFor(t, e.imap, e.mb.Processed, 20*time.Second, func(ms []mailtest.Stored) bool { return len(ms) == 1 })
	})
}

// TestFinishing: work begun outlives its context's end by the grace, and
// no longer; ended early, it holds nothing.
func TestFinishing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		fctx, done := finishing(ctx, 10*time.Second)
		defer done()
		stop()
		time.Sleep(9 * time.Second)
		if fctx.Err() != nil {
			t.Fatal("the work was cut off before its grace was over")
		}
		time.Sleep(2 * time.Second)
		if fctx.Err() == nil {
			t.Fatal("the work went on past its grace")
		}
		early, endEarly := finishing(context.Background(), time.Hour)
		endEarly()
		if early.Err() == nil {
			t.Fatal("ending the work did not end its context")
		}
	})
}
