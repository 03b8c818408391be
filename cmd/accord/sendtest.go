package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"accord/internal/config"
	"accord/internal/sandbox"
	"accord/mailout"
	"accord/store"
	"accord/templates"
)

const sendTestUsage = `
Usage: accord send-test --to ADDRESS [--kind all|KIND|SAMPLE]

Sends sample mail straight to ADDRESS, so you can see how Accord's mail
looks in your own mail client and check that sending works: every sample,
the samples of one kind, or one sample by its name (all of them are listed
below). The samples use made-up people; nothing is recorded.

They go through smtp.url. With no mail server configured (sandbox mode) they
go to the sandbox of an accord serve running on this machine, at
127.0.0.1:sandbox.smtp_port; read them there over IMAP as ADDRESS, with the
password serve prints.`

// catalogueSamples are the samples send-test has, built with the built-in
// question set for its help: the names do not depend on the set.
func catalogueSamples() ([]mailout.Sample, error) {
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		return nil, err
	}
	return mailout.Samples(set, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), &mailout.Renderer{Identity: config.Default().Identity()})
}

// writeCatalogue lists the samples by kind, in the order a partnership
// meets the kinds, for send-test -h.
func writeCatalogue(w io.Writer, samples []mailout.Sample) {
	fmt.Fprintf(w, "\nThe %s, by kind (--kind takes a kind or a sample's name):\n", templates.Count(len(samples), "sample"))
	for _, kind := range sampleKinds(samples) {
		var names []string
		for _, s := range samples {
			if s.Kind == kind {
				names = append(names, s.Name)
			}
		}
		line := fmt.Sprintf("  %-15s", kind)
		for i, n := range names {
			sep := " "
			if i > 0 {
				sep = ", "
			}
			if len(line)+len(sep)+len(n) > 78 {
				fmt.Fprintln(w, line+",")
				line, sep = strings.Repeat(" ", 18), ""
			}
			line += sep + n
		}
		fmt.Fprintln(w, line)
	}
}

// sampleKinds lists the kinds there are samples of, in the order of
// templates.MailKinds.
func sampleKinds(samples []mailout.Sample) []string {
	var kinds []string
	for _, k := range templates.MailKinds {
		if slices.ContainsFunc(samples, func(s mailout.Sample) bool { return s.Kind == k }) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

func runSendTest(ctx context.Context, a *app, args []string) error {
	fs := a.flags("send-test", sendTestUsage)
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		if samples, err := catalogueSamples(); err == nil {
			writeCatalogue(a.stdout, samples)
		}
	}
	to := fs.String("to", "", "address to send the samples to")
	kind := fs.String("kind", "all", "all, a kind, or one sample's name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		return usagef("give the address to send to with --to")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	set, err := a.questionSet("")
	if err != nil {
		return err
	}
	r := &mailout.Renderer{Identity: cfg.Identity()}
	samples, err := mailout.Samples(set, a.now(), r)
	if err != nil {
		return err
	}
	if *kind != "all" {
		all := samples
		samples = slices.DeleteFunc(slices.Clone(all), func(s mailout.Sample) bool { return s.Kind != *kind && s.Name != *kind })
		if len(samples) == 0 {
			names := sampleKinds(all)
			for _, s := range all {
				names = append(names, s.Name)
			}
			if s := templates.Suggest(*kind, names); s != "" {
				return usagef("--kind %q: did you mean %s?", *kind, s)
			}
			return usagef("--kind %q: use all, a kind (%s) or a sample's name (accord send-test -h lists them)", *kind, strings.Join(sampleKinds(all), ", "))
		}
	}
	sender, where, done, err := a.testSender(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	failed := 0
	for _, s := range samples {
		s.Letter.ToAddress = *to
		_, raw, err := r.Render(s.Letter)
		if err != nil {
			return fmt.Errorf("render %s: %w", s.Name, err)
		}
		reply, err := sender.Send(ctx, cfg.Mail.Address, *to, raw)
		var se *mailout.SendError
		if errors.As(err, &se) && se.AuthFailed() {
			return fmt.Errorf("%s refused the login (%v); check smtp.url's user and ACCORD_SMTP_PASSWORD", sender.Describe(), se)
		}
		if err != nil {
			failed++
			fmt.Fprintf(a.stdout, "%-26s not sent: %v\n", s.Name, err)
			continue
		}
		fmt.Fprintf(a.stdout, "%-26s sent (%s)\n", s.Name, reply)
	}
	if failed > 0 {
		verb := "were"
		if failed == 1 {
			verb = "was"
		}
		return fmt.Errorf("%d of %s %s not sent through %s", failed, templates.Count(len(samples), "sample"), verb, where)
	}
	fmt.Fprintf(a.stdout, "Sent %s to %s through %s.\n", templates.Count(len(samples), "sample"), *to, where)
	if cfg.SandboxMode() {
		imapAt, pw := "the IMAP address accord serve printed", "the password it printed"
		if cfg.Sandbox.IMAPPort != 0 {
			imapAt = fmt.Sprintf("IMAP at 127.0.0.1:%d", cfg.Sandbox.IMAPPort)
		}
		if b, err := os.ReadFile(filepath.Join(cfg.SandboxDir(), sandbox.PasswordFileName)); err == nil {
			pw = "the password " + strings.TrimSpace(string(b))
		}
		them := "them"
		if len(samples) == 1 {
			them = "it"
		}
		fmt.Fprintf(a.stdout, "Read %s in the sandbox: log in to %s as %s with %s.\n", them, imapAt, *to, pw)
	}
	return nil
}

// testSender connects to the configured SMTP server, or in sandbox mode to
// the sandbox of the accord serve running on this machine, and says which
// for the messages. done closes what it opened.
func (a *app) testSender(ctx context.Context, cfg *config.Config) (sender *mailout.Sender, where string, done func(), err error) {
	if cfg.SandboxMode() {
		if cfg.Sandbox.SMTPPort == 0 {
			return nil, "", nil, errors.New("no SMTP server configured, and sandbox.smtp_port is 0 (a new port every run): set smtp.url, or a fixed sandbox.smtp_port for accord serve and send-test to share")
		}
		sc := mailout.SMTPConfig{Host: "127.0.0.1", Port: cfg.Sandbox.SMTPPort, Security: mailout.Plaintext, Connections: 1, Timeout: 10 * time.Second}
		if sender, err = mailout.NewSender(sc, a.log); err != nil {
			return nil, "", nil, err
		}
		if err := sender.Probe(ctx); err != nil {
			return nil, "", nil, fmt.Errorf("no SMTP server configured, and no sandbox answers on 127.0.0.1:%d (%v): start accord serve, which runs one in sandbox mode, and try again; or set smtp.url", cfg.Sandbox.SMTPPort, err)
		}
		return sender, fmt.Sprintf("the sandbox at 127.0.0.1:%d", cfg.Sandbox.SMTPPort), sender.Close, nil
	}
	sc, err := cfg.SMTPConfig()
	if err != nil {
		return nil, "", nil, err
	}
	// A login grant without a token file keeps its refresh token in the
	// database, which stays open while the tokens are in use.
	var st *store.Store
	closeStore := func() {
		if st != nil {
			st.Close()
		}
	}
	if _, smtpOAuth := cfg.UsesOAuth(); smtpOAuth {
		if cfg.OAuth.Grant == "login" && cfg.OAuth.TokenFile == "" {
			if st, err = a.openStore(ctx); err != nil {
				return nil, "", nil, err
			}
		}
		if sc.Tokens, err = cfg.OAuthTokens(st, nil); err != nil {
			closeStore()
			return nil, "", nil, err
		}
	}
	if sender, err = mailout.NewSender(sc, a.log); err != nil {
		closeStore()
		return nil, "", nil, err
	}
	return sender, sender.Describe(), func() { sender.Close(); closeStore() }, nil
}

const unbounceUsage = `
Usage: accord unbounce ADDRESS

After repeated permanent delivery failures an address counts as bouncing and
Accord sends it nothing more (accord pair show says so). Once the address is
fixed, this lets mail go to it again.`

func runUnbounce(ctx context.Context, a *app, args []string) error {
	fs := a.flags("unbounce", unbounceUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the address to clear")
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.ClearBounce(ctx, fs.Arg(0)); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("nobody enrolled has the address %s", fs.Arg(0))
	} else if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Mail to %s is allowed again.\n", fs.Arg(0))
	return nil
}
