package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// question is the body of the message the clients answer.
var question = []string{
	"Hi Dana,",
	"",
	"What already works between us? Reply to this email; a sentence is plenty.",
	"",
	"Accord",
}

func TestMuttReply(t *testing.T) {
	t.Parallel()
	for _, how := range []Posting{TopPosted, BottomPosted} {
		t.Run(how.String(), func(t *testing.T) {
			t.Parallel()
			testReply(t, "mutt", MuttReply, how, regexp.MustCompile(`^On .+, Accord wrote:$`), "> ")
		})
	}
}

func TestSNailReply(t *testing.T) {
	t.Parallel()
	for _, how := range []Posting{TopPosted, BottomPosted} {
		t.Run(how.String(), func(t *testing.T) {
			t.Parallel()
			testReply(t, "s-nail", SNailReply, how, regexp.MustCompile(`^Accord <accord@example\.test> wrote:$`), "\t")
		})
	}
}

// testReply sends dana a question with a Reply-To plus address, lets the
// client answer it and checks the answer that reaches accord's INBOX.
// attribution matches the line the client puts above its quote, and
// indent starts every quoted line.
func testReply(t *testing.T, client string, reply func(testing.TB, Account, string, string, Posting), how Posting, attribution *regexp.Regexp, indent string) {
	dana := TestbedAccount(t, "dana")
	accord := TestbedAccount(t, "accord")
	domain := accord.Address[strings.Index(accord.Address, "@")+1:]
	tok := randomHex(6)
	subject := "[Accord] 1/16 — What already works between us?-" + tok
	replyTo := "accord+tok" + tok + "@" + domain
	msgID := "<q1." + tok + "@accord." + domain + ">"
	// An older copy of the question arrives after the real one: the client
	// must pick the newest by Date, not the last delivered.
	now := time.Now()
	sendQuestion(t, dana, accord, subject, replyTo, msgID, now)
	sendQuestion(t, dana, accord, subject, replyTo, "<q0."+tok+"@accord."+domain+">", now.Add(-time.Hour))
	awaitCount(t, dana, subject, 2)

	text := fmt.Sprintf("We listen to each other, even on bad days (%s, %s-posted).\nAnd we still laugh at the same jokes — most of them.", client, how)
	start := time.Now()
	reply(t, dana, subject, text, how)
	replied := time.Since(start)

	raw := awaitReply(t, accord, replyTo, 20*time.Second)
	t.Logf("%s, %s-posted: replied in %s, delivered after %s; raw reply:\n%s", client, how, replied.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), raw)

	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse reply: %v", err)
	}
	if got := m.Header.Get("In-Reply-To"); got != msgID {
		t.Errorf("In-Reply-To = %q, want %q", got, msgID)
	}
	if got := m.Header.Get("References"); !strings.Contains(got, msgID) {
		t.Errorf("References = %q, want it to contain %q", got, msgID)
	}
	if to, err := m.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != replyTo {
		t.Errorf("To = %v (%v), want only %s", to, err, replyTo)
	}
	if from, err := m.Header.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != dana.Address {
		t.Errorf("From = %v (%v), want %s", from, err, dana.Address)
	}
	dec := new(mime.WordDecoder)
	if got, err := dec.DecodeHeader(m.Header.Get("Subject")); err != nil || got != "Re: "+subject {
		t.Errorf("Subject = %q (%v), want %q", got, err, "Re: "+subject)
	}

	body := decodeBody(t, m)
	if n := strings.Count(body, text); n != 1 {
		t.Fatalf("reply text appears %d times in the body, want once; body:\n%s", n, body)
	}
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	attr := -1
	for i, l := range lines {
		if attribution.MatchString(l) {
			attr = i
			break
		}
	}
	if attr < 0 {
		t.Fatalf("no attribution line matching %s in the body:\n%s", attribution, body)
	}
	// Every line of the question comes back quoted, after the attribution.
	quoted := strings.Join(lines[attr+1:], "\n") + "\n"
	for _, q := range question {
		if q == "" {
			continue
		}
		if !strings.Contains(quoted, indent+q+"\n") {
			t.Errorf("quote lacks %q; body:\n%s", indent+q, body)
		}
	}
	switch how {
	case TopPosted:
		if want := text + "\n\n"; !strings.HasPrefix(body, want) || attr != strings.Count(want, "\n") {
			t.Errorf("top-posted body does not start with the text, a blank line and the attribution:\n%s", body)
		}
	case BottomPosted:
		if want := "\n\n" + text; !strings.HasSuffix(strings.TrimRight(body, "\n"), want) || attr != 0 {
			t.Errorf("bottom-posted body does not start with the attribution and end with a blank line and the text:\n%s", body)
		}
		if i := strings.Index(body, text); i < strings.LastIndex(body, indent+question[len(question)-1]) {
			t.Errorf("text is above the end of the quote:\n%s", body)
		}
	}
}

// sendQuestion mails the question from accord to to over the test bed's
// plain SMTP port, as Accord would.
func sendQuestion(t *testing.T, to, from Account, subject, replyTo, msgID string, date time.Time) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "From: Accord <%s>\r\n", from.Address)
	fmt.Fprintf(&b, "To: %s <%s>\r\n", to.Name, to.Address)
	fmt.Fprintf(&b, "Reply-To: %s\r\n", replyTo)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: %s\r\n", msgID)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
	b.WriteString(strings.Join(question, "\r\n") + "\r\n")
	if err := smtp.SendMail(to.SMTPAddr, nil, from.Address, []string{to.Address}, []byte(b.String())); err != nil {
		t.Fatalf("send question to %s: %v", to.Address, err)
	}
	t.Cleanup(func() { deleteMatching(t, to, "Message-ID", msgID) })
}

// awaitCount waits until n messages with the subject are in a's INBOX.
func awaitCount(t *testing.T, a Account, subject string, n int) {
	t.Helper()
	c, err := dialAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("select INBOX: %v", err)
	}
	crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := c.UIDSearch(crit, nil).Wait()
		if err != nil {
			t.Fatalf("search INBOX: %v", err)
		}
		if len(res.AllUIDs()) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages with subject %q reached %s's INBOX", len(res.AllUIDs()), n, subject, a.Address)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awaitReply waits for a message addressed to rcpt in a's INBOX and
// returns it; the message is deleted when the test ends.
func awaitReply(t *testing.T, a Account, rcpt string, timeout time.Duration) []byte {
	t.Helper()
	c, err := dialAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("select INBOX: %v", err)
	}
	crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: rcpt}}}
	deadline := time.Now().Add(timeout)
	for {
		res, err := c.UIDSearch(crit, nil).Wait()
		if err != nil {
			t.Fatalf("search INBOX: %v", err)
		}
		if uids := res.AllUIDs(); len(uids) > 0 {
			t.Cleanup(func() { deleteMatching(t, a, "To", rcpt) })
			if len(uids) > 1 {
				t.Errorf("%d messages to %s, want 1", len(uids), rcpt)
			}
			msgs, err := c.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
			if err != nil || len(msgs) != 1 || len(msgs[0].BodySection) != 1 {
				t.Fatalf("fetch reply: %v (%d messages)", err, len(msgs))
			}
			return msgs[0].BodySection[0].Bytes
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reply to %s reached %s's INBOX within %s", rcpt, a.Address, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deleteMatching removes the test's own messages from a's INBOX, so that
// runs do not pile up mail for other tests to wade through.
func deleteMatching(t *testing.T, a Account, header, value string) {
	c, err := dialAccount(a)
	if err != nil {
		t.Logf("clean up: %v", err)
		return
	}
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Logf("clean up: select: %v", err)
		return
	}
	res, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: header, Value: value}}}, nil).Wait()
	if err != nil || len(res.AllUIDs()) == 0 {
		return
	}
	uids := imap.UIDSetNum(res.AllUIDs()...)
	if err := c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Logf("clean up: store: %v", err)
		return
	}
	if err := c.UIDExpunge(uids).Close(); err != nil {
		t.Logf("clean up: expunge: %v", err)
	}
}

// decodeBody returns a text/plain body undone from its transfer encoding,
// with Unix line ends.
func decodeBody(t *testing.T, m *mail.Message) string {
	t.Helper()
	if ct := m.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != "text/plain" {
			t.Fatalf("Content-Type = %q (%v), want text/plain", ct, err)
		}
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
			t.Fatalf("charset = %q, want utf-8 or us-ascii", cs)
		}
	}
	var r io.Reader = m.Body
	switch cte := strings.ToLower(m.Header.Get("Content-Transfer-Encoding")); cte {
	case "", "7bit", "8bit":
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	default:
		t.Fatalf("Content-Transfer-Encoding = %q", cte)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}
