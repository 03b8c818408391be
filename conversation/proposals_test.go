package conversation

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// proposalSet has one question of each kind the draft treats differently:
// a background theme, the three behaviour themes of the default set, a
// commitment and an accountability question.
func proposalSet() *QuestionSet {
	s := &QuestionSet{Name: "proposals", Version: 1}
	for _, q := range []struct {
		id, theme string
		section   Section
	}{
		{"values", "Values that matter to us", SectionThemes},
		{"communication", "How we communicate", SectionThemes},
		{"hard-times", "When things get hard", SectionThemes},
		{"routines", "Routines and agreements", SectionThemes},
		{"commitments", "What we commit to", SectionCommitments},
		{"accountability", "Holding each other accountable", SectionAccountability},
	} {
		s.Questions = append(s.Questions, Question{ID: q.id, Theme: q.theme, Title: q.theme + "?", Section: q.section, Text: "Tell {partner}?"})
	}
	return s
}

// proposalPair is a partnership of kind over set in which each person
// answered the questions named in their map; a question left out was
// skipped. Answers are one minute apart, the lead's (or first peer's)
// first.
func proposalPair(t testing.TB, kind Kind, set *QuestionSet, answers ...map[string]string) *Partnership {
	t.Helper()
	a := Person{ID: 10, Name: "Dana Lee", Email: "dana@example.test", Location: time.UTC}
	b := Person{ID: 20, Name: "Sam Ortiz", Email: "sam@example.test", Location: time.UTC}
	p, err := NewPartnership(kind, a, b, set, noQuiet(), t0)
	if err != nil {
		t.Fatalf("NewPartnership: %v", err)
	}
	p.ID = 1
	p.Participants[0].ID, p.Participants[1].ID = 1, 2
	at := t0
	for i, byQuestion := range answers {
		for _, q := range set.Questions {
			if text, ok := byQuestion[q.ID]; ok {
				at = at.Add(time.Minute)
				p.Answers = append(p.Answers, &Answer{ID: int64(len(p.Answers) + 1), ParticipantID: p.Participants[i].ID, QuestionID: q.ID, Text: text, At: at})
			}
		}
	}
	return p
}

// show writes proposals one a line as "number name line.sentence text",
// so a failure shows what was proposed, by whom, and from where.
func show(ps []Proposal) []string {
	var out []string
	for _, pr := range ps {
		out = append(out, fmt.Sprintf("%d %s %d.%d %s", pr.Number, pr.Name, pr.Line, pr.Sentence, pr.Text))
	}
	return out
}

func TestProposalsSplitting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		dana, sam  string
		want       []string
		danaAbsent bool // Dana skipped the question
	}{
		{
			name: "one sentence each",
			dana: "I protect your focus time.",
			sam:  "I tell you early when I am stuck",
			want: []string{"1 Dana 1.1 I protect your focus time.", "2 Sam 1.1 I tell you early when I am stuck"},
		},
		{
			name: "lines with list markers",
			dana: "- Slack for quick questions\n* email for anything that needs thought\n• a call when it is urgent\n– no messages after 7 pm",
			want: []string{
				"1 Dana 1.1 Slack for quick questions",
				"2 Dana 2.1 email for anything that needs thought",
				"3 Dana 3.1 a call when it is urgent",
				"4 Dana 4.1 no messages after 7 pm",
			},
		},
		{
			name: "numbered lists",
			dana: "1. We meet every Tuesday.\n2) I send the agenda the day before\n10. We keep the notes in one document",
			want: []string{
				"1 Dana 1.1 We meet every Tuesday.",
				"2 Dana 2.1 I send the agenda the day before",
				"3 Dana 3.1 We keep the notes in one document",
			},
		},
		{
			name: "several sentences on a line",
			dana: "I answer within a day. If it is urgent, call me! Would a shared channel help us?",
			want: []string{
				"1 Dana 1.1 I answer within a day.",
				"2 Dana 1.2 If it is urgent, call me!",
				"3 Dana 1.3 Would a shared channel help us?",
			},
		},
		{
			name: "abbreviations stay in their sentence",
			dana: "Use a written channel, e.g. email or the tracker, for decisions. Ask in person otherwise.",
			want: []string{
				"1 Dana 1.1 Use a written channel, e.g. email or the tracker, for decisions.",
				"2 Dana 1.2 Ask in person otherwise.",
			},
		},
		{
			name: "blank lines and carriage returns keep line numbers",
			dana: "We keep meetings short.\r\n\r\n\r\nWe end with next steps.\r\n",
			want: []string{"1 Dana 1.1 We keep meetings short.", "2 Dana 4.1 We end with next steps."},
		},
		{
			name:       "a skipped answer gives none",
			danaAbsent: true,
			sam:        "I bring an agenda to every meeting",
			want:       []string{"1 Sam 1.1 I bring an agenda to every meeting"},
		},
		{
			name: "fillers and fragments are not proposals",
			dana: "n/a",
			sam:  "-\nSame as above.\nSlack.\nYes, always.\nN/A\nnothing to add\nI don't know\n...",
		},
		{
			name: "a lead-in is not a proposal, the list under it is",
			dana: "Here is what I would suggest:\n- a weekly one-on-one on Tuesdays",
			want: []string{"1 Dana 2.1 a weekly one-on-one on Tuesdays"},
		},
		{
			name: "a person's repeats are merged, the partner's same words kept",
			dana: "We meet weekly on Tuesdays.\n- we meet  WEEKLY on tuesdays\nWe meet weekly, on Tuesdays!",
			sam:  "We meet weekly on Tuesdays.",
			want: []string{"1 Dana 1.1 We meet weekly on Tuesdays.", "2 Sam 1.1 We meet weekly on Tuesdays."},
		},
		{
			name: "words are kept as written",
			dana: "   i'll  ping you   before big decisions ;-)   ",
			want: []string{"1 Dana 1.1 i'll  ping you   before big decisions ;-)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dana := map[string]string{"communication": tt.dana}
			if tt.danaAbsent {
				dana = nil
			}
			sam := map[string]string{}
			if tt.sam != "" {
				sam["communication"] = tt.sam
			}
			p := proposalPair(t, KindLeadReport, proposalSet(), dana, sam)
			if got := show(p.Proposals()); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Proposals() of\n%q\n%q\n= %q,\nwant %q", tt.dana, tt.sam, got, tt.want)
			}
		})
	}
}

func TestProposalsAcrossThemes(t *testing.T) {
	t.Parallel()
	dana := map[string]string{
		"values":         "Honesty matters most to me at work.",
		"communication":  "Message me on Slack for quick questions.",
		"hard-times":     "We talk the same day when something goes wrong.",
		"routines":       "We meet weekly on Tuesdays.",
		"commitments":    "I protect your focus time.\nWe meet weekly on Tuesdays.",
		"accountability": "You may point out my slips, in private.",
	}
	sam := map[string]string{
		"values":        "Craft and kindness both matter to me.",
		"communication": "Email me for anything longer than a paragraph.",
		"routines":      "I share a short update every Friday.",
		"commitments":   "I tell you early when a deadline slips.",
	}
	p := proposalPair(t, KindLeadReport, proposalSet(), dana, sam)
	got := p.Proposals()
	want := []Proposal{
		{1, "communication", "How we communicate", 1, RoleLead, "Dana", "Message me on Slack for quick questions.", 1, 1},
		{2, "communication", "How we communicate", 2, RoleReport, "Sam", "Email me for anything longer than a paragraph.", 1, 1},
		{3, "hard-times", "When things get hard", 1, RoleLead, "Dana", "We talk the same day when something goes wrong.", 1, 1},
		{4, "routines", "Routines and agreements", 1, RoleLead, "Dana", "We meet weekly on Tuesdays.", 1, 1},
		{5, "routines", "Routines and agreements", 2, RoleReport, "Sam", "I share a short update every Friday.", 1, 1},
		{6, "commitments", "What we commit to", 1, RoleLead, "Dana", "I protect your focus time.", 1, 1},
		// The same words under another theme are another proposal.
		{7, "commitments", "What we commit to", 1, RoleLead, "Dana", "We meet weekly on Tuesdays.", 2, 1},
		{8, "commitments", "What we commit to", 2, RoleReport, "Sam", "I tell you early when a deadline slips.", 1, 1},
		{9, "accountability", "Holding each other accountable", 1, RoleLead, "Dana", "You may point out my slips, in private.", 1, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Proposals() =\n%q\nwant\n%q", show(got), show(want))
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("proposal %d = %+v, want %+v", i+1, got[i], want[i])
			}
		}
	}
}

func TestProposalsPeers(t *testing.T) {
	t.Parallel()
	first := map[string]string{"routines": "We pair on Monday mornings."}
	second := map[string]string{"routines": "We review each other's designs before sharing them."}
	p := proposalPair(t, KindPeer, proposalSet(), first, second)
	got := p.Proposals()
	if len(got) != 2 {
		t.Fatalf("Proposals() = %q, want two", show(got))
	}
	for i, pr := range got {
		if pr.Role != RolePeer || pr.ParticipantID != p.Participants[i].ID || pr.Name != FirstName(p.Participants[i].Person.Name) {
			t.Errorf("proposal %d = %+v, want the peer %s (id %d)", i+1, pr, p.Participants[i].Person.Name, p.Participants[i].ID)
		}
	}
}

func TestProposalsLatestAnswer(t *testing.T) {
	t.Parallel()
	p := proposalPair(t, KindLeadReport, proposalSet(), map[string]string{"routines": "We meet every Monday morning."}, nil)
	p.Answers = append(p.Answers, &Answer{ParticipantID: 1, QuestionID: "routines", Text: "We meet every Tuesday at ten.", At: t0.Add(time.Hour)})
	if got, want := show(p.Proposals()), []string{"1 Dana 1.1 We meet every Tuesday at ten."}; !reflect.DeepEqual(got, want) {
		t.Errorf("Proposals() = %q, want %q from the answer that counts", got, want)
	}
}

// TestProposalsThemeDuplicates merges a person's repeat across two
// questions of one theme, and keeps the numbering without gaps.
func TestProposalsThemeDuplicates(t *testing.T) {
	t.Parallel()
	set := &QuestionSet{Name: "shared-theme", Version: 1, Questions: []Question{
		{ID: "count-on", Theme: "What we commit to", Title: "Count on?", Section: SectionCommitments, Text: "?"},
		{ID: "commit", Theme: "What we commit to", Title: "Commit?", Section: SectionCommitments, Text: "?"},
	}}
	dana := map[string]string{"count-on": "I keep our one-on-ones.", "commit": "I keep our one-on-ones!\nI review your plans within two days."}
	p := proposalPair(t, KindLeadReport, set, dana, nil)
	want := []string{"1 Dana 1.1 I keep our one-on-ones.", "2 Dana 2.1 I review your plans within two days."}
	if got := show(p.Proposals()); !reflect.DeepEqual(got, want) {
		t.Errorf("Proposals() = %q, want %q", got, want)
	}
}

func TestProposalsDeterministic(t *testing.T) {
	t.Parallel()
	answers := map[string]string{}
	for _, q := range proposalSet().Questions {
		answers[q.ID] = "- We keep it simple and kind.\n- We say what we need. We ask early, e.g. before Friday.\n1) same as above"
	}
	first := proposalPair(t, KindLeadReport, proposalSet(), answers, answers).Proposals()
	for range 20 {
		if again := proposalPair(t, KindLeadReport, proposalSet(), answers, answers).Proposals(); !reflect.DeepEqual(again, first) {
			t.Fatalf("Proposals() = %q, then %q", show(first), show(again))
		}
	}
	if len(first) != 5*2*3 {
		t.Errorf("Proposals() gave %d, want 30: three from each of two people under five themes", len(first))
	}
}

func TestAsksForBehaviour(t *testing.T) {
	t.Parallel()
	for _, q := range proposalSet().Questions {
		want := q.ID != "values"
		if got := q.AsksForBehaviour(); got != want {
			t.Errorf("Question{ID: %q, Section: %q}.AsksForBehaviour() = %v, want %v", q.ID, q.Section, got, want)
		}
	}
	// An operator's question under an id of its own is background unless
	// its section makes it a commitment.
	if (Question{ID: "how-we-talk", Section: SectionThemes}).AsksForBehaviour() {
		t.Error(`AsksForBehaviour() of a theme with an unknown id = true, want false`)
	}
}

// FuzzProposals checks the promise that no text is invented: every
// proposal is found, as written, in its author's answer to its question,
// on the line it names.
func FuzzProposals(f *testing.F) {
	for _, s := range []string{
		"I protect your focus time.", "- a\n- b c d\n* e f g", "1. One two three.\n2) Four five six",
		"e.g. this. And That one! Or 3 more?", "same as above", "n/a", "Lead-in:\n- item one here",
		"We meet. We meet. we MEET.", "  spaced   out   words  ", "\r\n\r\n x y z \r", "1.5 hours a week is enough",
		"Ok. Fine. Sure. Yes.", "• – · * -", "99) ninety nine items", "Ünïcode wörds sind gut. Ça va bien.",
	} {
		f.Add(s, "", false)
		f.Add(s, s, true)
	}
	for _, s := range hostileSeeds() {
		f.Add(s, "We meet weekly on Tuesdays.", false)
	}
	f.Fuzz(func(t *testing.T, first, second string, peers bool) {
		if len(first)+len(second) > maxFuzzInput {
			t.Skip()
		}
		kind := KindLeadReport
		if peers {
			kind = KindPeer
		}
		set := proposalSet()
		byQuestion := func(text string) map[string]string {
			m := map[string]string{}
			for _, q := range set.Questions {
				m[q.ID] = text
			}
			return m
		}
		p := proposalPair(t, kind, set, byQuestion(first), byQuestion(second))
		lines := [2][]string{strings.Split(first, "\n"), strings.Split(second, "\n")}
		call := fmt.Sprintf("Proposals(%s, %s)", clipped(first), clipped(second))
		got := p.Proposals()
		if again := p.Proposals(); !reflect.DeepEqual(got, again) {
			t.Fatalf("%s is not deterministic", call)
		}
		lastQuestion, lastAuthor := -1, 0
		for i, pr := range got {
			if pr.Number != i+1 {
				t.Fatalf("%s: proposal %d numbered %d", call, i+1, pr.Number)
			}
			author := 0
			if pr.ParticipantID == p.Participants[1].ID {
				author = 1
			}
			pt := p.Participants[author]
			if pr.Role != pt.Role || pr.Name != FirstName(pt.Person.Name) {
				t.Fatalf("%s: proposal %d = %+v, not attributed to %s", call, pr.Number, pr, pt.Person.Name)
			}
			qi := set.Index(pr.QuestionID)
			if qi < 0 || !set.Questions[qi].AsksForBehaviour() || pr.Theme != set.Questions[qi].Theme {
				t.Fatalf("%s: proposal %d from question %q, which asks for no behaviour", call, pr.Number, pr.QuestionID)
			}
			if qi < lastQuestion || (qi == lastQuestion && author < lastAuthor) {
				t.Fatalf("%s: proposal %d (%s, %s) out of order", call, pr.Number, pr.QuestionID, pr.Name)
			}
			lastQuestion, lastAuthor = qi, author
			mine := lines[author]
			if pr.Line < 1 || pr.Line > len(mine) || pr.Sentence < 1 {
				t.Fatalf("%s: proposal %d at line %d sentence %d, answer has %d lines", call, pr.Number, pr.Line, pr.Sentence, len(mine))
			}
			if !strings.Contains(mine[pr.Line-1], pr.Text) {
				t.Fatalf("%s: proposal %d = %q, not on line %d of %s's answer %s: text was invented", call, pr.Number, pr.Text, pr.Line, pr.Name, clipped(mine[pr.Line-1]))
			}
			if pr.Text == "" || pr.Text != strings.TrimSpace(pr.Text) || !isProposal(pr.Text) {
				t.Fatalf("%s: proposal %d = %q, want a trimmed sentence of three words or more", call, pr.Number, pr.Text)
			}
		}
	})
}
