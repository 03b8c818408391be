package service

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"accord/templates"
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
			Name: "accord_inbound_messages_total", Help: templates.Operator("serve.metric.inbound", nil),
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "accord_inbound_latency_seconds", Help: templates.Operator("serve.metric.latency", nil),
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800},
		}),
		outbound: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_outbound_mail_total", Help: templates.Operator("serve.metric.outbound", nil),
		}, []string{"result"}),
		scans: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "accord_imap_scan_seconds", Help: templates.Operator("serve.metric.scans", nil),
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
	}
	m.autoResponders = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "accord_auto_responders_total", Help: templates.Operator("serve.metric.auto-responders", nil),
	})
	m.budgetSpent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "accord_mail_budget_spent_total", Help: templates.Operator("serve.metric.budget-spent", nil),
	}, []string{"kind"})
	m.tokens = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "accord_oauth_tokens_total", Help: templates.Operator("serve.metric.tokens", nil),
	})
	m.unsubscribes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "accord_unsubscribes_total", Help: templates.Operator("serve.metric.unsubscribes", nil),
	}, []string{"result"})
	reg.MustRegister(m.inbound, m.latency, m.outbound, m.scans, m.autoResponders, m.budgetSpent, m.tokens, m.unsubscribes,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_oauth_grant_lost", Help: templates.Operator("serve.metric.grant-lost", nil),
		}, func() float64 {
			svc.mu.Lock()
			defer svc.mu.Unlock()
			return oneIf(svc.tokens != nil && svc.tokens.Grant() != nil)
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "accord_imap_reconnects_total", Help: templates.Operator("serve.metric.reconnects", nil),
		}, func() float64 {
			_, poller, _ := svc.parts()
			return float64(pollerStatus(poller).Reconnects)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_imap_connected", Help: templates.Operator("serve.metric.connected", nil),
		}, func() float64 {
			_, poller, _ := svc.parts()
			return oneIf(pollerStatus(poller).Connected)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_smtp_login_refused", Help: templates.Operator("serve.metric.login-refused", nil),
		}, func() float64 {
			_, _, outbox := svc.parts()
			return oneIf(outbox != nil && !outbox.State().AuthFailedSince.IsZero())
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "accord_job_lag_seconds", Help: templates.Operator("serve.metric.job-lag", nil),
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
