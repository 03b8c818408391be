package mailauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/wneessen/go-mail/smtp"
)

// Mechanism is how Accord signs in to a mail server.
type Mechanism string

// The mechanisms.
const (
	// Password signs in with a user name and password (IMAP LOGIN or
	// AUTHENTICATE PLAIN, SMTP AUTH PLAIN or LOGIN).
	Password Mechanism = "password"
	// XOAUTH2 is Google's and Microsoft's SASL mechanism for an OAuth 2.0
	// access token.
	XOAUTH2 Mechanism = "xoauth2"
	// OAuthBearer is the standard SASL mechanism for an OAuth 2.0 bearer
	// token (RFC 7628).
	OAuthBearer Mechanism = "oauthbearer"
)

// ParseMechanism reads a mechanism as configured; "" means automatic.
func ParseMechanism(s string) (Mechanism, error) {
	switch m := Mechanism(strings.ToLower(s)); m {
	case "", Password, XOAUTH2, OAuthBearer:
		return m, nil
	}
	return "", fmt.Errorf("%q is not a sign-in method; use password, xoauth2 or oauthbearer", s)
}

// SASLName is the mechanism's name in AUTHENTICATE and AUTH commands.
func (m Mechanism) SASLName() string {
	switch m {
	case XOAUTH2:
		return "XOAUTH2"
	case OAuthBearer:
		return sasl.OAuthBearer
	}
	return ""
}

// Choose picks the token mechanism for a server from what it advertises
// (SASL names, any case): OAUTHBEARER, the standard one, before XOAUTH2.
// want, when not empty, is the operator's choice and wins if offered.
func Choose(want Mechanism, offered []string) (Mechanism, error) {
	has := func(m Mechanism) bool {
		for _, o := range offered {
			if strings.EqualFold(o, m.SASLName()) {
				return true
			}
		}
		return false
	}
	if want != "" && want != Password {
		if !has(want) {
			return "", fmt.Errorf("the server does not offer %s (it offers %s)", want.SASLName(), strings.Join(offered, " "))
		}
		return want, nil
	}
	for _, m := range []Mechanism{OAuthBearer, XOAUTH2} {
		if has(m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("the server offers no OAuth sign-in (it offers %s)", strings.Join(offered, " "))
}

// Client is a SASL client that signs in with an access token, for
// go-imap's Authenticate.
func Client(m Mechanism, user, token, host string, port int) sasl.Client {
	if m == OAuthBearer {
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: user, Token: token, Host: host, Port: port})
	}
	return &xoauth2{user: user, token: token}
}

// xoauth2 is the XOAUTH2 client: one message carrying the user and the
// token; a server that refuses it sends a JSON error first, which is
// answered with an empty response so that it ends the exchange.
type xoauth2 struct {
	user, token string
	failed      error
}

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	x.failed = tokenRefused(challenge)
	return []byte{}, nil
}

// tokenRefused reads the JSON error a server sends when it refuses a
// token, for the log; the token itself is never in it.
func tokenRefused(challenge []byte) error {
	var e struct {
		Status string `json:"status"`
		Scope  string `json:"scope"`
	}
	if json.Unmarshal(challenge, &e) == nil && e.Status != "" {
		return fmt.Errorf("the server refused the access token (status %s)", e.Status)
	}
	return errors.New("the server refused the access token")
}

// SMTP is an SMTP AUTH client for go-mail that asks Tokens for a current
// access token at every sign-in, so a new connection never uses one that
// has expired. One SMTP serves every connection of a sender at once.
type SMTP struct {
	Mechanism Mechanism
	User      string
	Tokens    *Tokens
	Host      string
	Port      int
	// Timeout bounds fetching a token; default 30 s.
	Timeout time.Duration

	mu     sync.Mutex
	chosen Mechanism // what the server was last asked for
}

var _ smtp.Auth = (*SMTP)(nil)

// Start begins the exchange with a fresh token. The mechanism must be one
// the server advertised: when it is not, the error says which it offers.
func (s *SMTP) Start(server *smtp.ServerInfo) (string, []byte, error) {
	m, err := Choose(s.Mechanism, server.Auth)
	if err != nil {
		return "", nil, err
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tok, err := s.Tokens.Token(ctx)
	if err != nil {
		return "", nil, err
	}
	s.mu.Lock()
	s.chosen = m
	s.mu.Unlock()
	return Client(m, s.User, tok, s.Host, s.Port).Start()
}

// Next answers a challenge: for a token mechanism that is only the
// server's report that it refused the token, which is acknowledged so the
// server can end the exchange with its error.
func (s *SMTP) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	s.mu.Lock()
	m := s.chosen
	s.mu.Unlock()
	if m == OAuthBearer {
		// RFC 7628 section 3.2.3: the client answers the error with ^A.
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}
