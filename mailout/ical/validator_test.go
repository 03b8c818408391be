package ical

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// validatorEnv names the iMIP validator script (validate.sh of the shared
// ical-check tool) that TestValidator runs.
const validatorEnv = "ACCORD_ICAL_CHECK"

// validatorReport is the part of the validator's --json output the test
// reads.
type validatorReport struct {
	Fail   int `json:"fail"`
	Warn   int `json:"warn"`
	Items  []struct{ Level, Check, Message string }
	ICALJS []struct {
		UID         string `json:"uid"`
		Occurrences []struct {
			Start struct {
				UTC           string `json:"utc"`
				OffsetSeconds int    `json:"offsetSeconds"`
			} `json:"start"`
		} `json:"occurrences"`
	} `json:"icaljs"`
}

// TestValidator runs the external validator (ical.js, python-icalendar,
// vobject and its own checks) in strict mode on every golden message as
// Encode writes it now, updates and cancels against the message before
// them, and checks that series crossing a DST change keep their wall time
// in the validator's expansion.
func TestValidator(t *testing.T) {
	t.Parallel()
	script := os.Getenv(validatorEnv)
	if script == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ACCORD_ICAL_CHECK is not set")
		}
		t.Skip("set ACCORD_ICAL_CHECK to the validator's validate.sh to run this test")
	}
	dir := t.TempDir()
	cases := goldenCases(t)
	for _, tc := range cases {
		data, err := tc.cal.Encode()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, tc.name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(t *testing.T, args ...string) ([]byte, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, script, args...)
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{tc.name, "--strict"}
			if tc.previous != "" {
				args = append(args, "--previous", tc.previous)
			}
			if out, err := run(t, args...); err != nil {
				t.Errorf("validate.sh %v: %v\n%s", args, err, out)
			}
			if tc.dst == nil {
				return
			}
			args = []string{tc.name, "--strict", "--json", "--after", tc.dst.after, "--count", "3", "--display-tz", tc.dst.zone}
			out, err := run(t, args...)
			if err != nil {
				t.Errorf("validate.sh %v: %v\n%s", args, err, out)
			}
			var rep validatorReport
			if err := json.Unmarshal(out, &rep); err != nil {
				t.Fatalf("validate.sh %v printed no JSON: %v\n%s", args, err, out)
			}
			if rep.Fail != 0 || rep.Warn != 0 {
				t.Errorf("validate.sh %v = %d FAIL, %d WARN, want none: %+v", args, rep.Fail, rep.Warn, rep.Items)
			}
			if len(rep.ICALJS) != 1 || len(rep.ICALJS[0].Occurrences) != 3 {
				t.Fatalf("validate.sh %v expanded %+v, want 3 occurrences of one series", args, rep.ICALJS)
			}
			zone := mustZone(t, tc.dst.zone)
			offsets := map[int]bool{}
			for _, o := range rep.ICALJS[0].Occurrences {
				at, err := time.Parse(time.RFC3339, o.Start.UTC)
				if err != nil {
					t.Fatalf("occurrence start %q: %v", o.Start.UTC, err)
				}
				if got := at.In(zone).Format("15:04"); got != tc.dst.clock {
					t.Errorf("occurrence %s is at %s in %s, want %s", o.Start.UTC, got, tc.dst.zone, tc.dst.clock)
				}
				offsets[o.Start.OffsetSeconds] = true
			}
			if len(offsets) != 2 {
				t.Errorf("occurrences after %s have offsets %v: they do not cross a DST change", tc.dst.after, offsets)
			}
		})
	}
}
