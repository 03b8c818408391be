package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"accord/conversation"
	"accord/internal/apply"
	"accord/store"
	"accord/templates"
)

func TestParseImportProblems(t *testing.T) {
	t.Parallel()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	const header = "lead_name,lead_email,report_name,report_email,lead_time_zone\n"
	tests := []struct {
		name string
		csv  string
		want string // part of the first problem
	}{
		{"unclosed quote points where it opened",
			header + "Ana,ana@example.com,Bo,bo@example.com,\n\"Cy,cy@example.com,Di,di@example.com,\nEd,ed@example.com,Fa,fa@example.com,\nGil,gil@example.com,Hu,hu@example.com,\n",
			"line 3: a quote (\") opens a field here that is never closed"},
		{"unclosed quote on the last line",
			header + "Ana,ana@example.com,Bo,bo@example.com,\"Europe/Berlin\n",
			"line 2: a quote (\") opens a field here that is never closed"},
		{"quote inside a quoted field",
			header + "\"Ana \"DJ\" Silva\",ana@example.com,Bo,bo@example.com,\n",
			"line 2: a quote (\") inside a field in quotes must be written twice"},
		{"bare quote",
			header + "Ana \"DJ\" Silva,ana@example.com,Bo,bo@example.com,\n",
			"line 2: a quote (\") inside a field: put the whole field in quotes"},
		{"mixed separators",
			"lead_name;lead_email,report_name,report_email\n",
			`line 1: unknown column "lead_name;lead_email"; separate all the columns with the same character`},
		{"misspelt column",
			"lead_name,lead_emial,report_name,report_email\n",
			`unknown column "lead_emial"; did you mean lead_email?`},
		{"abbreviated zone",
			header + "Ana,ana@example.com,Bo,bo@example.com,CET\n",
			`line 2: lead_time_zone: "CET" is an abbreviation`},
		{"one field",
			header + "Ana\n",
			"line 2: 1 field, but the header has 5"},
		{"a language Accord does not write",
			"lead_name,lead_email,report_name,report_email,lead_language\nAna,ana@example.com,Bo,bo@example.com,klingon\n",
			`line 2: language "klingon": Accord writes in`},
	}
	for _, tt := range tests {
		_, problems := scanString(t, tt.csv, set)
		if len(problems) == 0 || !strings.Contains(problems[0], tt.want) {
			t.Errorf("%s: scanImport = %q, want first a problem mentioning %q", tt.name, problems, tt.want)
		}
	}
}

func TestImportDelimiter(t *testing.T) {
	t.Parallel()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		csv  string
	}{
		{"commas", "lead_name,lead_email,report_name,report_email\n\"Silva; Ana\",ana@example.com,Bo,bo@example.com\n"},
		{"semicolons", "lead_name;lead_email;report_name;report_email\r\n\"Silva, Ana\";ana@example.com;Bo;bo@example.com\r\n"},
		{"semicolons after a byte order mark", "\ufefflead_name;lead_email;report_name;report_email\nAna;ana@example.com;Bo;bo@example.com\n"},
		{"tabs", "lead_name\tlead_email\treport_name\treport_email\nAna\tana@example.com\tBo\tbo@example.com\n"},
	}
	for _, tt := range tests {
		rows, problems := scanString(t, tt.csv, set)
		if len(problems) > 0 || len(rows) != 1 || rows[0].e.A.Email != "ana@example.com" || rows[0].e.B.Name != "Bo" {
			t.Errorf("%s: scanImport = %+v, %q; want one row for ana@example.com and Bo", tt.name, rows, problems)
		}
	}
}

// scanString reads a CSV held in a string as import reads a file.
func scanString(t *testing.T, data string, set *conversation.QuestionSet) ([]importRow, []string) {
	t.Helper()
	var rows []importRow
	src := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }
	problems, err := scanImport(src, set, func(r importRow) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows, problems
}

func TestImportOneRow(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	file := c.write("one.csv", "lead_name;lead_email;report_name;report_email;report_time_zone\nAna;ana@example.com;Bo;bo@example.com;Asia/Seoul\n")
	if out := c.ok("import", file); !strings.Contains(out, "Imported 1 partnership (ID 1) from") {
		t.Errorf("import of one row: %s", out)
	}
}

// TestImportRowEnrolledMeanwhile: a pair enrolled by someone else between
// the check and the import is reported at its line, and nothing is
// imported.
func TestImportRowEnrolledMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "accord.db"), store.Options{Dispatcher: droppingDispatcher{}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	data := "lead_name,lead_email,report_name,report_email\n" +
		"Ana,ana@example.com,Bo,bo@example.com\n" +
		"\n" +
		"Cy,cy@example.com,Di,di@example.com\n"
	src := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }
	if n, problems, err := checkImport(ctx, st, src, set); n != 2 || len(problems) != 0 || err != nil {
		t.Fatalf("checkImport = %d, %q, %v; want 2 rows and no problems", n, problems, err)
	}
	if _, err := st.Enroll(ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: set,
		A: store.EnrollPerson{Name: "Di", Email: "di@example.com"}, B: store.EnrollPerson{Name: "Cy", Email: "cy@example.com"}}); err != nil {
		t.Fatal(err)
	}
	err = st.EnrollEach(ctx, importRows(src, set), nil)
	var ee *store.EnrollError
	if !errors.As(err, &ee) || ee.Index != 1 {
		t.Fatalf("EnrollEach = %v, want the error of the second row", err)
	}
	if line, err := importLine(src, set, ee.Index); line != 4 || err != nil {
		t.Errorf("importLine(%d) = %d, %v; want line 4", ee.Index, line, err)
	}
	if list, err := st.ListPartnerships(ctx, ""); err != nil || len(list) != 1 {
		t.Errorf("after the failed import: %d partnerships, %v; want only the one enrolled meanwhile", len(list), err)
	}
}

// droppingDispatcher takes the welcomes and drops them.
type droppingDispatcher struct{}

func (droppingDispatcher) Dispatch(context.Context, *store.Tx, *conversation.Partnership, []apply.Outgoing) error {
	return nil
}

// TestImportLargeFileProblems: problems far apart in a file longer than a
// batch are all reported, each at its line, and nothing is imported.
func TestImportLargeFileProblems(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("pair", "add", "--lead", "Old Lead <lead1100@example.com>", "--report", "Old Report <report1100@example.com>")
	var csv strings.Builder
	csv.WriteString("lead_name,lead_email,report_name,report_email\n")
	for i := 2; i <= 1300; i++ {
		switch i {
		case 1250: // the pair of line 5, the other way round
			csv.WriteString("Report 5,report5@example.com,Lead 5,lead5@example.com\n")
		case 1290:
			csv.WriteString("Bad,bad-address,Report,r1290@example.com\n")
		default:
			fmt.Fprintf(&csv, "Lead %d,lead%d@example.com,Report %d,report%d@example.com\n", i, i, i, i)
		}
	}
	_, errOut, code := c.run("import", c.write("big.csv", csv.String()))
	if code != exitFailure {
		t.Errorf("import exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{
		"line 1100: lead1100@example.com and report1100@example.com already have partnership 1",
		"line 1250: report5@example.com and lead5@example.com are already paired on line 5",
		`line 1290: "bad-address" is not a valid email address`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("import report lacks %q:\n%s", want, errOut)
		}
	}
	if n := strings.Count(errOut, "\n  line "); n != 3 {
		t.Errorf("import reported %d problems, want 3:\n%s", n, errOut)
	}
	if list := c.ok("pair", "list", "--limit", "0"); strings.Count(list, "\n") != 2 {
		t.Errorf("a failed import wrote rows:\n%s", list)
	}
}
