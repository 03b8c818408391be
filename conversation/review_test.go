package conversation

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// answerReview answers every question of the open review for pt with
// what reply returns for each question id, one minute apart from *now, and
// returns the messages of the last answer.
func answerReview(t *testing.T, p *Partnership, pt *Participant, now *time.Time, reply func(qid string) string) []Message {
	t.Helper()
	var last []Message
	r := p.openReview()
	if r == nil {
		t.Fatal("no review is open")
	}
	for _, q := range r.Questions {
		*now = now.Add(time.Minute)
		text := reply(q.ID)
		if part, _ := ReviewPartOf(q.ID); part == PartKept && !strings.Contains(text, "yes") {
			text = "all yes" // the statements of a signed agreement
		}
		var msgs []Message
		var err error
		if text == "skip" {
			msgs, err = p.Skip(pt.ID, q.ID, *now)
		} else {
			msgs, err = p.Answer(pt.ID, q.ID, text, *now)
		}
		if err != nil {
			t.Fatalf("%s answering %s: %v", pt.Person.Name, q.ID, err)
		}
		last = msgs
	}
	return last
}

// wakeAt runs Wake at the partnership's next wake-up, failing if there is
// none.
func wakeAt(t *testing.T, p *Partnership, now *time.Time) []Message {
	t.Helper()
	next := p.NextWake(*now)
	if next.IsZero() {
		t.Fatal("nothing scheduled")
	}
	*now = next
	return p.Wake(next)
}

func TestReviewBuildsNextVersionAndDigest(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	lead, report := p.Participants[0], p.Participants[1]
	v1 := p.LatestAgreement()
	if want := DateOf(at.AddDate(0, 0, 91), lead.Person.Location); v1.ReviewOn != want {
		t.Fatalf("v1 review date %s, want %s (13 weeks on)", v1.ReviewOn, want)
	}
	now := at
	// An amendment written in the quarter rides into the review section.
	now = now.Add(48 * time.Hour)
	must[[]Message](t)(p.Amend(report.ID, "Let us move the check-in to mornings.", now))

	msgs := wakeAt(t, p, &now)
	if p.Status != StatusReviewing {
		t.Fatalf("status %s after the review date, want reviewing", p.Status)
	}
	// Berlin reaches 10:00 on the review date first; New York six hours later.
	if got := kinds(msgs); !slices.Equal(got, []string{"review→Dana Lee"}) {
		t.Fatalf("at %s sent %v, want the review to the lead only", now, got)
	}
	m := msgs[0]
	if m.Agreement != v1 || m.Prompt == nil || m.Prompt.QuestionID != ReviewQuestionID(1, ReviewRating) {
		t.Errorf("review mail carries agreement %v and prompt %+v, want v1 and the rating", m.Agreement, m.Prompt)
	}
	if lt := now.In(lead.Person.Location); lt.Hour() != 10 || DateOf(now, lead.Person.Location) != v1.ReviewOn {
		t.Errorf("review reached the lead at %s, want 10:00 on %s", lt, v1.ReviewOn)
	}
	msgs = wakeAt(t, p, &now)
	if got := kindsTo(msgs, report); !slices.Equal(got, []MessageKind{MsgReviewOpen}) || now.In(report.Person.Location).Hour() != 10 {
		t.Fatalf("report got %v at %s, want the review at 10:00 New York time", got, now.In(report.Person.Location))
	}
	// Waking again changes nothing: one review per quarter.
	if again := p.Wake(now); len(again) != 0 || len(p.Reviews) != 1 {
		t.Fatalf("second wake sent %v and made %d reviews", kinds(again), len(p.Reviews))
	}

	answerReview(t, p, lead, &now, func(qid string) string {
		switch part, topic := ReviewPartOf(qid); {
		case part == PartRating:
			return "4 — steadier than in spring"
		case topic == "q2":
			return "keep"
		case topic == "q3":
			return "drop"
		}
		return "lead on " + qid
	})
	if p.LatestAgreement() != v1 {
		t.Fatal("v2 built before the report finished")
	}
	// Reveal after both holds in a review too: the report sees the lead's
	// rating with the next question, once the report has rated.
	msgs = must[[]Message](t)(p.Answer(report.ID, ReviewQuestionID(1, ReviewRating), "5", now))
	if m := only(t, msgs, report); len(m.Reveals) != 1 || m.Reveals[0].Text != "4 — steadier than in spring" {
		t.Errorf("after rating, the report was shown %v, want the lead's rating", texts(m.Reveals))
	}
	var last []Message
	last = answerReview(t, p, report, &now, func(qid string) string {
		switch part, topic := ReviewPartOf(qid); {
		case part == PartRating:
			return "five"
		case topic == "q2":
			return "Sam Ortiz on q2 and more\nAsk for help before a deadline slips"
		case topic == "q3":
			return "Keep."
		case qid == ReviewQuestionID(1, ReviewNeeds):
			return "skip"
		}
		return "report on " + qid
	})
	// Then both sign the statements again.
	if p.Status != StatusDrafting || p.Draft.Review != 1 {
		t.Fatalf("after both answered: status %s, want the statements drafted again for review 1", p.Status)
	}
	last = signAll(t, p, now)
	v2 := p.LatestAgreement()
	if v2.Version != 2 || v2.Previous != 1 || v2.Review == nil || p.Status != StatusAgreement {
		t.Fatalf("after both answered: version %d (previous %d), review %v, status %s", v2.Version, v2.Previous, v2.Review, p.Status)
	}
	if v1.Review != nil || v1.Changes != nil {
		t.Error("the review changed version 1")
	}
	if want := DateOf(v1.ReviewOn.Start(lead.Person.Location).AddDate(0, 0, 91), lead.Person.Location); v2.ReviewOn != want {
		t.Errorf("v2 review date %s, want %s: a quarter after the last review date", v2.ReviewOn, want)
	}
	rec := v2.Review
	if rec.Number != 1 || rec.Partial || len(rec.Missing) != 0 {
		t.Errorf("review record %+v, want number 1, complete", rec)
	}
	if rec.Ratings[0].Score != 4 || rec.Ratings[0].Comment != "steadier than in spring" || rec.Ratings[1].Score != 5 {
		t.Errorf("ratings %+v, want 4 with its comment and 5", rec.Ratings)
	}
	if len(rec.Topics) != 4 || !rec.Topics[2].Entries[1].Skipped || rec.Topics[0].Entries[0].Text != "lead on "+ReviewQuestionID(1, ReviewDeveloping) {
		t.Errorf("reflections %+v, want four with the report's skip", rec.Topics)
	}
	if len(rec.Amendments) != 1 || rec.Amendments[0].Name != "Sam Ortiz" {
		t.Errorf("amendments %+v, want the report's one", rec.Amendments)
	}
	// The lead kept q2 and dropped q3; the report extended q2.
	if got := v2.Commitments[0].Entries[0].Text; got != "Dana Lee on q2" {
		t.Errorf("lead's kept commitment = %q", got)
	}
	if e := v2.Accountability[0].Entries[0]; !e.Dropped || e.Text != "" {
		t.Errorf("lead's dropped accountability = %+v", e)
	}
	want := []Change{
		{Kind: ChangeChanged, Number: 2, Topic: "Question 2?", Role: RoleReport, Name: "Sam Ortiz", Before: "Sam Ortiz on q2", After: "Sam Ortiz on q2 and more"},
		{Kind: ChangeAdded, Number: 2, Topic: "Question 2?", Role: RoleReport, Name: "Sam Ortiz", After: "Ask for help before a deadline slips"},
		{Kind: ChangeDropped, Number: 3, Topic: "Question 3?", Role: RoleLead, Name: "Dana Lee", Before: "Dana Lee on q3"},
	}
	slices.SortStableFunc(v2.Changes, func(a, b Change) int { return strings.Compare(a.Topic, b.Topic) })
	if !slices.Equal(v2.Changes, want) {
		t.Errorf("changes\n got %+v\nwant %+v", v2.Changes, want)
	}
	// The report, who finished last, gets v2 and the digest at once; the
	// lead too (no quiet hours).
	for _, pt := range p.Participants {
		if got := kindsTo(last, pt); !slices.Equal(got, []MessageKind{MsgAgreement, MsgDigest}) {
			t.Errorf("%s got %v, want agreement and digest", pt.Person.Name, got)
		}
	}
	for _, m := range last {
		if m.Kind != MsgDigest {
			continue
		}
		d := m.Digest
		if len(d.Trend) != 1 || d.Trend[0].Scores != [2]int{4, 5} || d.NextReview != v2.ReviewOn || d.Amendments != 1 {
			t.Errorf("digest %+v", d)
		}
	}
	// The next quarter brings review 2, of version 2.
	msgs = wakeAt(t, p, &now)
	if len(p.Reviews) != 2 || p.Reviews[1].Number != 2 || DateOf(now, lead.Person.Location) != v2.ReviewOn {
		t.Fatalf("second review %+v opened on %s, want number 2 on %s", p.CurrentReview(), now, v2.ReviewOn)
	}
	if m := only(t, msgs, lead); m.Prompt.QuestionID != ReviewQuestionID(2, ReviewRating) {
		t.Errorf("second review asks %s first", m.Prompt.QuestionID)
	}
}

func TestReviewAnswersThatDoNotFit(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	lead := p.Participants[0]
	now := at
	wakeAt(t, p, &now)
	rating := ReviewQuestionID(1, ReviewRating)
	for _, bad := range []string{"7", "0", "3.5", "great", "10/10"} {
		if _, err := p.Answer(lead.ID, rating, bad, now); !errors.Is(err, ErrRating) {
			t.Errorf("rating %q: err = %v, want ErrRating", bad, err)
		}
	}
	if lead.Position != p.CurrentReview().Start {
		t.Fatal("a rejected rating moved the lead on")
	}
	must[[]Message](t)(p.Answer(lead.ID, rating, "3", now))
	kept := ReviewQuestionID(1, ReviewKept)
	for _, bad := range []string{"yes to most", "1 yes", "1 yes, 9 no", "1 yes, 1 no, all partly", "1-2 maybe"} {
		var ke *KeptError
		if _, err := p.Answer(lead.ID, kept, bad, now); !errors.As(err, &ke) {
			t.Errorf("kept %q: err = %v, want a KeptError", bad, err)
		}
	}
	must[[]Message](t)(p.Answer(lead.ID, kept, "all yes, 2 partly", now))
	for _, bad := range []string{"4", " 3.5 ", "5/5", "2 out of 5."} {
		if _, err := p.Answer(lead.ID, ReviewQuestionID(1, ReviewDeveloping), bad, now); !errors.Is(err, ErrBareNumber) {
			t.Errorf("reflection %q: err = %v, want ErrBareNumber", bad, err)
		}
	}
	must[[]Message](t)(p.Answer(lead.ID, ReviewQuestionID(1, ReviewDeveloping), "4 good weeks, 2 hard ones", now))
	if _, err := p.Answer(lead.ID, ReviewQuestionID(1, ReviewBrings), "   ", now); !errors.Is(err, ErrEmptyAnswer) {
		t.Errorf("empty reply: err = %v, want ErrEmptyAnswer", err)
	}
}

func TestReviewClosesWithWhatThereIs(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 16, 0) // 10:00 in New York
	p := agreed(t, DefaultRules(), "", at)
	lead, report := p.Participants[0], p.Participants[1]
	now := at
	wakeAt(t, p, &now)
	opened := p.CurrentReview().OpenedAt
	answerReview(t, p, lead, &now, func(qid string) string {
		if part, _ := ReviewPartOf(qid); part == PartRating {
			return "2"
		}
		return "lead on " + qid
	})
	var digests, reviews int
	for i := 0; i < 40 && p.LatestAgreement().Version == 1; i++ {
		for _, m := range wakeAt(t, p, &now) {
			switch m.Kind {
			case MsgDigest:
				digests++
			case MsgReviewOpen:
				reviews++
			}
		}
	}
	v2 := p.LatestAgreement()
	if v2.Version != 2 || !v2.Review.Partial || !slices.Equal(v2.Review.Missing, []string{"Sam Ortiz"}) {
		t.Fatalf("after the deadline: version %d, review %+v", v2.Version, v2.Review)
	}
	if got := now.Sub(opened); got < 14*24*time.Hour {
		t.Errorf("closed %s after opening, want two weeks", got)
	}
	if report.Position != p.CurrentReview().End() || p.Status != StatusAgreement {
		t.Errorf("report left at position %d (review ends %d), status %s", report.Position, p.CurrentReview().End(), p.Status)
	}
	// Quiet hours hold the digest until the morning for each person.
	for range 4 {
		for _, m := range wakeAt(t, p, &now) {
			if m.Kind == MsgDigest {
				digests++
				if p.Rules.Quiet.Contains(now, m.To.Person.Location) {
					t.Errorf("digest to %s in quiet hours at %s", m.To.Person.Name, now)
				}
				if m.Digest.Trend[0].Scores != [2]int{2, 0} {
					t.Errorf("trend %+v, want the lead's 2 and no rating from the report", m.Digest.Trend)
				}
			}
		}
		if digests == 2 {
			break
		}
	}
	if digests != 2 || reviews != 1 {
		t.Errorf("sent %d digests and %d review invitations, want 2 and 1 (the report's only)", digests, reviews)
	}
	// A late answer to the closed review is kept, not a new version.
	if _, err := p.Answer(report.ID, ReviewQuestionID(1, ReviewRating), "4", now); err != nil {
		t.Errorf("late answer: %v", err)
	}
	if p.LatestAgreement() != v2 {
		t.Error("a late answer built another version")
	}
}

func TestReviewWaitsWhileBothArePaused(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	must[[]Message](t)(p.PauseAll(time.Time{}, at.Add(time.Hour)))
	if got := p.NextWake(at.Add(time.Hour)); !got.IsZero() {
		t.Fatalf("NextWake while both are paused = %s, want nothing", got)
	}
	later := at.AddDate(0, 5, 0) // past the review date
	if msgs := p.Wake(later); len(msgs) != 0 || len(p.Reviews) != 0 {
		t.Fatalf("a paused partnership got %v", kinds(msgs))
	}
	// Resuming opens the overdue review at once for both.
	msgs := must[[]Message](t)(p.ResumeAll(later))
	for _, pt := range p.Participants {
		if got := kindsTo(msgs, pt); !slices.Equal(got, []MessageKind{MsgReviewOpen}) {
			t.Errorf("%s got %v on resuming, want the review", pt.Person.Name, got)
		}
	}
	// One paused person gets their review when they come back.
	q := p.CurrentReview().Questions[0].ID
	must[[]Message](t)(p.Pause(p.Participants[1].ID, time.Time{}, later))
	must[[]Message](t)(p.Answer(p.Participants[0].ID, q, "3", later))
	if msgs := must[[]Message](t)(p.Resume(p.Participants[1].ID, later.Add(time.Hour))); !slices.Contains(kindsTo(msgs, p.Participants[1]), MsgReviewOpen) {
		t.Errorf("resume sent %v, want the review again", kinds(msgs))
	}
}

func TestReviewTimesAcrossDST(t *testing.T) {
	t.Parallel()
	// Agreements in December put the review date after the spring change
	// in both zones; the review still arrives at 10:00 local time.
	for _, tc := range []struct {
		zone string
		at   time.Time
	}{
		{"Europe/Berlin", time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC)},
		{"America/New_York", time.Date(2026, 12, 14, 15, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			t.Parallel()
			p := agreed(t, noQuiet(), "", tc.at)
			loc := mustLoc(t, tc.zone)
			p.Participants[0].Person.Location = loc
			p.Participants[1].Person.Location = loc
			now := tc.at
			wakeAt(t, p, &now)
			if lt := now.In(loc); lt.Hour() != 10 || lt.Minute() != 0 {
				t.Errorf("review opened at %s, want 10:00 local", lt)
			}
			if _, off := now.In(loc).Zone(); off == 0 || !now.In(loc).IsDST() {
				t.Errorf("review at %s: expected summer time on the far side of the change", now.In(loc))
			}
		})
	}
}

func TestParseRating(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		score   int
		comment string
		err     bool
	}{
		{"4", 4, "", false},
		{" 5. ", 5, "", false},
		{"3/5", 3, "", false},
		{"2 out of 5 – rough quarter", 2, "rough quarter", false},
		{"Four, better than before", 4, "better than before", false},
		{"1\n\nWe barely met.", 1, "We barely met.", false},
		{"4th time lucky", 0, "", true},
		{"6", 0, "", true},
		{"0", 0, "", true},
		{"3.5", 0, "", true},
		{"about 4", 0, "", true},
		{"", 0, "", true},
	} {
		score, comment, err := ParseRating(tc.in)
		if (err != nil) != tc.err || score != tc.score || comment != tc.comment {
			t.Errorf("ParseRating(%q) = %d, %q, %v; want %d, %q, error %v", tc.in, score, comment, err, tc.score, tc.comment, tc.err)
		}
	}
}

func TestDiffCommitment(t *testing.T) {
	t.Parallel()
	pt := &Participant{Role: RolePeer, Person: Person{Name: "Kim"}}
	for _, tc := range []struct {
		name          string
		before, after string
		want          []ChangeKind
	}{
		{"same", "I reply within a day.", "I reply within a day.", nil},
		{"case and spaces", "I reply within a day.", "  i reply   within a day. ", nil},
		{"reworded", "I reply within a day.", "I answer within two days.", []ChangeKind{ChangeChanged}},
		{"added line", "- I reply within a day.", "- I reply within a day.\n- I share the plan each Monday.", []ChangeKind{ChangeAdded}},
		{"dropped line", "1. I reply within a day.\n2. I share the plan each Monday.", "1. I share the plan each Monday.", []ChangeKind{ChangeDropped}},
		{"all gone", "I reply within a day.", "", []ChangeKind{ChangeDropped}},
		{"from nothing", "", "I reply within a day.", []ChangeKind{ChangeAdded}},
		{"changed and added", "I reply within a day.\nI share the plan.",
			"I reply within a day.\nI share the plan each Monday morning.\nI ask before I assume.",
			[]ChangeKind{ChangeChanged, ChangeAdded}},
		{"sentence moved to its own line", "I protect your focus time. I back your decisions in public.",
			"I protect your focus time.\nI back your decisions in public.\nI hold a monthly hour on your growth.",
			[]ChangeKind{ChangeAdded}},
		{"two sentences, one reworded", "I protect your focus time. I back your decisions in public.",
			"I protect your focus time. I back your decisions in front of the team.", []ChangeKind{ChangeChanged}},
		{"abbreviation is no sentence end", "I send notes, e.g. the decisions. I file them.", "I send notes, e.g. the decisions. I file them weekly.", []ChangeKind{ChangeChanged}},
	} {
		var got []ChangeKind
		for _, c := range diffCommitment(0, "T", pt, tc.before, tc.after) {
			got = append(got, c.Kind)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestExportAfterTheEnd(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	report := p.Participants[1]
	must[[]Message](t)(p.StopNow(report.ID, at.Add(time.Hour)))
	msgs := must[[]Message](t)(p.Export(report.ID, at.Add(2*time.Hour)))
	if m := only(t, msgs, report); m.Kind != MsgExport || m.Agreement != p.LatestAgreement() {
		t.Errorf("export after leaving sent %v", kinds(msgs))
	}
	if _, err := p.Export(99, at); !errors.Is(err, ErrUnknownParticipant) {
		t.Errorf("export for a stranger: %v", err)
	}
}

// BenchmarkCloseReview builds what closing a review of the 16-question
// set builds: the next version with its changes and review section, and
// the digest.
func BenchmarkCloseReview(b *testing.B) {
	p := finishedPair(b, 16)
	at := p.ReviewStartsAt(p.Participants[1], p.LatestAgreement().ReviewOn) // the later of the two
	p.Wake(at)
	r := p.CurrentReview()
	if r == nil {
		b.Fatal("the review did not open")
	}
	for _, pt := range p.Participants {
		for _, q := range r.Questions[:len(r.Questions)-1] {
			text := "A few words on " + q.Title + "\nand a second line."
			switch part, _ := ReviewPartOf(q.ID); part {
			case PartRating:
				text = "4"
			case PartKept:
				text = "all yes, 2 partly, 3 no"
			}
			if _, err := p.Answer(pt.ID, q.ID, text, at); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		p.digest(BuildAgreement(p, at), at)
	}
}

func TestReviewAsksTheSetsReflections(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	p.Set.Review = []Question{
		{ID: "learned", Title: "What did we learn?", Text: "What did you learn about working with {partner}?", Section: SectionThemes},
		{ID: "team", Title: "What does the team see?", Wording: map[Role]string{
			RoleLead: "What does your team see of you and {partner}?", RoleReport: "What do your colleagues see?", RolePeer: "What do both teams see?",
		}},
	}
	lead, report := p.Participants[0], p.Participants[1]
	now := at
	wakeAt(t, p, &now) // the lead, 10:00 in Berlin
	if got := kindsTo(wakeAt(t, p, &now), report); !slices.Equal(got, []MessageKind{MsgReviewOpen}) {
		t.Fatalf("the report got %v, want the review", got)
	}
	r := p.openReview()
	var ids []string
	for _, q := range r.Questions {
		ids = append(ids, q.ID)
		// The review's number, in the id, is what names them: no words
		// of a language in the domain.
		if q.Theme != "" || q.Section != "" {
			t.Errorf("question %s has theme %q and section %q, want none", q.ID, q.Theme, q.Section)
		}
		if n, _, ok := ReviewQuestionParts(q.ID); !ok || n != 1 {
			t.Errorf("ReviewQuestionParts(%q) = %d, %v, want review 1", q.ID, n, ok)
		}
	}
	want := []string{"review1-rating", "review1-kept", "review1-learned", "review1-team", "review1-commit-q2", "review1-commit-q3"}
	if !slices.Equal(ids, want) {
		t.Fatalf("review asks %v, want %v", ids, want)
	}
	if q, _ := p.Question("review1-team"); q.For(RoleLead, FirstName(report.Person.Name)) != "What does your team see of you and Sam?" {
		t.Errorf("the lead reads %q", q.For(RoleLead, FirstName(report.Person.Name)))
	}
	if p.Set.Review[0].ID != "learned" {
		t.Errorf("opening the review renamed the set's question to %q", p.Set.Review[0].ID)
	}
	for _, pt := range []*Participant{lead, report} {
		answerReview(t, p, pt, &now, func(qid string) string {
			if part, _ := ReviewPartOf(qid); part != PartReflection {
				return map[ReviewPart]string{PartRating: "3", PartCommitment: "keep"}[part]
			}
			return pt.Person.Name + " on " + qid
		})
	}
	rec := signed(t, p, now).LatestAgreement().Review
	if rec == nil {
		t.Fatal("no version 2 after both answered")
	}
	var titles []string
	for _, tp := range rec.Topics {
		titles = append(titles, tp.Title)
	}
	if !slices.Equal(titles, []string{"What did we learn?", "What does the team see?"}) {
		t.Errorf("review section topics %v, want the set's two reflections", titles)
	}
	if got := rec.Topics[1].Entries[1].Text; got != "Sam Ortiz on review1-team" {
		t.Errorf("the report's answer in the review section = %q", got)
	}
}

// TestDigestCountsReplacedSeries: the check-ins are cancelled and set up
// again mid-quarter; the digest counts the meetings of both series.
func TestDigestCountsReplacedSeries(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	lead := p.Participants[0]
	now := at
	agendas, preps := 0, 0
	count := func(msgs []Message) {
		for _, m := range msgs {
			if m.To == lead {
				agendas += map[bool]int{true: 1}[m.Kind == MsgAgenda]
				preps += map[bool]int{true: 1}[m.Kind == MsgPrep]
			}
		}
	}
	// Three Tuesdays under the first series, then it is cancelled.
	for agendas < 3 {
		count(wakeAt(t, p, &now))
	}
	first := p.Checkin
	must[[]Message](t)(p.CancelCheckins(lead.ID, now.Add(2*time.Hour)))
	thu, err := ParseSchedule("thu 15:00 30m weekly")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(24 * time.Hour)
	must[[]Message](t)(p.SetSchedule(lead.ID, thu, now))
	if p.Checkin == first || !slices.Equal(p.EarlierCheckins, []*Series{first}) {
		t.Fatalf("after scheduling again: series %p, earlier %v; want a new series and the cancelled one kept", p.Checkin, p.EarlierCheckins)
	}
	if from := p.CheckinHistoryFrom(); !from.IsZero() {
		t.Errorf("CheckinHistoryFrom before the review = %s, want zero: no digest is due", from)
	}
	for p.Status != StatusReviewing {
		count(wakeAt(t, p, &now))
	}
	if from := p.CheckinHistoryFrom(); !from.Equal(p.LatestAgreement().Created) {
		t.Errorf("CheckinHistoryFrom in the review = %s, want version 1's date %s", from, p.LatestAgreement().Created)
	}
	if agendas < 10 {
		t.Fatalf("only %d meetings before the review", agendas)
	}
	// The report's review mail comes at 10:00 New York time.
	for invited := false; !invited; {
		msgs := wakeAt(t, p, &now)
		count(msgs)
		invited = slices.Contains(kindsTo(msgs, p.Participants[1]), MsgReviewOpen)
	}
	var last []Message
	for _, pt := range p.Participants {
		last = answerReview(t, p, pt, &now, func(qid string) string {
			if part, _ := ReviewPartOf(qid); part == PartRating {
				return "4"
			}
			return "keep"
		})
	}
	last = signAll(t, p, now)
	var d *Digest
	for _, m := range last {
		if m.Kind == MsgDigest && m.To == lead {
			d = m.Digest
		}
	}
	if d == nil {
		t.Fatalf("no digest for the lead among %v", kinds(last))
	}
	if from := p.CheckinHistoryFrom(); !from.IsZero() {
		t.Errorf("CheckinHistoryFrom after both digests = %s, want zero", from)
	}
	if d.Checkins.Held != agendas || d.Checkins.Skipped != 0 || d.Prep[0].Asked != preps {
		t.Errorf("digest counts %+v and the lead's prep %+v; want %d held and %d preps asked, across both series", d.Checkins, d.Prep[0], agendas, preps)
	}
}

func TestCommitmentItems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"- I reply within a day.\n* I share the plan.", []string{"I reply within a day.", "I share the plan."}},
		{"1. We meet. 2. I send notes.", []string{"We meet.", "I send notes."}},
		{"2) Weekly notes", []string{"Weekly notes"}},
		{"1.5 hours a week for mentoring", []string{"1.5 hours a week for mentoring"}},
		{"-1 day notice is too short", []string{"-1 day notice is too short"}},
		{"• Quiet Fridays", []string{"Quiet Fridays"}},
	} {
		if got := commitmentItems(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("commitmentItems(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSentences(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"We meet weekly. I will send notes!", []string{"We meet weekly.", "I will send notes!"}},
		{"I send notes, e.g. the decisions.", []string{"I send notes, e.g. the decisions."}},
		{"Why not? 2 hours a week is fine.", []string{"Why not?", "2 hours a week is fine."}},
		{"Version 2.5 ships in May", []string{"Version 2.5 ships in May"}},
		{"Mr. Smith joins us. He leads QA.", []string{"Mr. Smith joins us.", "He leads QA."}},
		{"We meet. 2. I send notes.", []string{"We meet.", "I send notes."}},
		{"Plan for J. Doe first. Then review.", []string{"Plan for J. Doe first.", "Then review."}},
		{"  ", nil},
	} {
		if got := sentences(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("sentences(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDigestCountsMeetingsThatHappened: a meeting skipped after its prep
// prompt went out is skipped, not "prepared for"; only the meetings held
// count towards preparation.
func TestDigestCountsMeetingsThatHappened(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	lead := p.Participants[0]
	now := at.Add(time.Hour)
	must[[]Message](t)(p.SetSchedule(lead.ID, must[Schedule](t)(ParseSchedule("tue 15:00 30m weekly")), now))
	first := p.Checkin.Upcoming(now).Original
	// Past the first prep prompt, then the meeting is skipped.
	for i := 0; !slices.Contains(kindsTo(wakeAt(t, p, &now), lead), MsgPrep); i++ {
		if i > 20 {
			t.Fatal("no prep prompt for the first meeting")
		}
	}
	must[[]Message](t)(p.SkipCheckin(lead.ID, first, now))
	// Three more weeks of meetings.
	until := now.AddDate(0, 0, 21)
	for now.Before(until) {
		wakeAt(t, p, &now)
	}
	d := p.digest(&Agreement{Version: 2, Previous: 1, Created: now}, now)
	if d.Checkins.Held < 2 || d.Checkins.Skipped != 1 {
		t.Errorf("check-ins %+v, want some held and 1 skipped", d.Checkins)
	}
	for i, pr := range d.Prep {
		if pr.Asked != d.Checkins.Held {
			t.Errorf("%s was asked to prepare for %d meetings, want the %d held", p.Participants[i].Person.Name, pr.Asked, d.Checkins.Held)
		}
	}
}
