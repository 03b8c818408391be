package templates

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
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

// prose is a run of four lowercase words, as in "there is no partnership":
// words for an operator, whether or not they start a sentence.
var prose = regexp.MustCompile(`(^|[\s(])[a-z]+( [a-z]+){3}($|[\s,.;:?!)])`)

// formatVerbs are the verbs of a format string, which stand for values:
// read as a word, as the values are.
var formatVerbs = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z%]`)

// longLog is a log message that says more than an event's short name: more
// than four words, or a second clause after a semicolon or a colon.
var longLog = regexp.MustCompile(`^\S+( \S+){4}|[;:] `)

// TestNoSentencesInCode keeps every sentence a person or an operator reads
// in templates/: it reads every string literal of the domain, the adapters
// and the application step (conversation, mailin, mailout, store and their
// packages, internal/apply, and the tests' internal/corpus) and fails on
// one that reads like a sentence. There, error values, log records,
// regular expressions and queries are for programs and logs, not people,
// and are not read; nor is mailout/samples.go, whose sentences are what
// sample people write in the previews and golden files.
//
// In accord's commands and the packages under internal/, errors are what
// the operator reads, so they are read too, and so is any run of four
// lowercase words; a log message there is an event's short name, four
// words at most and one clause, and anything longer is an operator text.
// internal/demo/people.go is not read: its sentences are what the demo's
// simulated people write.
func TestNoSentencesInCode(t *testing.T) {
	t.Parallel()
	read := 0
	for _, group := range []struct {
		patterns []string
		except   []string
		operator bool
	}{
		{[]string{"../conversation/*.go", "../mailin/*.go", "../mailin/*/*.go", "../mailout/*.go", "../mailout/*/*.go", "../store/*.go", "../store/*/*.go",
			"../internal/apply/*.go", "../internal/corpus/*.go"}, []string{"/mailtest/", "/mailout/samples.go"}, false},
		{[]string{"../cmd/accord/*.go", "../internal/*/*.go"}, []string{"/internal/apply/", "/internal/corpus/", "/internal/demo/people.go"}, true},
	} {
		var files []string
		for _, pattern := range group.patterns {
			m, err := filepath.Glob(pattern)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, m...)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") || slices.ContainsFunc(group.except, func(part string) bool { return strings.Contains(name, part) }) {
				continue
			}
			read++
			for _, s := range sentencesIn(t, name, group.operator) {
				t.Errorf("%s; put it in templates/", s)
			}
		}
	}
	if read < 80 {
		t.Fatalf("read %d Go files; is the test running in templates/?", read)
	}
}

// sentencesIn lists the string literals of a Go file that read like words
// for a person, each with where it is; operator says the file is one of
// accord's commands or internal/, where errors and logs are read too.
func sentencesIn(t *testing.T, name string, operator bool) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Field:
			// A struct tag is for programs (toml, json), not people; a
			// field with one holds no other literal.
			return x.Tag == nil
		case *ast.CallExpr:
			sel, ok := x.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "MustCompile":
				return false
			case "Errorf", "New":
				return operator
			case "Info", "Warn", "Error", "Debug":
				if !operator {
					return false
				}
				// A log message is an event's name; its other arguments
				// are read as any others.
				if len(x.Args) > 0 {
					if s, ok := stringLiteral(x.Args[0]); ok && longLog.MatchString(s) {
						found = append(found, fmt.Sprintf("%s: log message %q says more than an event's name", fset.Position(x.Pos()), s))
					}
				}
				for _, a := range x.Args[min(1, len(x.Args)):] {
					ast.Inspect(a, func(n ast.Node) bool {
						if lit, ok := n.(*ast.BasicLit); ok {
							found = append(found, literalSentence(fset, lit, operator)...)
						}
						return true
					})
				}
				return false
			}
		case *ast.BasicLit:
			found = append(found, literalSentence(fset, x, operator)...)
		}
		return true
	})
	return found
}

// literalSentence is why lit reads like words for a person, if it does.
func literalSentence(fset *token.FileSet, lit *ast.BasicLit, operator bool) []string {
	if lit.Kind != token.STRING {
		return nil
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return nil
	}
	s = strings.TrimSpace(s)
	switch {
	case sentence.MatchString(s) && !sqlWords.MatchString(s):
		return []string{fmt.Sprintf("%s: %q reads like a sentence for a person", fset.Position(lit.Pos()), s)}
	case operator && prose.MatchString(formatVerbs.ReplaceAllString(s, "x")):
		return []string{fmt.Sprintf("%s: %q reads like words for an operator", fset.Position(lit.Pos()), s)}
	}
	return nil
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
