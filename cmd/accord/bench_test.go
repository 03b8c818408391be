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
// (Dovecot, Postfix, PostgreSQL), each figure next to the floor the servers
// themselves set, measured in the same run:
//
//   - drain: replies recorded per second emptying a backlog of
//     ACCORD_BENCH_BACKLOG replies (default 2,000), against how fast
//     Postfix accepts the same replies and Dovecot hands them out;
//   - latency: from Postfix accepting a reply to Postfix accepting the
//     next question, p50 and p99 over ACCORD_BENCH_SAMPLES replies (default
//     100) sent one at a time, against the time from Postfix accepting a
//     mail to an idling IMAP client hearing of it;
//   - idle: CPU and memory of the service with nothing to do, over
//     ACCORD_BENCH_IDLE_SECONDS (default 30).
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
		b.ReportMetric(r.postfix, "floor-postfix-accept/s")
		b.ReportMetric(r.dovecot, "floor-dovecot-fetch/s")
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
	drain, postfix, dovecot    float64
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

func benchTestbed(b *testing.B, bin string, svc, people mailtest.Account, n, samples int, idle time.Duration) benchResult {
	var r benchResult
	svc.Clear(b)
	people.Clear(b)
	dbURL := storetest.PostgresURL(b)
	env := testbedEnv(b, svc, dbURL)
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
	// Postfix accepts the replies on two connections is the first floor.
	var replies [][]byte
	for i, raw := range people.Inbox(b) {
		_, _, reply := benchReply(b, raw, i, "We trust each other and we say so early.")
		replies = append(replies, reply)
	}
	people.Clear(b)
	start := time.Now()
	submitAll(b, svc.SMTPAddr, replies, 2)
	r.postfix = float64(len(replies)) / time.Since(start).Seconds()
	waitEvery(b, 10*time.Minute, 500*time.Millisecond, "the replies to be delivered", func() bool { return svc.Count(b) >= n })

	// How fast Dovecot hands the backlog out, in the poller's batches, is
	// the second floor.
	r.dovecot = fetchRate(b, svc, n)

	// The service drains the backlog.
	start = time.Now()
	p = startBench(b, bin, env)
	waitEvery(b, 30*time.Minute, 100*time.Millisecond, "the backlog to be drained", func() bool {
		return p.metric(`accord_inbound_messages_total{outcome="answer"}`) >= float64(n)
	})
	r.drain = float64(n) / time.Since(start).Seconds()
	waitEvery(b, 10*time.Minute, 200*time.Millisecond, "the second questions to be sent", func() bool { return sentOf("question") >= n })
	waitEvery(b, 10*time.Minute, 500*time.Millisecond, "the second questions to be delivered", func() bool { return people.Count(b) >= n })

	// One reply at a time, from Postfix accepting it to Postfix accepting
	// the next question.
	for i, raw := range people.Inbox(b)[:samples] {
		time.Sleep(300 * time.Millisecond) // the service is idle when a reply comes
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

	// The floor under the latency: from Postfix accepting a mail to an
	// idling IMAP client hearing of it.
	r.floor = deliveryLatency(b, svc, samples)
	svc.Clear(b)
	people.Clear(b)
	b.Logf("backlog %d: %.0f replies/s (Postfix accepts %.0f/s, Dovecot hands out %.0f/s); latency p50 %.0f ms, p99 %.0f ms (floor %.0f/%.0f ms); idle %.2f%% CPU, %.0f MB RSS",
		n, r.drain, r.postfix, r.dovecot, ms(r.lat[len(r.lat)/2]), ms(r.lat[len(r.lat)*99/100]),
		ms(r.floor[len(r.floor)/2]), ms(r.floor[len(r.floor)*99/100]), r.idleCPU, r.idleRSS)
	return r
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

// fetchRate reads every message of the INBOX in batches of 50, as the
// poller does, and returns messages per second.
func fetchRate(b *testing.B, a mailtest.Account, n int) float64 {
	c := a.Dial(b, nil)
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	got := 0
	// Dovecot refuses sequence numbers past the last message.
	for first := uint32(1); got < n && first <= sel.NumMessages; first += 50 {
		var set imap.SeqSet
		set.AddRange(first, min(first+49, sel.NumMessages))
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
		time.Sleep(100 * time.Millisecond)
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
