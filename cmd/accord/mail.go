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

const mailUsage = `
Usage: accord mail login
       accord mail check [--send]

login signs the service mailbox in with OAuth 2.0 as its user, once, for
oauth.grant = login: it shows a web address and a code; open the address
on any device, sign in as the mailbox's user and enter the code. Where the
provider has no such device sign-in (Google), it shows a web address to
open instead; after you sign in, paste the address your browser ends on
(it may say the page cannot be reached: that is expected). The grant is
kept in the database (or oauth.token_file) for every instance; run it
again when Accord says the sign-in was revoked.

check does what serve does before it reads or sends any mail, and says
plainly what is wrong: it signs in to IMAP and SMTP as configured, opens
the mailbox, finds or creates the folders for handled mail, and lists the
capabilities that matter (IDLE, MOVE, UIDPLUS). With --send it also sends
one message to a plus address of the mailbox and waits for it, which shows
that replies to Accord's reply addresses will arrive. It exits 0 only when
Accord can run.`

func runMail(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("mail needs login or check")
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
		send := fs.Bool("send", false, "also send a message to a plus address of the mailbox and wait for it")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		return mailCheck(ctx, a, *send)
	}
	return usagef("mail %s: use login or check", args[0])
}

// mailLogin runs a person's sign-in and keeps its refresh token.
func mailLogin(ctx context.Context, a *app) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if cfg.OAuth.Grant != "login" {
		return fmt.Errorf("accord mail login is for oauth.grant = login (it is %q); the other grants need no person to sign in", cfg.OAuth.Grant)
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
		return errors.New("the provider gave no refresh token; ask for offline access in oauth.scopes (Microsoft: offline_access)")
	}
	if err := cfg.TokenStore(st).Save(ctx, tok); err != nil {
		return err
	}
	where := "the database"
	if cfg.OAuth.TokenFile != "" {
		where = cfg.OAuth.TokenFile
	}
	fmt.Fprintf(a.stdout, "Signed in. The grant is kept in %s; running instances use it within seconds.\n", where)
	return nil
}

// deviceLogin is the device authorization grant (RFC 8628): the person
// signs in on any device with a short code.
func deviceLogin(ctx context.Context, a *app, oc oauth2.Config) (*oauth2.Token, error) {
	da, err := oc.DeviceAuth(ctx)
	if err != nil {
		return nil, fmt.Errorf("start the sign-in at %s: %w", oc.Endpoint.DeviceAuthURL, err)
	}
	fmt.Fprintf(a.stdout, "To sign the mailbox in, open %s on any device, sign in as the mailbox's user and enter the code %s\nWaiting", da.VerificationURI, da.UserCode)
	if da.VerificationURIComplete != "" {
		fmt.Fprintf(a.stdout, " (or open %s)", da.VerificationURIComplete)
	}
	fmt.Fprintln(a.stdout, "…")
	tok, err := oc.DeviceAccessToken(ctx, da)
	if err != nil {
		return nil, fmt.Errorf("the sign-in did not finish: %w", err)
	}
	return tok, nil
}

// codeLogin is the authorization code grant with PKCE (RFC 7636) for a
// provider without the device flow: the browser is sent back to a
// loopback address; on this machine it lands here, elsewhere the person
// pastes the address it ended on.
func codeLogin(ctx context.Context, a *app, oc oauth2.Config) (*oauth2.Token, error) {
	if oc.Endpoint.AuthURL == "" {
		return nil, errors.New("set oauth.device_url or oauth.auth_url for accord mail login")
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
		fmt.Fprintln(w, "Accord: signed in. You can close this page.")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintf(a.stdout, "To sign the mailbox in, open this address in a browser and sign in as the mailbox's user:\n\n  %s\n\n"+
		"Then paste here the address the browser ends on (on this machine it is picked up by itself):\n",
		oc.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(verifier)))
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
		return nil, errors.New("no sign-in within 15 minutes")
	}
	if e := q.Get("error"); e != "" {
		return nil, fmt.Errorf("the provider refused the sign-in: %s %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return nil, errors.New("the address pasted belongs to another sign-in; run accord mail login again")
	}
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("exchange the code: %w", err)
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
	step := func(ok bool, format string, args ...any) {
		mark := "ok  "
		if !ok {
			mark, failed = "FAIL", true
		}
		fmt.Fprintf(w, "%s %s\n", mark, fmt.Sprintf(format, args...))
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
		step(err == nil, "OAuth 2.0 access token from %s%s", tokens.Source.Describe(), failure(err))
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	r, err := mailin.CheckMailbox(cctx, ic, nil, a.log)
	if err != nil {
		step(false, "IMAP %s: %v", ic.Redacted(), err)
	} else {
		step(true, "IMAP %s: signed in with %s; mailbox %s holds %s", ic.Redacted(), r.SignIn, ic.Mailbox, templates.Count(int(r.Messages), "message"))
		step(true, "IDLE %s, MOVE %s, UIDPLUS %s%s%s", templates.YesNo(r.Idle), templates.YesNo(r.Move), templates.YesNo(r.UIDPlus),
			unless(r.Idle, "; without IDLE Accord looks for new mail every imap.poll_seconds"),
			unless(r.Move, "; without MOVE handled mail is flagged and stays in the mailbox"))
		for _, f := range []string{ic.Processed, ic.Quarantine} {
			if st := r.Folders[f]; st != "" {
				step(true, "folder %s %s", f, st)
			}
		}
	}
	sender, err := mailout.NewSender(sc, a.log)
	if err != nil {
		return err
	}
	defer sender.Close()
	if err := sender.Probe(cctx); err != nil {
		step(false, "SMTP %s: %v", sc.Redacted(), err)
	} else {
		step(true, "SMTP %s: connected and signed in", sc.Redacted())
	}
	if send && !failed {
		id := cfg.Identity()
		to := id.ReplyAddress("check-" + randomHex(6))
		r := &mailout.Renderer{Identity: id}
		msgID := r.MessageID()
		raw := fmt.Appendf(nil, "From: %s <%s>\r\nTo: %s\r\nSubject: Accord mail check\r\nMessage-ID: %s\r\nDate: %s\r\nAuto-Submitted: auto-generated\r\n\r\n"+
			"This message checks that mail to a plus address of the service mailbox arrives. It can be deleted.\r\n",
			id.Name, id.Address, to, msgID, time.Now().Format(time.RFC1123Z))
		if _, err := sender.Send(cctx, id.Address, to, raw); err != nil {
			step(false, "plus addressing: sending to %s failed: %v; reply addresses will not work (set mail.plus_separator, or make an alias)", to, err)
		} else if took, err := mailin.WaitForMessage(cctx, ic, nil, msgID, time.Minute); err != nil {
			step(false, "plus addressing: sent to %s, but %v; reply addresses will not work (set mail.plus_separator, or make an alias)", to, err)
		} else {
			step(true, "plus addressing: mail to %s arrived in %.1f s", to, took.Seconds())
		}
	} else if !send {
		fmt.Fprintln(w, "--   plus addressing not checked (add --send to send one message to a plus address and wait for it)")
	}
	if failed {
		return errors.New("Accord cannot run with this configuration yet; see FAIL above")
	}
	fmt.Fprintln(w, "Accord can run with this configuration.")
	return nil
}

func failure(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

func unless(ok bool, s string) string {
	if ok {
		return ""
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
