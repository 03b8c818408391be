package mailauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"
)

// AppOnly signs in as an application with the client credentials grant
// (RFC 6749 section 4.4): Microsoft 365's way for a service mailbox, with
// the scope https://outlook.office365.com/.default, or any server's.
type AppOnly struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Certificate, when set, proves the application's identity instead of
	// ClientSecret.
	Certificate *Certificate
	Scopes      []string
}

// Fetch asks for a new token; there is nothing to refresh.
func (a *AppOnly) Fetch(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
	cfg := clientcredentials.Config{ClientID: a.ClientID, ClientSecret: a.ClientSecret, TokenURL: a.TokenURL, Scopes: a.Scopes}
	if a.Certificate != nil {
		assertion, err := a.Certificate.assertion(a.ClientID, a.TokenURL, time.Now())
		if err != nil {
			return nil, err
		}
		cfg.ClientSecret, cfg.AuthStyle = "", oauth2.AuthStyleInParams
		cfg.EndpointParams = url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {assertion}}
	}
	return cfg.Token(ctx)
}

// Describe names the source.
func (a *AppOnly) Describe() string {
	with := ""
	if a.Certificate != nil {
		with = " (certificate " + a.Certificate.Thumbprint() + ")"
	}
	return fmt.Sprintf("client credentials of %s%s at %s", a.ClientID, with, hostOf(a.TokenURL))
}

// Delegated is false: an application needs no person.
func (a *AppOnly) Delegated() bool { return false }

// Refresh refreshes a grant a person gave once, with accord mail login
// (RFC 6749 section 6): Microsoft 365 or Google mailboxes signed in as
// their user, or any server's.
type Refresh struct {
	Config oauth2.Config
}

// Fetch exchanges the refresh token held for a new access token.
func (r *Refresh) Fetch(ctx context.Context, prev *oauth2.Token) (*oauth2.Token, error) {
	if prev == nil || prev.RefreshToken == "" {
		return nil, &GrantError{Err: errors.New("no refresh token")}
	}
	return r.Config.TokenSource(ctx, &oauth2.Token{RefreshToken: prev.RefreshToken}).Token()
}

// Describe names the source.
func (r *Refresh) Describe() string {
	return fmt.Sprintf("refresh token for client %s at %s", r.Config.ClientID, hostOf(r.Config.Endpoint.TokenURL))
}

// Delegated is true: the grant is a person's.
func (r *Refresh) Delegated() bool { return true }

// ServiceAccount signs in as a Google service account with domain-wide
// delegation, for the mailbox named as Subject (a signed JWT, RFC 7523).
type ServiceAccount struct {
	// Key is the account's JSON key file as Google gives it.
	Key     []byte
	Subject string
	Scopes  []string
}

// serviceAccountKey is what Accord reads of a Google JSON key file.
type serviceAccountKey struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

// config reads the key into x/oauth2's JWT grant.
func (s *ServiceAccount) config() (*jwt.Config, error) {
	var k serviceAccountKey
	if err := json.Unmarshal(s.Key, &k); err != nil {
		return nil, fmt.Errorf("the service account key is not Google's JSON key file: %w", err)
	}
	if k.Type != "service_account" || k.ClientEmail == "" || k.PrivateKey == "" {
		return nil, errors.New("the service account key lacks type service_account, client_email or private_key")
	}
	if k.TokenURI == "" {
		k.TokenURI = "https://oauth2.googleapis.com/token"
	}
	return &jwt.Config{Email: k.ClientEmail, PrivateKey: []byte(k.PrivateKey), PrivateKeyID: k.PrivateKeyID,
		TokenURL: k.TokenURI, Scopes: s.Scopes, Subject: s.Subject}, nil
}

// Fetch asks for a new token for the subject.
func (s *ServiceAccount) Fetch(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
	cfg, err := s.config()
	if err != nil {
		return nil, err
	}
	return cfg.TokenSource(ctx).Token()
}

// Describe names the source.
func (s *ServiceAccount) Describe() string {
	cfg, err := s.config()
	if err != nil {
		return "a Google service account (" + err.Error() + ")"
	}
	return fmt.Sprintf("Google service account %s acting for %s", cfg.Email, s.Subject)
}

// Delegated is false: the account acts by the domain's delegation.
func (s *ServiceAccount) Delegated() bool { return false }

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}
