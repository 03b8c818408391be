package templates

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"accord/conversation"
)

// TestReviewQuestions words each question a review asks whatever the set:
// a title that fits a subject line, a text, and the topic a commitment
// question is about.
func TestReviewQuestions(t *testing.T) {
	t.Parallel()
	for _, id := range []string{conversation.ReviewRating, conversation.ReviewDeveloping, conversation.ReviewBrings,
		conversation.ReviewNeeds, conversation.ReviewKeepChange, "commit"} {
		title, text, _, ok, err := ReviewQuestion(ReviewAsk{ID: id, Partner: "Sam", Topic: "What we commit to"})
		if err != nil || !ok {
			t.Errorf("%s: ok %v, err %v; want words", id, ok, err)
			continue
		}
		if title == "" || text == "" || utf8.RuneCountInString(title) > conversation.MaxTitleLength || strings.ContainsAny(title+text, "{}\r\n") {
			t.Errorf("%s: title %q, text %q; want one line each, a title of at most %d characters", id, title, text, conversation.MaxTitleLength)
		}
	}
	_, text, _, _, _ := ReviewQuestion(ReviewAsk{ID: "commit", Topic: "How we keep each other honest"})
	if !strings.Contains(text, "“How we keep each other honest”") {
		t.Errorf("commit question = %q, want it to name the topic", text)
	}
	if _, _, _, ok, _ := ReviewQuestion(ReviewAsk{ID: "no-such-question"}); ok {
		t.Error("a question without words was worded")
	}
}

// TestPhrases says every phrase put around a name.
func TestPhrases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{PartnerCalled("en", "Sam Ortiz"), "Sam"},
		{PartnerCalled("en", ""), "your partner"},
		{Described("en", conversation.RoleLead, "Sam"), "Sam, who reports to you"},
		{Described("en", conversation.RoleReport, "Dana"), "Dana, your manager"},
		{Described("en", conversation.RolePeer, "Ana"), "Ana"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// sentence is a string literal that reads like a sentence for a person:
// a capital letter, at least four words, and a full stop, question mark,
// exclamation mark or colon at the end.
var sentence = regexp.MustCompile(`^["“A-Z][^\n]*\s\S+\s\S+\s\S+.*[.?!:]$`)

// sqlWords mark a literal as a query rather than words for a person.
var sqlWords = regexp.MustCompile(`\b(SELECT|INSERT|UPDATE|DELETE|CREATE|FROM|WHERE)\b`)

// TestNoSentencesInCode keeps every sentence a person or an operator reads
// in templates/: it reads every string literal of the domain and the
// adapters (conversation, mailin, mailout, store and their packages) and
// fails on one that reads like a sentence. Error values, log records,
// regular expressions and queries are for programs and logs, not people,
// and are not read; nor is mailout/samples.go, whose sentences are what
// sample people write in the previews and golden files.
func TestNoSentencesInCode(t *testing.T) {
	t.Parallel()
	var files []string
	for _, pattern := range []string{"../conversation/*.go", "../mailin/*.go", "../mailin/*/*.go", "../mailout/*.go", "../mailout/*/*.go", "../store/*.go", "../store/*/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	read := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.Contains(name, "/mailtest/") || strings.HasSuffix(name, "/mailout/samples.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		read++
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
					switch sel.Sel.Name {
					case "Errorf", "New", "Info", "Warn", "Error", "Debug", "MustCompile":
						return false
					}
				}
			case *ast.BasicLit:
				if x.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(x.Value)
				if err != nil {
					return true
				}
				if s = strings.TrimSpace(s); sentence.MatchString(s) && !sqlWords.MatchString(s) {
					t.Errorf("%s: %q reads like a sentence for a person; put it in templates/", fset.Position(x.Pos()), s)
				}
			}
			return true
		})
	}
	if read < 50 {
		t.Fatalf("read %d Go files; is the test running in templates/?", read)
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int
		noun string
		want string
	}{
		{0, "sample", "0 samples"},
		{1, "sample", "1 sample"},
		{2, "sample", "2 samples"},
		{1, "word", "1 word"},
		{1, "person/people", "1 person"},
		{3, "person/people", "3 people"},
		{1, "reply/replies", "1 reply"},
		{2, "reply/replies", "2 replies"},
	}
	for _, tt := range tests {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	keys := []string{"pacing.quiet_start", "pacing.quiet_end", "pacing.quiet_days", "log.level", "mail.address"}
	commands := []string{"serve", "demo", "import", "pair", "send-test"}
	tests := []struct {
		typed      string
		candidates []string
		want       string
	}{
		{"pacing.quiet_strat", keys, "pacing.quiet_start"}, // swapped letters are one slip
		{"pacing.quite_start", keys, "pacing.quiet_start"},
		{"pacing.quiet_stat", keys, "pacing.quiet_start"},
		{"mail.adress", keys, "mail.address"},
		{"PACING.QUIET_END", keys, "pacing.quiet_end"},
		{"log.colour", keys, ""},
		{"imprt", commands, "import"},
		{"sever", commands, "serve"},
		{"send_test", commands, "send-test"},
		{"enrol", commands, ""},
		{"x", commands, ""},
		{"", commands, ""},
		{"anything", nil, ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.typed, tt.candidates); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}
