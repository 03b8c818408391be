package mailtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// OAuth is an OAuth 2.0 authorization server on loopback, for the tests of
// Accord's mailbox sign-in: it hands out access tokens by the client
// credentials, refresh token, device code (RFC 8628) and JWT bearer
// (RFC 7523, as Google service accounts use it) grants, and answers token
// introspection (RFC 7662) so that Dovecot can check the tokens it is
// shown. Access tokens live AccessTTL; refresh tokens are rotated on use
// when Rotate is set, and the old one stops working.
type OAuth struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string

	mu        sync.Mutex
	ttl       time.Duration
	rotate    bool
	clients   map[string]oauthClient    // by client id
	access    map[string]oauthGrant     // access token → grant
	refresh   map[string]oauthGrant     // live refresh token → grant
	devices   map[string]*oauthDevice   // device code → request
	userCodes map[string]*oauthDevice   // user code → request
	saKeys    map[string]*rsa.PublicKey // service account e-mail → key
	counts    map[string]int            // grant type → tokens issued
	codes     map[string]oauthCode      // authorization code → request
	signedIn  string                    // who approves at /authorize
}

type oauthCode struct {
	client, user, redirect, challenge string
}

type oauthClient struct {
	secret string
	user   string // the mailbox its client-credentials tokens are for
	cert   *x509.Certificate
}

type oauthGrant struct {
	client, user string
	expires      time.Time
}

type oauthDevice struct {
	client, userCode string
	user             string // set when approved
	expires          time.Time
}

// NewOAuth starts the server on addr ("127.0.0.1:0" for any port) and
// stops it when the test ends.
func NewOAuth(t testing.TB, addr string) *OAuth {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("mailtest: OAuth server: listen on %s: %v", addr, err)
	}
	o := &OAuth{URL: "http://" + ln.Addr().String(), ttl: time.Hour, clients: map[string]oauthClient{},
		access: map[string]oauthGrant{}, refresh: map[string]oauthGrant{}, devices: map[string]*oauthDevice{},
		userCodes: map[string]*oauthDevice{}, saKeys: map[string]*rsa.PublicKey{}, counts: map[string]int{}, codes: map[string]oauthCode{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", o.token)
	mux.HandleFunc("POST /device", o.device)
	mux.HandleFunc("POST /introspect", o.introspect)
	mux.HandleFunc("GET /authorize", o.authorize)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return o
}

// TokenURL, DeviceURL and AuthURL are the grant endpoints.
func (o *OAuth) TokenURL() string  { return o.URL + "/token" }
func (o *OAuth) DeviceURL() string { return o.URL + "/device" }
func (o *OAuth) AuthURL() string   { return o.URL + "/authorize" }

// SignIn sets who is signed in at the authorization endpoint: a browser
// sent there is approved as that user and sent back with a code (PKCE
// S256 required, RFC 7636).
func (o *OAuth) SignIn(user string) { o.mu.Lock(); o.signedIn = user; o.mu.Unlock() }

func (o *OAuth) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.clients[q.Get("client_id")]; !ok || o.signedIn == "" || q.Get("response_type") != "code" ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := randomToken("code")
	o.codes[code] = oauthCode{client: q.Get("client_id"), user: o.signedIn, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
	to, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	back := to.Query()
	back.Set("code", code)
	back.Set("state", q.Get("state"))
	to.RawQuery = back.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
}

// SetAccessTTL sets how long access tokens issued from now on live.
func (o *OAuth) SetAccessTTL(d time.Duration) { o.mu.Lock(); o.ttl = d; o.mu.Unlock() }

// SetRotate makes every refresh hand out a new refresh token and end the
// old one.
func (o *OAuth) SetRotate(on bool) { o.mu.Lock(); o.rotate = on; o.mu.Unlock() }

// AddClient registers an application. Its client-credentials tokens are
// for the mailbox user.
func (o *OAuth) AddClient(id, secret, user string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.clients[id] = oauthClient{secret: secret, user: user}
}

// ClientCertificate registers an application that proves itself with a
// certificate (a signed client assertion, RFC 7523 section 2.2, with the
// certificate's SHA-1 thumbprint as x5t, as Microsoft Entra wants it), and
// returns the path of a PEM file with the certificate and its key.
func (o *OAuth) ClientCertificate(t testing.TB, id, user string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: id},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	o.mu.Lock()
	o.clients[id] = oauthClient{user: user, cert: cert}
	o.mu.Unlock()
	path := filepath.Join(t.TempDir(), id+".pem")
	body := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	body = append(body, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})...)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ServiceAccount makes a service account and returns its JSON key file,
// in Google's format, with this server as token_uri.
func (o *OAuth) ServiceAccount(t testing.TB, email string) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	o.saKeys[email] = &key.PublicKey
	o.mu.Unlock()
	b, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": email, "private_key_id": "k1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "token_uri": o.TokenURL()})
	return b
}

// Grant gives a person's grant to a client directly, as a finished login
// would, and returns its refresh token.
func (o *OAuth) Grant(client, user string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	rt := randomToken("rt")
	o.refresh[rt] = oauthGrant{client: client, user: user}
	return rt
}

// Approve plays the person who opens the verification page, signs in as
// user and enters the code the device flow showed them.
func (o *OAuth) Approve(userCode, user string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d := o.userCodes[strings.ToUpper(strings.TrimSpace(userCode))]
	if d == nil {
		return fmt.Errorf("mailtest: no device code is waiting for user code %q", userCode)
	}
	d.user = user
	return nil
}

// RevokeAll ends every grant: refresh tokens stop working, and access
// tokens already out stop passing introspection.
func (o *OAuth) RevokeAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.refresh)
	clear(o.access)
}

// Issued counts the tokens handed out by grant type ("client_credentials",
// "refresh_token", "device_code", "jwt-bearer").
func (o *OAuth) Issued(grant string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[grant]
}

func randomToken(prefix string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// oauthError answers as RFC 6749 section 5.2 says.
func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code})
}

// client checks the client's credentials: a secret in the Authorization
// header or the form, or a signed client assertion.
func (o *OAuth) client(r *http.Request) (string, bool) {
	if a := r.PostForm.Get("client_assertion"); a != "" {
		id := r.PostForm.Get("client_id")
		c, known := o.clients[id]
		return id, known && c.cert != nil && o.checkClientAssertion(a, id, c.cert) == nil
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, known := o.clients[id]
	return id, known && c.cert == nil && c.secret == secret
}

// checkClientAssertion verifies an application's signed assertion: its
// signature, the certificate's thumbprint, audience, issuer and time.
func (o *OAuth) checkClientAssertion(assertion, id string, cert *x509.Certificate) error {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	var header struct {
		Alg, X5t string
	}
	var claims struct {
		Aud, Iss, Sub string
		Exp, Nbf      int64
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || json.Unmarshal(h, &header) != nil || json.Unmarshal(c, &claims) != nil {
		return fmt.Errorf("unreadable assertion")
	}
	thumb := sha1.Sum(cert.Raw)
	now := time.Now().Unix()
	if header.Alg != "RS256" || header.X5t != base64.RawURLEncoding.EncodeToString(thumb[:]) || claims.Aud != o.TokenURL() ||
		claims.Iss != id || claims.Sub != id || now > claims.Exp || now+60 < claims.Nbf {
		return fmt.Errorf("wrong header or claims")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig)
}

func (o *OAuth) issue(w http.ResponseWriter, grant, client, user string, withRefresh bool) {
	at := randomToken("at")
	o.access[at] = oauthGrant{client: client, user: user, expires: time.Now().Add(o.ttl)}
	o.counts[grant]++
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": int(o.ttl.Seconds())}
	if withRefresh {
		rt := randomToken("rt")
		o.refresh[rt] = oauthGrant{client: client, user: user}
		resp["refresh_token"] = rt
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func (o *OAuth) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
		id, ok := o.client(r)
		if !ok {
			oauthError(w, http.StatusUnauthorized, "invalid_client")
			return
		}
		o.issue(w, gt, id, o.clients[id].user, false)
	case "refresh_token":
		id, ok := o.client(r)
		if !ok {
			oauthError(w, http.StatusUnauthorized, "invalid_client")
			return
		}
		rt := r.PostForm.Get("refresh_token")
		g, live := o.refresh[rt]
		if !live || g.client != id {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		if o.rotate {
			delete(o.refresh, rt)
			o.issue(w, gt, id, g.user, true)
			return
		}
		o.issue(w, gt, id, g.user, false)
	case "authorization_code":
		id, ok := o.client(r)
		c, known := o.codes[r.PostForm.Get("code")]
		delete(o.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok:
			oauthError(w, http.StatusUnauthorized, "invalid_client")
		case !known || c.client != id || c.redirect != r.PostForm.Get("redirect_uri") ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
			oauthError(w, http.StatusBadRequest, "invalid_grant")
		default:
			o.issue(w, gt, id, c.user, true)
		}
	case "urn:ietf:params:oauth:grant-type:device_code":
		d := o.devices[r.PostForm.Get("device_code")]
		switch {
		case d == nil || time.Now().After(d.expires):
			oauthError(w, http.StatusBadRequest, "expired_token")
		case d.user == "":
			oauthError(w, http.StatusBadRequest, "authorization_pending")
		default:
			delete(o.devices, r.PostForm.Get("device_code"))
			delete(o.userCodes, d.userCode)
			o.issue(w, "device_code", d.client, d.user, true)
		}
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		user, err := o.checkAssertion(r.PostForm.Get("assertion"))
		if err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		o.issue(w, "jwt-bearer", "service-account", user, false)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

// checkAssertion verifies a service account's signed JWT (RS256) and
// returns the mailbox it asks to act for.
func (o *OAuth) checkAssertion(assertion string) (string, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	key := o.saKeys[claims.Iss]
	if key == nil || claims.Aud != o.TokenURL() || time.Now().Unix() > claims.Exp {
		return "", fmt.Errorf("unknown issuer, wrong audience or expired")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return "", err
	}
	if claims.Sub == "" {
		return claims.Iss, nil
	}
	return claims.Sub, nil
}

func (o *OAuth) device(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	id := r.PostForm.Get("client_id")
	if _, ok := o.clients[id]; !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	d := &oauthDevice{client: id, userCode: strings.ToUpper(randomToken("")[1:9]), expires: time.Now().Add(10 * time.Minute)}
	code := randomToken("dc")
	o.devices[code], o.userCodes[d.userCode] = d, d
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"device_code": code, "user_code": d.userCode,
		"verification_uri": o.URL + "/verify", "expires_in": 600, "interval": 1})
}

// introspect answers RFC 7662 for Dovecot: active, and whose the token is.
func (o *OAuth) introspect(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	o.mu.Lock()
	g, ok := o.access[r.PostForm.Get("token")]
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok || time.Now().After(g.expires) {
		json.NewEncoder(w).Encode(map[string]any{"active": false})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"active": true, "username": g.user, "client_id": g.client, "exp": g.expires.Unix()})
}
