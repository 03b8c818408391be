package mailin

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"accord/conversation"
	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
)

// TestReplyBecomesAnswer: a reply to the welcome is stored as the answer,
// the next question goes out with a receipt, and the message is marked
// handled on the server only after that.
func TestReplyBecomesAnswer(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		if !strings.HasPrefix(welcome.ReplyTo, "accord+") {
			t.Fatalf("welcome Reply-To = %q, want a plus address with a token", welcome.ReplyTo)
		}
		e.mb.Append(t, e.imap, "", replyMail("Dana Lee <dana@example.test>", welcome, "We already trust each other with hard calls.\n\nDana"))
		e.run(e.poller(e.processor("p1")))
		o := e.waitOutcomes(1, 20*time.Second)
		if o[store.InboundAnswer] != 1 {
			t.Fatalf("outcomes = %v, want one answer", o)
		}
		if got := e.answers(e.dana); !slices.Equal(got, []string{"We already trust each other with hard calls.\n\nDana"}) {
			t.Errorf("answers = %q, want the text above the quote", got)
		}
		next := e.lastMail("dana@example.test")
		if !strings.Contains(next.Subject, "2/16") || !strings.Contains(string(next.Raw), "We recorded your answer") {
			t.Errorf("next mail %q does not carry question 2 with the receipt", next.Subject)
		}
		if !strings.Contains(string(next.Raw), "In-Reply-To: <") {
			t.Error("the next question is not threaded")
		}
		e.mb.WaitFor(t, e.imap, e.mb.Processed, 10*time.Second, func(ms []mailtest.Stored) bool { return len(ms) == 1 && ms[0].Seen() })
		if left := e.mb.Messages(t, e.imap, e.mb.Mailbox); len(left) != 0 {
			t.Errorf("%d messages left in the inbox after handling", len(left))
		}
	})
}

// TestCrashAfterFetchBeforeCommit (F1): the process dies after fetching a
// reply and claiming it, before any outcome: the crashed run changed no
// flags, and the restarted poller stores the answer once.
func TestCrashAfterFetchBeforeCommit(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", e.lastMail("dana@example.test"), "First answer."))
		pr := e.processor("p1")
		crashed := make(chan struct{})
		release := make(chan struct{})
		var once sync.Once
		pr.crash = func(point string, f Fetched) error {
			if point != "after_fetch_before_commit" {
				return nil
			}
			var err error
			once.Do(func() { close(crashed); <-release; err = errCrash })
			return err
		}
		e.run(e.poller(pr))
		<-crashed
		ms := e.mb.Messages(t, e.imap, e.mb.Mailbox)
		if len(ms) != 1 || ms[0].Seen() {
			t.Errorf("at the crash point the inbox holds %d messages (seen: %v); want the reply untouched", len(ms), len(ms) == 1 && ms[0].Seen())
		}
		close(release)
		e.waitOutcomes(1, 20*time.Second)
		if got := e.answers(e.dana); len(got) != 1 {
			t.Errorf("answers after the crash and restart = %q, want exactly one", got)
		}
		if rows, _ := e.st.InboundLog(e.ctx, ""); len(rows) != 1 || rows[0].Attempts != 2 {
			t.Errorf("inbound log = %+v, want one row on its second attempt", rows)
		}
	})
}

// TestCrashAfterCommitBeforeFlag (F2): the outcome is committed but the
// process dies before marking the message: the restart finds it handled,
// marks it, and nothing is stored or sent twice.
func TestCrashAfterCommitBeforeFlag(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", e.lastMail("dana@example.test"), "First answer."))
		before := len(e.mailTo("dana@example.test"))
		pr := e.processor("p1")
		p := e.poller(pr)
		var crashes atomic.Int32
		p.crash = func(point string) error {
			if point == "after_commit_before_flag" && crashes.Add(1) == 1 {
				return errCrash
			}
			return nil
		}
		e.run(p)
		e.mb.WaitFor(t, e.imap, e.mb.Processed, 20*time.Second, func(ms []mailtest.Stored) bool { return len(ms) == 1 })
		if got := e.answers(e.dana); len(got) != 1 {
			t.Errorf("answers = %q, want one", got)
		}
		if n := len(e.mailTo("dana@example.test")) - before; n != 1 {
			t.Errorf("%d mails to Dana after the reply, want one next question", n)
		}
		if crashes.Load() < 2 {
			t.Error("the poller never came back past the crash point")
		}
	})
}

// TestFailureDoesNotAcknowledge (F3): while storing the answer fails, the
// message is neither flagged nor moved; once it works, it is stored once.
func TestFailureDoesNotAcknowledge(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", e.lastMail("dana@example.test"), "An answer."))
		pr := e.processor("p1")
		pr.MaxAttempts = 10
		var failing atomic.Bool
		failing.Store(true)
		var tries atomic.Int32
		pr.crash = func(point string, f Fetched) error {
			if point == "before_commit" && failing.Load() {
				tries.Add(1)
				return errors.New("the answers table is on fire")
			}
			return nil
		}
		e.run(e.poller(pr))
		for deadline := time.Now().Add(20 * time.Second); tries.Load() < 2; {
			if time.Now().After(deadline) {
				t.Fatal("the failing message was not retried")
			}
			time.Sleep(10 * time.Millisecond)
		}
		ms := e.mb.Messages(t, e.imap, e.mb.Mailbox)
		if len(ms) != 1 || ms[0].Seen() {
			t.Fatalf("while failing, inbox = %d messages (seen %v); want it untouched", len(ms), len(ms) == 1 && ms[0].Seen())
		}
		if got := e.answers(e.dana); len(got) != 0 {
			t.Fatalf("answers stored while the commit failed: %q", got)
		}
		failing.Store(false)
		e.waitOutcomes(1, 20*time.Second)
		if got := e.answers(e.dana); len(got) != 1 {
			t.Errorf("answers after recovery = %q, want one", got)
		}
	})
}

// TestPollersShareMailbox (F4): four pollers on one mailbox and 1,000
// replies store exactly 1,000 answers; on a server that can MOVE, each
// reply lands in the Processed folder exactly once, and no poller takes
// another's expunges for a lost connection. The replies come from 25
// pairs, as in a real mailbox, rather than 1,000 corrections of one
// answer, which would make every step load an ever longer partnership.
func TestPollersShareMailbox(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, e *env, replies, pollers int) {
		senders := e.enrollPairs(25)
		for i := range replies {
			s := senders[i%len(senders)]
			e.mb.Append(t, e.imap, "", replyMail(s.from, s.welcome, fmt.Sprintf("Answer number %d.", i)))
		}
		var ps []*Poller
		for i := range pollers {
			ps = append(ps, e.poller(e.processor(fmt.Sprint("poller-", i))))
		}
		e.run(ps...)
		o := e.waitOutcomes(replies, 5*time.Minute)
		if o[store.InboundAnswer] != replies || len(o) != 1 {
			t.Errorf("outcomes = %v, want %d answers and nothing else", o, replies)
		}
		got := 0
		seen := map[string]bool{}
		for _, s := range senders {
			for _, a := range e.answersOf(s.pid, s.participant) {
				got++
				seen[a] = true
			}
		}
		if got != replies || len(seen) != replies {
			t.Errorf("%d answers stored (%d distinct), want %d", got, len(seen), replies)
		}
		moved := e.mb.WaitFor(t, e.imap, e.mb.Processed, time.Minute, func(ms []mailtest.Stored) bool { return len(ms) >= replies })
		copies := map[string]int{}
		for _, m := range moved {
			copies[string(msgIDPattern.Find(m.Raw))]++
		}
		for id, n := range copies {
			if n != 1 {
				t.Errorf("%s is %d times in the Processed folder, want once", id, n)
			}
		}
		if len(moved) != replies || len(copies) != replies {
			t.Errorf("the Processed folder holds %d messages (%d distinct), want each of the %d replies once", len(moved), len(copies), replies)
		}
		for i, p := range ps {
			if n := p.Status().Reconnects; n != 0 {
				t.Errorf("poller %d reconnected %d times (last error %q), want none", i, n, p.Status().LastError)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		run(t, newEnv(t, storetest.SQLiteURL(t), mailtest.NewMemoryIMAP(t)), 1000, 4)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		run(t, newEnv(t, storetest.PostgresURL(t), mailtest.NewMemoryIMAP(t)), 1000, 4)
	})
	t.Run("dovecot", func(t *testing.T) {
		t.Parallel()
		run(t, newEnv(t, storetest.PostgresURL(t), mailtest.DovecotIMAP(t)), 1000, 4)
	})
}

// TestServerWithoutIdleOrMove: against a bare IMAP4rev1 server the poller
// polls instead of waiting in IDLE, and marks handled mail \Seen in place
// instead of moving it; the checkpoint keeps it from being read twice.
func TestServerWithoutIdleOrMove(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), mailtest.NewPlainIMAP(t))
	welcome := e.lastMail("dana@example.test")
	e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, "Polled answer one."))
	p := e.poller(e.processor("p1"))
	p.PollInterval = 50 * time.Millisecond
	e.run(p)
	e.waitOutcomes(1, 10*time.Second)
	e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, "Polled answer two."))
	e.waitOutcomes(2, 10*time.Second)
	ms := e.mb.WaitFor(t, e.imap, e.mb.Mailbox, 10*time.Second, func(ms []mailtest.Stored) bool {
		return len(ms) == 2 && ms[0].Seen() && ms[1].Seen()
	})
	if len(ms) != 2 {
		t.Fatalf("inbox holds %d messages, want both left in place", len(ms))
	}
	time.Sleep(300 * time.Millisecond) // several more polls
	if got := e.answers(e.dana); len(got) != 2 {
		t.Errorf("answers = %q, want each reply once", got)
	}
}

// TestIMAPSecurityModes reads the same kind of reply over every way of
// connecting the test bed's Dovecot offers.
func TestIMAPSecurityModes(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct{ name, security, auth, addrVar string }{
		{"starttls-login", "starttls", "login", "ACCORD_TEST_IMAP_ADDR"},
		{"tls-plain", "tls", "plain", "ACCORD_TEST_IMAPS_ADDR"},
		{"none-plain", "none", "plain", "ACCORD_TEST_IMAP_ADDR"},
	} {
		t.Run(mode.name+"/dovecot", func(t *testing.T) {
			t.Parallel()
			mb := mailtest.DovecotIMAP(t)
			e := newEnv(t, storetest.SQLiteURL(t), mb)
			e.mb.Append(t, e.imap, "", replyMail("dana@example.test", e.lastMail("dana@example.test"), "Over "+mode.name+"."))
			p := e.poller(e.processor("p1"))
			addr := os.Getenv(mode.addrVar)
			p.Config.Host, p.Config.Port, p.Config.Security, p.Config.Auth = hostOf(addr), portOf(addr), mode.security, mode.auth
			e.run(p)
			if o := e.waitOutcomes(1, 20*time.Second); o[store.InboundAnswer] != 1 {
				t.Errorf("outcomes over %s = %v", mode.name, o)
			}
		})
	}
}

// TestWorkersKeepEachSendersOrder processes a batch with several workers:
// every reply is recorded, and a person's correction, sent right after
// their first answer, is still the one that counts.
func TestWorkersKeepEachSendersOrder(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		var es []store.Enrollment
		for i := range 4 {
			es = append(es, store.Enrollment{Kind: conversation.KindPeer, Set: e.set(),
				A: store.EnrollPerson{Name: "Kim Novak", Email: fmt.Sprintf("kim%d@example.test", i), TimeZone: "UTC"},
				B: store.EnrollPerson{Name: "Lee Park", Email: fmt.Sprintf("lee%d@example.test", i), TimeZone: "UTC"}})
		}
		if _, err := e.st.EnrollAll(e.ctx, es); err != nil {
			t.Fatal(err)
		}
		welcome := e.lastMail("dana@example.test")
		e.mb.Append(t, e.imap, "", replyMail("Dana Lee <dana@example.test>", welcome, "First thoughts."))
		for i := range 4 {
			for _, who := range []string{"kim", "lee"} {
				addr := fmt.Sprintf("%s%d@example.test", who, i)
				e.mb.Append(t, e.imap, "", replyMail(addr, e.lastMail(addr), "Answer from "+addr))
			}
		}
		e.mb.Append(t, e.imap, "", replyMail("Dana Lee <dana@example.test>", welcome, "Better: we trust each other."))
		p := e.poller(e.processor("p1"))
		p.Workers = 4
		e.run(p)
		if o := e.waitOutcomes(10, 30*time.Second); o[store.InboundAnswer] != 10 {
			t.Fatalf("outcomes = %v, want 10 answers", o)
		}
		if got := e.answers(e.dana); !slices.Equal(got, []string{"First thoughts.", "Better: we trust each other."}) {
			t.Errorf("Dana's answers = %q, want the first answer then the correction", got)
		}
		pt, err := e.st.Load(e.ctx, e.pid)
		if err != nil {
			t.Fatal(err)
		}
		if a := pt.LatestAnswer(e.dana, pt.Set.Questions[0].ID); a == nil || a.Text != "Better: we trust each other." {
			t.Errorf("Dana's answer that counts = %+v, want the correction", a)
		}
	})
}

func TestSenderOf(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"From: Dana Lee <Dana@Example.test>\r\n\r\nhi": "dana@example.test",
		"From: sam@example.test\r\n\r\nhi":             "sam@example.test",
		"From: not an address\r\n\r\nhi":               "not an address",
		"Subject: no sender\r\n\r\nhi":                 "",
	} {
		if got := senderOf([]byte(raw)); got != want {
			t.Errorf("senderOf(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestMoveRefusedAsExpunged (F4): when the server refuses to move handled
// mail because another client expunged some of it first (Dovecot's
// NO [EXPUNGEISSUED]), the poller neither reconnects nor copies anything
// twice: it catches up with a NOOP, moves what is left, and carries on.
func TestMoveRefusedAsExpunged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), mailtest.NewMemoryIMAP(t))
	welcome := e.lastMail("dana@example.test")
	for i := range 3 {
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, fmt.Sprint("Moved once ", i)))
	}
	e.mb.Memory.RefuseMoves(1)
	p := e.poller(e.processor("p1"))
	e.run(p)
	e.waitOutcomes(3, 20*time.Second)
	moved := e.mb.WaitFor(t, e.imap, e.mb.Processed, 10*time.Second, func(ms []mailtest.Stored) bool { return len(ms) >= 3 })
	if len(moved) != 3 {
		t.Errorf("%d messages in the Processed folder, want the 3 replies once each", len(moved))
	}
	if left := e.mb.Messages(t, e.imap, e.mb.Mailbox); len(left) != 0 {
		t.Errorf("%d messages left in the inbox", len(left))
	}
	if st := p.Status(); st.Reconnects != 0 {
		t.Errorf("the poller reconnected %d times after the refusal (%s), want none", st.Reconnects, st.LastError)
	}
}

// TestReplyWithBlankFirstLine: some gateways and archives put a blank or
// whitespace-only line before the header; mail clients read past it, and
// so does Accord: the reply is routed and recorded as written. (Processed
// directly: the in-memory IMAP server cannot serve such a message, while
// Dovecot serves it as stored.)
func TestReplyWithBlankFirstLine(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		raw := append([]byte(" \r\n\r\n"), replyMail("Dana Lee <dana@example.test>", welcome, "We say what we think.")...)
		if res := e.process(e.processor("p1"), 1, raw); res.Outcome != store.InboundAnswer {
			rows, _ := e.st.InboundLog(e.ctx, "")
			t.Fatalf("outcome %q, want an answer (%+v)", res.Outcome, rows)
		}
		if got := e.answers(e.dana); !slices.Equal(got, []string{"We say what we think."}) {
			t.Errorf("answers = %q, want the words above the quote", got)
		}
	})
}
