package mailin

import (
	"fmt"

	"accord/conversation"
	"accord/store"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"accord/mailout/mailtest"
	"accord/store/storetest"
)

// backlogSize is how many replies BenchmarkDrain reads; set
// ACCORD_BENCH_BACKLOG to change it (CI's smoke run uses a small one).
func backlogSize() int {
	if n, err := strconv.Atoi(os.Getenv("ACCORD_BENCH_BACKLOG")); err == nil && n > 0 {
		return n
	}
	return 10_000
}

// BenchmarkDrain measures how fast one poller empties a mailbox holding a
// backlog of replies, and the heap it needs while doing so.
func BenchmarkDrain(b *testing.B) {
	for _, backend := range []string{"memory", "dovecot"} {
		b.Run(backend, func(b *testing.B) {
			n := backlogSize()
			for b.Loop() {
				b.StopTimer()
				mb := mailtest.NewMemoryIMAP(b)
				if backend == "dovecot" {
					mb = mailtest.DovecotIMAP(b)
				}
				e := newEnv(b, storetest.SQLiteURL(b), mb)
				// A realistic backlog: many pairs, each person answering
				// the question their welcome asked.
				var es []store.Enrollment
				for i := range n / 2 {
					es = append(es, store.Enrollment{Kind: conversation.KindLeadReport, Set: e.set(),
						A: store.EnrollPerson{Name: "Lead Person", Email: fmt.Sprintf("lead%d@example.test", i), TimeZone: "UTC"},
						B: store.EnrollPerson{Name: "Report Person", Email: fmt.Sprintf("report%d@example.test", i), TimeZone: "UTC"}})
				}
				if _, err := e.st.EnrollAll(e.ctx, es); err != nil {
					b.Fatal(err)
				}
				for _, w := range e.allMail() {
					if w.To == "dana@example.test" || w.To == "sam@example.test" {
						continue
					}
					e.mb.Append(b, e.imap, "", replyMail(w.To, w.sent, "My answer to the first question, in a few words."))
				}
				runtime.GC()
				var peak atomic.Uint64
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					var ms runtime.MemStats
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
						}
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
						}
					}
				}()
				b.StartTimer()
				start := time.Now()
				e.run(e.poller(e.processor("bench")))
				e.waitOutcomes(n, 30*time.Minute)
				took := time.Since(start)
				b.StopTimer()
				close(stop)
				wg.Wait()
				b.ReportMetric(float64(n)/took.Seconds(), "msgs/s")
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
				b.StartTimer()
			}
		})
	}
}

// BenchmarkReplyLatency measures, one reply at a time, the time from the
// reply's APPEND to the mailbox to its answer being committed, with the
// poller waiting in IDLE. (ns/op includes a pause between replies.)
func BenchmarkReplyLatency(b *testing.B) {
	for _, backend := range []string{"memory", "dovecot"} {
		b.Run(backend, func(b *testing.B) {
			mb := mailtest.NewMemoryIMAP(b)
			if backend == "dovecot" {
				mb = mailtest.DovecotIMAP(b)
			}
			e := newEnv(b, storetest.SQLiteURL(b), mb)
			welcome := e.lastMail("dana@example.test")
			committed := make(chan struct{}, 1)
			p := e.poller(e.processor("bench"))
			p.crash = func(point string) error {
				if point == "after_commit_before_flag" {
					select {
					case committed <- struct{}{}:
					default:
					}
				}
				return nil
			}
			e.run(p)
			time.Sleep(200 * time.Millisecond)
			var lat []time.Duration
			i := 0
			for b.Loop() {
				raw := replyMail("dana@example.test", welcome, fmt.Sprint("Latency reply ", i))
				i++
				// Let the poller finish with the last reply and settle
				// into IDLE, as it is when a reply comes in out of the blue.
				time.Sleep(300 * time.Millisecond)
				start := time.Now()
				e.mb.Append(b, e.imap, "", raw)
				select {
				case <-committed:
				case <-time.After(30 * time.Second):
					b.Fatal("reply not committed within 30 s")
				}
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
