package main

import (
	"strings"
	"testing"
)

func TestConfigCheckReportsEveryProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		env  map[string]string
		want []string // each must appear, in this order
	}{
		{
			name: "unknown keys and bad values together",
			file: "# accord.toml\n" +
				"[pacing]\n" +
				"quiet_strat = \"21:00\"\n" + // line 3
				"quiet_end = \"9am\"\n" +
				"reminders = [3, \"x\"]\n" +
				"review_every_weeks = \"13\"\n" +
				"prep_hours_before = 3\n" +
				"weekly_overview = \"yes\"\n" +
				"\n" +
				"[pacnig]\n" + // line 10
				"foo = 1\n" +
				"\n" +
				"[people]\n" +
				"default_time_zone = \"EST\"\n" + // line 14
				"[log]\n" +
				"level = \"loud\"\n",
			want: []string{
				"configuration: 9 problems:",
				"accord.toml:3: unknown setting pacing.quiet_strat; did you mean pacing.quiet_start?",
				`accord.toml:4: pacing.quiet_end: "9am" is not a time of day`,
				`accord.toml:5: pacing.reminders: item 2: "x": want a whole number, without quotes`,
				`accord.toml:6: pacing.review_every_weeks: "13": want a whole number`,
				"accord.toml:7: unknown setting pacing.prep_hours_before; prep_hours_before belongs under [checkins]",
				`accord.toml:8: pacing.weekly_overview: "yes": want true or false`,
				"accord.toml:10: unknown section [pacnig]; did you mean [pacing]?",
				`accord.toml:14: people.default_time_zone: "EST" is an abbreviation`,
				`accord.toml:16: log.level: "loud" is not one of debug, info, warn, error`,
			},
		},
		{
			name: "file lines first, then the environment",
			file: "quiet_start = \"20:00\"\n[mail]\nadress = \"accord@example.com\"\nname = 5\n[http]\nlisten = 8080\n[inbound]\nnotice_budget = 0\n",
			env:  map[string]string{"ACCORD_LOG_LEVEL": "loud"},
			want: []string{
				"accord.toml:1: unknown setting quiet_start; quiet_start belongs under [pacing]",
				"accord.toml:3: unknown setting mail.adress; did you mean mail.address?",
				`accord.toml:4: mail.name: 5: want text in quotes`,
				`accord.toml:6: http.listen: 8080: want text in quotes`,
				"accord.toml:8: inbound.notice_budget: 0: use 1 to inbound.reply_budget",
				`log.level (ACCORD_LOG_LEVEL): "loud"`,
			},
		},
		{
			name: "dotted keys and inline tables have lines too",
			file: "pacing.quiet_start = \"9pm\"\n\ncheckins = { prep_hours = 3 }\n",
			want: []string{
				`accord.toml:1: pacing.quiet_start: "9pm" is not a time of day`,
				"accord.toml:3: unknown setting checkins.prep_hours; did you mean checkins.prep_hours_before?",
			},
		},
		{
			name: "an unknown key with nothing close lists its section",
			file: "[log]\ncolour = true\n",
			want: []string{"configuration: ", "accord.toml:2: unknown setting log.colour; [log] has level, format"},
		},
		{
			name: "a value the environment overrides has no line",
			file: "[log]\nlevel = \"debug\"\n",
			env:  map[string]string{"ACCORD_LOG_LEVEL": "verbose"},
			want: []string{`configuration: log.level (ACCORD_LOG_LEVEL): "verbose"`},
		},
		{
			name: "a unit left off",
			file: "[pacing]\nreply_token = 30\n",
			want: []string{"accord.toml:2: unknown setting pacing.reply_token; did you mean pacing.reply_token_days?"},
		},
		{
			name: "a file that is not TOML stops at its error",
			file: "[pacing\nquiet_start = 1\n",
			want: []string{"accord.toml:1: expected ']'"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.write("accord.toml", tt.file)
			for k, v := range tt.env {
				c.env[k] = v
			}
			out, errOut, code := c.run("config", "check")
			if code != exitFailure {
				t.Errorf("config check = exit %d, want %d\n%s%s", code, exitFailure, out, errOut)
			}
			rest := errOut
			for _, want := range tt.want {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("config check report lacks %q (or has it out of order):\n%s", want, errOut)
					continue
				}
				rest = rest[i+len(want):]
			}
		})
	}
}

func TestConfigCheckNamesFileLines(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", "[pacing]\n\nquiet_start = \"21:30\"\n")
	out := c.ok("config", "check")
	if !strings.Contains(out, "accord.toml:3 (ACCORD_PACING_QUIET_START)") {
		t.Errorf("config check does not say quiet_start came from line 3:\n%s", out)
	}
}
