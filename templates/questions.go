package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"accord/conversation"
)

//go:embed questions/*.toml
var questionFiles embed.FS

// DefaultQuestionsFile is the embedded question set used when the operator
// names none.
const DefaultQuestionsFile = "questions/default.toml"

// DefaultQuestionSet returns the question set Accord ships with.
func DefaultQuestionSet() (*conversation.QuestionSet, error) {
	data, err := questionFiles.ReadFile(DefaultQuestionsFile)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return ParseQuestionSet(DefaultQuestionsFile, data)
}

// translations holds the translations of the sets Accord ships with,
// questions/<name>.<language>.toml, read once.
var translations = sync.OnceValue(func() map[string]*conversation.QuestionSet {
	out := map[string]*conversation.QuestionSet{}
	files, _ := fs.Glob(questionFiles, "questions/*.*.toml")
	for _, name := range files {
		data, err := questionFiles.ReadFile(name)
		if err != nil {
			continue
		}
		set, err := ParseQuestionSet(name, data)
		if err != nil {
			continue // the tests hold every shipped file to parsing
		}
		out[translationKey(set.Name, set.Version, set.Language)] = set
	}
	return out
})

func translationKey(name string, version int, lang string) string {
	return name + "@" + strconv.Itoa(version) + "@" + lang
}

// Translation returns set as written in lang: the translation Accord ships
// of the same set and version, or nil when there is none (the set is
// already in lang, or it is the operator's own).
func Translation(set *conversation.QuestionSet, lang string) *conversation.QuestionSet {
	lang = Language(lang)
	if set == nil || Language(set.Language) == lang {
		return nil
	}
	return translations()[translationKey(set.Name, set.Version, lang)]
}

// LoadQuestionSet reads the question set file at path, or returns the
// built-in set when path is empty: the set questions.file names, or
// --questions overrides.
func LoadQuestionSet(path string) (*conversation.QuestionSet, error) {
	if path == "" {
		return DefaultQuestionSet()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("question set: %w", err)
	}
	return ParseQuestionSet(path, data)
}

// Problem is one thing wrong in a question set file.
type Problem struct {
	Line    int // 1-based; 0 when the problem has no single place
	Field   string
	Message string
}

// QuestionSetError lists every problem found in a question set file, so an
// operator can fix them all in one go.
type QuestionSetError struct {
	File     string
	Problems []Problem
}

func (e *QuestionSetError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
		if p.Field != "" {
			b.WriteString(p.Field + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

type rawSet struct {
	Set struct {
		Name     string `toml:"name"`
		Version  int    `toml:"version"`
		Title    string `toml:"title"`
		Language string `toml:"language"`
	} `toml:"set"`
	Question []rawQuestion `toml:"question"`
	Review   []rawQuestion `toml:"review"`
}

type rawQuestion struct {
	ID      string `toml:"id"`
	Theme   string `toml:"theme"`
	Title   string `toml:"title"`
	Section string `toml:"section"`
	Why     string `toml:"why"`
	Text    string `toml:"text"`
	Lead    string `toml:"lead"`
	Report  string `toml:"report"`
	Peer    string `toml:"peer"`
}

// ParseQuestionSet reads a question set file (TOML) and validates it. On
// failure the error is a *QuestionSetError naming the line and field of
// every problem. name is used in messages only.
func ParseQuestionSet(name string, data []byte) (*conversation.QuestionSet, error) {
	fail := func(ps ...Problem) error { return &QuestionSetError{File: name, Problems: ps} }
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			return nil, fail(Problem{Line: i + 1, Message: "the file is not UTF-8 text; save it as UTF-8"})
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw rawSet
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fail(decodeProblems(err)...)
	}
	lines := keyLines(data)
	set := &conversation.QuestionSet{
		Name:     strings.TrimSpace(raw.Set.Name),
		Version:  raw.Set.Version,
		Title:    strings.TrimSpace(raw.Set.Title),
		Language: strings.TrimSpace(raw.Set.Language),
	}
	for _, rq := range raw.Question {
		q := rq.question()
		if q.Section == "" {
			q.Section = conversation.SectionThemes
		}
		set.Questions = append(set.Questions, q)
	}
	for _, rq := range raw.Review {
		set.Review = append(set.Review, rq.question())
	}
	var problems []Problem
	for _, fe := range set.Validate() {
		message, err := ProblemText(fe.Problem)
		if err != nil {
			return nil, err
		}
		p := Problem{Message: message}
		if fe.Question < 0 {
			p.Field = "set." + fe.Field
			p.Line = lines.find("set."+fe.Field, "set")
		} else {
			list, qs, label := "question", set.Questions, "question"
			if fe.Review {
				list, qs, label = "review", set.Review, "review question"
			}
			at := list + "." + strconv.Itoa(fe.Question)
			p.Field = fmt.Sprintf("%s %d", label, fe.Question+1)
			if id := qs[fe.Question].ID; id != "" {
				p.Field += fmt.Sprintf(" (%s)", id)
			}
			p.Field += ", " + fe.Field
			p.Line = lines.find(at+"."+fe.Field, at)
		}
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		return nil, fail(problems...)
	}
	return set, nil
}

// question trims what the file says of one question. Wording fields left
// empty fall back to text.
func (rq rawQuestion) question() conversation.Question {
	q := conversation.Question{
		ID:      strings.TrimSpace(rq.ID),
		Theme:   strings.TrimSpace(rq.Theme),
		Title:   strings.TrimSpace(rq.Title),
		Section: conversation.Section(strings.TrimSpace(rq.Section)),
		Why:     strings.TrimSpace(rq.Why),
		Text:    strings.TrimSpace(rq.Text),
		Wording: map[conversation.Role]string{},
	}
	for role, w := range map[conversation.Role]string{conversation.RoleLead: rq.Lead, conversation.RoleReport: rq.Report, conversation.RolePeer: rq.Peer} {
		if w = strings.TrimSpace(w); w != "" {
			q.Wording[role] = w
		}
	}
	return q
}

func decodeProblems(err error) []Problem {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var ps []Problem
		for _, e := range strict.Errors {
			line, _ := e.Position()
			ps = append(ps, Problem{Line: line, Field: strings.Join(e.Key(), "."), Message: "unknown field; check its spelling against the format in the default set"})
		}
		return ps
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return []Problem{{Line: line, Field: strings.Join(de.Key(), "."), Message: decodeMessage(de)}}
	}
	return []Problem{{Message: err.Error()}}
}

var typeMismatch = regexp.MustCompile(`^cannot decode TOML (\w+) into .* of type (\w+)$`)

// decodeMessage turns the decoder's Go-flavoured messages into words an
// operator editing a file understands.
func decodeMessage(de *toml.DecodeError) string {
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	if m := typeMismatch.FindStringSubmatch(msg); m != nil {
		want := map[string]string{"int": "a whole number", "string": "text in quotes", "bool": "true or false"}[m[2]]
		if want == "" {
			want = "a " + m[2]
		}
		return fmt.Sprintf("found a TOML %s here, expected %s", m[1], want)
	}
	return msg
}

// lineIndex maps key paths such as "set.name", "question.2" (the header of
// the third question), "question.2.peer" and "review.0.title" to the line
// they are on.
type lineIndex map[string]int

// find returns the line of the first path that is present, or 0.
func (li lineIndex) find(paths ...string) int {
	for _, p := range paths {
		if l, ok := li[p]; ok {
			return l
		}
	}
	return 0
}

// keyLines walks the document's top-level expressions (the file already
// decoded, so it is valid TOML) and records where tables and keys are.
func keyLines(data []byte) lineIndex {
	li := make(lineIndex)
	var p unstable.Parser
	p.Reset(data)
	table := ""
	count := map[string]int{}
	keyOf := func(n *unstable.Node) (string, int) {
		var parts []string
		line := 0
		it := n.Key()
		for it.Next() {
			k := it.Node()
			if line == 0 {
				line = p.Shape(k.Raw).Start.Line
			}
			parts = append(parts, string(k.Data))
		}
		return strings.Join(parts, "."), line
	}
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table:
			k, line := keyOf(n)
			table, li[k] = k, line
		case unstable.ArrayTable:
			k, line := keyOf(n)
			if k == "question" || k == "review" {
				n := count[k]
				count[k]++
				k += "." + strconv.Itoa(n)
			}
			table, li[k] = k, line
		case unstable.KeyValue:
			k, line := keyOf(n)
			if table != "" {
				k = table + "." + k
			}
			if _, dup := li[k]; !dup {
				li[k] = line
			}
		}
	}
	return li
}
