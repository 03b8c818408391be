package mailout

import (
	"context"
	"sync/atomic"
	"testing"

	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
)

// BenchmarkRender renders one question mail to MIME, without storing it.
func BenchmarkRender(b *testing.B) {
	r := &Renderer{Identity: testIdentity()}
	l := samples(b)[2].Letter
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.Render(l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkRenderDigest renders a digest, the heaviest mail after the
// agreement: the changes, the tallies and the rating chart in both parts.
func BenchmarkRenderDigest(b *testing.B) {
	r := &Renderer{Identity: testIdentity()}
	var l Letter
	for _, s := range samples(b) {
		if s.Name == "digest" {
			l = s.Letter
		}
	}
	if l.View.Digest == nil {
		b.Fatal("no digest sample")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.Render(l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkRenderEnqueue renders a question mail and stores it in the
// outbox with its delivery job, one transaction per message, as a state
// change does.
func BenchmarkRenderEnqueue(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			url := storetest.SQLiteURL(b)
			if backend == "postgres" {
				url = storetest.PostgresURL(b)
			}
			ctx := context.Background()
			r := &Renderer{Identity: testIdentity()}
			st, err := store.Open(ctx, url, store.Options{Dispatcher: &Dispatcher{Renderer: r}})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			l := samples(b)[2].Letter
			b.ResetTimer()
			for b.Loop() {
				err := st.InTx(ctx, func(tx *store.Tx) error {
					id, raw, err := r.Render(l)
					if err != nil {
						return err
					}
					_, err = tx.AddOutbox(ctx, store.NewOutbox{Recipient: l.ToAddress, Kind: "question", MessageID: id, Raw: raw})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkSend delivers a rendered question mail (about 7 KB) to the local
// sink, over one connection and over four used at once.
func BenchmarkSend(b *testing.B) {
	_, raw, err := fixedRenderer().Render(samples(b)[2].Letter)
	if err != nil {
		b.Fatal(err)
	}
	for _, conns := range []int{1, 4} {
		b.Run(map[int]string{1: "1conn", 4: "4conns"}[conns], func(b *testing.B) {
			sink := mailtest.NewSink(b)
			s, err := NewSender(SMTPConfig{Host: sink.Host(), Port: sink.Port(), Security: Plaintext, Connections: conns}, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			var sent atomic.Int64
			b.SetParallelism(conns) // conns × GOMAXPROCS senders share conns connections
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Send(ctx, "accord@example.com", "dana@example.com", raw); err != nil {
						b.Error(err)
						return
					}
					sent.Add(1)
				}
			})
			b.ReportMetric(float64(sent.Load())/b.Elapsed().Seconds(), "msgs/s")
			if c := sink.Connections(); c > conns {
				b.Errorf("%d connections opened for a pool of %d", c, conns)
			}
		})
	}
}
