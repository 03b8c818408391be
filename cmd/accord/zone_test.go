package main

import (
	"strings"
	"testing"
)

func TestZoneRefusedOnEnrolment(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--tz", "EST"}, "--tz: \"EST\" is an abbreviation"},
		{[]string{"--lead-tz", "CET"}, "--lead-tz: \"CET\""},
		{[]string{"--tz", "Europe/Berlin", "--report-tz", "PST"}, "use America/Los_Angeles"},
		{[]string{"--tz", "europe/berlin"}, "did you mean Europe/Berlin?"},
	}
	for _, tt := range tests {
		args := append([]string{"pair", "add", "--lead", dana, "--report", sam}, tt.args...)
		c.fails(exitFailure, tt.want, args...)
	}
	if list := c.ok("pair", "list"); strings.Contains(list, "dana@example.com") {
		t.Errorf("a refused zone enrolled the pair:\n%s", list)
	}

	cfg := newCLI(t)
	cfg.env["ACCORD_PEOPLE_DEFAULT_TIME_ZONE"] = "EST"
	cfg.fails(exitFailure, `people.default_time_zone (ACCORD_PEOPLE_DEFAULT_TIME_ZONE): "EST" is an abbreviation`, "config", "check")
}
