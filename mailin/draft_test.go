package mailin

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/store"
	"accord/store/storetest"
)

// signDraft has both people reply "agree all" to the first round of the
// open draft (of version 1, or of a review's), so that the version is
// signed.
func (e *env) signDraft() {
	e.t.Helper()
	e.flush()
	pr := e.processor("signing")
	for i, who := range []string{"dana@example.test", "sam@example.test"} {
		d := e.lastMail(who)
		if !strings.Contains(d.Subject, "— round 1 of 3") {
			e.t.Fatalf("%s's last mail is %q, want the draft", who, d.Subject)
		}
		if res := e.process(pr, 90000+10*e.signed+uint32(i), replyMail(who, d, "agree all")); res.Outcome != store.InboundAnswer {
			e.t.Fatalf("%s agrees to the draft: %+v", who, res)
		}
	}
	e.signed++
	e.flush()
}

// flush sends both people what waits for them, whatever the hour.
func (e *env) flush() {
	e.t.Helper()
	_, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		quiet := p.Rules.Quiet
		p.Rules.Quiet = conversation.QuietHours{}
		defer func() { p.Rules.Quiet = quiet }()
		for _, pt := range p.Participants {
			if !pt.NextSendAt.IsZero() {
				pt.NextSendAt = now
			}
		}
		return p.Wake(now), nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestDraftRepliesByMail walks a drafting round by mail: a reply command
// still works while drafting, a slip and plain words are explained and
// change nothing, a change waits for the partner, and the partner's
// agreement to it signs version 1, which both receive. A reply to an
// earlier round's mail, or to the draft once signed, is refused; the
// agreement command sends the open round again, then the signed version
// with its Markdown attached.
func TestDraftRepliesByMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	e.toDraft()
	pr := e.processor("p1")
	steps := []struct {
		who, text, outcome, detail, subject string
	}{
		{"dana@example.test", "agre all", store.InboundRejected, "draft: ", `Did you mean "agree all"?`},
		{"dana@example.test", "Looks good to me, thanks for putting this together", store.InboundRejected, "draft: ", "Your reply to the draft: nothing recorded"},
		{"dana@example.test", "agree all\nchange 1: I keep your mornings free of meetings.", store.InboundAnswer, "draft round 1: agree all; change 1", "Noted: your reply to the draft"},
		{"sam@example.test", "agreement", store.InboundCommand, "agreement", "draft agreement — round 1 of 3"},
		{"sam@example.test", "Agree all.\n\nThanks,\nSam", store.InboundAnswer, "draft round 1: agree all", "round 2 of 3"},
		{"dana@example.test", "agree 1", store.InboundRejected, "draft: a reply to round 1", "That was an earlier round of the draft"},
		{"sam@example.test", "agree all", store.InboundAnswer, "draft round 2: agree all", "partnership agreement (version 1)"},
		{"sam@example.test", "agree all", store.InboundRejected, "draft: a reply after drafting ended", "Drafting has ended"},
		{"sam@example.test", "Send me our agreement, please", store.InboundCommand, "agreement", "Your agreement as it stands (version 1)"},
	}
	for i, s := range steps {
		last := e.lastMail(s.who)
		if s.outcome == store.InboundRejected && strings.HasPrefix(s.detail, "draft: a reply") {
			// A reply to an earlier draft mail, in that mail's thread.
			last = e.firstMail(s.who, "draft agreement")
		}
		res := e.process(pr, uint32(100+i), replyMail(s.who, last, s.text))
		rows, err := e.st.InboundLog(e.ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if detail := rows[len(rows)-1].Detail; res.Outcome != s.outcome || !strings.HasPrefix(detail, s.detail) {
			t.Fatalf("step %d, %s: %q → %s (%s), want %s (%s…)", i+1, s.who, s.text, res.Outcome, detail, s.outcome, s.detail)
		}
		if got := e.lastMail(s.who).Subject; !strings.Contains(got, s.subject) {
			t.Errorf("step %d: %s's last mail is %q, want one about %q", i+1, s.who, got, s.subject)
		}
	}
	if env, err := enmime.ReadEnvelope(bytes.NewReader(e.lastMail("sam@example.test").Raw)); err != nil ||
		len(env.Attachments) != 1 || env.Attachments[0].FileName != "accord-agreement-v1.md" ||
		!bytes.Contains(env.Attachments[0].Content, []byte("**Agreed by Dana Lee on")) {
		t.Errorf("the agreement sent on request carries no signed Markdown (err %v)", err)
	}
	for _, who := range []string{"dana@example.test", "sam@example.test"} {
		var body string
		for _, m := range e.mailTo(who) {
			if strings.Contains(m.Subject, "Your signed partnership agreement (version 1)") {
				body = m.text(t)
			}
		}
		for _, want := range []string{"I keep your mornings free of meetings.", "Agreed by Dana Lee on", "and Sam Ortiz on"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s's agreement lacks %q:\n%s", who, want, body)
			}
		}
	}
}

// firstMail is the oldest mail to an address whose subject has words.
func (e *env) firstMail(to, words string) sent {
	e.t.Helper()
	for _, m := range e.mailTo(to) {
		if strings.Contains(m.Subject, words) {
			return m
		}
	}
	e.t.Fatalf("no mail to %s about %q", to, words)
	return sent{}
}
