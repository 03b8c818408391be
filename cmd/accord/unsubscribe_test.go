package main

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOneClickUnsubscribe: with http.public_url set, mail carries an
// RFC 8058 one-click address. A GET only shows a page; the POST a mail
// program sends takes the person out at once, the partner is told, and
// the page says how to come back. Unknown links get a 404 page.
func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", strings.Replace(sandboxConfig, "[http]\n", "[http]\npublic_url = \"http://localhost/\"\n", 1))
	c.ok("pair", "add", "--lead", dana, "--report", sam, "--tz", "Europe/Berlin")
	s := c.serve()
	var imapAddr, pass string
	eventually(t, time.Minute, "the sandbox banner", func() bool {
		if m := bannerPass.FindStringSubmatch(s.stdout.String()); m != nil {
			imapAddr, pass = bannerIMAP.FindStringSubmatch(s.stdout.String())[1], m[1]
			return true
		}
		return false
	})
	var header, post string
	eventually(t, time.Minute, "Sam's welcome", func() bool {
		if msgs := inbox(t, imapAddr, "sam@example.com", pass); len(msgs) > 0 {
			header, post = msgs[0].Header.Get("List-Unsubscribe"), msgs[0].Header.Get("List-Unsubscribe-Post")
			return true
		}
		return false
	})
	m := regexp.MustCompile(`^<http://localhost(/unsubscribe/[a-z2-7]{26})>, <mailto:[^>]+\?subject=stop>$`).FindStringSubmatch(header)
	if m == nil || post != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q, List-Unsubscribe-Post %q; want the one-click address first, then mailto", header, post)
	}
	path := m[1]

	// A link checker fetching the address changes nothing.
	if code, body := s.get(path); code != http.StatusOK || !strings.Contains(body, "Leave Accord?") || !strings.Contains(body, `<form method="post">`) {
		t.Errorf("GET %s = %d:\n%s\nwant the page with a button", path, code, body)
	}
	leftMails := func() int {
		n := 0
		for _, msg := range inbox(t, imapAddr, "dana@example.com", pass) {
			if subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); strings.Contains(subject, "stepped out") {
				n++
			}
		}
		return n
	}
	if n := leftMails(); n != 0 {
		t.Fatalf("Dana was told Sam left after a GET")
	}

	// The mail program's POST.
	postForm := func() (int, string) {
		t.Helper()
		resp, err := http.PostForm(s.base+path, url.Values{"List-Unsubscribe": {"One-Click"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := postForm(); code != http.StatusOK || !strings.Contains(body, "You have left Accord") || !strings.Contains(body, "Reply resume") {
		t.Errorf("POST = %d:\n%s\nwant the confirmation with the way back", code, body)
	}
	eventually(t, time.Minute, "Dana to be told", func() bool { return leftMails() == 1 })
	if code, body := postForm(); code != http.StatusOK || !strings.Contains(body, "no longer in Accord") {
		t.Errorf("a second POST = %d:\n%s\nwant the already-left page", code, body)
	}
	if got := s.metric(`accord_unsubscribes_total{result="done"}`); got != 1 {
		t.Errorf("accord_unsubscribes_total{result=done} = %v, want 1", got)
	}
	if code, body := s.get("/unsubscribe/aaaaaaaaaaaaaaaaaaaaaaaaaa"); code != http.StatusNotFound || !strings.Contains(body, "does not work") {
		t.Errorf("an unknown token: %d:\n%s", code, body)
	}
	if n := leftMails(); n != 1 {
		t.Errorf("Dana was told %d times, want once", n)
	}
}
