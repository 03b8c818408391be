package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"accord/store"
)

// cli runs accord commands in-process against a private working directory
// and database.
type cli struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	return &cli{t: t, dir: dir, env: map[string]string{
		"ACCORD_DATABASE_URL": "sqlite:" + filepath.Join(dir, "accord.db"),
		"ACCORD_CONFIG":       filepath.Join(dir, "accord.toml"),
	}}
}

// run returns stdout, stderr and the exit code.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	if _, err := os.Stat(c.env["ACCORD_CONFIG"]); err != nil {
		c.write("accord.toml", "")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut, func(k string) string { return c.env[k] })
	return out.String(), errOut.String(), code
}

// ok runs a command that must succeed and returns its output.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run(args...)
	if code != exitOK {
		c.t.Fatalf("accord %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// fails runs a command that must exit with code and mention want.
func (c *cli) fails(code int, want string, args ...string) {
	c.t.Helper()
	out, errOut, got := c.run(args...)
	if got != code || !strings.Contains(errOut, want) {
		c.t.Errorf("accord %s = exit %d, stderr %q; want exit %d mentioning %q (stdout %q)", strings.Join(args, " "), got, errOut, code, want, out)
	}
}

func (c *cli) write(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

const dana, sam = "Dana Lee <dana@example.com>", "Sam Ortiz <sam@example.com>"

func TestPairLifecycle(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out := c.ok("pair", "add", "--lead", dana, "--report", sam, "--tz", "Europe/Berlin", "--report-tz", "America/New_York")
	for _, want := range []string{"Enrolled partnership 1", "Dana Lee <dana@example.com>, Europe/Berlin", "America/New_York", "16 questions"} {
		if !strings.Contains(out, want) {
			t.Errorf("pair add output lacks %q:\n%s", want, out)
		}
	}
	list := c.ok("pair", "list")
	if !strings.Contains(list, "Dana Lee <dana@example.com> (lead)") || !strings.Contains(list, "0/16") {
		t.Errorf("pair list:\n%s", list)
	}
	show := c.ok("pair", "show", "1")
	for _, want := range []string{"Partnership 1", "accord-default v1", "Sam Ortiz <sam@example.com>, report, America/New_York", "Mail"} {
		if !strings.Contains(show, want) {
			t.Errorf("pair show lacks %q:\n%s", want, show)
		}
	}
	until := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	if out := c.ok("pair", "pause", "1", "--until", until); !strings.Contains(out, "Paused partnership 1 until") {
		t.Errorf("pair pause: %s", out)
	}
	if show := c.ok("pair", "show", "1"); !strings.Contains(show, "paused until") {
		t.Errorf("pair show after pause:\n%s", show)
	}
	c.ok("pair", "resume", "1")
	c.fails(exitFailure, "nobody in partnership 1 is paused", "pair", "resume", "1")
	c.ok("pair", "pause", "--for", "2w", "1")
	c.ok("pair", "end", "1", "--reason", "moved teams")
	if show := c.ok("pair", "show", "1"); !strings.Contains(show, "ended by the operator: moved teams") {
		t.Errorf("pair show after end:\n%s", show)
	}
	c.fails(exitFailure, "has already ended", "pair", "end", "1")
	if list := c.ok("pair", "list", "--status", "answering"); !strings.Contains(list, "No partnerships") {
		t.Errorf("pair list --status answering after end:\n%s", list)
	}
	// The same two may start over once the first partnership ended.
	c.ok("pair", "add", "--peer", "--lead", dana, "--report", sam)

	// Forgetting asks for the ID twice; the first run erases nothing.
	if out := c.ok("pair", "forget", "1"); !strings.Contains(out, "Nothing was erased") || !strings.Contains(out, "--confirm 1") {
		t.Errorf("pair forget without --confirm:\n%s", out)
	}
	c.ok("pair", "show", "1")
	c.fails(exitUsage, "does not match", "pair", "forget", "1", "--confirm", "2")
	if out := c.ok("pair", "forget", "1", "--confirm", "1"); !strings.Contains(out, "Erased partnership 1") || !strings.Contains(out, "2 kept") {
		t.Errorf("pair forget --confirm:\n%s", out)
	}
	c.fails(exitFailure, "no partnership 1", "pair", "show", "1")
	c.ok("pair", "show", "2")
}

func TestPairAddRejects(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("pair", "add", "--lead", dana, "--report", sam)
	tests := []struct {
		code int
		want string
		args []string
	}{
		{exitFailure, "already have partnership 1", []string{"pair", "add", "--lead", sam, "--report", dana}},
		{exitFailure, "cannot be in a partnership with themselves", []string{"pair", "add", "--lead", dana, "--report", "D <DANA@example.com>"}},
		{exitFailure, "not a known time zone", []string{"pair", "add", "--lead", "Ana <ana@example.com>", "--report", "Ben <ben@example.com>", "--tz", "Europe/Atlantis"}},
		{exitUsage, "not a name and address", []string{"pair", "add", "--lead", "ana-at-example.com", "--report", sam}},
		{exitUsage, "add the person's name", []string{"pair", "add", "--lead", "ana@example.com", "--report", sam}},
		{exitUsage, "--report is required", []string{"pair", "add", "--lead", dana}},
		{exitUsage, "flag provided but not defined", []string{"pair", "add", "--boss", dana}},
		{exitUsage, "not a partnership ID", []string{"pair", "show", "one"}},
		{exitUsage, "exactly one partnership ID", []string{"pair", "show"}},
		{exitFailure, "there is no partnership 42", []string{"pair", "show", "42"}},
		{exitUsage, "use days or weeks", []string{"pair", "pause", "1", "--for", "a while"}},
		{exitUsage, "not a date", []string{"pair", "pause", "1", "--until", "next week"}},
		{exitFailure, "must end in the future", []string{"pair", "pause", "1", "--until", "2020-01-01"}},
		{exitUsage, "unknown pair subcommand", []string{"pair", "remove", "1"}},
		{exitUsage, "unknown command", []string{"enrol"}},
		{exitUsage, "--status", []string{"pair", "list", "--status", "happy"}},
	}
	for _, tt := range tests {
		c.fails(tt.code, tt.want, tt.args...)
	}
	if list := c.ok("pair", "list"); strings.Count(list, "\n") != 2 {
		t.Errorf("rejected commands changed the list:\n%s", list)
	}
}

func TestHelpEverywhere(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{
		{"-h"}, {"help"}, {"help", "pair"}, {"migrate", "-h"}, {"pair", "-h"}, {"pair", "add", "-h"},
		{"pair", "list", "-h"}, {"pair", "show", "-h"}, {"pair", "pause", "-h"}, {"pair", "resume", "-h"},
		{"pair", "end", "-h"}, {"import", "-h"}, {"questions", "-h"}, {"config", "-h"}, {"version", "-h"},
		{"send-test", "-h"}, {"unbounce", "-h"}, {"serve", "-h"}, {"demo", "-h"}, {"help", "demo"},
		{"extract", "-h"}, {"inbound", "list", "-h"},
	} {
		out, errOut, code := c.run(args...)
		if code != exitOK || strings.Count(out, "Usage") != 1 {
			t.Errorf("accord %s = exit %d, stdout %q, stderr %q; want usage once and exit 0", strings.Join(args, " "), code, out, errOut)
		}
	}
	if _, errOut, code := c.run(); code != exitUsage || !strings.Contains(errOut, "Commands:") {
		t.Errorf("accord with no command = exit %d, %q", code, errOut)
	}
	if out := c.ok("version"); !strings.Contains(out, fmt.Sprintf("database schema %d", schemaVersion(t))) {
		t.Errorf("version = %q", out)
	}
}

func TestImport(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("pair", "add", "--lead", "Old Lead <old@example.com>", "--report", "Old Report <oldr@example.com>")
	good := c.write("good.csv", "\ufefflead_name,lead_email,report_name,report_email,Kind,report_time_zone\n"+
		"Ana Silva,ana@example.com,Ben Kim,ben@example.com,,Asia/Seoul\n"+
		"\n"+
		"\"Chen, Li\",li@example.com,Dev Rao,dev@example.com,peer,\n")
	if out := c.ok("import", good); !strings.Contains(out, "Imported 2 partnerships (IDs 2–3)") {
		t.Errorf("import: %s", out)
	}
	if list := c.ok("pair", "list"); !strings.Contains(list, "Chen, Li") || !strings.Contains(list, "peer") {
		t.Errorf("imported rows missing from the list:\n%s", list)
	}

	bad := c.write("bad.csv", "lead_name,lead_email,report_name,report_email,lead_time_zone\n"+
		"Eve,eve@example.com,Fay,fay@example.com,Europe/Paris\n"+ // fine
		"Gus,gus@example,Hal,hal@example.com,\n"+ // bad address
		"Ivy,ivy@example.com,Ivy again,IVY@example.com,\n"+ // same person
		"Jo,jo@example.com,Kai,kai@example.com,Mars/Base\n"+ // zone
		"Lu,lu@example.com,Max\n"+ // short row
		"Ana Silva,ana@example.com,Ben Kim,ben@example.com,\n"+ // already paired
		"Fay,fay@example.com,Eve,eve@example.com,\n") // duplicate of line 2
	_, errOut, code := c.run("import", bad)
	if code != exitFailure {
		t.Errorf("bad import exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{"nothing imported", "line 3:", "line 4:", "line 5:", "line 6:", "line 7: ana@example.com and ben@example.com already have partnership 2", "line 8: fay@example.com and eve@example.com are already paired on line 2"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("bad import report lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "line 2:") {
		t.Errorf("the good row was reported:\n%s", errOut)
	}
	if list := c.ok("pair", "list"); strings.Contains(list, "eve@example.com") {
		t.Errorf("a failed import wrote rows:\n%s", list)
	}

	for _, tt := range []struct{ name, content, want string }{
		{"columns.csv", "lead,lead_email,report_name,report_email\n", `unknown column "lead"`},
		{"missing.csv", "lead_name,lead_email,report_name\n", `column "report_email" is missing`},
		{"latin1.csv", "lead_name,lead_email,report_name,report_email\nJos\xe9,jose@example.com,Ana,ana2@example.com\n", "line 2: the file is not UTF-8"},
		{"empty.csv", "", "the file is empty"},
		{"header-only.csv", "lead_name,lead_email,report_name,report_email\n", "no rows to import"},
		{"quote.csv", "lead_name,lead_email,report_name,report_email\n\"Ana,ana@example.com,Bo,bo@example.com\n", "line 2"},
	} {
		c.fails(exitFailure, tt.want, "import", c.write(tt.name, tt.content))
	}
	c.fails(exitUsage, "exactly one CSV file", "import")
}

func TestQuestionsCheck(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if out := c.ok("questions", "check", filepath.Join("..", "..", "templates", "questions", "default.toml")); !strings.Contains(out, "is fine: 16 questions") || !strings.Contains(out, "the built-in reflections") {
		t.Errorf("questions check of the default set: %s", out)
	}
	own := c.write("own.toml", "[set]\nname = \"ours\"\nversion = 1\n\n[[question]]\nid = \"a\"\ntheme = \"T\"\ntitle = \"A?\"\ntext = \"A?\"\n\n[[review]]\nid = \"learned\"\ntitle = \"What did we learn?\"\ntext = \"What did you learn?\"\n")
	if out := c.ok("questions", "check", own); !strings.Contains(out, "the rating, this reflection and one question per commitment") || !strings.Contains(out, "learned") {
		t.Errorf("questions check of a set with a review: %s", out)
	}
	bad := c.write("bad.toml", "[set]\nname = \"ours\"\nversion = 1\n\n[[question]]\nid = \"a\"\ntheme = \"T\"\ntitle = \"A?\"\n\n[[question]]\nid = \"a\"\ntitle = \"B?\"\ntext = \"Hi {name}\"\n")
	_, errOut, code := c.run("questions", "check", bad)
	if code != exitFailure {
		t.Errorf("questions check of a bad set: exit %d", code)
	}
	for _, want := range []string{"bad.toml:5: question 1 (a), lead: is missing", "bad.toml:11: question 2 (a), id: \"a\" is already used by question 1", "bad.toml:10: question 2 (a), theme: is missing", "bad.toml:13: question 2 (a), text: unknown placeholder {name}"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("questions check report lacks %q:\n%s", want, errOut)
		}
	}
	c.fails(exitUsage, "questions check FILE", "questions", "lint", bad)
	// pair add refuses a bad set before touching the database.
	c.fails(exitFailure, "unknown placeholder", "pair", "add", "--lead", dana, "--report", sam, "--questions", bad)
}

func TestConfig(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	secret := c.write("db-url", "postgres://accord:hunter2@db.internal:5432/accord\n")
	c.write("accord.toml", "[pacing]\nquiet_start = \"21:30\"\nreminders = [2, 4, 7]\n")
	c.env["ACCORD_DATABASE_URL"] = ""
	c.env["ACCORD_DATABASE_URL_FILE"] = secret
	c.env["ACCORD_LOG_LEVEL"] = "debug"
	c.env["ACCORD_SMTP_URL"] = "smtps://accord:mailpass@mail.example.com"
	c.env["ACCORD_SMTP_PASSWORD"] = "otherpass"
	out := c.ok("config", "check")
	for _, want := range []string{"accord:xxxxx@db.internal", `quiet_start = '21:30'`, "reminders = [2, 4, 7]", "ACCORD_DATABASE_URL_FILE", "level = 'debug'", "accord.toml",
		"smtps://accord:xxxxx@mail.example.com", "password = 'xxxxx'"} {
		if !strings.Contains(out, want) {
			t.Errorf("config check lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hunter2") || strings.Contains(out, "mailpass") || strings.Contains(out, "otherpass") {
		t.Errorf("config check prints the password:\n%s", out)
	}

	bad := newCLI(t)
	bad.write("accord.toml", "[pacing]\nquite_start = \"21:30\"\n")
	bad.fails(exitFailure, "accord.toml:2: unknown setting pacing.quite_start", "config", "check")
	bad.write("accord.toml", "[pacing]\nquiet_start = \"9pm\"\nquiet_days = [\"saturday\"]\nreminders = [0]\nundo_minutes = 500\n[http]\npublic_url = \"http://accord.example.com\"\n")
	bad.env["ACCORD_LOG_LEVEL"] = "loud"
	bad.env["ACCORD_SMTP_URL"] = "http://mail.example.com"
	bad.env["ACCORD_MAIL_ADDRESS"] = "accord at example"
	_, errOut, _ := bad.run("config", "check")
	for _, want := range []string{`log.level (ACCORD_LOG_LEVEL): "loud"`, `pacing.quiet_start`, `"9pm" is not a time of day`, `"saturday" is not a day`, "pacing.reminders",
		"smtp.url (ACCORD_SMTP_URL)", "mail.address (ACCORD_MAIL_ADDRESS)", "pacing.undo_minutes", "use between 0 (answers are shown at once) and 120 minutes",
		"http.public_url", "use an https address"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("config check report lacks %q:\n%s", want, errOut)
		}
	}
	missing := newCLI(t)
	missing.env["ACCORD_CONFIG"] = filepath.Join(missing.dir, "nowhere.toml")
	missing.env["ACCORD_DATABASE_URL"] = "mysql://localhost/accord"
	out, errOut, code := missing.run("--config", filepath.Join(missing.dir, "nowhere.toml"), "config", "check")
	if code != exitFailure || !strings.Contains(errOut, "cannot read") {
		t.Errorf("explicit missing config file = exit %d, %q %q", code, out, errOut)
	}
}

func TestDatabaseProblems(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["ACCORD_DATABASE_URL"] = "postgres://accord:pw@127.0.0.1:1/accord?sslmode=disable&connect_timeout=2"
	c.fails(exitFailure, "cannot reach PostgreSQL at 127.0.0.1:1/accord", "pair", "list")
	c.env["ACCORD_DATABASE_URL"] = "sqlite:" + filepath.Join(c.dir, "no", "such", "dir.db")
	c.fails(exitFailure, "does not exist", "pair", "list")

	// A database that is not empty and has no schema yet is not touched
	// until the operator migrates it.
	old := newCLI(t)
	old.ok("migrate")
	if out := old.ok("migrate"); !strings.Contains(out, fmt.Sprintf("up to date (schema version %d)", schemaVersion(t))) {
		t.Errorf("second migrate: %s", out)
	}
	other := newCLI(t)
	db := filepath.Join(other.dir, "accord.db")
	seedForeignTable(t, db)
	other.fails(exitFailure, "run `accord migrate` first", "pair", "list")
	other.ok("migrate")
	other.ok("pair", "list")
}

// seedForeignTable makes a SQLite file that holds someone else's table.
func seedForeignTable(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}
}

func schemaVersion(t *testing.T) int {
	t.Helper()
	ms, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

func TestCommandHints(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	tests := []struct {
		code int
		want string
		args []string
	}{
		{exitUsage, "unknown pair subcommand \"import\"; did you mean accord import people.csv?", []string{"pair", "import", "people.csv"}},
		{exitUsage, "unknown pair subcommand \"checkin\"; did you mean accord checkin 1 show?", []string{"pair", "checkin", "1", "show"}},
		{exitUsage, "did you mean accord pair add?", []string{"pair", "ad", "--lead", dana}},
		{exitUsage, "did you mean accord pair forget?", []string{"pair", "forgt", "1"}},
		{exitUsage, "use add, list, show, pause, resume, end or forget", []string{"pair", "remove", "1"}},
		{exitUsage, "unknown command \"imprt\"; did you mean accord import?", []string{"imprt", "people.csv"}},
		{exitUsage, "unknown command \"add\"; did you mean accord pair add?", []string{"add"}},
		{exitUsage, "unknown command \"enrol\"\n", []string{"enrol"}},
	}
	for _, tt := range tests {
		c.fails(tt.code, tt.want, tt.args...)
	}
}
