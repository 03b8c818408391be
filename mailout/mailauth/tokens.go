package mailauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Source fetches access tokens from an authorization server. The grants
// themselves are golang.org/x/oauth2's; a Source only says which one and
// with what.
type Source interface {
	// Fetch gets a new token. prev is the token held so far (nil at
	// first); grants that refresh read its refresh token.
	Fetch(ctx context.Context, prev *oauth2.Token) (*oauth2.Token, error)
	// Describe names the source for operators, without secrets.
	Describe() string
	// Delegated reports whether the source refreshes a grant a person
	// gave (accord mail login), rather than signing in as an application.
	Delegated() bool
}

// TokenStore keeps a delegated grant's token between runs, where only the
// service's owner can read it. Rotated refresh tokens are saved at once:
// some servers take the old one back when they hand out a new one.
type TokenStore interface {
	Load(ctx context.Context) (*oauth2.Token, error)
	Save(ctx context.Context, t *oauth2.Token) error
}

// ErrNoToken is what a TokenStore's Load returns before the first login.
var ErrNoToken = errors.New("mailauth: no token stored yet")

// GrantError means the authorization server will not give tokens any more
// without a person: the grant was revoked or has expired, or there never
// was one. Mail waits until the operator signs in again.
type GrantError struct {
	// Code is the OAuth error code, such as invalid_grant.
	Code string
	// Err is the server's answer or the store's.
	Err error
}

func (e *GrantError) Error() string {
	if e.Code == "" {
		return "no sign-in to the mailbox yet; run accord mail login"
	}
	return fmt.Sprintf("the mailbox sign-in was revoked or has expired (%s); run accord mail login again", e.Code)
}

func (e *GrantError) Unwrap() error { return e.Err }

// Tokens hands out a current access token, fetching a new one shortly
// before the one held expires, or at once after a server refused it.
// It is safe for concurrent use: the poller and the outbox share one.
type Tokens struct {
	Source Source
	// Store keeps a delegated grant's token; nil keeps nothing.
	Store TokenStore
	// Early is how long before its expiry a token is replaced; default
	// 2 minutes, or a fifth of the token's life when that is shorter, so
	// a login never carries a token about to expire.
	Early time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnFetch, when set, hears of every token fetched.
	OnFetch func()

	mu     sync.Mutex
	held   *oauth2.Token
	life   time.Duration // how long the last token was good for
	loaded bool
	grant  *GrantError // set while the grant is unusable
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Token returns an access token good for at least Early more.
func (t *Tokens) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	early := t.Early
	if early == 0 {
		early = min(2*time.Minute, t.life/5)
	}
	if t.held != nil && t.held.AccessToken != "" && (t.held.Expiry.IsZero() || t.now().Add(early).Before(t.held.Expiry)) {
		return t.held.AccessToken, nil
	}
	if err := t.load(ctx); err != nil {
		return "", err
	}
	tok, err := t.Source.Fetch(ctx, t.held)
	if err != nil {
		if ge := grantError(err); ge != nil {
			t.grant = ge
			return "", ge
		}
		return "", fmt.Errorf("mailauth: get an access token from %s: %w", t.Source.Describe(), err)
	}
	if tok.RefreshToken == "" && t.held != nil {
		// Most servers give a new refresh token only now and then.
		tok.RefreshToken = t.held.RefreshToken
	}
	rotated := t.held == nil || tok.RefreshToken != t.held.RefreshToken
	t.held, t.grant = tok, nil
	if !tok.Expiry.IsZero() {
		t.life = tok.Expiry.Sub(t.now())
	}
	if t.OnFetch != nil {
		t.OnFetch()
	}
	if t.Store != nil && t.Source.Delegated() && rotated && tok.RefreshToken != "" {
		if err := t.Store.Save(ctx, tok); err != nil {
			return "", fmt.Errorf("mailauth: save the new refresh token: %w", err)
		}
	}
	return tok.AccessToken, nil
}

// load reads a delegated grant's stored token, once, and again while the
// grant is known to be unusable (an operator may have signed in since).
func (t *Tokens) load(ctx context.Context) error {
	if t.Store == nil || !t.Source.Delegated() || (t.loaded && t.grant == nil) {
		return nil
	}
	tok, err := t.Store.Load(ctx)
	switch {
	case errors.Is(err, ErrNoToken):
		t.grant = &GrantError{Err: err}
		return t.grant
	case err != nil:
		return fmt.Errorf("mailauth: read the stored sign-in: %w", err)
	}
	if t.grant != nil && t.held != nil && tok.RefreshToken == t.held.RefreshToken {
		return t.grant // nothing new since it was refused
	}
	t.held, t.loaded = tok, true
	return nil
}

// Expiry is when the access token held expires; zero when none is held
// or it does not say.
func (t *Tokens) Expiry() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.held == nil || t.held.AccessToken == "" {
		return time.Time{}
	}
	return t.held.Expiry
}

// Invalidate drops the access token held, after a server refused it: the
// next Token fetches a new one.
func (t *Tokens) Invalidate() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.held != nil {
		t.held.AccessToken = ""
	}
}

// Grant reports why tokens cannot be had without a person, or nil.
func (t *Tokens) Grant() *GrantError {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.grant
}

// grantError recognises the answers that mean a person must sign in again
// (RFC 6749 section 5.2).
func grantError(err error) *GrantError {
	var ge *GrantError
	if errors.As(err, &ge) {
		return ge
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "invalid_grant", "interaction_required", "consent_required", "login_required":
			return &GrantError{Code: re.ErrorCode, Err: err}
		}
	}
	return nil
}
