package mailin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/mailin/classify"
	"accord/mailout"
	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
)

// TestAutoRepliesAndBounces (F24, F27): an out-of-office answer to a
// question and a bounce of a question are recorded and change nothing; a
// permanent bounce marks the address, a delay does not; nothing is sent
// back to either.
func TestAutoRepliesAndBounces(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		e := newEnv(t, url, nil)
		pr := e.processor("p1")
		dana := e.lastMail("dana@example.test")
		before := len(e.mailTo("dana@example.test"))
		ooo := setHeader(replyMail("dana@example.test", dana, "I am out of the office until Monday."), "Subject", "Automatic reply: "+dana.Subject)
		ooo = withHeader(ooo, "Auto-Submitted: auto-replied")
		if res := e.process(pr, 1, ooo); res.Outcome != store.InboundAutoReply {
			t.Errorf("out-of-office: %q, want auto-reply", res.Outcome)
		}
		headerless := setHeader(replyMail("dana@example.test", dana, "Ich bin bis Montag nicht im Büro."), "Subject", "Abwesenheitsnotiz: "+dana.Subject)
		if res := e.process(pr, 2, headerless); res.Outcome != store.InboundAutoReply {
			t.Errorf("header-less German out-of-office: %q, want auto-reply", res.Outcome)
		}
		human := replyMail("dana@example.test", dana, "I'll be out of office next week, so here is my answer now.")
		if res := e.process(pr, 3, human); res.Outcome != store.InboundAnswer {
			t.Errorf("a person mentioning out of office: %q, want answer", res.Outcome)
		}
		if n := len(e.mailTo("dana@example.test")) - before; n != 1 {
			t.Errorf("%d mails to Dana; want only the next question, nothing for the auto-replies", n)
		}
		if res := e.process(pr, 4, dsn("sam@example.test", "4.4.1", "delayed", e.lastMail("sam@example.test").MessageID)); res.Outcome != store.InboundBounce {
			t.Errorf("delay report: %q, want bounce", res.Outcome)
		}
		if b, _ := e.st.BounceOf(e.ctx, "sam@example.test"); b.Bouncing() {
			t.Error("a 4.x delay marked Sam bouncing")
		}
		if res := e.process(pr, 5, dsn("sam@example.test", "5.1.1", "failed", e.lastMail("sam@example.test").MessageID)); res.Outcome != store.InboundBounce {
			t.Errorf("bounce: %q, want bounce", res.Outcome)
		}
		if b, _ := e.st.BounceOf(e.ctx, "sam@example.test"); !b.Bouncing() || !strings.Contains(b.Last, "5.1.1") {
			t.Errorf("after a 5.1.1 bounce report Sam's bounce state = %+v, want bouncing", b)
		}
		if got := e.answers(e.sam); len(got) != 0 {
			t.Errorf("bounces stored as answers: %q", got)
		}
		if n := len(e.mailTo("mailer-daemon@mx.example.test")); n != 0 {
			t.Errorf("%d mails to the mailer daemon", n)
		}
		looped := e.lastMail("sam@example.test").Raw
		if res := e.process(pr, 6, looped); res.Outcome != store.InboundLoop {
			t.Errorf("our own mail come back: %q, want loop", res.Outcome)
		}
	})
}

// dsn writes a delivery status notification from the receiving server.
func dsn(rcpt, status, action, original string) []byte {
	return []byte(fmt.Sprintf("From: Mail Delivery System <MAILER-DAEMON@mx.example.test>\r\nTo: %[5]s\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-%[2]s-%[3]s@mx.example.test>\r\nAuto-Submitted: auto-replied\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"+
		"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\n"+
		"Final-Recipient: rfc822; %[1]s\r\nAction: %[3]s\r\nStatus: %[2]s\r\nDiagnostic-Code: smtp; 550 %[2]s mailbox problem\r\n\r\n"+
		"--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Accord <%[5]s>\r\nTo: %[1]s\r\nMessage-ID: %[4]s\r\n\r\n--b1--\r\n",
		rcpt, status, action, original, serviceAddress))
}

// TestCommandsByMail: the reply commands work through the whole pipeline,
// and a command that cannot be carried out gets a helpful answer.
func TestCommandsByMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	steps := []struct {
		text, wantDetail, wantSubject string
	}{
		{"Skip", "skip", "2/16"},
		{"pause 2 weeks", "pause", "Paused until"},
		{"resume", "resume", "2/16"},
		{"pause until someday", "unclear: ", "could not act"},
		{"help", "help", "How Accord works"},
	}
	for i, s := range steps {
		raw := replyMail("sam@example.test", e.lastMail("sam@example.test"), s.text)
		res := e.process(pr, uint32(i+1), raw)
		rows, _ := e.st.InboundLog(e.ctx, "")
		if res.Outcome != store.InboundCommand || !strings.HasPrefix(rows[len(rows)-1].Detail, s.wantDetail) {
			t.Errorf("%q: outcome %q (%s), want command %s", s.text, res.Outcome, rows[len(rows)-1].Detail, s.wantDetail)
		}
		if got := e.lastMail("sam@example.test").Subject; !strings.Contains(got, s.wantSubject) {
			t.Errorf("%q: Sam's next mail is %q, want one about %q", s.text, got, s.wantSubject)
		}
	}
	// An empty mail with subject "stop", as a List-Unsubscribe click sends.
	unsub := []byte("From: sam@example.test\r\nTo: " + e.lastMail("sam@example.test").ReplyTo + "\r\nSubject: stop\r\nMessage-ID: <unsub@mail.example.test>\r\n\r\n")
	if res := e.process(pr, 10, unsub); res.Outcome != store.InboundCommand {
		t.Errorf("unsubscribe mail: %q, want command", res.Outcome)
	}
	p, _ := e.st.Load(e.ctx, e.pid)
	if p.Status != conversation.StatusEnded {
		t.Errorf("after stop the partnership is %s, want ended", p.Status)
	}
	// The leaver writing again gets nothing; the mail is still accounted for.
	before := len(e.mailTo("sam@example.test"))
	if res := e.process(pr, 11, replyMail("sam@example.test", e.lastMail("sam@example.test"), "Wait, one more thing.")); res.Outcome != store.InboundIgnored {
		t.Errorf("mail from someone who left: %q, want ignored", res.Outcome)
	}
	if n := len(e.mailTo("sam@example.test")); n != before {
		t.Errorf("%d more mails to someone who left", n-before)
	}
}

// TestSlipsAreHeld: a reply that reads like a mistyped command or a note
// about another question is neither carried out nor stored, so the
// partner sees nothing of it; the person is asked, and the same words
// sent again are taken as meant.
func TestSlipsAreHeld(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	// Dana answers first, so an answer from Sam would be revealed to her.
	e.process(pr, 1, replyMail("dana@example.test", e.lastMail("dana@example.test"), "We already trust each other with the hard calls."))
	danaBefore := len(e.mailTo("dana@example.test"))
	question := e.lastMail("sam@example.test")
	uid := uint32(2)
	steps := []struct {
		text, wantSubject string
	}{
		{"paus 2 weeks", `Did you mean "pause 2 weeks"?`},
		{"stp", `Did you mean "stop"?`},
		{"Actually I meant that for question 3, sorry.", "Not recorded"},
		{"Stop micromanaging", `Did you mean "stop"?`},
	}
	for _, s := range steps {
		res := e.process(pr, uid, replyMail("sam@example.test", question, s.text))
		uid++
		if res.Outcome != store.InboundHeld {
			t.Errorf("%q: outcome %q, want held", s.text, res.Outcome)
		}
		if got := e.lastMail("sam@example.test").Subject; !strings.Contains(got, s.wantSubject) {
			t.Errorf("%q: Sam's next mail is %q, want %q", s.text, got, s.wantSubject)
		}
		if got := e.answers(e.sam); len(got) != 0 {
			t.Fatalf("%q: Sam has answers %q, want none", s.text, got)
		}
	}
	p, _ := e.st.Load(e.ctx, e.pid)
	if p.Status == conversation.StatusEnded || p.Participants[1].Status != conversation.ParticipantActive {
		t.Fatalf("after slips the partnership is %s and Sam %s, want both going on", p.Status, p.Participants[1].Status)
	}
	if n := len(e.mailTo("dana@example.test")); n != danaBefore {
		t.Errorf("Dana got %d mails while Sam's slips were held, want none", n-danaBefore)
	}
	// Sam meant it: the same words again are his answer, and Dana sees it.
	if res := e.process(pr, uid, replyMail("sam@example.test", question, "  stop   MICROMANAGING ")); res.Outcome != store.InboundAnswer {
		t.Fatalf("the held words sent again: outcome %q, want answer", res.Outcome)
	}
	if got := e.answers(e.sam); len(got) != 1 || got[0] != "stop   MICROMANAGING" {
		t.Errorf("Sam's answers are %q, want his words as sent the second time", got)
	}
	// A real command in between lets go of what was held.
	e.process(pr, uid+1, replyMail("sam@example.test", e.lastMail("sam@example.test"), "stp"))
	e.process(pr, uid+2, replyMail("sam@example.test", e.lastMail("sam@example.test"), "help"))
	if res := e.process(pr, uid+3, replyMail("sam@example.test", e.lastMail("sam@example.test"), "stp")); res.Outcome != store.InboundHeld {
		t.Errorf("a slip after another command: outcome %q, want held again", res.Outcome)
	}
}

// TestUndoByMail: a receipt offers undo and says for how long the partner
// cannot see the answer; an undo in that time means they never do, and
// the earlier answer stands again. A reply to an old question's mail says
// where it went and what it replaced.
func TestUndoByMail(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC))
	rules := conversation.DefaultRules()
	rules.Quiet = conversation.QuietHours{}
	e := newEnvWith(t, storetest.SQLiteURL(t), nil, store.Options{Clock: clock, Rules: rules})
	pr := e.processor("p1")
	body := func(m sent) string {
		t.Helper()
		env, err := enmime.ReadEnvelope(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(env.Text), " ")
	}
	e.process(pr, 1, replyMail("dana@example.test", e.lastMail("dana@example.test"), "Dana on the first question."))
	q1 := e.lastMail("sam@example.test")
	clock.Advance(time.Hour)
	e.process(pr, 2, replyMail("sam@example.test", q1, "Sam on the first question."))
	if got := body(e.lastMail("sam@example.test")); !strings.Contains(got, "Reply undo within 10 minutes and Dana will never see it.") {
		t.Errorf("Sam's receipt does not offer undo with the time left: %s", got)
	}
	// A second thought, to the old question's mail: recorded there, and
	// the receipt says what it replaced.
	clock.Advance(time.Hour)
	e.process(pr, 3, replyMail("sam@example.test", q1, "Sam on the first question, rethought."))
	receipt := e.lastMail("sam@example.test")
	if got := body(receipt); !strings.Contains(got, "recorded it there: question 1. It replaces what you wrote before:") ||
		!strings.Contains(got, "Sam on the first question.") || !strings.Contains(got, "Your current question is still 2") {
		t.Errorf("the receipt of a correction does not say what it replaced: %s", got)
	}
	clock.Advance(3 * time.Minute)
	if res := e.process(pr, 4, replyMail("sam@example.test", receipt, "Undo")); res.Outcome != store.InboundCommand {
		t.Fatalf("undo: outcome %q, want command", res.Outcome)
	}
	if got := body(e.lastMail("sam@example.test")); !strings.Contains(got, "Dana never saw it. Your earlier answer stands again:") {
		t.Errorf("the undo is not confirmed as unseen: %s", got)
	}
	if got := e.answers(e.sam); len(got) != 1 || got[0] != "Sam on the first question." {
		t.Errorf("Sam's answers after undo: %q, want the rethought one gone", got)
	}
	// Dana answers on; whatever she is shown, the undone words are not.
	clock.Advance(time.Hour)
	e.process(pr, 5, replyMail("dana@example.test", e.lastMail("dana@example.test"), "Dana on the second question."))
	for _, m := range e.mailTo("dana@example.test") {
		if strings.Contains(body(m), "rethought") {
			t.Errorf("Dana was shown the undone answer in %q", m.Subject)
		}
	}
	if got := body(e.lastMail("dana@example.test")); !strings.Contains(got, "Sam on the first question.") {
		t.Errorf("Dana's next mail does not show Sam's standing answer: %s", got)
	}
}

// TestStopConfirmedAndResumable: a typed stop asks first and tells the
// partner nothing; the second stop is final and the partner is told
// once. Within 30 days resume brings the person back; a List-Unsubscribe
// click stops at once and is just as resumable.
func TestStopConfirmedAndResumable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	status := func() (conversation.Status, conversation.ParticipantStatus) {
		t.Helper()
		p, err := e.st.Load(e.ctx, e.pid)
		if err != nil {
			t.Fatal(err)
		}
		return p.Status, p.Participants[1].Status
	}
	danaMail := len(e.mailTo("dana@example.test"))
	e.process(pr, 1, replyMail("sam@example.test", e.lastMail("sam@example.test"), "stop"))
	if got := e.lastMail("sam@example.test").Subject; !strings.Contains(got, "Reply stop to confirm") {
		t.Errorf("the first stop got %q, want a request to confirm", got)
	}
	if ps, ss := status(); ps == conversation.StatusEnded || ss != conversation.ParticipantActive {
		t.Fatalf("after the first stop: partnership %s, Sam %s", ps, ss)
	}
	if n := len(e.mailTo("dana@example.test")); n != danaMail {
		t.Errorf("Dana got %d mails on Sam's unconfirmed stop", n-danaMail)
	}
	e.process(pr, 2, replyMail("sam@example.test", e.lastMail("sam@example.test"), "Stop."))
	if ps, ss := status(); ps != conversation.StatusEnded || ss != conversation.ParticipantLeft {
		t.Fatalf("after the confirmed stop: partnership %s, Sam %s", ps, ss)
	}
	left := 0
	for _, m := range e.mailTo("dana@example.test") {
		if strings.Contains(m.Subject, "stepped out") {
			left++
		}
	}
	if left != 1 {
		t.Errorf("Dana was told %d times that Sam left, want once", left)
	}
	// Sam comes back.
	if res := e.process(pr, 3, replyMail("sam@example.test", e.lastMail("sam@example.test"), "resume")); res.Outcome != store.InboundCommand {
		t.Fatalf("resume after leaving: %q, want command", res.Outcome)
	}
	if ps, ss := status(); ps == conversation.StatusEnded || ss != conversation.ParticipantActive {
		t.Fatalf("after resume: partnership %s, Sam %s", ps, ss)
	}
	if got := e.lastMail("dana@example.test").Subject; !strings.Contains(got, "Sam is back") {
		t.Errorf("Dana's last mail is %q, want word that Sam is back", got)
	}
	// A List-Unsubscribe click: no confirmation asked, and still resumable.
	unsub := []byte("From: sam@example.test\r\nTo: " + e.lastMail("sam@example.test").ReplyTo + "\r\nSubject: stop\r\nMessage-ID: <unsub-2@mail.example.test>\r\n\r\n")
	e.process(pr, 4, unsub)
	if ps, ss := status(); ps != conversation.StatusEnded || ss != conversation.ParticipantLeft {
		t.Fatalf("after a List-Unsubscribe click: partnership %s, Sam %s", ps, ss)
	}
	e.process(pr, 5, replyMail("sam@example.test", e.lastMail("sam@example.test"), "Resume please"))
	if ps, ss := status(); ps == conversation.StatusEnded || ss != conversation.ParticipantActive {
		t.Errorf("resume after unsubscribing: partnership %s, Sam %s", ps, ss)
	}
}

// TestUnreadableReply: a reply with nothing outside the quote is not an
// answer; the person is told, once.
func TestUnreadableReply(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	for i := range 2 {
		raw := replyMail("dana@example.test", e.lastMail("dana@example.test"), "")
		if res := e.process(pr, uint32(i+1), raw); res.Outcome != store.InboundUnreadable {
			t.Errorf("empty reply: %q, want unreadable", res.Outcome)
		}
	}
	n := 0
	for _, m := range e.mailTo("dana@example.test") {
		if strings.Contains(m.Subject, "could not read") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d could-not-read notices, want 1", n)
	}
}

// TestInboundIDsCannotInject (F32): a hostile Message-ID on a reply, which
// our acknowledgement threads under, adds no header to what we send.
func TestInboundIDsCannotInject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	raw := replyMail("dana@example.test", e.lastMail("dana@example.test"), "help")
	raw = setHeader(raw, "Message-ID", "<evil@mail.example.test>\r\n Bcc: thief@example.net")
	if res := e.process(pr, 1, raw); res.Outcome != store.InboundCommand {
		t.Fatalf("help with a hostile Message-ID: %q", res.Outcome)
	}
	out := e.lastMail("dana@example.test")
	env, err := enmime.ReadEnvelope(bytes.NewReader(out.Raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range env.GetHeaderKeys() {
		if strings.EqualFold(k, "Bcc") || strings.EqualFold(k, "Cc") {
			t.Errorf("our reply carries a %s header", k)
		}
	}
	if got := env.GetHeader("In-Reply-To"); got != "<evil@mail.example.test>" {
		t.Errorf("In-Reply-To = %q, want only the well-formed id", got)
	}
}

// TestHugeReferences (F33): a References header with 100,000 ids is read
// only as far as its newest ids.
func TestHugeReferences(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&b, "<r%d@example.net> ", i)
	}
	h := textproto.MIMEHeader{"References": {b.String()}, "In-Reply-To": {"<parent@example.net>"}}
	ids := referencedIDs(h)
	if len(ids) != maxReferenceIDs || ids[0] != "<parent@example.net>" || ids[1] != "<r99999@example.net>" {
		t.Errorf("referencedIDs kept %d ids starting %q, %q; want %d, the parent then the newest", len(ids), ids[0], ids[1], maxReferenceIDs)
	}
}

func BenchmarkHugeReferences(b *testing.B) {
	var sb strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&sb, "<r%d@example.net> ", i)
	}
	h := textproto.MIMEHeader{"References": {sb.String()}}
	for b.Loop() {
		referencedIDs(h)
	}
}

// FuzzParse (F30) sends arbitrary bytes through what every inbound message
// meets before any database work: header reading, identity, MIME parsing,
// classification and reply extraction. Nothing may panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte("From: a@b.c\r\nSubject: hi\r\n\r\nhello\r\n"))
	f.Add(dsn("x@example.test", "5.1.1", "failed", "<m@x>"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/html; charset=koi8-r\r\n\r\n<blockquote><p>\xff\xfe</p>\r\n--x"))
	f.Add([]byte("Content-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		h := header(raw)
		identity(raw)
		referencedIDs(h)
		fromAddress(h)
		recipientAddresses(h)
		env, err := parseMessage(raw)
		if err != nil {
			return
		}
		classify.Classify(env, classify.Options{ServiceAddresses: []string{serviceAddress}})
		if text, _ := replyText(env); !utf8.ValidString(text) {
			t.Errorf("replyText gave invalid UTF-8: %q", text)
		}
	})
}

// TestDeepNestingIsRefused: a small message of unclosed nested multiparts,
// which would keep the MIME parser busy for minutes, is recorded as
// unreadable at once and the mail behind it flows.
func TestDeepNestingIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	var b strings.Builder
	b.WriteString("From: dana@example.test\r\nTo: " + serviceAddress + "\r\nMessage-ID: <deep@mail.example.test>\r\nMIME-Version: 1.0\r\n")
	for i := range 40 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
	res := e.process(pr, 1, []byte(b.String()))
	rows, _ := e.st.InboundLog(e.ctx, "")
	if res.Outcome != store.InboundRejected || !strings.Contains(rows[0].Detail, "nested too deeply") {
		t.Errorf("deeply nested mail: %q (%s), want rejected as too deeply nested", res.Outcome, rows[0].Detail)
	}
	if res := e.process(pr, 2, replyMail("dana@example.test", e.lastMail("dana@example.test"), "Still here.")); res.Outcome != store.InboundAnswer {
		t.Errorf("the next mail: %q, want answer", res.Outcome)
	}
}

// partBomb is a reply of n tiny parts in one flat multipart/mixed: with
// 120,000 of them, 5 MB.
func partBomb(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: dana@example.test\r\nTo: " + serviceAddress + "\r\nMessage-ID: <bomb@mail.example.test>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n")
	for range n {
		b.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
	}
	b.WriteString("--x--\r\n")
	return b.Bytes()
}

// bigAttachment is a real-looking reply with a few words and a 20 MB
// attachment, under the default size limit.
func bigAttachment(to sent) []byte {
	raw := replyMail("dana@example.test", to, "placeholder")
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	head = strings.Replace(head, "Content-Type: text/plain; charset=utf-8", "Content-Type: multipart/mixed; boundary=\"m\"", 1)
	var b strings.Builder
	b.WriteString(head + "\r\n\r\n--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe plan is attached; in short, we meet weekly.\r\n" +
		"--m\r\nContent-Type: application/pdf; name=plan.pdf\r\nContent-Disposition: attachment; filename=plan.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUJD", 19) + "\r\n"
	for range 20 << 20 / len(line) {
		b.WriteString(line)
	}
	b.WriteString("--m--\r\n")
	return []byte(b.String())
}

// TestHostileStructure (F30): a message of 120,000 tiny parts, well under
// the size limit, is refused before the MIME parser sees it; a reply with
// a 20 MB attachment is read without decoding the attachment; the mail
// behind both flows. How long each takes and what it costs in memory is
// measured by BenchmarkHostileStructure, not asserted here.
func TestHostileStructure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	welcome := e.lastMail("dana@example.test")
	res := e.process(pr, 1, partBomb(120_000))
	rows, _ := e.st.InboundLog(e.ctx, "")
	if res.Outcome != store.InboundRejected || !strings.Contains(rows[0].Detail, "more than 500 parts") {
		t.Errorf("120,000 parts: %q (%s), want rejected for its parts", res.Outcome, rows[0].Detail)
	}
	if res := e.process(pr, 2, bigAttachment(welcome)); res.Outcome != store.InboundAnswer {
		t.Errorf("a reply with a 20 MB attachment: %q, want answer", res.Outcome)
	}
	if got := e.answers(e.dana); len(got) != 1 || got[0] != "The plan is attached; in short, we meet weekly." {
		t.Errorf("answers = %q, want the words beside the attachment", got)
	}
	if res := e.process(pr, 3, replyMail("dana@example.test", e.lastMail("dana@example.test"), "Still here.")); res.Outcome != store.InboundAnswer {
		t.Errorf("the next mail: %q, want answer", res.Outcome)
	}
}

// BenchmarkHostileStructure measures what the worst messages under the
// size limit cost from raw bytes to extracted text: time per message and
// the heap growth at its peak (peak-MB) over the message's own size.
func BenchmarkHostileStructure(b *testing.B) {
	welcome := sent{MessageID: "<w@example.test>", ReplyTo: "accord+token@example.test", Subject: "[Accord] 1/16"}
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"120k-parts", partBomb(120_000)},
		{"20MB-attachment", bigAttachment(welcome)},
		{"deep-nesting", func() []byte {
			var s strings.Builder
			s.WriteString("From: dana@example.test\r\nMIME-Version: 1.0\r\n")
			for i := range 40 {
				fmt.Fprintf(&s, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
			}
			s.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
			return []byte(s.String())
		}()},
	} {
		b.Run(c.name, func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				done := make(chan struct{})
				sampled := make(chan uint64)
				go func() {
					var top uint64
					var m runtime.MemStats
					for {
						runtime.ReadMemStats(&m)
						top = max(top, m.HeapInuse)
						select {
						case <-done:
							sampled <- top
							return
						case <-time.After(time.Millisecond):
						}
					}
				}()
				if env, err := parseMessage(c.raw); err == nil {
					classify.Classify(env, classify.Options{ServiceAddresses: []string{serviceAddress}})
					replyText(env)
				}
				close(done)
				if top := <-sampled; top > before.HeapInuse {
					peak = max(peak, top-before.HeapInuse)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
		})
	}
}

// TestEndToEnd is the whole loop in one process: enrol, the welcome goes out
// over SMTP, the reply arrives in the IMAP mailbox, the answer is stored and
// the next question, with its receipt, reaches the SMTP server.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	mailtest.EachIMAP(t, func(t *testing.T, mb *mailtest.IMAP) {
		e := newEnv(t, storetest.SQLiteURL(t), mb)
		sink := mailtest.NewSink(t)
		sender, err := mailout.NewSender(mailout.SMTPConfig{Host: sink.Host(), Port: sink.Port(), Security: mailout.Plaintext}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sender.Close)
		ctx, cancel := context.WithCancel(e.ctx)
		t.Cleanup(cancel)
		out := &mailout.Outbox{Store: e.st, Mailer: sender, From: serviceAddress}
		w := out.Worker()
		w.Idle = 10 * time.Millisecond
		go w.Run(ctx)
		welcome := sink.WaitReceived(t, 2, 10*time.Second)
		var toDana mailtest.Message
		for _, m := range welcome {
			if m.To[0] == "dana@example.test" {
				toDana = m
			}
		}
		if toDana.MessageID == "" {
			t.Fatal("no welcome reached Dana through SMTP")
		}
		e.run(e.poller(e.processor("p1")))
		time.Sleep(100 * time.Millisecond) // let the poller reach IDLE
		start := time.Now()
		e.mb.Append(t, e.imap, "", replyMail("dana@example.test", e.lastMail("dana@example.test"), "Answer through the real loop."))
		next := sink.WaitReceived(t, 3, 10*time.Second)[2]
		took := time.Since(start)
		if next.To[0] != "dana@example.test" || !bytes.Contains(next.Data, []byte("2/16")) || !bytes.Contains(next.Data, []byte("We recorded your answer")) {
			t.Errorf("third mail through SMTP went to %v without question 2 and its receipt", next.To)
		}
		t.Logf("%s: from APPEND to the next question accepted by the SMTP server: %s", mb.Name, took.Round(time.Millisecond))
		if got := e.answers(e.dana); len(got) != 1 {
			t.Errorf("answers = %q", got)
		}
	})
}

// dsnTo is a delivery report sent to addr, about rcpt, quoting original
// (which may be empty).
func dsnTo(addr, rcpt, status, original string) []byte {
	raw := dsn(rcpt, status, "failed", original)
	raw = setHeader(raw, "To", addr)
	raw = bytes.Replace(raw, []byte("<dsn-"+status+"-failed@"), fmt.Appendf(nil, "<dsn-%x@", sha256.Sum256([]byte(addr+rcpt+status+original))), 1)
	if original == "" {
		raw = bytes.Replace(raw, []byte("Message-ID: \r\n"), nil, 1)
	}
	return raw
}

// TestForgedBounces (F27): a delivery report counts only when it is about
// mail we sent: one that came back to a message's own envelope sender, or
// one quoting a Message-ID we sent to the very address it reports. Forged
// reports are recorded as unmatched and silence nobody.
func TestForgedBounces(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		e := newEnv(t, url, nil)
		pr := e.processor("p1")
		id := testIdentity()
		danaMail := e.lastMail("dana@example.test")
		samMail := e.lastMail("sam@example.test")
		danaRow, err := e.st.OutboxByMessageID(e.ctx, danaMail.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name    string
			raw     []byte
			outcome string
		}{
			{"a stranger's report with no Message-ID", dsnTo(serviceAddress, "dana@example.test", "5.1.1", ""), store.InboundUnmatchedBounce},
			{"a stranger's report with a made-up Message-ID", dsnTo(serviceAddress, "dana@example.test", "5.1.1", "<made-up@example.test>"), store.InboundUnmatchedBounce},
			{"a report to a made-up bounce address", dsnTo(id.BounceAddress("abcdefghijklmnopqrstuvwxyz"), "dana@example.test", "5.1.1", ""), store.InboundUnmatchedBounce},
			{"a made-up bounce address with Dana's real Message-ID", dsnTo(id.BounceAddress("abcdefghijklmnopqrstuvwxyz"), "dana@example.test", "5.1.1", danaMail.MessageID), store.InboundUnmatchedBounce},
			{"Sam's Message-ID on a report about Dana", dsnTo(serviceAddress, "dana@example.test", "5.1.1", samMail.MessageID), store.InboundBounce},
			{"mail from a person to a bounce address", setHeader(replyMail("dana@example.test", danaMail, "Hello?"), "To", id.BounceAddress(danaRow.BounceToken.String)), store.InboundAutoReply},
		}
		for i, s := range steps {
			if res := e.process(pr, uint32(i+1), s.raw); res.Outcome != s.outcome {
				t.Errorf("%s: outcome %q, want %q", s.name, res.Outcome, s.outcome)
			}
		}
		for _, who := range []string{"dana@example.test", "sam@example.test"} {
			if b, _ := e.st.BounceOf(e.ctx, who); b.Bouncing() || b.HardBounces != 0 {
				t.Errorf("after forged reports %s has %+v; want no bounce counted", who, b)
			}
		}
		if m, _ := e.st.Outbox(e.ctx, danaRow.ID); m.State == store.OutboxFailed {
			t.Errorf("Dana's welcome was marked %s by a forged report", m.State)
		}

		// The real report comes back to the welcome's own envelope sender.
		real := dsnTo(id.BounceAddress(danaRow.BounceToken.String), "dana@example.test", "5.1.1", "")
		if res := e.process(pr, 10, real); res.Outcome != store.InboundBounce {
			t.Errorf("the real report: outcome %q, want bounce", res.Outcome)
		}
		if b, _ := e.st.BounceOf(e.ctx, "dana@example.test"); !b.Bouncing() || !strings.Contains(b.Last, "5.1.1") {
			t.Errorf("after the real report Dana has %+v, want bouncing", b)
		}
		if m, _ := e.st.Outbox(e.ctx, danaRow.ID); m.State != store.OutboxFailed || !strings.Contains(m.LastError, "bounced") {
			t.Errorf("the bounced welcome is %s (%q), want failed as bounced", m.State, m.LastError)
		}
		if b, _ := e.st.BounceOf(e.ctx, "sam@example.test"); b.Bouncing() {
			t.Error("Sam was marked bouncing by a report about Dana")
		}
		if rows, _ := e.st.InboundLog(e.ctx, store.InboundUnmatchedBounce); len(rows) != 4 || !strings.Contains(rows[0].Detail, "about no mail we sent") {
			t.Errorf("unmatched reports in the log: %+v", rows)
		}
		if n := len(e.mailTo("mailer-daemon@mx.example.test")); n != 0 {
			t.Errorf("%d mails to the mailer daemon", n)
		}
	})
}
