package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"accord/conversation"
)

var (
	qTestInboundRows = query(`SELECT COUNT(*) FROM inbound_log`)
	qTestInboundRaw  = query(`SELECT COUNT(*) FROM inbound_log WHERE raw IS NOT NULL`)
	// qTestLeftovers counts rows that still hold the forgotten pair's data.
	qTestLeftovers = query(`SELECT
				(SELECT COUNT(*) FROM answers WHERE body = 'something personal') +
				(SELECT COUNT(*) FROM outbox WHERE recipient = 'kim@example.test') +
				(SELECT COUNT(*) FROM inbound_log WHERE from_address = 'kim@example.test' OR (raw IS NOT NULL AND partnership_id IS NULL AND uid = 1)) +
				(SELECT COUNT(*) FROM people WHERE email = 'kim@example.test')`)
)

// rawCount counts inbound log rows that still hold a raw copy.
func rawCount(t *testing.T, st *Store) (withRaw, rows int) {
	t.Helper()
	err := st.InTx(context.Background(), func(tx *Tx) error {
		if err := tx.get(context.Background(), &rows, qTestInboundRows); err != nil {
			return err
		}
		return tx.get(context.Background(), &withRaw, qTestInboundRaw)
	})
	if err != nil {
		t.Fatal(err)
	}
	return withRaw, rows
}

// inbound records a processed inbound message for a participant.
func inbound(t *testing.T, st *Store, uid uint32, from string, partnershipID, participantID int64, processed bool) {
	t.Helper()
	ctx := context.Background()
	c, err := st.ClaimInbound(ctx, NewInbound{
		Key:        InboundKey{Mailbox: "INBOX", UIDValidity: 1, UID: uid},
		MessageKey: fmt.Sprintf("<m%d@example.test>", uid), MessageID: fmt.Sprintf("<m%d@example.test>", uid),
		RawSHA256: fmt.Sprint("raw", uid), ContentSHA256: fmt.Sprint("content", uid),
		Size: 10, ReceivedAt: st.Now(), From: from, Raw: []byte("From: " + from + "\r\n\r\nhello"),
	}, "test", time.Minute, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !processed {
		return
	}
	err = st.InTx(ctx, func(tx *Tx) error {
		return tx.FinishInbound(ctx, c.ID, "test", InboundOutcome{Outcome: InboundAnswer, PartnershipID: partnershipID, ParticipantID: participantID})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPurgeInbound(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC))
		st := openStore(t, url, Options{Clock: clock})
		inbound(t, st, 1, "old@example.test", 0, 0, true)
		inbound(t, st, 2, "stuck@example.test", 0, 0, false) // never processed
		clock.Set(clock.Now().Add(40 * 24 * time.Hour))
		inbound(t, st, 3, "new@example.test", 0, 0, true)

		if err := st.SchedulePurge(ctx, 30, clock.Now()); err != nil {
			t.Fatal(err)
		}
		// A second instance starting the same day queues nothing more.
		if err := st.SchedulePurge(ctx, 30, clock.Now()); err != nil {
			t.Fatal(err)
		}
		w := &Worker{Store: st, Name: "test", Handlers: map[string]Handler{KindPurge: st.Purge}}
		if n, err := w.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("RunDue = %d, %v; want the one purge job", n, err)
		}
		if withRaw, rows := rawCount(t, st); withRaw != 2 || rows != 3 {
			t.Errorf("after the purge %d of %d rows keep raw mail, want 2 of 3 (the new one and the unprocessed one)", withRaw, rows)
		}
		// Tomorrow's run is queued, and does the rest once the new mail ages.
		next, err := st.NextJobAt(ctx)
		if err != nil || !next.Equal(clock.Now().Add(24*time.Hour)) {
			t.Fatalf("next job at %s (%v), want tomorrow's purge", next, err)
		}
		clock.Set(clock.Now().Add(31 * 24 * time.Hour))
		for range 3 {
			if _, err := w.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if withRaw, _ := rawCount(t, st); withRaw != 1 {
			t.Errorf("a month later %d rows keep raw mail, want only the unprocessed one", withRaw)
		}
	})
}

func TestForget(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC))})
		enroll := func(a, b string) int64 {
			return ok(st.Enroll(ctx, Enrollment{
				Kind: conversation.KindPeer,
				A:    EnrollPerson{Name: a, Email: a + "@example.test", TimeZone: "UTC"},
				B:    EnrollPerson{Name: b, Email: b + "@example.test", TimeZone: "UTC"},
				Set:  smallSet(),
			}))(t)
		}
		gone, other := enroll("kim", "lee"), enroll("lee", "ana")
		p := ok(st.Load(ctx, gone))(t)
		_, err := st.Apply(ctx, gone, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			pt := p.Participants[0]
			return p.Answer(pt.ID, pt.Current().QuestionID, "something personal", now)
		})
		if err != nil {
			t.Fatal(err)
		}
		inbound(t, st, 1, "kim@example.test", gone, p.Participants[0].ID, true)
		inbound(t, st, 2, "ana@example.test", other, 0, true)

		f, err := st.Forget(ctx, gone)
		if err != nil {
			t.Fatal(err)
		}
		if f.People != 1 || f.Kept != 1 {
			t.Errorf("Forget = %+v, want kim erased and lee kept (in another partnership)", f)
		}
		if _, err := st.Load(ctx, gone); !errors.Is(err, ErrNotFound) {
			t.Errorf("Load after Forget: %v, want ErrNotFound", err)
		}
		if ms, err := st.MembershipsOf(ctx, "kim@example.test"); err != nil || len(ms) != 0 {
			t.Errorf("kim's memberships after Forget: %v, %v", ms, err)
		}
		if ms, err := st.MembershipsOf(ctx, "lee@example.test"); err != nil || len(ms) != 1 {
			t.Errorf("lee's memberships after Forget: %v, %v; want the other partnership", ms, err)
		}
		// Nothing the forgotten pair wrote is left anywhere.
		var leftovers int
		err = st.InTx(ctx, func(tx *Tx) error {
			return tx.get(ctx, &leftovers, qTestLeftovers)
		})
		if err != nil || leftovers != 0 {
			t.Errorf("%d rows still hold the forgotten partnership's data (%v)", leftovers, err)
		}
		if withRaw, rows := rawCount(t, st); withRaw != 1 || rows != 2 {
			t.Errorf("inbound log: %d of %d rows with raw mail, want 1 of 2 (the other partnership's)", withRaw, rows)
		}
		if _, err := st.Forget(ctx, gone); !errors.Is(err, ErrNotFound) {
			t.Errorf("second Forget: %v, want ErrNotFound", err)
		}
	})
}
