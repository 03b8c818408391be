package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrInstanceTaken means another running process already uses the
// instance name asked for on this database.
var ErrInstanceTaken = errors.New("store: instance name in use")

// Instance is this process's hold on its instance name. Work the process
// claims (jobs, inbound mail) is leased in that name, so a process that
// restarts under the same name after a crash takes back what it left
// unfinished at once instead of waiting for the leases to run out. The
// hold makes sure no two live processes share a name: they would take
// each other's work.
type Instance struct {
	Name string

	s       *Store
	stop    chan struct{}
	done    chan struct{} // closed when watch has returned, or at once on SQLite
	closing sync.Once

	mu   sync.Mutex
	conn *sql.Conn // PostgreSQL: the connection holding the lock
	file *os.File  // SQLite: the locked file
	lost string    // why the hold is lost, while it is
}

// ClaimInstance takes the instance name for this process, until Close, and
// then takes back the leases that workers named roles@name held when the
// previous process of that name stopped. It fails with ErrInstanceTaken
// while another process holds the name.
//
// On PostgreSQL the hold is a session advisory lock on a connection of its
// own, released by the server as soon as the process dies; on SQLite it is
// a lock on a file beside the database, released by the kernel.
func (s *Store) ClaimInstance(ctx context.Context, name string, roles ...string) (*Instance, error) {
	if name == "" {
		return nil, errors.New("store: empty instance name")
	}
	in := &Instance{Name: name, s: s, stop: make(chan struct{}), done: make(chan struct{})}
	var err error
	switch s.dialect {
	case Postgres:
		in.conn, err = s.lockPostgres(ctx, name)
	default:
		in.file, err = s.lockFile(name)
	}
	if err != nil {
		return nil, err
	}
	var workers []string
	for _, r := range roles {
		workers = append(workers, WorkerName(r, name))
	}
	if err := s.reclaim(ctx, workers); err != nil {
		close(in.done)
		in.Close()
		return nil, err
	}
	if s.dialect == Postgres {
		go in.watch()
	} else {
		close(in.done)
	}
	return in, nil
}

// WorkerName is the name an instance's worker of a role leases work in.
func WorkerName(role, instance string) string { return role + "@" + instance }

var (
	qReclaimJobs    = query(`UPDATE jobs SET locked_until = ? WHERE state = 'running' AND locked_by = ?`)
	qReclaimInbound = query(`UPDATE inbound_log SET locked_until = NULL WHERE outcome = 'pending' AND locked_by = ?`)
)

// reclaim ends the leases the named workers held: only a process of the
// same instance name can have taken them, and it is gone.
func (s *Store) reclaim(ctx context.Context, workers []string) error {
	now := ts(s.clock.Now())
	return s.InTx(ctx, func(tx *Tx) error {
		for _, w := range workers {
			jobs, err := tx.exec(ctx, qReclaimJobs, now, w)
			if err != nil {
				return fmt.Errorf("store: take back the jobs of %s: %w", w, err)
			}
			mail, err := tx.exec(ctx, qReclaimInbound, w)
			if err != nil {
				return fmt.Errorf("store: take back the inbound mail of %s: %w", w, err)
			}
			j, _ := jobs.RowsAffected()
			m, _ := mail.RowsAffected()
			if j+m > 0 {
				s.log.Info("took back work left unfinished by the last run of this instance", "worker", w, "jobs", j, "inbound_messages", m)
			}
		}
		return nil
	})
}

// lockPostgres holds a session advisory lock named after the instance on a
// connection kept for the purpose.
func (s *Store) lockPostgres(ctx context.Context, name string) (*sql.Conn, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: instance lock: %w", err)
	}
	// The lock is named after the schema too: deployments (or tests) in
	// different schemas of one database may use the same instance name.
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext(current_schema() || ' accord instance ' || $1))`, name).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: instance lock: %w", err)
	}
	if !got {
		conn.Close()
		return nil, fmt.Errorf("%w: another process runs as instance %q on this database", ErrInstanceTaken, name)
	}
	return conn, nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// lockFile holds an exclusive lock on a file beside the SQLite database.
// The file stays when the lock is given up: removing it could let two
// processes lock two different files of the same name.
func (s *Store) lockFile(name string) (*os.File, error) {
	path := filepath.Clean(strings.TrimPrefix(s.where, "sqlite:") + ".instance-" + unsafeFileChars.ReplaceAllString(name, "_") + ".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: instance lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another process runs as instance %q on %s", ErrInstanceTaken, name, s.where)
		}
		return nil, fmt.Errorf("store: instance lock %s: %w", path, err)
	}
	return f, nil
}

// watch checks the PostgreSQL hold every few seconds: the lock lives on
// one connection, and when the server restarts or the connection breaks
// it is gone. It is taken again as soon as the database answers.
func (in *Instance) watch() {
	defer close(in.done)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-in.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := in.check(ctx)
		cancel()
		in.mu.Lock()
		switch {
		case err != nil && in.lost == "":
			in.s.log.Error("lost the hold on the instance name; taking it again when the database answers", "instance", in.Name, "err", err)
			in.lost = err.Error()
		case err == nil && in.lost != "":
			in.s.log.Info("holding the instance name again", "instance", in.Name)
			in.lost = ""
		}
		in.mu.Unlock()
	}
}

// check makes sure the lock's connection is alive, taking the lock again
// on a new connection when it broke.
func (in *Instance) check(ctx context.Context) error {
	in.mu.Lock()
	conn := in.conn
	in.mu.Unlock()
	if conn != nil {
		err := conn.PingContext(ctx)
		if err == nil {
			return nil
		}
		conn.Close()
		in.mu.Lock()
		in.conn = nil
		in.mu.Unlock()
	}
	conn, err := in.s.lockPostgres(ctx, in.Name)
	if err != nil {
		return err
	}
	in.mu.Lock()
	in.conn = conn
	in.mu.Unlock()
	return nil
}

// Lost says why the hold on the instance name is lost, or "" while held.
func (in *Instance) Lost() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.lost
}

// Close gives the instance name up.
func (in *Instance) Close() error {
	in.closing.Do(func() { close(in.stop) })
	<-in.done
	in.mu.Lock()
	defer in.mu.Unlock()
	var err error
	if in.conn != nil {
		// The connection goes back to the pool, so the lock must be
		// given back on it first.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = in.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext(current_schema() || ' accord instance ' || $1))`, in.Name)
		cancel()
		in.conn.Close()
		in.conn = nil
	}
	if in.file != nil {
		err = in.file.Close()
		in.file = nil
	}
	return err
}
