package mailauth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"
	"golang.org/x/oauth2"

	"accord/mailout/mailauth"
	"accord/mailout/mailtest"
)

// memStore is a TokenStore in memory that counts what it saves.
type memStore struct {
	mu    sync.Mutex
	tok   *oauth2.Token
	saved int
}

func (m *memStore) Load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, mailauth.ErrNoToken
	}
	t := *m.tok
	return &t, nil
}

func (m *memStore) Save(_ context.Context, t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *t
	m.tok, m.saved = &c, m.saved+1
	return nil
}

// TestSources: each kind of source gets tokens from a real (loopback)
// authorization server through golang.org/x/oauth2, for the right mailbox.
func TestSources(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewOAuth(t, "127.0.0.1:0")
	srv.AddClient("app", "s3cret", "accord@example.test")
	srv.AddClient("login", "", "")
	key := srv.ServiceAccount(t, "accord-sa@project.example")
	cert, err := mailauth.LoadCertificate(srv.ClientCertificate(t, "cert-app", "accord@example.test"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		src   mailauth.Source
		store *memStore
		grant string
	}{
		{"client credentials", &mailauth.AppOnly{TokenURL: srv.TokenURL(), ClientID: "app", ClientSecret: "s3cret", Scopes: []string{"https://outlook.office365.com/.default"}}, nil, "client_credentials"},
		{"refresh token", &mailauth.Refresh{Config: oauth2.Config{ClientID: "login", Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL()}}},
			&memStore{tok: &oauth2.Token{RefreshToken: srv.Grant("login", "accord@example.test")}}, "refresh_token"},
		{"service account", &mailauth.ServiceAccount{Key: key, Subject: "accord@example.test", Scopes: []string{"https://mail.google.com/"}}, nil, "jwt-bearer"},
		{"client certificate", &mailauth.AppOnly{TokenURL: srv.TokenURL(), ClientID: "cert-app", Certificate: cert, Scopes: []string{"https://outlook.office365.com/.default"}}, nil, "client_credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokens := &mailauth.Tokens{Source: tc.src}
			if tc.store != nil {
				tokens.Store = tc.store
			}
			before := srv.Issued(tc.grant)
			tok, err := tokens.Token(ctx)
			if err != nil || !strings.HasPrefix(tok, "at-") {
				t.Fatalf("Token() = %q, %v; want an access token", tok, err)
			}
			again, err := tokens.Token(ctx)
			if err != nil || again != tok {
				t.Errorf("a second Token() = %q, %v; want the same token, still good", again, err)
			}
			if n := srv.Issued(tc.grant) - before; n != 1 {
				t.Errorf("%d tokens issued for two calls, want 1", n)
			}
			if d := tc.src.Describe(); strings.Contains(d, "s3cret") || strings.Contains(d, "PRIVATE") {
				t.Errorf("Describe() = %q shows a secret", d)
			}
		})
	}
}

// TestTokensRefresh: a token is replaced shortly before it expires and at
// once after a server refused it; a rotated refresh token is saved at
// once, and the old one is never used again.
func TestTokensRefresh(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewOAuth(t, "127.0.0.1:0")
	srv.AddClient("login", "", "")
	srv.SetRotate(true)
	srv.SetAccessTTL(10 * time.Minute)
	store := &memStore{tok: &oauth2.Token{RefreshToken: srv.Grant("login", "dana@example.test")}}
	now := time.Now()
	tokens := &mailauth.Tokens{Source: &mailauth.Refresh{Config: oauth2.Config{ClientID: "login", Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL()}}},
		Store: store, Now: func() time.Time { return now }}
	ctx := context.Background()
	first, err := tokens.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if store.saved != 1 {
		t.Errorf("the rotated refresh token was saved %d times, want once", store.saved)
	}
	now = now.Add(7 * time.Minute)
	if tok, _ := tokens.Token(ctx); tok != first {
		t.Error("a token with 3 minutes left was replaced; want it kept until 2 minutes before expiry")
	}
	now = now.Add(2 * time.Minute)
	second, err := tokens.Token(ctx)
	if err != nil || second == first {
		t.Fatalf("a token with 1 minute left: %v, %v; want a new one", second == first, err)
	}
	tokens.Invalidate()
	third, err := tokens.Token(ctx)
	if err != nil || third == second {
		t.Fatalf("after Invalidate: same token %v, %v; want a new one", third == second, err)
	}
	if store.saved != 3 || srv.Issued("refresh_token") != 3 {
		t.Errorf("saved %d times, %d refreshes; want every rotated token saved (3)", store.saved, srv.Issued("refresh_token"))
	}
}

// TestTokensRevoked: a revoked grant gives a GrantError that says what to
// do; signing in again (a new token in the store) brings tokens back.
func TestTokensRevoked(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewOAuth(t, "127.0.0.1:0")
	srv.AddClient("login", "", "")
	store := &memStore{}
	tokens := &mailauth.Tokens{Source: &mailauth.Refresh{Config: oauth2.Config{ClientID: "login", Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL()}}}, Store: store}
	ctx := context.Background()
	var ge *mailauth.GrantError
	if _, err := tokens.Token(ctx); !errors.As(err, &ge) || !strings.Contains(err.Error(), "accord mail login") {
		t.Fatalf("before any login: %v, want a GrantError asking for accord mail login", err)
	}
	store.Save(ctx, &oauth2.Token{RefreshToken: srv.Grant("login", "dana@example.test")})
	if _, err := tokens.Token(ctx); err != nil {
		t.Fatalf("after the login: %v", err)
	}
	srv.RevokeAll()
	tokens.Invalidate()
	if _, err := tokens.Token(ctx); !errors.As(err, &ge) || ge.Code != "invalid_grant" || !strings.Contains(err.Error(), "run accord mail login again") {
		t.Fatalf("after the grant was revoked: %v, want invalid_grant and the instruction", err)
	}
	if tokens.Grant() == nil {
		t.Error("Grant() is nil while the grant is revoked")
	}
	store.Save(ctx, &oauth2.Token{RefreshToken: srv.Grant("login", "dana@example.test")})
	if _, err := tokens.Token(ctx); err != nil || tokens.Grant() != nil {
		t.Errorf("after a new login: %v, grant %v; want tokens again", err, tokens.Grant())
	}
}

// TestChoose: the operator's choice wins when the server offers it;
// otherwise OAUTHBEARER, then XOAUTH2; a server without either is named.
func TestChoose(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		want    mailauth.Mechanism
		offered []string
		got     mailauth.Mechanism
		err     string
	}{
		{"", []string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}, mailauth.OAuthBearer, ""},
		{"", []string{"plain", "xoauth2"}, mailauth.XOAUTH2, ""},
		{mailauth.XOAUTH2, []string{"XOAUTH2", "OAUTHBEARER"}, mailauth.XOAUTH2, ""},
		{mailauth.OAuthBearer, []string{"XOAUTH2"}, "", "does not offer OAUTHBEARER"},
		{"", []string{"PLAIN", "LOGIN"}, "", "offers no OAuth sign-in"},
	} {
		got, err := mailauth.Choose(tc.want, tc.offered)
		if got != tc.got || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("Choose(%q, %q) = %q, %v; want %q, %q", tc.want, tc.offered, got, err, tc.got, tc.err)
		}
	}
}

// TestSMTPAuth: the SMTP client sends the mechanism's initial response with
// a fresh token, and acknowledges a refusal so the server can end it.
func TestSMTPAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewOAuth(t, "127.0.0.1:0")
	srv.AddClient("app", "s3cret", "accord@example.test")
	tokens := &mailauth.Tokens{Source: &mailauth.AppOnly{TokenURL: srv.TokenURL(), ClientID: "app", ClientSecret: "s3cret"}}
	for _, tc := range []struct {
		mech   mailauth.Mechanism
		name   string
		prefix string
	}{
		{mailauth.XOAUTH2, "XOAUTH2", "user=accord@example.test\x01auth=Bearer at-"},
		{mailauth.OAuthBearer, "OAUTHBEARER", "n,a=accord@example.test,\x01host=mail.example.test\x01port=587\x01auth=Bearer at-"},
	} {
		a := &mailauth.SMTP{Mechanism: tc.mech, User: "accord@example.test", Tokens: tokens, Host: "mail.example.test", Port: 587}
		name, ir, err := a.Start(&smtp.ServerInfo{Name: "mail.example.test", TLS: true, Auth: []string{"XOAUTH2", "OAUTHBEARER"}})
		if err != nil || name != tc.name || !strings.HasPrefix(string(ir), tc.prefix) || !strings.HasSuffix(string(ir), "\x01\x01") {
			t.Errorf("%s: Start = %q, %q, %v; want %q starting %q", tc.mech, name, ir, err, tc.name, tc.prefix)
		}
		resp, err := a.Next([]byte(`{"status":"401","schemes":"bearer"}`), true)
		if err != nil || (tc.mech == mailauth.OAuthBearer && string(resp) != "\x01") || (tc.mech == mailauth.XOAUTH2 && len(resp) != 0) {
			t.Errorf("%s: answer to a refusal = %q, %v; want the mechanism's acknowledgement", tc.mech, resp, err)
		}
	}
	a := &mailauth.SMTP{Mechanism: mailauth.OAuthBearer, User: "accord@example.test", Tokens: tokens}
	if _, _, err := a.Start(&smtp.ServerInfo{Auth: []string{"PLAIN", "LOGIN"}}); err == nil || !strings.Contains(err.Error(), "does not offer") {
		t.Errorf("Start against a password-only server = %v, want an error naming what it offers", err)
	}
}

// TestFileStore: the token file is written whole, owner-only, and read
// back; a missing file means no login yet.
func TestFileStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token.json")
	fs := mailauth.File(path)
	ctx := context.Background()
	if _, err := fs.Load(ctx); !errors.Is(err, mailauth.ErrNoToken) {
		t.Fatalf("Load before any save = %v, want ErrNoToken", err)
	}
	if err := fs.Save(ctx, &oauth2.Token{RefreshToken: "rt-1", AccessToken: "at-1"}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	if tok, err := fs.Load(ctx); err != nil || tok.RefreshToken != "rt-1" {
		t.Errorf("Load = %+v, %v; want the saved refresh token", tok, err)
	}
	os.WriteFile(path, []byte("not json"), 0o600)
	if _, err := fs.Load(ctx); !errors.Is(err, mailauth.ErrNoToken) || !strings.Contains(err.Error(), "accord mail login") {
		t.Errorf("Load of a damaged file = %v, want ErrNoToken with the instruction", err)
	}
}

// TestCertificateRefused: an assertion signed with another certificate
// than the one registered gets no token, and the error says so.
func TestCertificateRefused(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewOAuth(t, "127.0.0.1:0")
	srv.ClientCertificate(t, "cert-app", "accord@example.test")
	other, err := mailauth.LoadCertificate(srv.ClientCertificate(t, "other-app", "someone@example.test"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := &mailauth.Tokens{Source: &mailauth.AppOnly{TokenURL: srv.TokenURL(), ClientID: "cert-app", Certificate: other}}
	if _, err := tokens.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("Token with another application's certificate = %v, want invalid_client", err)
	}
}
