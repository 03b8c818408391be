package service

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"accord/internal/config"
	"accord/mailin"
	"accord/templates"
)

// routes serves health, readiness and metrics, and with http.debug Go's
// profiles; those only on a loopback listener, as the configuration
// demands, for they show what is in the process's memory.
func (svc *service) routes(cfg *config.Config) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	svc.registerMetrics(reg)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, checks := svc.ready(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": checks})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET "+config.UnsubscribePath+"{token}", svc.unsubscribe)
	mux.HandleFunc("POST "+config.UnsubscribePath+"{token}", svc.unsubscribe)
	mux.HandleFunc("GET "+config.AgreementPath+"{token}", svc.agreementPage)
	switch {
	case !cfg.HTTP.Debug:
	case !config.LoopbackListen(cfg.HTTP.Listen):
		svc.log.Error(templates.Operator("serve.log.profiles-off", nil), "listen", cfg.HTTP.Listen)
	default:
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		svc.log.Info("serving profiles (http.debug)", "path", "/debug/pprof/")
	}
	return mux
}

// ready checks the database, the mailbox connection and the SMTP login.
func (svc *service) ready(ctx context.Context) (bool, map[string]string) {
	checks := map[string]string{"database": "ok", "mailbox": "ok", "smtp": "ok"}
	ok := true
	fail := func(k, v string) { checks[k], ok = v, false }
	st, poller, outbox := svc.parts()
	svc.mu.Lock()
	dbErr := svc.dbErr
	svc.mu.Unlock()
	switch {
	case st == nil && dbErr != "":
		fail("database", templates.Operator("serve.ready.database-closed", templates.Args{"Err": dbErr}))
	case st == nil:
		fail("database", "opening")
	default:
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := st.Ping(pctx); err != nil {
			fail("database", templates.Operator("serve.ready.database-silent", templates.Args{"Err": err}))
		}
	}
	switch ps := pollerStatus(poller); {
	case poller == nil:
		fail("mailbox", "starting")
	case !ps.Connected && ps.LastError != "":
		fail("mailbox", templates.Operator("serve.ready.mailbox", templates.Args{"Err": ps.LastError}))
	case !ps.Connected:
		fail("mailbox", "connecting")
	}
	svc.mu.Lock()
	tokens := svc.tokens
	svc.mu.Unlock()
	if tokens != nil {
		checks["sign-in"] = "ok"
		if g := tokens.Grant(); g != nil {
			fail("sign-in", g.Error())
		}
	}
	if outbox != nil {
		switch st := outbox.State(); {
		case !st.AuthFailedSince.IsZero():
			fail("smtp", templates.Operator("serve.ready.smtp-refused", templates.Args{"Since": st.AuthFailedSince.UTC().Format(time.RFC3339), "Err": st.LastError}))
		case !st.UnreachableSince.IsZero():
			fail("smtp", templates.Operator("serve.ready.smtp-unreachable", templates.Args{"Since": st.UnreachableSince.UTC().Format(time.RFC3339), "Err": st.LastError}))
		}
	}
	return ok, checks
}

func pollerStatus(p *mailin.Poller) mailin.Status {
	if p == nil {
		return mailin.Status{}
	}
	return p.Status()
}
