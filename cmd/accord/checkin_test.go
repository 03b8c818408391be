package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"accord/conversation"
	"accord/store/storetest"
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

// TestCheckinShowClock lists the meetings around the app's own time, not
// the machine's: a demo or a test that pins the clock sees its meetings.
func TestCheckinShowClock(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", "")
	clock := storetest.NewClock(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	var out, errOut bytes.Buffer
	a := &app{stdin: os.Stdin, stdout: &out, stderr: &errOut, env: func(k string) string { return c.env[k] }, clock: clock}
	accord := func(args ...string) string {
		t.Helper()
		out.Reset()
		if code := runApp(context.Background(), a, args); code != exitOK {
			t.Fatalf("accord %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
		}
		return out.String()
	}
	accord("pair", "add", "--lead", dana, "--report", sam, "--tz", "Europe/Berlin", "--checkin", "tue 10:00 30m weekly")
	// The agreement, built directly, starts the planned series.
	ctx := context.Background()
	st, err := a.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Apply(ctx, 1, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		p.Agreements = append(p.Agreements, conversation.BuildAgreement(p, now))
		return p.ScheduleCheckins(*p.CheckinPlan, now)
	}); err != nil {
		t.Fatal(err)
	}
	shown := accord("checkin", "1")
	for _, want := range []string{"Tue 2027-03-09 10:00", "Tue 2027-03-30 10:00"} {
		if !strings.Contains(shown, want) {
			t.Errorf("checkin 1 on 1 March 2027 = %q, want the meeting %s", shown, want)
		}
	}
}

// TestPairLanguage enrols people in the languages --lang, --lead-lang and
// the CSV columns name, and refuses one Accord does not write.
func TestPairLanguage(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("pair", "add", "--lead", dana, "--report", sam, "--lang", "de", "--report-lang", "es")
	c.fails(exitUsage, "--lead-lang \"klingon\"", "pair", "add", "--lead", "Ana Silva <ana@example.com>", "--report", "Ben Kim <ben@example.com>", "--lead-lang", "klingon")
	bad := newCLI(t)
	bad.env["ACCORD_PEOPLE_DEFAULT_LANGUAGE"] = "klingon"
	bad.fails(exitFailure, `people.default_language (ACCORD_PEOPLE_DEFAULT_LANGUAGE): "klingon" is not`, "config", "check")
	csv := c.write("pairs.csv", "lead_name,lead_email,lead_language,report_name,report_email\nAna Silva,ana@example.com,ES,Ben Kim,ben@example.com\n")
	c.ok("import", csv)
	ctx := context.Background()
	a := &app{stdin: os.Stdin, stdout: io.Discard, stderr: io.Discard, env: func(k string) string { return c.env[k] }, configPath: c.env["ACCORD_CONFIG"]}
	st, err := a.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for id, want := range map[int64][2]string{1: {"de", "es"}, 2: {"es", "en"}} {
		p, err := st.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]string{p.Participants[0].Person.Language, p.Participants[1].Person.Language}; got != want {
			t.Errorf("partnership %d reads %v, want %v", id, got, want)
		}
	}
}
