package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestWithPrepares(t *testing.T) {
	t.Parallel()
	c := &pgConn{prepared: map[int]bool{}}
	claim, thread := mustText(t, qClaim), mustText(t, qThread)
	query := claim + ";\n" + thread + ";\n" + claim

	got, added := c.withPrepares(query, nil)
	if len(added) != 2 || added[0] != qClaim.n || added[1] != qThread.n {
		t.Fatalf("added %v, want the claim's and the thread's numbers once each", added)
	}
	want := "PREPARE accord_q" + strconv.Itoa(qClaim.n) + " AS " + qClaim.postgres + ";\n" +
		"PREPARE accord_q" + strconv.Itoa(qThread.n) + " AS " + qThread.postgres + ";\n" + query
	if got != want {
		t.Errorf("first use sends\n%s\nwant\n%s", got, want)
	}
	c.settle(added, nil)
	if got, added := c.withPrepares(query, nil); got != query || added != nil {
		t.Errorf("second use added %v:\n%s", added, got)
	}

	// Query with parameters goes by the extended protocol, untouched; a
	// number outside the registry (a person wrote the name in an answer)
	// is no statement of ours.
	withArgs := []driver.NamedValue{{Ordinal: 1, Value: int64(1)}}
	for _, q := range []struct {
		text string
		args []driver.NamedValue
	}{
		{"EXECUTE accord_q" + strconv.Itoa(qOutboxByID.n) + "(1)", withArgs},
		{"SELECT 'EXECUTE accord_q99999999(1)'", nil},
		{"SELECT 'accord_q'", nil},
	} {
		if got, added := c.withPrepares(q.text, q.args); got != q.text || added != nil {
			t.Errorf("%q became %q (added %v)", q.text, got, added)
		}
	}

	// When a query that carried PREPAREs fails, which of them the server
	// kept is unknown: the connection is not used again.
	fresh := &pgConn{prepared: map[int]bool{}}
	_, added = fresh.withPrepares(claim, nil)
	fresh.settle(added, errors.New("server went away"))
	if fresh.prepared[qClaim.n] {
		t.Error("a failed query's PREPARE counted as done")
	}
	if err := fresh.ResetSession(context.Background()); !errors.Is(err, driver.ErrBadConn) || fresh.IsValid() {
		t.Errorf("after an unsure PREPARE: ResetSession = %v, IsValid = %v; want the connection dropped", err, fresh.IsValid())
	}
}

func mustText(t *testing.T, q *Query) string {
	t.Helper()
	text, err := executeText(q, []any{int64(1), "x"})
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestPreparedAfterFailure runs, on one PostgreSQL connection, a shared
// round trip that prepares a statement and then fails, and the same
// statement again: the server kept the PREPARE (it outlives the failed
// transaction) while the connection could not know it, so the connection
// must have been replaced rather than asked to prepare the name twice.
func TestPreparedAfterFailure(t *testing.T) {
	t.Parallel()
	st := openStore(t, postgresURL(t), Options{})
	st.db.SetMaxOpenConns(1)
	ctx := context.Background()
	err := st.InTx(ctx, func(tx *Tx) error {
		return tx.prefetch(ctx, fetch(qOutboxByID, "not a number"))
	})
	if err == nil || !strings.Contains(err.Error(), "bigint") {
		t.Fatalf("a text where an id goes: %v, want the server's complaint about bigint", err)
	}
	for i := range 2 {
		err := st.InTx(ctx, func(tx *Tx) error {
			if err := tx.prefetch(ctx, fetch(qOutboxByID, int64(1))); err != nil {
				return err
			}
			if tx.cached(qOutboxByID, []any{int64(1)}) == nil {
				t.Error("the prefetched row set is not handed out")
			}
			return nil
		})
		if err != nil {
			t.Fatalf("run %d after the failure: %v", i+1, err)
		}
	}
}
