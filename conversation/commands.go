package conversation

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// CommandKind names a reply command.
type CommandKind string

// The reply commands of the questionnaire.
const (
	CmdSkip   CommandKind = "skip"
	CmdPause  CommandKind = "pause"
	CmdResume CommandKind = "resume"
	CmdStop   CommandKind = "stop"
	CmdHelp   CommandKind = "help"
	// CmdExport asks for the partnership's agreement history.
	CmdExport CommandKind = "export"
	// CmdUndo takes back the latest answer.
	CmdUndo CommandKind = "undo"
	// CmdLanguage asks to be written to in another language (Language).
	CmdLanguage CommandKind = "language"
	// CmdAgreement asks for the current agreement (or, while drafting,
	// the draft) again.
	CmdAgreement CommandKind = "agreement"
)

// Command is a parsed reply command.
type Command struct {
	Kind CommandKind
	// Until ends a pause; zero means until the person resumes.
	Until time.Time
	// Language is the language a language command asks for.
	Language string
}

// ErrNotCommand means the text is not a command, so it is an answer.
var ErrNotCommand = errors.New("not a command")

// CommandError is a reply that starts like a command but cannot be carried
// out as written; Problem says why, for the templates to tell the person.
type CommandError struct{ Problem Problem }

func (e *CommandError) Error() string { return e.Problem.String() }

var pauseForPattern = regexp.MustCompile(`^(?:for\s+)?(\d{1,3})\s*(day|days|week|weeks|wk|wks|w|d)$`)

// MaxPause is the longest pause a person can ask for in one go.
const MaxPause = 365 * 24 * time.Hour

// ParseCommand reads a reply whose whole text is a command, in any case:
// "skip", "pause", "pause 2 weeks", "pause until 2027-01-05", "resume",
// "stop", "help", "export", "undo". People write commands the way they talk, so
// politeness and filler are let go ("Pause for 2 weeks please.", "please
// skip this one"), dates may be written out ("pause until January 5",
// "pause until the 20th"), and being away reads as a pause ("I'm away
// until the 20th"). Commands may be written in French, German or Spanish,
// or mixed with English ("pause 2 semaines", "diese Frage überspringen",
// "pausa hasta el 5 de enero"; see commandLanguages). Dates and durations
// are taken in loc.
//
// Anything else is ErrNotCommand, and so an answer; except a short reply
// in English one slip away from a command ("paus 2 weeks", "stp"), which
// is a *NearMiss, and a short note about another question ("Actually I
// meant that for question 3"), which is an *Aside: neither may be stored
// as an answer the partner would see. A command with arguments it cannot
// use is a *CommandError.
func ParseCommand(text string, now time.Time, loc *time.Location) (Command, error) {
	words := commandWords(text)
	if len(words) == 0 {
		return Command{}, ErrNotCommand
	}
	c, err := readCommand(words, now, loc)
	if err == nil {
		return c, nil
	}
	readings, foreign := localReadings(words, localTokens(words), true)
	read := func(r []string) (Command, error) { return readCommand(r, now, loc) }
	switch lc, found, lerr := readFirst(readings, read); {
	case found:
		return lc, lerr
	case foreign:
		return Command{}, ErrNotCommand
	case !errors.Is(err, ErrNotCommand):
		return c, err
	}
	if suggestion, ok := nearCommand(words, now, loc); ok {
		return Command{}, &NearMiss{Suggestion: suggestion}
	}
	if isAside(text) {
		return Command{}, &Aside{}
	}
	return Command{}, ErrNotCommand
}

// NearMiss is a short reply that reads like a mistyped command. It is
// neither carried out nor stored: the person is asked whether they meant
// Suggestion.
type NearMiss struct {
	// Suggestion is the command as it would read without the slip.
	Suggestion string
}

func (e *NearMiss) Error() string { return "did you mean " + strconv.Quote(e.Suggestion) }

// Aside is a short note about another reply ("I meant that for question
// 3, sorry") rather than an answer. It is not stored.
type Aside struct{}

func (e *Aside) Error() string { return "a note about another reply, not an answer" }

// politeness are words that carry no command: "pause please", "thanks,
// skip".
var politeness = map[string]bool{"please": true, "pls": true, "plz": true, "thanks": true, "thx": true, "kindly": true, "ok": true, "okay": true}

// commandWords splits a reply into lower-case words without the
// punctuation around them and without politeness ("thank you" included).
// Control characters part words as spaces do: they are no part of one,
// and a problem must not quote them back.
func commandWords(text string) []string {
	var out []string
	fields := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	for i := 0; i < len(fields); i++ {
		w := strings.Trim(fields[i], ".,!;:\"'()")
		if w == "" && strings.Trim(fields[i], "?") == "" && fields[i] != "" {
			w = "?"
		} else {
			w = strings.TrimRight(w, "?")
		}
		if w == "" || politeness[w] {
			continue
		}
		if w == "thank" && i+1 < len(fields) && strings.Trim(fields[i+1], ".,!;:") == "you" {
			i++
			continue
		}
		out = append(out, w)
	}
	return out
}

// readCommand reads words that are a command, or says ErrNotCommand.
func readCommand(words []string, now time.Time, loc *time.Location) (Command, error) {
	if len(words) == 0 {
		return Command{}, ErrNotCommand
	}
	word, rest := words[0], words[1:]
	simple := map[string]CommandKind{
		"skip": CmdSkip, "resume": CmdResume, "unpause": CmdResume,
		"stop": CmdStop, "unsubscribe": CmdStop, "help": CmdHelp, "?": CmdHelp,
		"export": CmdExport, "undo": CmdUndo, "agreement": CmdAgreement,
	}
	if agreementAsked(words) {
		return Command{Kind: CmdAgreement}, nil
	}
	if cmd, ok, err := readLanguage(words); ok {
		return cmd, err
	}
	if k, ok := simple[word]; ok {
		if len(rest) == 0 || (k == CmdSkip && skipTail(rest)) || (k == CmdUndo && undoTail(rest)) {
			return Command{Kind: k}, nil
		}
		return Command{}, ErrNotCommand
	}
	// Being away is a pause: "I'm away until the 20th", "back on May 3".
	if until, ok := awayUntil(words); ok {
		return pauseUntil(until, now, loc)
	}
	if word != "pause" {
		return Command{}, ErrNotCommand
	}
	arg := strings.Join(spellNumbers(rest), " ")
	if arg == "" {
		return Command{Kind: CmdPause}, nil
	}
	if m := pauseForPattern.FindStringSubmatch(arg); m != nil {
		n, _ := strconv.Atoi(m[1])
		days := n
		if strings.HasPrefix(m[2], "w") {
			days = n * 7
		}
		if days < 1 || time.Duration(days)*24*time.Hour > MaxPause {
			return Command{}, problem(ProblemPauseRange)
		}
		// Calendar days hold an extra hour (half an hour on Lord Howe) when
		// clocks go back in them, which can take 365 days past MaxPause;
		// such a pause ends that much earlier in the day instead.
		until := addDays(now, days, loc)
		if until.Sub(now) > MaxPause {
			until = now.Add(MaxPause).In(loc)
		}
		return Command{Kind: CmdPause, Until: until}, nil
	}
	if len(rest) >= 2 && (rest[0] == "until" || rest[0] == "till" || rest[0] == "til") {
		return pauseUntil(rest[1:], now, loc)
	}
	return Command{}, problem(ProblemPauseUnclear)
}

// spellNumbers writes small numbers as digits: "two weeks" is "2 weeks",
// "a week" is "1 week".
func spellNumbers(words []string) []string {
	names := map[string]string{"a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "couple": "2"}
	out := make([]string, 0, len(words))
	for i, w := range words {
		if n, ok := names[w]; ok && i+1 < len(words) {
			if w == "couple" && len(out) > 0 && out[len(out)-1] == "1" {
				out = out[:len(out)-1] // "a couple of weeks"
			}
			out = append(out, n)
			continue
		}
		if w == "of" && len(out) > 0 && out[len(out)-1] == "2" {
			continue
		}
		out = append(out, w)
	}
	return out
}

// undoTail reports words that may follow undo: "undo that", "undo my
// last answer".
func undoTail(rest []string) bool {
	for _, w := range rest {
		switch w {
		case "that", "this", "it", "my", "the", "last", "answer", "reply":
		default:
			return false
		}
	}
	return true
}

// skipTail reports words that may follow skip: "skip this one", "skip it
// for now".
func skipTail(rest []string) bool {
	for _, w := range rest {
		switch w {
		case "this", "one", "question", "it", "for", "now":
		default:
			return false
		}
	}
	return true
}

// awayUntil reads "I'm away until X", "away until X", "out until X",
// "back on X" and returns the words of X.
func awayUntil(words []string) ([]string, bool) {
	i := 0
	switch {
	case len(words) > 1 && (words[0] == "i'm" || words[0] == "im" || words[0] == "i’m"):
		i = 1
	case len(words) > 2 && words[0] == "i" && words[1] == "am":
		i = 2
	}
	w := words[i:]
	switch {
	case len(w) >= 3 && (w[0] == "away" || w[0] == "out" || w[0] == "off") && (w[1] == "until" || w[1] == "till" || w[1] == "til"):
		return w[2:], true
	case len(w) >= 3 && w[0] == "back" && (w[1] == "on" || w[1] == "by"):
		return w[2:], true
	}
	return nil, false
}

// pauseUntil is a pause that ends at the start of the date the words say.
func pauseUntil(words []string, now time.Time, loc *time.Location) (Command, error) {
	d, ok, err := readDate(words, now, loc)
	if err != nil {
		return Command{}, err
	}
	if !ok {
		return Command{}, problem(ProblemPauseDate, func(p *Problem) { p.Input = strings.Join(words, " ") })
	}
	until := d.Start(loc)
	if !until.After(now) {
		return Command{}, problem(ProblemPausePast, func(p *Problem) { p.Date = d })
	}
	if until.Sub(now) > MaxPause {
		return Command{}, problem(ProblemPauseFar)
	}
	return Command{Kind: CmdPause, Until: until}, nil
}

// quoteClipped quotes what a person wrote, clipped, for a problem's
// description in logs and outcomes.
func quoteClipped(s string) string { return strconv.Quote(clipped(s)) }

// readDate reads the whole of words as a day: "2027-01-05", "January 5",
// "5th of January 2027", "the 20th". A day without a month is the next
// such day of a month after today. It says false when words are not a
// date, and a *CommandError for a date that does not exist.
func readDate(words []string, now time.Time, loc *time.Location) (Date, bool, error) {
	if len(words) > 0 && words[0] == "the" {
		words = words[1:]
	}
	if len(words) == 0 {
		return Date{}, false, nil
	}
	cp := checkinParser{now: now, loc: loc, today: DateOf(now, loc)}
	d, n, ok, err := cp.date(words, 0)
	if err != nil {
		return Date{}, false, err
	}
	if ok && n == len(words) {
		return d, true, nil
	}
	m := dayOfMonth.FindStringSubmatch(words[0])
	if m == nil || len(words) != 1 {
		return Date{}, false, nil
	}
	day, _ := strconv.Atoi(m[1])
	if day < 1 || day > 31 {
		return Date{}, false, nil
	}
	// The next month, from this one on, that has the day and where it
	// is still ahead.
	for i := 0; i < 13; i++ {
		first := time.Date(cp.today.Year, cp.today.Month+time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		t := first.AddDate(0, 0, day-1)
		if t.Month() != first.Month() {
			continue
		}
		if d := DateOf(t, time.UTC); dateBefore(cp.today, d) {
			return d, true, nil
		}
	}
	return Date{}, false, nil
}

// commandVerbs are the words a questionnaire command starts with.
var commandVerbs = []string{"skip", "pause", "resume", "stop", "help", "export", "unsubscribe", "undo", "agreement"}

// agreementAsked reports a request for the agreement in a few words:
// "send me our agreement", "the current agreement", "agreement please".
func agreementAsked(words []string) bool {
	if len(words) < 2 || len(words) > 6 || words[len(words)-1] != "agreement" {
		return false
	}
	for _, w := range words[:len(words)-1] {
		switch w {
		case "send", "me", "us", "the", "our", "my", "current", "latest", "a", "copy", "of", "again", "show", "resend":
		default:
			return false
		}
	}
	return true
}

// weightyVerbs are the commands whose word alone, in a short reply with
// other words around it, is more likely a request than an answer: "stop
// sending these", "can I skip?".
var weightyVerbs = wordSet("skip pause resume stop export unsubscribe undo")

// nearCommand reads a short reply that is one slip away from a command and
// returns the command as it should have read. A slip is a typo in the
// first word ("paus 2 weeks", "stp"), a weighty command word followed by
// words it does not take ("skip this one, I need to think"), or one among
// a few other words ("can I skip?", "please stop sending these").
func nearCommand(words []string, now time.Time, loc *time.Location) (string, bool) {
	first, rest := words[0], words[1:]
	if weightyVerbs[first] && len(words) <= 8 {
		return first, true
	}
	if len(words) > 4 {
		return "", false
	}
	if len(first) >= 3 && !slices.Contains(commandVerbs, first) {
		for _, verb := range commandVerbs {
			limit := 1
			if len(verb) >= 6 {
				limit = 2
			}
			if EditDistance(first, verb) > limit {
				continue
			}
			fixed := append([]string{verb}, rest...)
			if _, err := readCommand(fixed, now, loc); !errors.Is(err, ErrNotCommand) {
				return strings.Join(fixed, " "), true
			}
			if weightyVerbs[verb] && len(words) <= 2 {
				return verb, true
			}
		}
	}
	for _, w := range words {
		if weightyVerbs[w] {
			return w, true
		}
	}
	if first == "help" && len(words) <= 2 {
		return "help", true
	}
	return "", false
}

// EditDistance is the number of single-letter insertions, deletions,
// substitutions and swaps of neighbours that turn a into b (optimal string
// alignment): what tells a slip of the fingers from another word.
func EditDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// rows i-2, i-1 and i of the table.
	prev2 := make([]int, len(t)+1)
	prev := make([]int, len(t)+1)
	cur := make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(t)]
}

var (
	// questionRef is a mention of a question by number or by place.
	questionRef = regexp.MustCompile(`\b(?:question|q)\s*#?\s*\d{1,2}\b|#\d{1,2}\b|\b(?:wrong|other|previous|last|next|earlier|first|second)\s+(?:question|one|email|mail|thread)\b`)
	// asideMarker is wording that talks about a reply rather than giving one.
	asideMarker = regexp.MustCompile(`\b(?:meant|intended|was for|were for|belongs?|supposed to|should have gone|should go|wrong|mixed up|mix-up|sorry)\b`)
)

// isAside reports a short note about another reply: "Actually I meant that
// for question 3, sorry." It mentions a question and says something went
// to the wrong place.
func isAside(text string) bool {
	if len(strings.Fields(text)) > 25 {
		return false
	}
	lower := strings.ToLower(text)
	return questionRef.MatchString(lower) && asideMarker.MatchString(lower)
}
