package config

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"

	"golang.org/x/oauth2"

	"accord/mailout/mailauth"
	"accord/store"
	"accord/templates"
)

// provider is what a mail provider's preset fills in.
type provider struct {
	imapURL, smtpURL string // with %s for the mailbox address
	// endpoint gives the OAuth endpoints for a tenant (Microsoft) or none.
	endpoint func(tenant string) oauth2.Endpoint
	// scopes by grant.
	appScopes, loginScopes []string
}

var providers = map[string]provider{
	"microsoft": {
		imapURL: "imaps://%s@outlook.office365.com:993/INBOX",
		smtpURL: "smtp+starttls://%s@smtp.office365.com:587",
		endpoint: func(tenant string) oauth2.Endpoint {
			base := "https://login.microsoftonline.com/" + url.PathEscape(tenant) + "/oauth2/v2.0/"
			return oauth2.Endpoint{AuthURL: base + "authorize", TokenURL: base + "token", DeviceAuthURL: base + "devicecode"}
		},
		appScopes:   []string{"https://outlook.office365.com/.default"},
		loginScopes: []string{"https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send", "offline_access"},
	},
	"google": {
		imapURL: "imaps://%s@imap.gmail.com:993/INBOX",
		smtpURL: "smtps://%s@smtp.gmail.com:465",
		endpoint: func(string) oauth2.Endpoint {
			// Google offers no device flow for mail scopes: accord mail
			// login uses the authorization code with PKCE instead.
			return oauth2.Endpoint{AuthURL: "https://accounts.google.com/o/oauth2/auth", TokenURL: "https://oauth2.googleapis.com/token"}
		},
		appScopes:   []string{"https://mail.google.com/"},
		loginScopes: []string{"https://mail.google.com/"},
	},
}

// applyProvider fills in, for mail.provider, what the operator left empty:
// the mail servers, the OAuth endpoints and the scopes.
func (c *Config) applyProvider() {
	p, ok := providers[c.Mail.Provider]
	if !ok {
		return
	}
	set := func(key string, field *string, value string) {
		if *field == "" && value != "" {
			*field = value
			c.sources[key] = "mail.provider"
		}
	}
	addr := url.PathEscape(c.Mail.Address)
	set("imap.url", &c.IMAP.URL, fmt.Sprintf(p.imapURL, addr))
	set("smtp.url", &c.SMTP.URL, fmt.Sprintf(p.smtpURL, addr))
	tenant := c.OAuth.Tenant
	if tenant == "" {
		tenant = "organizations"
	}
	e := p.endpoint(tenant)
	set("oauth.token_url", &c.OAuth.TokenURL, e.TokenURL)
	set("oauth.device_url", &c.OAuth.DeviceURL, e.DeviceAuthURL)
	set("oauth.auth_url", &c.OAuth.AuthURL, e.AuthURL)
	if len(c.OAuth.Scopes) == 0 {
		switch c.OAuth.Grant {
		case "app", "service-account":
			c.OAuth.Scopes = p.appScopes
		default:
			c.OAuth.Scopes = p.loginScopes
		}
		c.sources["oauth.scopes"] = "mail.provider"
	}
}

// oauthSource is the configured token source, or nil for passwords.
func (c *Config) oauthSource() (mailauth.Source, error) {
	o := c.OAuth
	switch o.Grant {
	case "app":
		a := &mailauth.AppOnly{TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes}
		if o.ClientCertificate != "" {
			cert, err := mailauth.LoadCertificate(o.ClientCertificate)
			if err != nil {
				return nil, fmt.Errorf("oauth.client_certificate: %w", err)
			}
			a.Certificate = cert
		}
		return a, nil
	case "login":
		return &mailauth.Refresh{Config: c.LoginConfig()}, nil
	case "service-account":
		key, err := os.ReadFile(o.ServiceAccountKey)
		if err != nil {
			return nil, fmt.Errorf("oauth.service_account_key: %w", err)
		}
		return &mailauth.ServiceAccount{Key: key, Subject: c.Mail.Address, Scopes: o.Scopes}, nil
	}
	return nil, nil
}

// LoginConfig is the OAuth client a person's grant belongs to, for accord
// mail login.
func (c *Config) LoginConfig() oauth2.Config {
	o := c.OAuth
	return oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: slices.Clone(o.Scopes),
		Endpoint: oauth2.Endpoint{TokenURL: o.TokenURL, DeviceAuthURL: o.DeviceURL, AuthURL: o.AuthURL}}
}

// oauthTokenName names the sign-in in the database.
const oauthTokenName = "mailbox"

// TokenStore is where a person's grant is kept: oauth.token_file, or the
// database, which every instance shares.
func (c *Config) TokenStore(st *store.Store) mailauth.TokenStore {
	if c.OAuth.TokenFile != "" {
		return mailauth.File(c.OAuth.TokenFile)
	}
	return mailauth.Bytes{
		LoadBytes: func(ctx context.Context) ([]byte, error) {
			b, err := st.OAuthToken(ctx, oauthTokenName)
			if errors.Is(err, store.ErrNotFound) {
				return nil, mailauth.ErrNoToken
			}
			return b, err
		},
		SaveBytes: func(ctx context.Context, b []byte) error { return st.SaveOAuthToken(ctx, oauthTokenName, b) },
	}
}

// SignInSummary says how Accord signs in to the mail servers, for config
// check: the token source (never a secret), or passwords.
func (c *Config) SignInSummary() string {
	imapOAuth, smtpOAuth := c.UsesOAuth()
	if !imapOAuth && !smtpOAuth {
		return templates.Operator("configuration.sign-in.passwords", nil)
	}
	src, err := c.oauthSource()
	if err != nil {
		return templates.Operator("configuration.sign-in.broken", templates.Args{"Err": err})
	}
	return templates.Operator("configuration.sign-in.oauth", templates.Args{"IMAP": imapOAuth, "SMTP": smtpOAuth, "Source": src.Describe(),
		"Delegated": src.Delegated(), "File": c.OAuth.TokenFile})
}

// UsesOAuth reports whether IMAP and SMTP sign in with tokens.
func (c *Config) UsesOAuth() (imap, smtp bool) {
	if c.OAuth.Grant == "" {
		return false, false
	}
	return c.IMAP.Auth != "password", c.SMTP.Auth != "plain" && c.SMTP.Auth != "login" && c.SMTP.Auth != "password"
}

// OAuthTokens is the token holder the poller and the outbox share, or nil
// when both sign in with passwords. A person's grant is read from, and
// kept in, st unless oauth.token_file is set; onFetch, when set, hears of
// every access token fetched.
func (c *Config) OAuthTokens(st *store.Store, onFetch func()) (*mailauth.Tokens, error) {
	src, err := c.oauthSource()
	if err != nil || src == nil {
		return nil, err
	}
	t := &mailauth.Tokens{Source: src, OnFetch: onFetch}
	if src.Delegated() {
		t.Store = c.TokenStore(st)
	}
	return t, nil
}
