package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"accord/internal/config"
	"accord/internal/sandbox"
	"accord/mailin"
	"accord/mailout"
	"accord/mailout/mailauth"
	"accord/store"
)

const serveUsage = `
Usage: accord serve

Runs Accord: reads replies from the mailbox, sends the mail that is due,
and wakes partnerships when questions, reminders and agreements are due,
until stopped with Ctrl-C or SIGTERM (work in progress is finished first).
Health, readiness and Prometheus metrics are served on http.listen
(127.0.0.1:8025 by default): /healthz, /readyz, /metrics.

With neither imap.url nor smtp.url configured, it runs in sandbox mode: a
mail server inside the process on 127.0.0.1, with a mailbox for the service
and for every person, and a SQLite database; nothing leaves the machine.
The mailboxes share one password, made on the first run and kept in
accord-sandbox-password beside the database.`

// service is a running Accord: its parts and their health. The parts are
// set while the HTTP endpoints already answer, so those read them through
// parts().
type service struct {
	sender  *mailout.Sender
	sandbox *sandbox.Server
	m       *metrics
	// queued wakes the outbox when a reply or a wake-up has just queued
	// mail, so the next question leaves at once.
	queued chan struct{}

	mu     sync.Mutex
	st     *store.Store
	poller *mailin.Poller
	outbox *mailout.Outbox
	dbErr  string // why the database is not open yet
	// tokens signs in to the mailbox with OAuth; nil with passwords.
	tokens *mailauth.Tokens
	// identity is the service's name and address, for the pages it serves.
	identity mailout.Identity
	log      *slog.Logger
}

// parts returns what has been built so far; nil for what has not.
func (svc *service) parts() (*store.Store, *mailin.Poller, *mailout.Outbox) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	return svc.st, svc.poller, svc.outbox
}

func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", serveUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	return serve(ctx, a, cfg, nil)
}

// serve runs the service until ctx ends. prepare, when set, runs once the
// database is open and before any mail moves (the interactive demo enrols
// its sample pair there).
func serve(ctx context.Context, a *app, cfg *config.Config, prepare func(context.Context, *store.Store) error) (err error) {
	defer func() {
		// Asked to stop while still starting: a clean stop, not a
		// failure, even when a step was cut short by it.
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			a.log.Info("stopped while starting", "step", err)
			err = nil
		}
	}()
	sandboxMode := cfg.SandboxMode()
	if !sandboxMode && (cfg.IMAP.URL == "" || cfg.SMTP.URL == "") {
		return errors.New("configure both imap.url and smtp.url to run for real, or neither to run in sandbox mode")
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s for health checks and metrics (%v); set http.listen to a free address", cfg.HTTP.Listen, errors.Unwrap(err))
	}
	svc := &service{identity: cfg.Identity(), log: a.log}
	if sandboxMode {
		pw, pwFile, err := sandbox.KeptPassword(cfg.SandboxDir(), a.log)
		if err != nil {
			ln.Close()
			return err
		}
		if svc.sandbox, err = sandbox.Start(sandbox.Options{IMAPPort: cfg.Sandbox.IMAPPort, SMTPPort: cfg.Sandbox.SMTPPort, Password: pw, PasswordFile: pwFile}); err != nil {
			ln.Close()
			return err
		}
		defer svc.sandbox.Close()
	}
	srv := &http.Server{Handler: svc.routes(cfg), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	a.log.Info("health and metrics", "listen", "http://"+ln.Addr().String(), "paths", "/healthz /readyz /metrics")

	a.budgetSpent = svc.budgetSpent
	st, err := svc.openStore(ctx, a)
	if err != nil || st == nil {
		return err
	}
	defer st.Close()
	inst, err := svc.claimInstance(ctx, a, cfg, st)
	if err != nil || inst == nil {
		return err
	}
	defer inst.Close()
	if prepare != nil {
		if err := prepare(ctx, st); err != nil {
			return err
		}
	}
	if err := svc.build(a, cfg, st); err != nil {
		return err
	}
	defer svc.sender.Close()
	if svc.sandbox != nil {
		svc.announceSandbox(ctx, a)
	}
	return svc.run(ctx, a)
}

// openStore opens the database, waiting and retrying while it cannot be
// reached: a database that is down can come back. A schema that does not
// match cannot fix itself, so that ends serve.
func (svc *service) openStore(ctx context.Context, a *app) (*store.Store, error) {
	// Tries come every few seconds, so the service starts within seconds
	// of the database's return; the log says when that starts and ends,
	// not every try.
	wait, since := time.Second, time.Time{}
	for {
		st, err := a.openStore(ctx)
		if err == nil {
			svc.mu.Lock()
			svc.st, svc.dbErr = st, ""
			svc.mu.Unlock()
			if !since.IsZero() {
				a.log.Info("the database answers", "waited", time.Since(since).Round(time.Second))
			}
			return st, nil
		}
		var se *store.SchemaError
		var ce *config.Error
		if errors.As(err, &se) || errors.As(err, &ce) {
			return nil, err
		}
		svc.setDBErr(err.Error())
		if since.IsZero() {
			since = time.Now()
			a.log.Error("cannot open the database; trying again every few seconds", "err", err)
		} else {
			a.log.Debug("the database still cannot be opened", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(wait):
		}
		wait = min(wait*2, 4*time.Second)
	}
}

// claimInstance holds the instance name for this process and takes back
// the work a crashed earlier run under the name left behind. A name that
// another live process holds ends serve: two processes with one name
// would take each other's work. A database that cannot be reached is
// waited for, as at start.
func (svc *service) claimInstance(ctx context.Context, a *app, cfg *config.Config, st *store.Store) (*store.Instance, error) {
	wait := 250 * time.Millisecond
	for {
		inst, err := st.ClaimInstance(ctx, cfg.Instance.Name, roles...)
		switch {
		case err == nil:
			a.log.Info("running as instance", "instance", cfg.Instance.Name)
			return inst, nil
		case errors.Is(err, store.ErrInstanceTaken):
			return nil, fmt.Errorf("%w; give each running instance its own instance.name (ACCORD_INSTANCE_NAME)", err)
		}
		a.log.Error("cannot claim the instance name; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(wait):
		}
		wait = min(wait*2, 4*time.Second)
	}
}

func (svc *service) setDBErr(s string) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	svc.dbErr = s
}

// roles are the parts of serve that lease work in the instance's name.
var roles = []string{"outbox", "mailin", "scheduler"}

// build wires the mail side, for real servers or the sandbox.
func (svc *service) build(a *app, cfg *config.Config, st *store.Store) error {
	var sc mailout.SMTPConfig
	var ic mailin.IMAPConfig
	var err error
	if svc.sandbox != nil {
		host, port := splitHostPort(svc.sandbox.SMTPAddr)
		sc = mailout.SMTPConfig{Host: host, Port: port, Security: mailout.Plaintext, Connections: cfg.SMTP.Connections}
		host, port = splitHostPort(svc.sandbox.IMAPAddr)
		ic = mailin.IMAPConfig{Host: host, Port: port, Security: "none", Username: cfg.Mail.Address, Password: svc.sandbox.Password,
			Mailbox: "INBOX", Processed: cfg.IMAP.ProcessedFolder, Quarantine: cfg.IMAP.QuarantineFolder}
		svc.sandbox.Ensure(cfg.Mail.Address)
	} else {
		if sc, err = cfg.SMTPConfig(); err != nil {
			return err
		}
		if ic, err = cfg.IMAPConfig(); err != nil {
			return err
		}
		if imapOAuth, smtpOAuth := cfg.UsesOAuth(); imapOAuth || smtpOAuth {
			tokens, err := cfg.OAuthTokens(st, svc.tokenFetched)
			if err != nil {
				return err
			}
			svc.mu.Lock()
			svc.tokens = tokens
			svc.mu.Unlock()
			if imapOAuth {
				ic.Tokens = tokens
			}
			if smtpOAuth {
				sc.Tokens = tokens
			}
			a.log.Info("signing in to the mailbox with OAuth 2.0", "tokens", tokens.Source.Describe(), "imap", imapOAuth, "smtp", smtpOAuth)
		}
	}
	if svc.sender, err = mailout.NewSender(sc, a.log); err != nil {
		return err
	}
	id := cfg.Identity()
	svc.queued = make(chan struct{}, 1)
	outbox := &mailout.Outbox{
		Store: st, Wake: svc.queued, Mailer: svc.sender, From: cfg.Mail.Address, Logger: a.log, Name: store.WorkerName("outbox", cfg.Instance.Name),
		GiveUpAfter: time.Duration(cfg.SMTP.GiveUpAfterHours) * time.Hour, BounceAfter: cfg.SMTP.BounceAfter, Concurrency: cfg.SMTP.Connections,
	}
	if cfg.SMTP.VERP {
		outbox.BounceAddress = id.BounceAddress
	}
	// Mail queued by replies and wake-ups goes to the outbox straight
	// from the commit, with no claim.
	st.SetHandoff(outbox)
	poller := &mailin.Poller{
		Config: ic, Logger: a.log,
		MaxSize:      int64(cfg.IMAP.MaxMessageMB) << 20,
		PollInterval: time.Duration(cfg.IMAP.PollSeconds) * time.Second,
		BatchSize:    cfg.IMAP.BatchSize,
		Workers:      cfg.Inbound.Workers,
		Processor: &mailin.Processor{
			Store: st, Identity: id, Renderer: &mailout.Renderer{Identity: id}, Logger: a.log, Worker: store.WorkerName("mailin", cfg.Instance.Name),
			Trust:                mailin.Trust{AuthServID: cfg.Inbound.AuthServID, RequireDMARCPass: cfg.Inbound.RequireDMARCPass},
			NotifyUnknownSenders: cfg.Inbound.NotifyUnknownSenders, MaxAttempts: cfg.Inbound.MaxAttempts,
			EchoWindow: time.Duration(cfg.Inbound.EchoWindowHours) * time.Hour,
		},
	}
	svc.mu.Lock()
	svc.st, svc.poller, svc.outbox = st, poller, outbox
	svc.mu.Unlock()
	svc.observe()
	a.log.Info("accord is starting", "database", st.Where(), "mailbox", redactIMAP(ic), "smtp", sc.Redacted(), "service_address", cfg.Mail.Address)
	return nil
}

func splitHostPort(addr string) (string, int) {
	host, port, _ := net.SplitHostPort(addr)
	var p int
	fmt.Sscanf(port, "%d", &p)
	return host, p
}

func redactIMAP(c mailin.IMAPConfig) string {
	scheme := map[string]string{"tls": "imaps", "starttls": "imap+starttls", "none": "imap"}[c.Security]
	return fmt.Sprintf("%s://%s@%s/%s", scheme, c.Username, c.Address(), c.Mailbox)
}

// announceSandbox says plainly what sandbox mode is and how to look in.
func (svc *service) announceSandbox(ctx context.Context, a *app) {
	people, err := svc.st.PeopleEmails(ctx)
	if err != nil {
		a.log.Error("could not list people for the sandbox", "err", err)
	}
	for _, p := range people {
		svc.sandbox.Ensure(p)
	}
	w := a.stdout
	fmt.Fprintf(w, `
SANDBOX MODE: no mail server is configured, so Accord runs its own, inside
this process, on this machine only. Nothing is sent anywhere else.

  IMAP  %s   (no TLS)
  SMTP  %s   (no TLS, no login needed)
  Every mailbox's user is its address; the password is %s
  (kept in %s: it stays the same from one run to the next)

Mailboxes: %s
Point any mail client at these to read and answer as the people enrolled;
new people get a mailbox when their first mail arrives.

`, svc.sandbox.IMAPAddr, svc.sandbox.SMTPAddr, svc.sandbox.Password, svc.sandbox.PasswordFile, strings.Join(svc.sandbox.Mailboxes(), ", "))
}

// run starts the workers and waits for shutdown, then lets work in
// progress finish.
func (svc *service) run(ctx context.Context, a *app) error {
	wake := func(ctx context.Context, j store.Job) error {
		defer svc.nudge()
		return svc.st.Wake(ctx, j)
	}
	handlers := map[string]store.Handler{store.KindWake: wake, store.KindPurge: svc.st.Purge,
		store.KindOverviewScan: skipJob, store.KindOverview: skipJob}
	handlers[store.KindSweepJobs] = svc.st.Sweep
	// Raw replies past retention are dropped daily; the first run is now.
	if err := svc.st.SchedulePurge(ctx, a.cfg.Inbound.RetentionDays, svc.st.Now()); err != nil {
		return err
	}
	if err := svc.st.ScheduleSweep(ctx, svc.st.Now()); err != nil {
		return err
	}
	if a.cfg.Pacing.WeeklyOverview {
		// People in several partnerships get a weekly overview; a daily
		// scan queues each one's next, and the first scan is now.
		send := svc.st.SendOverview(&mailout.Renderer{Identity: svc.identity})
		handlers[store.KindOverviewScan] = svc.st.ScanOverviews
		handlers[store.KindOverview] = func(ctx context.Context, j store.Job) error {
			defer svc.nudge()
			return send(ctx, j)
		}
		if err := svc.st.ScheduleOverviewScan(ctx, svc.st.Now()); err != nil {
			return err
		}
	}
	scheduler := &store.Worker{Store: svc.st, Name: store.WorkerName("scheduler", a.cfg.Instance.Name), Logger: a.log, Handlers: handlers}
	return runParts(ctx, a.log, []servePart{
		{"outbox", svc.outbox.Run},
		{"scheduler", scheduler.Run},
		{"poller", svc.poller.Run},
	})
}

// servePart is one of the loops serve runs side by side.
type servePart struct {
	name string
	run  func(context.Context) error
}

// runParts runs the parts until ctx ends, then lets each finish its work
// in progress. A part that stops on its own, with an error or without,
// stops the others the same way, and runParts returns why: a service
// missing a part is not running, and its supervisor should know.
func runParts(ctx context.Context, log *slog.Logger, parts []servePart) error {
	runCtx, stopAll := context.WithCancelCause(ctx)
	defer stopAll(nil)
	var wg sync.WaitGroup
	for _, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := part.run(runCtx)
			switch {
			case runCtx.Err() == nil:
				if err == nil {
					err = errors.New("it returned without being asked to")
				}
				log.Error("stopped with an error; stopping the rest", "part", part.name, "err", err)
				stopAll(fmt.Errorf("the %s stopped: %w", part.name, err))
			case err != nil:
				log.Error("stopped with an error", "part", part.name, "err", err)
			}
		}()
	}
	log.Info("accord is running; stop with Ctrl-C")
	<-runCtx.Done()
	log.Info("stopping: finishing the work in progress")
	wg.Wait()
	if ctx.Err() == nil {
		err := context.Cause(runCtx)
		log.Error("stopped because a part failed", "err", err)
		return err
	}
	log.Info("stopped")
	return nil
}

// skipJob finishes a job without doing anything: overviews queued while
// pacing.weekly_overview was on are dropped once it is off.
func skipJob(context.Context, store.Job) error { return nil }

// nudge tells the outbox that mail may have been queued.
func (svc *service) nudge() {
	select {
	case svc.queued <- struct{}{}:
	default:
	}
}

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
		svc.log.Error("not serving profiles: http.listen is not a loopback address", "listen", cfg.HTTP.Listen)
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
		fail("database", "cannot open: "+dbErr)
	case st == nil:
		fail("database", "opening")
	default:
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := st.Ping(pctx); err != nil {
			fail("database", "not answering: "+err.Error())
		}
	}
	switch ps := pollerStatus(poller); {
	case poller == nil:
		fail("mailbox", "starting")
	case !ps.Connected && ps.LastError != "":
		fail("mailbox", "not connected: "+ps.LastError)
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
			fail("smtp", fmt.Sprintf("login refused since %s: %s", st.AuthFailedSince.UTC().Format(time.RFC3339), st.LastError))
		case !st.UnreachableSince.IsZero():
			fail("smtp", fmt.Sprintf("cannot connect since %s, mail waits: %s", st.UnreachableSince.UTC().Format(time.RFC3339), st.LastError))
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
