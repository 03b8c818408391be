package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"accord/store"
)

// TestServeWeeklyOverview: serve schedules the daily overview scan at
// start unless pacing.weekly_overview is off, and config check shows the
// setting and where it came from.
func TestServeWeeklyOverview(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		env   string
		scans bool
		shown string
	}{
		{"on by default", "", true, "weekly_overview = true"},
		{"off", "false", false, "weekly_overview = false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.write("accord.toml", sandboxConfig)
			c.env["ACCORD_PACING_WEEKLY_OVERVIEW"] = tc.env
			if out := c.ok("config", "check"); !strings.Contains(out, tc.shown) {
				t.Errorf("config check lacks %q:\n%s", tc.shown, out)
			}
			s := c.serve()
			eventually(t, time.Minute, "serve to run", func() bool { return strings.Contains(s.stderr.String(), "accord is running") })
			if code := s.stop(); code != exitOK {
				t.Fatalf("serve exited with %d:\n%s", code, s.stderr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st, err := store.Open(ctx, c.env["ACCORD_DATABASE_URL"], store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			scans, err := st.JobsOfKind(ctx, store.KindOverviewScan)
			if err != nil {
				t.Fatal(err)
			}
			if (len(scans) > 0) != tc.scans {
				t.Errorf("%d overview scans queued, want some = %v", len(scans), tc.scans)
			}
		})
	}
}
