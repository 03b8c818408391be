package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestMailBudget (F25): mail caused by inbound mail goes to one address at
// most PerDay times in any 24 hours, notices at most NoticesPerDay times;
// what goes over is recorded as failed with the reason, never queued, and
// the budget frees up as the day moves on. Mail nobody's message caused
// (a reminder, a welcome) is not counted.
func TestMailBudget(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		var spent []string
		st := openStore(t, url, Options{Clock: clock, Budget: MailBudget{PerDay: 5, NoticesPerDay: 2,
			OnSpent: func(to, kind string) { spent = append(spent, to+" "+kind) }}})
		n := 0
		add := func(to string, cause int64, notice bool) NewOutbox {
			t.Helper()
			n++
			m := NewOutbox{Recipient: to, Kind: "question", MessageID: fmt.Sprintf("<m%d@example.test>", n), Raw: []byte("x"), Notice: notice}
			if notice {
				m.Kind = "help"
			}
			c := ctx
			if cause != 0 {
				c = WithCause(ctx, cause)
			}
			if err := st.InTx(ctx, func(tx *Tx) error { _, err := tx.AddOutbox(c, m); return err }); err != nil {
				t.Fatal(err)
			}
			return m
		}
		state := func(msgID string) OutboxMessage {
			t.Helper()
			m, err := st.OutboxByMessageID(ctx, msgID)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		// Two notices, then a third is held back; questions go on.
		for i := range 3 {
			m := state(add("bot@example.test", 1, true).MessageID)
			if want := OutboxQueued; i == 2 {
				if m.State != OutboxFailed || !strings.Contains(m.LastError, "2 notices") {
					t.Errorf("notice %d: %s (%q), want failed, naming the notice budget", i+1, m.State, m.LastError)
				}
			} else if m.State != want {
				t.Errorf("notice %d: %s, want %s", i+1, m.State, want)
			}
		}
		// Five caused mails in all (the two notices count), then nothing.
		for i := range 4 {
			m := state(add("bot@example.test", 1, false).MessageID)
			want := OutboxQueued
			if i >= 2 {
				want = OutboxFailed
			}
			if m.State != want {
				t.Errorf("caused mail %d: %s (%q), want %s", i+1, m.State, m.LastError, want)
			}
			if want == OutboxFailed && (len(m.Raw) != 0 || !strings.Contains(m.LastError, "5 mails")) {
				t.Errorf("a held-back mail keeps %d bytes and says %q; want none, and the budget named", len(m.Raw), m.LastError)
			}
		}
		if m := state(add("bot@example.test", 0, false).MessageID); m.State != OutboxQueued {
			t.Errorf("mail caused by no inbound message: %s, want queued", m.State)
		}
		if m := state(add("person@example.test", 1, false).MessageID); m.State != OutboxQueued {
			t.Errorf("mail to another address: %s, want queued", m.State)
		}
		if len(spent) != 3 {
			t.Errorf("OnSpent heard %q, want the three mails held back", spent)
		}
		jobs, err := st.JobsOfKind(ctx, KindMail)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 6 {
			t.Errorf("%d mail jobs, want 6: held-back mail is never queued", len(jobs))
		}
		clock.Advance(24*time.Hour + time.Minute)
		if m := state(add("bot@example.test", 1, true).MessageID); m.State != OutboxQueued {
			t.Errorf("a notice a day later: %s (%q), want queued", m.State, m.LastError)
		}
	})
}
