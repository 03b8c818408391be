package conversation

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DraftCommandKind names what a command in a reply to a draft asks for.
type DraftCommandKind string

// The commands of a reply to a draft.
const (
	// DraftAgree agrees to statements as the round's mail shows them.
	DraftAgree DraftCommandKind = "agree"
	// DraftChange offers new words for a statement.
	DraftChange DraftCommandKind = "change"
	// DraftDrop withdraws a statement of one's own or proposes to drop
	// the partner's.
	DraftDrop DraftCommandKind = "drop"
	// DraftKeep keeps a statement the partner proposed to drop.
	DraftKeep DraftCommandKind = "keep"
	// DraftAdd offers a new statement.
	DraftAdd DraftCommandKind = "add"
)

// DraftReply is a reply to a draft, read: its commands in the order
// written.
type DraftReply struct {
	Commands []DraftCommand
}

// DraftCommand is one command of a reply to a draft.
type DraftCommand struct {
	Kind DraftCommandKind
	// All marks "agree all": every statement of the round the reply says
	// nothing else about.
	All bool
	// Numbers are the statements an agree, drop or keep names, in the
	// order written, ranges spelled out and repeats left out; the one
	// statement a change names.
	Numbers []int
	// Text is the words of a change or addition, its lines joined by a
	// space.
	Text string
	// Line is the line of the reply the command starts on, trimmed, for
	// quoting back.
	Line string
}

// DraftReplyErrorKind says what is wrong with a reply to a draft.
type DraftReplyErrorKind string

// The kinds of DraftReplyError.
const (
	// DraftReplyUnreadable is a line that is no command, or a command
	// whose rest cannot be read; Suggestion may say what it looks like.
	DraftReplyUnreadable DraftReplyErrorKind = "unreadable"
	// DraftReplyNoNumber is a drop or keep without a number, or an agree
	// without one just below quoted text, where it may mean the quoted
	// statement rather than all.
	DraftReplyNoNumber DraftReplyErrorKind = "no-number"
	// DraftReplyNoWords is a change (Number) or addition with no words.
	DraftReplyNoWords DraftReplyErrorKind = "no-words"
	// DraftReplyZero is a statement number 0.
	DraftReplyZero DraftReplyErrorKind = "zero"
	// DraftReplyBackwards is a range that runs backwards, such as 4-1;
	// Number is where it starts.
	DraftReplyBackwards DraftReplyErrorKind = "backwards"
	// DraftReplyConflict is a reply that changes, drops or keeps the same
	// statement (Number) in two different ways.
	DraftReplyConflict DraftReplyErrorKind = "conflict"
	// DraftReplyNothing is a reply without any command.
	DraftReplyNothing DraftReplyErrorKind = "nothing"
	// DraftReplyUnknown is a number the draft does not have (see
	// Draft.Apply); the draft's numbers run from 1 to Max.
	DraftReplyUnknown DraftReplyErrorKind = "unknown"
)

// DraftReplyError is a reply to a draft that cannot be carried out as
// written. Nothing of such a reply is recorded; the fields let the mail
// quote the line at fault and say what would work.
type DraftReplyError struct {
	Kind DraftReplyErrorKind
	// Line is the line of the reply at fault, trimmed; empty for
	// DraftReplyNothing.
	Line string
	// Number is the statement number at fault, when there is one.
	Number int
	// Max is the draft's highest number, for DraftReplyUnknown.
	Max int
	// Suggestion is what the line may have meant ("agree 1-4" for "agre
	// 1-4"), or empty.
	Suggestion string
}

func (e *DraftReplyError) Error() string {
	var msg string
	switch e.Kind {
	case DraftReplyNoNumber:
		msg = fmt.Sprintf("no statement number in %s", quoteClipped(e.Line))
	case DraftReplyNoWords:
		msg = "no words to add"
		if e.Number > 0 {
			msg = fmt.Sprintf("no new words for statement %d", e.Number)
		}
	case DraftReplyZero:
		msg = fmt.Sprintf("statements are numbered from 1, in %s", quoteClipped(e.Line))
	case DraftReplyBackwards:
		msg = fmt.Sprintf("the range in %s runs backwards", quoteClipped(e.Line))
	case DraftReplyConflict:
		msg = fmt.Sprintf("%s says something else about statement %d than an earlier line", quoteClipped(e.Line), e.Number)
	case DraftReplyNothing:
		msg = "the reply holds no agree, change, drop, keep or add"
	case DraftReplyUnknown:
		msg = fmt.Sprintf("the draft has no statement %d", e.Number)
		if e.Max > 0 {
			msg = fmt.Sprintf("the draft has no statement %d; its statements run from 1 to %d", e.Number, e.Max)
		}
	default:
		msg = fmt.Sprintf("cannot read %s as agree, change, drop, keep or add", quoteClipped(e.Line))
	}
	if e.Suggestion != "" {
		msg += "; did you mean " + quoteClipped(e.Suggestion) + "?"
	}
	return msg
}

// replyPlan is what one reply decides: its word per number (a change,
// drop or keep, or else an explicit agree), whether it agrees to all the
// rest, and its additions.
type replyPlan struct {
	all       bool
	decided   map[int]DraftDecision
	additions []string
}

// planReply reads a reply's commands into a plan, refusing a reply that
// says nothing, numbers a statement 0, leaves a change or addition without
// words, or changes, drops or keeps one statement in two ways. A change,
// drop or keep wins over agreeing to the same number; of two changes, the
// later wins.
func planReply(r DraftReply) (replyPlan, error) {
	if len(r.Commands) == 0 {
		return replyPlan{}, &DraftReplyError{Kind: DraftReplyNothing}
	}
	p := replyPlan{decided: make(map[int]DraftDecision)}
	added := make(map[string]bool)
	for _, c := range r.Commands {
		fail := func(kind DraftReplyErrorKind, n int) error {
			return &DraftReplyError{Kind: kind, Line: c.Line, Number: n}
		}
		for _, n := range c.Numbers {
			if n < 1 {
				return replyPlan{}, fail(DraftReplyZero, n)
			}
		}
		switch c.Kind {
		case DraftAgree:
			if c.All {
				p.all = true
			} else if len(c.Numbers) == 0 {
				return replyPlan{}, fail(DraftReplyNoNumber, 0)
			}
			for _, n := range c.Numbers {
				if _, ok := p.decided[n]; !ok {
					p.decided[n] = DraftDecision{Kind: DraftAgree}
				}
			}
		case DraftChange:
			if len(c.Numbers) != 1 {
				return replyPlan{}, fail(DraftReplyNoNumber, 0)
			}
			n, text := c.Numbers[0], strings.TrimSpace(c.Text)
			if text == "" {
				return replyPlan{}, fail(DraftReplyNoWords, n)
			}
			if k := p.decided[n].Kind; k == DraftDrop || k == DraftKeep {
				return replyPlan{}, fail(DraftReplyConflict, n)
			}
			p.decided[n] = DraftDecision{Kind: DraftChange, Text: text}
		case DraftDrop, DraftKeep:
			if len(c.Numbers) == 0 {
				return replyPlan{}, fail(DraftReplyNoNumber, 0)
			}
			for _, n := range c.Numbers {
				if k := p.decided[n].Kind; k != "" && k != DraftAgree && k != c.Kind {
					return replyPlan{}, fail(DraftReplyConflict, n)
				}
				p.decided[n] = DraftDecision{Kind: c.Kind}
			}
		case DraftAdd:
			text := strings.TrimSpace(c.Text)
			if text == "" {
				return replyPlan{}, fail(DraftReplyNoWords, 0)
			}
			if !added[spaced(text)] {
				added[spaced(text)] = true
				p.additions = append(p.additions, text)
			}
		default:
			return replyPlan{}, fail(DraftReplyUnreadable, 0)
		}
	}
	return p, nil
}

// ParseDraftReply reads a person's reply to a draft, one command a line,
// in any case:
//
//	agree all                 every statement the reply says nothing else about
//	agree 1-4, 6              also "Agree: 1,2", "agree to 1 to 4", "agree #3 and #5"
//	change 5: new words       the words may also stand on the lines below
//	drop 7                    also "remove 7"; several numbers as for agree
//	keep 7                    keeps a statement the partner proposed to drop
//	add: new statement        each "- " item below an "add:" is one statement
//
// A bare "agree" ("Agreed!", "I agree") is agree all, except just below
// quoted text, where it may mean the quoted statement. List markers ("-",
// "•", "2.") are let go, and so are quoted lines (">") with the line that
// introduces them ("On …, Dana wrote:"), a greeting before the first
// command, a sign-off ("Thanks, Sam") and the lines below it that are no
// command, and everything from a signature separator ("-- ") or an
// "Original Message" line on. The words of a change or addition run to
// the next blank, quoted or command line or a sign-off.
//
// The commands read in French, German and Spanish too ("d'accord 1-3",
// "streichen 4", "añadir: …"; see draftLocalLeads), the words after them
// kept as written.
//
// Nothing unclear is half-applied: any other line, a command whose rest
// cannot be read, and contradictions (changing and dropping 5) make the
// whole reply a *DraftReplyError with no commands. Whether the numbers
// exist is for Draft.Apply to say.
func ParseDraftReply(text string) (DraftReply, error) {
	lines := replyLines(text)
	var (
		cmds      []DraftCommand
		open      = -1 // the change or addition in cmds still taking words
		words     []string
		quoted    bool // the last line that was not blank was quoted
		signedOff bool // a sign-off was read: what is no command below it is a signature
	)
	finish := func() error {
		if open < 0 {
			return nil
		}
		c := &cmds[open]
		c.Text = strings.Join(append(strings.Fields(c.Text), words...), " ")
		open, words = -1, nil
		if c.Text == "" {
			n := 0
			if len(c.Numbers) > 0 {
				n = c.Numbers[0]
			}
			return &DraftReplyError{Kind: DraftReplyNoWords, Line: c.Line, Number: n}
		}
		return nil
	}
	fail := func(err error) (DraftReply, error) { return DraftReply{}, err }
read:
	for i, raw := range lines {
		s := trimLine(raw)
		switch {
		case raw == "-- " || s == "--" || isOriginalMarker(s):
			break read
		case strings.HasPrefix(s, ">") || isAttribution(s, lines[i+1:]):
			if err := finish(); err != nil {
				return fail(err)
			}
			quoted = true
			continue
		case s == "":
			if open >= 0 && (len(words) > 0 || cmds[open].Text != "") {
				if err := finish(); err != nil {
					return fail(err)
				}
			}
			continue
		}
		dl, status, lerr := readDraftLine(s)
		if open >= 0 {
			if status == lineText || status == lineBad && !dl.firm {
				if isClosing(s) {
					if err := finish(); err != nil {
						return fail(err)
					}
					signedOff, quoted = true, false
					continue
				}
				body := stripMarker(s)
				if cmds[open].Kind == DraftAdd && body != s && (len(words) > 0 || cmds[open].Text != "") {
					// "- another": each item below an add is a statement.
					if err := finish(); err != nil {
						return fail(err)
					}
					cmds = append(cmds, DraftCommand{Kind: DraftAdd, Line: s})
					open = len(cmds) - 1
				}
				words = append(words, strings.Fields(body)...)
				quoted = false
				continue
			}
			if err := finish(); err != nil {
				return fail(err)
			}
		}
		switch status {
		case lineBad:
			return fail(lerr)
		case lineText:
			switch {
			case isClosing(s):
				signedOff = true
			case signedOff && !mentionsCommand(s),
				len(cmds) == 0 && isGreeting(s) && !mentionsCommand(s),
				isDeviceLine(s) && !mentionsCommand(s):
			default:
				err := &DraftReplyError{Kind: DraftReplyUnreadable, Line: s}
				if isAffirmative(s) {
					err.Suggestion = "agree all"
				}
				return fail(err)
			}
		case lineCommand:
			if dl.bare && quoted {
				return fail(&DraftReplyError{Kind: DraftReplyNoNumber, Line: s})
			}
			cmds = append(cmds, dl.cmd)
			if dl.words {
				open = len(cmds) - 1
			}
		}
		quoted = false
	}
	if err := finish(); err != nil {
		return fail(err)
	}
	r := DraftReply{Commands: unrepeated(cmds)}
	if _, err := planReply(r); err != nil {
		return fail(err)
	}
	return r, nil
}

// unrepeated leaves out of each agree, drop or keep the numbers an
// earlier command of its kind named, and the commands left with none: a
// reply then names each number at most once a kind, however often it
// repeats "agree 1-999".
func unrepeated(cmds []DraftCommand) []DraftCommand {
	seen := make(map[DraftCommandKind]*[maxDraftNumber + 1]bool)
	out := cmds[:0]
	for _, c := range cmds {
		if c.Kind == DraftChange || c.Kind == DraftAdd {
			out = append(out, c)
			continue
		}
		if seen[c.Kind] == nil {
			seen[c.Kind] = new([maxDraftNumber + 1]bool)
		}
		named := seen[c.Kind]
		var nums []int
		for _, n := range c.Numbers {
			if n >= 0 && n <= maxDraftNumber && !named[n] {
				named[n] = true
				nums = append(nums, n)
			}
		}
		if len(nums) > 0 || c.All {
			c.Numbers = nums
			out = append(out, c)
		}
	}
	return out
}

// replyLines splits a reply into lines at line feeds, carriage returns
// or both, so every line is a piece of the text as written.
func replyLines(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; c == '\n' || c == '\r' {
			out = append(out, text[start:i])
			if c == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	return append(out, text[start:])
}

// trimLine takes spaces and invisible format characters (a byte order
// mark, direction marks) off both ends of a line.
func trimLine(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
}

// lineStatus says how a line of a reply to a draft reads.
type lineStatus int

const (
	// lineText is no command: words of a change, a greeting, or
	// something unreadable.
	lineText lineStatus = iota
	// lineCommand is a command.
	lineCommand
	// lineBad starts like a command but cannot be read as one.
	lineBad
)

// draftLine is one line read as a command.
type draftLine struct {
	cmd DraftCommand
	// bare marks an agree with nothing after it.
	bare bool
	// words marks a change or addition whose words may continue below.
	words bool
	// firm marks a bad line that is surely meant as a command (a number,
	// "#", ":" or "all" follows the verb, or it is a slip of one that
	// reads): it is refused even among the words of a change.
	firm bool
}

// draftVerbs are the words a command starts with.
var draftVerbs = map[string]DraftCommandKind{
	"agree": DraftAgree, "agreed": DraftAgree,
	"change": DraftChange,
	"drop":   DraftDrop, "remove": DraftDrop,
	"keep": DraftKeep,
	"add":  DraftAdd,
}

// draftLookalikes are words people may use for a command; a line with
// one is refused with the command as a suggestion rather than guessed.
var draftLookalikes = map[string]DraftCommandKind{
	"accept": DraftAgree, "approve": DraftAgree, "yes": DraftAgree, "ok": DraftAgree, "okay": DraftAgree,
	"edit": DraftChange, "reword": DraftChange, "rewrite": DraftChange, "replace": DraftChange, "amend": DraftChange,
	"delete": DraftDrop, "cut": DraftDrop, "strike": DraftDrop,
}

// canonicalVerbs are the commands in the order a slip is matched to them.
var canonicalVerbs = []DraftCommandKind{DraftAgree, DraftChange, DraftDrop, DraftKeep, DraftAdd}

// readDraftLine reads one trimmed, non-blank line of a reply as a
// command: an optional list marker, the verb ("I agree" too), and what
// the verb takes.
func readDraftLine(s string) (draftLine, lineStatus, error) {
	body := stripMarker(s)
	if english, ok := localDraftLead(body); ok {
		body = english
	}
	word, rest := leadWord(body)
	lw := strings.ToLower(word)
	if lw == "i" && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		if w, r := leadWord(strings.TrimLeft(rest, " \t")); draftVerbs[strings.ToLower(w)] == DraftAgree {
			word, rest, lw = w, r, strings.ToLower(w)
		}
	}
	kind, ok := draftVerbs[lw]
	if !ok {
		if fixed, ok := draftSlip(lw, rest); ok {
			return draftLine{firm: true}, lineBad, &DraftReplyError{Kind: DraftReplyUnreadable, Line: s, Suggestion: fixed}
		}
		return draftLine{}, lineText, nil
	}
	dl, err := readDraftCommand(kind, rest)
	if err != nil {
		var de *DraftReplyError
		if errors.As(err, &de) {
			de.Line = s
		}
		return draftLine{firm: firmCommand(rest)}, lineBad, err
	}
	dl.cmd.Line = s
	return dl, lineCommand, nil
}

// draftSlip reads a first word one slip away from a command, or a word
// people use for one, with the rest of the line, and returns the line as
// the command would read when that makes a command.
func draftSlip(word, rest string) (string, bool) {
	if word == "" {
		return "", false
	}
	try := func(k DraftCommandKind) (string, bool) {
		dl, err := readDraftCommand(k, rest)
		switch {
		case err != nil:
			return "", false
		case dl.bare:
			return "agree all", true // "OK!" approves the whole draft, if anything
		}
		return string(k) + rest, true
	}
	if k, ok := draftLookalikes[word]; ok {
		return try(k)
	}
	for _, k := range canonicalVerbs {
		limit := 1
		if len(k) >= 6 {
			limit = 2
		}
		if EditDistance(word, string(k)) <= limit {
			if fixed, ok := try(k); ok {
				return fixed, true
			}
		}
	}
	return "", false
}

// firmCommand reports whether what follows a verb marks the line as a
// command: a number, "#", ":" or "all".
func firmCommand(rest string) bool {
	toks := draftTokens(rest)
	if len(toks) == 0 {
		return false
	}
	switch t := toks[0]; t.kind {
	case tokNumber, tokHash, tokColon:
		return true
	case tokWord:
		return t.word == "all" || t.word == "everything"
	}
	return false
}

// readDraftCommand reads what follows the verb of a command.
func readDraftCommand(kind DraftCommandKind, rest string) (draftLine, error) {
	switch kind {
	case DraftChange:
		// The same "change N: …" a review reads (see ParseRewrites).
		n, first, ok := rewriteLine("change" + rest)
		if !ok {
			return draftLine{}, &DraftReplyError{Kind: DraftReplyUnreadable}
		}
		if n == 0 {
			return draftLine{}, &DraftReplyError{Kind: DraftReplyZero}
		}
		return draftLine{cmd: DraftCommand{Kind: DraftChange, Numbers: []int{n}, Text: first}, words: true}, nil
	case DraftAdd:
		return readAddition(rest)
	}
	return readNumbers(kind, rest)
}

// addFillers may stand between "add" and its colon: "add a new one:".
var addFillers = wordSet("a an one new another more statement proposal item point this")

// readAddition reads what follows "add": optional fillers, then the end
// of the line or a separator (":", "-", "–", "—", "=") and the first
// words. "add Dana: …" is refused: additions are the sender's own.
func readAddition(rest string) (draftLine, error) {
	s := rest
	for {
		t := strings.TrimLeft(s, " \t")
		w, r := leadWord(t)
		if w == "" || !addFillers[strings.ToLower(w)] {
			break
		}
		s = r
	}
	gap := s != "" && (s[0] == ' ' || s[0] == '\t')
	t := strings.TrimLeft(s, " \t")
	if t == "" {
		return draftLine{cmd: DraftCommand{Kind: DraftAdd}, words: true}, nil
	}
	for _, sep := range []string{":", "=", "-", "–", "—"} {
		after, ok := strings.CutPrefix(t, sep)
		if !ok {
			continue
		}
		if sep != ":" && sep != "=" && !gap && after != "" && after[0] != ' ' && after[0] != '\t' {
			break // "add-on"
		}
		return draftLine{cmd: DraftCommand{Kind: DraftAdd, Text: strings.TrimSpace(after)}, words: true}, nil
	}
	err := &DraftReplyError{Kind: DraftReplyUnreadable}
	if r := strings.TrimSpace(rest); gap && !strings.Contains(r, ":") {
		err.Suggestion = "add: " + r // "add a weekly walk"
	}
	return draftLine{}, err
}

// numberFillers may stand before the numbers: "agree to statements 1-3",
// "drop no. 7".
var numberFillers = wordSet("to with on number numbers no nos statement statements item items point points proposal proposals" +
	" avec pour sur le la les numero numéro mit punkt punkte nummer nr der die den con en el los las punto puntos número")

// allPhrases are the ways to say all after agree, longest first.
var allPhrases = [][]string{
	{"all", "of", "the", "statements"}, {"all", "the", "rest"}, {"all", "the", "others"},
	{"all", "of", "it"}, {"all", "of", "them"}, {"all", "statements"}, {"all", "others"},
	{"the", "rest"}, {"the", "others"}, {"all"}, {"everything"},
	{"tout"}, {"tous"}, {"alle"}, {"allem"}, {"allen"}, {"todo"}, {"todos"},
}

// draftRangeWords join the ends of a range: "1 to 4".
var draftRangeWords = wordSet("to through thru till until à a au bis al")

// readNumbers reads what follows agree, drop or keep: an optional ":" or
// "-", fillers, then numbers and ranges ("1-4", "1 to 4") joined by
// commas, "and" or spaces, each number optionally after "#"; for agree
// also nothing at all or "all". Politeness and a full stop may end it.
func readNumbers(kind DraftCommandKind, rest string) (draftLine, error) {
	t := tokenReader{toks: draftTokens(rest)}
	if k := t.peek().kind; k == tokColon || k == tokDash {
		t.i++
	}
	for numberFillers[t.peek().word] {
		w := t.next().word
		if (w == "no" || w == "nos") && t.peek().kind == tokStop {
			t.i++
		}
	}
	if kind == DraftAgree {
		if t.end() {
			return draftLine{cmd: DraftCommand{Kind: kind, All: true}, bare: true}, nil
		}
		for _, ph := range allPhrases {
			save := t.i
			if t.words(ph) && t.end() {
				return draftLine{cmd: DraftCommand{Kind: kind, All: true}}, nil
			}
			t.i = save
		}
	}
	unreadable := &DraftReplyError{Kind: DraftReplyUnreadable}
	if t.end() {
		return draftLine{}, &DraftReplyError{Kind: DraftReplyNoNumber}
	}
	var nums []int
	var seen [maxDraftNumber + 1]bool
	for {
		from, ok := t.number()
		if !ok {
			return draftLine{}, unreadable
		}
		to := from
		if k := t.peek(); k.kind == tokDash || k.kind == tokWord && draftRangeWords[k.word] {
			t.i++
			if to, ok = t.number(); !ok {
				return draftLine{}, unreadable
			}
		}
		switch {
		case from < 0 || to < 0:
			return draftLine{}, unreadable // more digits than any draft has
		case from == 0 || to == 0:
			return draftLine{}, &DraftReplyError{Kind: DraftReplyZero}
		case to < from:
			return draftLine{}, &DraftReplyError{Kind: DraftReplyBackwards, Number: from}
		}
		for n := from; n <= to; n++ {
			if !seen[n] {
				seen[n] = true
				nums = append(nums, n)
			}
		}
		if t.end() {
			return draftLine{cmd: DraftCommand{Kind: kind, Numbers: nums}}, nil
		}
		if t.peek().kind == tokComma {
			t.i++
		}
		if draftAnd[t.peek().word] {
			t.i++
		}
	}
}

// draftAnd join numbers: "1, 3 and 5", "1, 3 et 5".
var draftAnd = wordSet("and et und y")

// tokenKind names a token of the rest of a command line.
type tokenKind int

const (
	tokEnd    tokenKind = iota
	tokNumber           // a run of ASCII digits
	tokWord             // a run of letters, lower case
	tokDash             // - – — −
	tokComma            // , ; & + /
	tokColon            // :
	tokStop             // . ! ?
	tokHash             // #
	tokOther            // anything else
)

// maxDraftNumber is the highest number a reply may name: as in a
// rewrite, more than maxRewriteDigits digits are no statement number.
const maxDraftNumber = 999

// draftToken is one token; n is a number's value, -1 when it has more
// digits than a draft number may.
type draftToken struct {
	kind tokenKind
	word string
	n    int
}

// draftTokens splits the rest of a command line into tokens, dropping
// spaces and invisible format characters. Digits are ASCII only: "٣" is
// no number a draft shows.
func draftTokens(s string) []draftToken {
	var out []draftToken
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n := -1
			if j-i <= maxRewriteDigits {
				n, _ = strconv.Atoi(s[i:j])
			}
			if n > maxDraftNumber {
				n = -1
			}
			out = append(out, draftToken{kind: tokNumber, n: n})
			i = j
			continue
		case unicode.IsLetter(r):
			j := i + size
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && r2 != '\'' && r2 != '’' {
					break
				}
				j += sz
			}
			out = append(out, draftToken{kind: tokWord, word: strings.ToLower(s[i:j])})
			i = j
			continue
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r):
		case r == '-' || r == '–' || r == '—' || r == '−':
			out = append(out, draftToken{kind: tokDash})
		case r == ',' || r == ';' || r == '&' || r == '+' || r == '/':
			out = append(out, draftToken{kind: tokComma})
		case r == ':':
			out = append(out, draftToken{kind: tokColon})
		case r == '.' || r == '!' || r == '?':
			out = append(out, draftToken{kind: tokStop})
		case r == '#':
			out = append(out, draftToken{kind: tokHash})
		default:
			out = append(out, draftToken{kind: tokOther})
		}
		i += size
	}
	return out
}

// tokenReader walks the tokens of a command line.
type tokenReader struct {
	toks []draftToken
	i    int
}

func (t *tokenReader) peek() draftToken {
	if t.i < len(t.toks) {
		return t.toks[t.i]
	}
	return draftToken{kind: tokEnd}
}

func (t *tokenReader) next() draftToken {
	tok := t.peek()
	if t.i < len(t.toks) {
		t.i++
	}
	return tok
}

// number reads a number, after an optional "#".
func (t *tokenReader) number() (int, bool) {
	save := t.i
	if t.peek().kind == tokHash {
		t.i++
	}
	if tok := t.peek(); tok.kind == tokNumber {
		t.i++
		return tok.n, true
	}
	t.i = save
	return 0, false
}

// words reads the given words in order.
func (t *tokenReader) words(ws []string) bool {
	for _, w := range ws {
		if tok := t.peek(); tok.kind != tokWord || tok.word != w {
			return false
		}
		t.i++
	}
	return true
}

// end reports whether only politeness ("please", "thank you") and full
// stops are left, reading past them when so.
func (t *tokenReader) end() bool {
	save := t.i
	for {
		switch tok := t.peek(); {
		case tok.kind == tokEnd:
			return true
		case tok.kind == tokStop || tok.kind == tokWord && (politeness[tok.word] || draftPoliteness[tok.word] || tok.word == "thank" || tok.word == "you"):
			t.i++
		case tok.kind == tokComma && t.i+1 < len(t.toks) && t.toks[t.i+1].kind == tokWord && (politeness[t.toks[t.i+1].word] || draftPoliteness[t.toks[t.i+1].word]):
			t.i++ // "drop 7, please"
		default:
			t.i = save
			return false
		}
	}
}

// leadWord cuts the run of letters that starts s.
func leadWord(s string) (word, rest string) {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			break
		}
		i += size
	}
	return s[:i], s[i:]
}

// mentionsCommand reports whether a line holds a digit or a command word,
// and so may not be passed over as a greeting or signature.
func mentionsCommand(s string) bool {
	if strings.ContainsAny(s, "0123456789") {
		return true
	}
	for _, t := range draftTokens(s) {
		if _, ok := draftVerbs[t.word]; ok && t.kind == tokWord {
			return true
		}
	}
	if _, ok := localDraftLead(stripMarker(s)); ok {
		return true
	}
	return false
}

// closings are the phrases that end a mail; a name of up to two words may
// follow them on the line, and after thanks a few more words ("Thanks
// for putting this together!") unless they turn to an objection.
var closings = [][]string{
	{"thanks"}, {"thank", "you"}, {"many", "thanks"}, {"thanks", "a", "lot"}, {"thx"}, {"cheers"},
	{"best"}, {"best", "wishes"}, {"best", "regards"}, {"kind", "regards"}, {"regards"},
	{"warm", "regards"}, {"all", "the", "best"}, {"sincerely"}, {"yours"}, {"bye"}, {"take", "care"},
	{"merci"}, {"merci", "beaucoup"}, {"cordialement"}, {"amicalement"}, {"bien", "à", "vous"}, {"bises"}, {"à", "bientôt"},
	{"danke"}, {"vielen", "dank"}, {"danke", "schön"}, {"viele", "grüße"}, {"liebe", "grüße"}, {"beste", "grüße"}, {"lg"}, {"gruß"}, {"grüße"}, {"tschüss"},
	{"gracias"}, {"muchas", "gracias"}, {"saludos"}, {"un", "saludo"}, {"un", "abrazo"}, {"besos"}, {"hasta", "pronto"},
}

// thanksClosings may be followed by a few more words: "Thanks for putting
// this together!", "Merci pour tout !".
var thanksClosings = wordSet("thanks thank thx many merci danke vielen gracias muchas")

// objections turn a thank-you into a remark that must be read: "Thanks,
// but …".
var objections = wordSet("but though however except although only not mais sauf aber außer nur pero excepto solo")

// isClosing reports whether a line signs off: "Thanks,", "Best, Sam",
// "Kind regards". A line with a digit or a command word never does.
func isClosing(s string) bool {
	if mentionsCommand(s) {
		return false
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		words[i] = strings.Trim(w, ",.!;:-–—")
	}
	for _, c := range closings {
		tail := 2
		if thanksClosings[c[0]] {
			tail = 5
		}
		if len(words) < len(c) || len(words) > len(c)+tail || !slices.Equal(words[:len(c)], c) {
			continue
		}
		if !slices.ContainsFunc(words[len(c):], func(w string) bool { return objections[w] }) {
			return true
		}
	}
	return false
}

// isDeviceLine reports a mail program's line under a reply: "Sent from
// my phone".
func isDeviceLine(s string) bool {
	return strings.HasPrefix(strings.ToLower(s), "sent from ")
}

// affirmatives are replies that approve without a command; they are
// refused with "agree all" as the suggestion, not taken for it.
var affirmatives = wordSet("ok okay yes yep sure lgtm fine perfect great approved 👍")

// isAffirmative reports a short line that approves without saying what:
// "Looks good to me!", "OK".
func isAffirmative(s string) bool {
	l := strings.Trim(strings.ToLower(strings.Join(strings.Fields(s), " ")), ".!,; ")
	switch l {
	case "looks good", "looks good to me", "all good", "fine by me", "fine with me", "sounds good", "sounds good to me", "works for me":
		return true
	}
	return affirmatives[l]
}

// isOriginalMarker reports the line some mail programs put above the
// message they quote without ">": "-----Original Message-----", or a rule
// of underscores.
func isOriginalMarker(s string) bool {
	if strings.HasPrefix(s, "-----") && strings.Contains(strings.ToLower(s), "original message") {
		return true
	}
	return len(s) >= 10 && strings.Trim(s, "_") == ""
}

// isAttribution reports the line that introduces quoted text ("On Mon,
// Feb 1, 2027, Accord wrote:"): it ends in "wrote:" and the next line that
// is not blank is quoted.
func isAttribution(s string, below []string) bool {
	if !strings.HasSuffix(strings.ToLower(s), "wrote:") {
		return false
	}
	for _, l := range below {
		if t := trimLine(l); t != "" {
			return strings.HasPrefix(t, ">")
		}
	}
	return false
}
