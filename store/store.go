// Package store keeps Accord's state in PostgreSQL (production, several
// instances sharing one database) or SQLite (the embedded default) through
// one sqlx code path: the migrations runner, the partnership repository that
// loads a [conversation.Partnership], applies one operation and saves it with
// the work it causes in a single transaction, the durable jobs table and its
// worker, and the inbound mail log.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"    // PostgreSQL driver
	_ "modernc.org/sqlite" // SQLite driver, pure Go

	"accord/conversation"
)

// Dialect is the SQL database behind a store.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// Clock tells the store what time it is; tests inject a fake one.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Options configure a store. The zero value works for everything but
// sending messages: system clock, default rules, UTC for people without a
// zone.
type Options struct {
	Logger *slog.Logger
	Clock  Clock
	Rules  conversation.Rules
	// DefaultZone is the IANA time zone of people enrolled without one.
	DefaultZone string
	// DefaultLanguage is the language of people who chose none, an ISO
	// 639-1 code; empty leaves it to the templates' default.
	DefaultLanguage string
	// Dispatcher turns messages into durable work: in Accord, rendered
	// mail in the outbox. A state change that causes messages fails
	// without one.
	Dispatcher Dispatcher
	// Random is the source of reply tokens. Defaults to crypto/rand.
	Random io.Reader
	// TokenTTL is how long a reply token is accepted; zero means forever.
	TokenTTL time.Duration
	// LinkTTL, when set, gives every agreement mail a personal link to a
	// read-only page of the agreement, good for this long (see
	// Outgoing.Link); zero gives none.
	LinkTTL time.Duration
	// Budget bounds the mail sent because mail came in.
	Budget MailBudget
}

// Store is the database handle shared by every adapter.
type Store struct {
	db       *sqlx.DB
	dialect  Dialect
	log      *slog.Logger
	clock    Clock
	rules    conversation.Rules
	zone     string
	language string
	dispatch Dispatcher
	random   io.Reader
	tokenTTL time.Duration
	linkTTL  time.Duration
	budget   MailBudget
	where    string // the database, for messages, without secrets

	mu      sync.Mutex
	handoff Handoff // see SetHandoff

	sets  sync.Map // question set id → *conversation.QuestionSet
	zones sync.Map // IANA name → *time.Location
	stmts sync.Map // *Query → *sqlx.Stmt, filled by Prepare
	// checkpoints remembers IMAP checkpoints: "uidvalidity/mailbox" → UID.
	checkpoints sync.Map
}

// Open connects to the database named by rawURL: "sqlite:PATH" or
// "postgres://…". It checks that the database answers, but not its schema;
// see [Store.CheckSchema] and [Store.Migrate].
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	s := &Store{
		log:      opts.Logger,
		clock:    opts.Clock,
		rules:    opts.Rules,
		zone:     opts.DefaultZone,
		language: opts.DefaultLanguage,
		dispatch: opts.Dispatcher,
		random:   opts.Random,
		tokenTTL: opts.TokenTTL,
		linkTTL:  opts.LinkTTL,
		budget:   opts.Budget.withDefaults(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	if s.rules.Reminders == nil && s.rules.ReviewEvery == 0 {
		s.rules = conversation.DefaultRules()
	}
	if s.zone == "" {
		s.zone = "UTC"
	}
	if s.random == nil {
		s.random = rand.Reader
	}
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		if err := s.openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")); err != nil {
			return nil, err
		}
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if err := s.openPostgres(ctx, rawURL); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("store: database url %q: use sqlite:PATH (for example sqlite:accord.db) or postgres://user@host:5432/dbname", Redact(rawURL))
	}
	return s, nil
}

func (s *Store) openSQLite(ctx context.Context, path string) error {
	if path == "" {
		return errors.New("store: sqlite url has no file name; use for example sqlite:accord.db")
	}
	if dir := filepath.Dir(path); dir != "." {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("store: cannot create the SQLite database %s: folder %s does not exist", path, dir)
		}
	}
	if err := ownerOnly(path, s.log); err != nil {
		return err
	}
	// One connection: SQLite has one writer, and database/sql then
	// serialises every statement and transaction of this process. Other
	// processes wait on the busy timeout; IMMEDIATE transactions take the
	// write lock up front so they never fail half way.
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "immediate")
	db, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("store: open SQLite database %s: %w", path, err)
	}
	s.db, s.dialect, s.where = db, SQLite, "sqlite:"+path
	return nil
}

// ownerOnly creates a new SQLite file readable and writable by its owner
// alone, whatever the umask: it holds every answer anyone gave. SQLite
// gives the -wal and -shm files it makes later the same mode as the
// database file. An existing file keeps the mode it has, since the
// operator chose it, but a warning says when others can read it.
func ownerOnly(path string, log *slog.Logger) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		f.Close()
		// The umask can only take bits away, but say what is meant.
		return os.Chmod(path, 0o600)
	case errors.Is(err, fs.ErrExist):
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			log.Warn("the SQLite database can be read by other users; it holds every answer, consider chmod 600",
				"path", path, "mode", st.Mode().Perm().String())
		}
		return nil
	default:
		return fmt.Errorf("store: cannot create the SQLite database %s: %w", path, err)
	}
}

func (s *Store) openPostgres(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("store: database url is not a valid URL: %s", Redact(rawURL))
	}
	connector, err := pq.NewConnector(rawURL)
	if err != nil {
		return fmt.Errorf("store: %s: %w", Redact(rawURL), err)
	}
	db := sqlx.NewDb(sql.OpenDB(pgConnector{connector}), "postgres")
	// Keep as many idle connections as may be open: database/sql keeps
	// only two by default, and under concurrent work every extra one was
	// closed after use and opened again (a new server process each time).
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return fmt.Errorf("store: cannot reach PostgreSQL at %s (%v); check that the server is running and that database.url is right", u.Host+u.Path, err)
	}
	s.db, s.dialect, s.where = db, Postgres, Redact(rawURL)
	return nil
}

// Redact hides the password in a database URL.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Close releases the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool { st.(*sqlx.Stmt).Close(); return true })
	return s.db.Close()
}

// Dialect says which database the store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// Where names the database, with any password hidden.
func (s *Store) Where() string { return s.where }

// Query is one SQL statement written with ? placeholders, with the text for
// each dialect prepared once.
type Query struct {
	sqlite, postgres string
	// n is the query's place in the registry; PostgreSQL connections
	// prepare it under a name made of it (see executeText).
	n int
}

// queries lists every statement so [Store.Prepare] can prepare them all
// at start-up: a broken query fails then, not at 3 a.m.
var queries []*Query

// query registers a statement that is the same in both dialects.
func query(text string) *Query { return dialectQuery(text, text) }

// dialectQuery registers a statement whose text differs per dialect.
func dialectQuery(sqliteText, postgresText string) *Query {
	q := &Query{sqlite: sqliteText, postgres: sqlx.Rebind(sqlx.DOLLAR, postgresText), n: len(queries)}
	queries = append(queries, q)
	return q
}

func (s *Store) sql(q *Query) string {
	if s.dialect == Postgres {
		return q.postgres
	}
	return q.sqlite
}

// Prepare prepares every registered statement and keeps them for reuse, so
// a broken query fails at start-up rather than when it is first needed, and
// no statement is parsed again on every call. Call it once the schema is
// current; until then statements are prepared per call.
func (s *Store) Prepare(ctx context.Context) error {
	for _, q := range queries {
		if _, ok := s.stmts.Load(q); ok {
			continue
		}
		stmt, err := s.db.PreparexContext(ctx, s.sql(q))
		if err != nil {
			return fmt.Errorf("store: query does not prepare: %w\n%s", err, s.sql(q))
		}
		if _, loaded := s.stmts.LoadOrStore(q, stmt); loaded {
			stmt.Close()
		}
	}
	return nil
}

// Now is the store's clock reading; adapters use it so tests can move time.
func (s *Store) Now() time.Time { return s.clock.Now() }

// prepared returns the prepared statement for q, or nil before Prepare.
func (s *Store) prepared(q *Query) *sqlx.Stmt {
	if st, ok := s.stmts.Load(q); ok {
		return st.(*sqlx.Stmt)
	}
	return nil
}

func (s *Store) exec(ctx context.Context, q *Query, args ...any) (sql.Result, error) {
	if st := s.prepared(q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.db.ExecContext(ctx, s.sql(q), args...)
}

func (s *Store) get(ctx context.Context, dest any, q *Query, args ...any) error {
	if st := s.prepared(q); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return s.db.GetContext(ctx, dest, s.sql(q), args...)
}

func (s *Store) selectAll(ctx context.Context, dest any, q *Query, args ...any) error {
	if st := s.prepared(q); st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return s.db.SelectContext(ctx, dest, s.sql(q), args...)
}

// querier is what reads need of a store or a transaction, so one lookup
// serves both.
type querier interface {
	get(ctx context.Context, dest any, q *Query, args ...any) error
	selectAll(ctx context.Context, dest any, q *Query, args ...any) error
}

// Tx is a transaction in progress. Adapters receive one when they must add
// their own writes to a state change, such as rendered mail in the outbox.
type Tx struct {
	tx *sqlx.Tx
	s  *Store
	// cache holds prefetched results by statement text, and cachedQ how
	// many of each query; see prefetch.
	cache   map[string]*rowSet
	cachedQ map[*Query]int
	// pending holds writes queued by execLater, as statement text.
	pending []string
	// bound holds the prepared statements bound to the transaction.
	bound map[*Query]*sqlx.Stmt
	// afterCommit and afterRollback run when the transaction ends.
	afterCommit, afterRollback []func()
	// toldQueued is set once the Handoff will hear of queued mail.
	toldQueued bool
	// since is where the mail budget's 24 hours start; see budgetSince.
	since time.Time
	// clear holds the addresses, normalised, read in this transaction as
	// not bouncing: mail to them may be handed over (see Handoff).
	clear map[string]bool
	// loaded holds what each partnership taken or created in the
	// transaction was then, so a save writes only what changed.
	loaded map[*conversation.Partnership]*snapshot
}

// stmt returns the prepared statement for q, bound to the transaction, or
// nil before Prepare.
func (t *Tx) stmt(ctx context.Context, q *Query) *sqlx.Stmt {
	if st := t.bound[q]; st != nil {
		return st
	}
	st := t.s.prepared(q)
	if st == nil {
		return nil
	}
	// Bound once per transaction: each binding lives until the
	// transaction ends, and an import runs thousands of statements in one.
	if t.bound == nil {
		t.bound = map[*Query]*sqlx.Stmt{}
	}
	t.bound[q] = t.tx.StmtxContext(ctx, st)
	return t.bound[q]
}

func (t *Tx) exec(ctx context.Context, q *Query, args ...any) (sql.Result, error) {
	if res, ok, err := t.execPending(ctx, q, args); ok || err != nil {
		return res, err
	}
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.s.sql(q), args...)
}

func (t *Tx) get(ctx context.Context, dest any, q *Query, args ...any) error {
	if set := t.cached(q, args); set != nil {
		return set.scanOne(dest)
	}
	if set, ok, err := t.queryPending(ctx, q, args); ok || err != nil {
		if err != nil {
			return err
		}
		return set.scanOne(dest)
	}
	if st := t.stmt(ctx, q); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return t.tx.GetContext(ctx, dest, t.s.sql(q), args...)
}

func (t *Tx) selectAll(ctx context.Context, dest any, q *Query, args ...any) error {
	if set := t.cached(q, args); set != nil {
		return set.scanAll(dest)
	}
	if set, ok, err := t.queryPending(ctx, q, args); ok || err != nil {
		if err != nil {
			return err
		}
		return set.scanAll(dest)
	}
	if st := t.stmt(ctx, q); st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return t.tx.SelectContext(ctx, dest, t.s.sql(q), args...)
}

// InTx runs fn in a transaction, committing when it returns nil. A panic
// in fn rolls the transaction back before it goes on up: a transaction
// left open would hold SQLite's only connection, or a PostgreSQL row lock
// and a pooled connection, for as long as the process lives.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	t := &Tx{tx: tx, s: s}
	defer func() {
		if r := recover(); r != nil {
			tx.Rollback()
			t.ended(false)
			panic(r)
		}
		if err != nil {
			tx.Rollback()
		}
		t.ended(err == nil)
	}()
	if err = fn(t); err != nil {
		return err
	}
	if err = t.flush(ctx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// ended runs what waits for the transaction's end.
func (t *Tx) ended(committed bool) {
	hooks := t.afterRollback
	if committed {
		hooks = t.afterCommit
	}
	t.afterCommit, t.afterRollback = nil, nil
	for _, f := range hooks {
		f()
	}
}

// ts prepares a time for storage: UTC at microsecond precision (what
// PostgreSQL keeps), NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// fromNull reads a nullable timestamp back as a UTC time, zero for NULL.
func fromNull(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// location loads and caches an IANA time zone.
func (s *Store) location(name string) (*time.Location, error) {
	if loc, ok := s.zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("store: unknown time zone %q: %w", name, err)
	}
	s.zones.Store(name, loc)
	return loc, nil
}

// Now is the transaction's view of the clock, for adapters that stamp what
// they add to it and for [apply.Tx].
func (t *Tx) Now() time.Time { return t.s.clock.Now() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// languageOr is a person's language: their own, else the store's default.
func (s *Store) languageOr(lang string) string {
	if lang == "" {
		return s.language
	}
	return lang
}

var qPersonLanguage = query(`SELECT language FROM people WHERE email = ?`)

// LanguageOf is the language the person with this address reads: theirs,
// or the store's default for someone unknown or without one.
func (t *Tx) LanguageOf(ctx context.Context, email string) (string, error) {
	var lang string
	err := t.get(ctx, &lang, qPersonLanguage, normalEmail(email))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: language of %s: %w", email, err)
	}
	return t.s.languageOr(lang), nil
}
