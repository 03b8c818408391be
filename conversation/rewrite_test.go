package conversation

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestParseRewrites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		rest string
		want []Rewrite
	}{
		{"change 7: We say what bothers us within a day.", "", []Rewrite{{7, "We say what bothers us within a day."}}},
		{"Change 7 - We meet on Tuesdays", "", []Rewrite{{7, "We meet on Tuesdays"}}},
		{"change 7 – en dash", "", []Rewrite{{7, "en dash"}}},
		{"CHANGE 7—em dash", "", []Rewrite{{7, "em dash"}}},
		{"Change #7: hash", "", []Rewrite{{7, "hash"}}},
		{"change #7:no space", "", []Rewrite{{7, "no space"}}},
		{"change theme 12: a theme", "", []Rewrite{{12, "a theme"}}},
		{"Change question 3 = words", "", []Rewrite{{3, "words"}}},
		{"- change 2: in a list", "", []Rewrite{{2, "in a list"}}},
		{"change 3:\nOn the lines\nbelow.", "", []Rewrite{{3, "On the lines\nbelow."}}},
		{"change 3\n\nOnly below.\n", "", []Rewrite{{3, "Only below."}}},
		{"change 3: first line\nsecond line\nchange 5: another\n\n", "", []Rewrite{{3, "first line\nsecond line"}, {5, "another"}}},
		{"4 — steadier now.\n\nchange 3: new words", "4 — steadier now.", []Rewrite{{3, "new words"}}},
		{"change 3", "", []Rewrite{{3, ""}}},
		{"change 3:   ", "", []Rewrite{{3, ""}}},
		{"change 42: too far", "", []Rewrite{{42, "too far"}}},
		{"change 0: zero", "", []Rewrite{{0, "zero"}}},
		{"change 3: a\r\nb", "", []Rewrite{{3, "a\nb"}}},
		{"Hi Dana,\n\nchange 3: after a greeting", "", []Rewrite{{3, "after a greeting"}}},
		{"Thanks!\nchange 3: after thanks", "", []Rewrite{{3, "after thanks"}}},
		{"Hi, a real answer here before it.\nchange 3: x", "Hi, a real answer here before it.", []Rewrite{{3, "x"}}},
	} {
		rest, got, ok := ParseRewrites(tc.in)
		if !ok || rest != tc.rest || !slices.Equal(got, tc.want) {
			t.Errorf("ParseRewrites(%q) = %q, %+v, %v; want %q, %+v, true", tc.in, rest, got, ok, tc.rest, tc.want)
		}
	}
	for _, in := range []string{
		"", "change", "We should change 2 things: the agenda and the time.",
		"Change 3 things about our meetings.", "change: 3 words", "changes 3: plural",
		"exchange 3: no", "change 2027-02-09 to Thursday", "change this week to Thursday 9:00",
		"I would change 3: the agenda", "change seven: words", "change 1234: not a topic",
	} {
		if rest, got, ok := ParseRewrites(in); ok || rest != in || got != nil {
			t.Errorf("ParseRewrites(%q) = %q, %+v, %v; want the text back and no rewrite", in, rest, got, ok)
		}
	}
}

// reviewOpen takes a pair with n questions (themes first, then one
// commitment and one accountability question) to its agreement and opens
// the first review for both; now is left at the report's invitation.
func reviewOpen(t *testing.T, n int) (p *Partnership, now time.Time) {
	t.Helper()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p = pair(t, n, noQuiet(), at.Add(-time.Hour))
	p.Enroll(at.Add(-time.Hour))
	for _, q := range p.Set.Questions {
		for _, pt := range p.Participants {
			must[[]Message](t)(p.Answer(pt.ID, q.ID, pt.Person.Name+" on "+q.ID, at))
		}
	}
	if signed(t, p, at).LatestAgreement() == nil {
		t.Fatal("no agreement after every answer")
	}
	now = at
	for i := 0; p.openReview() == nil || p.Participants[1].Current() == nil; i++ {
		if i > 10 {
			t.Fatal("the review did not reach the report")
		}
		wakeAt(t, p, &now)
	}
	return p, now
}

// reviewReply answers every review question the same way for both: the
// rating 4, keep for commitments, a sentence otherwise.
func reviewReply(qid string) string {
	switch part, _ := ReviewPartOf(qid); part {
	case PartRating:
		return "4"
	case PartCommitment:
		return "keep"
	case PartKept:
		return "all yes"
	}
	return "A sentence on " + qid
}

// TestReviewRewritesATheme: "change 3: …" from the report replaces the
// report's words under topic 3 in the version the review builds, lists the
// change, and leaves the lead's words as they were; it is taken before,
// with and after the person's review answers, until the review closes.
func TestReviewRewritesATheme(t *testing.T) {
	t.Parallel()
	const words = "I ask for help early, before a deadline slips."
	for _, tc := range []struct {
		name string
		// when is how many of the report's review questions are answered
		// before the rewrite; -1 is all of them.
		when int
		// rest is sent before the rewrite in the same reply.
		rest    string
		rewrite string
		// topic is the question whose entry the rewrite replaces.
		topic string
		want  []Change
	}{
		{
			name: "before answering", when: 0, rewrite: "change 3: " + words, topic: "q3",
			want: []Change{{Kind: ChangeChanged, Number: 3, Topic: "Question 3?", Role: RoleReport, Name: "Sam Ortiz", Before: "Sam Ortiz on q3", After: words}},
		},
		{
			name: "with the rating", when: 0, rest: "4 — a good quarter", rewrite: "Change #3:\n" + words, topic: "q3",
			want: []Change{{Kind: ChangeChanged, Number: 3, Topic: "Question 3?", Role: RoleReport, Name: "Sam Ortiz", Before: "Sam Ortiz on q3", After: words}},
		},
		{
			name: "after finishing the review", when: -1, rewrite: "change 3 - " + words, topic: "q3",
			want: []Change{{Kind: ChangeChanged, Number: 3, Topic: "Question 3?", Role: RoleReport, Name: "Sam Ortiz", Before: "Sam Ortiz on q3", After: words}},
		},
		{
			// The commitment question was answered keep; the rewrite
			// came later and wins.
			name: "a commitment, after keep", when: -1, rewrite: "change 5: " + words, topic: "q5",
			want: []Change{{Kind: ChangeChanged, Number: 5, Topic: "Question 5?", Role: RoleReport, Name: "Sam Ortiz", Before: "Sam Ortiz on q5", After: words}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, now := reviewOpen(t, 6)
			lead, report := p.Participants[0], p.Participants[1]
			v1 := p.LatestAgreement()
			r := p.openReview()
			answered := tc.when
			if answered < 0 {
				answered = len(r.Questions)
			}
			for _, q := range r.Questions[:answered] {
				now = now.Add(time.Minute)
				must[[]Message](t)(p.Answer(report.ID, q.ID, reviewReply(q.ID), now))
			}
			now = now.Add(time.Minute)
			question := ""
			if cur := report.Current(); cur != nil {
				question = cur.QuestionID
			}
			rest, rws, ok := ParseRewrites(tc.rest + "\n" + tc.rewrite)
			if !ok {
				t.Fatalf("ParseRewrites found no rewrite in %q", tc.rewrite)
			}
			position := report.Position
			msgs := must[[]Message](t)(p.Rewrite(report.ID, rws, question, rest, now))
			m := only(t, msgs, report)
			var note *Note
			for i := range m.Notes {
				if m.Notes[i].Kind == NoteRewritten {
					note = &m.Notes[i]
				}
			}
			if note == nil || note.Answer.Text != words || note.Answer.QuestionID != tc.topic || note.Previous == nil || note.Previous.Text != "Sam Ortiz on "+tc.topic {
				t.Fatalf("the report was told %+v, want a rewritten note for %s", m.Notes, tc.topic)
			}
			if !slices.ContainsFunc(m.Receipts, func(a *Answer) bool { return a.Text == words }) {
				t.Errorf("receipts %v, want the new words echoed", texts(m.Receipts))
			}
			if wantPos := position + map[bool]int{true: 1}[tc.rest != ""]; report.Position != wantPos {
				t.Errorf("the report is at %d after the reply, want %d", report.Position, wantPos)
			}
			if tc.rest != "" {
				if a := p.LatestAnswer(report.ID, question); a == nil || a.Text != tc.rest {
					t.Errorf("the text before the rewrite answered %s with %v, want %q", question, a, tc.rest)
				}
			}
			// The lead's mail says nothing of it before the new version.
			for _, lm := range msgs {
				if lm.To == lead && slices.ContainsFunc(lm.Reveals, func(a *Answer) bool { return a.Text == words }) {
					t.Error("the lead was shown the rewrite before the new version")
				}
			}
			if p.LatestAgreement() != v1 {
				t.Fatal("a new version was built while the lead had not finished")
			}
			answerReview(t, p, lead, &now, reviewReply)
			for _, q := range r.Questions {
				if pr := report.Prompt(q.ID); pr == nil || pr.State == PromptOpen {
					now = now.Add(time.Minute)
					must[[]Message](t)(p.Answer(report.ID, q.ID, reviewReply(q.ID), now))
				}
			}
			v2 := signed(t, p, now).LatestAgreement()
			if v2.Version != 2 {
				t.Fatalf("latest version %d after both finished, want 2", v2.Version)
			}
			got := topicOf(t, v2, tc.topic)
			if e := got.Entries[1]; e.Text != words || e.Skipped || e.Dropped {
				t.Errorf("the report's entry for %s in v2 = %+v, want the new words", tc.topic, e)
			}
			if e := got.Entries[0]; e.Text != "Dana Lee on "+tc.topic {
				t.Errorf("the lead's entry for %s in v2 = %+v, want it unchanged", tc.topic, e)
			}
			if got.Number != tc.want[0].Number {
				t.Errorf("topic %s is numbered %d, want %d", tc.topic, got.Number, tc.want[0].Number)
			}
			if !slices.Equal(v2.Changes, tc.want) {
				t.Errorf("changes\n got %+v\nwant %+v", v2.Changes, tc.want)
			}
			if e := topicOf(t, v1, tc.topic).Entries[1]; e.Text != "Sam Ortiz on "+tc.topic {
				t.Errorf("version 1 changed: %+v", e)
			}
		})
	}
}

// topicOf finds a question's topic in an agreement, wherever it sits.
func topicOf(t *testing.T, ag *Agreement, qid string) Topic {
	t.Helper()
	all := append(append([]Topic(nil), ag.Commitments...), ag.Accountability...)
	for _, th := range ag.Themes {
		all = append(all, th.Topics...)
	}
	for _, tp := range all {
		if tp.QuestionID == qid {
			return tp
		}
	}
	t.Fatalf("version %d has no topic %s", ag.Version, qid)
	return Topic{}
}

// TestRewriteRefused: a number no topic has, a rewrite without words, and
// one outside a review are explained and record nothing, also of the
// good rewrites in the same reply.
func TestRewriteRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		rws    []Rewrite
		closed bool // before the review opens
		want   *RewriteError
	}{
		{"unknown number", []Rewrite{{3, "fine"}, {9, "no such topic"}}, false, &RewriteError{Kind: NoteRewriteUnknown, Number: 9}},
		{"zero", []Rewrite{{0, "no such topic"}}, false, &RewriteError{Kind: NoteRewriteUnknown, Number: 0}},
		{"no words", []Rewrite{{3, "fine"}, {4, "  "}}, false, &RewriteError{Kind: NoteRewriteEmpty, Number: 4}},
		{"no review open", []Rewrite{{3, "fine"}}, true, &RewriteError{Kind: NoteRewriteClosed, Number: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p *Partnership
			var now time.Time
			if tc.closed {
				p = agreed(t, noQuiet(), "", berlinTime(t, 2027, 1, 11, 9, 0))
				now = berlinTime(t, 2027, 1, 12, 9, 0)
			} else {
				p, now = reviewOpen(t, 6)
			}
			report := p.Participants[1]
			before := len(p.Answers)
			_, err := p.Rewrite(report.ID, tc.rws, "", "", now)
			var re *RewriteError
			if !errors.As(err, &re) || *re != *tc.want {
				t.Fatalf("Rewrite(%v) = %v, want %+v", tc.rws, err, tc.want)
			}
			if len(p.Answers) != before {
				t.Errorf("a refused reply recorded %d answers", len(p.Answers)-before)
			}
			msgs := must[[]Message](t)(p.Explain(report.ID, re.Note(), now))
			if m := only(t, msgs, report); m.Kind != MsgHelp || len(m.Notes) != 1 || m.Notes[0].Kind != tc.want.Kind || m.Notes[0].Number != tc.want.Number {
				t.Errorf("explained with %s %+v", m.Kind, m.Notes)
			}
		})
	}
}

// TestRewriteUndone: undo takes a rewrite back, and the earlier words
// stand in the next version with nothing listed as changed.
func TestRewriteUndone(t *testing.T) {
	t.Parallel()
	p, now := reviewOpen(t, 6)
	report := p.Participants[1]
	now = now.Add(time.Minute)
	must[[]Message](t)(p.Rewrite(report.ID, []Rewrite{{2, "Second thoughts."}}, "", "", now))
	msgs := must[[]Message](t)(p.Undo(report.ID, now.Add(time.Minute)))
	if m := only(t, msgs, report); len(m.Notes) != 1 || m.Notes[0].Kind != NoteUndone || m.Notes[0].Previous == nil {
		t.Fatalf("undo answered %+v, want the earlier words back", m.Notes)
	}
	now = now.Add(time.Minute)
	for _, pt := range p.Participants {
		answerReview(t, p, pt, &now, reviewReply)
	}
	v2 := signed(t, p, now).LatestAgreement()
	if v2.Version != 2 || len(v2.Changes) != 0 {
		t.Fatalf("version %d with changes %+v, want 2 with none", v2.Version, v2.Changes)
	}
	if e := topicOf(t, v2, "q2").Entries[1]; e.Text != "Sam Ortiz on q2" {
		t.Errorf("the report's entry for q2 = %+v, want the first words", e)
	}
}

// TestRewriteLeavesThePartner: each person's rewrite replaces their own
// words only, even when both rewrite the same topic.
func TestRewriteLeavesThePartner(t *testing.T) {
	t.Parallel()
	p, now := reviewOpen(t, 6)
	lead, report := p.Participants[0], p.Participants[1]
	now = now.Add(time.Minute)
	must[[]Message](t)(p.Rewrite(lead.ID, []Rewrite{{1, "Dana, anew."}}, "", "", now))
	must[[]Message](t)(p.Rewrite(report.ID, []Rewrite{{1, "Sam, anew."}, {4, "Sam on four."}}, "", "", now))
	for _, pt := range p.Participants {
		answerReview(t, p, pt, &now, reviewReply)
	}
	v2 := signed(t, p, now).LatestAgreement()
	var got []string
	for _, qid := range []string{"q1", "q4"} {
		for _, e := range topicOf(t, v2, qid).Entries {
			got = append(got, e.Text)
		}
	}
	if want := []string{"Dana, anew.", "Sam, anew.", "Dana Lee on q4", "Sam on four."}; !slices.Equal(got, want) {
		t.Errorf("entries for q1 and q4 = %q, want %q", got, want)
	}
	if len(v2.Changes) != 3 {
		t.Errorf("changes %+v, want three", v2.Changes)
	}
}
