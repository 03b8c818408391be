package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"

	"accord/migrations"
)

// Migration is one schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations lists the steps for a dialect in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := string(d)
	entries, err := fs.ReadDir(migrations.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations for %s: %w", d, err)
	}
	var ms []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %s/%s is not named NNNN_verb_noun.sql", dir, e.Name())
		}
		body, err := fs.ReadFile(migrations.FS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		v, _ := strconv.Atoi(m[1])
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: %s migrations must be numbered 1, 2, 3… without gaps; found %04d at position %d", d, m.Version, i+1)
		}
	}
	return ms, nil
}

// SchemaError says the database schema does not match this build.
type SchemaError struct {
	Have, Want int
	Where      string
}

func (e *SchemaError) Error() string {
	if e.Have > e.Want {
		return fmt.Sprintf("the database %s has schema version %d, newer than this accord (version %d) knows; upgrade accord before using this database", e.Where, e.Have, e.Want)
	}
	return fmt.Sprintf("the database %s has schema version %d but this accord needs version %d; run `accord migrate` first", e.Where, e.Have, e.Want)
}

var (
	qCreateSchemaTable = dialectQuery(
		`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`)
	qSchemaTableExists = dialectQuery(
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`,
		`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`)
	qTableCount = dialectQuery(
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
		`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`)
	qSchemaVersion    = query(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	qMigrationApplied = query(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`)
	qRecordMigration  = query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`)
	// Serialises migrators on PostgreSQL; the key is arbitrary but fixed.
	qMigrationLock = dialectQuery(`SELECT 1`, `SELECT pg_advisory_xact_lock(727001)`)
)

// SchemaVersion is the last migration applied, 0 for a database without
// Accord's tables.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var n int
	if err := s.get(ctx, &n, qSchemaTableExists); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v int
	if err := s.get(ctx, &v, qSchemaVersion); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

// Empty reports whether the database has no tables at all, as a brand new
// SQLite file does.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := s.get(ctx, &n, qTableCount); err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	return n == 0, nil
}

// CheckSchema returns a *SchemaError unless the database is exactly at the
// schema this build expects.
func (s *Store) CheckSchema(ctx context.Context) error {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return err
	}
	have, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if have != len(ms) {
		return &SchemaError{Have: have, Want: len(ms), Where: s.where}
	}
	return s.Prepare(ctx)
}

// Migrate applies every missing step, each in its own transaction, and
// returns the steps it applied. Several processes may call it at once.
func (s *Store) Migrate(ctx context.Context) ([]Migration, error) {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return nil, err
	}
	have, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if have > len(ms) {
		return nil, &SchemaError{Have: have, Want: len(ms), Where: s.where}
	}
	if err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, qMigrationLock); err != nil {
			return err
		}
		_, err := tx.exec(ctx, qCreateSchemaTable)
		return err
	}); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var applied []Migration
	for _, m := range ms[have:] {
		done := false
		err := s.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.exec(ctx, qMigrationLock); err != nil {
				return err
			}
			var n int
			if err := tx.get(ctx, &n, qMigrationApplied, m.Version); err != nil {
				return err
			}
			if n > 0 {
				done = true // another process got there first
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.exec(ctx, qRecordMigration, m.Version, m.Name, ts(s.clock.Now()))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if !done {
			s.log.Info("applied migration", "version", m.Version, "name", m.Name)
			applied = append(applied, m)
		}
	}
	return applied, s.Prepare(ctx)
}
