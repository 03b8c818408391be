package main

import (
	"strings"
	"testing"
)

func TestCheckZone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want string // "" for accepted, else part of the error
	}{
		{"Europe/Berlin", ""},
		{"America/New_York", ""},
		{"America/Argentina/Buenos_Aires", ""},
		{"UTC", ""},
		{"Etc/UTC", ""},
		// Abbreviations Go's database knows, some as a fixed offset.
		{"EST", "use America/New_York"},
		{"est", "use America/New_York"},
		{"EST5EDT", "use America/New_York"},
		{"MST", "America/Phoenix for Arizona"},
		{"HST", "use Pacific/Honolulu"},
		{"CET", "use Europe/Berlin (or Europe/Paris"},
		{"PST", "use America/Los_Angeles"},
		{"PDT", "use America/Los_Angeles"},
		{"GMT", "use Europe/London (or UTC"},
		{"IST", "Asia/Kolkata"},
		// Old names without an area, and names that are no place at all.
		{"Japan", "use Asia/Tokyo"},
		{"Zulu", "use UTC"},
		{"Local", "the machine's own zone"},
		{"Factory", "not the time zone of a place"},
		// Offsets.
		{"UTC+2", "fixed offset"},
		{"GMT-05:00", "fixed offset"},
		{"+0530", "fixed offset"},
		// Slips.
		{"utc", "did you mean UTC?"},
		{"europe/berlin", "did you mean Europe/Berlin?"},
		{"America/New York", "did you mean America/New_York?"},
		{"Berlin", "did you mean Europe/Berlin?"},
		{"tokyo", "did you mean Asia/Tokyo?"},
		{"Europe/Berln", "did you mean Europe/Berlin?"},
		{"Amerika/Chicago", "did you mean America/Chicago?"},
		{"Europe/Atlantis", "not a known time zone; use an IANA name"},
		{"Mars/Base", "not a known time zone; use an IANA name"},
	}
	for _, tt := range tests {
		err := checkZone(tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("checkZone(%q) = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("checkZone(%q) = %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestZoneAdviceIsValid(t *testing.T) {
	t.Parallel()
	// Every zone the advice and the suggestions name must itself pass.
	zones := append([]string{}, commonZones...)
	for alias, advice := range zoneAliases {
		if alias == "LOCAL" {
			continue
		}
		zones = append(zones, strings.Fields(advice)[0])
	}
	for _, z := range zones {
		if err := checkZone(z); err != nil {
			t.Errorf("checkZone(%q) = %v, want nil: the advice names it", z, err)
		}
	}
}

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
