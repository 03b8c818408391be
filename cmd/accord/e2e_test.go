package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/internal/demo"
	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
)

// buildAccord compiles the command, for tests that run it as operators do.
func buildAccord(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "accord")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is the accord binary running as a service.
type process struct {
	t      testing.TB
	cmd    *exec.Cmd
	stderr *syncBuffer
	base   string
	exited chan error
	// done is closed once the process has exited and been waited for.
	done chan struct{}
}

func startProcess(t testing.TB, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{t: t, cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, exited: make(chan error, 1), done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { err := p.cmd.Wait(); close(p.done); p.exited <- err }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			lines := strings.Split(strings.TrimSpace(p.stderr.String()), "\n")
			t.Logf("the last %d lines of accord %s's log:\n%s", min(len(lines), 80), args[0], strings.Join(lines[max(0, len(lines)-80):], "\n"))
		}
	})
	eventually(t, 90*time.Second, "accord "+args[0]+" to listen", func() bool {
		if m := listenLog.FindStringSubmatch(p.stderr.String()); m != nil {
			p.base = m[1]
			return true
		}
		select {
		case err := <-p.exited:
			p.exited <- err
			t.Fatalf("accord %s exited (%v) before listening:\n%s", args[0], err, p.stderr)
		default:
		}
		return false
	})
	return p
}

// terminate sends SIGTERM and waits for a clean exit.
func (p *process) terminate() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			p.t.Errorf("accord exited with %v after SIGTERM:\n%s", err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		p.t.Fatalf("accord did not stop within 30 s of SIGTERM")
	}
}

func (p *process) get(path string) (int, string) {
	p.t.Helper()
	resp, err := http.Get(p.base + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (p *process) metric(sample string) float64 {
	p.t.Helper()
	_, body := p.get("/metrics")
	for _, line := range strings.Split(body, "\n") {
		if name, value, ok := strings.Cut(line, " "); ok && name == sample {
			v, _ := strconv.ParseFloat(value, 64)
			return v
		}
	}
	return -1
}

// runBinary runs a one-shot command and fails the test if it fails.
func runBinary(t testing.TB, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("accord %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// e2eWays says which replies are typed in a terminal mail client; the
// others are composed here, top-posted with quote and signature.
var e2eWays = map[string]map[int]string{
	"kim": {2: "mutt top", 5: "s-nail bottom", 9: "mutt bottom"},
	"lee": {3: "s-nail top", 6: "mutt top", 10: "s-nail bottom"},
}

// TestServiceEndToEnd runs the accord binary against the test bed: Postfix takes
// Accord's mail and the people's replies, Dovecot holds every mailbox, and
// PostgreSQL the state. Kim and Lee answer all sixteen questions, some
// through mutt and s-nail; every answer must be stored as typed, every
// question must reach the right person, and both must get the agreement.
func TestServiceEndToEnd(t *testing.T) {
	t.Parallel()
	svc := mailtest.TestbedAccount(t, "accord-e2e")
	people := map[string]mailtest.Account{"kim": mailtest.TestbedAccount(t, "kim"), "lee": mailtest.TestbedAccount(t, "lee")}
	dbURL := storetest.PostgresURL(t)
	for _, a := range []mailtest.Account{svc, people["kim"], people["lee"]} {
		a.Clear(t)
	}
	bin := buildAccord(t)
	env := testbedEnv(t, svc, dbURL)
	runBinary(t, bin, env, "migrate")
	runBinary(t, bin, env, "pair", "add", "--lead", "Kim Novak <"+people["kim"].Address+">",
		"--report", "Lee Park <"+people["lee"].Address+">", "--tz", "Europe/Berlin")

	p := startProcess(t, bin, env, "serve")
	eventually(t, 90*time.Second, "/readyz to be ready", func() bool {
		code, _ := p.get("/readyz")
		return code == http.StatusOK
	})

	kimAnswers, leeAnswers := demo.SampleAnswers()
	typed := map[string][]string{"kim": kimAnswers, "lee": leeAnswers}
	for who, ways := range e2eWays {
		for n, way := range ways {
			// What goes through a terminal client has two lines and
			// characters beyond ASCII.
			typed[who] = append([]string(nil), typed[who]...)
			typed[who][n-1] = typed[who][n-1] + "\nTyped in " + way + " — ça marche."
		}
	}
	t.Run("questionnaire", func(t *testing.T) {
		for who, a := range people {
			t.Run(who, func(t *testing.T) {
				t.Parallel()
				answerEverything(t, a, svc, typed[who], e2eWays[who])
			})
		}
	})
	if t.Failed() {
		t.Fatalf("the questionnaire did not complete; service log:\n%s", p.stderr)
	}

	// Both get the draft and sign it, Kim in mutt; both get the signed
	// agreement, and nobody got anyone else's mail.
	signByMail(t, people["kim"], "mutt top")
	signByMail(t, people["lee"], "")
	for who, a := range people {
		eventually(t, 3*time.Minute, who+"'s agreement", func() bool {
			return len(mailsMatching(t, a, "Your signed partnership agreement (version 1)")) == 1
		})
		for _, m := range inboxOf(t, a) {
			if to, err := mail.ParseAddress(m.GetHeader("To")); err != nil || to.Address != a.Address {
				t.Errorf("%s's mailbox has a mail to %q: %s", who, m.GetHeader("To"), m.GetHeader("Subject"))
			}
		}
		for n := 1; n <= 16; n++ {
			if got := len(mailsMatching(t, a, fmt.Sprintf("] %d/16 — ", n))); got != 1 {
				t.Errorf("%s got question %d %d times, want once", who, n, got)
			}
		}
	}

	// Every answer is stored exactly as typed.
	st, err := store.Open(context.Background(), dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pt, err := st.Load(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, who := range []string{"kim", "lee"} {
		for n, q := range pt.Set.Questions {
			a := pt.LatestAnswer(pt.Participants[i].ID, q.ID)
			if a == nil || a.Text != typed[who][n] {
				t.Errorf("%s's answer to %d/16 stored as %+v,\nwant %q", who, n+1, a, typed[who][n])
			}
		}
	}
	if len(pt.Agreements) != 1 {
		t.Errorf("%d agreements, want 1", len(pt.Agreements))
	}

	// The check-ins through the same servers: Kim says when to meet, typed
	// in mutt; both get the invitation; Lee accepts from a calendar.
	var ask *enmime.Envelope
	eventually(t, 3*time.Minute, "the check-in question for Kim", func() bool {
		if ms := mailsMatching(t, people["kim"], "meet with Lee"); len(ms) > 0 {
			ask = ms[0]
		}
		return ask != nil
	})
	mailtest.MuttReply(t, people["kim"], ask.GetHeader("Subject"), "Tuesdays at 10, please.", mailtest.TopPosted)
	invites := map[string]*enmime.Envelope{}
	for who, a := range people {
		eventually(t, 3*time.Minute, "the invitation for "+who, func() bool {
			for _, m := range mailsMatching(t, a, "Your check-ins with") {
				if calendarOf(m) != "" {
					invites[who] = m
				}
			}
			return invites[who] != nil
		})
	}
	inv := invites["lee"]
	lee := demo.NewPerson("Lee Park", people["lee"].Address, "")
	_, raw := lee.Compose(demo.Message{Subject: inv.GetHeader("Subject"), From: inv.GetHeader("From"), MessageID: inv.GetHeader("Message-Id"),
		Calendar: calendarOf(inv), Received: time.Now()}, demo.Reply{Style: "outlook-calendar", Text: "ACCEPTED"}, time.Now())
	if err := smtp.SendMail(people["lee"].SMTPAddr, nil, people["lee"].Address, []string{svc.Address}, raw); err != nil {
		t.Fatalf("Postfix refused Lee's calendar reply: %v", err)
	}
	eventually(t, 3*time.Minute, "Lee's acceptance to be recorded", func() bool {
		return p.metric(`accord_inbound_messages_total{outcome="calendar-reply"}`) == 1
	})
	cs, err := st.Load(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c := cs.Checkin; c == nil || c.Schedule.Spec() != "tue 10:00 30m weekly" || len(c.Responses) != 1 || c.Responses[0].PartStat != "ACCEPTED" {
		t.Errorf("check-ins after the round trip: %+v", c)
	}

	// 32 answers and both replies to the draft.
	if got := p.metric(`accord_inbound_messages_total{outcome="answer"}`); got != 34 {
		t.Errorf("answers counted on /metrics: %v, want 34", got)
	}
	if code, body := p.get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %s", code, body)
	}
	if left := svc.Inbox(t); len(left) != 0 {
		t.Errorf("%d messages left in the service INBOX; every reply should have been moved to Processed", len(left))
	}
	p.terminate()
	if !strings.Contains(p.stderr.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", p.stderr)
	}
}

// answerEverything waits for each question in turn and answers it, the
// way ways says or else by plain SMTP.
func answerEverything(t *testing.T, a, svc mailtest.Account, answers []string, ways map[int]string) {
	me := demo.NewPerson(a.Name, a.Address, a.Name+"\nExample Co.")
	for n := 1; n <= len(answers); n++ {
		var q *enmime.Envelope
		eventually(t, 3*time.Minute, fmt.Sprintf("question %d for %s", n, a.Address), func() bool {
			if ms := mailsMatching(t, a, fmt.Sprintf("] %d/16 — ", n)); len(ms) > 0 {
				q = ms[0]
			}
			return q != nil
		})
		if from, err := mail.ParseAddress(q.GetHeader("From")); err != nil || from.Address != svc.Address {
			t.Fatalf("question %d came from %q, want %s", n, q.GetHeader("From"), svc.Address)
		}
		replyBy(t, a, me, q, ways[n], answers[n-1])
	}
}

// replyBy sends a's reply to the mail q: through mutt or s-nail as way
// says, or else as a webmail would write it.
func replyBy(t *testing.T, a mailtest.Account, me *demo.Person, q *enmime.Envelope, way, text string) {
	t.Helper()
	subject := q.GetHeader("Subject")
	switch way {
	case "mutt top":
		mailtest.MuttReply(t, a, subject, text, mailtest.TopPosted)
	case "mutt bottom":
		mailtest.MuttReply(t, a, subject, text, mailtest.BottomPosted)
	case "s-nail top":
		mailtest.SNailReply(t, a, subject, text, mailtest.TopPosted)
	case "s-nail bottom":
		mailtest.SNailReply(t, a, subject, text, mailtest.BottomPosted)
	default:
		dq := demo.Message{Subject: subject, ReplyTo: q.GetHeader("Reply-To"), MessageID: q.GetHeader("Message-Id"), Body: q.Text, Received: time.Now()}
		_, raw := me.Compose(dq, demo.Reply{Style: "gmail", Text: text}, time.Now())
		to, err := mail.ParseAddress(dq.ReplyTo)
		if err != nil {
			t.Fatalf("%q: Reply-To %q: %v", subject, dq.ReplyTo, err)
		}
		if err := smtp.SendMail(a.SMTPAddr, nil, a.Address, []string{to.Address}, raw); err != nil {
			t.Fatalf("Postfix refused %s's reply to %q: %v", a.Address, subject, err)
		}
	}
}

// signByMail has a reply "agree all" to the first round of the draft
// agreement, the way way says.
func signByMail(t *testing.T, a mailtest.Account, way string) {
	t.Helper()
	var d *enmime.Envelope
	eventually(t, 3*time.Minute, "the draft agreement for "+a.Address, func() bool {
		if ms := mailsMatching(t, a, "Your draft agreement — round 1 of 3"); len(ms) > 0 {
			d = ms[0]
		}
		return d != nil
	})
	replyBy(t, a, demo.NewPerson(a.Name, a.Address, a.Name), d, way, "agree all")
}

// inboxOf parses every message in an account's INBOX.
func inboxOf(t *testing.T, a mailtest.Account) []*enmime.Envelope {
	t.Helper()
	var out []*enmime.Envelope
	for _, raw := range a.Inbox(t) {
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("a message in %s's INBOX does not parse: %v", a.Address, err)
		}
		out = append(out, env)
	}
	return out
}

// mailsMatching returns the messages in a's INBOX whose subject contains s.
func mailsMatching(t *testing.T, a mailtest.Account, s string) []*enmime.Envelope {
	t.Helper()
	var out []*enmime.Envelope
	for _, m := range inboxOf(t, a) {
		if strings.Contains(m.GetHeader("Subject"), s) {
			out = append(out, m)
		}
	}
	return out
}

// testbedEnv writes a configuration that runs the service on the test bed
// (svc's mailbox, the database at dbURL, no quiet hours, HTTP on a free
// port) and returns the environment for the binary: nothing inherited but
// PATH, the test bed's CA trusted through SSL_CERT_FILE.
func testbedEnv(t testing.TB, svc mailtest.Account, dbURL string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "accord.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, `
[database]
url = %q
[mail]
address = %q
[imap]
url = "imap+starttls://%s@%s/INBOX"
[smtp]
url = "smtp://%s"
[http]
listen = "127.0.0.1:0"
[pacing]
quiet_start = "00:00"
quiet_end = "00:00"
quiet_days = []
undo_minutes = 0
`, dbURL, svc.Address, svc.Address, svc.IMAPAddr, svc.SMTPAddr), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "ACCORD_CONFIG=" + cfg,
		"ACCORD_IMAP_PASSWORD=" + svc.Password, "SSL_CERT_FILE=" + svc.CAFile}
}

// calendarOf returns a message's text/calendar part, or "".
func calendarOf(m *enmime.Envelope) string {
	for _, p := range append(append(m.OtherParts, m.Inlines...), m.Attachments...) {
		if p.ContentType == "text/calendar" {
			return string(p.Content)
		}
	}
	return ""
}
