package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"accord/mailout"
	"accord/store"
	"accord/store/storetest"
)

// scaleSizes are the numbers of partnerships BenchmarkScale enrolls:
// ACCORD_BENCH_SCALE, a comma-separated list (CI's smoke run sets a small
// one), else 1,000, 10,000 and 100,000.
func scaleSizes(b *testing.B) []int {
	setting := os.Getenv("ACCORD_BENCH_SCALE")
	if setting == "" {
		return []int{1000, 10000, 100000}
	}
	var sizes []int
	for _, f := range strings.Split(setting, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("ACCORD_BENCH_SCALE=%q: give numbers of partnerships, like 1000,10000", setting)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// scaleNow is when the benchmark's import runs: a Wednesday noon in UTC,
// the zone of everyone in it, so that every welcome goes out at once and
// the wave is the whole outbox.
var scaleNow = time.Date(2027, 3, 24, 12, 0, 0, 0, time.UTC)

// BenchmarkScale enrolls ACCORD_BENCH_SCALE partnerships (see scaleSizes)
// on SQLite and, when ACCORD_TEST_POSTGRES_URL is set, PostgreSQL, and
// reports for each, side by side:
//
//   - import-pairs/s and import-peak-MB: `accord import FILE.csv` run as a
//     process of its own, from start to exit, and its peak resident
//     memory;
//   - wave-mails/s: the outbox sending every welcome the import queued
//     (two a partnership) to an SMTP server that only counts them;
//   - db-bytes/pair: the database's size after the import (SQLite file
//     and its log; PostgreSQL tables, indexes and TOAST) per partnership.
func BenchmarkScale(b *testing.B) {
	sizes := scaleSizes(b)
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/%d", backend, n), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					r := benchScale(b, backend, n)
					b.ReportMetric(r.importRate, "import-pairs/s")
					b.ReportMetric(r.importPeakMB, "import-peak-MB")
					b.ReportMetric(r.waveRate, "wave-mails/s")
					b.ReportMetric(r.bytesPerPair, "db-bytes/pair")
					b.StartTimer()
				}
			})
		}
	}
}

type scaleResult struct {
	importRate, importPeakMB, waveRate, bytesPerPair float64
}

func benchScale(b *testing.B, backend string, n int) scaleResult {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer cancel()
	dir := b.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "accord.db")
	if backend == "postgres" {
		dbURL = storetest.PostgresURL(b)
	}
	config := filepath.Join(dir, "accord.toml")
	if err := os.WriteFile(config, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"ACCORD_DATABASE_URL": dbURL, "ACCORD_CONFIG": config}
	var out, errOut strings.Builder
	if code := run(ctx, []string{"migrate"}, &out, &errOut, func(k string) string { return env[k] }); code != exitOK {
		b.Fatalf("accord migrate: exit %d\n%s", code, errOut.String())
	}
	csv := filepath.Join(dir, "pairs.csv")
	writeScaleCSV(b, csv, n)

	var r scaleResult
	elapsed, peakKB := runScaleImport(b, env, csv)
	r.importRate = float64(n) / elapsed.Seconds()
	r.importPeakMB = float64(peakKB) / 1024
	r.bytesPerPair = float64(databaseBytes(b, dbURL)) / float64(n)

	// The wave: the outbox of a service started a minute after the
	// import, sending until the server has counted every welcome.
	st, err := store.Open(ctx, dbURL, store.Options{Clock: storetest.NewClock(scaleNow.Add(time.Minute))})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		b.Fatal(err)
	}
	server := newCountingSMTP(b)
	sender, err := mailout.NewSender(mailout.SMTPConfig{Host: "127.0.0.1", Port: server.port, Security: mailout.Plaintext,
		Timeout: 30 * time.Second}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sender.Close()
	outbox := &mailout.Outbox{Store: st, Mailer: sender, From: "accord@example.test"}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- outbox.Run(runCtx) }()
	want := int64(2 * n)
	for server.count.Load() < want {
		select {
		case err := <-done:
			b.Fatalf("the outbox stopped after %d of %d welcomes: %v", server.count.Load(), want, err)
		case <-ctx.Done():
			b.Fatalf("the outbox sent %d of %d welcomes before the deadline", server.count.Load(), want)
		case <-time.After(10 * time.Millisecond):
		}
	}
	r.waveRate = float64(want) / time.Since(start).Seconds()
	stop()
	if err := <-done; err != nil && ctx.Err() == nil && runCtx.Err() == nil {
		b.Fatal(err)
	}
	return r
}

// writeScaleCSV writes n partnerships of two new people each.
func writeScaleCSV(b *testing.B, path string, n int) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintln(f, "lead_name,lead_email,report_name,report_email")
	for i := range n {
		fmt.Fprintf(f, "Lead %d,lead%d@example.test,Report %d,report%d@example.test\n", i, i, i, i)
	}
}

// runScaleImport runs accord import in a process of its own (this test
// binary, running TestScaleImportProcess) and returns how long it took
// and its peak resident memory in kB.
func runScaleImport(b *testing.B, env map[string]string, csv string) (time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleImportProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ACCORD_SCALE_IMPORT="+csv,
		"ACCORD_DATABASE_URL="+env["ACCORD_DATABASE_URL"], "ACCORD_CONFIG="+env["ACCORD_CONFIG"])
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("accord import: %v\n%s", err, out.String())
	}
	elapsed := time.Since(start)
	if !strings.Contains(out.String(), "Imported ") {
		b.Fatalf("accord import did not import:\n%s", out.String())
	}
	usage, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if usage == nil {
		return elapsed, 0
	}
	return elapsed, usage.Maxrss
}

// TestScaleImportProcess is accord import with the clock at scaleNow, run
// by BenchmarkScale as a process of its own; on its own it does nothing.
func TestScaleImportProcess(t *testing.T) {
	csv := os.Getenv("ACCORD_SCALE_IMPORT")
	if csv == "" {
		t.Skip("run by BenchmarkScale")
	}
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, env: os.Getenv,
		configPath: os.Getenv("ACCORD_CONFIG"), clock: storetest.NewClock(scaleNow)}
	if err := runImport(context.Background(), a, []string{csv}); err != nil {
		t.Fatal(err)
	}
}

// databaseBytes is what the database takes on disk.
func databaseBytes(b *testing.B, dbURL string) int64 {
	b.Helper()
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		var total int64
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(path + suffix); err == nil {
				total += fi.Size()
			}
		}
		return total
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var total int64
	err = db.QueryRow(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&total)
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// countingSMTP is an SMTP server that takes every message and only counts
// it: the wave measures Accord, not a server keeping 200,000 mails.
type countingSMTP struct {
	port  int
	count atomic.Int64
}

func newCountingSMTP(b *testing.B) *countingSMTP {
	b.Helper()
	c := &countingSMTP{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return countingSession{c}, nil }))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 10 << 20
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return c
}

type countingSession struct{ c *countingSMTP }

func (countingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (countingSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (countingSession) Reset()                               {}
func (countingSession) Logout() error                        { return nil }

func (s countingSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.c.count.Add(1)
	return nil
}
