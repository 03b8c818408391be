package mailout

import (
	"fmt"
	"time"

	"accord/conversation"
	"accord/templates"
)

// Sample is one example mail, for looking at templates in a real client
// (accord send-test) and for the template tests.
type Sample struct {
	// Name says what it shows, e.g. "welcome-lead"; Kind is its template.
	Name, Kind string
	Letter     Letter
}

// sampleAnswers are what the sample people write, in order.
var sampleAnswers = []string{
	"We already trust each other with the hard calls. When a release goes sideways we talk the same day, not at the next review.",
	"Sam notices what others miss and says it kindly.\n\nThe write-up of the outage last spring is still the one people link to: https://wiki.example.com/incidents/2026-04-17-payments-latency-root-cause-and-follow-ups-with-owners",
	"I coach a youth football team on Saturdays, so I am slow on chat then.",
	"Shipping the new billing platform this year, and growing two people into leads.",
}

// Samples drives an in-memory partnership through the domain and collects
// one mail of every kind, in each role where the wording differs. The
// recipients are sample people at example.com.
func Samples(set *conversation.QuestionSet, now time.Time) ([]Sample, error) {
	if set.Len() < 4 {
		return nil, fmt.Errorf("mailout: samples need a question set of at least 4 questions")
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, err
	}
	rules := conversation.DefaultRules()
	rules.Quiet = conversation.QuietHours{} // every mail goes out at once
	newPair := func(kind conversation.Kind) (*conversation.Partnership, error) {
		a := conversation.Person{Name: "Dana Lee", Email: "dana@example.com", Location: berlin}
		b := conversation.Person{Name: "Sam Ortiz", Email: "sam@example.com", Location: berlin}
		if kind == conversation.KindPeer {
			b = conversation.Person{Name: "Kim Novak", Email: "kim@example.com", Location: berlin}
		}
		p, err := conversation.NewPartnership(kind, a, b, set, rules, now)
		if err != nil {
			return nil, err
		}
		p.ID, p.Participants[0].ID, p.Participants[1].ID = 1, 1, 2
		return p, nil
	}
	var out []Sample
	var failed error
	add := func(name string, p *conversation.Partnership, msgs []conversation.Message, err error, kind conversation.MessageKind, to int) {
		if failed != nil {
			return
		}
		if err != nil {
			failed = fmt.Errorf("mailout: sample %s: %w", name, err)
			return
		}
		for _, m := range msgs {
			if m.Kind == kind && m.To == p.Participants[to] {
				out = append(out, sampleOf(name, p, m, now))
				return
			}
		}
		failed = fmt.Errorf("mailout: sample %s: no %s message to participant %d", name, kind, to)
	}
	lead, report := 0, 1
	p, err := newPair(conversation.KindLeadReport)
	if err != nil {
		return nil, err
	}
	t := now
	step := func() time.Time { t = t.Add(time.Hour); return t }
	enrol := p.Enroll(t)
	add("welcome-lead", p, enrol, nil, conversation.MsgWelcome, lead)
	add("welcome-report", p, enrol, nil, conversation.MsgWelcome, report)
	q := func(i int) string { return set.Questions[i].ID }

	msgs, err := p.Answer(1, q(0), sampleAnswers[0], step())
	add("question-with-receipt", p, msgs, err, conversation.MsgQuestion, lead)
	msgs, err = p.Answer(2, q(0), "We are honest with each other, even when it is awkward.", step())
	add("question-with-reveal", p, msgs, err, conversation.MsgQuestion, report)
	msgs, err = p.Answer(1, q(1), sampleAnswers[1], step())
	add("question-with-long-link", p, msgs, err, conversation.MsgQuestion, lead)
	msgs, err = p.Skip(2, q(1), step())
	add("question-after-skip", p, msgs, err, conversation.MsgQuestion, report)

	// Three days of silence bring the reminders.
	msgs = p.Wake(t.AddDate(0, 0, 3))
	add("reminder-first", p, msgs, nil, conversation.MsgReminder, lead)
	msgs = p.Wake(t.AddDate(0, 0, 6))
	add("reminder-last", p, msgs, nil, conversation.MsgReminder, lead)
	t = t.AddDate(0, 0, 6)

	msgs, err = p.Pause(2, t.AddDate(0, 0, 14), step())
	add("ack-paused", p, msgs, err, conversation.MsgAck, report)
	msgs, err = p.Resume(2, step())
	add("question-after-resume", p, msgs, err, conversation.MsgQuestion, report)
	msgs, err = p.Answer(1, q(0), "We already trust each other with the hard calls, and we say so.", step())
	add("receipt", p, msgs, err, conversation.MsgReceipt, lead)
	msgs, err = p.Help(2, step())
	add("help", p, msgs, err, conversation.MsgHelp, report)
	msgs, err = p.PauseAll(time.Time{}, step())
	add("ack-paused-by-organiser", p, msgs, err, conversation.MsgAck, lead)
	if _, err := p.ResumeAll(step()); err != nil {
		return nil, err
	}

	// Everyone answers the rest; the lead finishes first.
	for pt, who := range []string{1: "Dana", 2: "Sam"} {
		if who == "" {
			continue
		}
		for i := range set.Len() {
			pr := p.Participants[pt-1].Prompt(q(i))
			if pr != nil && pr.State != conversation.PromptOpen {
				continue
			}
			text := fmt.Sprintf("%s's thoughts on %q, in a sentence or two.", who, set.Questions[i].Title)
			if i < len(sampleAnswers) && pt == 1 {
				text = sampleAnswers[i]
			}
			msgs, err := p.Answer(int64(pt), q(i), text, step())
			if pt == 1 && i == set.Len()-1 {
				add("waiting", p, msgs, err, conversation.MsgWaiting, lead)
			}
			if pt == 2 && i == set.Len()-1 {
				add("agreement", p, msgs, err, conversation.MsgAgreement, report)
			} else if err != nil {
				return nil, err
			}
		}
	}

	msgs, err = p.Amend(1, "Could we add a monthly walk to our routines?", step())
	add("ack-kept", p, msgs, err, conversation.MsgAck, lead)
	msgs, err = p.Unclear(2, "We understood pause but not the rest. Reply pause, pause 2 weeks, or pause until 2027-01-05.", step())
	add("help-unclear", p, msgs, err, conversation.MsgHelp, report)

	peers, err := newPair(conversation.KindPeer)
	if err != nil {
		return nil, err
	}
	add("welcome-peer", peers, peers.Enroll(now), nil, conversation.MsgWelcome, 0)
	msgs, err = peers.Stop(2, now.Add(time.Hour))
	add("ack-stopped", peers, msgs, err, conversation.MsgAck, 1)
	add("partner-left", peers, msgs, err, conversation.MsgPartnerLeft, 0)

	ended, err := newPair(conversation.KindLeadReport)
	if err != nil {
		return nil, err
	}
	ended.Enroll(now)
	msgs, err = ended.End("sample", now.Add(time.Hour))
	add("ended", ended, msgs, err, conversation.MsgEnded, report)
	if failed != nil {
		return nil, failed
	}
	out = append(out,
		Sample{Name: "unreadable", Kind: templates.MailUnreadable, Letter: Letter{
			ToName: "Sam Ortiz", ToAddress: "sam@example.com", Date: now,
			View: templates.View{Kind: templates.MailUnreadable, Recipient: templates.Person{Name: "Sam Ortiz", First: "Sam"}, Subject: "Re: [Accord] 3/16 — Who are we beyond our jobs?"},
		}},
		Sample{Name: "unknown-sender", Kind: templates.MailUnknownSender, Letter: Letter{
			ToAddress: "sam.private@example.net", Date: now,
			View: templates.View{Kind: templates.MailUnknownSender, From: "sam.private@example.net", Subject: "Re: [Accord] 3/16 — Who are we beyond our jobs?"},
		}},
		Sample{Name: "ambiguous", Kind: templates.MailAmbiguous, Letter: Letter{
			ToName: "Dana Lee", ToAddress: "dana@example.com", Date: now,
			View: templates.View{Kind: templates.MailAmbiguous, Recipient: templates.Person{Name: "Dana Lee", First: "Dana"}, Subject: "My thoughts"},
		}},
		Sample{Name: "too-large", Kind: templates.MailTooLarge, Letter: Letter{
			ToName: "Sam Ortiz", ToAddress: "sam@example.com", Date: now,
			View: templates.View{Kind: templates.MailTooLarge, Recipient: templates.Person{Name: "Sam Ortiz", First: "Sam"}, Subject: "Re: [Accord] 4/16 — What is at stake for each of us?", Limit: "25 MB"},
		}},
	)
	return out, nil
}

func sampleOf(name string, p *conversation.Partnership, m conversation.Message, now time.Time) Sample {
	l := Letter{
		ToName:    m.To.Person.Name,
		ToAddress: m.To.Person.Email,
		Date:      now,
		View:      ViewFor(p, m),
	}
	if m.Prompt != nil {
		l.Token = "sampletokensampletokensamp"
	}
	return Sample{Name: name, Kind: string(m.Kind), Letter: l}
}
