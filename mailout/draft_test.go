package mailout

import (
	"slices"
	"strings"
	"testing"
	"time"

	"accord/conversation"
	"accord/templates"
)

// TestDraftViewMarks checks what each of the two sees marked in the
// sample drafting rounds: in the first nothing is agreed, in the second
// Sam's rewrite and his proposed drop wait on Dana, Dana's addition on
// Sam.
func TestDraftViewMarks(t *testing.T) {
	t.Parallel()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	rules := conversation.DefaultRules()
	rules.Quiet = conversation.QuietHours{}
	p, rounds, err := draftRounds(set, rules, time.UTC, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	dana, sam := p.Participants[0], p.Participants[1]
	tests := []struct {
		name      string
		round     int
		to        *conversation.Participant
		needs     []int // numbers marked NeedsYou
		partner   []int // numbers the partner agrees to
		open      int
		waiting   int
		keep      int
		dropByYou bool
	}{
		{"round 1 to Dana", 0, dana, numbers(1, 11), nil, 11, 0, 0, false},
		{"round 1 to Sam", 0, sam, numbers(1, 11), nil, 11, 0, 0, false},
		{"round 2 to Dana", 1, dana, []int{5, 6}, numbers(1, 11), 2, 1, 6, false},
		{"round 2 to Sam", 1, sam, []int{12}, append(numbers(1, 4), append(numbers(7, 11), 12)...), 1, 2, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := rounds[tt.round]
			v := ViewFor(p, conversation.Message{Kind: conversation.MsgDraft, To: tt.to, Draft: d}).Draft
			if v == nil {
				t.Fatal("ViewFor(draft).Draft = nil")
			}
			var needs, partner []int
			byNumber := map[int]templates.DraftStatement{}
			for _, g := range v.Groups {
				for _, s := range g.Statements {
					byNumber[s.Number] = s
					if s.NeedsYou {
						needs = append(needs, s.Number)
					}
					if s.AgreedByPartner {
						partner = append(partner, s.Number)
					}
					if want := d.Statements[s.Number-1].AuthorID == tt.to.ID; s.Mine != want {
						t.Errorf("statement %d: Mine = %v, want %v", s.Number, s.Mine, want)
					}
				}
			}
			if !slices.Equal(needs, tt.needs) {
				t.Errorf("NeedsYou on %v, want %v", needs, tt.needs)
			}
			if !slices.Equal(partner, tt.partner) {
				t.Errorf("AgreedByPartner on %v, want %v", partner, tt.partner)
			}
			if v.OpenForYou != tt.open || v.WaitingForPartner != tt.waiting || v.Example.Keep != tt.keep {
				t.Errorf("OpenForYou, WaitingForPartner, Example.Keep = %d, %d, %d, want %d, %d, %d", v.OpenForYou, v.WaitingForPartner, v.Example.Keep, tt.open, tt.waiting, tt.keep)
			}
			if tt.round == 0 {
				return
			}
			// Sam rewrote his own statement 5 and proposed to drop Dana's 6.
			changed := byNumber[5]
			if changed.Was != "I say what bothers me instead of letting it sit." || changed.WasAuthor != "Sam" || changed.WasMine != (tt.to == sam) {
				t.Errorf("statement 5: Was %q by %q (mine %v), want Sam's earlier words", changed.Was, changed.WasAuthor, changed.WasMine)
			}
			if changed.Mine != (tt.to == sam) || changed.Author != "Sam" {
				t.Errorf("statement 5: Author %q, Mine %v", changed.Author, changed.Mine)
			}
			if drop := byNumber[6]; !drop.DropProposed || drop.DropByYou != tt.dropByYou {
				t.Errorf("statement 6: DropProposed %v, DropByYou %v, want true, %v", drop.DropProposed, drop.DropByYou, tt.dropByYou)
			}
			if added := byNumber[12]; added.Author != "Dana" || len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Theme != "" {
				t.Errorf("statement 12: Author %q, last group %+v, want Dana's addition in a group of its own", added.Author, v.Groups[len(v.Groups)-1])
			}
		})
	}
}

// TestDraftMailShowsPendingChange checks that the partner's change shows
// the words it replaces, and the proposed drop how to answer it, in both
// parts of the mail.
func TestDraftMailShowsPendingChange(t *testing.T) {
	t.Parallel()
	var draft *Sample
	for _, s := range samples(t) {
		if s.Name == "draft-round-2" {
			draft = &s
		}
	}
	if draft == nil {
		t.Fatal("no draft-round-2 sample")
	}
	v := draft.Letter.View
	v.Service = "Accord"
	r, err := templates.RenderMail(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ name, body string }{{"text", r.Text}, {"html", r.HTML}} {
		body := strings.Join(strings.Fields(strings.ReplaceAll(part.body, "  | ", " ")), " ")
		for _, want := range []string{
			"Sam rewrote this statement; it needs your word. Before:",
			"I say what bothers me instead of letting it sit.",
			"I say what bothers me within a day, instead of letting it sit.",
			"Sam proposes to drop this",
			"keep 6",
			"round 2 of your draft agreement",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q", part.name, want)
			}
		}
	}
	if want := "[Accord · Sam] Your draft agreement — round 2 of 3"; r.Subject != want {
		t.Errorf("Subject = %q, want %q", r.Subject, want)
	}
}

// numbers is from, from+1, …, to.
func numbers(from, to int) []int {
	var out []int
	for n := from; n <= to; n++ {
		out = append(out, n)
	}
	return out
}

// TestExportWhileDrafting: an export during drafting holds the draft
// under way, with what needs the reader's word, before any agreement.
func TestExportWhileDrafting(t *testing.T) {
	t.Parallel()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 3, 8, 9, 0, 0, 0, time.UTC)
	p, _, err := draftRounds(set, conversation.DefaultRules(), berlin, now)
	if err != nil {
		t.Fatal(err)
	}
	if !p.DraftOpen() {
		t.Fatal("no draft open")
	}
	md, err := ExportMarkdown(p, p.Participants[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## The draft under way: round 1 of 3", "### What we commit to", "Dana: I protect your focus time. *(needs your word)*"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}
}
