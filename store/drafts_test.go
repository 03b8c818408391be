package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"accord/conversation"
)

var qTestDraftRows = query(`SELECT COUNT(*) FROM agreement_drafts WHERE partnership_id = ?`)

// draftRows counts the stored rounds of a partnership's draft.
func draftRows(t *testing.T, st *Store, partnershipID int64) int {
	t.Helper()
	var n int
	err := st.InTx(context.Background(), func(tx *Tx) error {
		return tx.get(context.Background(), &n, qTestDraftRows, partnershipID)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sameDraft fails the test unless got and want encode alike: the JSON is
// what the store keeps, so it is what must survive.
func sameDraft(t *testing.T, what string, got, want *conversation.Draft) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s: LatestDraft = %s, want %s", what, g, w)
	}
}

// enrollDraft enrolls a pair and starts their draft with one proposal
// from each.
func enrollDraft(t *testing.T, st *Store, e Enrollment, now time.Time) (int64, *conversation.Draft) {
	t.Helper()
	ctx := context.Background()
	id := ok(st.Enroll(ctx, e))(t)
	p := ok(st.Load(ctx, id))(t)
	a, b := p.Participants[0].ID, p.Participants[1].ID
	d, err := conversation.NewDraft(a, b, []conversation.Proposal{
		{Number: 1, QuestionID: "commitments", Theme: "What we commit to", ParticipantID: a, Text: "I answer within a day."},
		{Number: 2, QuestionID: "commitments", Theme: "What we commit to", ParticipantID: b, Text: "I bring an agenda to every meeting."},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return id, d
}

func TestDrafts(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		st := openStore(t, url, Options{Clock: newClock(t0)})
		set := defaultSet(t)
		id, d := enrollDraft(t, st, enrollment(set), t0)
		other := enrollment(set)
		other.A.Email, other.B.Email = "kim@example.test", "lou@example.test"
		otherID, otherDraft := enrollDraft(t, st, other, t0)

		if got, err := st.LatestDraft(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LatestDraft(%d) before any draft = %v, %v; want ErrNotFound", id, got, err)
		}

		if err := st.SaveDraft(ctx, id, d); err != nil {
			t.Fatal(err)
		}
		sameDraft(t, "round 1", ok(st.LatestDraft(ctx, id))(t), d)

		// A reply rewrites the round's row rather than adding one.
		r, err := conversation.ParseDraftReply("agree 2\nchange 1: I answer within two days.\nadd: We walk once a month.")
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Apply(d.People[1], r, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := st.InTx(ctx, func(tx *Tx) error { return tx.SaveDraft(ctx, id, d) }); err != nil {
			t.Fatal(err)
		}
		got := ok(st.LatestDraft(ctx, id))(t)
		sameDraft(t, "round 1 after a reply", got, d)
		if !got.Responded(d.People[1]) || got.Responded(d.People[0]) {
			t.Errorf("round 1 after %d replied: Responded = %v, %v; want only the second", d.People[1], got.Responded(d.People[0]), got.Responded(d.People[1]))
		}
		if n := draftRows(t, st, id); n != 1 {
			t.Errorf("rows after saving round 1 twice = %d, want 1", n)
		}

		next, err := d.NextRound(t0.Add(24 * time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveDraft(ctx, id, next); err != nil {
			t.Fatal(err)
		}
		got = ok(st.LatestDraft(ctx, id))(t)
		if got.Round != 2 {
			t.Errorf("LatestDraft(%d).Round = %d, want 2", id, got.Round)
		}
		sameDraft(t, "round 2", got, next)

		// A review drafts the statements again from round 1, beside
		// version 1's rounds.
		review := &conversation.Draft{Round: 1, Review: 1, People: d.People, Statements: next.Statements, Started: t0.Add(90 * 24 * time.Hour)}
		if err := st.SaveDraft(ctx, id, review); err != nil {
			t.Fatal(err)
		}
		sameDraft(t, "review 1, round 1", ok(st.LatestDraft(ctx, id))(t), review)
		if n := draftRows(t, st, id); n != 3 {
			t.Errorf("rows after a review's first round = %d, want 3 (two rounds of version 1 kept)", n)
		}

		if err := st.SaveDraft(ctx, otherID, otherDraft); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Forget(ctx, id); err != nil {
			t.Fatal(err)
		}
		if n := draftRows(t, st, id); n != 0 {
			t.Errorf("rows of a forgotten partnership's draft = %d, want 0", n)
		}
		if got, err := st.LatestDraft(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("LatestDraft(%d) after Forget = %v, %v; want ErrNotFound", id, got, err)
		}
		sameDraft(t, "another pair's draft after Forget", ok(st.LatestDraft(ctx, otherID))(t), otherDraft)
	})
}
