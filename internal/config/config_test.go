package config

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"accord/templates"
)

// load reads a configuration file with content (none when empty) and the
// environment env, as accord does.
func load(t *testing.T, content string, env map[string]string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "accord.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(path, func(k string) string { return env[k] })
}

// TestConfigLimits checks settings against their limits, from the
// environment and from the file.
func TestConfigLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		file    string
		env     map[string]string
		wantErr string // "" when the configuration is valid
		check   func(*Config) bool
	}{
		{name: "default batch size", check: func(c *Config) bool { return c.IMAP.BatchSize == 100 }},
		{name: "batch size from the environment", env: map[string]string{"ACCORD_IMAP_BATCH_SIZE": "200"},
			check: func(c *Config) bool { return c.IMAP.BatchSize == 200 }},
		{name: "batch size of one", file: "[imap]\nbatch_size = 1\n", check: func(c *Config) bool { return c.IMAP.BatchSize == 1 }},
		{name: "batch size zero", env: map[string]string{"ACCORD_IMAP_BATCH_SIZE": "0"},
			wantErr: "imap.batch_size (ACCORD_IMAP_BATCH_SIZE): 0: use 1 to 1000"},
		{name: "batch size too large", file: "[imap]\nbatch_size = 5000\n", wantErr: "accord.toml:2: imap.batch_size: 5000: use 1 to 1000"},
		{name: "batch size in quotes", file: "[imap]\nbatch_size = \"50\"\n", wantErr: `accord.toml:2: imap.batch_size: "50": want a whole number`},
		{name: "debug off by default", check: func(c *Config) bool { return !c.HTTP.Debug }},
		{name: "debug on loopback", env: map[string]string{"ACCORD_HTTP_DEBUG": "true"}, check: func(c *Config) bool { return c.HTTP.Debug }},
		{name: "debug on IPv6 loopback", env: map[string]string{"ACCORD_HTTP_DEBUG": "true", "ACCORD_HTTP_LISTEN": "[::1]:8025"}},
		{name: "debug on localhost", env: map[string]string{"ACCORD_HTTP_DEBUG": "true", "ACCORD_HTTP_LISTEN": "localhost:8025"}},
		{name: "no debug on every interface is fine", env: map[string]string{"ACCORD_HTTP_LISTEN": "0.0.0.0:8025"}},
		{name: "debug on every interface", env: map[string]string{"ACCORD_HTTP_DEBUG": "true", "ACCORD_HTTP_LISTEN": "0.0.0.0:8025"},
			wantErr: `http.debug (ACCORD_HTTP_DEBUG): profiles show the process's memory and must stay on this machine: set http.listen to a loopback address such as 127.0.0.1:8025 (now "0.0.0.0:8025")`},
		{name: "debug without a host", file: "[http]\nlisten = \":8025\"\ndebug = true\n", wantErr: "accord.toml:3: http.debug: profiles show"},
		{name: "debug on a host name", env: map[string]string{"ACCORD_HTTP_DEBUG": "1", "ACCORD_HTTP_LISTEN": "accord.internal:8025"}, wantErr: "http.debug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tc.file, tc.env)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Load(%q, %v) = %v, want no error", tc.file, tc.env, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Load(%q, %v) = %v, want an error with %q", tc.file, tc.env, err, tc.wantErr)
			case tc.check != nil && !tc.check(c):
				t.Errorf("Load(%q, %v) gave imap %+v, http %+v", tc.file, tc.env, c.IMAP, c.HTTP)
			}
		})
	}
}

// TestDomainRules: the pacing and check-in settings are held to the
// domain's own rules (conversation.Rules.Validate), each problem named by
// its setting and worded in its units, every one of them at once.
func TestDomainRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		file string
		env  map[string]string
		want []string // the problems, in order; none for a valid configuration
	}{
		{name: "defaults"},
		{name: "at the limits", file: "[pacing]\nreminders = [1, 60]\nreview_every_weeks = 1\nreview_wait_days = 6\nundo_minutes = 120\n" +
			"[checkins]\nprep_hours_before = 168\nagenda_minutes_before = 5\nfollow_up_minutes_after = 1440\n"},
		{name: "a reminder of no days and one too late", file: "[pacing]\nreminders = [0, 3, 61]\n",
			want: []string{"accord.toml:2: pacing.reminders: 0 days: each wait must be between 1 and 60 days",
				"accord.toml:2: pacing.reminders: 61 days: each wait must be between 1 and 60 days"}},
		{name: "pushy", env: map[string]string{"ACCORD_PACING_REMINDERS": "1 1 1 1 1 1"},
			want: []string{"pacing.reminders (ACCORD_PACING_REMINDERS): 6 reminders is pushy; use at most 5"}},
		{name: "no reviews", env: map[string]string{"ACCORD_PACING_REVIEW_EVERY_WEEKS": "0"},
			want: []string{"pacing.review_every_weeks (ACCORD_PACING_REVIEW_EVERY_WEEKS): 0: use between 1 and 104 weeks",
				"pacing.review_wait_days (default): 14: use at least 1 day, and fewer days than there are between reviews (0)"}},
		{name: "reviews too far apart", file: "[pacing]\nreview_every_weeks = 105\n",
			want: []string{"accord.toml:2: pacing.review_every_weeks: 105: use between 1 and 104 weeks"}},
		{name: "a review that waits for the next", file: "[pacing]\nreview_every_weeks = 2\nreview_wait_days = 14\n",
			want: []string{"accord.toml:3: pacing.review_wait_days: 14: use at least 1 day, and fewer days than there are between reviews (14)"}},
		{name: "undo too long", env: map[string]string{"ACCORD_PACING_UNDO_MINUTES": "121"},
			want: []string{"pacing.undo_minutes (ACCORD_PACING_UNDO_MINUTES): 121: use between 0 (answers are shown at once) and 120 minutes"}},
		// In nanoseconds, 307445735 minutes wrap round to 26 seconds.
		{name: "undo so long it would wrap round", file: "[pacing]\nundo_minutes = 307445735\n",
			want: []string{"accord.toml:2: pacing.undo_minutes: 307445735: use between 0 (answers are shown at once) and 120 minutes"}},
		{name: "undo before the answer", file: "[pacing]\nundo_minutes = -1\n",
			want: []string{"accord.toml:2: pacing.undo_minutes: -1: use between 0 (answers are shown at once) and 120 minutes"}},
		{name: "every day quiet", file: "[pacing]\nquiet_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n",
			want: []string{"accord.toml:2: pacing.quiet_days: quiet days cover the whole week, so nothing could ever be sent"}},
		{name: "prep an hour before", file: "[checkins]\nprep_hours_before = 1\n",
			want: []string{"accord.toml:2: checkins.prep_hours_before: 1: use 2 to 168 hours",
				"checkins.agenda_minutes_before (default): 60: use at least 5 minutes, and less than the prep's 1 hours"}},
		{name: "prep a month before", env: map[string]string{"ACCORD_CHECKINS_PREP_HOURS_BEFORE": "720"},
			want: []string{"checkins.prep_hours_before (ACCORD_CHECKINS_PREP_HOURS_BEFORE): 720: use 2 to 168 hours"}},
		{name: "agenda at the start", file: "[checkins]\nagenda_minutes_before = 4\n",
			want: []string{"accord.toml:2: checkins.agenda_minutes_before: 4: use at least 5 minutes, and less than the prep's 24 hours"}},
		{name: "follow-up the next week", file: "[checkins]\nfollow_up_minutes_after = 10080\n",
			want: []string{"accord.toml:2: checkins.follow_up_minutes_after: 10080: use 0 to 1440 minutes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, tc.file, tc.env)
			var ce *Error
			switch {
			case len(tc.want) == 0 && err != nil:
				t.Fatalf("Load(%q, %v) = %v, want no error", tc.file, tc.env, err)
			case len(tc.want) == 0:
				return
			case !errors.As(err, &ce):
				t.Fatalf("Load(%q, %v) = %v, want an *Error", tc.file, tc.env, err)
			case len(ce.Problems) != len(tc.want):
				t.Fatalf("Load(%q, %v) = %v, want %d problems: %q", tc.file, tc.env, err, len(tc.want), tc.want)
			}
			for i, want := range tc.want {
				// The file's lines are named from its base name on.
				got := ce.Problems[i]
				if at := strings.Index(got, "accord.toml:"); at >= 0 {
					got = got[at:]
				}
				if !strings.HasPrefix(got, want) {
					t.Errorf("Load(%q, %v): problem %d is %q, want %q", tc.file, tc.env, i+1, got, want)
				}
			}
		})
	}
}

func TestScale(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		unit time.Duration
		want time.Duration
	}{
		{0, time.Hour, 0},
		{24, time.Hour, 24 * time.Hour},
		{-3, time.Minute, -3 * time.Minute},
		{math.MaxInt64 / 60, time.Minute, math.MaxInt64},
		{math.MinInt64 / 60, time.Minute, math.MinInt64},
		{106751, day, 106751 * day},
		{106752, day, math.MaxInt64},
	} {
		if got := scale(tc.n, tc.unit); got != tc.want {
			t.Errorf("scale(%d, %v) = %v, want %v", tc.n, tc.unit, got, tc.want)
		}
	}
}

func TestSandboxDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		database, file, want string
	}{
		{"sqlite:accord.db", "", "."},
		{"sqlite:/var/lib/accord/accord.db", "/etc/accord/accord.toml", "/var/lib/accord"},
		{"sqlite:///var/lib/accord/accord.db", "", "/var/lib/accord"},
		{"sqlite:demo/accord.db", "", "demo"},
		{"postgres://accord@db/accord", "/etc/accord/accord.toml", "/etc/accord"},
		{"postgres://accord@db/accord", "", "."},
	}
	for _, tt := range tests {
		cfg := Default()
		cfg.Database.URL, cfg.file = tt.database, tt.file
		if got := cfg.SandboxDir(); got != tt.want {
			t.Errorf("SandboxDir(%s, %q) = %q, want %q", tt.database, tt.file, got, tt.want)
		}
	}
}

// TestEverySettingHasHelp: config check says what each setting is for,
// from the operator text setting.SECTION.KEY.
func TestEverySettingHasHelp(t *testing.T) {
	t.Parallel()
	n := 0
	Default().eachField(func(key, _ string, _ reflect.Value, _ reflect.StructTag) {
		n++
		if help, ok := templates.OperatorOf("setting", key, nil); !ok || help == "" {
			t.Errorf("%s: no operator text setting.%s to say what it is for", key, key)
		}
	})
	if n < 50 {
		t.Errorf("read %d settings; want every one", n)
	}
}
