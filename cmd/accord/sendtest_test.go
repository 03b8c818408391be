package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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
	c.fails(exitFailure, "no SMTP server configured", "send-test", "--to", "me@example.test")

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
	if got := len(sink.Received()); got != n+2 {
		t.Errorf("--kind agreement sent %d messages, want 2 (version 1, and version 2 after a review)", got-n)
	}
	c.ok("send-test", "--to", "me@example.test", "--kind", "agreement-v2")
	if got := len(sink.Received()); got != n+3 {
		t.Errorf("--kind agreement-v2 sent %d messages, want 1", got-n-2)
	}
	c.fails(exitUsage, "--kind", "send-test", "--to", "me@example.test", "--kind", "postcard")
	c.fails(exitUsage, "--to", "send-test")

	c.env["ACCORD_SMTP_PASSWORD_FILE"] = c.write("smtp-password", "wrong\n")
	c.fails(exitFailure, "refused the login", "send-test", "--to", "me@example.test")
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
