package service

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are what serve exports to Prometheus.
type metrics struct {
	inbound  *prometheus.CounterVec
	latency  prometheus.Histogram
	outbound *prometheus.CounterVec
	scans    prometheus.Histogram
	// autoResponders counts people paused because their replies looked
	// automatic; budgetSpent, mails not sent because the mail budget of
	// their address was spent.
	autoResponders prometheus.Counter
	budgetSpent    *prometheus.CounterVec
	// tokens counts OAuth access tokens fetched.
	tokens prometheus.Counter
	// unsubscribes counts one-click unsubscribe requests, by result.
	unsubscribes *prometheus.CounterVec
}

func (svc *service) registerMetrics(reg *prometheus.Registry) {
	m := &metrics{
		inbound: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_inbound_messages_total", Help: "Messages read from the mailbox, by outcome.",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "accord_inbound_latency_seconds", Help: "Time from a message's arrival in the mailbox to its committed outcome.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800},
		}),
		outbound: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_outbound_mail_total", Help: "Delivery attempts of outbound mail, by result (sent, retry, failed, auth-failed).",
		}, []string{"result"}),
		scans: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "accord_imap_scan_seconds", Help: "Time taken by each scan of the mailbox for new mail.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
	}
	m.autoResponders = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "accord_auto_responders_total", Help: "People paused because their replies repeated the same words, as auto-responders do.",
	})
	m.budgetSpent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "accord_mail_budget_spent_total", Help: "Mails caused by inbound mail and not sent, because their address had spent its daily budget, by kind.",
	}, []string{"kind"})
	m.tokens = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "accord_oauth_tokens_total", Help: "OAuth 2.0 access tokens fetched to sign in to the mailbox.",
	})
	m.unsubscribes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "accord_unsubscribes_total", Help: "One-click unsubscribe requests (RFC 8058), by result (left, already, unknown, failed).",
	}, []string{"result"})
	reg.MustRegister(m.inbound, m.latency, m.outbound, m.scans, m.autoResponders, m.budgetSpent, m.tokens, m.unsubscribes,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_oauth_grant_lost", Help: "1 while the mailbox sign-in is revoked or missing: run accord mail login.",
		}, func() float64 {
			svc.mu.Lock()
			defer svc.mu.Unlock()
			return oneIf(svc.tokens != nil && svc.tokens.Grant() != nil)
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "accord_imap_reconnects_total", Help: "Times the connection to the mailbox was lost and opened again.",
		}, func() float64 {
			_, poller, _ := svc.parts()
			return float64(pollerStatus(poller).Reconnects)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_imap_connected", Help: "1 while the mailbox connection is up.",
		}, func() float64 {
			_, poller, _ := svc.parts()
			return oneIf(pollerStatus(poller).Connected)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_smtp_login_refused", Help: "1 while the SMTP server refuses our login and sending is stopped.",
		}, func() float64 {
			_, _, outbox := svc.parts()
			return oneIf(outbox != nil && !outbox.State().AuthFailedSince.IsZero())
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_job_lag_seconds", Help: "How long the oldest due job (mail to send, partnership to wake) has been waiting.",
		}, func() float64 {
			st, _, _ := svc.parts()
			if st == nil {
				return 0
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			next, err := st.NextJobAt(ctx)
			if err != nil || next.IsZero() {
				return 0
			}
			return max(0, time.Since(next).Seconds())
		}),
	)
	svc.m = m
}

// tokenFetched counts OAuth access tokens fetched.
func (svc *service) tokenFetched() {
	if svc.m != nil {
		svc.m.tokens.Inc()
	}
}

// budgetSpent counts mail held back by the mail budget.
func (svc *service) budgetSpent(_, kind string) {
	if svc.m != nil {
		svc.m.budgetSpent.WithLabelValues(kind).Inc()
	}
}

func oneIf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// observe hooks the metrics, when registered, into the running parts.
// (Mail a reply queues reaches the outbox from the store: see
// store.Handoff.)
func (svc *service) observe() {
	m := svc.m
	svc.poller.Processor.OnOutcome = func(outcome string, arrived time.Time) {
		if m != nil {
			m.inbound.WithLabelValues(outcome).Inc()
			if !arrived.IsZero() {
				m.latency.Observe(time.Since(arrived).Seconds())
			}
		}
	}
	if m == nil {
		return
	}
	svc.poller.OnScan = func(d time.Duration) { m.scans.Observe(d.Seconds()) }
	svc.poller.Processor.OnAutoResponder = m.autoResponders.Inc
	svc.outbox.OnResult = func(result string) { m.outbound.WithLabelValues(result).Inc() }
}
