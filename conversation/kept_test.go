package conversation

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"
)

// TestParseKept reads replies to "did we keep this?" for five statements,
// and refuses what does not rate each statement once.
func TestParseKept(t *testing.T) {
	t.Parallel()
	y, p, n := KeptYes, KeptPartly, KeptNo
	for _, tc := range []struct {
		text    string
		want    map[int]Kept
		kind    KeptErrorKind
		numbers []int
	}{
		{text: "1 yes, 2 partly, 3 no, 4 yes, 5 yes", want: map[int]Kept{1: y, 2: p, 3: n, 4: y, 5: y}},
		{text: "1 yes\n2 partly\n3: no\n4) y\n5. kept", want: map[int]Kept{1: y, 2: p, 3: n, 4: y, 5: y}},
		{text: "1-3 yes; 4 partly, we slipped in March; 5 no", want: map[int]Kept{1: y, 2: y, 3: y, 4: p, 5: n}},
		{text: "all yes, 3 no", want: map[int]Kept{1: y, 2: y, 3: n, 4: y, 5: y}},
		{text: "3 no, all yes", want: map[int]Kept{1: y, 2: y, 3: n, 4: y, 5: y}},
		{text: "2 partly, the rest yes", want: map[int]Kept{1: y, 2: p, 3: y, 4: y, 5: y}},
		{text: "Yes", want: map[int]Kept{1: y, 2: y, 3: y, 4: y, 5: y}},
		{text: "#1 yes, #2 yes, #3 yes, #4 YES, #5 Partially", want: map[int]Kept{1: y, 2: y, 3: y, 4: y, 5: p}},
		{text: "1 yes, 1 yes, 2-5 no", want: map[int]Kept{1: y, 2: n, 3: n, 4: n, 5: n}},
		{text: "1 yes, 2 no", kind: KeptMissing, numbers: []int{3, 4, 5}},
		{text: "all yes, 7 no", kind: KeptUnknown, numbers: []int{7}},
		{text: "0 yes, all no", kind: KeptUnknown, numbers: []int{0}},
		{text: "1 yes, 1 no, all partly", kind: KeptConflict, numbers: []int{1}},
		{text: "we did well overall", kind: KeptUnreadable},
		{text: "1 maybe, all yes", kind: KeptUnreadable},
		{text: "4-2 yes", kind: KeptUnreadable},
		{text: "", kind: KeptMissing, numbers: []int{1, 2, 3, 4, 5}},
	} {
		got, err := ParseKept(tc.text, 5)
		var ke *KeptError
		switch {
		case tc.kind == "" && err != nil:
			t.Errorf("ParseKept(%q) = %v, want %v", tc.text, err, tc.want)
		case tc.kind == "" && !maps.Equal(got, tc.want):
			t.Errorf("ParseKept(%q) = %v, want %v", tc.text, got, tc.want)
		case tc.kind != "" && !errors.As(err, &ke):
			t.Errorf("ParseKept(%q) = %v, %v; want a %s error", tc.text, got, err, tc.kind)
		case tc.kind != "" && (ke.Kind != tc.kind || !slices.Equal(ke.Numbers, tc.numbers)):
			t.Errorf("ParseKept(%q) error %+v, want kind %s numbers %v", tc.text, ke, tc.kind, tc.numbers)
		}
	}
}

// TestReviewRatesAndSignsAgain: a review of a signed agreement asks
// whether each statement was kept, then drafts the statements again; a
// change in that draft waits for the partner, and version 2 is signed by
// both with the ratings in its review and counted in the digest.
func TestReviewRatesAndSignsAgain(t *testing.T) {
	t.Parallel()
	p, now := reviewOpen(t, 6)
	lead, report := p.Participants[0], p.Participants[1]
	v1 := p.LatestAgreement()
	if len(v1.Statements) != 4 || !v1.Signed() {
		t.Fatalf("version 1 has %d statements, signed %v; want 4, signed", len(v1.Statements), v1.Signed())
	}
	kept := map[int64]string{lead.ID: "1-2 yes, 3 partly, 4 no", report.ID: "all yes, 4 partly"}
	for _, pt := range p.Participants {
		answerReview(t, p, pt, &now, func(qid string) string {
			if part, _ := ReviewPartOf(qid); part == PartKept {
				return kept[pt.ID]
			}
			return reviewReply(qid)
		})
	}
	if !p.DraftOpen() || p.Draft.Review != 1 || len(p.Draft.Statements) != 4 || p.LatestAgreement() != v1 {
		t.Fatalf("after the review questions: draft %+v, latest v%d; want v1's statements drafted for review 1", p.Draft, p.LatestAgreement().Version)
	}
	now = now.Add(time.Hour)
	reply, err := ParseDraftReply("agree all\nchange 4: We look at this agreement every month.")
	if err != nil {
		t.Fatal(err)
	}
	must[[]Message](t)(p.ReplyToDraft(lead.ID, reply, now))
	signAll(t, p, now.Add(time.Hour)) // round 1 ends with the report's agreement
	if !p.DraftOpen() || p.Draft.Round != 2 {
		t.Fatalf("after round 1: draft %+v, want round 2 with the change", p.Draft)
	}
	msgs := signAll(t, p, now.Add(2*time.Hour))
	v2 := p.LatestAgreement()
	if v2.Version != 2 || !v2.Signed() || v2.Review == nil || v2.Statements[3].Text != "We look at this agreement every month." {
		t.Fatalf("version %d, signed %v, review %v, statements %+v; want v2 signed with the change", v2.Version, v2.Signed(), v2.Review, v2.Statements)
	}
	want := []KeptRating{
		{Number: 1, Text: v1.Statements[0].Text, Ratings: []Kept{KeptYes, KeptYes}},
		{Number: 2, Text: v1.Statements[1].Text, Ratings: []Kept{KeptYes, KeptYes}},
		{Number: 3, Text: v1.Statements[2].Text, Ratings: []Kept{KeptPartly, KeptYes}},
		{Number: 4, Text: v1.Statements[3].Text, Ratings: []Kept{KeptNo, KeptPartly}},
	}
	if !slices.EqualFunc(v2.Review.Kept, want, func(a, b KeptRating) bool {
		return a.Number == b.Number && a.Text == b.Text && slices.Equal(a.Ratings, b.Ratings)
	}) {
		t.Errorf("kept ratings %+v, want %+v", v2.Review.Kept, want)
	}
	var d *Digest
	for _, m := range msgs {
		if m.Kind == MsgDigest && m.To == lead {
			d = m.Digest
		}
	}
	if d == nil || len(d.Kept) != 1 {
		t.Fatalf("digest %+v, want one review's kept figures", d)
	}
	if c := d.Kept[0]; c.Number != 1 || c.Yes != 5 || c.Partly != 2 || c.No != 1 || c.Unrated != 0 || c.Ratings != 8 {
		t.Errorf("kept figures %+v, want 5 yes, 2 partly, 1 no of 8", c)
	}
}

// FuzzParseKept holds ParseKept to its contract on any reply: the same
// result twice; either every statement from 1 to n rated yes, partly or
// no and nothing else, or a *KeptError whose numbers are in order.
func FuzzParseKept(f *testing.F) {
	for _, s := range []string{
		"1 yes, 2 partly, 3 no", "all yes, 3 no", "2 partly, the rest yes", "Yes", "1-3 yes; 4 partly, we slipped",
		"1 yes, 1 no", "7 no", "0 yes", "1-999999999 yes", "4-2 yes", "#1 yes\n#2 no", "", "rest no", "all",
		"1 oui, 2 en partie, 3 non", "tous oui", "le reste non", "1 ja, 2 teilweise, der Rest nein", "todos sí", "los demás no",
	} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, text string, n int) {
		if len(text) > 4096 || n < 0 || n > 200 {
			t.Skip()
		}
		got, err := ParseKept(text, n)
		again, err2 := ParseKept(text, n)
		if (err == nil) != (err2 == nil) || !maps.Equal(got, again) {
			t.Fatalf("ParseKept(%q, %d) is not deterministic", text, n)
		}
		if err != nil {
			var ke *KeptError
			if !errors.As(err, &ke) || err.Error() == "" || !slices.IsSorted(ke.Numbers) && ke.Kind != KeptUnknown {
				t.Fatalf("ParseKept(%q, %d) error %#v, want a KeptError with numbers in order", text, n, err)
			}
			if got != nil {
				t.Fatalf("ParseKept(%q, %d) = %v with error %v", text, n, got, err)
			}
			return
		}
		if len(got) != n {
			t.Fatalf("ParseKept(%q, %d) rated %d statements, want %d", text, n, len(got), n)
		}
		for k, v := range got {
			if k < 1 || k > n || (v != KeptYes && v != KeptPartly && v != KeptNo) {
				t.Fatalf("ParseKept(%q, %d) has %d: %q", text, n, k, v)
			}
		}
	})
}
