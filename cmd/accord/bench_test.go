package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"accord/internal/config"
	"accord/mailout/mailtest"
	"accord/store/storetest"
)

// benchSetting reads a positive integer from the environment, else def.
// CI's smoke run makes the benchmarks small with these.
func benchSetting(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkTestbed measures the accord binary as a service on the test bed
// (Dovecot, Postfix, PostgreSQL), each figure next to what the servers
// themselves manage, measured in the same run:
//
//   - drain: a backlog of ACCORD_BENCH_BACKLOG replies (default 2,000)
//     waiting in the mailbox, from starting serve until Postfix has
//     accepted the next question for every one of them, in replies per
//     second; beside it how fast Postfix accepts the same replies on two
//     connections, how fast it delivers such a backlog into Dovecot (the
//     ceiling on this machine: from the first submission until the last
//     is in the mailbox), the ratio of the drain to each, how fast Dovecot
//     hands the backlog out, and the CPU time Accord and PostgreSQL spend
//     per reply;
//   - latency: from Postfix accepting a reply to Postfix accepting the
//     next question, p50 and p99 over ACCORD_BENCH_SAMPLES replies (default
//     100) sent one at a time, against the time from Postfix accepting a
//     mail to an idling IMAP client hearing of it;
//   - idle: CPU and memory of the service with nothing to do, over
//     ACCORD_BENCH_IDLE_SECONDS (default 30).
//
// ACCORD_IMAP_BATCH_SIZE, ACCORD_INBOUND_WORKERS, ACCORD_SMTP_CONNECTIONS,
// ACCORD_HTTP_DEBUG and ACCORD_HTTP_LISTEN, when set, are passed on to the
// service, to compare settings or take profiles during a run (for
// instance ACCORD_HTTP_DEBUG=true ACCORD_HTTP_LISTEN=127.0.0.1:6061, then
// /debug/pprof/profile on that address while the backlog drains).
func BenchmarkTestbed(b *testing.B) {
	n := benchSetting("ACCORD_BENCH_BACKLOG", 2000) / 2 * 2
	samples := min(benchSetting("ACCORD_BENCH_SAMPLES", 100), n)
	idle := time.Duration(benchSetting("ACCORD_BENCH_IDLE_SECONDS", 30)) * time.Second
	svc := mailtest.TestbedAccount(b, "accord-bench")
	people := mailtest.TestbedAccount(b, "people")
	bin := buildAccord(b)
	for b.Loop() {
		b.StopTimer()
		r := benchTestbed(b, bin, svc, people, n, samples, idle)
		b.ReportMetric(r.drain, "replies/s")
		b.ReportMetric(r.recorded, "recorded/s")
		b.ReportMetric(r.postfix, "postfix-accept/s")
		b.ReportMetric(r.ceiling, "ceiling-delivery/s")
		b.ReportMetric(r.drain/r.postfix, "drain/accept")
		b.ReportMetric(r.drain/r.ceiling, "drain/ceiling")
		b.ReportMetric(r.dovecot, "dovecot-fetch/s")
		b.ReportMetric(r.cpu, "accord-cpu-ms/reply")
		b.ReportMetric(r.startCPU, "accord-start-cpu-ms")
		if r.pgCPU >= 0 {
			b.ReportMetric(r.pgCPU, "postgres-cpu-ms/reply")
		}
		b.ReportMetric(ms(r.lat[len(r.lat)/2]), "p50-ms")
		b.ReportMetric(ms(r.lat[len(r.lat)*99/100]), "p99-ms")
		b.ReportMetric(ms(r.floor[len(r.floor)/2]), "floor-p50-ms")
		b.ReportMetric(ms(r.floor[len(r.floor)*99/100]), "floor-p99-ms")
		b.ReportMetric(r.idleCPU, "idle-cpu-%")
		b.ReportMetric(r.idleRSS, "idle-rss-MB")
		b.ReportMetric(r.idleHeap, "idle-heap-MB")
		b.StartTimer()
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type benchResult struct {
	// drain counts replies until their next question was accepted,
	// recorded until their answer was committed; both per second.
	drain, recorded           float64
	postfix, ceiling, dovecot float64
	// cpu and pgCPU are milliseconds of CPU per reply drained, cpu
	// without what starting the service costs (startCPU, milliseconds in
	// all); pgCPU is negative when it could not be measured.
	cpu, pgCPU, startCPU       float64
	lat, floor                 []time.Duration
	idleCPU, idleRSS, idleHeap float64
}

// benchReply is what a person writes back to a mail from Accord.
func benchReply(b *testing.B, raw []byte, i int, text string) (from, to string, reply []byte) {
	b.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	me, err1 := mail.ParseAddress(m.Header.Get("To"))
	rt, err2 := mail.ParseAddress(m.Header.Get("Reply-To"))
	if err1 != nil || err2 != nil {
		b.Fatalf("a mail from Accord lacks To or Reply-To: %v %v", err1, err2)
	}
	reply = fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <bench-%d-%d@example.test>\r\n"+
		"In-Reply-To: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"%s\r\n\r\nOn a weekday, Accord <%s> wrote:\r\n> Reply to this email with your answer.\r\n",
		me.Address, rt.Address, m.Header.Get("Subject"), i, time.Now().UnixNano(), m.Header.Get("Message-Id"),
		time.Now().Format(time.RFC1123Z), text, rt.Address)
	return me.Address, rt.Address, reply
}

// benchPassOn are the settings of the service a run of the benchmark may
// vary from its own environment.
var benchPassOn = []string{"ACCORD_IMAP_BATCH_SIZE", "ACCORD_INBOUND_WORKERS", "ACCORD_SMTP_CONNECTIONS", "ACCORD_HTTP_DEBUG", "ACCORD_HTTP_LISTEN"}

func benchTestbed(b *testing.B, bin string, svc, people mailtest.Account, n, samples int, idle time.Duration) benchResult {
	var r benchResult
	svc.Clear(b)
	people.Clear(b)
	dbURL := storetest.PostgresURL(b)
	env := testbedEnv(b, svc, dbURL)
	for _, k := range benchPassOn {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	runBinary(b, bin, env, "migrate")
	var csv strings.Builder
	csv.WriteString("lead_name,lead_email,report_name,report_email\n")
	for i := range n / 2 {
		fmt.Fprintf(&csv, "Lead %d,people+l%d@example.test,Report %d,people+r%d@example.test\n", i, i, i, i)
	}
	pairs := filepath.Join(b.TempDir(), "pairs.csv")
	if err := os.WriteFile(pairs, []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	runBinary(b, bin, env, "import", pairs)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// One connection, so that the benchmark's own queries run in one
	// PostgreSQL backend, left out of the service's CPU time.
	db.SetMaxOpenConns(1)
	sentOf := func(kind string) int {
		var c int
		if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = $1 AND state = 'sent'`, kind).Scan(&c); err != nil {
			b.Fatal(err)
		}
		return c
	}

	// Everyone gets their welcome; then the service stops.
	p := startBench(b, bin, env)
	waitEvery(b, 10*time.Minute, 200*time.Millisecond, "the welcomes to be sent", func() bool { return sentOf("welcome") >= n })
	p.terminate()
	waitEvery(b, 10*time.Minute, 500*time.Millisecond, "the welcomes to be delivered", func() bool { return people.Count(b) >= n })

	// Everyone answers while the service is down: a backlog. How fast
	// Postfix accepts the replies on two connections, and how fast it
	// delivers them into Dovecot, are what Accord is measured against.
	var replies [][]byte
	for i, raw := range people.Inbox(b) {
		_, _, reply := benchReply(b, raw, i, "We trust each other and we say so early.")
		replies = append(replies, reply)
	}
	people.Clear(b)
	delivered := watchCount(b, svc, n)
	start := time.Now()
	submitAll(b, svc.SMTPAddr, replies, 2)
	r.postfix = float64(len(replies)) / time.Since(start).Seconds()
	select {
	case at, ok := <-delivered:
		if !ok {
			b.FailNow()
		}
		r.ceiling = float64(n) / at.Sub(start).Seconds()
	case <-time.After(10 * time.Minute):
		b.Fatal("the replies were not delivered within 10 minutes")
	}

	// How fast Dovecot hands the backlog out, in the poller's batches.
	r.dovecot = fetchRate(b, svc, n, benchSetting("ACCORD_IMAP_BATCH_SIZE", config.Default().IMAP.BatchSize))

	// The service drains the backlog: from its start until Postfix has
	// accepted every next question. The times of the last answer and the
	// last question are the service's own, from the database.
	pg0, pgOK := pgCPU(b, db)
	start = time.Now()
	p = startBench(b, bin, env)
	waitEvery(b, 30*time.Minute, 100*time.Millisecond, "the second questions to be sent", func() bool { return sentOf("question") >= n })
	cpu := procCPU(p.cmd.Process.Pid)
	pg1, pgOK1 := pgCPU(b, db)
	var recorded, sent time.Time
	if err := db.QueryRow(`SELECT (SELECT MAX(processed_at) FROM inbound_log WHERE outcome = 'answer'),
		(SELECT MAX(finished_at) FROM outbox WHERE kind = 'question' AND state = 'sent')`).Scan(&recorded, &sent); err != nil {
		b.Fatal(err)
	}
	r.drain = float64(n) / sent.Sub(start).Seconds()
	r.recorded = float64(n) / recorded.Sub(start).Seconds()
	drainCPU := cpu
	r.pgCPU = -1
	if pgOK && pgOK1 {
		r.pgCPU = ms(pg1.since(pg0)) / float64(n)
	}
	waitEvery(b, 10*time.Minute, 500*time.Millisecond, "the second questions to be delivered", func() bool { return people.Count(b) >= n })

	// One reply at a time, from Postfix accepting it to Postfix accepting
	// the next question.
	for i, raw := range people.Inbox(b)[:samples] {
		time.Sleep(quietGap) // the service is idle when a reply comes
		from, to, reply := benchReply(b, raw, i, "Tell me early; a rough worry on Monday beats a firm problem on Friday.")
		if err := smtp.SendMail(svc.SMTPAddr, nil, from, []string{to}, reply); err != nil {
			b.Fatal(err)
		}
		accepted := time.Now()
		var next time.Time
		waitEvery(b, time.Minute, 2*time.Millisecond, "the next question for "+from, func() bool {
			var c int
			var last sql.NullTime
			if err := db.QueryRow(`SELECT COUNT(*), MAX(finished_at) FROM outbox WHERE recipient = $1 AND kind = 'question' AND state = 'sent'`, from).Scan(&c, &last); err != nil {
				b.Fatal(err)
			}
			next = last.Time
			return c >= 2
		})
		r.lat = append(r.lat, next.Sub(accepted))
	}
	slices.Sort(r.lat)

	// Idle: nothing arrives, nothing is due.
	time.Sleep(2 * time.Second)
	cpu0 := p.metric("process_cpu_seconds_total")
	time.Sleep(idle)
	r.idleCPU = (p.metric("process_cpu_seconds_total") - cpu0) / idle.Seconds() * 100
	r.idleRSS = p.metric("process_resident_memory_bytes") / (1 << 20)
	r.idleHeap = p.metric("go_memstats_heap_inuse_bytes") / (1 << 20)
	p.terminate()

	// What starting costs (migrations checked, statements prepared,
	// templates and questions read, connections opened), with nothing to
	// do: taken out of the drain's CPU, which a long backlog would
	// otherwise make look cheaper than a short one.
	p = startBench(b, bin, env)
	start0 := procCPU(p.cmd.Process.Pid)
	p.terminate()
	r.startCPU = ms(start0)
	r.cpu = ms(max(drainCPU-start0, 0)) / float64(n)

	// The floor under the latency: from Postfix accepting a mail to an
	// idling IMAP client hearing of it.
	r.floor = deliveryLatency(b, svc, samples)
	svc.Clear(b)
	people.Clear(b)
	pg := "PostgreSQL CPU not measured"
	if r.pgCPU >= 0 {
		pg = fmt.Sprintf("PostgreSQL %.2f ms", r.pgCPU)
	}
	b.Logf("backlog %d: drained %.0f replies/s to the next question accepted (answers recorded at %.0f/s); Postfix accepts %.0f/s (drain %.2f of it) and delivers into Dovecot %.0f/s (drain %.2f of that ceiling); Dovecot hands out %.0f/s",
		n, r.drain, r.recorded, r.postfix, r.drain/r.postfix, r.ceiling, r.drain/r.ceiling, r.dovecot)
	b.Logf("CPU per reply drained: Accord %.2f ms (besides %.0f ms to start), %s (its backends for the service's database)", r.cpu, r.startCPU, pg)
	b.Logf("latency p50 %.0f ms, p99 %.0f ms (floor %.0f/%.0f ms); idle %.2f%% CPU, %.0f MB RSS",
		ms(r.lat[len(r.lat)/2]), ms(r.lat[len(r.lat)*99/100]), ms(r.floor[len(r.floor)/2]), ms(r.floor[len(r.floor)*99/100]), r.idleCPU, r.idleRSS)
	return r
}

// procCPU is the CPU time, user and system, a process has used so far;
// 0 when it cannot be read (not Linux, or the process is gone).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces; the fields after
	// it are numbered from 3 (state) in proc(5): utime is 14, stime 15,
	// in clock ticks of 1/100 s (USER_HZ, the same on every Linux).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// backendCPU is the CPU time of PostgreSQL backends, by process id.
type backendCPU map[int]time.Duration

// since is the CPU the backends used after before was taken; a backend
// new since then counts whole.
func (now backendCPU) since(before backendCPU) time.Duration {
	var d time.Duration
	for pid, t := range now {
		d += t - before[pid]
	}
	return d
}

// pgCPU reads the CPU time of the PostgreSQL backends connected to db's
// database, other than db's own. It says false when they cannot be read:
// a server on another machine, or in a container.
func pgCPU(b *testing.B, db *sql.DB) (backendCPU, bool) {
	// The benchmark's own backend shows whether PostgreSQL's processes
	// are this machine's.
	var self int
	if err := db.QueryRow(`SELECT pg_backend_pid()`).Scan(&self); err != nil {
		b.Fatal(err)
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", self)); err != nil || strings.TrimSpace(string(comm)) != "postgres" {
		return nil, false
	}
	rows, err := db.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := backendCPU{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		out[pid] = procCPU(pid)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return out, true
}

// watchCount watches a's INBOX on one connection, asking every 20 ms, and
// sends the time at which it first holds n messages; it closes the
// channel without a time when the server stops answering.
func watchCount(b *testing.B, a mailtest.Account, n int) <-chan time.Time {
	c := a.Dial(b, nil)
	at := make(chan time.Time, 1)
	go func() {
		defer c.Close()
		defer close(at)
		for {
			st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
			if err != nil || st.NumMessages == nil {
				b.Errorf("status of %s's INBOX: %v", a.Address, err)
				return
			}
			if int(*st.NumMessages) >= n {
				at <- time.Now()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return at
}

// startBench starts serve and waits until it is ready.
func startBench(b *testing.B, bin string, env []string) *process {
	p := startProcess(b, bin, env, "serve")
	waitEvery(b, time.Minute, 50*time.Millisecond, "serve to be ready", func() bool {
		code, _ := p.get("/readyz")
		return code == 200
	})
	return p
}

func waitEvery(t testing.TB, within, every time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(every)
	}
}

// submitAll hands messages to an SMTP server on conns connections, one
// transaction per message, as a mail client or Accord's outbox would.
func submitAll(b *testing.B, addr string, msgs [][]byte, conns int) {
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := smtp.Dial(addr)
			if err != nil {
				errs <- err
				return
			}
			defer cl.Quit()
			for i := c; i < len(msgs); i += conns {
				m, err := mail.ReadMessage(bytes.NewReader(msgs[i]))
				if err != nil {
					errs <- err
					return
				}
				from, _ := mail.ParseAddress(m.Header.Get("From"))
				to, _ := mail.ParseAddress(m.Header.Get("To"))
				if err := cl.Mail(from.Address); err != nil {
					errs <- err
					return
				}
				if err := cl.Rcpt(to.Address); err != nil {
					errs <- err
					return
				}
				w, err := cl.Data()
				if err != nil {
					errs <- err
					return
				}
				w.Write(msgs[i])
				if err := w.Close(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatalf("submit: %v", err)
	}
}

// fetchRate reads every message of the INBOX in batches of the given
// size, as the poller does, and returns messages per second.
func fetchRate(b *testing.B, a mailtest.Account, n, batch int) float64 {
	c := a.Dial(b, nil)
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	got := 0
	// Dovecot refuses sequence numbers past the last message.
	for first := uint32(1); got < n && first <= sel.NumMessages; first += uint32(batch) {
		var set imap.SeqSet
		set.AddRange(first, min(first+uint32(batch)-1, sel.NumMessages))
		msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true,
			BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
		if err != nil {
			b.Fatal(err)
		}
		if len(msgs) == 0 {
			break
		}
		got += len(msgs)
	}
	return float64(got) / time.Since(start).Seconds()
}

// quietGap is how long the latency samples, Accord's and the floor's,
// wait before each mail, so that each arrives out of the blue. Dovecot
// tells an idling client of a change about half a second after it, and of
// the next no sooner than half a second after that: measured here, a mail
// arriving 100 ms after the last notice was heard of after 399 ms, 300 ms
// after it, 198 ms, and on its own 504 ms. The same gap on both sides, longer
// than that half second, makes the floor the one a lone reply meets.
const quietGap = time.Second

// deliveryLatency sends samples mails through Postfix to a's INBOX, one at
// a time, and times each from Postfix accepting it to an IMAP client in
// IDLE hearing of it.
func deliveryLatency(b *testing.B, a mailtest.Account, samples int) []time.Duration {
	exists := make(chan struct{}, 16)
	c := a.Dial(b, &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			select {
			case exists <- struct{}{}:
			default:
			}
		}
	}})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	idleCmd, err := c.Idle()
	if err != nil {
		b.Fatal(err)
	}
	defer idleCmd.Close()
	var lat []time.Duration
	for i := range samples {
		time.Sleep(quietGap)
		msg := fmt.Appendf(nil, "From: floor@example.test\r\nTo: %s\r\nSubject: floor %d\r\nMessage-ID: <floor-%d-%d@example.test>\r\n\r\nTiming only.\r\n",
			a.Address, i, i, time.Now().UnixNano())
		if err := smtp.SendMail(a.SMTPAddr, nil, "floor@example.test", []string{a.Address}, msg); err != nil {
			b.Fatal(err)
		}
		accepted := time.Now()
		select {
		case <-exists:
			lat = append(lat, time.Since(accepted))
		case <-time.After(time.Minute):
			b.Fatal("an idling client did not hear of new mail within a minute")
		}
	}
	slices.Sort(lat)
	return lat
}
