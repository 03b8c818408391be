package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"accord/mailout/mailtest"
	"accord/store/storetest"
)

// oauthBed is the test bed set up for OAuth: the authorization server the
// test bed's Dovecot asks about tokens (on ACCORD_TEST_OAUTH_ADDR), and
// Postfix's submission port that signs in through Dovecot.
type oauthBed struct {
	srv      *mailtest.OAuth
	smtpAddr string
	svc      mailtest.Account
	people   map[string]mailtest.Account
}

func newOAuthBed(t *testing.T) *oauthBed {
	t.Helper()
	addr, smtpAddr := os.Getenv("ACCORD_TEST_OAUTH_ADDR"), os.Getenv("ACCORD_TEST_SMTP_OAUTH_ADDR")
	svc := mailtest.TestbedAccount(t, "accord-oauth")
	if addr == "" || smtpAddr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but ACCORD_TEST_OAUTH_ADDR or ACCORD_TEST_SMTP_OAUTH_ADDR is not set: the OAuth suite must run (see scripts/testbed)")
		}
		t.Skip("the test bed's OAuth ports are not set; start it with: scripts/testbed up && eval \"$(scripts/testbed env)\"")
	}
	b := &oauthBed{srv: mailtest.NewOAuth(t, addr), smtpAddr: smtpAddr, svc: svc,
		people: map[string]mailtest.Account{"kim": mailtest.TestbedAccount(t, "oauth-kim"), "lee": mailtest.TestbedAccount(t, "oauth-lee")}}
	b.srv.AddClient("accord-app", "app-secret", svc.Address)
	b.srv.AddClient("accord-login", "login-secret", "")
	return b
}

// env writes a configuration that signs in with OAuth by grant and
// mechanism, on a database of its own, and returns the binary's
// environment.
func (b *oauthBed) env(t *testing.T, grant, mech, extra string) []string {
	t.Helper()
	dir := t.TempDir()
	client, secret := "accord-app", "app-secret"
	if grant == "login" {
		client, secret = "accord-login", "login-secret"
	}
	cfg := filepath.Join(dir, "accord.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, `
[database]
url = %q
[mail]
address = %q
[imap]
url = "imap+starttls://%s@%s/INBOX"
auth = %q
[smtp]
url = "smtp://%s@%s"
auth = %q
[oauth]
grant = %q
client_id = %q
token_url = %q
device_url = %q
scopes = ["mail"]
[http]
listen = "127.0.0.1:0"
[pacing]
quiet_start = "00:00"
quiet_end = "00:00"
quiet_days = []
undo_minutes = 0
[log]
# The sign-in's every probe, should a recovery ever stall again.
level = "debug"
%s`, storetest.PostgresURL(t), b.svc.Address, b.svc.Address, b.svc.IMAPAddr, mech, b.svc.Address, b.smtpAddr, mech,
		grant, client, b.srv.TokenURL(), b.srv.DeviceURL(), extra), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "ACCORD_CONFIG=" + cfg,
		"ACCORD_OAUTH_CLIENT_SECRET=" + secret, "SSL_CERT_FILE=" + b.svc.CAFile}
}

// login runs accord mail login and plays the person who approves it.
func (b *oauthBed) login(t *testing.T, bin string, env []string) {
	t.Helper()
	cmd := exec.Command(bin, "mail", "login")
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`enter the code (\S+)`)
	sc := bufio.NewScanner(out)
	var said strings.Builder
	approved := false
	for sc.Scan() {
		said.WriteString(sc.Text() + "\n")
		if m := code.FindStringSubmatch(sc.Text()); m != nil && !approved {
			if err := b.srv.Approve(m[1], b.svc.Address); err != nil {
				t.Fatal(err)
			}
			approved = true
		}
	}
	if err := cmd.Wait(); err != nil || !approved || !strings.Contains(said.String(), "Signed in.") {
		t.Fatalf("accord mail login: %v (approved %v)\nstdout:\n%s\nstderr:\n%s", err, approved, said.String(), stderr.String())
	}
}

// TestServiceOAuth runs accord serve against Dovecot and Postfix that
// accept only OAuth 2.0 access tokens for the service mailbox: the whole
// questionnaire goes through with XOAUTH2 (an application's client
// credentials) and with OAUTHBEARER (a person's grant from accord mail
// login, refresh tokens rotated), access tokens living three seconds. A
// revoked grant makes /readyz say what to do while mail waits with no
// attempt used, and a new login brings it back. accord mail check passes,
// and names each fault.
func TestServiceOAuth(t *testing.T) {
	t.Parallel()
	b := newOAuthBed(t)
	bin := buildAccord(t)
	b.srv.SetAccessTTL(3 * time.Second)
	b.srv.SetRotate(true)
	for _, tc := range []struct{ grant, mech string }{{"app", "xoauth2"}, {"login", "oauthbearer"}} {
		t.Run(tc.grant+"-"+tc.mech, func(t *testing.T) {
			b.svc.Clear(t)
			for _, a := range b.people {
				a.Clear(t)
			}
			env := b.env(t, tc.grant, tc.mech, "")
			runBinary(t, bin, env, "migrate")
			if tc.grant == "login" {
				b.login(t, bin, env)
			}
			runBinary(t, bin, env, "pair", "add", "--lead", "Kim Novak <"+b.people["kim"].Address+">",
				"--report", "Lee Park <"+b.people["lee"].Address+">", "--tz", "Europe/Berlin")
			issued := b.srv.Issued("client_credentials") + b.srv.Issued("refresh_token")
			p := startProcess(t, bin, env, "serve")
			eventually(t, 90*time.Second, "/readyz to be ready", func() bool { code, _ := p.get("/readyz"); return code == http.StatusOK })
			t.Run("questionnaire", func(t *testing.T) {
				for who, a := range b.people {
					t.Run(who, func(t *testing.T) {
						t.Parallel()
						answerEverything(t, a, b.svc, sixteen(who), nil)
					})
				}
			})
			for _, a := range b.people {
				signByMail(t, a, "")
			}
			for who, a := range b.people {
				eventually(t, 3*time.Minute, who+"'s agreement", func() bool {
					return len(mailsMatching(t, a, "Your signed partnership agreement (version 1)")) == 1
				})
				for n := 1; n <= 16; n++ {
					if got := len(mailsMatching(t, a, fmt.Sprintf("] %d/16 — ", n))); got != 1 {
						t.Errorf("%s got question %d %d times, want once", who, n, got)
					}
				}
			}
			fetched := b.srv.Issued("client_credentials") + b.srv.Issued("refresh_token") - issued
			if n := p.metric("accord_oauth_tokens_total"); n < 2 || fetched < 2 {
				t.Errorf("%v tokens fetched by the service (%d issued), want fresh ones as they expire", n, fetched)
			}
			t.Logf("%s with %s: %d access tokens issued during the questionnaire", tc.grant, tc.mech, fetched)
			if tc.grant == "login" {
				b.revokeAndRecover(t, bin, env, p)
			}
			p.terminate()
		})
	}
	t.Run("mail-check", func(t *testing.T) { b.mailCheck(t, bin) })
}

// sixteen is a person's sixteen answers.
func sixteen(who string) []string {
	var out []string
	for i := range 16 {
		out = append(out, fmt.Sprintf("%s's answer to question %d, signed in with OAuth.", who, i+1))
	}
	return out
}

// revokeAndRecover revokes the person's grant: the next mail waits, with no
// attempt used, and /readyz says to sign in again; after accord mail login
// it goes out.
func (b *oauthBed) revokeAndRecover(t *testing.T, bin string, env []string, p *process) {
	t.Helper()
	b.srv.RevokeAll()
	kim := b.people["kim"]
	runBinary(t, bin, env, "pair", "add", "--lead", "Kim Novak <"+strings.Replace(kim.Address, "@", "+again@", 1)+">",
		"--report", "Lee Park <"+strings.Replace(b.people["lee"].Address, "@", "+again@", 1)+">")
	var body string
	eventually(t, 3*time.Minute, "/readyz to ask for a new login", func() bool {
		var code int
		code, body = p.get("/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "run accord mail login again")
	})
	db := openDB(t, env)
	var queued, attempts int
	db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM outbox WHERE state = 'queued'`).Scan(&queued, &attempts)
	if queued != 2 || attempts != 0 {
		t.Errorf("while the grant is revoked: %d mails queued with %d attempts, want the 2 welcomes waiting, none used", queued, attempts)
	}
	if n := p.metric("accord_oauth_grant_lost"); n != 1 {
		t.Errorf("accord_oauth_grant_lost = %v, want 1", n)
	}
	b.login(t, bin, env)
	eventually(t, 3*time.Minute, "the waiting welcomes after the new login", func() bool {
		var sent int
		db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND kind = 'welcome' AND recipient LIKE '%+again@%'`).Scan(&sent)
		return sent == 2
	})
	eventually(t, 90*time.Second, "/readyz to recover", func() bool { code, _ := p.get("/readyz"); return code == http.StatusOK })
	t.Logf("revoked: /readyz said %s", strings.TrimSpace(body))
}

// openDB opens the database an environment's configuration names.
func openDB(t *testing.T, env []string) *sql.DB {
	t.Helper()
	var cfgPath string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ACCORD_CONFIG="); ok {
			cfgPath = v
		}
	}
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`url = "(postgres://[^"]+)"`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("no database url in the configuration")
	}
	db, err := sql.Open("postgres", string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mailCheck runs accord mail check against the test bed: it passes when
// all is well and names the fault otherwise.
func (b *oauthBed) mailCheck(t *testing.T, bin string) {
	t.Helper()
	check := func(env []string, send bool) (string, int) {
		args := []string{"mail", "check"}
		if send {
			args = append(args, "--send")
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		done := make(chan struct{})
		go func() {
			select {
			case <-ctx.Done():
				cmd.Process.Kill()
			case <-done:
			}
		}()
		out, _ := cmd.CombinedOutput()
		close(done)
		return string(out), cmd.ProcessState.ExitCode()
	}
	password := testbedEnv(t, mailtest.TestbedAccount(t, "accord"), storetest.PostgresURL(t))
	runBinary(t, bin, password, "migrate")
	oauth := b.env(t, "app", "", "")
	runBinary(t, bin, oauth, "migrate")
	for _, tc := range []struct {
		name  string
		env   []string
		send  bool
		code  int
		wants []string
	}{
		{"passwords, all well, plus addressing", password, true, 0, []string{"signed in with LOGIN", "IDLE yes, MOVE yes, UIDPLUS yes", "folder Processed found", "plus addressing: mail to accord+check-", "Accord can run"}},
		{"OAuth, all well", oauth, false, 0, []string{"OAuth 2.0 access token from client credentials of accord-app", "signed in with AUTHENTICATE OAUTHBEARER", "SMTP smtp://", "plus addressing not checked", "Accord can run"}},
		{"a wrong password", append(password, "ACCORD_IMAP_PASSWORD=wrong"), false, 1, []string{"FAIL IMAP", "AUTHENTICATIONFAILED", "cannot run"}},
		{"a mailbox that does not exist", append(password, "ACCORD_IMAP_URL=imap+starttls://accord@example.test@"+b.svc.IMAPAddr+"/NoSuchFolder"), false, 1, []string{"FAIL IMAP", `open mailbox "NoSuchFolder"`}},
		{"no plus addressing", append(password, "ACCORD_MAIL_PLUS_SEPARATOR=-"), true, 1, []string{"FAIL plus addressing", "mail.plus_separator"}},
		{"a wrong client secret", append(oauth, "ACCORD_OAUTH_CLIENT_SECRET=wrong"), false, 1, []string{"FAIL OAuth 2.0 access token", "invalid_client"}},
	} {
		out, code := check(tc.env, tc.send)
		if code != tc.code {
			t.Errorf("%s: mail check exited %d, want %d\n%s", tc.name, code, tc.code, out)
			continue
		}
		for _, w := range tc.wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s: mail check does not say %q:\n%s", tc.name, w, out)
			}
		}
	}
	// A person's grant that was revoked: the check says what to do.
	login := b.env(t, "login", "", "")
	runBinary(t, bin, login, "migrate")
	b.login(t, bin, login)
	b.srv.RevokeAll()
	if out, code := check(login, false); code != 1 || !strings.Contains(out, "run accord mail login again") {
		t.Errorf("a revoked grant: exit %d\n%s\nwant 1 and the instruction", code, out)
	}

}

// TestOAuthConfig: mail.provider fills in servers, endpoints and scopes;
// config check says where tokens come from and masks the secret; settings
// that cannot work together are refused, naming the setting.
func TestOAuthConfig(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", `
[mail]
address = "accord@example.com"
provider = "microsoft"
[oauth]
grant = "app"
tenant = "example.onmicrosoft.com"
client_id = "client-1"
`)
	c.env["ACCORD_OAUTH_CLIENT_SECRET"] = "very-secret"
	out := c.ok("config", "check")
	for _, want := range []string{"imaps://accord%40example.com@outlook.office365.com:993/INBOX", "smtp+starttls://accord%40example.com@smtp.office365.com:587",
		"https://login.microsoftonline.com/example.onmicrosoft.com/oauth2/v2.0/token", "https://outlook.office365.com/.default",
		"# sign-in: OAuth 2.0 for IMAP yes, SMTP yes; tokens from client credentials of client-1 at login.microsoftonline.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("config check does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "very-secret") {
		t.Errorf("config check shows the client secret:\n%s", out)
	}
	srv := mailtest.NewOAuth(t, "127.0.0.1:0")
	pemFile := srv.ClientCertificate(t, "client-2", "accord@example.com")
	cert := newCLI(t)
	cert.write("accord.toml", fmt.Sprintf("[mail]\naddress = \"accord@example.com\"\nprovider = \"microsoft\"\n[oauth]\ngrant = \"app\"\ntenant = \"t\"\nclient_id = \"client-2\"\nclient_certificate = %q\n", pemFile))
	if out := cert.ok("config", "check"); !regexp.MustCompile(`client credentials of client-2 \(certificate [0-9a-f]{40}\)`).MatchString(out) {
		t.Errorf("config check with a certificate does not name its thumbprint:\n%s", out)
	}
	for _, tc := range []struct{ config, want string }{
		{"[mail]\nprovider = \"yahoo\"\n", "mail.provider"},
		{"[oauth]\ngrant = \"app\"\nclient_id = \"x\"\ntoken_url = \"https://t.example/token\"\nscopes = [\"s\"]\nclient_certificate = \"/nonexistent.pem\"\n", "oauth.client_certificate"},
		{"[oauth]\ngrant = \"app\"\nclient_id = \"x\"\ntoken_url = \"https://t.example/token\"\nscopes = [\"s\"]\n", "oauth.client_secret"},
		{"[mail]\nprovider = \"google\"\n[oauth]\ngrant = \"app\"\nclient_id = \"x\"\nclient_secret = \"y\"\n", "Google has no client-credentials grant"},
		{"[mail]\nprovider = \"microsoft\"\n[oauth]\ngrant = \"app\"\nclient_id = \"x\"\nclient_secret = \"y\"\n", "oauth.tenant"},
		{"[oauth]\ngrant = \"login\"\nclient_id = \"x\"\n", "oauth.token_url"},
		{"[oauth]\ngrant = \"service-account\"\n[mail]\nprovider = \"google\"\n", "oauth.service_account_key"},
		{"[oauth]\ngrant = \"magic\"\n", "oauth.grant"},
		{"[imap]\nauth = \"xoauth2\"\n", "imap.auth"},
		{"[smtp]\nauth = \"oauthbearer\"\n", "smtp.auth"},
	} {
		c := newCLI(t)
		c.write("accord.toml", tc.config)
		c.fails(exitFailure, tc.want, "config", "check")
	}
}

// TestMailLoginWithCode: where the provider has no device sign-in (Google
// for mail), accord mail login sends the person to the authorization
// page with PKCE; the browser comes back to a loopback address, on this
// machine to the command itself, or the person pastes where it ended.
// Either way the refresh token is kept, and the token file is owner-only.
func TestMailLoginWithCode(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewOAuth(t, "127.0.0.1:0")
	srv.AddClient("desktop", "desktop-secret", "")
	srv.SignIn("accord@example.com")
	bin := buildAccord(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, paste := range []bool{false, true} {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "accord.toml")
		tokenFile := filepath.Join(dir, "token.json")
		os.WriteFile(cfg, fmt.Appendf(nil, `
[database]
url = "sqlite:%s/accord.db"
[mail]
address = "accord@example.com"
[imap]
url = "imaps://accord@example.com@imap.example.com/INBOX"
[smtp]
url = "smtps://accord@example.com@smtp.example.com"
[oauth]
grant = "login"
client_id = "desktop"
token_url = %q
auth_url = %q
scopes = ["https://mail.google.com/"]
token_file = %q
`, dir, srv.TokenURL(), srv.AuthURL(), tokenFile), 0o600)
		cmd := exec.Command(bin, "mail", "login")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "ACCORD_CONFIG=" + cfg, "ACCORD_OAUTH_CLIENT_SECRET=desktop-secret"}
		stdin, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		var said strings.Builder
		for sc.Scan() {
			line := sc.Text()
			said.WriteString(line + "\n")
			if u := strings.TrimSpace(line); strings.HasPrefix(u, srv.AuthURL()) {
				resp, err := noRedirect.Get(u)
				if err != nil || resp.StatusCode != http.StatusFound {
					t.Fatalf("the authorization page: %v %v", resp, err)
				}
				back := resp.Header.Get("Location")
				if paste {
					// The browser is elsewhere: the page does not load, and
					// the person pastes its address.
					fmt.Fprintln(stdin, back)
				} else if r, err := http.Get(back); err != nil || r.StatusCode != http.StatusOK {
					t.Fatalf("the loopback page: %v %v", r, err)
				}
			}
		}
		if err := cmd.Wait(); err != nil || !strings.Contains(said.String(), "Signed in.") {
			t.Fatalf("paste %v: accord mail login: %v\n%s\n%s", paste, err, said.String(), stderr.String())
		}
		info, err := os.Stat(tokenFile)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("paste %v: token file %v, mode %v; want 0600", paste, err, info.Mode().Perm())
		}
		if b, _ := os.ReadFile(tokenFile); !strings.Contains(string(b), `"refresh_token":"rt-`) {
			t.Errorf("paste %v: the token file holds no refresh token", paste)
		}
	}
	if n := srv.Issued("authorization_code"); n != 2 {
		t.Errorf("%d codes exchanged, want 2", n)
	}
}
