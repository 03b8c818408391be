package conversation

import (
	"errors"
	"testing"
	"time"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, berlin)
	tests := []struct {
		in        string
		want      Command
		notCmd    bool
		userError bool
		// nearMiss is the command a *NearMiss suggests.
		nearMiss string
		aside    bool
	}{
		{in: "skip", want: Command{Kind: CmdSkip}},
		{in: "  SKIP \n", want: Command{Kind: CmdSkip}},
		{in: "Stop.", want: Command{Kind: CmdStop}},
		{in: "unsubscribe", want: Command{Kind: CmdStop}},
		{in: "Help", want: Command{Kind: CmdHelp}},
		{in: "resume", want: Command{Kind: CmdResume}},
		{in: "Export", want: Command{Kind: CmdExport}},
		{in: "Undo", want: Command{Kind: CmdUndo}},
		{in: "undo that, please", want: Command{Kind: CmdUndo}},
		{in: "undo my last answer", want: Command{Kind: CmdUndo}},
		{in: "udno", nearMiss: "undo"},
		{in: "Agreement", want: Command{Kind: CmdAgreement}},
		{in: "agreement please", want: Command{Kind: CmdAgreement}},
		{in: "Send me our current agreement.", want: Command{Kind: CmdAgreement}},
		{in: "agreemnt", nearMiss: "agreement"},
		{in: "Our agreement has helped us a lot", notCmd: true},
		{in: "I think we reached agreement", notCmd: true},
		{in: "export my answers please", nearMiss: "export"},
		{in: "pause", want: Command{Kind: CmdPause}},
		{in: "pause 2 weeks", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 15, 15, 0, 0, 0, berlin)}},
		{in: "Pause for 3 days", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 4, 15, 0, 0, 0, berlin)}},
		{in: "pause 1w", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 8, 15, 0, 0, 0, berlin)}},
		{in: "pause until 2027-01-05", want: Command{Kind: CmdPause, Until: time.Date(2027, 1, 5, 0, 0, 0, 0, berlin)}},
		{in: "pause until 2025-01-05", userError: true},
		{in: "pause until next tuesday", userError: true},
		{in: "pause until 2029-01-05", userError: true},
		{in: "pause 0 days", userError: true},
		{in: "pause whenever", userError: true},
		{in: "", notCmd: true},
		{in: "skip this one, I need to think", nearMiss: "skip"},
		{in: "Help is what we need from each other", notCmd: true},
		{in: "We should stop meeting on Fridays", notCmd: true},
		// Commands the way people write them.
		{in: "Pause for 2 weeks please.", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 15, 15, 0, 0, 0, berlin)}},
		{in: "pause for two weeks", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 15, 15, 0, 0, 0, berlin)}},
		{in: "pause a couple of weeks", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 15, 15, 0, 0, 0, berlin)}},
		{in: "please skip this one", want: Command{Kind: CmdSkip}},
		{in: "Skip this question, thank you!", want: Command{Kind: CmdSkip}},
		{in: "stop please", want: Command{Kind: CmdStop}},
		{in: "pause until January 5", want: Command{Kind: CmdPause, Until: time.Date(2027, 1, 5, 0, 0, 0, 0, berlin)}},
		{in: "pause until the 5th of January 2027", want: Command{Kind: CmdPause, Until: time.Date(2027, 1, 5, 0, 0, 0, 0, berlin)}},
		{in: "Pause till Jan 5th.", want: Command{Kind: CmdPause, Until: time.Date(2027, 1, 5, 0, 0, 0, 0, berlin)}},
		{in: "pause until the 20th", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 20, 0, 0, 0, 0, berlin)}},
		{in: "pause until the 1st", want: Command{Kind: CmdPause, Until: time.Date(2027, 1, 1, 0, 0, 0, 0, berlin)}},
		{in: "I'm away until the 20th", want: Command{Kind: CmdPause, Until: time.Date(2026, 12, 20, 0, 0, 0, 0, berlin)}},
		{in: "I am out until January 4.", want: Command{Kind: CmdPause, Until: time.Date(2027, 1, 4, 0, 0, 0, 0, berlin)}},
		{in: "back on 2027-01-04", want: Command{Kind: CmdPause, Until: time.Date(2027, 1, 4, 0, 0, 0, 0, berlin)}},
		{in: "pause until February 30", userError: true},
		{in: "pause until the 1st of never", userError: true},
		// Slips: asked about, never stored.
		{in: "paus 2 weeks", nearMiss: "pause 2 weeks"},
		{in: "stp", nearMiss: "stop"},
		{in: "Stpo.", nearMiss: "stop"},
		{in: "skpi this one", nearMiss: "skip this one"},
		{in: "resmue", nearMiss: "resume"},
		{in: "unsubscibe", nearMiss: "unsubscribe"},
		{in: "hlep", nearMiss: "help"},
		{in: "stop sending these", nearMiss: "stop"},
		{in: "Can I skip?", nearMiss: "skip"},
		{in: "help me", nearMiss: "help"},
		// Asides about another reply.
		{in: "Actually I meant that for question 3, sorry.", aside: true},
		{in: "oops, that was for Q2", aside: true},
		{in: "Sorry, wrong question!", aside: true},
		// Answers that only look a little like either.
		{in: "Same as question 3.", notCmd: true},
		{in: "Honest feedback, early and often.", notCmd: true},
		{in: "Step by step", notCmd: true},
		{in: "Helpfulness", notCmd: true},
		{in: "Sorry, I have been slow with these. We meet on Mondays and I would like us to keep doing that.", notCmd: true},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in, now, berlin)
		var ce *CommandError
		var nm *NearMiss
		var aside *Aside
		switch {
		case tt.nearMiss != "":
			if !errors.As(err, &nm) || nm.Suggestion != tt.nearMiss {
				t.Errorf("ParseCommand(%q) = %+v, %v; want did you mean %q", tt.in, got, err, tt.nearMiss)
			}
		case tt.aside:
			if !errors.As(err, &aside) {
				t.Errorf("ParseCommand(%q) = %+v, %v; want an Aside", tt.in, got, err)
			}
		case tt.notCmd:
			if !errors.Is(err, ErrNotCommand) {
				t.Errorf("ParseCommand(%q) = %+v, %v; want ErrNotCommand", tt.in, got, err)
			}
		case tt.userError:
			if !errors.As(err, &ce) || ce.Problem.Code == "" {
				t.Errorf("ParseCommand(%q) = %+v, %v; want a CommandError", tt.in, got, err)
			}
		case err != nil || got.Kind != tt.want.Kind || !got.Until.Equal(tt.want.Until):
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"start", "start", 0},
		{"strat", "start", 1},
		{"start", "tart", 1},
		{"start", "starts", 1},
		{"start", "stark", 1},
		{"kitten", "sitting", 3},
		{"zürich", "zurich", 1},
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
