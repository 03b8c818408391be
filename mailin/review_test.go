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

// toReview answers every question for both people, then opens their
// first review as if its date had come.
func (e *env) toReview() {
	e.t.Helper()
	for range 40 {
		_, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			for _, pt := range p.Participants {
				if pr := pt.Current(); pr != nil {
					return p.Answer(pt.ID, pr.QuestionID, pt.Person.Name+" answers "+pr.QuestionID, now)
				}
			}
			return nil, nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	_, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		if p.LatestAgreement() == nil {
			e.t.Fatal("no agreement after every answer")
		}
		due := p.ReviewStartsAt(p.Participants[1], p.LatestAgreement().ReviewOn)
		return p.Wake(due.Add(time.Hour)), nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestReviewRepliesByMail: ratings that are not 1–5 and bare numbers where
// words are asked for are explained and not stored; a good rating moves
// on; export sends the agreement history as an attachment.
func TestReviewRepliesByMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	e.toReview()
	pr := e.processor("p1")
	if got := e.lastMail("sam@example.test").Subject; !strings.Contains(got, "Review") {
		t.Fatalf("Sam's last mail is %q, want the review", got)
	}
	steps := []struct {
		text, outcome, detail, subject string
	}{
		{"7", store.InboundRejected, "not a rating", "could not act"},
		{"4 — steadier than in spring", store.InboundAnswer, "question review1-rating", "2/"},
		{"3", store.InboundRejected, "only a number", "could not act"},
		{"We speak up sooner now.", store.InboundAnswer, "question review1-developing", "3/"},
	}
	for i, s := range steps {
		before := len(e.answers(e.sam))
		res := e.process(pr, uint32(i+1), replyMail("sam@example.test", e.lastReviewMail("sam@example.test"), s.text))
		rows, _ := e.st.InboundLog(e.ctx, "")
		if res.Outcome != s.outcome || !strings.Contains(rows[len(rows)-1].Detail, s.detail) {
			t.Errorf("%q: outcome %s (%s), want %s (%s)", s.text, res.Outcome, rows[len(rows)-1].Detail, s.outcome, s.detail)
		}
		stored := len(e.answers(e.sam)) - before
		if want := map[bool]int{true: 1, false: 0}[s.outcome == store.InboundAnswer]; stored != want {
			t.Errorf("%q: %d answers stored, want %d", s.text, stored, want)
		}
		if got := e.lastMail("sam@example.test").Subject; !strings.Contains(got, s.subject) {
			t.Errorf("%q: Sam's next mail is %q, want one about %q", s.text, got, s.subject)
		}
	}
	res := e.process(pr, 10, replyMail("sam@example.test", e.lastMail("sam@example.test"), "export"))
	if res.Outcome != store.InboundCommand {
		t.Fatalf("export: outcome %s", res.Outcome)
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(e.lastMail("sam@example.test").Raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Attachments) != 1 || !strings.HasSuffix(env.Attachments[0].FileName, ".md") ||
		!bytes.Contains(env.Attachments[0].Content, []byte("Sam Ortiz answers")) {
		t.Errorf("export mail attachments: %+v", env.Attachments)
	}
}

// lastReviewMail is the newest mail to an address that asks a review
// question, skipping the notes about unclear replies.
func (e *env) lastReviewMail(to string) sent {
	e.t.Helper()
	all := e.mailTo(to)
	for i := len(all) - 1; i >= 0; i-- {
		if strings.Contains(all[i].Subject, "Review") {
			return all[i]
		}
	}
	e.t.Fatalf("no review mail to %s", to)
	return sent{}
}
