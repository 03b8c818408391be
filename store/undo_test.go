package store

import (
	"context"
	"testing"
	"time"

	"accord/conversation"
)

// TestUndoDeletesTheAnswer: an undone answer leaves no row behind, nor
// any reveal of it; when the partner saw it and when the person last
// undid survive a reload, so a second undo reaches no further back.
func TestUndoDeletesTheAnswer(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		clock := newClock(time.Date(2027, 1, 12, 10, 0, 0, 0, berlin))
		st := openStore(t, url, Options{Clock: clock})
		id := ok(st.Enroll(ctx, Enrollment{
			Kind: conversation.KindPeer,
			A:    EnrollPerson{Name: "Kim", Email: "kim@example.test", TimeZone: "Europe/Berlin"},
			B:    EnrollPerson{Name: "Lee", Email: "lee@example.test", TimeZone: "Europe/Berlin"},
			Set:  smallSet(),
		}))(t)
		apply := func(op func(p *conversation.Partnership, kim, lee *conversation.Participant, now time.Time) ([]conversation.Message, error)) {
			t.Helper()
			ok(st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
				return op(p, p.Participants[0], p.Participants[1], now)
			}))(t)
		}
		count := func(q string) int {
			t.Helper()
			var n int
			if err := st.db.GetContext(ctx, &n, st.db.Rebind(q), id); err != nil {
				t.Fatal(err)
			}
			return n
		}
		const answers = `SELECT COUNT(*) FROM answers WHERE partnership_id = ?`
		const reveals = `SELECT COUNT(*) FROM reveals r JOIN answers a ON a.id = r.answer_id WHERE a.partnership_id = ?`

		apply(func(p *conversation.Partnership, kim, lee *conversation.Participant, now time.Time) ([]conversation.Message, error) {
			return p.Answer(kim.ID, "q1", "Kim on q1", now)
		})
		clock.Advance(time.Hour)
		// Lee answers: Kim's answer, past its grace, goes out to Lee.
		apply(func(p *conversation.Partnership, kim, lee *conversation.Participant, now time.Time) ([]conversation.Message, error) {
			return p.Answer(lee.ID, "q1", "Lee on q1", now)
		})
		seenAt := clock.Now()
		clock.Advance(time.Minute)
		apply(func(p *conversation.Partnership, kim, lee *conversation.Participant, now time.Time) ([]conversation.Message, error) {
			return p.Answer(kim.ID, "q1", "Kim on q1, again", now)
		})
		if a, r := count(answers), count(reveals); a != 3 || r != 3 {
			t.Fatalf("before undo: %d answers, %d reveals; want 3 and 3", a, r)
		}
		clock.Advance(time.Minute)
		apply(func(p *conversation.Partnership, kim, lee *conversation.Participant, now time.Time) ([]conversation.Message, error) {
			return p.Undo(kim.ID, now)
		})
		if a, r := count(answers), count(reveals); a != 2 || r != 2 {
			t.Errorf("after undo: %d answers, %d reveals; want 2 and 2", a, r)
		}
		p := ok(st.Load(ctx, id))(t)
		kim := p.Participants[0]
		if got := p.LatestAnswer(kim.ID, "q1"); got == nil || got.Text != "Kim on q1" || !got.SeenAt.Equal(seenAt) {
			t.Errorf("Kim's q1 after undo = %+v, want the first answer, seen at %v", got, seenAt)
		}
		if !kim.UndoneAt.Equal(clock.Now()) {
			t.Errorf("UndoneAt = %v, want %v", kim.UndoneAt, clock.Now())
		}
		// A second undo reaches no further back.
		clock.Advance(time.Minute)
		apply(func(p *conversation.Partnership, kim, lee *conversation.Participant, now time.Time) ([]conversation.Message, error) {
			return p.Undo(kim.ID, now)
		})
		if a := count(answers); a != 2 {
			t.Errorf("after a second undo: %d answers, want still 2", a)
		}
	})
}
