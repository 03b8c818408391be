package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"accord/mailout"
	"accord/store"
	"accord/templates"
)

const sendTestUsage = `
Usage: accord send-test --to ADDRESS [--kind all|KIND|SAMPLE]

Sends sample mail of every kind (or of one kind, or one sample) straight to
ADDRESS through the configured SMTP server, so you can see how Accord's mail
looks in your own mail client and check that sending works. The samples use
made-up people; nothing is recorded. Kinds: ` + "welcome, question, reminder, receipt, ack, help, waiting, agreement, partner-left, ended, unreadable, unknown-sender."

func runSendTest(ctx context.Context, a *app, args []string) error {
	fs := a.flags("send-test", sendTestUsage)
	to := fs.String("to", "", "address to send the samples to")
	kind := fs.String("kind", "all", "all, a kind, or one sample's name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		return usagef("give the address to send to with --to")
	}
	cfg, err := a.config()
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
		samples = slices.DeleteFunc(samples, func(s mailout.Sample) bool { return s.Kind != *kind && s.Name != *kind })
		if len(samples) == 0 {
			return usagef("--kind %q: use all or one of %s", *kind, strings.Join(templates.MailKinds, ", "))
		}
	}
	sc, err := cfg.SMTPConfig()
	if err != nil {
		return err
	}
	if _, smtpOAuth := cfg.usesOAuth(); smtpOAuth {
		var st *store.Store
		if cfg.OAuth.Grant == "login" && cfg.OAuth.TokenFile == "" {
			if st, err = a.openStore(ctx); err != nil {
				return err
			}
			defer st.Close()
		}
		if sc.Tokens, err = cfg.oauthTokens(st, nil); err != nil {
			return err
		}
	}
	sender, err := mailout.NewSender(sc, a.log)
	if err != nil {
		return err
	}
	defer sender.Close()
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
		return fmt.Errorf("%d of %d samples were not sent through %s", failed, len(samples), sender.Describe())
	}
	fmt.Fprintf(a.stdout, "Sent %d samples to %s through %s.\n", len(samples), *to, sender.Describe())
	return nil
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
