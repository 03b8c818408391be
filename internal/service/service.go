// Package service is Accord running: it opens the database (waiting while
// it is down), claims the instance name, builds the poller that reads
// replies, the outbox that sends mail and the scheduler that wakes
// partnerships, and runs them side by side until asked to stop, with the
// HTTP endpoints beside them: health, readiness, metrics, Go's profiles,
// the agreement pages and the one-click unsubscribe. With no mail server
// configured it runs the sandbox's own and says how to look in.
//
// Run is accord serve. OpenStore opens the database as the service does,
// for the operator's commands; BuildMail builds the mail side without
// starting it, for the demo, which drives it on a clock of its own.
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"accord/internal/config"
	"accord/internal/sandbox"
	"accord/mailin"
	"accord/mailout"
	"accord/mailout/mailauth"
	"accord/store"
	"accord/templates"
)

// Options are what the service takes besides its configuration; the zero
// value logs nothing and runs on the system clock.
type Options struct {
	// Logger receives the service's log; nil discards it.
	Logger *slog.Logger
	// Clock is the service's time; nil is the system clock. The demo and
	// tests pin it.
	Clock store.Clock
	// Out is where sandbox mode tells the user how to look in; nil
	// discards it.
	Out io.Writer
	// Prepare, when set, runs once the database is open and before any
	// mail moves: the interactive demo enrols its sample pair there.
	Prepare func(ctx context.Context, st *store.Store) error
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o Options) out() io.Writer {
	if o.Out == nil {
		return io.Discard
	}
	return o.Out
}

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

// Run runs the service until ctx ends, then lets the work in progress
// finish. It returns an error when it cannot start, or when a part of it
// stops on its own: a service missing a part is not running, and its
// supervisor should know. Asked to stop while still starting, it returns
// nil.
func Run(ctx context.Context, cfg *config.Config, opts Options) (err error) {
	log := opts.logger()
	defer func() {
		// Asked to stop while still starting: a clean stop, not a
		// failure, even when a step was cut short by it.
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			log.Info("stopped while starting", "step", err)
			err = nil
		}
	}()
	sandboxMode := cfg.SandboxMode()
	if !sandboxMode && (cfg.IMAP.URL == "" || cfg.SMTP.URL == "") {
		return errors.New(templates.Operator("serve.half-configured", nil))
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return errors.New(templates.Operator("serve.cannot-listen", templates.Args{"Address": cfg.HTTP.Listen, "Err": errors.Unwrap(err)}))
	}
	svc := &service{identity: cfg.Identity(), log: log}
	if sandboxMode {
		pw, pwFile, err := sandbox.KeptPassword(cfg.SandboxDir(), log)
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
	log.Info("health and metrics", "listen", "http://"+ln.Addr().String(), "paths", "/healthz /readyz /metrics")

	st, err := svc.openStore(ctx, cfg, opts)
	if err != nil || st == nil {
		return err
	}
	defer st.Close()
	inst, err := svc.claimInstance(ctx, cfg, st)
	if err != nil || inst == nil {
		return err
	}
	defer inst.Close()
	if opts.Prepare != nil {
		if err := opts.Prepare(ctx, st); err != nil {
			return err
		}
	}
	if _, err := svc.build(cfg, st); err != nil {
		return err
	}
	defer svc.sender.Close()
	if svc.sandbox != nil {
		svc.announceSandbox(ctx, opts.out())
	}
	return svc.run(ctx, cfg)
}

// openStore opens the database, waiting and retrying while it cannot be
// reached: a database that is down can come back. A schema that does not
// match cannot fix itself, so that ends Run.
func (svc *service) openStore(ctx context.Context, cfg *config.Config, opts Options) (*store.Store, error) {
	// Tries come every few seconds, so the service starts within seconds
	// of the database's return; the log says when that starts and ends,
	// not every try.
	wait, since := time.Second, time.Time{}
	for {
		st, err := openStore(ctx, cfg, opts, svc.budgetSpent)
		if err == nil {
			svc.mu.Lock()
			svc.st, svc.dbErr = st, ""
			svc.mu.Unlock()
			if !since.IsZero() {
				svc.log.Info("the database answers", "waited", time.Since(since).Round(time.Second))
			}
			return st, nil
		}
		var se *store.SchemaError
		if errors.As(err, &se) {
			return nil, err
		}
		svc.setDBErr(err.Error())
		if since.IsZero() {
			since = time.Now()
			svc.log.Error(templates.Operator("serve.log.database-down", nil), "err", err)
		} else {
			svc.log.Debug(templates.Operator("serve.log.database-still-down", nil), "err", err)
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
// another live process holds ends Run: two processes with one name would
// take each other's work. A database that cannot be reached is waited
// for, as at start.
func (svc *service) claimInstance(ctx context.Context, cfg *config.Config, st *store.Store) (*store.Instance, error) {
	wait := 250 * time.Millisecond
	for {
		inst, err := st.ClaimInstance(ctx, cfg.Instance.Name, roles...)
		switch {
		case err == nil:
			svc.log.Info("running as instance", "instance", cfg.Instance.Name)
			return inst, nil
		case errors.Is(err, store.ErrInstanceTaken):
			return nil, fmt.Errorf("%w; %s", err, templates.Operator("serve.instance-taken", nil))
		}
		svc.log.Error(templates.Operator("serve.log.instance-retry", nil), "err", err)
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

// roles are the parts of the service that lease work in the instance's
// name.
var roles = []string{"outbox", "mailin", "scheduler"}

// Mail is the mail side of the service, built and not started: the poller
// that reads replies from the mailbox and the outbox that sends mail.
// Mail that replies and wake-ups queue reaches the outbox straight from
// the commit (store.Handoff).
type Mail struct {
	// Poller reads replies from the mailbox; run it to read them.
	Poller *mailin.Poller
	// Outbox sends the queued mail; its Worker sends what is due.
	Outbox *mailout.Outbox
	sender *mailout.Sender
}

// Close closes the SMTP connections.
func (m *Mail) Close() { m.sender.Close() }

// BuildMail builds the mail side for cfg on st, for a caller that drives
// it itself, as the demo does on its simulated clock: with sb the poller
// and the outbox use that sandbox, else the servers cfg names. It logs to
// opts.Logger.
func BuildMail(cfg *config.Config, st *store.Store, sb *sandbox.Server, opts Options) (*Mail, error) {
	svc := &service{sandbox: sb, identity: cfg.Identity(), log: opts.logger()}
	return svc.build(cfg, st)
}

// build wires the mail side, for real servers or the sandbox.
func (svc *service) build(cfg *config.Config, st *store.Store) (*Mail, error) {
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
			return nil, err
		}
		if ic, err = cfg.IMAPConfig(); err != nil {
			return nil, err
		}
		if imapOAuth, smtpOAuth := cfg.UsesOAuth(); imapOAuth || smtpOAuth {
			tokens, err := cfg.OAuthTokens(st, svc.tokenFetched)
			if err != nil {
				return nil, err
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
			svc.log.Info(templates.Operator("serve.log.oauth", nil), "tokens", tokens.Source.Describe(), "imap", imapOAuth, "smtp", smtpOAuth)
		}
	}
	if svc.sender, err = mailout.NewSender(sc, svc.log); err != nil {
		return nil, err
	}
	id := cfg.Identity()
	svc.queued = make(chan struct{}, 1)
	outbox := &mailout.Outbox{
		Store: st, Wake: svc.queued, Mailer: svc.sender, From: cfg.Mail.Address, Logger: svc.log, Name: store.WorkerName("outbox", cfg.Instance.Name),
		GiveUpAfter: time.Duration(cfg.SMTP.GiveUpAfterHours) * time.Hour, BounceAfter: cfg.SMTP.BounceAfter, Concurrency: cfg.SMTP.Connections,
	}
	if cfg.SMTP.VERP {
		outbox.BounceAddress = id.BounceAddress
	}
	// Mail queued by replies and wake-ups goes to the outbox straight
	// from the commit, with no claim.
	st.SetHandoff(outbox)
	poller := &mailin.Poller{
		Config: ic, Logger: svc.log,
		MaxSize:      int64(cfg.IMAP.MaxMessageMB) << 20,
		PollInterval: time.Duration(cfg.IMAP.PollSeconds) * time.Second,
		BatchSize:    cfg.IMAP.BatchSize,
		Workers:      cfg.Inbound.Workers,
		Processor: &mailin.Processor{
			Store: st, Identity: id, Renderer: &mailout.Renderer{Identity: id}, Logger: svc.log, Worker: store.WorkerName("mailin", cfg.Instance.Name),
			Trust:                mailin.Trust{AuthServID: cfg.Inbound.AuthServID, RequireDMARCPass: cfg.Inbound.RequireDMARCPass},
			NotifyUnknownSenders: cfg.Inbound.NotifyUnknownSenders, MaxAttempts: cfg.Inbound.MaxAttempts,
			EchoWindow: time.Duration(cfg.Inbound.EchoWindowHours) * time.Hour,
		},
	}
	svc.mu.Lock()
	svc.st, svc.poller, svc.outbox = st, poller, outbox
	svc.mu.Unlock()
	svc.observe()
	svc.log.Info("accord is starting", "database", st.Where(), "mailbox", ic.Redacted(), "smtp", sc.Redacted(), "service_address", cfg.Mail.Address)
	return &Mail{Poller: poller, Outbox: outbox, sender: svc.sender}, nil
}

func splitHostPort(addr string) (string, int) {
	host, port, _ := net.SplitHostPort(addr)
	var p int
	fmt.Sscanf(port, "%d", &p)
	return host, p
}

// announceSandbox says plainly what sandbox mode is and how to look in.
func (svc *service) announceSandbox(ctx context.Context, w io.Writer) {
	people, err := svc.st.PeopleEmails(ctx)
	if err != nil {
		svc.log.Error(templates.Operator("serve.log.sandbox-people", nil), "err", err)
	}
	for _, p := range people {
		svc.sandbox.Ensure(p)
	}
	fmt.Fprint(w, templates.Operator("serve.sandbox", templates.Args{"IMAP": svc.sandbox.IMAPAddr, "SMTP": svc.sandbox.SMTPAddr,
		"Password": svc.sandbox.Password, "File": svc.sandbox.PasswordFile, "Mailboxes": strings.Join(svc.sandbox.Mailboxes(), ", ")}))
}

// run starts the workers and waits for shutdown, then lets work in
// progress finish.
func (svc *service) run(ctx context.Context, cfg *config.Config) error {
	wake := func(ctx context.Context, j store.Job) error {
		defer svc.nudge()
		return svc.st.Wake(ctx, j)
	}
	handlers := map[string]store.Handler{store.KindWake: wake, store.KindPurge: svc.st.Purge,
		store.KindOverviewScan: skipJob, store.KindOverview: skipJob}
	handlers[store.KindSweepJobs] = svc.st.Sweep
	// Raw replies past retention are dropped daily; the first run is now.
	if err := svc.st.SchedulePurge(ctx, cfg.Inbound.RetentionDays, svc.st.Now()); err != nil {
		return err
	}
	if err := svc.st.ScheduleSweep(ctx, svc.st.Now()); err != nil {
		return err
	}
	if cfg.Pacing.WeeklyOverview {
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
	scheduler := &store.Worker{Store: svc.st, Name: store.WorkerName("scheduler", cfg.Instance.Name), Logger: svc.log, Handlers: handlers}
	return runParts(ctx, svc.log, []servePart{
		{"outbox", svc.outbox.Run},
		{"scheduler", scheduler.Run},
		{"poller", svc.poller.Run},
	})
}

// servePart is one of the loops the service runs side by side.
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
					err = errors.New(templates.Operator("serve.part-returned", nil))
				}
				log.Error(templates.Operator("serve.log.part-failed", nil), "part", part.name, "err", err)
				stopAll(fmt.Errorf("%s: %w", templates.Operator("serve.part-stopped", templates.Args{"Part": part.name}), err))
			case err != nil:
				log.Error("stopped with an error", "part", part.name, "err", err)
			}
		}()
	}
	log.Info(templates.Operator("serve.log.running", nil))
	<-runCtx.Done()
	log.Info(templates.Operator("serve.log.stopping", nil))
	wg.Wait()
	if ctx.Err() == nil {
		err := context.Cause(runCtx)
		log.Error(templates.Operator("serve.log.stopped-failed", nil), "err", err)
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
