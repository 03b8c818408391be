package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"accord/conversation"
	"accord/internal/apply"
)

var t0 = time.Date(2027, 3, 24, 9, 0, 0, 0, time.UTC) // a Wednesday

func TestMigrate(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st, err := Open(ctx, url, Options{Clock: newClock(t0)})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if empty, err := st.Empty(ctx); err != nil || !empty {
			t.Errorf("Empty() on a new database = %v, %v; want true", empty, err)
		}
		var se *SchemaError
		if err := st.CheckSchema(ctx); !errors.As(err, &se) || se.Have != 0 || !strings.Contains(err.Error(), "accord migrate") {
			t.Errorf("CheckSchema on a new database = %v, want a SchemaError telling to migrate", err)
		}
		applied, err := st.Migrate(ctx)
		if err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		all, _ := Migrations(st.Dialect())
		if len(applied) != len(all) {
			t.Errorf("Migrate applied %d steps, want %d", len(applied), len(all))
		}
		if err := st.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema after Migrate = %v", err)
		}
		again, err := st.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Errorf("second Migrate = %d steps, %v; want none", len(again), err)
		}
		if err := st.Prepare(ctx); err != nil {
			t.Errorf("Prepare: %v", err)
		}
		// A database from a newer build is refused, not downgraded.
		if _, err := st.db.ExecContext(ctx, st.sql(qRecordMigration), len(all)+1, "from_the_future", ts(t0)); err != nil {
			t.Fatal(err)
		}
		if err := st.CheckSchema(ctx); !errors.As(err, &se) || !strings.Contains(err.Error(), "upgrade accord") {
			t.Errorf("CheckSchema on a newer database = %v, want a refusal", err)
		}
		if _, err := st.Migrate(ctx); err == nil {
			t.Error("Migrate on a newer database succeeded, want a refusal")
		}
	})
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	lite, err := Migrations(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := Migrations(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d; keep them in step", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name != pg[i].Name {
			t.Errorf("migration %d is %q on sqlite and %q on postgres", i+1, lite[i].Name, pg[i].Name)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		url  string
		want string
	}{
		{"mysql://root@localhost/accord", "use sqlite:PATH"},
		{"accord.db", "use sqlite:PATH"},
		{"sqlite:", "no file name"},
		{"sqlite:" + filepath.Join(t.TempDir(), "missing", "accord.db"), "does not exist"},
		{"postgres://accord:secret@127.0.0.1:1/accord?sslmode=disable&connect_timeout=2", "cannot reach PostgreSQL at 127.0.0.1:1/accord"},
	}
	for _, tt := range tests {
		_, err := Open(ctx, tt.url, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error reveals the password: %v", tt.url, err)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://accord:s3cret@db:5432/accord", "postgres://accord:xxxxx@db:5432/accord"},
		{"postgres://accord@db/accord", "postgres://accord@db/accord"},
		{"sqlite:accord.db", "sqlite:accord.db"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEnroll(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		set := defaultSet(t)
		id, err := st.Enroll(ctx, enrollment(set))
		if err != nil {
			t.Fatalf("Enroll: %v", err)
		}
		p, err := st.Load(ctx, id)
		if err != nil {
			t.Fatalf("Load(%d): %v", id, err)
		}
		if p.Status != conversation.StatusAnswering || p.Set.Len() != set.Len() {
			t.Errorf("loaded partnership: status %s, %d questions", p.Status, p.Set.Len())
		}
		lead, report := p.Participants[0], p.Participants[1]
		if lead.Role != conversation.RoleLead || lead.Person.Location.String() != "Europe/Berlin" {
			t.Errorf("lead = %s in %s", lead.Role, lead.Person.Location)
		}
		// 09:00 UTC is 10:00 in Berlin and 05:00 in New York (quiet).
		if len(lead.Prompts) != 1 || len(report.Prompts) != 0 {
			t.Errorf("prompts: lead %d, report %d; want the lead's welcome now, the report's at 08:00", len(lead.Prompts), len(report.Prompts))
		}
		wantWake := time.Date(2027, 3, 24, 8, 0, 0, 0, report.Person.Location)
		if !report.NextSendAt.Equal(wantWake) {
			t.Errorf("report NextSendAt = %s, want %s", report.NextSendAt, wantWake)
		}
		mails := ok(st.JobsOfKind(ctx, KindMail))(t)
		if len(mails) != 1 {
			t.Fatalf("mail jobs = %d, want one welcome", len(mails))
		}
		var mj MailJob
		if err := json.Unmarshal(mails[0].Payload, &mj); err != nil || mj.Kind != conversation.MsgWelcome || mj.To != "dana@example.test" || mj.Number != 1 || mj.ReplyToken == "" {
			t.Errorf("mail job = %+v (%v), want Dana's welcome with question 1 and a reply token", mj, err)
		}
		target, err := st.ResolveToken(ctx, mj.ReplyToken)
		if err != nil || target.ParticipantID != lead.ID || target.QuestionID != set.Questions[0].ID {
			t.Errorf("ResolveToken(welcome token) = %+v, %v; want Dana's first prompt", target, err)
		}
		if _, err := st.ResolveToken(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, ErrNotFound) {
			t.Errorf("ResolveToken(unknown) = %v, want ErrNotFound", err)
		}
		wakes := ok(st.JobsOfKind(ctx, KindWake))(t)
		if len(wakes) != 1 || !wakes[0].RunAt.Equal(wantWake) {
			t.Errorf("wake jobs = %+v, want one at %s", wakes, wantWake)
		}

		list := ok(st.ListPartnerships(ctx, ""))(t)
		if len(list) != 1 || list[0].A.Email != "dana@example.test" || list[0].B.Role != "report" || list[0].Questions != set.Len() {
			t.Errorf("ListPartnerships = %+v", list)
		}
		if got := ok(st.ListPartnerships(ctx, "ended"))(t); len(got) != 0 {
			t.Errorf("ListPartnerships(ended) = %d rows, want 0", len(got))
		}

		// A set's own review questions are kept with it.
		reviewed := *set
		reviewed.Version++
		reviewed.Review = []conversation.Question{{ID: "learned", Title: "What did we learn?", Text: "What did you learn about {partner}?"}}
		other := enrollment(&reviewed)
		other.B = EnrollPerson{Name: "Kim", Email: "kim@example.test"}
		p = ok(st.Load(ctx, ok(st.Enroll(ctx, other))(t)))(t)
		if p.Set.Version != reviewed.Version || len(p.Set.Review) != 1 || p.Set.Review[0].Text != reviewed.Review[0].Text {
			t.Errorf("loaded set v%d with review %+v, want v%d with the learned question", p.Set.Version, p.Set.Review, reviewed.Version)
		}
	})
}

func TestEnrollRejects(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		set := defaultSet(t)
		first := ok(st.Enroll(ctx, enrollment(set)))(t)

		var dup *DuplicatePairError
		swapped := enrollment(set)
		swapped.A, swapped.B = swapped.B, swapped.A
		swapped.A.Email = "SAM@example.test"
		if _, err := st.Enroll(ctx, swapped); !errors.As(err, &dup) || dup.Existing != first {
			t.Errorf("Enroll of the same two people = %v, want DuplicatePairError naming %d", err, first)
		}
		self := enrollment(set)
		self.B.Email = "Dana@Example.test"
		if _, err := st.Enroll(ctx, self); err == nil || !strings.Contains(err.Error(), "themselves") {
			t.Errorf("Enroll with lead = report: %v", err)
		}
		badZone := enrollment(set)
		badZone.B = EnrollPerson{Name: "Kim", Email: "kim@example.test", TimeZone: "Mars/Olympus"}
		if _, err := st.Enroll(ctx, badZone); err == nil || !strings.Contains(err.Error(), "time zone") {
			t.Errorf("Enroll with an unknown zone: %v", err)
		}
		badMail := enrollment(set)
		badMail.B = EnrollPerson{Name: "Kim", Email: "kim(at)example.test"}
		if _, err := st.Enroll(ctx, badMail); err == nil || !strings.Contains(err.Error(), "not a valid email") {
			t.Errorf("Enroll with a bad address: %v", err)
		}
		changed := *set
		changed.Questions = append([]conversation.Question(nil), set.Questions...)
		changed.Questions[0].Title = "Something else?"
		other := enrollment(&changed)
		other.B = EnrollPerson{Name: "Kim", Email: "kim@example.test"}
		if _, err := st.Enroll(ctx, other); !errors.Is(err, ErrQuestionSetChanged) {
			t.Errorf("Enroll with edited wording under the same version = %v, want ErrQuestionSetChanged", err)
		}
		reviewed := *set
		reviewed.Review = []conversation.Question{{ID: "learned", Title: "What did we learn?", Text: "What did we learn?"}}
		other = enrollment(&reviewed)
		other.B = EnrollPerson{Name: "Kim", Email: "kim@example.test"}
		if _, err := st.Enroll(ctx, other); !errors.Is(err, ErrQuestionSetChanged) {
			t.Errorf("Enroll with review questions added under the same version = %v, want ErrQuestionSetChanged", err)
		}

		// Nothing of the failed attempts was written.
		if list := ok(st.ListPartnerships(ctx, ""))(t); len(list) != 1 {
			t.Errorf("partnerships after rejected enrolments = %d, want 1", len(list))
		}

		// All or nothing.
		good := enrollment(set)
		good.A = EnrollPerson{Name: "Ana", Email: "ana@example.test"}
		good.B = EnrollPerson{Name: "Ben", Email: "ben@example.test"}
		var ee *EnrollError
		if _, err := st.EnrollAll(ctx, []Enrollment{good, enrollment(set)}); !errors.As(err, &ee) || ee.Index != 1 {
			t.Errorf("EnrollAll with a duplicate second = %v, want EnrollError at index 1", err)
		}
		if list := ok(st.ListPartnerships(ctx, ""))(t); len(list) != 1 {
			t.Errorf("partnerships after a failed batch = %d, want 1", len(list))
		}
		// After ending, the same two may start again.
		ok(st.Apply(ctx, first, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.End("operator", now)
		}))(t)
		if _, err := st.Enroll(ctx, enrollment(set)); err != nil {
			t.Errorf("Enroll after ending the first partnership: %v", err)
		}
	})
}

func TestAgreementVersionsAreImmutable(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		id := ok(st.Enroll(ctx, enrollment(defaultSet(t))))(t)
		if _, err := st.db.ExecContext(ctx, st.sql(qInsertAgreement), id, 1, nil, ts(t0), "2027-06-23", `{"version":1}`); err != nil {
			t.Fatal(err)
		}
		_, err := st.db.ExecContext(ctx, `UPDATE agreement_versions SET body = '{"version":9}'`)
		if err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("UPDATE of an agreement version = %v, want it refused", err)
		}
	})
}

func TestReplyTokens(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		st := openStore(t, url, Options{Clock: clock, TokenTTL: 24 * time.Hour})
		id := ok(st.Enroll(ctx, enrollment(defaultSet(t))))(t)
		var mj MailJob
		if err := json.Unmarshal(ok(st.JobsOfKind(ctx, KindMail))(t)[0].Payload, &mj); err != nil {
			t.Fatal(err)
		}
		if len(mj.ReplyToken) != 26 || strings.ToLower(mj.ReplyToken) != mj.ReplyToken {
			t.Errorf("token %q, want 26 lowercase base32 characters (128 bits)", mj.ReplyToken)
		}
		// Addresses may arrive upper-cased by a server; the token still works.
		if target, err := st.ResolveToken(ctx, strings.ToUpper(mj.ReplyToken)); err != nil || target.PartnershipID != id {
			t.Errorf("ResolveToken(upper case) = %+v, %v", target, err)
		}
		var stored int
		if err := st.db.GetContext(ctx, &stored, `SELECT COUNT(*) FROM reply_tokens WHERE token_hash = '`+mj.ReplyToken+`'`); err != nil || stored != 0 {
			t.Errorf("the raw token is stored (%d rows, %v); only its hash may be", stored, err)
		}
		clock.Advance(25 * time.Hour)
		if _, err := st.ResolveToken(ctx, mj.ReplyToken); !errors.Is(err, ErrTokenExpired) {
			t.Errorf("ResolveToken after the TTL = %v, want ErrTokenExpired", err)
		}
	})
}

// TestPanicInsideTransaction: an operation that panics half way through
// leaves nothing behind. Its writes are rolled back, and the connection
// and row lock it held are free at once: SQLite's one connection serves
// the next transaction, and on PostgreSQL another transaction can lock
// the same partnership.
func TestPanicInsideTransaction(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		id := ok(st.Enroll(ctx, enrollment(defaultSet(t))))(t)
		func() {
			defer func() {
				if r := recover(); r != "the operation trips" {
					t.Errorf("recovered %v, want the operation's own panic to go on up", r)
				}
			}()
			st.InTx(ctx, func(tx *Tx) error {
				if _, err := tx.FirstNoticeToday(ctx, "dana@example.test", "panic-test"); err != nil {
					t.Fatal(err)
				}
				_, err := apply.Run(ctx, tx, id, func(*conversation.Partnership, time.Time) ([]conversation.Message, error) {
					panic("the operation trips")
				})
				return err
			})
		}()
		// Without the rollback this waits for ever on the connection or the
		// row lock; the deadline turns that into a failure.
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		err := st.InTx(wctx, func(tx *Tx) error {
			first, err := tx.FirstNoticeToday(wctx, "dana@example.test", "panic-test")
			if err == nil && !first {
				t.Error("the notice written before the panic was kept; want it rolled back")
			}
			if err != nil {
				return err
			}
			_, err = apply.Run(wctx, tx, id, func(*conversation.Partnership, time.Time) ([]conversation.Message, error) { return nil, nil })
			return err
		})
		if err != nil {
			t.Fatalf("the next transaction after a panic: %v", err)
		}
	})
}

// TestSQLiteFilesOwnerOnly: a new SQLite database and the -wal and -shm
// files beside it are readable by their owner alone, whatever the umask
// would allow.
func TestSQLiteFilesOwnerOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "answers.db")
	st := openStore(t, "sqlite:"+path, Options{Clock: newClock(t0)})
	ok(st.Enroll(ctx, enrollment(defaultSet(t))))(t)
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(f)
		if err != nil {
			t.Errorf("stat %s: %v", filepath.Base(f), err)
			continue
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %v, want -rw------- (0600)", filepath.Base(f), perm)
		}
	}
}

// TestOAuthTokens: a mailbox sign-in's token is kept and replaced, and
// reading it before the first login says so.
func TestOAuthTokens(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		if _, err := st.OAuthToken(ctx, "mailbox"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("before any login: %v, want ErrNotFound", err)
		}
		for _, tok := range []string{`{"refresh_token":"one"}`, `{"refresh_token":"two"}`} {
			if err := st.SaveOAuthToken(ctx, "mailbox", []byte(tok)); err != nil {
				t.Fatal(err)
			}
			if got, err := st.OAuthToken(ctx, "mailbox"); err != nil || string(got) != tok {
				t.Errorf("OAuthToken after saving %s = %s, %v", tok, got, err)
			}
		}
	})
}
