package conversation

import (
	"fmt"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// testSet returns n questions; the second-to-last is a commitment and the
// last an accountability question when n >= 3.
func testSet(n int) *QuestionSet {
	s := &QuestionSet{Name: "test", Version: 1}
	for i := range n {
		q := Question{
			ID:      fmt.Sprintf("q%d", i+1),
			Theme:   fmt.Sprintf("Theme %d", (i+2)/2),
			Title:   fmt.Sprintf("Question %d?", i+1),
			Section: SectionThemes,
			Wording: map[Role]string{RoleLead: "Lead asks about {partner}?", RoleReport: "Report asks?", RolePeer: "Peer asks?"},
		}
		switch {
		case n >= 3 && i == n-2:
			q.Section = SectionCommitments
		case n >= 3 && i == n-1:
			q.Section = SectionAccountability
		}
		s.Questions = append(s.Questions, q)
	}
	return s
}

// pair builds a lead (Berlin) / report (New York) partnership with ids 1 and
// 2 and no quiet hours, so tests that are not about timing see every mail at
// once.
func pair(t testing.TB, n int, rules Rules, now time.Time) *Partnership {
	t.Helper()
	lead := Person{ID: 10, Name: "Dana Lee", Email: "dana@example.test", Location: mustLoc(t, "Europe/Berlin")}
	report := Person{ID: 20, Name: "Sam Ortiz", Email: "sam@example.test", Location: mustLoc(t, "America/New_York")}
	p, err := NewPartnership(KindLeadReport, lead, report, testSet(n), rules, now)
	if err != nil {
		t.Fatalf("NewPartnership: %v", err)
	}
	p.ID = 1
	p.Participants[0].ID, p.Participants[1].ID = 1, 2
	return p
}

// noQuiet is the default rules without quiet hours and without the grace
// before a new answer may be seen, for tests about neither.
func noQuiet() Rules {
	r := DefaultRules()
	r.Quiet = QuietHours{}
	r.RevealGrace = 0
	return r
}

// only returns the single message to pt, failing when there is not exactly one.
func only(t testing.TB, msgs []Message, pt *Participant) Message {
	t.Helper()
	var found []Message
	for _, m := range msgs {
		if m.To == pt {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("messages to %s: got %d (%v), want 1", pt.Person.Name, len(found), kinds(msgs))
	}
	return found[0]
}

func kinds(msgs []Message) []string {
	var ks []string
	for _, m := range msgs {
		ks = append(ks, fmt.Sprintf("%s→%s", m.Kind, m.To.Person.Name))
	}
	return ks
}

func texts(as []*Answer) []string {
	var ts []string
	for _, a := range as {
		ts = append(ts, a.Text)
	}
	return ts
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// kindsTo lists the kinds of the messages to pt, in order.
func kindsTo(msgs []Message, pt *Participant) []MessageKind {
	var ks []MessageKind
	for _, m := range msgs {
		if m.To == pt {
			ks = append(ks, m.Kind)
		}
	}
	return ks
}

// signed has both people agree to the whole open draft at now, so that
// version 1 (or the version a review builds) is signed; it does nothing
// when no draft is open (a set that proposes nothing goes straight to its
// agreement).
func signed(t testing.TB, p *Partnership, now time.Time) *Partnership {
	t.Helper()
	signAll(t, p, now)
	return p
}

// signAll is signed, returning the messages of the reply that signs.
func signAll(t testing.TB, p *Partnership, now time.Time) []Message {
	t.Helper()
	var last []Message
	for _, pt := range p.Participants {
		if !p.DraftOpen() {
			break
		}
		msgs, err := p.ReplyToDraft(pt.ID, DraftReply{Commands: []DraftCommand{{Kind: DraftAgree, All: true}}}, now)
		if err != nil {
			t.Fatalf("%s agrees to the draft: %v", pt.Person.Name, err)
		}
		last = msgs
	}
	return last
}
