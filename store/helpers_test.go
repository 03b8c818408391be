package store

import (
	"context"
	"testing"
	"time"

	"accord/conversation"
	"accord/store/storetest"
	"accord/templates"
)

// eachBackend runs fn against SQLite and, when configured, PostgreSQL.
func eachBackend(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	storetest.Each(t, fn)
}

func postgresURL(t testing.TB) string { return storetest.PostgresURL(t) }

type fakeClock = storetest.Clock

func newClock(t time.Time) *fakeClock { return storetest.NewClock(t) }

// openStore opens and migrates a store for a test and closes it afterwards.
func openStore(t testing.TB, url string, opts Options) *Store {
	t.Helper()
	ctx := context.Background()
	if opts.Dispatcher == nil {
		opts.Dispatcher = testDispatcher{}
	}
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

// signDraft has both people agree to the whole open draft of partnership
// id, one operation each, so that version 1 is signed; it does nothing
// when no draft is open.
func signDraft(t testing.TB, st *Store, id int64) {
	t.Helper()
	for slot := range 2 {
		ok(st.Apply(context.Background(), id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			if !p.DraftOpen() {
				return nil, nil
			}
			all := conversation.DraftReply{Commands: []conversation.DraftCommand{{Kind: conversation.DraftAgree, All: true}}}
			return p.ReplyToDraft(p.Participants[slot].ID, all, now)
		}))(t)
	}
}
