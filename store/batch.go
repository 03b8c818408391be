package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// read is one query a transaction will run, for [Tx.prefetch].
type read struct {
	q    *Query
	args []any
}

func fetch(q *Query, args ...any) read { return read{q, args} }

// rowSet is the result of a prefetched query, kept until the code that
// asked for it reads it.
type rowSet struct {
	cols []string
	rows [][]any
}

// prefetch runs reads a transaction is about to make all at once, so that
// each costs no round trip of its own: on PostgreSQL they go to the server
// as one multi-statement query, their arguments written into the text as
// literals, and the results wait in the transaction until get or
// selectAll asks for exactly that query with exactly those arguments
// (each result is handed out once). On SQLite, in the same process, a
// query costs no round trip and prefetch does nothing.
//
// The reads run in order, after any lock the first one takes, as they
// would one by one. Only reads whose arguments are known before the first
// of them runs can be prefetched.
func (t *Tx) prefetch(ctx context.Context, reads ...read) error {
	if t.s.dialect != Postgres || len(reads) == 0 {
		return nil
	}
	texts, err := inlineAll(reads)
	if err != nil {
		return err
	}
	// What is already fetched and not yet read is not fetched again.
	kept := reads[:0:0]
	for i, text := range texts {
		if _, ok := t.cache[text]; !ok {
			kept = append(kept, reads[i])
			texts[len(kept)-1] = text
		}
	}
	reads, texts = kept, texts[:len(kept)]
	if len(reads) == 0 {
		return nil
	}
	sets, err := t.run(ctx, texts)
	if err != nil {
		return fmt.Errorf("store: prefetch: %w", err)
	}
	if t.cache == nil {
		t.cache = map[string]*rowSet{}
		t.cachedQ = map[*Query]int{}
	}
	for i, text := range texts {
		t.cache[text] = sets[i]
		t.cachedQ[reads[i].q]++
	}
	return nil
}

// run sends the queued writes and then texts, statements that each return
// rows, in one round trip, and returns the rows of texts.
func (t *Tx) run(ctx context.Context, texts []string) ([]*rowSet, error) {
	all := strings.Join(append(t.pending, texts...), ";\n")
	t.pending = nil
	rows, err := t.tx.QueryContext(ctx, all)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sets, err := readSets(rows)
	if err != nil {
		return nil, err
	}
	// Queued writes that return rows (RETURNING) come first.
	if len(sets) < len(texts) {
		return nil, fmt.Errorf("store: %d results for %d queries", len(sets), len(texts))
	}
	return sets[len(sets)-len(texts):], nil
}

// insert is a statement returning one id, and where the id goes.
type insert struct {
	q    *Query
	args []any
	id   *int64
}

// insertAll runs statements that each return an id (INSERT … RETURNING
// id), with the queued writes, in one round trip on PostgreSQL.
func (t *Tx) insertAll(ctx context.Context, ins []insert) error {
	if t.s.dialect != Postgres {
		for _, in := range ins {
			if err := t.get(ctx, in.id, in.q, in.args...); err != nil {
				return err
			}
		}
		return nil
	}
	if len(ins) == 0 {
		return nil
	}
	reads := make([]read, len(ins))
	for i, in := range ins {
		reads[i] = read{in.q, in.args}
	}
	texts, err := inlineAll(reads)
	if err != nil {
		return err
	}
	sets, err := t.run(ctx, texts)
	if err != nil {
		return err
	}
	for i, set := range sets {
		if err := set.scanOne(ins[i].id); err != nil {
			return err
		}
	}
	return nil
}

// inlineAll is each statement as its EXECUTE, its arguments written in.
func inlineAll(reads []read) ([]string, error) {
	texts := make([]string, len(reads))
	for i, r := range reads {
		text, err := executeText(r.q, r.args)
		if err != nil {
			return nil, err
		}
		texts[i] = text
	}
	return texts, nil
}

// known records reads whose results are known to be empty without
// asking the database, on either dialect: get and selectAll then answer
// each of them once, as if prefetched.
func (t *Tx) known(reads ...read) {
	texts, err := inlineAll(reads)
	if err != nil {
		return // each is asked of the database instead
	}
	if t.cache == nil {
		t.cache = map[string]*rowSet{}
		t.cachedQ = map[*Query]int{}
	}
	for i, text := range texts {
		if _, ok := t.cache[text]; !ok {
			t.cache[text] = &rowSet{}
			t.cachedQ[reads[i].q]++
		}
	}
}

// cached hands out a prefetched result for q with args, once.
func (t *Tx) cached(q *Query, args []any) *rowSet {
	if t.cachedQ[q] == 0 {
		return nil
	}
	text, err := executeText(q, args)
	if err != nil {
		return nil
	}
	set, ok := t.cache[text]
	if ok {
		delete(t.cache, text)
		t.cachedQ[q]--
	}
	return set
}

// scanAll fills dest, a pointer to a slice, from a prefetched result as
// sqlx's Select would from rows.
func (set *rowSet) scanAll(dest any) error {
	slice := reflect.ValueOf(dest)
	if slice.Kind() != reflect.Pointer || slice.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("store: scan into %T, not a pointer to a slice", dest)
	}
	elem := slice.Elem().Type().Elem()
	if elem.Kind() == reflect.Struct && elem != reflect.TypeFor[time.Time]() && !reflect.PointerTo(elem).Implements(reflect.TypeFor[sql.Scanner]()) {
		return sqlx.StructScan(&setRows{set: set, at: -1}, dest)
	}
	// A column at a time into plain values, as sqlx does. No rows need
	// no columns: a result known to be empty has none.
	if len(set.cols) != 1 && len(set.rows) > 0 {
		return fmt.Errorf("store: scan %d columns into %s", len(set.cols), elem)
	}
	out := reflect.MakeSlice(slice.Elem().Type(), len(set.rows), len(set.rows))
	for i, row := range set.rows {
		if err := assign(out.Index(i).Addr().Interface(), row[0]); err != nil {
			return fmt.Errorf("store: column %s: %w", set.cols[0], err)
		}
	}
	slice.Elem().Set(out)
	return nil
}

// scanOne fills dest, a pointer, from the first row of a prefetched
// result as sqlx's Get would; sql.ErrNoRows when there is none.
func (set *rowSet) scanOne(dest any) error {
	v := reflect.ValueOf(dest)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("store: scan into %T, not a pointer", dest)
	}
	slice := reflect.New(reflect.SliceOf(v.Elem().Type()))
	if err := set.scanAll(slice.Interface()); err != nil {
		return err
	}
	if slice.Elem().Len() == 0 {
		return sql.ErrNoRows
	}
	v.Elem().Set(slice.Elem().Index(0))
	return nil
}

// setRows reads a prefetched result as sqlx reads rows.
type setRows struct {
	set *rowSet
	at  int
}

func (r *setRows) Close() error               { return nil }
func (r *setRows) Columns() ([]string, error) { return r.set.cols, nil }
func (r *setRows) Err() error                 { return nil }
func (r *setRows) Next() bool                 { r.at++; return r.at < len(r.set.rows) }

func (r *setRows) Scan(dest ...any) error {
	row := r.set.rows[r.at]
	if len(dest) != len(row) {
		return fmt.Errorf("store: scan %d values into %d", len(row), len(dest))
	}
	for i, d := range dest {
		if err := assign(d, row[i]); err != nil {
			return fmt.Errorf("store: column %s: %w", r.set.cols[i], err)
		}
	}
	return nil
}

// assign stores a value the PostgreSQL driver returned in dest, for the
// types the store scans into.
func assign(dest, v any) error {
	if s, ok := dest.(sql.Scanner); ok {
		return s.Scan(v)
	}
	if p, ok := dest.(*any); ok {
		*p = v
		return nil
	}
	if v == nil {
		return fmt.Errorf("NULL into %T", dest)
	}
	switch d := dest.(type) {
	case *int64:
		if n, ok := v.(int64); ok {
			*d = n
			return nil
		}
	case *int:
		if n, ok := v.(int64); ok {
			*d = int(n)
			return nil
		}
	case *string:
		switch s := v.(type) {
		case string:
			*d = s
			return nil
		case []byte:
			*d = string(s)
			return nil
		}
	case *[]byte:
		switch s := v.(type) {
		case []byte:
			*d = append([]byte(nil), s...)
			return nil
		case string:
			*d = []byte(s)
			return nil
		}
	case *time.Time:
		if t, ok := v.(time.Time); ok {
			*d = t
			return nil
		}
	case *bool:
		if b, ok := v.(bool); ok {
			*d = b
			return nil
		}
	case *float64:
		if f, ok := v.(float64); ok {
			*d = f
			return nil
		}
	}
	return fmt.Errorf("cannot store %T in %T", v, dest)
}

// literal writes a value as a PostgreSQL literal.
func literal(v any) (string, error) {
	if vr, ok := v.(driver.Valuer); ok {
		dv, err := vr.Value()
		if err != nil {
			return "", err
		}
		v = dv
	}
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return "", fmt.Errorf("store: a NUL byte in a statement argument")
		}
		return pq.QuoteLiteral(x), nil
	case time.Time:
		return "'" + x.UTC().Format("2006-01-02 15:04:05.999999") + "+00'", nil
	case []byte:
		return `'\x` + hex.EncodeToString(x) + `'::bytea`, nil
	}
	return "", fmt.Errorf("store: no literal for a %T argument", v)
}

// execLater queues a write whose result nobody reads, to go to the server
// with the next statement of the transaction or at its commit: on
// PostgreSQL, writes cost no round trip of their own that way. Its error,
// if any, comes from that later call. On SQLite it runs at once.
func (t *Tx) execLater(ctx context.Context, q *Query, args ...any) error {
	if t.s.dialect != Postgres {
		_, err := t.exec(ctx, q, args...)
		return err
	}
	text, err := executeText(q, args)
	if err != nil {
		_, err := t.exec(ctx, q, args...)
		return err
	}
	t.pending = append(t.pending, text)
	return nil
}

// flush sends the queued writes.
func (t *Tx) flush(ctx context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	all := strings.Join(t.pending, ";\n")
	t.pending = nil
	if _, err := t.tx.ExecContext(ctx, all); err != nil {
		return fmt.Errorf("store: queued writes: %w", err)
	}
	return nil
}

// queryPending runs q, which returns rows, after the queued writes in
// one round trip and returns its rows; ok is false when nothing is queued
// and the caller runs q as usual. An argument with no literal flushes the
// queue first, and ok is false too.
func (t *Tx) queryPending(ctx context.Context, q *Query, args []any) (set *rowSet, ok bool, err error) {
	text, ok, err := t.afterPending(ctx, q, args)
	if !ok || err != nil {
		return nil, false, err
	}
	sets, err := t.run(ctx, []string{text})
	if err != nil {
		return nil, true, err
	}
	return sets[0], true, nil
}

// execPending is queryPending for a statement that returns no rows; the
// result is that statement's.
func (t *Tx) execPending(ctx context.Context, q *Query, args []any) (res sql.Result, ok bool, err error) {
	text, ok, err := t.afterPending(ctx, q, args)
	if !ok || err != nil {
		return nil, false, err
	}
	all := strings.Join(append(t.pending, text), ";\n")
	t.pending = nil
	res, err = t.tx.ExecContext(ctx, all)
	return res, true, err
}

// afterPending is q's text, with its arguments written in, when writes
// are queued for it to follow; ok is false when none are, or when an
// argument has no literal (the queue is then sent first).
func (t *Tx) afterPending(ctx context.Context, q *Query, args []any) (text string, ok bool, err error) {
	if len(t.pending) == 0 {
		return "", false, nil
	}
	if text, err = executeText(q, args); err != nil {
		return "", false, t.flush(ctx)
	}
	return text, true, nil
}

// readSets reads every result set of a multi-statement query.
func readSets(rows *sql.Rows) ([]*rowSet, error) {
	var sets []*rowSet
	for first := true; first || rows.NextResultSet(); first = false {
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		set := &rowSet{cols: cols}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for j := range vals {
				ptrs[j] = &vals[j]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, err
			}
			set.rows = append(set.rows, vals)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		sets = append(sets, set)
	}
	return sets, nil
}
