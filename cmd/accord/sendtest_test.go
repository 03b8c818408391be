package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"accord/internal/sandbox"
	"accord/mailout"
	"accord/mailout/mailtest"
	"accord/store"
	"accord/templates"
)

func TestSendTest(t *testing.T) {
	t.Parallel()
	sink := mailtest.NewSink(t)
	sink.SetCredentials("accord", "s3cret")
	c := newCLI(t)
	c.env["ACCORD_IMAP_URL"] = "imaps://accord@mail.example.test/INBOX"
	c.fails(exitFailure, "no SMTP server configured", "send-test", "--to", "me@example.test")
	delete(c.env, "ACCORD_IMAP_URL")

	c.env["ACCORD_SMTP_URL"] = fmt.Sprintf("smtp://accord@127.0.0.1:%d", sink.Port())
	c.env["ACCORD_SMTP_PASSWORD_FILE"] = c.write("smtp-password", "s3cret\n")
	c.env["ACCORD_MAIL_ADDRESS"] = "accord@example.test"
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	samples, err := mailout.Samples(set, time.Now(), &mailout.Renderer{Identity: mailout.Identity{Name: "Accord", Address: "accord@example.test", Separator: "+"}})
	if err != nil {
		t.Fatal(err)
	}
	n := len(samples)
	out := c.ok("send-test", "--to", "me@example.test")
	got := sink.WaitReceived(t, n, 10*time.Second)
	kinds := map[string]bool{}
	for _, m := range got {
		if len(m.To) != 1 || m.To[0] != "me@example.test" || m.From != "accord@example.test" {
			t.Errorf("sample went from %s to %v, want accord@example.test to me@example.test", m.From, m.To)
		}
		kinds[m.MessageID] = true
	}
	if len(kinds) != len(got) {
		t.Errorf("%d samples share Message-IDs", len(got)-len(kinds))
	}
	if !strings.Contains(out, fmt.Sprintf("Sent %d samples to me@example.test", n)) {
		t.Errorf("send-test output:\n%s", out)
	}

	c.ok("send-test", "--to", "me@example.test", "--kind", templates.MailAgreement)
	if got := len(sink.Received()); got != n+4 {
		t.Errorf("--kind agreement sent %d messages, want 4 (version 1 signed, sent again on request, and unsigned; version 2 after a review)", got-n)
	}
	c.ok("send-test", "--to", "me@example.test", "--kind", "agreement-v2")
	if got := len(sink.Received()); got != n+5 {
		t.Errorf("--kind agreement-v2 sent %d messages, want 1", got-n-4)
	}
	if out := c.ok("send-test", "--to", "me@example.test", "--kind", "receipt"); !strings.Contains(out, "Sent 1 sample to me@example.test") {
		t.Errorf("send-test of one sample:\n%s", out)
	}
	c.fails(exitUsage, "--kind", "send-test", "--to", "me@example.test", "--kind", "postcard")
	c.fails(exitUsage, `--kind "agreemnt": did you mean agreement?`, "send-test", "--to", "me@example.test", "--kind", "agreemnt")
	c.fails(exitUsage, "--to", "send-test")

	c.env["ACCORD_SMTP_PASSWORD_FILE"] = c.write("smtp-password", "wrong\n")
	c.fails(exitFailure, "refused the login", "send-test", "--to", "me@example.test")
}

func TestSendTestHelpListsEverySample(t *testing.T) {
	t.Parallel()
	samples, err := catalogueSamples()
	if err != nil {
		t.Fatal(err)
	}
	out := newCLI(t).ok("send-test", "-h")
	if want := fmt.Sprintf("The %d samples, by kind", len(samples)); !strings.Contains(out, want) {
		t.Errorf("send-test -h lacks %q:\n%s", want, out)
	}
	for _, s := range samples {
		if !strings.Contains(out, " "+s.Name+",") && !strings.Contains(out, " "+s.Name+"\n") {
			t.Errorf("send-test -h does not list sample %s (%s):\n%s", s.Name, s.Kind, out)
		}
	}
	for _, kind := range templates.MailKinds {
		if !strings.Contains(out, "\n  "+kind+" ") {
			t.Errorf("send-test -h does not list kind %s", kind)
		}
	}
}

// TestSendTestSandbox sends samples into the sandbox of a running serve
// when no mail server is configured.
func TestSendTestSandbox(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
		n    int
	}{
		{"one sample", []string{"--kind", "receipt"}, []string{"Sent 1 sample to me@example.test through the sandbox at 127.0.0.1:", "Read it in the sandbox: log in to IMAP at 127.0.0.1:"}, 1},
		{"one kind", []string{"--kind", "reminder"}, []string{"Sent 2 samples to me@example.test", "Read them in the sandbox", "as me@example.test with the password"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []string
			sb, err := sandbox.Start(sandbox.Options{Delivered: func(_ string, to []string, _ []byte) {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, to...)
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			c := newCLI(t)
			_, smtpPort, _ := net.SplitHostPort(sb.SMTPAddr)
			_, imapPort, _ := net.SplitHostPort(sb.IMAPAddr)
			c.env["ACCORD_SANDBOX_SMTP_PORT"], c.env["ACCORD_SANDBOX_IMAP_PORT"] = smtpPort, imapPort
			out := c.ok(append([]string{"send-test", "--to", "me@example.test"}, tt.args...)...)
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("send-test output lacks %q:\n%s", want, out)
				}
			}
			// The sandbox files each message before it answers the DATA
			// command, so all are in by the time send-test returns.
			mu.Lock()
			defer mu.Unlock()
			if len(got) != tt.n || slices.ContainsFunc(got, func(to string) bool { return to != "me@example.test" }) {
				t.Errorf("the sandbox took mail for %v, want %d for me@example.test", got, tt.n)
			}
		})
	}

	c := newCLI(t)
	c.env["ACCORD_SANDBOX_SMTP_PORT"] = fmt.Sprint(closedPort(t))
	c.fails(exitFailure, "no sandbox answers on 127.0.0.1:", "send-test", "--to", "me@example.test")
	c.env["ACCORD_SANDBOX_SMTP_PORT"] = "0"
	c.fails(exitFailure, "sandbox.smtp_port is 0", "send-test", "--to", "me@example.test")
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestBouncingShownAndCleared(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("pair", "add", "--lead", dana, "--report", sam)
	st, err := store.Open(context.Background(), c.env["ACCORD_DATABASE_URL"], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 3 {
		if _, err := st.RecordHardBounce(context.Background(), "sam@example.com", "rcpt: 550 5.1.1 No such user here", 3); err != nil {
			t.Fatal(err)
		}
	}
	if show := c.ok("pair", "show", "1"); !strings.Contains(show, "BOUNCING since") || !strings.Contains(show, "550 5.1.1") || !strings.Contains(show, "accord unbounce sam@example.com") {
		t.Errorf("pair show does not report the bouncing address:\n%s", show)
	}
	c.fails(exitFailure, "nobody enrolled has the address", "unbounce", "nobody@example.com")
	if out := c.ok("unbounce", "sam@example.com"); !strings.Contains(out, "allowed again") {
		t.Errorf("unbounce: %s", out)
	}
	if show := c.ok("pair", "show", "1"); strings.Contains(show, "BOUNCING") {
		t.Errorf("pair show still reports bouncing after unbounce:\n%s", show)
	}
}
