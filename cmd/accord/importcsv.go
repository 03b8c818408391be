package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"accord/conversation"
	"accord/internal/config"
	"accord/store"
	"accord/templates"
)

var importColumns = []string{"lead_name", "lead_email", "lead_time_zone", "lead_language", "report_name", "report_email", "report_time_zone", "report_language", "kind"}

// importRow is one parsed data row with the line it came from.
type importRow struct {
	line int
	e    store.Enrollment
}

// importSource opens the CSV file from its start. The import reads it more
// than once rather than keep it, or its rows, in memory.
type importSource func() (io.ReadCloser, error)

func fileSource(path string) importSource {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// importBatch is how many rows are checked against the database at once.
const importBatch = 500

func runImport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("import", templates.Operator("import.usage", nil))
	questions := fs.String("questions", "", templates.Operator("import.flag.questions", nil))
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage(templates.Operator("import.one-file", nil))
	}
	path := fs.Arg(0)
	src := fileSource(path)
	f, err := src()
	if err != nil {
		return err
	}
	f.Close()
	set, err := a.questionSet(*questions)
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// Every problem is reported before anything is written: a first pass
	// checks each row, against the rows before it and against the
	// partnerships in the database; a second enrolls them all in one
	// transaction.
	n, problems, err := checkImport(ctx, st, src, set)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b string) int { return cmp.Compare(lineOf(a), lineOf(b)) })
		return errors.New(templates.Operator("import.problems", templates.Args{"File": path, "Problems": strings.Join(problems, "\n  ")}))
	}
	if n == 0 {
		return errors.New(templates.Operator("import.no-rows", templates.Args{"File": path}))
	}
	var count int
	var first, last int64
	err = st.EnrollEach(ctx, importRows(src, set), func(_ int, id int64) {
		if count == 0 {
			first = id
		}
		count, last = count+1, id
	})
	var ee *store.EnrollError
	if errors.As(err, &ee) {
		line, lerr := importLine(src, set, ee.Index)
		if lerr != nil {
			return fmt.Errorf("%s: %w", templates.Operator("import.failed-row", templates.Args{"File": path, "Row": ee.Index + 1}), ee.Err)
		}
		return fmt.Errorf("%s: %w", templates.Operator("import.failed-line", templates.Args{"File": path, "Line": line}), ee.Err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", templates.Operator("import.failed", templates.Args{"File": path}), err)
	}
	if count == 1 {
		fmt.Fprintln(a.stdout, templates.Operator("import.imported-one", templates.Args{"ID": first, "File": path}))
		return nil
	}
	fmt.Fprintln(a.stdout, templates.Operator("import.imported", templates.Args{"Count": count, "First": first, "Last": last, "File": path}))
	return nil
}

// checkImport reads every row, checks it as enrollment would, against the
// rows before it and against the partnerships that have not ended, and
// returns how many rows there are and a problem line for each that cannot
// be imported. Memory holds one batch of rows and a hash of each pair seen.
func checkImport(ctx context.Context, st *store.Store, src importSource, set *conversation.QuestionSet) (int, []string, error) {
	seed := maphash.MakeSeed()
	seen := map[uint64]int{} // hash of the pair → line
	type suspect struct {
		line, first int
		pair        string
		row         importRow
	}
	var suspects []suspect
	var batch []importRow
	var problems []string
	checkLive := func(rows []importRow) error {
		pairs := make([][2]string, len(rows))
		for i, r := range rows {
			pairs[i] = [2]string{r.e.A.Email, r.e.B.Email}
		}
		ids, err := st.LivePartnerships(ctx, pairs)
		if err != nil {
			return err
		}
		for i, r := range rows {
			if ids[i] != 0 {
				problems = append(problems, templates.Operator("import.line.live", templates.Args{"Line": r.line, "A": r.e.A.Email, "B": r.e.B.Email, "ID": ids[i]}))
			}
		}
		return nil
	}
	n := 0
	parseProblems, err := scanImport(src, set, func(r importRow) error {
		n++
		if err := st.CheckEnrollment(r.e); err != nil {
			problems = append(problems, templates.Operator("import.line.problem", templates.Args{"Line": r.line, "Problem": err}))
			return nil
		}
		pair := pairName(r.e.A.Email, r.e.B.Email)
		h := maphash.String(seed, pair)
		if first, dup := seen[h]; dup {
			// Most likely the same pair; confirmed below against the
			// line it points to.
			suspects = append(suspects, suspect{r.line, first, pair, r})
			return nil
		}
		seen[h] = r.line
		if batch = append(batch, r); len(batch) == importBatch {
			err := checkLive(batch)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	problems = append(problems, parseProblems...)
	if len(suspects) > 0 {
		firsts := map[int]string{}
		for _, s := range suspects {
			firsts[s.first] = ""
		}
		if _, err := scanImport(src, set, func(r importRow) error {
			if _, ok := firsts[r.line]; ok {
				firsts[r.line] = pairName(r.e.A.Email, r.e.B.Email)
			}
			return nil
		}); err != nil {
			return 0, nil, err
		}
		for _, s := range suspects {
			if firsts[s.first] == s.pair {
				problems = append(problems, templates.Operator("import.line.paired", templates.Args{"Line": s.line, "A": s.row.e.A.Email, "B": s.row.e.B.Email, "First": s.first}))
				continue
			}
			// Two pairs whose hashes collide: check this one as any other.
			if batch = append(batch, s.row); len(batch) == importBatch {
				if err := checkLive(batch); err != nil {
					return 0, nil, err
				}
				batch = batch[:0]
			}
		}
	}
	if len(batch) > 0 {
		if err := checkLive(batch); err != nil {
			return 0, nil, err
		}
	}
	return n, problems, nil
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

// errStopScan ends a scan early without a problem.
var errStopScan = errors.New("stop")

// importRows yields the rows of a file that checkImport found fine.
func importRows(src importSource, set *conversation.QuestionSet) iter.Seq2[store.Enrollment, error] {
	return func(yield func(store.Enrollment, error) bool) {
		problems, err := scanImport(src, set, func(r importRow) error {
			if !yield(r.e, nil) {
				return errStopScan
			}
			return nil
		})
		switch {
		case errors.Is(err, errStopScan):
		case err != nil:
			yield(store.Enrollment{}, err)
		case len(problems) > 0:
			yield(store.Enrollment{}, errors.New(templates.Operator("import.changed", templates.Args{"Problem": problems[0]})))
		}
	}
}

// importLine is the line of the row at index, counting from 0.
func importLine(src importSource, set *conversation.QuestionSet, index int) (int, error) {
	i, line := 0, 0
	_, err := scanImport(src, set, func(r importRow) error {
		if i == index {
			line = r.line
			return errStopScan
		}
		i++
		return nil
	})
	if line == 0 && err == nil {
		err = errors.New(templates.Operator("import.no-row", templates.Args{"Row": index + 1}))
	}
	if errors.Is(err, errStopScan) {
		err = nil
	}
	return line, err
}

// scanImport reads the CSV from src a row at a time, calling row for each
// data row it can read and returning a problem line for everything it
// cannot; an error from row ends the scan and is returned.
func scanImport(src importSource, set *conversation.QuestionSet, row func(importRow) error) ([]string, error) {
	header, problem, err := checkText(src)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		return []string{problem}, nil
	}
	f, err := src()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = delimiter(header)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	atEnd := func(line, column int) bool { return pastEnd(src, line, column) }
	names, err := r.Read()
	if errors.Is(err, io.EOF) {
		return []string{templates.Operator("import.empty", nil)}, nil
	}
	if err != nil {
		return []string{csvProblem(err, atEnd)}, nil
	}
	width := len(names)
	col := map[string]int{}
	var problems []string
	for i, h := range names {
		name := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(importColumns, name) {
			hint := templates.Operator("import.hint.columns", templates.Args{"Columns": strings.Join(importColumns, ", ")})
			if s := templates.Suggest(name, importColumns); s != "" {
				hint = templates.Operator("import.hint.suggest", templates.Args{"Column": s})
			}
			if strings.ContainsAny(h, ";\t") {
				hint = templates.Operator("import.hint.separator", nil)
			}
			problems = append(problems, templates.Operator("import.line.unknown-column", templates.Args{"Column": h, "Hint": hint}))
			continue
		}
		if _, dup := col[name]; dup {
			problems = append(problems, templates.Operator("import.line.column-twice", templates.Args{"Column": name}))
		}
		col[name] = i
	}
	for _, req := range []string{"lead_name", "lead_email", "report_name", "report_email"} {
		if _, ok := col[req]; !ok {
			problems = append(problems, templates.Operator("import.line.column-missing", templates.Args{"Column": req}))
		}
	}
	if len(problems) > 0 {
		return problems, nil
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, csvProblem(err, atEnd))
			continue
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != width {
			problems = append(problems, templates.Operator("import.line.fields", templates.Args{"Line": line, "Fields": len(rec), "Width": width}))
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
			A:    store.EnrollPerson{Name: get("lead_name"), Email: get("lead_email"), TimeZone: get("lead_time_zone"), Language: strings.ToLower(get("lead_language"))},
			B:    store.EnrollPerson{Name: get("report_name"), Email: get("report_email"), TimeZone: get("report_time_zone"), Language: strings.ToLower(get("report_language"))},
			Set:  set,
		}
		switch k := get("kind"); k {
		case "", "lead-report":
		case "peer":
			e.Kind = conversation.KindPeer
		default:
			problems = append(problems, templates.Operator("import.line.kind", templates.Args{"Line": line, "Kind": k}))
			continue
		}
		if e.A.Name == "" || e.B.Name == "" {
			problems = append(problems, templates.Operator("import.line.unnamed", templates.Args{"Line": line}))
			continue
		}
		if err := errors.Join(checkLanguage(e.A.Language), checkLanguage(e.B.Language)); err != nil {
			problems = append(problems, templates.Operator("import.line.language", templates.Args{"Line": line, "Problem": err}))
			continue
		}
		if zoneProblems := checkZones(line, map[string]string{"lead_time_zone": e.A.TimeZone, "report_time_zone": e.B.TimeZone}); len(zoneProblems) > 0 {
			problems = append(problems, zoneProblems...)
			continue
		}
		if err := row(importRow{line: line, e: e}); err != nil {
			return problems, err
		}
	}
	return problems, nil
}

// checkText reads the file a line at a time to find its header line and
// to make sure it is UTF-8 text throughout, which the CSV reader does not
// check; problem names the first line that is not.
func checkText(src importSource) (header []byte, problem string, err error) {
	f, err := src()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && !utf8.Valid(line) {
			return nil, templates.Operator("import.line.not-utf8", templates.Args{"Line": n}), nil
		}
		if n == 1 {
			header = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if errors.Is(err, io.EOF) {
			return header, "", nil
		}
		if err != nil {
			return nil, "", err
		}
	}
}

// checkZones checks a row's time zones, in column order.
func checkZones(line int, zones map[string]string) []string {
	var problems []string
	for _, column := range importColumns {
		if z := zones[column]; z != "" {
			if err := config.CheckZone(z); err != nil {
				problems = append(problems, templates.Operator("import.line.zone", templates.Args{"Line": line, "Column": column, "Problem": err}))
			}
		}
	}
	return problems
}

// delimiter is the character between the columns: a comma, unless the
// header line has none and semicolons (as spreadsheets write CSV where the
// comma is the decimal separator) or tabs instead.
func delimiter(header []byte) rune {
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
// only notices at the end of the file. atEnd says whether a line and
// column are there.
func csvProblem(err error, atEnd func(line, column int) bool) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && atEnd(pe.Line, pe.Column):
		return templates.Operator("import.line.quote-open", templates.Args{"Line": pe.StartLine})
	case errors.Is(pe.Err, csv.ErrQuote):
		return templates.Operator("import.line.quote-twice", templates.Args{"Line": pe.Line})
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return templates.Operator("import.line.quote-bare", templates.Args{"Line": pe.Line})
	}
	return templates.Operator("import.line.problem", templates.Args{"Line": pe.Line, "Problem": pe.Err})
}

// pastEnd says whether a line and 1-based byte column of a ParseError are at
// the end of the file (after a byte order mark, before trailing line
// breaks), where the reader stops when a quote is not closed. It reads the
// file again: this is only asked about a file with an error.
func pastEnd(src importSource, line, column int) bool {
	f, err := src()
	if err != nil {
		return false
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	for range line - 1 {
		_, err := br.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) { // a line longer than the buffer
			_, err = br.ReadSlice('\n')
		}
		if err != nil {
			return true
		}
	}
	if _, err := br.Discard(column - 1); err != nil {
		return true
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return true
		}
		if c != '\r' && c != '\n' {
			return false
		}
	}
}

func runQuestions(_ context.Context, a *app, args []string) error {
	fs := a.flags("questions", templates.Operator("questions.usage", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "check" {
		return usage(templates.Operator("questions.use-check", nil))
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
	fmt.Fprintln(a.stdout, templates.Operator("questions.fine", templates.Args{"File": path, "Set": set.Name, "Version": set.Version, "Questions": set.Len()}))
	for i, q := range set.Questions {
		fmt.Fprintf(a.stdout, "  %2d. %-22s %s\n", i+1, q.ID, q.Title)
	}
	if len(set.Review) == 0 {
		fmt.Fprintln(a.stdout, templates.Operator("questions.built-in-review", nil))
		return nil
	}
	fmt.Fprintln(a.stdout, templates.Operator("questions.review", templates.Args{"Reflections": len(set.Review)}))
	for i, q := range set.Review {
		fmt.Fprintf(a.stdout, "  %2d. %-22s %s\n", i+1, q.ID, q.Title)
	}
	return nil
}
