package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	txt := c.write("reply.txt", "Thursdays suit me.\n\nOn Mon, 23 Nov 2026 at 09:00, Accord <accord@example.com> wrote:\n> Which day works for you?\n")
	html := c.write("reply.html", `<div>Mornings are best.</div><div class="gmail_quote">On Monday Accord wrote:<blockquote>Which time?</blockquote></div>`)
	eml := c.write("reply.eml", "From: dana@example.com\r\nSubject: Re: question\r\nContent-Type: text/plain\r\n\r\nEvery other week.\r\n\r\n-- \r\nDana Lee\r\nHead of Things\r\n")
	out := c.ok("extract", txt)
	if out != "Thursdays suit me.\n" {
		t.Errorf("extract .txt = %q", out)
	}
	out = c.ok("extract", "--format", "jsonl", txt, html, eml)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := map[string]string{txt: "Thursdays suit me.", html: "Mornings are best.", eml: "Every other week."}
	if len(lines) != 3 {
		t.Fatalf("jsonl gave %d lines:\n%s", len(lines), out)
	}
	for _, l := range lines {
		var row struct{ File, Reply string }
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if strings.TrimSpace(row.Reply) != want[row.File] {
			t.Errorf("%s: reply %q, want %q", row.File, row.Reply, want[row.File])
		}
	}
	if out := c.ok("extract", txt, eml); !strings.Contains(out, "==> "+txt+" <==") || !strings.Contains(out, "Every other week.") {
		t.Errorf("extract of two files:\n%s", out)
	}
	c.fails(exitUsage, "--format", "extract", "--format", "xml", txt)
	c.fails(exitUsage, "name the file", "extract", c.write("reply.doc", "x"))
	c.fails(exitUsage, "one or more files", "extract")
	c.fails(exitFailure, "no such file", "extract", c.dir+"/missing.txt")
}

func TestInboundList(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if out := c.ok("inbound", "list"); !strings.Contains(out, "No inbound mail") {
		t.Errorf("inbound list on a new database: %q", out)
	}
	c.fails(exitUsage, "inbound list", "inbound", "show")
	if out := c.ok("inbound", "-h"); !strings.Contains(out, "quarantined") {
		t.Errorf("inbound -h: %q", out)
	}
}

func TestIMAPSettings(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["ACCORD_IMAP_URL"] = "imaps://accord:pw-s3cr3t@mail.example.com/Replies"
	c.env["ACCORD_INBOUND_REQUIRE_DMARC_PASS"] = "true"
	c.fails(exitFailure, "needs inbound.authserv_id", "config", "check")
	c.env["ACCORD_INBOUND_AUTHSERV_ID"] = "mx.example.com"
	out := c.ok("config", "check")
	if !strings.Contains(out, "imaps://accord:xxxxx@mail.example.com/Replies") || strings.Contains(out, "pw-s3cr3t") || !strings.Contains(out, "require_dmarc_pass = true") {
		t.Errorf("config check:\n%s", out)
	}
	c.env["ACCORD_IMAP_URL"] = "pop3://mail.example.com"
	c.fails(exitFailure, "imap.url", "config", "check")
	c.env["ACCORD_IMAP_URL"] = "imaps://mail.example.com"
	c.fails(exitFailure, "names no user", "config", "check")
}
