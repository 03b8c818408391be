// Package storetest runs tests against every database Accord supports:
// SQLite always, and PostgreSQL whenever ACCORD_TEST_POSTGRES_URL names a
// server, each test in a schema of its own. With CI=true a missing server
// fails the test instead of skipping it. It also has the settable clock
// store tests drive time with.
package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver
)

// Each runs fn as a subtest per database: "sqlite" and "postgres". Their
// names end in /sqlite and /postgres, which CI counts.
func Each(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLiteURL(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, PostgresURL(t))
	})
}

// SQLiteURL is a fresh database file in the test's temporary folder.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "accord.db")
}

// PostgresURL creates a schema for the test on the server named by
// ACCORD_TEST_POSTGRES_URL, drops it afterwards, and returns a URL whose
// connections use it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("ACCORD_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but ACCORD_TEST_POSTGRES_URL is not set: the PostgreSQL suite must run in CI (see scripts/testbed)")
		}
		t.Skip("ACCORD_TEST_POSTGRES_URL is not set; start one with: scripts/testbed up && eval \"$(scripts/testbed env)\"")
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

// Clock is a settable clock shared by a test and the code under test.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
