package mailin

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"accord/conversation"
	"accord/store"
	"accord/store/storetest"
)

// BenchmarkProcess measures what Accord itself spends on one reply, with
// no mail server: the Processor reads a person's answer to their first
// question, records it and queues the next question, rendered, on each
// database. The replies are made before the clock starts. cpu-ms/reply is
// this process's CPU time (user and system) per reply: on PostgreSQL it
// leaves out the server's own.
func BenchmarkProcess(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			url := storetest.SQLiteURL(b)
			if backend == "postgres" {
				url = storetest.PostgresURL(b)
			}
			e := newEnv(b, url, nil)
			pr := e.processor("bench")
			n := b.N
			var es []store.Enrollment
			for i := range n {
				es = append(es, store.Enrollment{Kind: conversation.KindLeadReport, Set: e.set(),
					A: store.EnrollPerson{Name: "Lead Person", Email: fmt.Sprintf("lead%d@example.test", i), TimeZone: "UTC"},
					B: store.EnrollPerson{Name: "Report Person", Email: fmt.Sprintf("report%d@example.test", i), TimeZone: "UTC"}})
			}
			if _, err := e.st.EnrollAll(e.ctx, es); err != nil {
				b.Fatal(err)
			}
			var replies [][]byte
			for _, w := range e.allMail() {
				if w.To == "dana@example.test" || w.To == "sam@example.test" || !strings.HasPrefix(w.To, "lead") {
					continue
				}
				replies = append(replies, replyMail(w.To, w.sent, "My answer to the first question, in a few words."))
			}
			if len(replies) != n {
				b.Fatalf("%d replies for %d pairs", len(replies), n)
			}
			cpu0 := cpuTime(b)
			b.ResetTimer()
			for i, raw := range replies {
				res, err := pr.Process(e.ctx, Fetched{Key: store.InboundKey{Mailbox: "bench", UIDValidity: 1, UID: uint32(i + 1)}, Size: int64(len(raw)), Raw: raw})
				if err != nil || res.Outcome != store.InboundAnswer {
					b.Fatalf("reply %d: %+v, %v", i, res, err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "replies/s")
			b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/reply")
		})
	}
}

// cpuTime is the CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
