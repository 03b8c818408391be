package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"accord/conversation"
	"accord/templates"
)

// eachBackend runs fn as a subtest per database: "sqlite" always, and
// "postgres" when ACCORD_TEST_POSTGRES_URL names a server. With CI=true a
// missing server is a failure, never a silent skip.
func eachBackend(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, "sqlite:"+filepath.Join(t.TempDir(), "accord.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, postgresURL(t))
	})
}

// postgresURL creates a schema of its own for the test on the server named
// by ACCORD_TEST_POSTGRES_URL and returns a URL whose connections use it.
func postgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("ACCORD_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but ACCORD_TEST_POSTGRES_URL is not set: the PostgreSQL suite must run in CI (see scripts/testbed)")
		}
		t.Skip("ACCORD_TEST_POSTGRES_URL is not set; start one with: eval \"$(scripts/testbed up && scripts/testbed env)\"")
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open %s: %v", base, err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("PostgreSQL at ACCORD_TEST_POSTGRES_URL: create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("postgres", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// fakeClock is a settable clock shared by a test and its store.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// openStore opens and migrates a store for a test and closes it afterwards.
func openStore(t testing.TB, url string, opts Options) *Store {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, url, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", Redact(url), err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

func defaultSet(t testing.TB) *conversation.QuestionSet {
	t.Helper()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func enrollment(set *conversation.QuestionSet) Enrollment {
	return Enrollment{
		Kind: conversation.KindLeadReport,
		A:    EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
		B:    EnrollPerson{Name: "Sam Ortiz", Email: "sam@example.test", TimeZone: "America/New_York"},
		Set:  set,
	}
}

// ok unwraps a (value, error) result, failing the test on error:
// ok(st.Load(ctx, id))(t).
func ok[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
