package config

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
		err := CheckZone(tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckZone(%q) = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckZone(%q) = %v, want an error mentioning %q", tt.name, err, tt.want)
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
		if err := CheckZone(z); err != nil {
			t.Errorf("CheckZone(%q) = %v, want nil: the advice names it", z, err)
		}
	}
}
