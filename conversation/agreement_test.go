package conversation

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func finishedPair(t testing.TB, n int) *Partnership {
	t.Helper()
	p := pair(t, n, noQuiet(), t0)
	p.Enroll(t0)
	now := t0
	for _, pt := range p.Participants {
		for i, q := range p.Set.Questions {
			now = now.Add(time.Minute)
			var err error
			if pt.Role == RoleReport && i == 1 {
				_, err = p.Skip(pt.ID, q.ID, now)
			} else {
				_, err = p.Answer(pt.ID, q.ID, string(pt.Role)+" says "+q.ID, now)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return signed(t, p, now)
}

func TestBuildAgreement(t *testing.T) {
	t.Parallel()
	p := finishedPair(t, 6)
	ag := p.LatestAgreement()
	if ag == nil || ag.Version != 1 || ag.Previous != 0 {
		t.Fatalf("agreement = %+v, want version 1", ag)
	}
	// Questions 1–4 share themes two by two.
	var themes []string
	for _, th := range ag.Themes {
		themes = append(themes, th.Title)
	}
	if want := []string{"Theme 1", "Theme 2"}; !reflect.DeepEqual(themes, want) {
		t.Errorf("themes = %q, want %q", themes, want)
	}
	first := ag.Themes[0].Topics[0]
	want := []Entry{{Role: RoleLead, Name: "Dana Lee", Text: "lead says q1"}, {Role: RoleReport, Name: "Sam Ortiz", Text: "report says q1"}}
	if !reflect.DeepEqual(first.Entries, want) {
		t.Errorf("q1 entries = %+v, want %+v", first.Entries, want)
	}
	if skipped := ag.Themes[0].Topics[1].Entries[1]; !skipped.Skipped || skipped.Text != "" {
		t.Errorf("skipped entry = %+v, want Skipped", skipped)
	}
	if len(ag.Commitments) != 1 || ag.Commitments[0].QuestionID != "q5" {
		t.Errorf("commitments = %+v, want q5", ag.Commitments)
	}
	if len(ag.Accountability) != 1 || ag.Accountability[0].QuestionID != "q6" {
		t.Errorf("accountability = %+v, want q6", ag.Accountability)
	}
	berlin := p.Lead().Person.Location
	if want := DateOf(ag.Created.Add(13*7*24*time.Hour), berlin); ag.ReviewOn != want {
		t.Errorf("ReviewOn = %s, want %s", ag.ReviewOn, want)
	}

	next := BuildAgreement(p, ag.Created.Add(time.Hour))
	if next.Version != 2 || next.Previous != 1 {
		t.Errorf("next version = %d (previous %d), want 2 following 1", next.Version, next.Previous)
	}
}

func TestAgreementJSONRoundTrip(t *testing.T) {
	t.Parallel()
	ag := finishedPair(t, 4).LatestAgreement()
	b, err := json.Marshal(ag)
	if err != nil {
		t.Fatal(err)
	}
	var back Agreement
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	back.Created = back.Created.In(ag.Created.Location())
	if !reflect.DeepEqual(&back, ag) {
		t.Errorf("round trip = %+v, want %+v", back, *ag)
	}
}

func BenchmarkBuildAgreement(b *testing.B) {
	p := finishedPair(b, 16)
	b.ReportAllocs()
	for b.Loop() {
		BuildAgreement(p, t0)
	}
}
