package main

import (
	"strings"
	"testing"
)

func TestCheckinCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("pair", "add", "--lead", dana, "--report", sam, "--tz", "Europe/Berlin", "--checkin", "tue 10:00 30m weekly")
	if out := c.ok("checkin", "1"); !strings.Contains(out, "every Tuesday at 10:00 for 30 minutes, from the agreement on") {
		t.Errorf("checkin 1 before the agreement = %q", out)
	}
	c.ok("pair", "add", "--lead", "Ana Silva <ana@example.com>", "--report", "Ben Kim <ben@example.com>")
	if out := c.ok("checkin", "2"); !strings.Contains(out, "no check-ins yet") {
		t.Errorf("checkin 2 = %q", out)
	}
	for _, tc := range []struct {
		name string
		code int
		want string
		args []string
	}{
		{"no id", exitUsage, "needs a partnership ID", []string{"checkin"}},
		{"unknown subcommand", exitUsage, "unknown checkin subcommand", []string{"checkin", "1", "postpone"}},
		{"missing argument", exitUsage, "takes 1 argument", []string{"checkin", "1", "skip"}},
		{"bad schedule", exitUsage, "Which day", []string{"checkin", "1", "set", "at ten"}},
		{"bad --checkin", exitUsage, "--checkin", []string{"pair", "add", "--lead", "Cy Doe <cy@example.com>", "--report", "Di Roe <di@example.com>", "--checkin", "sometime"}},
		{"skip without a series", exitFailure, "has no check-ins yet", []string{"checkin", "2", "skip", "2027-03-16"}},
		{"bad date", exitUsage, "not a date", []string{"checkin", "1", "pause", "soon"}},
		{"unknown partnership", exitFailure, "99", []string{"checkin", "99", "cancel"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.fails(tc.code, tc.want, tc.args...)
		})
	}
	if out := c.ok("checkin", "2", "set", "every other Thursday 14:30 for 45 minutes"); !strings.Contains(out, "every other Thursday at 14:30 for 45 minutes") {
		t.Errorf("checkin 2 set = %q", out)
	}
}
