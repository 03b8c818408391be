package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"accord/conversation"
)

// smallSet is three questions: a theme, a commitment and accountability.
func smallSet() *conversation.QuestionSet {
	s := &conversation.QuestionSet{Name: "small", Version: 1, Title: "Small", Language: "en"}
	for i, sec := range []conversation.Section{conversation.SectionThemes, conversation.SectionCommitments, conversation.SectionAccountability} {
		s.Questions = append(s.Questions, conversation.Question{
			ID: fmt.Sprintf("q%d", i+1), Theme: "Theme", Title: fmt.Sprintf("Question %d?", i+1), Section: sec, Text: "Tell us?",
		})
	}
	return s
}

// Queries of the tests are made once, with the store's own, before any
// store is opened.
var qTestMailPayloads = query(`SELECT payload FROM jobs WHERE kind = 'mail'`)

// mailKinds counts the mail jobs queued so far per participant and kind.
func mailKinds(t *testing.T, st *Store) map[string]int {
	t.Helper()
	var payloads []string
	err := st.InTx(context.Background(), func(tx *Tx) error {
		return tx.selectAll(context.Background(), &payloads, qTestMailPayloads)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, p := range payloads {
		var m MailJob
		if err := json.Unmarshal([]byte(p), &m); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%d:%s", m.ParticipantID, m.Kind)]++
	}
	return out
}

// TestReviewOncePerQuarter wakes one partnership from two instances at
// once, many times over, around the review date and its close: each person
// gets one review invitation and one digest.
func TestReviewOncePerQuarter(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		clock := newClock(time.Date(2027, 1, 11, 9, 0, 0, 0, berlin))
		a := openStore(t, url, Options{Clock: clock})
		b := a
		if a.Dialect() == Postgres {
			b = openStore(t, url, Options{Clock: clock})
		}
		id := ok(a.Enroll(ctx, Enrollment{
			Kind: conversation.KindPeer,
			A:    EnrollPerson{Name: "Kim", Email: "kim@example.test", TimeZone: "Europe/Berlin"},
			B:    EnrollPerson{Name: "Lee", Email: "lee@example.test", TimeZone: "Europe/Berlin"},
			Set:  smallSet(),
		}))(t)
		answer := func(st *Store, slot int, text func(qid string) string) {
			t.Helper()
			for range 10 {
				_, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
					pt := p.Participants[slot]
					if pr := pt.Current(); pr != nil {
						return p.Answer(pt.ID, pr.QuestionID, text(pr.QuestionID), now)
					}
					return nil, nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		words := func(qid string) string {
			switch part, _ := conversation.ReviewPartOf(qid); part {
			case conversation.PartRating:
				return "4"
			case conversation.PartKept:
				return "all yes"
			}
			return "words for " + qid
		}
		answer(a, 0, words)
		answer(b, 1, words)
		// The agreement waits out the last answer's grace.
		clock.Set(clock.Now().Add(conversation.DefaultRules().RevealGrace))
		ok(a.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Wake(now), nil
		}))(t)
		signDraft(t, a, id)
		p := ok(a.Load(ctx, id))(t)
		if p.LatestAgreement() == nil || !p.LatestAgreement().Signed() {
			t.Fatal("no signed agreement")
		}
		wakeBoth := func() {
			t.Helper()
			var wg sync.WaitGroup
			for i := range 8 {
				st := a
				if i%2 == 1 {
					st = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
						return p.Wake(now), nil
					})
					if err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		ids := [2]int64{p.Participants[0].ID, p.Participants[1].ID}
		due := p.ReviewStartsAt(p.Participants[0], p.LatestAgreement().ReviewOn)
		clock.Set(due.Add(-time.Minute))
		wakeBoth()
		clock.Set(due)
		wakeBoth()
		clock.Set(due.Add(time.Hour))
		wakeBoth()
		got := mailKinds(t, a)
		for _, pid := range ids {
			if n := got[fmt.Sprintf("%d:review", pid)]; n != 1 {
				t.Errorf("participant %d got %d review invitations, want 1", pid, n)
			}
		}
		answer(a, 0, words)
		answer(b, 1, words)
		wakeBoth()
		// It closes once the last answer's grace has passed, and both
		// sign the statements again.
		clock.Advance(conversation.DefaultRules().RevealGrace)
		wakeBoth()
		signDraft(t, a, id)
		// Past the deadline a closed review stays closed.
		clock.Set(due.Add(20 * 24 * time.Hour))
		wakeBoth()
		got = mailKinds(t, a)
		for _, pid := range ids {
			if n := got[fmt.Sprintf("%d:digest", pid)]; n != 1 {
				t.Errorf("participant %d got %d digests, want 1", pid, n)
			}
		}
		p = ok(b.Load(ctx, id))(t)
		if len(p.Reviews) != 1 || p.LatestAgreement().Version != 2 || p.Reviews[0].Open() {
			t.Errorf("after the review: %d reviews, v%d, open %v", len(p.Reviews), p.LatestAgreement().Version, p.Reviews[0].Open())
		}
		if p.Reviews[0].Questions[0].ID != conversation.ReviewQuestionID(1, conversation.ReviewRating) || p.Reviews[0].Start != 3 {
			t.Errorf("review as loaded: %+v", p.Reviews[0])
		}
	})
}

// TestPeriodicMailClaimedOnce is the database's own guard: even a domain
// bug that emits a digest twice cannot send it twice.
func TestPeriodicMailClaimedOnce(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC))})
		id := ok(st.Enroll(ctx, Enrollment{
			Kind: conversation.KindPeer,
			A:    EnrollPerson{Name: "Kim", Email: "kim@example.test", TimeZone: "UTC"},
			B:    EnrollPerson{Name: "Lee", Email: "lee@example.test", TimeZone: "UTC"},
			Set:  smallSet(),
		}))(t)
		digest := func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			r := &conversation.Review{Number: 7}
			return []conversation.Message{{Kind: conversation.MsgDigest, To: p.Participants[0], Review: r, Digest: &conversation.Digest{}}}, nil
		}
		if _, err := st.Apply(ctx, id, digest); err != nil {
			t.Fatalf("first digest: %v", err)
		}
		before := mailKinds(t, st)
		if _, err := st.Apply(ctx, id, digest); !errors.Is(err, ErrDuplicatePeriodic) {
			t.Fatalf("second digest: err = %v, want ErrDuplicatePeriodic", err)
		}
		if after := mailKinds(t, st); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the refused digest left mail behind: %v, before %v", after, before)
		}
	})
}
