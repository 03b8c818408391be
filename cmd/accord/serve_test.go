package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"accord/internal/sandbox"
	"accord/mailout/mailtest"
	"accord/store"
)

// syncBuffer is an output stream tests read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is `accord serve` running in-process.
type served struct {
	t              *testing.T
	stdout, stderr *syncBuffer
	base           string // http://127.0.0.1:port
	cancel         context.CancelFunc
	done           chan int
}

var listenLog = regexp.MustCompile(`msg="health and metrics" listen=(http://\S+)`)

// serve starts `accord serve` with the CLI's configuration and waits until
// its HTTP endpoints listen.
func (c *cli) serve() *served {
	c.t.Helper()
	return c.start("serve")
}

// start runs a command that serves until stopped, and waits until its
// HTTP endpoints listen.
func (c *cli) start(args ...string) *served {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{t: c.t, stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, args, s.stdout, s.stderr, func(k string) string { return c.env[k] })
	}()
	c.t.Cleanup(func() { s.stop() })
	eventually(c.t, 10*time.Second, "serve to listen", func() bool {
		if m := listenLog.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = m[1]
			return true
		}
		select {
		case code := <-s.done:
			s.done <- code
			c.t.Fatalf("accord %s exited with %d before listening:\n%s", args[0], code, s.stderr)
		default:
		}
		return false
	})
	return s
}

// stop shuts serve down as SIGTERM would and returns its exit code.
func (s *served) stop() int {
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(20 * time.Second):
		s.t.Fatal("serve did not stop within 20 s of being asked to")
		return -1
	}
}

// get fetches a path and returns the status and body.
func (s *served) get(path string) (int, string) {
	s.t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// readiness is /readyz decoded.
func (s *served) readiness() (int, map[string]string) {
	s.t.Helper()
	code, body := s.get("/readyz")
	var r struct {
		Ready  bool              `json:"ready"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		s.t.Fatalf("/readyz is not JSON: %q", body)
	}
	if r.Ready != (code == http.StatusOK) {
		s.t.Errorf("/readyz says ready=%v with status %d", r.Ready, code)
	}
	return code, r.Checks
}

// metric returns the value of one sample on /metrics, or -1 if absent.
func (s *served) metric(sample string) float64 {
	s.t.Helper()
	_, body := s.get("/metrics")
	for _, line := range strings.Split(body, "\n") {
		if name, value, ok := strings.Cut(line, " "); ok && name == sample {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				s.t.Fatalf("metric %s: %v", sample, err)
			}
			return v
		}
	}
	return -1
}

func eventually(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inbox reads every message in a mailbox's INBOX.
func inbox(t *testing.T, addr, user, pass string) []*mail.Message {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatalf("log in as %s: %v", user, err)
	}
	var out []*mail.Message
	for _, raw := range mailtest.ReadInbox(t, c, user) {
		pm, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pm)
	}
	return out
}

// sandboxConfig runs serve in sandbox mode on free ports with no quiet
// hours, so mail moves at once.
const sandboxConfig = `
[http]
listen = "127.0.0.1:0"
[sandbox]
imap_port = 0
smtp_port = 0
[pacing]
quiet_start = "00:00"
quiet_end = "00:00"
quiet_days = []
undo_minutes = 0
`

var (
	bannerIMAP = regexp.MustCompile(`IMAP  (127\.0\.0\.1:\d+)`)
	bannerSMTP = regexp.MustCompile(`SMTP  (127\.0\.0\.1:\d+)`)
	bannerPass = regexp.MustCompile(`the password is (\S+)`)
)

func TestServeSandbox(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", sandboxConfig)
	c.ok("pair", "add", "--lead", dana, "--report", sam, "--tz", "Europe/Berlin")
	s := c.serve()

	var imapAddr, smtpAddr, pass string
	eventually(t, time.Minute, "the sandbox banner", func() bool {
		out := s.stdout.String()
		if m := bannerPass.FindStringSubmatch(out); m != nil {
			imapAddr, smtpAddr, pass = bannerIMAP.FindStringSubmatch(out)[1], bannerSMTP.FindStringSubmatch(out)[1], m[1]
			return true
		}
		return false
	})
	for _, want := range []string{"SANDBOX MODE", "Nothing is sent anywhere else", "dana@example.com", "sam@example.com"} {
		if !strings.Contains(s.stdout.String(), want) {
			t.Errorf("sandbox banner lacks %q:\n%s", want, s.stdout)
		}
	}
	// The password is kept beside the database, for the next run.
	if kept, err := os.ReadFile(filepath.Join(c.dir, sandbox.PasswordFileName)); err != nil || strings.TrimSpace(string(kept)) != pass {
		t.Errorf("%s holds %q, %v; want the banner's password %q", sandbox.PasswordFileName, kept, err, pass)
	}
	if code, body := s.get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	eventually(t, time.Minute, "/readyz to be ready", func() bool {
		code, _ := s.readiness()
		return code == http.StatusOK
	})

	// Dana gets her welcome in her sandbox mailbox and answers it.
	var welcome *mail.Message
	eventually(t, time.Minute, "Dana's welcome", func() bool {
		if msgs := inbox(t, imapAddr, "dana@example.com", pass); len(msgs) > 0 {
			welcome = msgs[0]
		}
		return welcome != nil
	})
	if subj := welcome.Header.Get("Subject"); !strings.Contains(subj, "1/16") {
		t.Fatalf("first mail to Dana is %q, want question 1", subj)
	}
	replyTo, err := mail.ParseAddress(welcome.Header.Get("Reply-To"))
	if err != nil {
		t.Fatalf("welcome Reply-To: %v", err)
	}
	const typed = "We talk the same day when something goes wrong."
	reply := fmt.Sprintf("From: Dana Lee <dana@example.com>\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <r1@example.com>\r\n"+
		"In-Reply-To: %s\r\nDate: %s\r\n\r\n%s\r\n\r\n> the question\r\n",
		replyTo.Address, welcome.Header.Get("Subject"), welcome.Header.Get("Message-Id"), time.Now().Format(time.RFC1123Z), typed)
	if err := smtp.SendMail(smtpAddr, nil, "dana@example.com", []string{replyTo.Address}, []byte(reply)); err != nil {
		t.Fatalf("sandbox SMTP refused the reply: %v", err)
	}
	eventually(t, time.Minute, "the answer to be counted", func() bool {
		return s.metric(`accord_inbound_messages_total{outcome="answer"}`) == 1
	})
	eventually(t, time.Minute, "Dana's second question", func() bool {
		msgs := inbox(t, imapAddr, "dana@example.com", pass)
		return len(msgs) > 1 && strings.Contains(msgs[len(msgs)-1].Header.Get("Subject"), "2/16")
	})
	if got := s.metric(`accord_outbound_mail_total{result="sent"}`); got < 3 {
		t.Errorf("sent counter %v, want at least 3 (two welcomes and question 2)", got)
	}
	for _, sample := range []string{"accord_imap_connected", "accord_job_lag_seconds", "accord_imap_reconnects_total", "accord_smtp_login_refused", "accord_inbound_latency_seconds_count", "accord_imap_scan_seconds_count"} {
		if s.metric(sample) < 0 {
			t.Errorf("/metrics lacks %s", sample)
		}
	}
	if got := s.metric("accord_imap_connected"); got != 1 {
		t.Errorf("accord_imap_connected = %v, want 1", got)
	}

	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exited with %d on shutdown:\n%s", code, s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "msg=stopped") {
		t.Errorf("serve did not log a clean stop:\n%s", s.stderr)
	}
	st, err := store.Open(context.Background(), c.env["ACCORD_DATABASE_URL"], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.Load(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.LatestAnswer(p.Lead().ID, p.Set.Questions[0].ID); a == nil || a.Text != typed {
		t.Errorf("stored answer %+v, want %q", a, typed)
	}
}

// TestServeNotReady points serve at a mailbox with the wrong password and
// an SMTP server that refuses the login: it keeps running, says what is
// wrong, and /readyz and /metrics show it.
func TestServeNotReady(t *testing.T) {
	t.Parallel()
	mb := mailtest.NewMemoryIMAP(t)
	sink := mailtest.NewSink(t)
	sink.SetCredentials("accord", "right")
	sink.FailAuth(true)
	c := newCLI(t)
	c.write("accord.toml", fmt.Sprintf(`
[http]
listen = "127.0.0.1:0"
[imap]
url = "imap://%s@%s/%s"
password = "wrong"
[smtp]
url = "smtp://accord@127.0.0.1:%d"
password = "wrong"
[pacing]
quiet_start = "00:00"
quiet_end = "00:00"
quiet_days = []
undo_minutes = 0
`, mb.User, mb.Addr, mb.Mailbox, sink.Port()))
	c.ok("pair", "add", "--lead", dana, "--report", sam)
	s := c.serve()
	var checks map[string]string
	eventually(t, time.Minute, "/readyz to report both failures", func() bool {
		var code int
		code, checks = s.readiness()
		return code == http.StatusServiceUnavailable && strings.HasPrefix(checks["mailbox"], "not connected") &&
			strings.HasPrefix(checks["smtp"], "login refused")
	})
	if checks["database"] != "ok" {
		t.Errorf("database check %q, want ok", checks["database"])
	}
	if !strings.Contains(checks["mailbox"], "log in") {
		t.Errorf("mailbox check %q does not say the login failed", checks["mailbox"])
	}
	if got := s.metric("accord_smtp_login_refused"); got != 1 {
		t.Errorf("accord_smtp_login_refused = %v, want 1", got)
	}
	if got := s.metric(`accord_outbound_mail_total{result="auth-failed"}`); got < 1 {
		t.Errorf("auth-failed counter %v, want at least 1", got)
	}
	if got := s.metric("accord_imap_connected"); got != 0 {
		t.Errorf("accord_imap_connected = %v, want 0", got)
	}
	for _, want := range []string{"refused our login", "mailbox connection lost; reconnecting"} {
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("log does not say %q:\n%s", want, s.stderr)
		}
	}
	if code := s.stop(); code != exitOK {
		t.Errorf("serve exited with %d", code)
	}
}

// TestServeMailUnreachable points serve at mail servers that are not there
// or a mailbox that does not exist: it keeps running and retrying, the log
// and /readyz say what is wrong (SMTP too, while its mail waits), and mail
// that could not go out waits in the outbox instead of being dropped.
func TestServeMailUnreachable(t *testing.T) {
	t.Parallel()
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	for _, tc := range []struct {
		name      string
		imap      func(mb *mailtest.IMAP) string // imap.url
		smtpDown  bool
		wantCheck string // prefix of /readyz's mailbox check
		wantSMTP  string // prefix of /readyz's smtp check
		wantLevel string
		wantLog   string
	}{
		{
			name:      "IMAP server unreachable",
			imap:      func(mb *mailtest.IMAP) string { return fmt.Sprintf("imap://%s@%s/%s", mb.User, closed(), mb.Mailbox) },
			wantCheck: "not connected", wantLevel: "WARN", wantLog: "connection refused",
		},
		{
			name:      "mailbox does not exist",
			imap:      func(mb *mailtest.IMAP) string { return fmt.Sprintf("imap://%s@%s/NoSuchFolder", mb.User, mb.Addr) },
			wantCheck: "not connected", wantLevel: "WARN", wantLog: "No such mailbox",
		},
		{
			name:     "SMTP server unreachable",
			imap:     func(mb *mailtest.IMAP) string { return fmt.Sprintf("imap://%s@%s/%s", mb.User, mb.Addr, mb.Mailbox) },
			smtpDown: true,
			wantSMTP: "cannot connect since", wantLevel: "ERROR", wantLog: "cannot reach the SMTP server",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mb := mailtest.NewMemoryIMAP(t)
			smtpAddr := closed()
			if !tc.smtpDown {
				smtpAddr = fmt.Sprintf("127.0.0.1:%d", mailtest.NewSink(t).Port())
			}
			c := newCLI(t)
			c.write("accord.toml", fmt.Sprintf(`
[http]
listen = "127.0.0.1:0"
[imap]
url = %q
password = %q
[smtp]
url = "smtp://%s"
[pacing]
quiet_start = "00:00"
quiet_end = "00:00"
quiet_days = []
undo_minutes = 0
`, tc.imap(mb), mb.Password, smtpAddr))
			c.ok("pair", "add", "--lead", dana, "--report", sam)
			s := c.serve()
			eventually(t, time.Minute, "a warning that says "+tc.wantLog, func() bool {
				return slices.ContainsFunc(strings.Split(s.stderr.String(), "\n"), func(l string) bool {
					return strings.Contains(l, "level="+tc.wantLevel) && strings.Contains(l, tc.wantLog)
				})
			})
			// A mailbox or an SMTP server that cannot be reached keeps
			// /readyz at 503 with the reason.
			var code int
			var checks map[string]string
			eventually(t, time.Minute, "/readyz to settle", func() bool {
				code, checks = s.readiness()
				if tc.wantSMTP != "" {
					return code == http.StatusServiceUnavailable && strings.HasPrefix(checks["smtp"], tc.wantSMTP) && checks["mailbox"] == "ok"
				}
				return code == http.StatusServiceUnavailable && strings.HasPrefix(checks["mailbox"], tc.wantCheck)
			})
			if n := strings.Count(s.stderr.String(), tc.wantLog); tc.smtpDown && n != 1 {
				t.Errorf("the log says %q %d times, want once: the outage is logged when it starts", tc.wantLog, n)
			}
			if code := s.stop(); code != exitOK {
				t.Errorf("serve exited with %d", code)
			}
			if tc.smtpDown {
				if out := c.ok("pair", "show", "1"); !strings.Contains(out, "Mail       2 queued, 0 sent, 0 failed") {
					t.Errorf("the welcomes are not waiting in the outbox:\n%s", out)
				}
			}
		})
	}
}

// TestServeDatabaseDown starts serve with PostgreSQL unreachable: it
// waits and retries, /readyz says why, and it still stops cleanly.
func TestServeDatabaseDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := newCLI(t)
	c.write("accord.toml", sandboxConfig)
	c.env["ACCORD_DATABASE_URL"] = "postgres://accord@" + addr + "/accord?sslmode=disable&connect_timeout=2"
	s := c.serve()
	eventually(t, time.Minute, "/readyz to report the database", func() bool {
		code, checks := s.readiness()
		return code == http.StatusServiceUnavailable && strings.HasPrefix(checks["database"], "cannot open")
	})
	if !strings.Contains(s.stderr.String(), "cannot open the database; trying again") {
		t.Errorf("log does not say it is retrying:\n%s", s.stderr)
	}
	if code := s.stop(); code != exitOK {
		t.Errorf("serve exited with %d", code)
	}
}

func TestServeRejects(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // after the parallel subtests
	busyPort := busy.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct {
		name, config, want string
		args               []string
		code               int
	}{
		{"http port in use", fmt.Sprintf("[http]\nlisten = %q\n", busy.Addr()), "set http.listen to a free address", nil, exitFailure},
		{"sandbox IMAP port in use", fmt.Sprintf("[http]\nlisten = \"127.0.0.1:0\"\n[sandbox]\nimap_port = %d\nsmtp_port = 0\n", busyPort), "sandbox.imap_port", nil, exitFailure},
		{"sandbox SMTP port in use", fmt.Sprintf("[http]\nlisten = \"127.0.0.1:0\"\n[sandbox]\nimap_port = 0\nsmtp_port = %d\n", busyPort), "sandbox.smtp_port", nil, exitFailure},
		{"only IMAP configured", "[imap]\nurl = \"imaps://accord@mail.example.com/INBOX\"\n", "configure both imap.url and smtp.url", nil, exitFailure},
		{"only SMTP configured", "[smtp]\nurl = \"smtps://accord@mail.example.com\"\n", "configure both imap.url and smtp.url", nil, exitFailure},
		{"listen typo", "[http]\nlisten = \"localhost\"\n", "http.listen", nil, exitFailure},
		{"sandbox port out of range", "[sandbox]\nimap_port = 70000\n", "sandbox.imap_port", nil, exitFailure},
		{"workers out of range", "[inbound]\nworkers = 0\n", "inbound.workers", nil, exitFailure},
		{"check-in prep too close", "[checkins]\nprep_hours_before = 1\n", "checkins.prep_hours_before", nil, exitFailure},
		{"config typo", "[http]\nlisen = \"127.0.0.1:0\"\n", "lisen", nil, exitFailure},
		{"arguments", "", "no arguments", []string{"now"}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.write("accord.toml", tc.config)
			c.fails(tc.code, tc.want, append([]string{"serve"}, tc.args...)...)
		})
	}
}

// TestServeInstanceNames: a second serve on the same database under the
// same instance name is refused at once (it would take the first one's
// work); under another name it runs beside it; and once the first is gone
// its name can be used again.
func TestServeInstanceNames(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", sandboxConfig)
	c.ok("migrate")
	c.env["ACCORD_INSTANCE_NAME"] = "host-a"
	first := c.serve()
	eventually(t, 90*time.Second, "the first serve to hold its name", func() bool {
		return strings.Contains(first.stderr.String(), `msg="running as instance" instance=host-a`)
	})
	c.fails(exitFailure, "instance.name", "serve")
	c.env["ACCORD_INSTANCE_NAME"] = "host-b"
	second := c.serve()
	if code := second.stop(); code != exitOK {
		t.Errorf("serve as host-b exited with %d", code)
	}
	if code := first.stop(); code != exitOK {
		t.Errorf("serve as host-a exited with %d", code)
	}
	c.env["ACCORD_INSTANCE_NAME"] = "host-a"
	again := c.serve()
	if code := again.stop(); code != exitOK {
		t.Errorf("serve as host-a after the first one stopped exited with %d:\n%s", code, again.stderr)
	}
}
