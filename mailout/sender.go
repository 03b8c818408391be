package mailout

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"accord/mailout/mailauth"
)

// Security is how the connection to the SMTP server is protected.
type Security string

// The connection kinds an SMTP URL can ask for.
const (
	ImplicitTLS Security = "tls"      // smtps://, usually port 465
	StartTLS    Security = "starttls" // smtp+starttls://, usually port 587
	Plaintext   Security = "none"     // smtp://, port 25 or a local relay
)

// SMTPConfig says how to reach the outgoing mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Security Security
	Username string
	Password string
	// Auth is "plain" (default) or "login"; used when Username is set.
	Auth string
	// HelloName is the name given in EHLO; empty means the host name.
	HelloName string
	// Timeout bounds connecting and each SMTP exchange. Default 30 s.
	Timeout time.Duration
	// TLS overrides the TLS settings, for a private CA or tests.
	TLS *tls.Config
	// Connections is how many connections may be open at once. Default 2.
	Connections int
	// Tokens, when set, signs in with an OAuth 2.0 access token for
	// Username instead of the password, by Mechanism (XOAUTH2 or
	// OAUTHBEARER; empty picks what the server offers).
	Tokens    *mailauth.Tokens
	Mechanism mailauth.Mechanism
}

// ParseSMTPURL reads smtps://user@host:465, smtp+starttls://user@host:587 or
// smtp://host:25. A password in the URL is accepted but better kept in the
// environment.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return SMTPConfig{}, fmt.Errorf("%q is not an SMTP URL like smtps://user@mail.example.com:465", raw)
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtps":
		c.Security, c.Port = ImplicitTLS, 465
	case "smtp+starttls":
		c.Security, c.Port = StartTLS, 587
	case "smtp":
		c.Security, c.Port = Plaintext, 25
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL scheme %q: use smtps:// (TLS), smtp+starttls:// or smtp:// (no encryption)", u.Scheme)
	}
	c.Host = u.Hostname()
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return SMTPConfig{}, fmt.Errorf("SMTP URL port %q is not a port number", p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	switch a := u.Query().Get("auth"); a {
	case "", "plain", "login":
		c.Auth = a
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL auth=%q: use plain or login", a)
	}
	return c, nil
}

// Redacted is the config as a URL without the password, for logs.
func (c SMTPConfig) Redacted() string {
	scheme := map[Security]string{ImplicitTLS: "smtps", StartTLS: "smtp+starttls", Plaintext: "smtp"}[c.Security]
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.Username != "" {
		u.User = url.User(c.Username)
	}
	return u.String()
}

// SendError is a failed SMTP exchange, classified.
type SendError struct {
	// Stage is where it failed: connect, auth, mail, rcpt or data.
	Stage string
	// Code is the server's reply code; 0 when there was no reply (a
	// network failure or a dropped connection).
	Code int
	// Enhanced is the RFC 3463 status such as 5.1.1, when the server gave one.
	Enhanced string
	Err      error
}

func (e *SendError) Error() string { return e.Stage + ": " + e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may work: 4xx replies and
// network failures.
func (e *SendError) Temporary() bool { return e.Code == 0 || (e.Code >= 400 && e.Code < 500) }

// Unreachable reports a server that cannot be reached at all: no
// connection, or a greeting that refuses service (421). It says nothing
// about the message, which is retried as soon as the server answers.
func (e *SendError) Unreachable() bool {
	return e.Stage == "connect" && (e.Code == 0 || e.Code == 421)
}

// AuthFailed reports a login the server refused, which retrying cannot
// fix, or an OAuth grant that is gone until the operator signs in again.
func (e *SendError) AuthFailed() bool {
	return e.Code == 535 || (e.Stage == "auth" && e.Code >= 500) || e.GrantLost()
}

// GrantLost reports that no access token can be had until the operator
// runs accord mail login again.
func (e *SendError) GrantLost() bool {
	var ge *mailauth.GrantError
	return errors.As(e.Err, &ge)
}

// RecipientRejected reports a permanent refusal of the address itself, the
// kind that counts towards marking it bouncing.
func (e *SendError) RecipientRejected() bool {
	if e.Code < 500 {
		return false
	}
	return e.Stage == "rcpt" || strings.HasPrefix(e.Enhanced, "5.1.")
}

var enhancedPattern = regexp.MustCompile(`^([245]\.\d{1,3}\.\d{1,3})\b`)

func classify(stage string, err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	e := &SendError{Stage: stage, Err: err}
	if ge := (*mailauth.GrantError)(nil); errors.As(err, &ge) {
		e.Stage = "auth"
		return e
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		e.Code = te.Code
		if m := enhancedPattern.FindStringSubmatch(te.Msg); m != nil {
			e.Enhanced = m[1]
		}
		if stage == "connect" && strings.Contains(err.Error(), "AUTH") {
			e.Stage = "auth"
		}
	}
	return e
}

// Mailer delivers stored messages. *Sender is the SMTP one.
type Mailer interface {
	// Send delivers raw to one recipient and returns the server's reply.
	Send(ctx context.Context, from, to string, raw []byte) (string, error)
	// Probe connects and logs in without sending, to check credentials.
	Probe(ctx context.Context) error
}

// Sender delivers over SMTP, keeping a few connections open for reuse.
type Sender struct {
	cfg    SMTPConfig
	client *gomail.Client
	log    *slog.Logger
	slots  chan struct{}
	idle   chan *pooled
}

var _ Mailer = (*Sender)(nil)

type pooled struct {
	c        *smtp.Client
	lastUsed time.Time
	// signedInUntil is when the access token the connection signed in
	// with expires; zero with a password.
	signedInUntil time.Time
}

// NewSender checks the configuration; it does not connect yet.
func NewSender(cfg SMTPConfig, log *slog.Logger) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("mailout: no SMTP host")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Connections < 1 {
		cfg.Connections = 2
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout)}
	tlsConfig := cfg.TLS
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	switch cfg.Security {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSConfig(tlsConfig))
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(tlsConfig))
	case Plaintext:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("mailout: unknown SMTP security %q", cfg.Security)
	}
	if cfg.HelloName != "" {
		opts = append(opts, gomail.WithHELO(cfg.HelloName))
	}
	if cfg.Tokens != nil {
		opts = append(opts, gomail.WithSMTPAuthCustom(&mailauth.SMTP{Mechanism: cfg.Mechanism, User: cfg.Username,
			Tokens: cfg.Tokens, Host: cfg.Host, Port: cfg.Port, Timeout: cfg.Timeout}))
	} else if cfg.Username != "" {
		opts = append(opts, gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
		login := cfg.Auth == "login"
		switch {
		case cfg.Security == Plaintext && login:
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthLoginNoEnc))
		case cfg.Security == Plaintext:
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlainNoEnc))
		case login:
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthLogin))
		default:
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
		}
	} else {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthNoAuth))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mailout: SMTP client: %w", err)
	}
	return &Sender{
		cfg:    cfg,
		client: client,
		log:    log,
		slots:  make(chan struct{}, cfg.Connections),
		idle:   make(chan *pooled, cfg.Connections),
	}, nil
}

// idleCheck is how long a pooled connection may sit before it is tested
// with NOOP on reuse; servers drop idle clients after a few minutes.
const idleCheck = 20 * time.Second

// acquire takes a connection slot and returns a live connection: a pooled
// one that still answers, or a new one.
func (s *Sender) acquire(ctx context.Context) (*pooled, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		select {
		case p := <-s.idle:
			if !p.signedInUntil.IsZero() && !time.Now().Before(p.signedInUntil) {
				// Signed in with a token that has expired: sign in
				// afresh, so a revoked grant shows at once.
				p.c.Quit()
				continue
			}
			if time.Since(p.lastUsed) < idleCheck || p.c.Noop() == nil {
				return p, nil
			}
			p.c.Close()
			continue
		default:
		}
		c, err := s.dial(ctx)
		if err != nil {
			<-s.slots
			return nil, err
		}
		p := &pooled{c: c}
		if s.cfg.Tokens != nil {
			p.signedInUntil = s.cfg.Tokens.Expiry()
		}
		return p, nil
	}
}

// UsesOAuth reports whether the sender signs in with OAuth access tokens.
func (s *Sender) UsesOAuth() bool { return s.cfg.Tokens != nil }

// dial opens a connection and signs in. With OAuth, a token the server
// refuses (revoked early, or expired in transit) is replaced and the
// sign-in tried once more.
func (s *Sender) dial(ctx context.Context) (*smtp.Client, error) {
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err == nil {
		return c, nil
	}
	se := classify("connect", err)
	if s.cfg.Tokens == nil || !se.AuthFailed() || se.GrantLost() {
		return nil, se
	}
	s.cfg.Tokens.Invalidate()
	c, err = s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, classify("connect", err)
	}
	return c, nil
}

// release returns a connection to the pool, or closes it when it cannot be
// trusted for another message.
func (s *Sender) release(p *pooled, keep bool) {
	if keep {
		p.lastUsed = time.Now()
		select {
		case s.idle <- p:
		default:
			p.c.Quit()
		}
	} else {
		p.c.Close()
	}
	<-s.slots
}

// Send delivers raw, byte for byte, to one recipient.
func (s *Sender) Send(ctx context.Context, from, to string, raw []byte) (string, error) {
	p, err := s.acquire(ctx)
	if err != nil {
		return "", err
	}
	reply, err := s.transact(p.c, from, to, raw)
	keep := err == nil
	var se *SendError
	if errors.As(err, &se) && se.Code != 0 && se.Code != 421 {
		// The server answered and the connection is fine: clear the
		// transaction and keep using it.
		keep = p.c.Reset() == nil
	}
	s.release(p, keep)
	return reply, err
}

func (s *Sender) transact(c *smtp.Client, from, to string, raw []byte) (string, error) {
	if err := c.UpdateDeadline(s.cfg.Timeout); err != nil {
		return "", classify("mail", err)
	}
	if err := c.Mail("<" + from + ">"); err != nil {
		return "", classify("mail", err)
	}
	if err := c.Rcpt("<" + to + ">"); err != nil {
		return "", classify("rcpt", err)
	}
	w, err := c.Data()
	if err != nil {
		return "", classify("data", err)
	}
	if _, err := w.Write(raw); err != nil {
		w.Close()
		return "", classify("data", err)
	}
	if err := w.Close(); err != nil {
		return "", classify("data", err)
	}
	reply := ""
	if dc, ok := w.(*smtp.DataCloser); ok {
		reply = dc.ServerResponse()
	}
	return reply, nil
}

// Probe connects and logs in, then says goodbye.
func (s *Sender) Probe(ctx context.Context) error {
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	c.Quit()
	return nil
}

// Close says goodbye on every idle connection.
func (s *Sender) Close() {
	for {
		select {
		case p := <-s.idle:
			p.c.Quit()
		default:
			return
		}
	}
}

// Describe names the server, without secrets, for messages.
func (s *Sender) Describe() string { return s.cfg.Redacted() }
