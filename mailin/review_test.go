package mailin

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/store"
	"accord/store/storetest"
)

// toReview answers every question for both people, signs the draft,
// then opens their first review as if its date had come.
func (e *env) toReview() {
	e.t.Helper()
	e.toDraft()
	e.signDraft()
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

// toDraft answers every question for both people, so that both get the
// first round of the draft agreement.
func (e *env) toDraft() {
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
		{"1 yes, 1 no", store.InboundRejected, "question review1-kept: statements 1 rated twice", "Did we keep it? Nothing recorded yet"},
		{"all yes", store.InboundAnswer, "question review1-kept", "3/"},
		{"3", store.InboundRejected, "only a number", "could not act"},
		{"We speak up sooner now.", store.InboundAnswer, "question review1-developing", "4/"},
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

// finishReview answers, for one person, every review question still
// waiting: 4 for the rating, keep for commitments, a sentence otherwise.
func (e *env) finishReview(participant int64) {
	e.t.Helper()
	for range 20 {
		done := false
		_, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			pt, err := p.Participant(participant)
			if err != nil {
				return nil, err
			}
			pr := pt.Current()
			if pr == nil {
				done = true
				return nil, nil
			}
			text := pt.Person.Name + " reflects on " + pr.QuestionID
			switch part, _ := conversation.ReviewPartOf(pr.QuestionID); part {
			case conversation.PartRating:
				text = "4"
			case conversation.PartCommitment:
				text = "keep"
			case conversation.PartKept:
				text = "all yes"
			}
			return p.Answer(pt.ID, pr.QuestionID, text, now)
		})
		if err != nil {
			e.t.Fatal(err)
		}
		if done {
			return
		}
	}
	e.t.Fatal("the review questions did not run out")
}

// TestReviewRewriteByMail: during a review, "change N: …" in a reply to
// any review mail rewrites the sender's own words under topic N for the
// next version, also after they finished their review answers; a number
// no topic has, a rewrite without words, and one after the review closed
// are explained and record nothing.
func TestReviewRewriteByMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	e.toReview()
	pr := e.processor("p1")
	const three = "Outside work I coach a youth choir.\nThursday evenings are theirs."
	const five = "My best boss told me early what worried her."
	steps := []struct {
		name          string
		before        func() // runs first
		text          string
		outcome       string
		detail        string
		stored        int    // answers added
		subject, body string // Sam's next mail
	}{
		{name: "unknown number", text: "change 42: We keep Fridays free.", outcome: store.InboundRejected,
			detail: "rewrite: no agreement topic is numbered 42", subject: "no theme 42", body: "16. How will we hold each other accountable?"},
		{name: "no words", text: "Change #4", outcome: store.InboundRejected,
			detail: "rewrite: no new words for topic 4", subject: "Change 4 to what?", body: "Reply change 4: followed by your words"},
		{name: "before answering", text: "change 3:\n" + three, outcome: store.InboundAnswer,
			detail: "rewrite of 3", stored: 1, subject: "Noted for your next version: 3. Who are we beyond our jobs?",
			body: "Your current question is still 1: How is our partnership going?"},
		{name: "after finishing", before: func() { e.finishReview(e.sam) }, text: "Change 5 - " + five, outcome: store.InboundAnswer,
			detail: "rewrite of 5", stored: 1, subject: "Noted for your next version: 5.", body: "Dana sees them there"},
	}
	for i, s := range steps {
		if s.before != nil {
			s.before()
		}
		before := len(e.answers(e.sam))
		res := e.process(pr, uint32(i+1), replyMail("sam@example.test", e.lastReviewMail("sam@example.test"), s.text))
		rows, _ := e.st.InboundLog(e.ctx, "")
		if got := rows[len(rows)-1].Detail; res.Outcome != s.outcome || !strings.Contains(got, s.detail) {
			t.Errorf("%s: outcome %s (%s), want %s (%s)", s.name, res.Outcome, got, s.outcome, s.detail)
		}
		if stored := len(e.answers(e.sam)) - before; stored != s.stored {
			t.Errorf("%s: %d answers stored, want %d", s.name, stored, s.stored)
		}
		m := e.lastMail("sam@example.test")
		if !strings.Contains(m.Subject, s.subject) || !strings.Contains(m.text(t), s.body) {
			t.Errorf("%s: Sam's next mail is %q:\n%s\nwant one about %q saying %q", s.name, m.Subject, m.text(t), s.subject, s.body)
		}
	}
	// Dana finishes, and the review closes (toReview opened it at its
	// date, ahead of the store's clock): version 2 has Sam's new words
	// and Dana's own.
	e.finishReview(e.dana)
	if _, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.Wake(p.NextWake(now)), nil
	}); err != nil {
		t.Fatal(err)
	}
	e.signDraft()
	p, err := e.st.Load(e.ctx, e.pid)
	if err != nil {
		t.Fatal(err)
	}
	v2 := p.LatestAgreement()
	if v2.Version != 2 {
		t.Fatalf("latest version %d after both finished, want 2", v2.Version)
	}
	var got []string
	for _, th := range v2.Themes {
		for _, tp := range th.Topics {
			if tp.Number == 3 || tp.Number == 5 {
				for _, en := range tp.Entries {
					got = append(got, en.Text)
				}
			}
		}
	}
	want := []string{"Dana Lee answers beyond-the-job", three, "Dana Lee answers great-example", five}
	if !slices.Equal(got, want) {
		t.Errorf("topics 3 and 5 in version 2 = %q, want %q", got, want)
	}
	var changed []string
	for _, c := range v2.Changes {
		changed = append(changed, fmt.Sprintf("%s %s %d", c.Name, c.Kind, c.Number))
	}
	if want := []string{"Sam Ortiz changed 3", "Sam Ortiz changed 5"}; !slices.Equal(changed, want) {
		t.Errorf("changes %q, want %q", changed, want)
	}
	// The review has closed: another rewrite is explained, not kept.
	before := len(e.answers(e.sam))
	res := e.process(pr, 20, replyMail("sam@example.test", e.lastMail("sam@example.test"), "change 3: Once more."))
	rows, _ := e.st.InboundLog(e.ctx, "")
	if res.Outcome != store.InboundRejected || !strings.Contains(rows[len(rows)-1].Detail, "only while a review is open") || len(e.answers(e.sam)) != before {
		t.Errorf("rewrite after the review: outcome %s (%s)", res.Outcome, rows[len(rows)-1].Detail)
	}
	if got := e.lastMail("sam@example.test").Subject; !strings.Contains(got, "Rewrites wait for your next review") {
		t.Errorf("after the review Sam got %q", got)
	}
}
