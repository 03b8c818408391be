package mailtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"
)

// conn is a go-mail low-level client plus the raw connection under it, so
// tests can check whether the server closed the connection.
type conn struct {
	*smtp.Client
	raw net.Conn
}

// dial connects to the sink, reads the greeting and says EHLO.
func dial(t *testing.T, s *Sink) *conn {
	t.Helper()
	raw, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = raw.SetDeadline(time.Now().Add(20 * time.Second))
	c, err := smtp.NewClient(raw, s.Host())
	if err != nil {
		_ = raw.Close()
		t.Fatalf("greeting: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Hello("client.test"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	return &conn{Client: c, raw: raw}
}

// send runs one transaction. It returns the stage that failed ("mail",
// "rcpt", "data", "data-end" or "" on success) and its error. Rejected
// recipients are skipped as long as one is accepted, like a real client.
func (c *conn) send(from string, to []string, body string) (string, error) {
	if err := c.Mail("<" + from + ">"); err != nil {
		return "mail", err
	}
	var rcptErr error
	accepted := 0
	for _, r := range to {
		if err := c.Rcpt("<" + r + ">"); err != nil {
			rcptErr = err
			continue
		}
		accepted++
	}
	if accepted == 0 {
		return "rcpt", rcptErr
	}
	w, err := c.Data()
	if err != nil {
		return "data", err
	}
	if _, err := io.WriteString(w, body); err != nil {
		return "data", err
	}
	if err := w.Close(); err != nil {
		return "data-end", err
	}
	return "", rcptErr
}

// replyOf returns the SMTP reply carried by err, or fails the test.
func replyOf(t *testing.T, err error) *textproto.Error {
	t.Helper()
	var te *textproto.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not an SMTP reply", err, err)
	}
	return te
}

// assertClosed checks that the server closed the connection: reading the
// raw connection must end (EOF or reset) rather than time out.
func assertClosed(t *testing.T, c *conn) {
	t.Helper()
	_ = c.raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.raw.Read(make([]byte, 64))
	if err == nil {
		t.Fatalf("connection still open: read %d bytes", n)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("connection still open: read timed out")
	}
}

func assertOpen(t *testing.T, c *conn) {
	t.Helper()
	if err := c.Noop(); err != nil {
		t.Fatalf("NOOP after the step: %v; want the connection to stay usable", err)
	}
}

func body(id string) string {
	return "From: a@example.com\r\nMessage-ID: " + id + "\r\nSubject: hi\r\n\r\nHello.\r\n"
}

func TestScriptSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		step      string
		wantStage string // where the client sees the error; "" for success
		wantCode  int
		wantMsg   string // reply text after the code
		wantEOF   bool   // client sees a dropped connection instead of a reply
		recorded  bool
		closed    bool
	}{
		{step: "250", recorded: true},
		{step: "421", wantStage: "rcpt", wantCode: 421, wantMsg: "4.3.2 Service shutting down", closed: true},
		{step: "451", wantStage: "rcpt", wantCode: 451, wantMsg: "4.3.0 Try again later"},
		{step: "452", wantStage: "rcpt", wantCode: 452, wantMsg: "4.2.2 Mailbox full, try later"},
		{step: "550 5.1.1", wantStage: "rcpt", wantCode: 550, wantMsg: "5.1.1 No such user here"},
		{step: "552", wantStage: "data-end", wantCode: 552, wantMsg: "5.3.4 Message too big"},
		{step: "drop-after-data", wantStage: "data-end", wantEOF: true, recorded: true, closed: true},
		{step: "451 4.7.1 Greylisted, come back later", wantStage: "rcpt", wantCode: 451, wantMsg: "4.7.1 Greylisted, come back later"},
		{step: "554 Transaction failed", wantStage: "rcpt", wantCode: 554, wantMsg: "Transaction failed"},
		{step: "421 4.7.0 Too many connections", wantStage: "rcpt", wantCode: 421, wantMsg: "4.7.0 Too many connections", closed: true},
		{step: "251 User not local; will forward", recorded: true},
	}
	for _, tc := range tests {
		t.Run(tc.step, func(t *testing.T) {
			t.Parallel()
			s := NewSink(t)
			const rcpt = "bob@example.com"
			s.Script(rcpt, tc.step)

			c := dial(t, s)
			stage, err := c.send("alice@example.com", []string{rcpt}, body("<m1@test>"))
			if stage != tc.wantStage {
				t.Fatalf("failed at stage %q (%v), want %q", stage, err, tc.wantStage)
			}
			switch {
			case tc.wantEOF:
				var te *textproto.Error
				if err == nil || errors.As(err, &te) {
					t.Fatalf("closing DATA: got %v, want a dropped connection", err)
				}
			case tc.wantCode != 0:
				te := replyOf(t, err)
				if te.Code != tc.wantCode || te.Msg != tc.wantMsg {
					t.Fatalf("reply %d %q, want %d %q", te.Code, te.Msg, tc.wantCode, tc.wantMsg)
				}
			case err != nil:
				t.Fatalf("send: %v", err)
			}
			if tc.closed {
				assertClosed(t, c)
			} else {
				assertOpen(t, c)
			}

			got := s.Received()
			if tc.recorded {
				if len(got) != 1 || got[0].MessageID != "<m1@test>" {
					t.Fatalf("received %+v, want the one message", got)
				}
			} else if len(got) != 0 {
				t.Fatalf("received %d messages, want none", len(got))
			}
			if n := s.Attempts(rcpt); n != 1 {
				t.Fatalf("Attempts = %d, want 1", n)
			}

			// The script is used up: the next attempt, on a new
			// connection, is accepted.
			c2 := dial(t, s)
			if stage, err := c2.send("alice@example.com", []string{rcpt}, body("<m2@test>")); err != nil {
				t.Fatalf("retry failed at %s: %v", stage, err)
			}
			got = s.Received()
			if len(got) == 0 || got[len(got)-1].MessageID != "<m2@test>" {
				t.Fatalf("retry not recorded: %+v", got)
			}
			if n := s.Attempts(rcpt); n != 2 {
				t.Fatalf("Attempts after retry = %d, want 2", n)
			}
			if n := s.Connections(); n != 2 {
				t.Fatalf("Connections = %d, want 2", n)
			}
		})
	}
}

func TestScriptSequenceOnOneConnection(t *testing.T) {
	t.Parallel()
	s := NewSink(t)
	s.Script("Carol@Example.COM", "451", "452", "250", "550 5.1.1")
	c := dial(t, s)

	wantCodes := []int{451, 452, 0, 550, 0, 0}
	for i, want := range wantCodes {
		stage, err := c.send("a@example.com", []string{"carol@example.com"}, body(fmt.Sprintf("<seq%d@test>", i)))
		if want == 0 {
			if err != nil {
				t.Fatalf("attempt %d failed at %s: %v", i, stage, err)
			}
			continue
		}
		if stage != "rcpt" || replyOf(t, err).Code != want {
			t.Fatalf("attempt %d: stage %q err %v, want %d at rcpt", i, stage, err, want)
		}
		if err := c.Reset(); err != nil {
			t.Fatalf("RSET: %v", err)
		}
	}
	if n := s.Attempts("<CAROL@example.com>"); n != len(wantCodes) {
		t.Fatalf("Attempts = %d, want %d", n, len(wantCodes))
	}
	var ids []string
	for _, m := range s.Received() {
		ids = append(ids, m.MessageID)
	}
	if want := []string{"<seq2@test>", "<seq4@test>", "<seq5@test>"}; !slices.Equal(ids, want) {
		t.Fatalf("received %v, want %v", ids, want)
	}
	if n := s.Connections(); n != 1 {
		t.Fatalf("Connections = %d, want 1", n)
	}
}

func TestScriptReplacesPendingSteps(t *testing.T) {
	t.Parallel()
	s := NewSink(t)
	s.Script("d@example.com", "451", "451")
	s.Script("d@example.com", "452")
	c := dial(t, s)
	_, err := c.send("a@example.com", []string{"d@example.com"}, body("<r1@test>"))
	if code := replyOf(t, err).Code; code != 452 {
		t.Fatalf("first attempt got %d, want 452", code)
	}
	_ = c.Reset()
	if _, err := c.send("a@example.com", []string{"d@example.com"}, body("<r2@test>")); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
}

func TestScriptRejectsUnknownStep(t *testing.T) {
	t.Parallel()
	s := NewSink(t)
	for _, bad := range []string{"", "ok", "25", "354 go on", "650 nope", "drop"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Script with step %q did not panic", bad)
				}
			}()
			s.Script("x@example.com", bad)
		}()
	}
}

func TestMessageRecording(t *testing.T) {
	t.Parallel()
	s := NewSink(t)
	s.Script("nobody@example.com", "550 5.1.1")
	c := dial(t, s)

	// A line starting with a dot checks dot-unstuffing; the header is folded
	// in a different case to check header parsing.
	msg := "message-id: <abc.123@accord.test>\r\nSubject: x\r\n\r\n.leading dot\r\n..two\r\nend\r\n"
	to := []string{"x@example.com", "nobody@example.com", "Y@Example.com"}
	stage, err := c.send("sender@example.com", to, msg)
	if stage != "" || replyOf(t, err).Code != 550 {
		t.Fatalf("send: stage %q err %v, want success with the 550 recipient skipped", stage, err)
	}
	// No Message-ID, and the null sender.
	if stage, err := c.send("", []string{"z@example.com"}, "Subject: none\r\n\r\nbody\r\n"); err != nil {
		t.Fatalf("null sender failed at %s: %v", stage, err)
	}

	got := s.Received()
	if len(got) != 2 {
		t.Fatalf("received %d messages, want 2", len(got))
	}
	m := got[0]
	if m.From != "sender@example.com" {
		t.Errorf("From = %q", m.From)
	}
	if want := []string{"x@example.com", "Y@Example.com"}; !slices.Equal(m.To, want) {
		t.Errorf("To = %q, want %q", m.To, want)
	}
	if !bytes.Equal(m.Data, []byte(msg)) {
		t.Errorf("Data = %q, want %q", m.Data, msg)
	}
	if m.MessageID != "<abc.123@accord.test>" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if got[1].From != "" || got[1].MessageID != "" {
		t.Errorf("second message: From %q MessageID %q, want both empty", got[1].From, got[1].MessageID)
	}

	// Received hands out copies.
	got[0].Data[0] = 'X'
	got[0].To[0] = "changed"
	again := s.Received()
	if again[0].Data[0] != 'm' || again[0].To[0] != "x@example.com" {
		t.Errorf("Received shares memory with the sink: %q %q", again[0].Data[:5], again[0].To[0])
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	type auth struct{ mech, user, pass string }
	tests := []struct {
		name     string
		creds    *[2]string
		failAuth bool
		auth     *auth
		wantAuth int // 0: AUTH succeeds
		wantMail int // 0: MAIL succeeds (checked only when AUTH succeeded)
	}{
		{name: "no creds, no auth", wantMail: 0},
		{name: "no creds, any plain", auth: &auth{"PLAIN", "who", "ever"}},
		{name: "no creds, any login", auth: &auth{"LOGIN", "who", "ever"}},
		{name: "creds, right plain", creds: &[2]string{"u", "p"}, auth: &auth{"PLAIN", "u", "p"}},
		{name: "creds, right login", creds: &[2]string{"u", "p"}, auth: &auth{"LOGIN", "u", "p"}},
		{name: "creds, wrong plain password", creds: &[2]string{"u", "p"}, auth: &auth{"PLAIN", "u", "bad"}, wantAuth: 535},
		{name: "creds, wrong login user", creds: &[2]string{"u", "p"}, auth: &auth{"LOGIN", "x", "p"}, wantAuth: 535},
		{name: "creds, no auth", creds: &[2]string{"u", "p"}, wantMail: 530},
		{name: "failauth, no creds", failAuth: true, auth: &auth{"PLAIN", "u", "p"}, wantAuth: 535},
		{name: "failauth, right creds login", creds: &[2]string{"u", "p"}, failAuth: true, auth: &auth{"LOGIN", "u", "p"}, wantAuth: 535},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := NewSink(t)
			if tc.creds != nil {
				s.SetCredentials(tc.creds[0], tc.creds[1])
			}
			s.FailAuth(tc.failAuth)
			c := dial(t, s)
			if ok, mechs := c.Extension("AUTH"); !ok || mechs != "PLAIN LOGIN" {
				t.Fatalf("EHLO AUTH = %v %q, want PLAIN LOGIN", ok, mechs)
			}
			if tc.auth != nil {
				var a smtp.Auth
				if tc.auth.mech == "PLAIN" {
					a = smtp.PlainAuth("", tc.auth.user, tc.auth.pass, s.Host(), true)
				} else {
					a = smtp.LoginAuth(tc.auth.user, tc.auth.pass, s.Host(), true)
				}
				err := c.Auth(a)
				if tc.wantAuth != 0 {
					te := replyOf(t, err)
					if te.Code != tc.wantAuth || !strings.HasPrefix(te.Msg, "5.7.8 ") {
						t.Fatalf("AUTH reply %d %q, want %d 5.7.8", te.Code, te.Msg, tc.wantAuth)
					}
					return
				}
				if err != nil {
					t.Fatalf("AUTH: %v", err)
				}
			}
			stage, err := c.send("a@example.com", []string{"b@example.com"}, body("<auth@test>"))
			if tc.wantMail != 0 {
				if stage != "mail" || replyOf(t, err).Code != tc.wantMail {
					t.Fatalf("stage %q err %v, want %d at MAIL", stage, err, tc.wantMail)
				}
				if len(s.Received()) != 0 {
					t.Fatal("message recorded without authentication")
				}
				return
			}
			if err != nil {
				t.Fatalf("send failed at %s: %v", stage, err)
			}
			if len(s.Received()) != 1 {
				t.Fatalf("received %d, want 1", len(s.Received()))
			}
		})
	}
}

func TestFailAuthCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	s := NewSink(t)
	s.SetCredentials("u", "p")
	s.FailAuth(true)
	c := dial(t, s)
	if code := replyOf(t, c.Auth(smtp.PlainAuth("", "u", "p", s.Host(), true))).Code; code != 535 {
		t.Fatalf("AUTH with FailAuth got %d, want 535", code)
	}
	s.FailAuth(false)
	c2 := dial(t, s)
	if err := c2.Auth(smtp.PlainAuth("", "u", "p", s.Host(), true)); err != nil {
		t.Fatalf("AUTH after FailAuth(false): %v", err)
	}
}

func TestAddrHostPortConnections(t *testing.T) {
	t.Parallel()
	s := NewSink(t)
	if s.Host() != "127.0.0.1" || s.Port() == 0 || s.Addr() != fmt.Sprintf("127.0.0.1:%d", s.Port()) {
		t.Fatalf("Addr %q Host %q Port %d", s.Addr(), s.Host(), s.Port())
	}
	if n := s.Connections(); n != 0 {
		t.Fatalf("Connections before any client = %d", n)
	}
	for i := 1; i <= 3; i++ {
		c := dial(t, s)
		if err := c.Quit(); err != nil {
			t.Fatalf("QUIT: %v", err)
		}
		if n := s.Connections(); n != i {
			t.Fatalf("Connections = %d, want %d", n, i)
		}
	}
}

func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	s := NewSink(t)
	const clients, perClient, busyTries, busyFails = 4, 50, 10, 20
	steps := make([]string, busyFails)
	for i := range steps {
		steps[i] = "451"
	}
	s.Script("busy@example.com", steps...)

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		rejected int
		errs     []error
	)
	for g := range clients {
		c := dial(t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(err error) {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			for i := range perClient {
				to := fmt.Sprintf("r%d@example.com", g)
				if stage, err := c.send("a@example.com", []string{to}, body(fmt.Sprintf("<c%d-%d@test>", g, i))); err != nil {
					fail(fmt.Errorf("client %d msg %d at %s: %w", g, i, stage, err))
					return
				}
			}
			for i := range busyTries {
				stage, err := c.send("a@example.com", []string{"busy@example.com"}, body(fmt.Sprintf("<busy%d-%d@test>", g, i)))
				var te *textproto.Error
				switch {
				case err == nil:
				case stage == "rcpt" && errors.As(err, &te) && te.Code == 451:
					mu.Lock()
					rejected++
					mu.Unlock()
					if err := c.Reset(); err != nil {
						fail(err)
						return
					}
				default:
					fail(fmt.Errorf("client %d busy %d at %s: %w", g, i, stage, err))
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d client errors, first: %v", len(errs), errs[0])
	}

	want := clients*perClient + clients*busyTries - busyFails
	got := s.WaitReceived(t, want, 5*time.Second)
	if len(got) != want {
		t.Fatalf("received %d messages, want %d", len(got), want)
	}
	seen := make(map[string]bool)
	for _, m := range got {
		if seen[m.MessageID] {
			t.Fatalf("message %s recorded twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
	for g := range clients {
		for i := range perClient {
			if id := fmt.Sprintf("<c%d-%d@test>", g, i); !seen[id] {
				t.Fatalf("message %s missing", id)
			}
		}
		if n := s.Attempts(fmt.Sprintf("r%d@example.com", g)); n != perClient {
			t.Fatalf("Attempts(r%d) = %d, want %d", g, n, perClient)
		}
	}
	if rejected != busyFails {
		t.Fatalf("saw %d scripted 451s, want exactly %d", rejected, busyFails)
	}
	if n := s.Attempts("busy@example.com"); n != clients*busyTries {
		t.Fatalf("Attempts(busy) = %d, want %d", n, clients*busyTries)
	}
	if n := s.Connections(); n != clients {
		t.Fatalf("Connections = %d, want %d", n, clients)
	}
}

// recordingTB captures a failure instead of stopping the test.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = fmt.Sprintf(format, args...)
}

func TestWaitReceived(t *testing.T) {
	t.Parallel()
	s := NewSink(t)

	rec := &recordingTB{TB: t}
	start := time.Now()
	if got := s.WaitReceived(rec, 1, 100*time.Millisecond); got != nil || rec.failed == "" {
		t.Fatalf("WaitReceived on an empty sink returned %v and failed=%q; want a test failure", got, rec.failed)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("WaitReceived gave up after %v, before its timeout", d)
	}

	done := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		c, err := smtp.Dial(s.Addr())
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		if stage, err := (&conn{Client: c}).send("a@example.com", []string{"b@example.com"}, body("<late@test>")); err != nil {
			done <- fmt.Errorf("%s: %w", stage, err)
			return
		}
		done <- nil
	}()
	got := s.WaitReceived(t, 1, 10*time.Second)
	if len(got) != 1 || got[0].MessageID != "<late@test>" {
		t.Fatalf("WaitReceived = %+v", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("sender: %v", err)
	}
}
