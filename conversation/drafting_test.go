package conversation

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Dana (1) and Sam (2) draft together in these tests.
const (
	dana int64 = 1
	sam  int64 = 2
)

// showCommands writes a reply's commands one a line, the way a person
// would write them: "agree 1 2 3", "change 5: new words".
func showCommands(r DraftReply) []string {
	var out []string
	for _, c := range r.Commands {
		switch {
		case c.All:
			out = append(out, "agree all")
		case c.Kind == DraftChange:
			out = append(out, fmt.Sprintf("change %d: %s", c.Numbers[0], c.Text))
		case c.Kind == DraftAdd:
			out = append(out, "add: "+c.Text)
		default:
			s := string(c.Kind)
			for _, n := range c.Numbers {
				s += " " + strconv.Itoa(n)
			}
			out = append(out, s)
		}
	}
	return out
}

func TestParseDraftReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		// agree all, however said
		{"agree all", []string{"agree all"}},
		{"Agree all.", []string{"agree all"}},
		{"AGREE ALL", []string{"agree all"}},
		{"I agree with everything", []string{"agree all"}},
		{"agree to all", []string{"agree all"}},
		{"Agreed!", []string{"agree all"}},
		{"agreed, thanks", []string{"agree all"}},
		{"agree to the rest", []string{"agree all"}},
		// numbers and ranges
		{"agree 1-4, 6", []string{"agree 1 2 3 4 6"}},
		{"agree 1 - 4 and 6", []string{"agree 1 2 3 4 6"}},
		{"Agree: 1,2", []string{"agree 1 2"}},
		{"agree to 1 to 4", []string{"agree 1 2 3 4"}},
		{"agree #3, #5", []string{"agree 3 5"}},
		{"agree 1–3", []string{"agree 1 2 3"}},
		{"agree 1, 2, and 3", []string{"agree 1 2 3"}},
		{"agree 1 2 3", []string{"agree 1 2 3"}},
		{"agree 2, 2, 1", []string{"agree 2 1"}},
		{"agree statements 1 through 3", []string{"agree 1 2 3"}},
		{"agree 3-3", []string{"agree 3"}},
		{"agree 1-4 please", []string{"agree 1 2 3 4"}},
		{"agree 007", []string{"agree 7"}},
		// list markers
		{"- agree 1-2", []string{"agree 1 2"}},
		{"* drop 7", []string{"drop 7"}},
		{"• keep 3", []string{"keep 3"}},
		{"1. agree 3", []string{"agree 3"}},
		{"2) drop 4", []string{"drop 4"}},
		// drop and keep
		{"drop 7", []string{"drop 7"}},
		{"Remove 7, 8", []string{"drop 7 8"}},
		{"drop no. 7", []string{"drop 7"}},
		{"drop 7, please", []string{"drop 7"}},
		{"keep 3", []string{"keep 3"}},
		// change
		{"change 5: new words", []string{"change 5: new words"}},
		{"Change 5 - new words", []string{"change 5: new words"}},
		{"CHANGE #5 — Em dash", []string{"change 5: Em dash"}},
		{"change 5:\nnew words\non two lines", []string{"change 5: new words on two lines"}},
		{"change 5\n\nBelow.", []string{"change 5: Below."}},
		{"change 5: We  meet\n   weekly.", []string{"change 5: We meet weekly."}},
		{"change 5:\n- We meet weekly.", []string{"change 5: We meet weekly."}},
		{"change 5: Change the agenda\nChange it weekly", []string{"change 5: Change the agenda Change it weekly"}},
		{"change 5: a\nchange 5: b", []string{"change 5: a", "change 5: b"}},
		{"change 5: We meet Mondays.\nThanks!\nSam", []string{"change 5: We meet Mondays."}},
		// add
		{"add: We walk once a month.", []string{"add: We walk once a month."}},
		{"Add - a walk", []string{"add: a walk"}},
		{"add a new one: x y z", []string{"add: x y z"}},
		{"add:\nWe walk\nevery month", []string{"add: We walk every month"}},
		{"add:\n- We walk.\n- We talk.", []string{"add: We walk.", "add: We talk."}},
		{"add: first\n- second", []string{"add: first", "add: second"}},
		// several commands
		{"agree 1-4\nchange 5: x\ndrop 7\nadd: y", []string{"agree 1 2 3 4", "change 5: x", "drop 7", "add: y"}},
		{"agree all\nchange 5: Better words.", []string{"agree all", "change 5: Better words."}},
		{"change 5: Better words.\n\nagree to the rest", []string{"change 5: Better words.", "agree all"}},
		// quoted text
		{"agree 1-3\n\nOn Mon, 1 Feb 2027, Accord <a@example.test> wrote:\n> 1. Dana: I answer\n> drop 2", []string{"agree 1 2 3"}},
		{"> 4. Sam: text\nchange 4: mine\n> 5. Dana: other\n", []string{"change 4: mine"}},
		{"> 5. Dana: I answer within a day.\nagree 5", []string{"agree 5"}},
		// greetings, sign-offs, signatures
		{"Hi Dana,\n\nagree all\n\nThanks,\nSam", []string{"agree all"}},
		{"Hello!\nagree 1\nBest,\nSam Ortiz\nHead of Platform", []string{"agree 1"}},
		{"agree all\n\nThanks for putting this together!", []string{"agree all"}},
		{"agree all\n\nSent from my phone", []string{"agree all"}},
		{"agree all\n-- \nSam Ortiz\n+1 555 0100\ndrop 3", []string{"agree all"}},
		{"agree 2\n-----Original Message-----\nFrom: Accord\ndrop 3", []string{"agree 2"}},
		{"Thanks!\nagree all", []string{"agree all"}},
		{"agree 1\nCheers,\nSam\ndrop 2", []string{"agree 1", "drop 2"}},
		// line endings and invisible characters
		{"agree 1\r\nchange 2: x\r\n", []string{"agree 1", "change 2: x"}},
		{"agree 1\rdrop 2", []string{"agree 1", "drop 2"}},
		{"\ufeffagree all", []string{"agree all"}},
	}
	for _, tc := range tests {
		r, err := ParseDraftReply(tc.in)
		if err != nil {
			t.Errorf("ParseDraftReply(%q) = %v, want %q", tc.in, err, tc.want)
			continue
		}
		if got := showCommands(r); !slices.Equal(got, tc.want) {
			t.Errorf("ParseDraftReply(%q) = %q, want %q", tc.in, got, tc.want)
		}
		for _, c := range r.Commands {
			if !strings.Contains(tc.in, c.Line) || c.Line == "" {
				t.Errorf("ParseDraftReply(%q): command %s has line %q, not a line of the reply", tc.in, c.Kind, c.Line)
			}
		}
	}
}

func TestParseDraftReplyLines(t *testing.T) {
	t.Parallel()
	r, err := ParseDraftReply("Hi Sam,\n\n- agree 1-4\n  change 5:\n  We meet weekly.\nadd:\n- one\n- two\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.Commands {
		got = append(got, c.Line)
	}
	if want := []string{"- agree 1-4", "change 5:", "add:", "- two"}; !slices.Equal(got, want) {
		t.Errorf("ParseDraftReply lines = %q, want %q", got, want)
	}
}

func TestParseDraftReplyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		kind       DraftReplyErrorKind
		line       string
		number     int
		suggestion string
	}{
		{"", DraftReplyNothing, "", 0, ""},
		{"Hi Dana,\n\nThanks,\nSam", DraftReplyNothing, "", 0, ""},
		{"> agree all", DraftReplyNothing, "", 0, ""},
		{"agree 4-1", DraftReplyBackwards, "agree 4-1", 4, ""},
		{"agree 2, 9 to 3", DraftReplyBackwards, "agree 2, 9 to 3", 9, ""},
		{"agree 0", DraftReplyZero, "agree 0", 0, ""},
		{"drop 0", DraftReplyZero, "drop 0", 0, ""},
		{"agree 0-3", DraftReplyZero, "agree 0-3", 0, ""},
		{"change 0: zero", DraftReplyZero, "change 0: zero", 0, ""},
		{"change 5:", DraftReplyNoWords, "change 5:", 5, ""},
		{"change 5:\n\n", DraftReplyNoWords, "change 5:", 5, ""},
		{"change 5:\nagree 1", DraftReplyNoWords, "change 5:", 5, ""},
		{"add:", DraftReplyNoWords, "add:", 0, ""},
		{"add:\n> quoted", DraftReplyNoWords, "add:", 0, ""},
		{"drop", DraftReplyNoNumber, "drop", 0, ""},
		{"keep", DraftReplyNoNumber, "keep", 0, ""},
		{"drop please", DraftReplyNoNumber, "drop please", 0, ""},
		{"> 5. Dana: I answer within a day.\n\nagree", DraftReplyNoNumber, "agree", 0, ""},
		{"agree 1-4\nI'm not sure about 5 yet.", DraftReplyUnreadable, "I'm not sure about 5 yet.", 0, ""},
		{"change 5: x\n\nwhatever else here", DraftReplyUnreadable, "whatever else here", 0, ""},
		{"agre 1-4", DraftReplyUnreadable, "agre 1-4", 0, "agree 1-4"},
		{"chnage 5: x", DraftReplyUnreadable, "chnage 5: x", 0, "change 5: x"},
		{"dorp 7", DraftReplyUnreadable, "dorp 7", 0, "drop 7"},
		{"change 5: fine\nagre 1-4", DraftReplyUnreadable, "agre 1-4", 0, "agree 1-4"},
		{"accept 1-3", DraftReplyUnreadable, "accept 1-3", 0, "agree 1-3"},
		{"delete 7", DraftReplyUnreadable, "delete 7", 0, "drop 7"},
		{"OK!", DraftReplyUnreadable, "OK!", 0, "agree all"},
		{"Looks good to me!", DraftReplyUnreadable, "Looks good to me!", 0, "agree all"},
		{"change 5: x\ndrop 5", DraftReplyConflict, "drop 5", 5, ""},
		{"keep 3\ndrop 2-4", DraftReplyConflict, "drop 2-4", 3, ""},
		{"change 5: x\nkeep 5", DraftReplyConflict, "keep 5", 5, ""},
		{"drop 7 later", DraftReplyUnreadable, "drop 7 later", 0, ""},
		{"agree all except 5", DraftReplyUnreadable, "agree all except 5", 0, ""},
		{"agree 1234", DraftReplyUnreadable, "agree 1234", 0, ""},
		{"agree ٣", DraftReplyUnreadable, "agree ٣", 0, ""},
		{"agree 1.4", DraftReplyUnreadable, "agree 1.4", 0, ""},
		{"change 3 things", DraftReplyUnreadable, "change 3 things", 0, ""},
		{"add Dana: x", DraftReplyUnreadable, "add Dana: x", 0, ""},
		{"add a weekly walk", DraftReplyUnreadable, "add a weekly walk", 0, "add: a weekly walk"},
		{"Add-ons are welcome", DraftReplyUnreadable, "Add-ons are welcome", 0, ""},
		{"Thanks, but drop 7", DraftReplyUnreadable, "Thanks, but drop 7", 0, ""},
		{"agree all\nThanks, but I would rather meet on Mondays", DraftReplyUnreadable, "Thanks, but I would rather meet on Mondays", 0, ""},
		{"agree all\nCheers\nP.S. 5 is vague", DraftReplyUnreadable, "P.S. 5 is vague", 0, ""},
	}
	for _, tc := range tests {
		r, err := ParseDraftReply(tc.in)
		var de *DraftReplyError
		if !errors.As(err, &de) {
			t.Errorf("ParseDraftReply(%q) = %q, %v; want a *DraftReplyError", tc.in, showCommands(r), err)
			continue
		}
		if r.Commands != nil {
			t.Errorf("ParseDraftReply(%q) = %q with the error, want no commands", tc.in, showCommands(r))
		}
		got := fmt.Sprintf("%s %q %d %q", de.Kind, de.Line, de.Number, de.Suggestion)
		if want := fmt.Sprintf("%s %q %d %q", tc.kind, tc.line, tc.number, tc.suggestion); got != want {
			t.Errorf("ParseDraftReply(%q) = %s, want %s", tc.in, got, want)
		}
		if de.Error() == "" {
			t.Errorf("ParseDraftReply(%q) = an error without a message", tc.in)
		}
	}
}

// draftTexts are the statements of the drafts in the tests: Dana wrote
// the odd ones, Sam the even ones.
var draftTexts = []string{
	"We meet weekly.",
	"I send the agenda the day before.",
	"I answer within a day.",
	"We say what bothers us early.",
	"We keep notes in one document.",
	"I ask for help when stuck.",
}

// newTestDraft is a first round of draftTexts.
func newTestDraft(t testing.TB) *Draft {
	t.Helper()
	var ps []Proposal
	for i, text := range draftTexts {
		author := dana
		if i%2 == 1 {
			author = sam
		}
		ps = append(ps, Proposal{Number: i + 1, QuestionID: "commitments", Theme: "What we commit to", ParticipantID: author, Text: text})
	}
	return must[*Draft](t)(NewDraft(dana, sam, ps, t0))
}

// replyTo parses text and applies it as who's reply.
func replyTo(t testing.TB, d *Draft, who int64, text string) {
	t.Helper()
	r, err := ParseDraftReply(text)
	if err != nil {
		t.Fatalf("ParseDraftReply(%q) = %v", text, err)
	}
	if err := d.Apply(who, r, t0.Add(time.Hour)); err != nil {
		t.Fatalf("Apply(%d, %q) = %v", who, text, err)
	}
}

// showStatements writes statements as "number author [DS] text": who
// agrees (D for Dana, S for Sam, - for neither), then the drop proposal
// and replaced words, if any.
func showStatements(ss []Statement) []string {
	name := map[int64]string{dana: "Dana", sam: "Sam"}
	var out []string
	for _, s := range ss {
		marks := []byte("--")
		if s.Agreed[0] {
			marks[0] = 'D'
		}
		if s.Agreed[1] {
			marks[1] = 'S'
		}
		line := fmt.Sprintf("%d %s [%s] %s", s.Number, name[s.AuthorID], marks, s.Text)
		if s.DropBy != 0 {
			line += " (drop: " + name[s.DropBy] + ")"
		}
		if s.Was != "" {
			line += fmt.Sprintf(" (was %s: %s)", name[s.WasAuthorID], s.Was)
		}
		out = append(out, line)
	}
	return out
}

// agreedRest are the statements 3 to 6 when both agree to them.
var agreedRest = []string{
	"3 Dana [DS] I answer within a day.",
	"4 Sam [DS] We say what bothers us early.",
	"5 Dana [DS] We keep notes in one document.",
	"6 Sam [DS] I ask for help when stuck.",
}

func TestDraftApply(t *testing.T) {
	t.Parallel()
	type reply struct {
		who  int64
		text string
	}
	tests := []struct {
		name    string
		replies []reply
		want    []string // Merged, shown
		open    []int
		forDana []int
		forSam  []int
		settled bool
	}{
		{
			name:    "both agree to all",
			replies: []reply{{dana, "agree all"}, {sam, "Agreed!"}},
			want:    append([]string{"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before."}, agreedRest...),
			settled: true,
		},
		{
			name:    "agreeing to part leaves the rest open",
			replies: []reply{{dana, "agree 1-4"}, {sam, "agree all"}},
			want: []string{
				"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before.",
				"3 Dana [DS] I answer within a day.", "4 Sam [DS] We say what bothers us early.",
				"5 Dana [-S] We keep notes in one document.", "6 Sam [-S] I ask for help when stuck.",
			},
			open: []int{5, 6}, forDana: []int{5, 6},
		},
		{
			name:    "a change is the changer's and needs the partner",
			replies: []reply{{dana, "agree all"}, {sam, "agree all\nchange 1: We meet every Monday."}},
			want: append([]string{
				"1 Sam [-S] We meet every Monday. (was Dana: We meet weekly.)",
				"2 Sam [DS] I send the agenda the day before.",
			}, agreedRest...),
			open: []int{1}, forDana: []int{1},
		},
		{
			name:    "agreeing after the partner changed it agrees to the words that were sent",
			replies: []reply{{sam, "change 1: We meet every Monday.\nagree to the rest"}, {dana, "agree all"}},
			want: append([]string{
				"1 Sam [-S] We meet every Monday. (was Dana: We meet weekly.)",
				"2 Sam [DS] I send the agenda the day before.",
			}, agreedRest...),
			open: []int{1}, forDana: []int{1},
		},
		{
			name:    "new words equal to the old are an agreement",
			replies: []reply{{dana, "agree all"}, {sam, "agree all\nchange 2: I send the agenda  the day before."}},
			want:    append([]string{"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before."}, agreedRest...),
			settled: true,
		},
		{
			name:    "dropping your own withdraws it at once",
			replies: []reply{{dana, "drop 1\nagree 2-6"}, {sam, "agree all"}},
			want: []string{
				"1 Sam [DS] I send the agenda the day before.", "2 Dana [DS] I answer within a day.",
				"3 Sam [DS] We say what bothers us early.", "4 Dana [DS] We keep notes in one document.",
				"5 Sam [DS] I ask for help when stuck.",
			},
			settled: true,
		},
		{
			name:    "dropping the partner's needs their agreement",
			replies: []reply{{dana, "agree all\ndrop 2"}, {sam, "agree all"}},
			want:    append([]string{"1 Dana [DS] We meet weekly.", "2 Sam [D-] I send the agenda the day before. (drop: Dana)"}, agreedRest...),
			open:    []int{2}, forSam: []int{2},
		},
		{
			name:    "both dropping it drops it",
			replies: []reply{{dana, "agree all\ndrop 2"}, {sam, "agree all\ndrop 2"}},
			want: []string{
				"1 Dana [DS] We meet weekly.", "2 Dana [DS] I answer within a day.",
				"3 Sam [DS] We say what bothers us early.", "4 Dana [DS] We keep notes in one document.",
				"5 Sam [DS] I ask for help when stuck.",
			},
			settled: true,
		},
		{
			name:    "an addition is the sender's and needs the partner",
			replies: []reply{{dana, "agree all\nadd: We walk once a month."}, {sam, "agree all"}},
			want: append(append([]string{"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before."}, agreedRest...),
				"7 Dana [D-] We walk once a month."),
		},
		{
			name:    "the same addition from both is agreed",
			replies: []reply{{dana, "agree all\nadd: We walk once a month."}, {sam, "agree all\nadd: We walk once  a month."}},
			want: append(append([]string{"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before."}, agreedRest...),
				"7 Dana [DS] We walk once a month."),
			settled: true,
		},
		{
			name:    "different new words from both become two statements",
			replies: []reply{{dana, "agree all\nchange 2: I send the agenda two days before."}, {sam, "agree all\nchange 2: I send the agenda by Friday."}},
			want: append([]string{
				"1 Dana [DS] We meet weekly.",
				"2 Dana [D-] I send the agenda two days before. (was Sam: I send the agenda the day before.)",
				"3 Sam [-S] I send the agenda by Friday. (was Sam: I send the agenda the day before.)",
			}, renumbered(agreedRest, 1)...),
			open: []int{2}, forDana: []int{2}, forSam: []int{2},
		},
		{
			name:    "the same new words from both are agreed",
			replies: []reply{{dana, "agree all\nchange 2: I send the agenda by Friday."}, {sam, "agree all\nchange 2: I send the agenda by Friday."}},
			want: append([]string{
				"1 Dana [DS] We meet weekly.",
				"2 Dana [DS] I send the agenda by Friday. (was Sam: I send the agenda the day before.)",
			}, agreedRest...),
			settled: true,
		},
		{
			name:    "new words beat a drop",
			replies: []reply{{dana, "agree all\ndrop 2"}, {sam, "agree all\nchange 2: I send the agenda by Friday."}},
			want: append([]string{
				"1 Dana [DS] We meet weekly.",
				"2 Sam [-S] I send the agenda by Friday. (was Sam: I send the agenda the day before.)",
			}, agreedRest...),
			open: []int{2}, forDana: []int{2},
		},
		{
			name:    "withdrawn words leave the partner's new words",
			replies: []reply{{dana, "agree all\nchange 2: Dana sends the agenda."}, {sam, "agree all\ndrop 2"}},
			want: append([]string{
				"1 Dana [DS] We meet weekly.",
				"2 Dana [D-] Dana sends the agenda. (was Sam: I send the agenda the day before.)",
			}, agreedRest...),
			open: []int{2}, forSam: []int{2},
		},
		{
			name:    "withdrawn words go though the partner agreed",
			replies: []reply{{dana, "agree all"}, {sam, "agree all\ndrop 2"}},
			want:    append([]string{"1 Dana [DS] We meet weekly."}, renumbered(agreedRest, -1)...),
			settled: true,
		},
		{
			name:    "a later reply's word replaces the earlier",
			replies: []reply{{dana, "agree all\nchange 3: I answer within two days."}, {dana, "agree 3"}, {sam, "agree all"}},
			want:    append([]string{"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before."}, agreedRest...),
			settled: true,
		},
		{
			name:    "a later agree all leaves an earlier change",
			replies: []reply{{dana, "change 3: I answer within two days."}, {dana, "agree all"}, {sam, "agree all"}},
			want: []string{
				"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before.",
				"3 Dana [D-] I answer within two days. (was Dana: I answer within a day.)",
				"4 Sam [DS] We say what bothers us early.", "5 Dana [DS] We keep notes in one document.",
				"6 Sam [DS] I ask for help when stuck.",
			},
			open: []int{3}, forSam: []int{3},
		},
		{
			name:    "of two changes in one reply the later wins",
			replies: []reply{{dana, "agree all\nchange 3: first\nchange 3: second"}, {sam, "agree all"}},
			want: []string{
				"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before.",
				"3 Dana [D-] second (was Dana: I answer within a day.)",
				"4 Sam [DS] We say what bothers us early.", "5 Dana [DS] We keep notes in one document.",
				"6 Sam [DS] I ask for help when stuck.",
			},
			open: []int{3}, forSam: []int{3},
		},
		{
			name:    "keeping a statement nobody proposed to drop agrees to it",
			replies: []reply{{dana, "keep 1-6"}, {sam, "agree all"}},
			want:    append([]string{"1 Dana [DS] We meet weekly.", "2 Sam [DS] I send the agenda the day before."}, agreedRest...),
			settled: true,
		},
		{
			name:    "one side never replies",
			replies: []reply{{dana, "agree all"}},
			want: []string{
				"1 Dana [D-] We meet weekly.", "2 Sam [D-] I send the agenda the day before.",
				"3 Dana [D-] I answer within a day.", "4 Sam [D-] We say what bothers us early.",
				"5 Dana [D-] We keep notes in one document.", "6 Sam [D-] I ask for help when stuck.",
			},
			open: []int{1, 2, 3, 4, 5, 6}, forSam: []int{1, 2, 3, 4, 5, 6},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newTestDraft(t)
			for _, r := range tc.replies {
				replyTo(t, d, r.who, r.text)
			}
			if got := showStatements(d.Merged()); !slices.Equal(got, tc.want) {
				t.Errorf("Merged() =\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
			for _, c := range []struct {
				call      string
				got, want []int
			}{
				{"Open()", d.Open(), tc.open},
				{"OpenFor(Dana)", d.OpenFor(dana), tc.forDana},
				{"OpenFor(Sam)", d.OpenFor(sam), tc.forSam},
			} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s = %v, want %v", c.call, c.got, c.want)
				}
			}
			if got := d.Settled(); got != tc.settled {
				t.Errorf("Settled() = %v, want %v", got, tc.settled)
			}
			if got := d.Responded(sam); got != slices.ContainsFunc(tc.replies, func(r reply) bool { return r.who == sam }) {
				t.Errorf("Responded(Sam) = %v after %d replies", got, len(tc.replies))
			}
		})
	}
}

// renumbered shifts the numbers of shown statements by delta.
func renumbered(lines []string, delta int) []string {
	var out []string
	for _, l := range lines {
		n, rest, _ := strings.Cut(l, " ")
		i, _ := strconv.Atoi(n)
		out = append(out, fmt.Sprintf("%d %s", i+delta, rest))
	}
	return out
}

func TestDraftApplyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		who  int64
		r    DraftReply
		want error
	}{
		{
			name: "a number past the draft",
			who:  dana,
			r:    DraftReply{Commands: []DraftCommand{{Kind: DraftAgree, Numbers: []int{1, 2, 7}, Line: "agree 1, 2, 7"}}},
			want: &DraftReplyError{Kind: DraftReplyUnknown, Line: "agree 1, 2, 7", Number: 7, Max: 6},
		},
		{
			name: "a change past the draft",
			who:  sam,
			r:    DraftReply{Commands: []DraftCommand{{Kind: DraftAgree, All: true}, {Kind: DraftChange, Numbers: []int{9}, Text: "x", Line: "change 9: x"}}},
			want: &DraftReplyError{Kind: DraftReplyUnknown, Line: "change 9: x", Number: 9, Max: 6},
		},
		{name: "a stranger", who: 3, r: DraftReply{Commands: []DraftCommand{{Kind: DraftAgree, All: true}}}, want: ErrUnknownParticipant},
		{name: "nothing", who: dana, r: DraftReply{}, want: &DraftReplyError{Kind: DraftReplyNothing}},
		{
			name: "a change and a drop of one statement",
			who:  dana,
			r:    DraftReply{Commands: []DraftCommand{{Kind: DraftDrop, Numbers: []int{2}}, {Kind: DraftChange, Numbers: []int{2}, Text: "x", Line: "change 2: x"}}},
			want: &DraftReplyError{Kind: DraftReplyConflict, Line: "change 2: x", Number: 2},
		},
		{
			name: "a change without words",
			who:  dana,
			r:    DraftReply{Commands: []DraftCommand{{Kind: DraftChange, Numbers: []int{2}, Text: "  ", Line: "change 2:"}}},
			want: &DraftReplyError{Kind: DraftReplyNoWords, Line: "change 2:", Number: 2},
		},
	}
	for _, tc := range tests {
		d := newTestDraft(t)
		before := showStatements(d.Merged())
		err := d.Apply(tc.who, tc.r, t0)
		var de, want *DraftReplyError
		switch {
		case errors.As(tc.want, &want):
			if !errors.As(err, &de) || *de != *want {
				t.Errorf("%s: Apply = %#v, want %#v", tc.name, err, want)
			}
		case !errors.Is(err, tc.want):
			t.Errorf("%s: Apply = %v, want %v", tc.name, err, tc.want)
		}
		if d.Responded(tc.who) || !slices.Equal(showStatements(d.Merged()), before) {
			t.Errorf("%s: Apply recorded something of a refused reply", tc.name)
		}
	}
	err := &DraftReplyError{Kind: DraftReplyUnknown, Line: "agree 1-9", Number: 7, Max: 6}
	if got, want := err.Error(), "the draft has no statement 7; its statements run from 1 to 6"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestDraftRounds takes a draft through a round with a change and an
// addition to a signed second round.
func TestDraftRounds(t *testing.T) {
	t.Parallel()
	d := newTestDraft(t)
	replyTo(t, d, dana, "agree all\nchange 2: I send the agenda by Friday noon.")
	replyTo(t, d, sam, "Hi Dana,\n\nagree 1, 3-6\nadd: We take a walk once a month.\n\nThanks,\nSam")
	if d.Settled() {
		t.Fatal("Settled() after a change and an addition, want false")
	}
	next := must[*Draft](t)(d.NextRound(t0.Add(24 * time.Hour)))
	if next.Round != 2 || !next.Started.Equal(t0.Add(24*time.Hour)) || next.Responded(dana) || next.Responded(sam) {
		t.Errorf("NextRound() = round %d started %v, responded %v/%v; want round 2, fresh", next.Round, next.Started, next.Responded(dana), next.Responded(sam))
	}
	want := []string{
		"1 Dana [DS] We meet weekly.",
		"2 Dana [D-] I send the agenda by Friday noon. (was Sam: I send the agenda the day before.)",
		"3 Dana [DS] I answer within a day.",
		"4 Sam [DS] We say what bothers us early.",
		"5 Dana [DS] We keep notes in one document.",
		"6 Sam [DS] I ask for help when stuck.",
		"7 Sam [-S] We take a walk once a month.",
	}
	if got := showStatements(next.Statements); !slices.Equal(got, want) {
		t.Fatalf("round 2 =\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if got := next.OpenFor(sam); !slices.Equal(got, []int{2}) {
		t.Errorf("round 2 OpenFor(Sam) = %v, want [2]", got)
	}
	if got := next.OpenFor(dana); !slices.Equal(got, []int{7}) {
		t.Errorf("round 2 OpenFor(Dana) = %v, want [7]", got)
	}
	replyTo(t, next, sam, "agree 2")
	if next.Settled() {
		t.Fatal("Settled() with 7 still open for Dana, want false")
	}
	replyTo(t, next, dana, "agree all")
	if !next.Settled() {
		t.Fatalf("Settled() = false, want true; open %v", next.Open())
	}
	if got := len(next.Agreed()); got != 7 {
		t.Errorf("Agreed() holds %d statements, want 7", got)
	}
	if _, err := next.NextRound(t0); !errors.Is(err, ErrDraftSettled) {
		t.Errorf("NextRound() of a settled draft = %v, want ErrDraftSettled", err)
	}
}

// TestDraftDropAcrossRounds follows a proposed drop into the next round,
// where the author either agrees to it or keeps the statement.
func TestDraftDropAcrossRounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		answer string
		want   []string
		open   []int
	}{
		{"agree 2", []string{"1 Dana [DS] We meet weekly.", "2 Dana [DS] I answer within a day."}, nil},
		{"drop 2", []string{"1 Dana [DS] We meet weekly.", "2 Dana [DS] I answer within a day."}, nil},
		{"keep 2", []string{"1 Dana [DS] We meet weekly.", "2 Sam [-S] I send the agenda the day before.", "3 Dana [DS] I answer within a day."}, []int{2}},
	} {
		d := must[*Draft](t)(NewDraft(dana, sam, []Proposal{
			{ParticipantID: dana, Text: draftTexts[0]}, {ParticipantID: sam, Text: draftTexts[1]}, {ParticipantID: dana, Text: draftTexts[2]},
		}, t0))
		replyTo(t, d, dana, "agree all\ndrop 2")
		replyTo(t, d, sam, "agree all")
		next := must[*Draft](t)(d.NextRound(t0))
		if got := showStatements(next.Statements)[1]; got != "2 Sam [D-] I send the agenda the day before. (drop: Dana)" {
			t.Fatalf("round 2 statement 2 = %q, want Dana's proposal to drop it", got)
		}
		replyTo(t, next, sam, tc.answer)
		if got := showStatements(next.Merged()); !slices.Equal(got, tc.want) {
			t.Errorf("after %q: Merged() = %q, want %q", tc.answer, got, tc.want)
		}
		if got := next.Open(); !slices.Equal(got, tc.open) {
			t.Errorf("after %q: Open() = %v, want %v", tc.answer, got, tc.open)
		}
	}
}

// TestDraftRoundCap has two people who never settle one statement: Dana
// proposes to drop Sam's statement 2, Sam keeps it, Dana proposes again.
// The third round is the last, and what both agreed to is what remains.
func TestDraftRoundCap(t *testing.T) {
	t.Parallel()
	d := newTestDraft(t)
	replies := []struct{ dana, sam string }{
		{"agree all\ndrop 2", "agree all"},
		{"agree all", "keep 2"},
		{"agree all\ndrop 2", "agree all"},
	}
	for round := 1; ; round++ {
		if d.Round != round {
			t.Fatalf("round %d is numbered %d", round, d.Round)
		}
		if got, want := d.Exhausted(), round >= MaxDraftRounds; got != want {
			t.Errorf("round %d: Exhausted() = %v, want %v", round, got, want)
		}
		replyTo(t, d, dana, replies[round-1].dana)
		replyTo(t, d, sam, replies[round-1].sam)
		if got := d.Open(); !slices.Equal(got, []int{2}) {
			t.Errorf("round %d: Open() = %v, want [2]", round, got)
		}
		next, err := d.NextRound(t0)
		if round == MaxDraftRounds {
			if !errors.Is(err, ErrDraftExhausted) || next != nil {
				t.Fatalf("round %d: NextRound() = %v, %v; want ErrDraftExhausted", round, next, err)
			}
			break
		}
		if err != nil {
			t.Fatalf("round %d: NextRound() = %v", round, err)
		}
		d = next
	}
	if d.Settled() {
		t.Error("Settled() = true with statement 2 disputed, want false")
	}
	var agreed []string
	for _, s := range d.Agreed() {
		agreed = append(agreed, s.Text)
	}
	if want := slices.Delete(slices.Clone(draftTexts), 1, 2); !slices.Equal(agreed, want) {
		t.Errorf("Agreed() = %q, want %q", agreed, want)
	}
}

func TestNewDraft(t *testing.T) {
	t.Parallel()
	p := proposalPair(t, KindLeadReport, proposalSet(),
		map[string]string{"communication": "I answer within a day.", "values": "Honesty matters to me."},
		map[string]string{"commitments": "I bring an agenda to every meeting."},
	)
	a, b := p.Participants[0].ID, p.Participants[1].ID
	d := must[*Draft](t)(NewDraft(a, b, p.Proposals(), t0))
	got := fmt.Sprint(d.Round, d.People, showStatements(d.Statements))
	if want := fmt.Sprint(1, [2]int64{a, b}, []string{"1 Dana [--] I answer within a day.", "2 Sam [--] I bring an agenda to every meeting."}); got != want {
		t.Errorf("NewDraft(proposals) = %s, want %s", got, want)
	}
	if s := d.Statements[1]; s.QuestionID != "commitments" || s.Theme != "What we commit to" {
		t.Errorf("NewDraft statement 2 from %q (%q), want the commitments question", s.QuestionID, s.Theme)
	}
	for _, tc := range []struct {
		a, b int64
		ps   []Proposal
	}{
		{1, 1, nil},
		{0, 2, nil},
		{1, 2, []Proposal{{ParticipantID: 3, Text: "A stranger's words here."}}},
	} {
		if d, err := NewDraft(tc.a, tc.b, tc.ps, t0); err == nil {
			t.Errorf("NewDraft(%d, %d, %v) = %v, want an error", tc.a, tc.b, tc.ps, d)
		}
	}
	empty := must[*Draft](t)(NewDraft(a, b, nil, t0))
	if !empty.Settled() || len(empty.Agreed()) != 0 {
		t.Errorf("a draft without proposals: Settled() = %v, Agreed() = %v; want settled on nothing", empty.Settled(), empty.Agreed())
	}
}

// TestDraftJSON keeps a draft in mid-round whole through JSON, as the
// store will keep it.
func TestDraftJSON(t *testing.T) {
	t.Parallel()
	d := newTestDraft(t)
	replyTo(t, d, dana, "agree all\nchange 2: I send the agenda by Friday.\nadd: We walk once a month.")
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Draft
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(showStatements(back.Merged()), showStatements(d.Merged())) || !back.Responses[0].At.Equal(d.Responses[0].At) || back.Responded(sam) {
		t.Errorf("a draft through JSON (%s) reads differently", b)
	}
}

func ExampleParseDraftReply() {
	r, err := ParseDraftReply("Hi Dana,\n\nagree 1-4, 6\nchange 5: We meet on Mondays.\nadd: We take a walk once a month.\n\nThanks,\nSam")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range r.Commands {
		fmt.Println(strings.TrimSpace(fmt.Sprint(c.Kind, " ", c.Numbers, " ", c.Text)))
	}
	_, err = ParseDraftReply("agree 4-1")
	fmt.Println(err)
	// Output:
	// agree [1 2 3 4 6]
	// change [5] We meet on Mondays.
	// add [] We take a walk once a month.
	// the range in "agree 4-1" runs backwards
}

// FuzzParseDraftReply reads replies to a draft. Besides never panicking,
// an accepted reply's commands name only numbers written on their own
// line (or inside a range written there), and a draft with that many
// statements takes the reply.
func FuzzParseDraftReply(f *testing.F) {
	for _, s := range []string{
		"agree all", "agree 1-4, 6", "Agree: 1,2", "agree to 1 to 4", "change 5: new words", "change 5:\nbelow\n\nagree 1",
		"drop 7", "keep 3", "add: new statement", "add:\n- one\n- two", "agree all\nchange 5: x", "agree 4-1", "agree 0",
		"Hi Dana,\n\nagree 1\n\nThanks,\nSam", "agree 1\n\nOn Mon, Dana wrote:\n> drop 2", "> 5.\nagree", "agre 1-4", "OK",
		"agree 1\r\ndrop 2\rkeep 3", "change 5: x\ndrop 5", "agree #3 and #5", "agree 999", "agree 1-999", "agree 1000",
		"-- \ndrop 1", "agree all\nCheers\nSam", "change 5: a\nThanks!\nSam",
		"d'accord", "tout d'accord", "d'accord avec 1 à 3 et 5", "modifier 2 : mots", "supprimer 4", "garder 5", "ajouter : x",
		"einverstanden", "alle einverstanden", "ändern 2: x", "streichen 4", "behalten 5", "hinzufügen: x",
		"de acuerdo con todo", "cambiar 2: x", "quitar 4", "mantener 5", "añadir: x", "agree 1\nstreichen 2\nMerci,\nSam",
		"Oui, je pense que c'est bien.", "Je suis d’accord",
	} {
		f.Add(s)
	}
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		call := fmt.Sprintf("ParseDraftReply(%s)", clipped(text))
		r, err := ParseDraftReply(text)
		r2, err2 := ParseDraftReply(text)
		if !sameOutcome([]any{r, err}, []any{r2, err2}) {
			t.Fatalf("%s is not deterministic", call)
		}
		if err != nil {
			checkDraftReplyErr(t, call, text, r, err)
		} else {
			checkDraftReply(t, call, text, r)
		}
		if isASCII(text) {
			up, errUp := ParseDraftReply(strings.ToUpper(text))
			if draftOutline(up, errUp) != draftOutline(r, err) {
				t.Fatalf("%s = %s, but in upper case %s", call, draftOutline(r, err), draftOutline(up, errUp))
			}
		}
	})
}

// draftOutline is what case may not change in a reply's reading: the
// kinds and numbers of its commands, or the kind of its error.
func draftOutline(r DraftReply, err error) string {
	var de *DraftReplyError
	if errors.As(err, &de) {
		return fmt.Sprintf("error %s %d", de.Kind, de.Number)
	}
	var out []string
	for _, c := range r.Commands {
		out = append(out, fmt.Sprint(c.Kind, c.All, c.Numbers))
	}
	return strings.Join(out, "; ")
}

func checkDraftReplyErr(t *testing.T, call, text string, r DraftReply, err error) {
	t.Helper()
	var de *DraftReplyError
	if !errors.As(err, &de) {
		t.Fatalf("%s = %T %v, want a *DraftReplyError", call, err, err)
	}
	if r.Commands != nil {
		t.Fatalf("%s = commands %q and %v, want no commands with an error", call, showCommands(r), err)
	}
	switch de.Kind {
	case DraftReplyUnreadable, DraftReplyNoNumber, DraftReplyNoWords, DraftReplyZero, DraftReplyBackwards, DraftReplyConflict, DraftReplyNothing:
	default:
		t.Fatalf("%s = error of kind %q", call, de.Kind)
	}
	if (de.Line == "") != (de.Kind == DraftReplyNothing) || !strings.Contains(text, de.Line) || strings.HasPrefix(de.Line, ">") {
		t.Fatalf("%s = %s error quoting %q, not a line of the reply", call, de.Kind, de.Line)
	}
	if msg := de.Error(); msg == "" || len(msg) > maxMessage || !isLine(msg) {
		t.Fatalf("%s = error message %q, want a short line", call, msg)
	}
}

func checkDraftReply(t *testing.T, call, text string, r DraftReply) {
	t.Helper()
	if len(r.Commands) == 0 {
		t.Fatalf("%s = no commands and no error", call)
	}
	highest := 0
	for _, c := range r.Commands {
		if c.Line == "" || !strings.Contains(text, c.Line) || strings.HasPrefix(c.Line, ">") {
			t.Fatalf("%s = %s from %q, not a line of the reply", call, c.Kind, c.Line)
		}
		switch c.Kind {
		case DraftAgree:
			if !c.All && len(c.Numbers) == 0 || c.Text != "" {
				t.Fatalf("%s = agree %v %v %q", call, c.All, c.Numbers, c.Text)
			}
		case DraftDrop, DraftKeep:
			if c.All || len(c.Numbers) == 0 || c.Text != "" {
				t.Fatalf("%s = %s %v %v %q", call, c.Kind, c.All, c.Numbers, c.Text)
			}
		case DraftChange, DraftAdd:
			want := 1
			if c.Kind == DraftAdd {
				want = 0
			}
			if c.All || len(c.Numbers) != want || c.Text == "" || c.Text != strings.Join(strings.Fields(c.Text), " ") {
				t.Fatalf("%s = %s %v %q, want words on one line", call, c.Kind, c.Numbers, c.Text)
			}
		default:
			t.Fatalf("%s = command of kind %q", call, c.Kind)
		}
		written := writtenNumbers(c.Line)
		seen := make(map[int]bool)
		for _, n := range c.Numbers {
			if n < 1 || n > 999 || seen[n] || !withinWritten(n, written) {
				t.Fatalf("%s = %s %v from %q: %d is not written there", call, c.Kind, c.Numbers, c.Line, n)
			}
			seen[n] = true
			highest = max(highest, n)
		}
	}
	// A draft that has every number takes the reply; one that is short
	// names its range.
	var ps []Proposal
	for i := range highest {
		ps = append(ps, Proposal{ParticipantID: []int64{dana, sam}[i%2], Text: "Statement " + strconv.Itoa(i+1)})
	}
	d := must[*Draft](t)(NewDraft(dana, sam, ps, t0))
	if err := d.Apply(dana, r, t0); err != nil {
		t.Fatalf("%s: Apply to a draft of %d = %v", call, highest, err)
	}
	if d.Settled() && len(d.Open()) > 0 {
		t.Fatalf("%s: Settled() with Open() = %v", call, d.Open())
	}
	if highest > 1 {
		short := must[*Draft](t)(NewDraft(dana, sam, ps[:highest-1], t0))
		var de *DraftReplyError
		if err := short.Apply(sam, r, t0); !errors.As(err, &de) || de.Kind != DraftReplyUnknown || de.Max != highest-1 || short.Responded(sam) {
			t.Fatalf("%s: Apply to a draft of %d = %v, want it refused as unknown", call, highest-1, err)
		}
	}
}

// writtenNumbers are the values of the runs of digits on a line.
func writtenNumbers(line string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r < '0' || r > '9' }) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// withinWritten reports whether n is written or lies between two written
// numbers, as inside a range.
func withinWritten(n int, written []int) bool {
	lo, hi := false, false
	for _, w := range written {
		if w == n {
			return true
		}
		lo = lo || w < n
		hi = hi || w > n
	}
	return lo && hi
}
