package main

import (
	"encoding/base64"
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

	// A bad file in a batch is reported and the rest read; the exit
	// status says something failed.
	bad := c.write("bad.eml", "From: dana@example.com\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
		base64.StdEncoding.EncodeToString([]byte("ok\x00\x01\x02 then\x07"))+"\r\n")
	blank := c.write("blank-first.eml", "\r\nFrom: dana@example.com\r\nSubject: Re: q\r\nContent-Type: text/plain\r\n\r\nFridays.\r\n")
	out, errOut, code := c.run("extract", txt, c.dir+"/missing.eml", blank)
	if code != exitFailure || !strings.Contains(out, "Thursdays suit me.") || !strings.Contains(out, "Fridays.") ||
		!strings.Contains(errOut, "missing.eml") || !strings.Contains(errOut, "1 of 3 files could not be read") {
		t.Errorf("a batch with a missing file: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	out, _, code = c.run("extract", "--format", "jsonl", bad, txt)
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if code != exitFailure || len(lines) != 2 || !strings.Contains(lines[0], `"error"`) || !strings.Contains(lines[1], "Thursdays suit me.") {
		t.Errorf("jsonl with a bad file: exit %d\n%s", code, out)
	}
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

// TestExtractMessages: a whole message is read the way the service reads
// replies: character sets as declared, repaired or refused as the
// processor would.
func TestExtractMessages(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	head := "From: dana@example.com\r\nSubject: Re: question\r\nMIME-Version: 1.0\r\n"
	cases := []struct {
		name, msg, want string
	}{
		{"html.eml", head + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Mornings are best.</p><blockquote>Which time?</blockquote>\r\n", "Mornings are best."},
		{"latin1.eml", head + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCa me va tr\xe8s bien, \x93jeudi\x94.\r\n", "Ca me va très bien, “jeudi”."},
		{"utf16.eml", head + "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString([]byte("E\x00v\x00e\x00r\x00y\x00 \x00w\x00e\x00e\x00k\x00.\x00")) + "\r\n", "Every week."},
	}
	for _, tc := range cases {
		path := c.write(tc.name, tc.msg)
		if out := c.ok("extract", path); strings.TrimSpace(out) != tc.want {
			t.Errorf("extract %s = %q, want %q", tc.name, out, tc.want)
		}
	}
	junk := c.write("junk.eml", head+"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
		base64.StdEncoding.EncodeToString([]byte("ok\x00\x01\x02 then\x07"))+"\r\n")
	c.fails(exitFailure, "could not be read", "extract", junk)
}
