package mailin

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
)

// TestUIDValidityChange (F5): the mailbox is recreated, so its UIDs start
// again under a new UIDVALIDITY, and old and new mail are appended: the old
// reply is recognised, the new one stored, nothing lost or doubled.
func TestUIDValidityChange(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		first := replyMail("dana@example.test", welcome, "Before the mailbox was rebuilt.")
		e.mb.Append(t, e.imap, "", first)
		p := e.poller(e.processor("p1"))
		p.IdleRestart = 200 * time.Millisecond
		e.run(p)
		e.waitOutcomes(1, 20*time.Second)

		// Rebuild the mailbox under the poller's feet, as restoring a
		// backup does: its UIDs start again under a new UIDVALIDITY.
		// A server that derives UIDVALIDITY from the clock may give a
		// mailbox made again within the same second the old value; a
		// restore never is that quick, so the test rebuilds until the
		// value is new.
		old := p.Status().UIDValidity
		deadline := time.Now().Add(10 * time.Second)
		for {
			if err := e.imap.Delete(e.mb.Mailbox).Wait(); err != nil {
				t.Fatal(err)
			}
			if err := e.imap.Create(e.mb.Mailbox, nil).Wait(); err != nil {
				t.Fatal(err)
			}
			st, err := e.imap.Status(e.mb.Mailbox, &imap.StatusOptions{UIDValidity: true}).Wait()
			switch {
			case err != nil && !strings.Contains(err.Error(), "deleted under us"):
				t.Fatal(err)
			case err == nil && st.UIDValidity != old:
				// Rebuilt with a new UIDVALIDITY.
			case time.Now().After(deadline):
				t.Fatalf("the rebuilt mailbox keeps UIDVALIDITY %d (last STATUS: %v)", old, err)
			default:
				// Dovecot may answer STATUS on a mailbox just made
				// again, while the poller's session has it open, with
				// "Mailbox was deleted under us" (as it may an APPEND;
				// see mailtest.IMAP.Append): rebuild and ask again.
				time.Sleep(100 * time.Millisecond)
				continue
			}
			break
		}
		e.mb.Append(t, e.imap, "", first)
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, "After the rebuild."))
		o := e.waitOutcomes(3, 30*time.Second)
		if o[store.InboundAnswer] != 2 || o[store.InboundDuplicate] != 1 {
			t.Errorf("outcomes = %v, want 2 answers and the old reply as a duplicate", o)
		}
		if got := e.answers(e.dana); len(got) != 2 {
			t.Errorf("answers = %q, want two", got)
		}
	})
}

// TestDuplicates (F6–F8): no Message-ID delivered twice with different
// trace headers, the same mail twice (To and Cc both reach us), and a
// reused Message-ID with a different body.
func TestDuplicates(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		noID := bytes.Replace(replyMail("dana@example.test", welcome, "No Message-ID here."), []byte("Message-ID:"), []byte("X-Was-Message-ID:"), 1)
		e.mb.Append(t, e.imap, "", append([]byte("Received: from a.example.test\r\n"), noID...))
		e.mb.Append(t, e.imap, "", append([]byte("Received: from b.example.test\r\n"), noID...))
		twice := replyMail("dana@example.test", welcome, "Sent to both of your addresses.")
		e.mb.Append(t, e.imap, "", twice)
		e.mb.Append(t, e.imap, "", twice)
		reused := replyMail("dana@example.test", welcome, "Original words.")
		e.mb.Append(t, e.imap, "", reused)
		e.mb.Append(t, e.imap, "", bytes.Replace(reused, []byte("Original words."), []byte("Different words, same id."), 1))
		e.run(e.poller(e.processor("p1")))
		o := e.waitOutcomes(6, 30*time.Second)
		want := map[string]int{store.InboundAnswer: 3, store.InboundDuplicate: 2, store.InboundQuarantined: 1}
		if fmt.Sprint(o) != fmt.Sprint(want) {
			t.Errorf("outcomes = %v, want %v", o, want)
		}
		if got := e.answers(e.dana); len(got) != 3 {
			t.Errorf("answers = %q, want three", got)
		}
		q := e.mb.WaitFor(t, e.imap, e.mb.Quarantine, 10*time.Second, func(ms []mailtest.Stored) bool { return len(ms) == 1 })
		if !bytes.Contains(q[0].Raw, []byte("Different words")) {
			t.Error("the quarantined copy is not the one with the different body")
		}
	})
}

// TestOthersTouchTheMailbox (F9): another client reading the mail first
// (marking it seen) changes nothing: it is still taken in, once.
func TestOthersTouchTheMailbox(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		for i := range 3 {
			e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, fmt.Sprint("Read by someone else first ", i)))
		}
		if _, err := e.imap.Select(e.mb.Mailbox, nil).Wait(); err != nil {
			t.Fatal(err)
		}
		all := imap.SeqSet{}
		all.AddRange(1, 0)
		if err := e.imap.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
			t.Fatal(err)
		}
		e.run(e.poller(e.processor("p1")))
		if o := e.waitOutcomes(3, 20*time.Second); o[store.InboundAnswer] != 3 {
			t.Errorf("outcomes = %v, want 3 answers", o)
		}
	})
}

// TestBacklogWithBogusDates (F10): a backlog whose Date headers are
// nonsense is taken in completely, in arrival (UID) order.
func TestBacklogWithBogusDates(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		dates := []string{"Thu, 01 Jan 1970 00:00:00 +0000", "Fri, 31 Dec 2099 23:59:59 +1400", "yesterday at noon", ""}
		for i := range 40 {
			raw := replyMail("dana@example.test", welcome, fmt.Sprintf("Backlog %02d", i))
			raw = regexpReplaceDate(raw, dates[i%len(dates)])
			e.mb.Append(t, e.imap, "", raw)
		}
		e.run(e.poller(e.processor("p1")))
		if o := e.waitOutcomes(40, 30*time.Second); o[store.InboundAnswer] != 40 {
			t.Fatalf("outcomes = %v, want 40 answers", o)
		}
		got := e.answers(e.dana)
		for i, a := range got {
			if a != fmt.Sprintf("Backlog %02d", i) {
				t.Fatalf("answer %d = %q; the backlog was not taken in arrival order", i, a)
			}
		}
	})
}

func regexpReplaceDate(raw []byte, date string) []byte {
	lines := strings.Split(string(raw), "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Date: ") {
			lines[i] = "Date: " + date
		}
	}
	return []byte(strings.Join(lines, "\r\n"))
}

// TestPoisonMessage (F11): the first of many messages makes the handler
// panic every time, before any transaction; another panics inside the
// transaction that applies it, which must be rolled back (on SQLite an
// open transaction would hold the only connection and stop everything).
// The others are stored, and both are quarantined after their attempts
// run out.
func TestPoisonMessage(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, "POISON"))
		for i := range 98 {
			e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, fmt.Sprint("Fine answer ", i)))
			if i == 10 {
				e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, "TXPOISON"))
			}
		}
		pr := e.processor("p1")
		pr.MaxAttempts = 3
		pr.crash = func(point string, f Fetched) error {
			if point == "handle" && bytes.Contains(f.Raw, []byte("\r\nPOISON")) {
				panic("the parser chokes on this message")
			}
			if point == "before_commit" && bytes.Contains(f.Raw, []byte("TXPOISON")) {
				panic("the operation trips inside its transaction")
			}
			return nil
		}
		e.run(e.poller(pr))
		o := e.waitOutcomes(100, time.Minute)
		if o[store.InboundAnswer] != 98 || o[store.InboundQuarantined] != 2 {
			t.Errorf("outcomes = %v, want 98 answers and 2 quarantined", o)
		}
		if got := e.answers(e.dana); slices.Contains(got, "TXPOISON") {
			t.Error("the answer of the message that panicked in its transaction was kept")
		}
		e.mb.WaitFor(t, e.imap, e.mb.Quarantine, 10*time.Second, func(ms []mailtest.Stored) bool {
			return len(ms) == 2 && bytes.Contains(ms[0].Raw, []byte("POISON")) && bytes.Contains(ms[1].Raw, []byte("TXPOISON"))
		})
	})
}

// TestTooLarge (F29): mail over the size limit is not read whole: its
// header is, the outcome is recorded, one polite notice goes out, and the
// mail behind it still flows.
func TestTooLarge(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		welcome := e.lastMail("dana@example.test")
		big := replyMail("dana@example.test", welcome, "Here is a huge attachment.\n"+strings.Repeat("0123456789abcdef", 200_000))
		e.mb.Append(t, e.imap, "", big)
		// A second large one: a different mail, still one notice a day.
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, "Another huge one.\n"+strings.Repeat("fedcba9876543210", 200_000)))
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", welcome, "A normal answer."))
		p := e.poller(e.processor("p1"))
		p.MaxSize = 1 << 20
		e.run(p)
		o := e.waitOutcomes(3, 30*time.Second)
		if o[store.InboundTooLarge] != 2 || o[store.InboundAnswer] != 1 {
			t.Errorf("outcomes = %v, want two too large and one answer", o)
		}
		notices := 0
		for _, m := range e.mailTo("dana@example.test") {
			if strings.Contains(m.Subject, "too large") {
				notices++
			}
		}
		if notices != 1 {
			t.Errorf("%d too-large notices, want one", notices)
		}
		if rows, _ := e.st.InboundLog(e.ctx, store.InboundTooLarge); len(rows) != 2 || rows[0].Size < 1<<20 {
			t.Errorf("too-large rows = %+v", rows)
		}
	})
}

// TestMessageIDPreemption: a stranger who sends a mail under someone's
// future Message-ID first, or a forgery of their address that is refused,
// or a fake auto-reply under it, decides nothing about the real reply,
// which is taken in as usual. A participant's own reused id with other
// words is still set aside (F7).
func TestMessageIDPreemption(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		e := newEnv(t, url, nil)
		pr := e.processor("p1")
		pr.Trust = Trust{AuthServID: "mx.example.test"}
		dana := e.lastMail("dana@example.test")
		genuine := replyMail("dana@example.test", dana, "The real answer.")
		id := header(genuine).Get("Message-Id")
		steps := []struct {
			name    string
			raw     []byte
			outcome string
		}{
			{"a stranger under Dana's Message-ID", setHeader(replyMail("mallory@example.net", dana, "Mine now."), "Message-ID", id), store.InboundRejected},
			{"a forged From that fails DMARC", withHeader(setHeader(replyMail("dana@example.test", dana, "Forged."), "Message-ID", id),
				"Authentication-Results: mx.example.test; dmarc=fail header.from=example.test"), store.InboundRejected},
			{"a fake auto-reply in Dana's name", withHeader(setHeader(replyMail("dana@example.test", dana, "Away."), "Message-ID", id),
				"Auto-Submitted: auto-replied"), store.InboundAutoReply},
			{"Dana's real reply", genuine, store.InboundAnswer},
			{"the same reply again", genuine, store.InboundDuplicate},
			{"Dana's id reused with other words", bytes.Replace(genuine, []byte("The real answer."), []byte("Other words."), 1), store.InboundQuarantined},
		}
		for i, s := range steps {
			if res := e.process(pr, uint32(i+1), s.raw); res.Outcome != s.outcome {
				t.Errorf("%s: outcome %q, want %q", s.name, res.Outcome, s.outcome)
			}
		}
		if got := e.answers(e.dana); len(got) != 1 || got[0] != "The real answer." {
			t.Errorf("Dana's answers = %q, want only the real one", got)
		}
	})
}
