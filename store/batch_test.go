package store

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"accord/store/storetest"
)

func TestExecuteText(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 7, 9, 30, 0, 123456000, time.FixedZone("CET", 3600))
	q := &Query{n: 12}
	tests := []struct {
		name string
		args []any
		want string
		err  string
	}{
		{"no arguments", nil, `EXECUTE accord_q12`, ""},
		{"numbers and text", []any{int64(7), "it's", 3}, `EXECUTE accord_q12(7, 'it''s', 3)`, ""},
		{"a backslash", []any{`a\b`}, `EXECUTE accord_q12( E'a\\b')`, ""},
		{"null, time and bytes", []any{nil, at, []byte{0xde, 0xad}},
			`EXECUTE accord_q12(NULL, '2026-12-07 08:30:00.123456+00', '\xdead'::bytea)`, ""},
		{"booleans", []any{true, false}, `EXECUTE accord_q12(TRUE, FALSE)`, ""},
		{"a valuer", []any{sql.NullString{String: "x", Valid: true}}, `EXECUTE accord_q12('x')`, ""},
		{"a null valuer", []any{sql.NullTime{}}, `EXECUTE accord_q12(NULL)`, ""},
		{"a NUL byte is refused", []any{"a\x00b"}, "", "NUL"},
		{"an unknown type", []any{struct{}{}}, "", "no literal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := executeText(q, tt.args)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("executeText = %q, %v; want an error about %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("executeText = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestRowSetScan(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	set := &rowSet{cols: []string{"id", "body", "at", "until"}, rows: [][]any{
		{int64(1), "first", at, nil},
		{int64(2), []byte("second"), at.Add(time.Hour), at},
	}}
	type row struct {
		ID    int64        `db:"id"`
		Body  string       `db:"body"`
		At    time.Time    `db:"at"`
		Until sql.NullTime `db:"until"`
	}
	var rows []row
	if err := set.scanAll(&rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].Body != "second" || rows[0].Until.Valid || !rows[1].Until.Time.Equal(at) || rows[1].ID != 2 {
		t.Errorf("scanned %+v", rows)
	}
	var one row
	if err := set.scanOne(&one); err != nil || one.ID != 1 {
		t.Errorf("scanOne = %+v, %v", one, err)
	}
	ids := &rowSet{cols: []string{"id"}, rows: [][]any{{int64(4)}, {int64(5)}}}
	var n int64
	if err := ids.scanOne(&n); err != nil || n != 4 {
		t.Errorf("scanOne into an int64 = %d, %v", n, err)
	}
	var all []int
	if err := ids.scanAll(&all); err != nil || len(all) != 2 || all[1] != 5 {
		t.Errorf("scanAll into ints = %v, %v", all, err)
	}
	empty := &rowSet{cols: []string{"id"}}
	if err := empty.scanOne(&n); err != sql.ErrNoRows {
		t.Errorf("scanOne of nothing = %v, want sql.ErrNoRows", err)
	}
	if err := set.scanOne(&n); err == nil {
		t.Error("four columns scanned into one int64 without an error")
	}
	nulls := &rowSet{cols: []string{"id"}, rows: [][]any{{nil}}}
	if err := nulls.scanOne(&n); err == nil {
		t.Error("NULL scanned into an int64 without an error")
	}
}

// TestKnownReads holds known to its promise on both databases: a read
// known to be empty is answered empty once without the database, even if
// the table says otherwise, and the same read after that asks the
// database.
func TestKnownReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		s := openStore(t, url, Options{})
		ctx := context.Background()
		err := s.InTx(ctx, func(tx *Tx) error {
			if err := tx.enqueueLater(ctx, NewJob{Kind: "known-test", DedupeKey: "k1", RunAt: s.Now()}); err != nil {
				return err
			}
			tx.known(fetch(qJobsByKind, "known-test"))
			for i, want := range []int{0, 1} {
				var jobs []Job
				if err := tx.selectAll(ctx, &jobs, qJobsByKind, "known-test"); err != nil {
					return err
				}
				if len(jobs) != want {
					t.Errorf("read %d found %d jobs, want %d", i+1, len(jobs), want)
				}
			}
			var ids []string
			tx.known(fetch(qThread, int64(1), "questions", int64(1), "questions", ThreadLength-1))
			return tx.selectAll(ctx, &ids, qThread, int64(1), "questions", int64(1), "questions", ThreadLength-1)
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestQueuedWrites holds execLater to its promise on both databases: a
// queued write is seen by the next read of its transaction and commits
// with it, and a queued write that fails fails the transaction, leaving
// nothing behind.
func TestQueuedWrites(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		s := openStore(t, url, Options{})
		ctx := context.Background()
		err := s.InTx(ctx, func(tx *Tx) error {
			if err := tx.enqueueLater(ctx, NewJob{Kind: "queued-test", DedupeKey: "q1", RunAt: s.Now()}); err != nil {
				return err
			}
			var jobs []Job
			if err := tx.selectAll(ctx, &jobs, qJobsByKind, "queued-test"); err != nil {
				return err
			}
			if len(jobs) != 1 || jobs[0].DedupeKey.String != "q1" {
				t.Errorf("the read after a queued insert saw %+v", jobs)
			}
			return tx.enqueueLater(ctx, NewJob{Kind: "queued-test", DedupeKey: "q2", RunAt: s.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
		if jobs, err := s.JobsOfKind(ctx, "queued-test"); err != nil || len(jobs) != 2 {
			t.Fatalf("after commit %d jobs (%v), want both queued ones", len(jobs), err)
		}
		// A job for a partnership that does not exist breaks a foreign
		// key: the transaction fails at its commit, and the job queued
		// before it is gone with it.
		err = s.InTx(ctx, func(tx *Tx) error {
			if err := tx.enqueueLater(ctx, NewJob{Kind: "queued-test", DedupeKey: "q3", RunAt: s.Now()}); err != nil {
				return err
			}
			return tx.enqueueLater(ctx, NewJob{Kind: "queued-test", DedupeKey: "q4", PartnershipID: 999999, RunAt: s.Now()})
		})
		if err == nil {
			t.Fatal("a queued insert breaking a foreign key committed")
		}
		if jobs, err := s.JobsOfKind(ctx, "queued-test"); err != nil || len(jobs) != 2 {
			t.Errorf("after the failed transaction %d jobs (%v), want the two from before", len(jobs), err)
		}
	})
}

func TestPackRaw(t *testing.T) {
	t.Parallel()
	big := []byte("From: Accord <accord@example.com>\r\nSubject: Question 2/16\r\n\r\n" + strings.Repeat("What helps you say early that something worries you?\r\n", 80))
	tests := []struct {
		name    string
		dialect Dialect
		raw     []byte
		packed  bool
	}{
		{"small mail stays as it is", SQLite, []byte("From: a@example.com\r\n\r\nhi\r\n"), false},
		{"empty", SQLite, []byte{}, false},
		{"a question mail is compressed for SQLite", SQLite, big, true},
		{"PostgreSQL compresses it itself", Postgres, big, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stored := (&Store{dialect: tt.dialect}).packRaw(tt.raw)
			if got := bytes.HasPrefix(stored, gzipMagic); got != tt.packed {
				t.Errorf("compressed = %v, want %v", got, tt.packed)
			}
			if tt.packed && len(stored) > len(tt.raw)/3 {
				t.Errorf("%d bytes stored for %d", len(stored), len(tt.raw))
			}
			back, err := unpackRaw(stored)
			if err != nil || !bytes.Equal(back, tt.raw) {
				t.Errorf("unpacked %d bytes (%v), want the %d put in", len(back), err, len(tt.raw))
			}
		})
	}
	if _, err := unpackRaw([]byte{0x1f, 0x8b, 0, 1, 2}); err == nil {
		t.Error("a broken compressed message read back without an error")
	}
}

// TestStoredMailSize: a question mail takes about a third of its size or
// less in either database, compressed by Accord for SQLite and by the
// server for PostgreSQL, and reads back whole.
func TestStoredMailSize(t *testing.T) {
	t.Parallel()
	raw := []byte("From: Accord <accord@example.com>\r\nSubject: Question 2/16\r\n\r\n" + strings.Repeat("What helps you say early that something worries you?\r\n", 80))
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		var id int64
		err := st.InTx(ctx, func(tx *Tx) (err error) {
			id, err = tx.AddOutbox(ctx, NewOutbox{Recipient: "dana@example.test", Kind: KindOverview,
				MessageID: "<size@example.test>", Raw: raw})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		size := "SELECT length(raw) FROM outbox WHERE id = ?"
		if st.Dialect() == Postgres {
			size = "SELECT pg_column_size(raw) FROM outbox WHERE id = $1"
		}
		var stored int
		if err := st.db.GetContext(ctx, &stored, size, id); err != nil {
			t.Fatal(err)
		}
		if stored > len(raw)/3 {
			t.Errorf("%d bytes stored for a mail of %d", stored, len(raw))
		}
		m, err := st.Outbox(ctx, id)
		if err != nil || !bytes.Equal(m.Raw, raw) {
			t.Errorf("read back %d bytes (%v), want the %d stored", len(m.Raw), err, len(raw))
		}
	})
}
