package mailtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one mail transaction the Sink accepted.
type Message struct {
	// From is the reverse path given in MAIL FROM, without angle brackets
	// (empty for the null sender "<>").
	From string
	// To lists the recipients whose RCPT TO was accepted, in the order the
	// client sent them, without angle brackets.
	To []string
	// Data is the message exactly as it arrived after DATA: CRLF line
	// endings kept, dot-stuffing removed, end-of-data marker not included.
	Data []byte
	// MessageID is the value of the Message-ID header found in Data's
	// header block, angle brackets included, or "" when there is none.
	MessageID string
}

// Sink is a plain-text SMTP server on 127.0.0.1 for tests. It records every
// message it accepts and answers each recipient according to a script set
// with Script. All methods are safe for concurrent use, also while clients
// are connected.
type Sink struct {
	srv *smtp.Server
	ln  net.Listener

	conns atomic.Int64
	// down, while set, closes every new connection before the greeting.
	down atomic.Bool
	// clientTLS trusts the Sink's certificate, when it has one.
	clientTLS *tls.Config

	mu           sync.Mutex
	haveCreds    bool
	user         string
	pass         string
	failAuth     bool
	refuseFrom   string
	refuseAtData bool
	scripts      map[string][]step // by normalised recipient
	attempts     map[string]int    // by normalised recipient
	received     []Message
}

// NewSink starts a Sink on a random port of 127.0.0.1 and registers a
// cleanup on t that stops it and closes every open connection. It fails the
// test if it cannot listen.
//
// The server offers AUTH PLAIN and AUTH LOGIN without TLS, accepts messages
// up to 50 MB and 50 recipients per transaction, and gives up on a silent
// client after 30 s.
func NewSink(t testing.TB) *Sink {
	t.Helper()
	return newSink(t, "")
}

// TLS modes of a Sink.
const (
	ImplicitTLS = "implicit" // TLS from the first byte, as on port 465
	StartTLS    = "starttls" // plain greeting, STARTTLS offered, as on 587
)

// NewTLSSink is a Sink speaking TLS (ImplicitTLS or StartTLS) with a
// certificate made up for 127.0.0.1; ClientTLS trusts it.
func NewTLSSink(t testing.TB, mode string) *Sink {
	t.Helper()
	if mode != ImplicitTLS && mode != StartTLS {
		t.Fatalf("mailtest: TLS mode %q: use ImplicitTLS or StartTLS", mode)
	}
	return newSink(t, mode)
}

// ClientTLS is a client configuration that trusts this Sink's certificate;
// nil for a plain Sink.
func (s *Sink) ClientTLS() *tls.Config { return s.clientTLS }

func newSink(t testing.TB, tlsMode string) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
		return nil
	}
	s := &Sink{
		ln:       ln,
		scripts:  make(map[string][]step),
		attempts: make(map[string]int),
	}
	var serverTLS *tls.Config
	if tlsMode != "" {
		serverTLS, s.clientTLS, err = selfSigned()
		if err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	if tlsMode == StartTLS {
		srv.TLSConfig = serverTLS
	}
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 50 << 20
	srv.MaxRecipients = 50
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv = srv

	served := make(chan struct{})
	go func() {
		defer close(served)
		var l net.Listener = countingListener{Listener: ln, n: &s.conns, down: &s.down}
		if tlsMode == ImplicitTLS {
			l = tls.NewListener(l, serverTLS)
		}
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		// srv.Close closes the listeners Serve has registered, but Serve
		// may not have registered ours yet, so close it directly too.
		_ = srv.Close()
		_ = ln.Close()
		<-served
	})
	return s
}

// Addr returns the address the Sink listens on, as "127.0.0.1:PORT".
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Host returns the host part of Addr, "127.0.0.1".
func (s *Sink) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the TCP port the Sink listens on.
func (s *Sink) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// SetCredentials makes the Sink demand authentication: AUTH succeeds only
// with this user name and password (otherwise 535 5.7.8), and MAIL FROM on a
// connection that has not authenticated is refused with 530 5.7.0. Without
// credentials, AUTH is optional and any user name and password pass.
func (s *Sink) SetCredentials(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.haveCreds, s.user, s.pass = true, user, pass
}

// FailAuth, when on, makes every AUTH attempt fail with 535 5.7.8, whatever
// the credentials. FailAuth(false) restores normal checking.
func (s *Sink) FailAuth(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAuth = on
}

// SetDown, while on, makes the Sink behave like a server that is down:
// every new connection is closed before the greeting. Connections already
// open carry on.
func (s *Sink) SetDown(on bool) { s.down.Store(on) }

// RefuseSenders makes the Sink refuse every reverse path that contains
// substr, as servers that only let a mailbox send as itself do: at MAIL
// FROM with 553 5.7.1 (Postfix's way), or, with atData, only at the end of
// DATA with 550 5.7.60 (Microsoft 365's). "" accepts every sender again.
func (s *Sink) RefuseSenders(substr string, atData bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseFrom, s.refuseAtData = substr, atData
}

// refusesSender reports whether from is refused, and at which stage.
func (s *Sink) refusesSender(from string) (refused, atData bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refuseFrom != "" && strings.Contains(from, s.refuseFrom), s.refuseAtData
}

// Script sets how the Sink answers the next delivery attempts to rcpt, one
// step per attempt, replacing steps still pending for that recipient. An
// attempt is a transaction whose RCPT TO names rcpt; the address is compared
// case-insensitively and surrounding angle brackets are ignored. Once the
// steps are used up, attempts are accepted. The steps are:
//
//   - "250": accept the recipient and record the message.
//   - "421": answer RCPT with "421 4.3.2 Service shutting down" and close
//     the connection.
//   - "451": answer RCPT with "451 4.3.0 Try again later".
//   - "452": answer RCPT with "452 4.2.2 Mailbox full, try later".
//   - "550 5.1.1": answer RCPT with "550 5.1.1 No such user here".
//   - "552": accept RCPT, read the whole body, then answer the end of DATA
//     with "552 5.3.4 Message too big"; nothing is recorded.
//   - "drop-after-data": accept RCPT, read the whole body, record the
//     message, then close the connection without any reply.
//   - "NNN text": answer RCPT with code NNN and text, where text may begin
//     with an enhanced status code such as "4.7.1". A 2xx code accepts like
//     "250", and a 421 code also closes the connection.
//
// When one transaction has recipients with different DATA-stage steps,
// "drop-after-data" wins over "552". Script panics on a step it does not
// understand.
func (s *Sink) Script(rcpt string, steps ...string) {
	parsed := make([]step, len(steps))
	for i, raw := range steps {
		st, err := parseStep(raw)
		if err != nil {
			panic(fmt.Sprintf("mailtest: Script(%q): %v", rcpt, err))
		}
		parsed[i] = st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[normAddr(rcpt)] = parsed
}

// Received returns a copy of the messages accepted so far, in the order the
// Sink accepted them.
func (s *Sink) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.received))
	for i, m := range s.received {
		out[i] = Message{
			From:      m.From,
			To:        append([]string(nil), m.To...),
			Data:      bytes.Clone(m.Data),
			MessageID: m.MessageID,
		}
	}
	return out
}

// WaitReceived polls until at least n messages were accepted and returns a
// copy of all of them. If that does not happen within timeout it fails the
// test with t.Fatalf (and returns nil should Fatalf return). Call it from
// the test's own goroutine.
func (s *Sink) WaitReceived(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		got := len(s.received)
		s.mu.Unlock()
		if got >= n {
			return s.Received()
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: got %d messages after %v, want at least %d", got, timeout, n)
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Attempts reports how many transactions reached RCPT TO for rcpt (compared
// like in Script), whatever the answer was.
func (s *Sink) Attempts(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[normAddr(rcpt)]
}

// Connections reports how many SMTP connections the Sink has accepted so
// far, including closed ones.
func (s *Sink) Connections() int { return int(s.conns.Load()) }

// normAddr is the key under which scripts and attempts are kept.
func normAddr(a string) string {
	a = strings.TrimSpace(a)
	a = strings.TrimPrefix(a, "<")
	a = strings.TrimSuffix(a, ">")
	return strings.ToLower(a)
}

// stepKind says what a script step does and at which stage.
type stepKind int

const (
	stepAccept    stepKind = iota // accept at RCPT, record the message
	stepRcptError                 // reply with an error at RCPT
	stepShutdown                  // reply at RCPT, then close the connection
	stepDataError                 // accept RCPT, reply with an error at DATA end
	stepDataDrop                  // accept RCPT, record, close without reply at DATA end
)

type step struct {
	kind stepKind
	err  *smtp.SMTPError // reply for the error and shutdown kinds
}

func parseStep(raw string) (step, error) {
	switch raw {
	case "250":
		return step{kind: stepAccept}, nil
	case "421":
		return step{kind: stepShutdown, err: smtpErr(421, 4, 3, 2, "Service shutting down")}, nil
	case "451":
		return step{kind: stepRcptError, err: smtpErr(451, 4, 3, 0, "Try again later")}, nil
	case "452":
		return step{kind: stepRcptError, err: smtpErr(452, 4, 2, 2, "Mailbox full, try later")}, nil
	case "550 5.1.1":
		return step{kind: stepRcptError, err: smtpErr(550, 5, 1, 1, "No such user here")}, nil
	case "552":
		return step{kind: stepDataError, err: smtpErr(552, 5, 3, 4, "Message too big")}, nil
	case "drop-after-data":
		return step{kind: stepDataDrop}, nil
	}

	codeStr, text, _ := strings.Cut(strings.TrimSpace(raw), " ")
	code, err := strconv.Atoi(codeStr)
	if err != nil || len(codeStr) != 3 {
		return step{}, fmt.Errorf("unknown step %q", raw)
	}
	switch code / 100 {
	case 2:
		return step{kind: stepAccept}, nil
	case 4, 5:
	default:
		return step{}, fmt.Errorf("step %q: code must be 2xx, 4xx or 5xx", raw)
	}
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode}
	text = strings.TrimSpace(text)
	if first, rest, _ := strings.Cut(text, " "); isEnhancedCode(first) {
		for i, p := range strings.Split(first, ".") {
			e.EnhancedCode[i], _ = strconv.Atoi(p)
		}
		text = strings.TrimSpace(rest)
	}
	if text == "" {
		text = "Scripted reply"
	}
	e.Message = text
	if code == 421 {
		return step{kind: stepShutdown, err: e}, nil
	}
	return step{kind: stepRcptError, err: e}, nil
}

func smtpErr(code, a, b, c int, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{a, b, c}, Message: msg}
}

// isEnhancedCode reports whether s looks like "x.y.z" (RFC 3463).
func isEnhancedCode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || len(p) > 3 {
			return false
		}
		if i == 0 && n != 2 && n != 4 && n != 5 {
			return false
		}
	}
	return true
}

// nextStep counts an attempt for rcpt and pops its next scripted step.
func (s *Sink) nextStep(rcpt string) step {
	key := normAddr(rcpt)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[key]++
	steps := s.scripts[key]
	if len(steps) == 0 {
		return step{kind: stepAccept}
	}
	s.scripts[key] = steps[1:]
	return steps[0]
}

func (s *Sink) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, m)
}

// checkAuth decides an AUTH attempt.
func (s *Sink) checkAuth(user, pass string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAuth || (s.haveCreds && (user != s.user || pass != s.pass)) {
		return smtp.ErrAuthFailed
	}
	return nil
}

func (s *Sink) authRequired() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.haveCreds
}

// countingListener counts accepted connections before go-smtp serves them,
// so the count is up to date by the time a client has read the greeting.
type countingListener struct {
	net.Listener
	n    *atomic.Int64
	down *atomic.Bool
}

func (l countingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return c, err
		}
		if l.down.Load() {
			// An outage as a client sees it: the connection ends before
			// any greeting.
			c.Close()
			continue
		}
		l.n.Add(1)
		return c, nil
	}
}

var errAuthRequired = smtpErr(530, 5, 7, 0, "Authentication required")

// session is the state of one SMTP connection.
type session struct {
	sink *Sink
	conn *smtp.Conn

	authed bool
	from   string
	rcpts  []string
	onData stepKind // stepAccept, stepDataError or stepDataDrop
	dataEr *smtp.SMTPError
}

func (s *Sink) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{sink: s, conn: c}, nil
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if err := ss.sink.checkAuth(user, pass); err != nil {
			return err
		}
		ss.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.authRequired() && !ss.authed {
		return errAuthRequired
	}
	if refuse, atData := ss.sink.refusesSender(from); refuse && !atData {
		return smtpErr(553, 5, 7, 1, "Sender address rejected: not owned by user")
	}
	ss.Reset()
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	st := ss.sink.nextStep(to)
	switch st.kind {
	case stepRcptError:
		return st.err
	case stepShutdown:
		// go-smtp writes the reply only after Rcpt returns and offers no
		// hook to close afterwards, so write the reply ourselves on the raw
		// connection and close it. go-smtp's own attempt to reply then fails
		// silently and its read loop ends on the closed connection.
		raw := ss.conn.Conn()
		_ = raw.SetWriteDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(raw, "%d %s\r\n", st.err.Code, errorText(st.err))
		_ = raw.Close()
		return st.err
	case stepDataDrop:
		ss.onData = stepDataDrop
	case stepDataError:
		if ss.onData != stepDataDrop {
			ss.onData, ss.dataEr = stepDataError, st.err
		}
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

// errorText renders e the way go-smtp would after the code.
func errorText(e *smtp.SMTPError) string {
	if e.EnhancedCode == smtp.NoEnhancedCode {
		return e.Message
	}
	c := e.EnhancedCode
	return fmt.Sprintf("%d.%d.%d %s", c[0], c[1], c[2], e.Message)
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if refuse, atData := ss.sink.refusesSender(ss.from); refuse && atData {
		return smtpErr(550, 5, 7, 60, "Client does not have permissions to send as this sender")
	}
	switch ss.onData {
	case stepDataError:
		return ss.dataEr
	case stepDataDrop:
		ss.sink.record(ss.message(data))
		// Close without a reply; go-smtp's reply then goes nowhere.
		_ = ss.conn.Conn().Close()
		return nil
	}
	ss.sink.record(ss.message(data))
	return nil
}

func (ss *session) message(data []byte) Message {
	return Message{
		From:      ss.from,
		To:        append([]string(nil), ss.rcpts...),
		Data:      data,
		MessageID: messageID(data),
	}
}

// messageID returns the Message-ID header of the header block of data, or ""
// if there is none.
func messageID(data []byte) string {
	// ReadMIMEHeader returns what it parsed even when the header block is
	// not properly terminated.
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader()
	return strings.TrimSpace(h.Get("Message-Id"))
}

func (ss *session) Reset() {
	ss.from = ""
	ss.rcpts = nil
	ss.onData = stepAccept
	ss.dataEr = nil
}

func (ss *session) Logout() error { return nil }

// loginServer is the server side of the (non-standard but common) LOGIN
// SASL mechanism, which go-sasl only implements for clients.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		if response == nil {
			l.step = 1
			return []byte("Username:"), false, nil
		}
		l.user, l.step = string(response), 2 // initial response is the user name
		return []byte("Password:"), false, nil
	case 1:
		l.user, l.step = string(response), 2
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		return nil, true, l.check(l.user, string(response))
	}
	return nil, false, sasl.ErrUnexpectedClientResponse
}

// selfSigned makes a short-lived certificate for 127.0.0.1 and localhost,
// returning the server's configuration and a client's that trusts it.
func selfSigned() (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mailtest sink"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client, nil
}
