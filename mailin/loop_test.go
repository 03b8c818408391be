package mailin

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"accord/store"
	"accord/store/storetest"
)

// correspondent writes the reply to one mail it got, or "" to let it be;
// n counts its replies.
type correspondent func(got sent, n int) string

// converse lets a correspondent at dana@example.test answer every mail
// Accord sends her, a minute after it was queued, for the given simulated
// time or until no mail is left to answer. It returns how many mails went
// to her (counting neither the welcome nor mail the budget held back) and
// how many replies she sent.
func converse(t *testing.T, e *env, clock *storetest.Clock, pr *Processor, reply correspondent, span time.Duration) (mails, replies int) {
	t.Helper()
	const who = "dana@example.test"
	answered := len(e.mailTo(who)) - 1 // the welcome is waiting for an answer
	end := clock.Now().Add(span)
	for uid := uint32(1); clock.Now().Before(end); uid++ {
		all := e.mailTo(who)
		if answered >= len(all) {
			break // nothing new arrived: the conversation is over
		}
		got := all[answered]
		answered++
		clock.Advance(time.Minute)
		text := reply(got, replies)
		if text == "" {
			continue
		}
		e.process(pr, uid, replyMail("Dana Lee <"+who+">", got, text))
		replies++
	}
	return len(e.mailTo(who)) - 1, replies
}

// TestEchoBot (F25): an auto-responder that sets no header at all, left
// to answer every mail for 24 simulated hours, gets no more mail than a
// person who answers every question, plus a few notices. One that repeats
// the same words is recognised at its second reply: at most one of its
// replies is stored, and the person is paused and told. One whose words
// change every time is held by the mail budget.
func TestEchoBot(t *testing.T) {
	t.Parallel()
	const canned = "Thank you for your message. I am away from the office until 4 January with no access to email. For anything urgent please call the front desk."
	budget := store.MailBudget{PerDay: 24, NoticesPerDay: 4}
	run := func(t *testing.T, url string, reply correspondent) (e *env, mails, replies int, paused int) {
		// Each correspondent gets a database of its own.
		if strings.HasPrefix(url, "sqlite:") {
			url = storetest.SQLiteURL(t)
		} else {
			url = storetest.PostgresURL(t)
		}
		clock := storetest.NewClock(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
		e = newEnvWith(t, url, nil, store.Options{Clock: clock, Budget: budget})
		pr := e.processor("p1")
		pr.OnAutoResponder = func() { paused++ }
		mails, replies = converse(t, e, clock, pr, reply, 24*time.Hour)
		return e, mails, replies, paused
	}
	storetest.Each(t, func(t *testing.T, url string) {
		// A person who answers every question, each in their own words.
		_, person, _, _ := run(t, url, func(got sent, n int) string {
			if !strings.Contains(got.Subject, "/16 — ") {
				return ""
			}
			return fmt.Sprintf("My answer to %q, number %d, in words of my own.", got.Subject, n)
		})
		if person < 16 {
			t.Fatalf("a person answering everything got %d mails, want at least the 16 questions and the agreement", person)
		}

		e, mails, replies, paused := run(t, url, func(sent, int) string { return canned })
		if got := e.answers(e.dana); len(got) > 1 {
			t.Errorf("the same-words bot had %d replies stored, want at most one", len(got))
		}
		if paused != 1 {
			t.Errorf("the same-words bot paused its person %d times, want once", paused)
		}
		p, err := e.st.Load(e.ctx, e.pid)
		if err != nil {
			t.Fatal(err)
		}
		if st := p.Participants[0].Status; st != "paused" {
			t.Errorf("after the same-words bot Dana is %s, want paused", st)
		}
		last := e.lastMail("dana@example.test")
		if !strings.Contains(last.Subject, "look automatic") {
			t.Errorf("the last mail to the same-words bot is %q, want the note that her replies look automatic", last.Subject)
		}
		if mails > 3 {
			t.Errorf("the same-words bot got %d mails in %d replies, want at most 3", mails, replies)
		}
		t.Logf("same-words bot: %d replies, %d mails back, %d stored (a person answering everything: %d mails)", replies, mails, len(e.answers(e.dana)), person)

		e, mails, replies, _ = run(t, url, func(got sent, n int) string {
			return fmt.Sprintf("Auto-acknowledgement %d: we received your message %q and will get back to you.", n, got.Subject)
		})
		if mails > person+budget.NoticesPerDay {
			t.Errorf("the changing-words bot got %d mails in 24 hours, want at most %d (a person answering everything) + %d notices",
				mails, person, budget.NoticesPerDay)
		}
		held, err := e.st.InboundCounts(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("changing-words bot: %d replies, %d mails back; inbound outcomes %v", replies, mails, held)
		if n := len(e.mailTo("sam@example.test")); n > 2 {
			t.Errorf("the partner got %d mails while the bot ran, want only the welcome and maybe the agreement", n)
		}
	})
}
