package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"accord/mailin"
	"accord/mailout"
	"accord/store"
	"accord/templates"
)

var mailUsage = templates.Operator("mail.usage", nil)

func runMail(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usage(templates.Operator("mail.needs-subcommand", nil))
	}
	switch args[0] {
	case "login":
		fs := a.flags("mail login", mailUsage)
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		return mailLogin(ctx, a)
	case "check":
		fs := a.flags("mail check", mailUsage)
		send := fs.Bool("send", false, templates.Operator("mail.check.flag.send", nil))
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		return mailCheck(ctx, a, *send)
	}
	return usage(templates.Operator("mail.unknown-subcommand", templates.Args{"Sub": args[0]}))
}

// mailLogin runs a person's sign-in and keeps its refresh token.
func mailLogin(ctx context.Context, a *app) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if cfg.OAuth.Grant != "login" {
		return errors.New(templates.Operator("mail.login.wrong-grant", templates.Args{"Grant": cfg.OAuth.Grant}))
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	oc := cfg.LoginConfig()
	var tok *oauth2.Token
	if oc.Endpoint.DeviceAuthURL != "" {
		tok, err = deviceLogin(ctx, a, oc)
	} else {
		tok, err = codeLogin(ctx, a, oc)
	}
	if err != nil {
		return err
	}
	if tok.RefreshToken == "" {
		return errors.New(templates.Operator("mail.login.no-refresh-token", nil))
	}
	if err := cfg.TokenStore(st).Save(ctx, tok); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, templates.Operator("mail.login.signed-in", templates.Args{"File": cfg.OAuth.TokenFile}))
	return nil
}

// deviceLogin is the device authorization grant (RFC 8628): the person
// signs in on any device with a short code.
func deviceLogin(ctx context.Context, a *app, oc oauth2.Config) (*oauth2.Token, error) {
	da, err := oc.DeviceAuth(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", templates.Operator("mail.login.device-start", templates.Args{"URL": oc.Endpoint.DeviceAuthURL}), err)
	}
	fmt.Fprintln(a.stdout, templates.Operator("mail.login.device", templates.Args{"URL": da.VerificationURI, "Code": da.UserCode, "Complete": da.VerificationURIComplete}))
	tok, err := oc.DeviceAccessToken(ctx, da)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", templates.Operator("mail.login.unfinished", nil), err)
	}
	return tok, nil
}

// codeLogin is the authorization code grant with PKCE (RFC 7636) for a
// provider without the device flow: the browser is sent back to a
// loopback address; on this machine it lands here, elsewhere the person
// pastes the address it ended on.
func codeLogin(ctx context.Context, a *app, oc oauth2.Config) (*oauth2.Token, error) {
	if oc.Endpoint.AuthURL == "" {
		return nil, errors.New(templates.Operator("mail.login.no-endpoint", nil))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	oc.RedirectURL = "http://" + ln.Addr().String() + "/"
	verifier := oauth2.GenerateVerifier()
	b := make([]byte, 16)
	rand.Read(b)
	state := hex.EncodeToString(b)
	codes := make(chan url.Values, 2)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		codes <- r.URL.Query()
		fmt.Fprintln(w, templates.Operator("mail.login.page", nil))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintln(a.stdout, templates.Operator("mail.login.browser", templates.Args{
		"URL": oc.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(verifier))}))
	go func() {
		sc := bufio.NewScanner(a.stdin)
		for sc.Scan() {
			if u, err := url.Parse(strings.TrimSpace(sc.Text())); err == nil && u.RawQuery != "" {
				codes <- u.Query()
				return
			}
		}
	}()
	var q url.Values
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case q = <-codes:
	case <-time.After(15 * time.Minute):
		return nil, errors.New(templates.Operator("mail.login.timeout", nil))
	}
	if e := q.Get("error"); e != "" {
		return nil, errors.New(templates.Operator("mail.login.refused", templates.Args{"Error": e, "Description": q.Get("error_description")}))
	}
	if q.Get("state") != state {
		return nil, errors.New(templates.Operator("mail.login.other-sign-in", nil))
	}
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", templates.Operator("mail.login.exchange", nil), err)
	}
	return tok, nil
}

// mailCheck signs in to both servers as serve would and reports.
func mailCheck(ctx context.Context, a *app, send bool) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	ic, err := cfg.IMAPConfig()
	if err != nil {
		return err
	}
	sc, err := cfg.SMTPConfig()
	if err != nil {
		return err
	}
	w := a.stdout
	failed := false
	step := func(ok bool, text string) {
		mark := templates.Operator("mail.check.ok", nil)
		if !ok {
			mark, failed = templates.Operator("mail.check.fail", nil), true
		}
		fmt.Fprintf(w, "%s %s\n", mark, text)
	}
	if imapOAuth, smtpOAuth := cfg.UsesOAuth(); imapOAuth || smtpOAuth {
		var st *store.Store
		if cfg.OAuth.Grant == "login" && cfg.OAuth.TokenFile == "" {
			// A person's grant is kept in the database.
			if st, err = a.openStore(ctx); err != nil {
				return err
			}
			defer st.Close()
		}
		tokens, err := cfg.OAuthTokens(st, nil)
		if err != nil {
			return err
		}
		if imapOAuth {
			ic.Tokens = tokens
		}
		if smtpOAuth {
			sc.Tokens = tokens
		}
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err = tokens.Token(tctx)
		cancel()
		step(err == nil, templates.Operator("mail.check.token", templates.Args{"Source": tokens.Source.Describe(), "Err": err}))
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	r, err := mailin.CheckMailbox(cctx, ic, nil, a.log)
	if err != nil {
		step(false, templates.Operator("mail.check.imap-failed", templates.Args{"Server": ic.Redacted(), "Err": err}))
	} else {
		step(true, templates.Operator("mail.check.imap", templates.Args{"Server": ic.Redacted(), "SignIn": r.SignIn, "Mailbox": ic.Mailbox, "Messages": int(r.Messages)}))
		step(true, templates.Operator("mail.check.capabilities", templates.Args{"Idle": r.Idle, "Move": r.Move, "UIDPlus": r.UIDPlus}))
		for _, f := range []string{ic.Processed, ic.Quarantine} {
			if st := r.Folders[f]; st != "" {
				step(true, templates.Operator("mail.check.folder", templates.Args{"Folder": f, "State": st}))
			}
		}
	}
	sender, err := mailout.NewSender(sc, a.log)
	if err != nil {
		return err
	}
	defer sender.Close()
	if err := sender.Probe(cctx); err != nil {
		step(false, templates.Operator("mail.check.smtp-failed", templates.Args{"Server": sc.Redacted(), "Err": err}))
	} else {
		step(true, templates.Operator("mail.check.smtp", templates.Args{"Server": sc.Redacted()}))
	}
	if send && !failed {
		id := cfg.Identity()
		to := id.ReplyAddress("check-" + randomHex(6))
		r := &mailout.Renderer{Identity: id}
		msgID := r.MessageID()
		raw := fmt.Appendf(nil, "From: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\nDate: %s\r\nAuto-Submitted: auto-generated\r\n\r\n%s\r\n",
			id.Name, id.Address, to, templates.Operator("mail.check.probe-subject", nil), msgID, time.Now().Format(time.RFC1123Z),
			templates.Operator("mail.check.probe-body", nil))
		if _, err := sender.Send(cctx, id.Address, to, raw); err != nil {
			step(false, templates.Operator("mail.check.plus-not-sent", templates.Args{"To": to, "Err": err}))
		} else if took, err := mailin.WaitForMessage(cctx, ic, nil, msgID, time.Minute); err != nil {
			step(false, templates.Operator("mail.check.plus-not-arrived", templates.Args{"To": to, "Err": err}))
		} else {
			step(true, templates.Operator("mail.check.plus", templates.Args{"To": to, "Seconds": took.Seconds()}))
		}
	} else if !send {
		fmt.Fprintln(w, templates.Operator("mail.check.plus-unchecked", nil))
	}
	if failed {
		return errors.New(templates.Operator("mail.check.cannot-run", nil))
	}
	fmt.Fprintln(w, templates.Operator("mail.check.can-run", nil))
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
