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
	fmt.Fprintf(w, "\n%s\n", templates.Operator("send-test.catalogue", templates.Args{"Samples": len(samples)}))
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
	fs := a.flags("send-test", templates.Operator("send-test.usage", nil))
	printUsage := fs.Usage
	fs.Usage = func() {
		printUsage()
		if samples, err := catalogueSamples(); err == nil {
			writeCatalogue(a.stdout, samples)
		}
	}
	to := fs.String("to", "", templates.Operator("send-test.flag.to", nil))
	kind := fs.String("kind", "all", templates.Operator("send-test.flag.kind", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		return usage(templates.Operator("send-test.no-address", nil))
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
				return usage(templates.Operator("send-test.kind-suggest", templates.Args{"Kind": *kind, "Suggestion": s}))
			}
			return usage(templates.Operator("send-test.bad-kind", templates.Args{"Kind": *kind, "Kinds": strings.Join(sampleKinds(all), ", ")}))
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
			return fmt.Errorf("%s: %w", templates.Operator("send-test.render", templates.Args{"Sample": s.Name}), err)
		}
		reply, err := sender.Send(ctx, cfg.Mail.Address, *to, raw)
		var se *mailout.SendError
		if errors.As(err, &se) && se.AuthFailed() {
			return errors.New(templates.Operator("send-test.login-refused", templates.Args{"Server": sender.Describe(), "Err": se}))
		}
		if err != nil {
			failed++
			fmt.Fprintln(a.stdout, templates.Operator("send-test.not-sent", templates.Args{"Sample": s.Name, "Err": err}))
			continue
		}
		fmt.Fprintln(a.stdout, templates.Operator("send-test.sent", templates.Args{"Sample": s.Name, "Reply": reply}))
	}
	if failed > 0 {
		return errors.New(templates.Operator("send-test.failed", templates.Args{"Failed": failed, "Samples": len(samples), "Where": where}))
	}
	fmt.Fprintln(a.stdout, templates.Operator("send-test.done", templates.Args{"Samples": len(samples), "To": *to, "Where": where}))
	if cfg.SandboxMode() {
		pw := ""
		if b, err := os.ReadFile(filepath.Join(cfg.SandboxDir(), sandbox.PasswordFileName)); err == nil {
			pw = strings.TrimSpace(string(b))
		}
		fmt.Fprintln(a.stdout, templates.Operator("send-test.read", templates.Args{"Samples": len(samples), "Port": cfg.Sandbox.IMAPPort, "To": *to, "Password": pw}))
	}
	return nil
}

// testSender connects to the configured SMTP server, or in sandbox mode to
// the sandbox of the accord serve running on this machine, and says which
// for the messages. done closes what it opened.
func (a *app) testSender(ctx context.Context, cfg *config.Config) (sender *mailout.Sender, where string, done func(), err error) {
	if cfg.SandboxMode() {
		if cfg.Sandbox.SMTPPort == 0 {
			return nil, "", nil, errors.New(templates.Operator("send-test.no-sandbox-port", nil))
		}
		sc := mailout.SMTPConfig{Host: "127.0.0.1", Port: cfg.Sandbox.SMTPPort, Security: mailout.Plaintext, Connections: 1, Timeout: 10 * time.Second}
		if sender, err = mailout.NewSender(sc, a.log); err != nil {
			return nil, "", nil, err
		}
		if err := sender.Probe(ctx); err != nil {
			return nil, "", nil, errors.New(templates.Operator("send-test.no-sandbox", templates.Args{"Port": cfg.Sandbox.SMTPPort, "Err": err}))
		}
		return sender, templates.Operator("send-test.sandbox", templates.Args{"Port": cfg.Sandbox.SMTPPort}), sender.Close, nil
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

func runUnbounce(ctx context.Context, a *app, args []string) error {
	fs := a.flags("unbounce", templates.Operator("unbounce.usage", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage(templates.Operator("unbounce.no-address", nil))
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.ClearBounce(ctx, fs.Arg(0)); errors.Is(err, store.ErrNotFound) {
		return errors.New(templates.Operator("unbounce.unknown", templates.Args{"Address": fs.Arg(0)}))
	} else if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, templates.Operator("unbounce.done", templates.Args{"Address": fs.Arg(0)}))
	return nil
}
