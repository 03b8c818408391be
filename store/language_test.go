package store

import (
	"context"
	"testing"
	"time"

	"accord/conversation"
)

// TestPersonLanguage keeps a person's language on both databases: given at
// enrolment, kept when a later enrolment names none, changed by a reply
// and then the language of every partnership of theirs; a code that is
// not one is refused at enrolment.
func TestPersonLanguage(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		e := enrollment(defaultSet(t))
		e.A.Language = "fr"
		first := ok(st.Enroll(ctx, e))(t)
		language := func(id int64, slot int) string {
			t.Helper()
			return ok(st.Load(ctx, id))(t).Participants[slot].Person.Language
		}
		if got := language(first, 0); got != "fr" {
			t.Fatalf("Dana's language after enrolment = %q, want fr", got)
		}
		if got := language(first, 1); got != "" {
			t.Errorf("Sam's language = %q, want none given", got)
		}
		// Dana in a second partnership, her language not named: kept.
		second := ok(st.Enroll(ctx, Enrollment{Kind: conversation.KindPeer, Set: e.Set,
			A: EnrollPerson{Name: "Dana Lee", Email: "dana@example.test"},
			B: EnrollPerson{Name: "Ana Silva", Email: "ana@example.test"}}))(t)
		if got := language(second, 0); got != "fr" {
			t.Errorf("Dana's language in her second partnership = %q, want fr", got)
		}
		ok(st.Apply(ctx, second, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.SetLanguage(p.Participants[0].ID, "de", now)
		}))(t)
		if a, b := language(first, 0), language(second, 0); a != "de" || b != "de" {
			t.Errorf("after Dana asked for German: %q and %q, want de in both partnerships", a, b)
		}
		bad := enrollment(defaultSet(t))
		bad.A.Email, bad.B.Email, bad.A.Language = "cy@example.test", "di@example.test", "French"
		if _, err := st.Enroll(ctx, bad); err == nil {
			t.Error("an enrolment with the language \"French\" was taken, want a language code")
		}
	})
}
