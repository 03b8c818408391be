package main

import (
	"strings"
	"testing"

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
	}
	for _, tt := range tests {
		_, problems := parseImport([]byte(tt.csv), set)
		if len(problems) == 0 || !strings.Contains(problems[0], tt.want) {
			t.Errorf("%s: parseImport = %q, want first a problem mentioning %q", tt.name, problems, tt.want)
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
		rows, problems := parseImport([]byte(tt.csv), set)
		if len(problems) > 0 || len(rows) != 1 || rows[0].e.A.Email != "ana@example.com" || rows[0].e.B.Name != "Bo" {
			t.Errorf("%s: parseImport = %+v, %q; want one row for ana@example.com and Bo", tt.name, rows, problems)
		}
	}
}

func TestImportOneRow(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	file := c.write("one.csv", "lead_name;lead_email;report_name;report_email;report_time_zone\nAna;ana@example.com;Bo;bo@example.com;Asia/Seoul\n")
	if out := c.ok("import", file); !strings.Contains(out, "Imported 1 partnership (ID 1) from") {
		t.Errorf("import of one row: %s", out)
	}
}
