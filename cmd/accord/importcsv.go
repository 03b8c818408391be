package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"accord/conversation"
	"accord/store"
	"accord/templates"
)

const importUsage = `
Usage: accord import FILE.csv

Enrols one partnership per row, all of them or none: if any row is wrong,
every bad row is reported with its line number and nothing is imported.

The first line names the columns, in any order (case does not matter),
separated by commas, or by semicolons or tabs as some spreadsheet programs
write them:
  lead_name, lead_email, report_name, report_email   required
  lead_time_zone, report_time_zone                   optional IANA zones
  kind                                               optional: lead-report (default) or peer
For peers, lead_* and report_* simply name the two people. Save the file as
UTF-8 (in spreadsheet programs: "CSV UTF-8").`

var importColumns = []string{"lead_name", "lead_email", "lead_time_zone", "report_name", "report_email", "report_time_zone", "kind"}

// importRow is one parsed data row with the line it came from.
type importRow struct {
	line int
	e    store.Enrollment
}

func runImport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("import", importUsage)
	questions := fs.String("questions", "", "question set file for every row (default: configured or built-in)")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give exactly one CSV file")
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	set, err := a.questionSet(*questions)
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, problems := parseImport(data, set)
	// Check each row as enrolment would, and against partnerships already
	// in the database, so every problem is reported before anything is
	// written.
	seen := map[string]int{}
	for _, r := range rows {
		if err := st.CheckEnrollment(r.e); err != nil {
			problems = append(problems, fmt.Sprintf("line %d: %v", r.line, err))
			continue
		}
		key := pairName(r.e.A.Email, r.e.B.Email)
		if first, dup := seen[key]; dup {
			problems = append(problems, fmt.Sprintf("line %d: %s and %s are already paired on line %d", r.line, r.e.A.Email, r.e.B.Email, first))
			continue
		}
		seen[key] = r.line
		existing, err := st.LivePartnership(ctx, r.e.A.Email, r.e.B.Email)
		if err != nil {
			return err
		}
		if existing != 0 {
			problems = append(problems, fmt.Sprintf("line %d: %s and %s already have partnership %d", r.line, r.e.A.Email, r.e.B.Email, existing))
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b string) int { return cmp.Compare(lineOf(a), lineOf(b)) })
		return fmt.Errorf("%s: nothing imported; fix these rows and run it again:\n  %s", path, strings.Join(problems, "\n  "))
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s: no rows to import below the header line", path)
	}
	es := make([]store.Enrollment, len(rows))
	for i, r := range rows {
		es[i] = r.e
	}
	ids, err := st.EnrollAll(ctx, es)
	var ee *store.EnrollError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s: nothing imported: line %d: %v", path, rows[ee.Index].line, ee.Err)
	}
	if err != nil {
		return err
	}
	if len(ids) == 1 {
		fmt.Fprintf(a.stdout, "Imported 1 partnership (ID %d) from %s.\n", ids[0], path)
		return nil
	}
	fmt.Fprintf(a.stdout, "Imported %d partnerships (IDs %d–%d) from %s.\n", len(ids), ids[0], ids[len(ids)-1], path)
	return nil
}

// lineOf reads the number of a "line N: …" problem.
func lineOf(problem string) int {
	var n int
	fmt.Sscanf(problem, "line %d:", &n)
	return n
}

func pairName(a, b string) string {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a > b {
		a, b = b, a
	}
	return a + " " + b
}

// parseImport reads the CSV, returning the rows it could read and a
// problem line for everything it could not.
func parseImport(data []byte, set *conversation.QuestionSet) ([]importRow, []string) {
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			return nil, []string{fmt.Sprintf("line %d: the file is not UTF-8 text; save it as \"CSV UTF-8\"", i+1)}
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delimiter(data)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, []string{"the file is empty; the first line must name the columns"}
	}
	if err != nil {
		return nil, []string{csvProblem(data, err)}
	}
	col := map[string]int{}
	var problems []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(importColumns, name) {
			hint := "the columns are " + strings.Join(importColumns, ", ")
			if s := suggest(name, importColumns); s != "" {
				hint = fmt.Sprintf("did you mean %s?", s)
			}
			if strings.ContainsAny(h, ";\t") {
				hint = "separate all the columns with the same character: commas, semicolons or tabs"
			}
			problems = append(problems, fmt.Sprintf("line 1: unknown column %q; %s", h, hint))
			continue
		}
		if _, dup := col[name]; dup {
			problems = append(problems, fmt.Sprintf("line 1: column %q appears twice", name))
		}
		col[name] = i
	}
	for _, req := range []string{"lead_name", "lead_email", "report_name", "report_email"} {
		if _, ok := col[req]; !ok {
			problems = append(problems, fmt.Sprintf("line 1: column %q is missing", req))
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var rows []importRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, csvProblem(data, err))
			continue
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			problems = append(problems, fmt.Sprintf("line %d: %s, but the header has %d", line, count(len(rec), "field"), len(header)))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e := store.Enrollment{
			Kind: conversation.KindLeadReport,
			A:    store.EnrollPerson{Name: get("lead_name"), Email: get("lead_email"), TimeZone: get("lead_time_zone")},
			B:    store.EnrollPerson{Name: get("report_name"), Email: get("report_email"), TimeZone: get("report_time_zone")},
			Set:  set,
		}
		switch k := get("kind"); k {
		case "", "lead-report":
		case "peer":
			e.Kind = conversation.KindPeer
		default:
			problems = append(problems, fmt.Sprintf("line %d: kind %q: use lead-report or peer", line, k))
			continue
		}
		if e.A.Name == "" || e.B.Name == "" {
			problems = append(problems, fmt.Sprintf("line %d: both people need a name", line))
			continue
		}
		if zoneProblems := checkZones(line, map[string]string{"lead_time_zone": e.A.TimeZone, "report_time_zone": e.B.TimeZone}); len(zoneProblems) > 0 {
			problems = append(problems, zoneProblems...)
			continue
		}
		rows = append(rows, importRow{line: line, e: e})
	}
	return rows, problems
}

// checkZones checks a row's time zones, in column order.
func checkZones(line int, zones map[string]string) []string {
	var problems []string
	for _, column := range importColumns {
		if z := zones[column]; z != "" {
			if err := checkZone(z); err != nil {
				problems = append(problems, fmt.Sprintf("line %d: %s: %v", line, column, err))
			}
		}
	}
	return problems
}

// delimiter is the character between the columns: a comma, unless the
// header line has none and semicolons (as spreadsheets write CSV where the
// comma is the decimal separator) or tabs instead.
func delimiter(data []byte) rune {
	header, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.ContainsRune(header, ',') {
		return ','
	}
	switch {
	case bytes.ContainsRune(header, ';'):
		return ';'
	case bytes.ContainsRune(header, '\t'):
		return '\t'
	}
	return ','
}

// csvProblem explains a CSV syntax error, pointing at the line to fix: for
// a quote that is never closed, the line where it opened, since the reader
// only notices at the end of the file.
func csvProblem(data []byte, err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && pastEnd(data, pe.Line, pe.Column):
		return fmt.Sprintf("line %d: a quote (\") opens a field here that is never closed, so everything after it was read as that one field; close it or remove it", pe.StartLine)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("line %d: a quote (\") inside a field in quotes must be written twice (\"\"), or the field ends there and the quote is followed by more text", pe.Line)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("line %d: a quote (\") inside a field: put the whole field in quotes and write the quote twice (\"\"), or remove it", pe.Line)
	}
	return fmt.Sprintf("line %d: %v", pe.Line, pe.Err)
}

// pastEnd says whether a line and 1-based byte column of a ParseError are at
// the end of the data, where the reader stops when a quote is not closed.
func pastEnd(data []byte, line, column int) bool {
	offset := 0
	for range line - 1 {
		i := bytes.IndexByte(data[offset:], '\n')
		if i < 0 {
			return true
		}
		offset += i + 1
	}
	return offset+column-1 >= len(bytes.TrimRight(data, "\r\n"))
}

const questionsUsage = `
Usage: accord questions check FILE

Reads a question set file and reports every problem with its line and field,
or confirms it is ready to use. Start from the built-in set:
templates/questions/default.toml in the source tree.`

func runQuestions(_ context.Context, a *app, args []string) error {
	fs := a.flags("questions", questionsUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "check" {
		return usagef("use: accord questions check FILE")
	}
	path := fs.Arg(1)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	set, err := templates.ParseQuestionSet(path, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: question set %s v%d is fine: %s.\n", path, set.Name, set.Version, count(set.Len(), "question"))
	for i, q := range set.Questions {
		fmt.Fprintf(a.stdout, "  %2d. %-22s %s\n", i+1, q.ID, q.Title)
	}
	if len(set.Review) == 0 {
		fmt.Fprintf(a.stdout, "Reviews ask the rating, the built-in reflections and one question per commitment.\n")
		return nil
	}
	these := fmt.Sprintf("these %d reflections", len(set.Review))
	if len(set.Review) == 1 {
		these = "this reflection"
	}
	fmt.Fprintf(a.stdout, "Reviews ask the rating, %s and one question per commitment:\n", these)
	for i, q := range set.Review {
		fmt.Fprintf(a.stdout, "  %2d. %-22s %s\n", i+1, q.ID, q.Title)
	}
	return nil
}
