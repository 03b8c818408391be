package mailin

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"testing"

	"accord/store"
	"accord/store/storetest"
)

// process runs one raw message through a processor directly, as the poller
// would, under a fresh UID.
func (e *env) process(pr *Processor, uid uint32, raw []byte) Result {
	e.t.Helper()
	res, err := pr.Process(e.ctx, Fetched{Key: store.InboundKey{Mailbox: "direct", UIDValidity: 1, UID: uid}, Size: int64(len(raw)), Raw: raw})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func withHeader(raw []byte, header string) []byte {
	return append([]byte(header+"\r\n"), raw...)
}

func setHeader(raw []byte, name, value string) []byte {
	lines := strings.Split(string(raw), "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.ToLower(l), strings.ToLower(name)+":") {
			lines[i] = name + ": " + value
		}
	}
	return []byte(strings.Join(lines, "\r\n"))
}

// TestSpoofMatrix (F18, F21): every way of answering as someone else is
// refused; none of them is stored as the owner's answer.
func TestSpoofMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		e := newEnv(t, url, nil)
		pr := e.processor("p1")
		dana := e.lastMail("dana@example.test")
		sam := e.lastMail("sam@example.test")
		cases := []struct {
			name string
			raw  []byte
		}{
			{"forged From on Dana's token", replyMail("Mallory <mallory@example.net>", dana, "I am Dana, honest.")},
			{"Sam using Dana's token", replyMail("sam@example.test", dana, "Answering for Dana.")},
			{"Dana's question forwarded to her boss", replyMail("boss@example.test", dana, "Dana is great, says her boss.")},
			{"Dana's address with a token from Sam's mail", replyMail("dana@example.test", sam, "Sam's question, Dana's answer.")},
			{"display name impersonation", replyMail("\"dana@example.test\" <mallory@example.net>", dana, "Look at my name.")},
			{"two senders", setHeader(replyMail("dana@example.test", dana, "Two of us."), "From", "dana@example.test, mallory@example.net")},
			{"no From", setHeader(replyMail("dana@example.test", dana, "Nobody."), "From", "")},
			{"a guessed token", setHeader(setHeader(replyMail("mallory@example.net", dana, "Guessing."), "To", "accord+aaaaaaaaaaaaaaaaaaaaaaaaaa@example.test"), "In-Reply-To", "<nope@example.test>")},
		}
		for i, c := range cases {
			res := e.process(pr, uint32(i+1), c.raw)
			if res.Outcome != store.InboundRejected {
				t.Errorf("%s: outcome %q, want rejected", c.name, res.Outcome)
			}
		}
		if got := e.answers(e.dana); len(got) != 0 {
			t.Errorf("Dana's answers after the spoof attempts = %q, want none", got)
		}
		if got := e.answers(e.sam); len(got) != 0 {
			t.Errorf("Sam's answers after the spoof attempts = %q, want none", got)
		}
		// The real thing still works, also upper-cased by a server.
		real := replyMail("Dana Lee <DANA@example.test>", dana, "The real Dana.")
		real = bytes.Replace(real, []byte(strings.TrimPrefix(dana.ReplyTo, "accord+")), []byte(strings.ToUpper(strings.TrimPrefix(dana.ReplyTo, "accord+"))), 1)
		if res := e.process(pr, 100, real); res.Outcome != store.InboundAnswer {
			t.Errorf("Dana's own reply: %q, want answer", res.Outcome)
		}
		// Unknown senders get no reply by default: no backscatter.
		for _, m := range e.mailTo("mallory@example.net") {
			t.Errorf("a notice went to the stranger: %q", m.Subject)
		}
	})
}

// TestRandomTokensRejected (F21): 100,000 random tokens find nothing, and
// fail the same way.
func TestRandomTokensRejected(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	b := make([]byte, 16)
	for i := range 100_000 {
		rand.Read(b)
		tok := strings.ToLower(enc.EncodeToString(b))
		if _, err := e.st.ResolveToken(context.Background(), tok); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("random token %d (%s) = %v, want not found", i, tok, err)
		}
	}
}

// TestAuthenticationResults (F19): only the topmost header, written by our
// own server, counts.
func TestAuthenticationResults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	dana := e.lastMail("dana@example.test")
	ours := "mx.example.test"
	tests := []struct {
		name    string
		headers []string // topmost first
		require bool
		want    string
	}{
		{"our server says dmarc failed", []string{ours + "; dmarc=fail header.from=example.test", "evil.example; dmarc=pass"}, false, store.InboundRejected},
		{"forged pass below our fail", []string{ours + "; dmarc=fail", ours + "; dmarc=pass"}, false, store.InboundRejected},
		{"forged fail below our pass", []string{ours + "; dmarc=pass", "evil.example; dmarc=fail"}, true, store.InboundAnswer},
		{"forged topmost from another server", []string{"evil.example; dmarc=pass", ours + "; dmarc=pass"}, true, store.InboundRejected},
		{"no verdict, not required", nil, false, store.InboundAnswer},
		{"no verdict, required", nil, true, store.InboundRejected},
		// RFC 8601 allows CFWS around "=": a fail written with spaces is a fail.
		{"dmarc = fail with spaces", []string{ours + "; dmarc = fail header.from=example.test"}, false, store.InboundRejected},
		{"fail in capitals after a comment", []string{ours + " (our verdicts); DMARC=FAIL (p=reject)"}, false, store.InboundRejected},
		// What sits inside a quoted string or a comment is data.
		{"pass hidden in a quoted mailfrom", []string{ours + `; spf=pass smtp.mailfrom="x; dmarc=pass ;"@evil.example; dmarc=fail header.from=example.test`}, true, store.InboundRejected},
		{"pass hidden in a comment", []string{ours + "; spf=none (; dmarc=pass) smtp.mailfrom=evil.example"}, true, store.InboundRejected},
		{"fail after a pass in one header", []string{ours + "; dmarc=pass header.from=a.example; dmarc=fail header.from=example.test"}, false, store.InboundRejected},
		{"a real pass from our server", []string{ours + "; spf=pass smtp.mailfrom=example.test; dkim=pass header.d=example.test; dmarc=pass (p=reject) header.from=example.test"}, true, store.InboundAnswer},
		{"our id in another case", []string{"MX.Example.Test; dmarc=pass"}, true, store.InboundAnswer},
		{"unreadable header", []string{ours + "; dmarc=pass (unclosed"}, true, store.InboundRejected},
		{"no authserv-id, as Microsoft 365 writes it", []string{"spf=pass smtp.mailfrom=example.test; dmarc=pass header.from=example.test"}, true, store.InboundRejected},
	}
	for i, tt := range tests {
		pr := e.processor(fmt.Sprint("ar-", i))
		pr.Trust = Trust{AuthServID: ours, RequireDMARCPass: tt.require}
		raw := replyMail("dana@example.test", dana, fmt.Sprint("Answer ", i))
		for j := len(tt.headers) - 1; j >= 0; j-- {
			raw = withHeader(raw, "Authentication-Results: "+tt.headers[j])
		}
		if res := e.process(pr, uint32(i+1), raw); res.Outcome != tt.want {
			t.Errorf("%s: outcome %q, want %q", tt.name, res.Outcome, tt.want)
		}
	}
}

// TestRoutingWithoutToken: replies that lost the plus address are still
// matched by their threading headers, or by the sender's one partnership.
func TestRoutingWithoutToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	dana := e.lastMail("dana@example.test")
	noToken := setHeader(replyMail("dana@example.test", dana, "Via references."), "To", serviceAddress)
	if res := e.process(pr, 1, noToken); res.Outcome != store.InboundAnswer {
		t.Fatalf("reply without token, with References: %q, want answer", res.Outcome)
	}
	fresh := []byte("From: Sam Ortiz <sam@example.test>\r\nTo: " + serviceAddress + "\r\nSubject: my answer\r\nMessage-ID: <fresh@mail.example.test>\r\n\r\nA fresh mail, no thread at all.\r\n")
	if res := e.process(pr, 2, fresh); res.Outcome != store.InboundAnswer {
		t.Fatalf("fresh mail from a participant: %q, want answer to the open question", res.Outcome)
	}
	if got := e.answers(e.sam); len(got) != 1 || got[0] != "A fresh mail, no thread at all." {
		t.Errorf("Sam's answers = %q", got)
	}
	// Someone in two partnerships writing without a thread is asked which.
	if _, err := e.st.Enroll(e.ctx, store.Enrollment{Kind: "peer", Set: e.set(),
		A: store.EnrollPerson{Name: "Dana Lee", Email: "dana@example.test"}, B: store.EnrollPerson{Name: "Kim Novak", Email: "kim@example.test"}}); err != nil {
		t.Fatal(err)
	}
	ambiguous := bytes.ReplaceAll(fresh, []byte("sam@example.test"), []byte("dana@example.test"))
	ambiguous = setHeader(ambiguous, "Message-ID", "<ambiguous@mail.example.test>")
	if res := e.process(pr, 3, ambiguous); res.Outcome != store.InboundRejected {
		t.Errorf("fresh mail from someone in two partnerships: %q, want rejected", res.Outcome)
	}
	last := e.lastMail("dana@example.test")
	if !strings.Contains(last.Subject, "Which partnership") || !strings.Contains(string(last.Raw), "In-Reply-To: <ambiguous@mail.example.test>") {
		t.Errorf("Dana got %q, want the which-partnership notice under her mail", last.Subject)
	}
}

// TestNoticeRateLimit: a correspondent gets a notice of a kind at most once
// a day, however often they write.
func TestNoticeRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	pr.NotifyUnknownSenders = true
	for i := range 5 {
		raw := []byte(fmt.Sprintf("From: stranger@example.net\r\nTo: %s\r\nSubject: hello %d\r\nMessage-ID: <s%d@example.net>\r\n\r\nWho are you?\r\n", serviceAddress, i, i))
		if res := e.process(pr, uint32(i+1), raw); res.Outcome != store.InboundRejected {
			t.Fatalf("stranger mail %d: %q, want rejected", i, res.Outcome)
		}
	}
	if n := len(e.mailTo("stranger@example.net")); n != 1 {
		t.Errorf("%d notices to the stranger in one day, want 1", n)
	}
}
