package templates

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"time"

	"accord/conversation"
)

// shownSamples stand for the values a command shown in mail is written
// with, as the mail writes them.
var shownSamples = map[string]string{".FreeAt": "15:30"}

// sharedWords are commands a language may show as English writes them,
// because its speakers type them so too.
var sharedWords = map[string][]string{"fr": {"pause", "stop"}}

// shownMarkers are the functions a template marks a reply command with.
var shownMarkers = map[string]bool{"cmd": true, "checkinCmd": true, "draftCmd": true, "keptCmd": true, "rewriteCmd": true}

// shownWords stand for the person's own words after a command a mail
// shows up to its colon ("change 2:", "add:").
const shownWords = "words"

// shownNumber finds the numbers a kept rating names, for the statements
// it rates.
var shownNumber = regexp.MustCompile(`[0-9]+`)

// shownCmd is a reply command a template shows: the marker (cmd or
// checkinCmd) and the words it renders.
type shownCmd struct {
	marker, text string
}

// shownCommands lists, in order, the commands a template marks with one
// of shownMarkers, their values written as shownSamples has them.
func shownCommands(root parse.Node) ([]shownCmd, error) {
	var out []shownCmd
	var errs []error
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(x.Pipe)
		case *parse.PipeNode:
			if x == nil {
				return
			}
			for _, c := range x.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if id, ok := x.Args[0].(*parse.IdentifierNode); ok && shownMarkers[id.Ident] {
				var words []string
				for _, a := range x.Args[1:] {
					switch a := a.(type) {
					case *parse.StringNode:
						words = append(words, a.Text)
					case *parse.FieldNode:
						sample, ok := shownSamples["."+strings.Join(a.Ident, ".")]
						if !ok {
							errs = append(errs, fmt.Errorf("%s: no sample for %s", x, a))
						}
						words = append(words, sample)
					default:
						errs = append(errs, fmt.Errorf("%s: cannot read %s", x, a))
					}
				}
				out = append(out, shownCmd{id.Ident, strings.Join(words, " ")})
				return
			}
			for _, a := range x.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.RangeNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.WithNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.TemplateNode:
			walk(x.Pipe)
		}
	}
	walk(root)
	return out, errors.Join(errs...)
}

// readShown reads a shown command with the parser that reads replies to
// mail that shows it, at a fixed time, and describes what it reads: the
// kind of command and its arguments, or the problem of a command word
// that wants more ("language").
func readShown(c shownCmd) (string, error) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	day := func(d conversation.Date) string {
		if d.IsZero() {
			return "-"
		}
		return d.String()
	}
	var desc string
	var err error
	switch c.marker {
	case "cmd":
		var cmd conversation.Command
		cmd, err = conversation.ParseCommand(c.text, now, time.UTC)
		until := "-"
		if !cmd.Until.IsZero() {
			until = cmd.Until.Format(time.RFC3339)
		}
		desc = fmt.Sprintf("%s until %s language %q", cmd.Kind, until, cmd.Language)
	case "checkinCmd":
		var cmd conversation.CheckinCommand
		// Replies to check-in mail are read in its context.
		cmd, err = conversation.ParseCheckinCommand(c.text, now, time.UTC, true)
		desc = fmt.Sprintf("check-in %s on %s (week %v) until %s", cmd.Kind, day(cmd.Date), cmd.Week, day(cmd.Until))
		if t := cmd.To; t != (conversation.MoveTarget{}) {
			desc += " to"
			if !t.Date.IsZero() {
				desc += " " + t.Date.String()
			}
			if t.HasWeekday {
				desc += " " + t.Weekday.String()
			}
			if t.HasTime {
				desc += " " + t.At.String()
			}
		}
		if cmd.Kind == conversation.CheckinCmdMoveSeries {
			desc += fmt.Sprintf(" to %s (given %v)", cmd.Series.Schedule.Spec(), cmd.Series.Given)
		}
	case "draftCmd":
		var r conversation.DraftReply
		r, err = conversation.ParseDraftReply(withWords(c.text))
		desc = "draft"
		for _, dc := range r.Commands {
			desc += fmt.Sprintf(" %s all %v %v words %v;", dc.Kind, dc.All, dc.Numbers, dc.Text != "")
		}
	case "keptCmd":
		n := 1
		for _, m := range shownNumber.FindAllString(c.text, -1) {
			k, _ := strconv.Atoi(m)
			n = max(n, k)
		}
		var kept map[int]conversation.Kept
		kept, err = conversation.ParseKept(c.text, n)
		desc = fmt.Sprintf("kept %v", kept)
	case "rewriteCmd":
		rest, rws, ok := conversation.ParseRewrites(withWords(c.text))
		if !ok || rest != "" {
			err = fmt.Errorf("no rewrite")
		}
		desc = "rewrite"
		for _, rw := range rws {
			desc += fmt.Sprintf(" %d words %v;", rw.Number, rw.Text != "")
		}
	default:
		return "", fmt.Errorf("unknown marker %s", c.marker)
	}
	if ce, ok := errors.AsType[*conversation.CommandError](err); ok {
		return "problem " + string(ce.Problem.Code), nil
	}
	if err != nil {
		return "", err
	}
	return desc, nil
}

// withWords puts the person's words after a command shown up to its
// colon.
func withWords(text string) string {
	if strings.HasSuffix(text, ":") {
		return text + " " + shownWords
	}
	return text
}

// TestShownCommandsRead: every reply command a mail, a problem, the
// agreement page or the unsubscribe page shows, in every language, is
// read by the parser that reads replies to it, as the same command the
// English template shows in its place. So no mail teaches a
// command that does nothing, and none teaches English where its
// language's own words work, except the few its speakers share with
// English.
func TestShownCommandsRead(t *testing.T) {
	t.Parallel()
	type family struct {
		name  string
		trees func(lang string) map[string]*parse.Tree
	}
	families := []family{
		{"mail text", func(lang string) map[string]*parse.Tree { return textTrees(mailSets[lang].text) }},
		{"mail html", func(lang string) map[string]*parse.Tree { return htmlTrees(mailSets[lang].html) }},
		{"problems", func(lang string) map[string]*parse.Tree { return textTrees(problemSets[lang]) }},
		{"documents (HTML)", func(lang string) map[string]*parse.Tree { return htmlTrees(docSets[lang].html) }},
		{"web pages", func(lang string) map[string]*parse.Tree { return htmlTrees(webSets[lang]) }},
		{"calendar text", func(lang string) map[string]*parse.Tree { return textTrees(icalSets[lang]) }},
	}
	for _, f := range families {
		en := f.trees(DefaultLanguage)
		for _, lang := range languages {
			t.Run(f.name+" "+lang, func(t *testing.T) {
				t.Parallel()
				trees := f.trees(lang)
				total := 0
				for _, name := range slices.Sorted(maps.Keys(en)) {
					want, err := shownCommands(en[name].Root)
					if err != nil {
						t.Errorf("template %q in English: %v", name, err)
					}
					tree, ok := trees[name]
					if !ok {
						continue // TestEveryLanguageComplete tells
					}
					got, err := shownCommands(tree.Root)
					if err != nil {
						t.Errorf("template %q: %v", name, err)
					}
					total += len(got)
					var gotRead, wantRead []string
					for _, c := range got {
						r, err := readShown(c)
						if err != nil {
							t.Errorf("template %q shows %s %q, which is not read as a command: %v", name, c.marker, c.text, err)
							r = fmt.Sprintf("%q not read", c.text)
						}
						gotRead = append(gotRead, r)
					}
					for _, c := range want {
						r, err := readShown(c)
						if err != nil {
							t.Errorf("template %q in English shows %s %q, which is not read as a command: %v", name, c.marker, c.text, err)
						}
						wantRead = append(wantRead, r)
					}
					if !slices.Equal(gotRead, wantRead) {
						t.Errorf("template %q shows commands that read\n\t%s\nwhere English shows commands that read\n\t%s", name, strings.Join(gotRead, "\n\t"), strings.Join(wantRead, "\n\t"))
						continue
					}
					if lang == DefaultLanguage {
						continue
					}
					for i, c := range got {
						if c.text == want[i].text && !slices.Contains(sharedWords[lang], c.text) {
							t.Errorf("template %q shows the English command %q, not its words in %s", name, c.text, lang)
						}
					}
				}
				if total == 0 {
					t.Errorf("no commands shown in %s %s", f.name, lang)
				}
			})
		}
	}
}
