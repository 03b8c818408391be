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
	}{
		{in: "skip", want: Command{Kind: CmdSkip}},
		{in: "  SKIP \n", want: Command{Kind: CmdSkip}},
		{in: "Stop.", want: Command{Kind: CmdStop}},
		{in: "unsubscribe", want: Command{Kind: CmdStop}},
		{in: "Help", want: Command{Kind: CmdHelp}},
		{in: "resume", want: Command{Kind: CmdResume}},
		{in: "Export", want: Command{Kind: CmdExport}},
		{in: "export my answers please", notCmd: true},
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
		{in: "skip this one, I need to think", notCmd: true},
		{in: "Help is what we need from each other", notCmd: true},
		{in: "We should stop meeting on Fridays", notCmd: true},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in, now, berlin)
		var ce *CommandError
		switch {
		case tt.notCmd:
			if !errors.Is(err, ErrNotCommand) {
				t.Errorf("ParseCommand(%q) = %+v, %v; want ErrNotCommand", tt.in, got, err)
			}
		case tt.userError:
			if !errors.As(err, &ce) || ce.Message == "" {
				t.Errorf("ParseCommand(%q) = %+v, %v; want a CommandError", tt.in, got, err)
			}
		case err != nil || got.Kind != tt.want.Kind || !got.Until.Equal(tt.want.Until):
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}
