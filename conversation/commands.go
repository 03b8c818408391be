package conversation

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
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
)

// Command is a parsed reply command.
type Command struct {
	Kind CommandKind
	// Until ends a pause; zero means until the person resumes.
	Until time.Time
}

// ErrNotCommand means the text is not a command, so it is an answer.
var ErrNotCommand = errors.New("not a command")

// CommandError is a reply that starts like a command but cannot be carried
// out as written. Its message is meant for the person.
type CommandError struct{ Message string }

func (e *CommandError) Error() string { return e.Message }

var (
	pauseForPattern   = regexp.MustCompile(`^(?:for\s+)?(\d{1,3})\s*(day|days|week|weeks|wk|wks|w|d)$`)
	pauseUntilPattern = regexp.MustCompile(`^(?:until|till|til)\s+(\S+)$`)
)

// MaxPause is the longest pause a person can ask for in one go.
const MaxPause = 365 * 24 * time.Hour

// ParseCommand reads a reply whose whole text is a command, in any case:
// "skip", "pause", "pause 2 weeks", "pause until 2027-01-05", "resume",
// "stop", "help", "export". Dates and durations are taken in loc. Anything else is
// ErrNotCommand; a command with arguments it cannot use is a *CommandError.
func ParseCommand(text string, now time.Time, loc *time.Location) (Command, error) {
	fields := strings.Fields(strings.ToLower(strings.TrimSpace(text)))
	if len(fields) == 0 {
		return Command{}, ErrNotCommand
	}
	// Tolerate a trailing full stop or exclamation mark: "Stop." is still stop.
	last := len(fields) - 1
	fields[last] = strings.TrimRight(fields[last], ".!")
	word, rest := fields[0], strings.Join(fields[1:], " ")
	simple := map[string]CommandKind{
		"skip": CmdSkip, "resume": CmdResume, "unpause": CmdResume,
		"stop": CmdStop, "unsubscribe": CmdStop, "help": CmdHelp, "?": CmdHelp,
		"export": CmdExport,
	}
	if k, ok := simple[word]; ok {
		if rest != "" {
			return Command{}, ErrNotCommand
		}
		return Command{Kind: k}, nil
	}
	if word != "pause" {
		return Command{}, ErrNotCommand
	}
	if rest == "" {
		return Command{Kind: CmdPause}, nil
	}
	if m := pauseForPattern.FindStringSubmatch(rest); m != nil {
		n, _ := strconv.Atoi(m[1])
		days := n
		if strings.HasPrefix(m[2], "w") {
			days = n * 7
		}
		if days < 1 || time.Duration(days)*24*time.Hour > MaxPause {
			return Command{}, &CommandError{Message: "A pause can last from 1 day to 52 weeks."}
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
	if m := pauseUntilPattern.FindStringSubmatch(rest); m != nil {
		d, err := ParseDate(m[1])
		if err != nil {
			return Command{}, &CommandError{Message: fmt.Sprintf("We could not read %s as a date. Write it like pause until 2027-01-05.", quoteClipped(m[1]))}
		}
		until := d.Start(loc)
		if !until.After(now) {
			return Command{}, &CommandError{Message: fmt.Sprintf("%s is not in the future. Pick a later date, or reply pause to pause until you resume.", d)}
		}
		if until.Sub(now) > MaxPause {
			return Command{}, &CommandError{Message: "A pause can last up to a year; pick a nearer date."}
		}
		return Command{Kind: CmdPause, Until: until}, nil
	}
	return Command{}, &CommandError{Message: "We understood pause but not the rest. Reply pause, pause 2 weeks, or pause until 2027-01-05."}
}

// quoteClipped quotes what a person wrote for a message back to them, cut
// after a few dozen characters so that a long reply is not sent back
// whole.
func quoteClipped(s string) string {
	const limit = 40
	n := 0
	for i := range s {
		if n == limit {
			return strconv.Quote(s[:i] + "…")
		}
		n++
	}
	return strconv.Quote(s)
}
