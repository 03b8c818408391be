package mailout

import (
	"errors"
	"fmt"
	"strings"
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
func Samples(set *conversation.QuestionSet, now time.Time, r *Renderer) ([]Sample, error) {
	return SamplesIn(templates.DefaultLanguage, set, now, r)
}

// SamplesIn is Samples with the two people reading lang.
func SamplesIn(lang string, set *conversation.QuestionSet, now time.Time, r *Renderer) ([]Sample, error) {
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
				sm, err := sampleOf(lang, name, p, m, now, r)
				if err != nil {
					failed = err
					return
				}
				out = append(out, sm)
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
	add("ack-partner-paused", p, msgs, err, conversation.MsgAck, lead)
	msgs, err = p.Resume(2, step())
	add("question-after-resume", p, msgs, err, conversation.MsgQuestion, report)
	msgs, err = p.Answer(1, q(0), "We already trust each other with the hard calls, and we say so.", step())
	add("receipt", p, msgs, err, conversation.MsgReceipt, lead)
	msgs, err = p.Undo(1, t.Add(2*time.Minute))
	add("ack-undone", p, msgs, err, conversation.MsgAck, lead)
	msgs, err = p.Undo(1, t.Add(3*time.Minute))
	add("ack-nothing-to-undo", p, msgs, err, conversation.MsgAck, lead)
	msgs, err = p.Help(2, step())
	add("help", p, msgs, err, conversation.MsgHelp, report)
	msgs, err = p.SendAgreement(2, step())
	add("help-no-agreement-yet", p, msgs, err, conversation.MsgHelp, report)
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
			if pt == 2 && i == set.Len()-1 {
				// The draft waits out the last answer's grace.
				msgs = append(msgs, p.Wake(t.Add(rules.RevealGrace))...)
			}
			if pt == 1 && i == set.Len()-1 {
				add("waiting", p, msgs, err, conversation.MsgWaiting, lead)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	t = t.Add(rules.RevealGrace)

	// The draft: Dana slips, then changes a statement and adds one; Sam
	// agrees to all twice, which signs version 1.
	msgs, err = p.Explain(1, conversation.Note{Kind: conversation.NoteDraftUnclear, Draft: p.Draft,
		DraftError: &conversation.DraftReplyError{Kind: conversation.DraftReplyUnknown, Line: "drop 40", Number: 40, Max: len(p.Draft.Statements)}}, step())
	add("help-draft-unclear", p, msgs, err, conversation.MsgHelp, lead)
	msgs, err = replyToDraft(p, 1, "agree all\nchange 1: I keep Tuesday mornings free for our check-in.\nadd: We say thank you when the other covers for us.", step())
	add("ack-draft-noted", p, msgs, err, conversation.MsgAck, lead)
	if _, err := replyToDraft(p, 2, "agree all", step()); err != nil {
		return nil, err
	}
	msgs, err = replyToDraft(p, 2, "agree all", step())
	add("agreement", p, msgs, err, conversation.MsgAgreement, report)
	add("schedule-ask", p, msgs, err, conversation.MsgScheduleAsk, lead)
	msgs, err = p.SendAgreement(2, step())
	add("agreement-on-demand", p, msgs, err, conversation.MsgAgreement, report)

	msgs, err = p.Amend(1, "Could we add a monthly walk to our routines?", step())
	add("ack-kept", p, msgs, err, conversation.MsgAck, lead)
	msgs, err = p.Undo(2, step())
	add("ack-undo-too-late", p, msgs, err, conversation.MsgAck, report)
	if err := checkinSamples(p, step(), add); err != nil {
		return nil, err
	}
	msgs, err = p.Unclear(2, conversation.Problem{Code: conversation.ProblemPauseUnclear}, step())
	add("help-unclear", p, msgs, err, conversation.MsgHelp, report)
	msgs, err = p.Hold(2, "paus 2 weeks", conversation.Note{Kind: conversation.NoteDidYouMean, Text: "pause 2 weeks"}, step())
	add("help-did-you-mean", p, msgs, err, conversation.MsgHelp, report)
	msgs, err = p.Hold(2, "Actually I meant that for question 3, sorry.", conversation.Note{Kind: conversation.NoteAside}, step())
	add("help-aside", p, msgs, err, conversation.MsgHelp, report)
	msgs, err = p.PauseForAutoReplies(2, step())
	add("ack-auto-paused", p, msgs, err, conversation.MsgAck, report)
	if _, err := p.Resume(2, step()); err != nil {
		return nil, err
	}
	if err := reviewSamples(p, add); err != nil {
		return nil, err
	}

	peers, err := newPair(conversation.KindPeer)
	if err != nil {
		return nil, err
	}
	add("welcome-peer", peers, peers.Enroll(now), nil, conversation.MsgWelcome, 0)
	msgs, err = peers.Stop(2, now.Add(time.Hour))
	add("ack-stop-asked", peers, msgs, err, conversation.MsgAck, 1)
	msgs, err = peers.Stop(2, now.Add(2*time.Hour))
	add("ack-stopped", peers, msgs, err, conversation.MsgAck, 1)
	add("partner-left", peers, msgs, err, conversation.MsgPartnerLeft, 0)
	msgs, err = peers.Rejoin(2, now.Add(3*time.Hour))
	add("question-rejoined", peers, msgs, err, conversation.MsgQuestion, 1)
	add("ack-partner-back", peers, msgs, err, conversation.MsgAck, 0)

	// A review one person lets pass closes with what there is.
	partial, err := newPair(conversation.KindLeadReport)
	if err != nil {
		return nil, err
	}
	partial.Enroll(now)
	for i := range set.Len() {
		for _, pt := range partial.Participants {
			if _, err := partial.Answer(pt.ID, q(i), "Thoughts on "+set.Questions[i].Title, now.Add(time.Minute)); err != nil {
				return nil, err
			}
		}
	}
	partial.Wake(now.Add(time.Minute + rules.RevealGrace))
	if _, err := signAll(partial, now.Add(time.Minute+rules.RevealGrace)); err != nil {
		return nil, err
	}
	rt := partial.ReviewStartsAt(partial.Participants[lead], partial.LatestAgreement().ReviewOn)
	partial.Wake(rt)
	for _, rq := range partial.CurrentReview().Questions {
		text := "Dana on " + questionTitle("en", partial.Set, rq)
		switch part, _ := conversation.ReviewPartOf(rq.ID); part {
		case conversation.PartRating:
			text = "3 — a slow quarter"
		case conversation.PartCommitment:
			text = "keep"
		case conversation.PartKept:
			text = "all yes"
		}
		if _, err := partial.Answer(1, rq.ID, text, rt.Add(time.Hour)); err != nil {
			return nil, err
		}
	}
	// The review closes at its deadline without Sam's answers; both sign
	// the statements again.
	partial.Wake(rt.Add(15 * 24 * time.Hour))
	msgs, err = signAll(partial, rt.Add(15*24*time.Hour+time.Hour))
	add("digest-partial", partial, msgs, err, conversation.MsgDigest, lead)

	if err := zoneSamples(set, rules, berlin, now, add); err != nil {
		return nil, err
	}

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
			View: templates.View{Kind: templates.MailUnreadable, Lang: lang, Recipient: templates.Person{Name: "Sam Ortiz", First: "Sam"}, Subject: "Re: [Accord] 3/16 — Who are we beyond our jobs?"},
		}},
		Sample{Name: "unknown-sender", Kind: templates.MailUnknownSender, Letter: Letter{
			ToAddress: "sam.private@example.net", Date: now,
			View: templates.View{Kind: templates.MailUnknownSender, Lang: lang, From: "sam.private@example.net", Subject: "Re: [Accord] 3/16 — Who are we beyond our jobs?"},
		}},
		Sample{Name: "ambiguous", Kind: templates.MailAmbiguous, Letter: Letter{
			ToName: "Dana Lee", ToAddress: "dana@example.com", Date: now,
			View: templates.View{Kind: templates.MailAmbiguous, Lang: lang, Recipient: templates.Person{Name: "Dana Lee", First: "Dana"}, Subject: "My thoughts"},
		}},
		Sample{Name: "too-large", Kind: templates.MailTooLarge, Letter: Letter{
			ToName: "Sam Ortiz", ToAddress: "sam@example.com", Date: now,
			View: templates.View{Kind: templates.MailTooLarge, Lang: lang, Recipient: templates.Person{Name: "Sam Ortiz", First: "Sam"}, Subject: "Re: [Accord] 4/16 — What is at stake for each of us?", Limit: "25 MB"},
		}},
	)
	overview, err := overviewSample(lang, set, now, berlin)
	if err != nil {
		return nil, err
	}
	out = append(out, overview)
	drafts, err := draftSamples(lang, set, rules, berlin, now, r)
	if err != nil {
		return nil, err
	}
	out = append(out, drafts...)
	// Dana asks for German, and is told so in German.
	german, err := newPair(conversation.KindLeadReport)
	if err != nil {
		return nil, err
	}
	german.Enroll(now)
	msgs, err = german.SetLanguage(1, "de", now.Add(time.Hour))
	add("ack-language", german, msgs, err, conversation.MsgAck, lead)
	// Dana proposes a time that overlaps her check-in with someone else.
	busy, err := newPair(conversation.KindLeadReport)
	if err != nil {
		return nil, err
	}
	busy.Enroll(now)
	free, err := conversation.ParseSchedule("tue 11:00 30m weekly")
	if err != nil {
		return nil, err
	}
	msgs, err = busy.RefuseClash(1, conversation.Clash{Who: busy.Participants[lead], With: "Ana Ruiz",
		At: now.Add(26 * time.Hour), Length: 30 * time.Minute, Free: &free}, now.Add(time.Hour))
	add("schedule-ask-clash", busy, msgs, err, conversation.MsgScheduleAsk, lead)
	// Sam's calendar answers the invitation from another of his addresses.
	out = append(out, Sample{Name: "calendar-address", Kind: templates.MailCalendarAddress, Letter: Letter{
		ToAddress: "sam@example.com", Date: now,
		View: templates.View{Kind: templates.MailCalendarAddress, Lang: lang, Recipient: templates.Person{Name: "Sam Ortiz", First: "Sam"}, From: "sam.ortiz@icloud.example", Subject: "Accepted: Check-in with Dana"},
	}})
	// Sam's calendar proposes 07:00 for a meeting, before Dana's working
	// day: the proposal is refused, with a DECLINECOUNTER.
	early, err := newPair(conversation.KindLeadReport)
	if err != nil {
		return nil, err
	}
	if err := proposeEarly(early, now, add); err != nil {
		return nil, err
	}
	return out, failed
}

// proposeEarly takes a pair to an agreement and weekly check-ins, then has
// the report's calendar propose a time outside working hours.
func proposeEarly(p *conversation.Partnership, now time.Time, add func(string, *conversation.Partnership, []conversation.Message, error, conversation.MessageKind, int)) error {
	p.Enroll(now)
	for _, pt := range p.Participants {
		for pt.Position < p.Set.Len() {
			if _, err := p.Answer(pt.ID, pt.Current().QuestionID, "Said in a sentence.", now); err != nil {
				return err
			}
		}
	}
	p.Wake(now.Add(p.Rules.RevealGrace))
	if _, err := signAll(p, now.Add(p.Rules.RevealGrace)); err != nil {
		return err
	}
	sched, err := conversation.ParseSchedule("tue 10:00 30m weekly")
	if err != nil {
		return err
	}
	at := now.Add(time.Hour)
	if _, err := p.SetSchedule(1, sched, at); err != nil {
		return err
	}
	p.Checkin.UID = "checkin-counter@accord.example.com"
	p.Rules.Quiet = conversation.DefaultQuietHours
	o := p.Checkin.Upcoming(at)
	proposed := time.Date(o.Start.Year(), o.Start.Month(), o.Start.Day()+2, 7, 0, 0, 0, p.Checkin.Zone)
	msgs, err := p.CounterCheckin(2, conversation.CalendarReply{UID: p.Checkin.UID, Original: o.Original,
		PartStat: conversation.PartStatTentative, Stamp: at, Proposed: proposed}, at.Add(time.Minute))
	add("calendar-decline-counter", p, msgs, err, conversation.MsgHelp, 1)
	return nil
}

// draftAnswers are what the drafting pair write under the themes that ask
// how they will act; their other answers give no proposals.
var draftAnswers = map[string][2]string{
	"communication":  {"I prefer a short message to a meeting. I answer within a working day.", "Tell me early when plans change."},
	"hard-times":     {"When we disagree, we talk it through in person the same day.", "I say what bothers me instead of letting it sit."},
	"routines":       {"We meet every Tuesday for half an hour.", "We write Friday notes on what moved and what is stuck."},
	"commitments":    {"I protect your focus time.", "I flag risks as soon as I see them."},
	"accountability": {"We look at this agreement every quarter.", "Either of us may point out a slip, kindly and in private."},
}

// signAll has both people agree to all of the open draft at at, which
// signs version 1, and returns the mail that causes.
func signAll(p *conversation.Partnership, at time.Time) ([]conversation.Message, error) {
	var out []conversation.Message
	for _, pt := range p.Participants {
		if !p.DraftOpen() {
			break
		}
		msgs, err := replyToDraft(p, pt.ID, "agree all", at)
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// replyToDraft reads a reply to the open draft and applies it.
func replyToDraft(p *conversation.Partnership, who int64, text string, now time.Time) ([]conversation.Message, error) {
	reply, err := conversation.ParseDraftReply(text)
	if err != nil {
		return nil, err
	}
	return p.ReplyToDraft(who, reply, now)
}

// draftSamples are the drafting round as Dana sees it (see draftRounds),
// then, when Dana agrees to all and Sam stays silent, Sam's first
// reminder and the agreement that goes out without his signature.
func draftSamples(lang string, set *conversation.QuestionSet, rules conversation.Rules, loc *time.Location, now time.Time, r *Renderer) ([]Sample, error) {
	p, rounds, err := draftRounds(set, rules, loc, now)
	if err != nil {
		return nil, err
	}
	var out []Sample
	for i, name := range []string{"draft", "draft-round-2"} {
		d := rounds[i]
		s, err := sampleOf(lang, name, p, conversation.Message{Kind: conversation.MsgDraft, To: p.Participants[0], At: d.Started, Draft: d}, now, r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if !p.DraftOpen() {
		return nil, fmt.Errorf("mailout: sample draft: no draft open once both answered")
	}
	sam := p.Participants[1]
	at := p.Draft.Started.Add(time.Hour)
	if _, err := replyToDraft(p, p.Participants[0].ID, "agree all", at); err != nil {
		return nil, fmt.Errorf("mailout: sample draft: %w", err)
	}
	want := []struct {
		name     string
		kind     conversation.MessageKind
		reminder int
	}{{"draft-reminder", conversation.MsgDraft, 1}, {"agreement-unsigned", conversation.MsgAgreement, 0}}
	for i := 0; i < 20 && len(want) > 0; i++ {
		if at = p.NextWake(at); at.IsZero() {
			break
		}
		for _, m := range p.Wake(at) {
			if len(want) > 0 && m.To == sam && m.Kind == want[0].kind && m.Reminder == want[0].reminder {
				s, err := sampleOf(lang, want[0].name, p, m, now, r)
				if err != nil {
					return nil, err
				}
				out, want = append(out, s), want[1:]
			}
		}
	}
	if len(want) > 0 {
		return nil, fmt.Errorf("mailout: sample draft: no %s to Sam", want[0].name)
	}
	return out, nil
}

// draftRounds builds the drafting pair's first two rounds: the first
// draft from both people's answers, and the second after Dana agreed to
// everything and added a statement while Sam rewrote one of his own,
// proposed to drop one of Dana's and agreed to the rest.
func draftRounds(set *conversation.QuestionSet, rules conversation.Rules, loc *time.Location, now time.Time) (*conversation.Partnership, [2]*conversation.Draft, error) {
	var rounds [2]*conversation.Draft
	fail := func(err error) (*conversation.Partnership, [2]*conversation.Draft, error) {
		return nil, rounds, fmt.Errorf("mailout: sample draft: %w", err)
	}
	a := conversation.Person{Name: "Dana Lee", Email: "dana@example.com", Location: loc}
	b := conversation.Person{Name: "Sam Ortiz", Email: "sam@example.com", Location: loc}
	p, err := conversation.NewPartnership(conversation.KindLeadReport, a, b, set, rules, now)
	if err != nil {
		return fail(err)
	}
	p.ID, p.Participants[0].ID, p.Participants[1].ID = 5, 1, 2
	p.Enroll(now)
	for _, q := range set.Questions {
		for i, pt := range p.Participants {
			text := "Thoughts on " + q.Title
			if w, ok := draftAnswers[q.ID]; ok {
				text = w[i]
			}
			if _, err := p.Answer(pt.ID, q.ID, text, now.Add(time.Minute)); err != nil {
				return fail(err)
			}
		}
	}
	t := now.Add(time.Minute + rules.RevealGrace)
	p.Wake(t)
	dana, sam := p.Participants[0], p.Participants[1]
	// The first round as it went out, and a copy that takes the replies.
	if rounds[0], err = conversation.NewDraft(dana.ID, sam.ID, p.Proposals(), t); err != nil {
		return fail(err)
	}
	d, err := conversation.NewDraft(dana.ID, sam.ID, p.Proposals(), t)
	if err != nil {
		return fail(err)
	}
	replies := []struct {
		who  int64
		text string
	}{
		{dana.ID, "agree all\nadd: We celebrate a shipped release together."},
		{sam.ID, "change 5: I say what bothers me within a day, instead of letting it sit.\ndrop 6\nagree 1-4, 7-11"},
	}
	for i, rp := range replies {
		reply, err := conversation.ParseDraftReply(rp.text)
		if err == nil {
			err = d.Apply(rp.who, reply, t.Add(time.Duration(i+1)*time.Hour))
		}
		if err != nil {
			return fail(err)
		}
	}
	if rounds[1], err = d.NextRound(t.Add(24 * time.Hour)); err != nil {
		return fail(err)
	}
	return p, rounds, nil
}

func sampleOf(lang, name string, p *conversation.Partnership, m conversation.Message, now time.Time, r *Renderer) (Sample, error) {
	for _, pt := range p.Participants {
		pt.Person.Language = lang
	}
	l := Letter{
		ToName:    m.To.Person.Name,
		ToAddress: m.To.Person.Email,
		Date:      now,
		View:      ViewFor(p, m),
	}
	if m.Prompt != nil || m.Draft != nil || m.Calendar != nil || m.Occurrence != nil || m.Kind == conversation.MsgScheduleAsk {
		l.Token = "sampletokensampletokensamp"
	}
	if m.Kind == conversation.MsgAgreement && m.OnDemand {
		// With http.public_url set, agreement mail links to the page.
		l.View.AgreementLink = "https://accord.example.com/agreement/samplelinksamplelinksample"
		l.View.AgreementLinkUntil = LongDate(lang, now.AddDate(0, 0, 90), m.To.Person.Location)
	}
	att, err := attachmentOf(p, m)
	if err != nil {
		return Sample{}, fmt.Errorf("mailout: sample %s: %w", name, err)
	}
	l.Attachment = att
	if m.Calendar != nil {
		var err error
		if l.CalendarMethod, l.Calendar, err = r.CalendarOf(p, m.Calendar, lang); err != nil {
			return Sample{}, fmt.Errorf("mailout: sample %s: %w", name, err)
		}
	}
	return Sample{Name: name, Kind: string(m.Kind), Letter: l}, nil
}

// zoneSamples are the check-in mails of a pair six hours apart: Dana in
// Berlin, Sam in New York, each seeing times in their own zone.
func zoneSamples(set *conversation.QuestionSet, rules conversation.Rules, berlin *time.Location, now time.Time, add func(string, *conversation.Partnership, []conversation.Message, error, conversation.MessageKind, int)) error {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return err
	}
	a := conversation.Person{Name: "Dana Lee", Email: "dana@example.com", Location: berlin}
	b := conversation.Person{Name: "Sam Ortiz", Email: "sam@example.com", Location: ny}
	p, err := conversation.NewPartnership(conversation.KindLeadReport, a, b, set, rules, now)
	if err != nil {
		return err
	}
	p.ID, p.Participants[0].ID, p.Participants[1].ID = 4, 1, 2
	p.Enroll(now)
	var msgs []conversation.Message
	for i := range set.Len() {
		for _, pt := range p.Participants {
			m, err := p.Answer(pt.ID, set.Questions[i].ID, "Thoughts on "+set.Questions[i].Title, now.Add(time.Minute))
			if err != nil {
				return err
			}
			msgs = append(msgs, m...)
		}
	}
	msgs = append(msgs, p.Wake(now.Add(time.Minute+rules.RevealGrace))...)
	signed, err := signAll(p, now.Add(time.Minute+rules.RevealGrace))
	if err != nil {
		return err
	}
	msgs = append(msgs, signed...)
	add("schedule-ask-apart", p, msgs, nil, conversation.MsgScheduleAsk, 0)
	// Working hours count from here on, each in their own zone.
	p.Rules.Quiet = conversation.DefaultQuietHours
	t := now.Add(time.Hour)
	early, err := conversation.ParseSchedule("tue 10:00 30m weekly")
	if err != nil {
		return err
	}
	_, err = p.SetSchedule(1, early, t)
	var oh *conversation.OffHoursError
	if !errors.As(err, &oh) {
		return fmt.Errorf("mailout: sample help-off-hours: Tuesdays at 10 in Berlin was not refused: %v", err)
	}
	msgs, err = p.RefuseOffHours(1, oh.OffHours, t)
	add("schedule-ask-off-hours", p, msgs, err, conversation.MsgScheduleAsk, 0)
	later, err := conversation.ParseSchedule("tue 15:00 30m weekly")
	if err != nil {
		return err
	}
	msgs, err = p.SetSchedule(1, later, t.Add(time.Minute))
	if err == nil {
		p.Checkin.UID = "checkin-apart@accord.example.com"
	}
	add("calendar-invitation-apart", p, msgs, err, conversation.MsgCalendar, 1)
	if err != nil {
		return err
	}
	// Sam moves one meeting to Thursday 10:00 his time.
	o := p.Checkin.Upcoming(t)
	thu := o.Start.In(ny)
	thu = time.Date(thu.Year(), thu.Month(), thu.Day()+2, 10, 0, 0, 0, ny)
	msgs, err = p.MoveCheckin(2, o.Original, thu, t.Add(2*time.Minute))
	add("calendar-moved-apart", p, msgs, err, conversation.MsgCalendar, 0)
	return nil
}

// checkinSamples takes the agreed sample pair through its check-ins: the
// invitation, one meeting's prep, agenda and follow-up, a moved meeting
// and its decline, a skipped one, a pause, a new schedule and the end.
func checkinSamples(p *conversation.Partnership, t time.Time, add func(string, *conversation.Partnership, []conversation.Message, error, conversation.MessageKind, int)) error {
	lead, report := 0, 1
	sched, err := conversation.ParseSchedule("tue 10:00 30m weekly")
	if err != nil {
		return err
	}
	msgs, err := p.SetSchedule(1, sched, t)
	if err != nil {
		return err
	}
	p.Checkin.UID = "checkin-sample@accord.example.com"
	add("calendar-invitation", p, msgs, nil, conversation.MsgCalendar, report)
	cs := p.Checkin
	first := cs.Start
	second := cs.Schedule.Next(first, cs.Zone)
	third := cs.Schedule.Next(second, cs.Zone)
	add("prep-with-priorities", p, p.Wake(first.Add(-24*time.Hour)), nil, conversation.MsgPrep, lead)
	msgs, err = p.RecordCheckinNote(1, conversation.CheckinPrep, first, "Working on: the billing migration plan.\nFinished: the hiring loop for the two lead roles.\nStuck: the vendor contract is still unsigned.\nI need from you: a decision on the Q3 freeze.", first.Add(-23*time.Hour))
	add("ack-prep-kept", p, msgs, err, conversation.MsgAck, lead)
	if _, err := p.RecordCheckinNote(2, conversation.CheckinPrep, first, "Finished the on-call handbook. Stuck on the flaky deploy tests; could use an hour of your time.", first.Add(-22*time.Hour)); err != nil {
		return err
	}
	add("agenda", p, p.Wake(first.Add(-time.Hour)), nil, conversation.MsgAgenda, report)
	end := first.Add(cs.Schedule.Length)
	add("follow-up", p, p.Wake(end.Add(30*time.Minute)), nil, conversation.MsgFollowUp, lead)
	msgs, err = p.RecordCheckinNote(1, conversation.CheckinFollowUp, first, "Decided: no freeze in Q3.\nSam: draft the deploy test plan by Friday.\nDana: chase the vendor contract.", end.Add(time.Hour))
	add("ack-follow-up-kept", p, msgs, err, conversation.MsgAck, lead)
	msgs, err = p.MoveCheckin(1, second, second.AddDate(0, 0, 2).Add(4*time.Hour), end.Add(2*time.Hour))
	add("calendar-moved-one", p, msgs, err, conversation.MsgCalendar, lead)
	msgs, err = p.RecordCalendarReply(2, conversation.CalendarReply{UID: cs.UID, Original: second, PartStat: conversation.PartStatDeclined, Sequence: cs.Sequence, Stamp: end.Add(3 * time.Hour)}, end.Add(3*time.Hour))
	add("declined", p, msgs, err, conversation.MsgDeclined, lead)
	msgs, err = p.SkipCheckin(2, third, end.Add(4*time.Hour))
	add("calendar-skipped", p, msgs, err, conversation.MsgCalendar, report)
	msgs, err = p.PauseCheckins(1, third.AddDate(0, 0, 15), end.Add(5*time.Hour))
	add("calendar-paused", p, msgs, err, conversation.MsgCalendar, lead)
	wed, err := conversation.ParseSchedule("every other Wednesday at 9:00 for 45 minutes")
	if err != nil {
		return err
	}
	msgs, err = p.SetSchedule(1, wed, end.Add(6*time.Hour))
	add("calendar-series-moved", p, msgs, err, conversation.MsgCalendar, report)
	// A Wednesday meeting moved to the Thursday is still ahead when the
	// check-ins end: the cancellation names it too, at its moved time.
	if _, err := p.MoveCheckin(1, p.Checkin.Start, p.Checkin.Start.AddDate(0, 0, 1), end.Add(6*time.Hour+30*time.Minute)); err != nil {
		return err
	}
	msgs, err = p.CancelCheckins(2, end.Add(7*time.Hour))
	add("calendar-cancelled", p, msgs, err, conversation.MsgCalendar, lead)
	return nil
}

// reviewSamples takes the agreed sample pair through its first review:
// the invitation, a reflection and a commitment question, the waiting
// note, a rewrite of a theme and two refused, version 2, the digest, and
// an export.
func reviewSamples(p *conversation.Partnership, add func(string, *conversation.Partnership, []conversation.Message, error, conversation.MessageKind, int)) error {
	lead, report := 0, 1
	t := p.ReviewStartsAt(p.Participants[lead], p.LatestAgreement().ReviewOn)
	step := func() time.Time { t = t.Add(time.Hour); return t }
	msgs := p.Wake(t)
	add("review-lead", p, msgs, nil, conversation.MsgReviewOpen, lead)
	add("review-report", p, msgs, nil, conversation.MsgReviewOpen, report)
	r := p.CurrentReview()
	if r == nil {
		return fmt.Errorf("mailout: sample review did not open")
	}
	reply := map[string]string{
		conversation.ReviewRating:     "4 — we raise risks earlier, and the check-ins stuck.",
		conversation.ReviewDeveloping: "We disagree faster and better: the billing cut-over was settled in one conversation.",
		conversation.ReviewBrings:     "Fewer surprises for the team; they hear about changes from us together.",
		conversation.ReviewNeeds:      "More help with planning now that the team has grown.",
		conversation.ReviewKeepChange: "Keep the Friday notes. Change: start the agenda with blockers. Add: a monthly hour on growth.",
	}
	for i, q := range r.Questions {
		part, _ := conversation.ReviewPartOf(q.ID)
		_, id, _ := strings.Cut(q.ID, "-")
		text := reply[id]
		if text == "" { // a reflection of the operator's own set
			text = "We talk about this at most check-ins now, and it shows in how the team plans."
		}
		if part == conversation.PartKept {
			text = "all yes, 1 partly, 3 no"
		}
		if part == conversation.PartCommitment {
			text = "keep"
			if i == len(r.Questions)-1 {
				text = "We look at this agreement every quarter.\nI say so the same day when something slips."
			}
		}
		msgs, err := p.Answer(1, q.ID, text, step())
		switch {
		case i == 0:
			add("question-review", p, msgs, err, conversation.MsgQuestion, lead)
			// The next question asks whether they kept each statement;
			// first, a reply that rates one twice.
			_, err := p.Answer(1, r.Questions[1].ID, "1 yes, 1 no", step())
			var ke *conversation.KeptError
			if !errors.As(err, &ke) {
				return fmt.Errorf("mailout: sample help-kept-unclear: the reply was not refused: %v", err)
			}
			msgs, err := p.Explain(1, conversation.Note{Kind: conversation.NoteKeptUnclear, KeptError: ke}, step())
			add("help-kept-unclear", p, msgs, err, conversation.MsgHelp, lead)
		case i == len(r.Questions)-2:
			add("question-review-commitment", p, msgs, err, conversation.MsgQuestion, lead)
		case i == len(r.Questions)-1:
			add("waiting-review", p, msgs, err, conversation.MsgWaiting, lead)
		case err != nil:
			return err
		}
	}
	// Sam rewrites his words under theme 3 before answering, after a
	// number no theme has.
	if err := refusedRewrite(p, 2, 42, step(), "help-rewrite-unknown", add); err != nil {
		return err
	}
	msgs, err := p.Rewrite(2, []conversation.Rewrite{{Number: 3, Text: "I sing in a choir on Thursday evenings, so I leave on time that day."}}, "", "", step())
	add("ack-rewritten", p, msgs, err, conversation.MsgAck, report)
	for i, q := range r.Questions {
		text := "Sam on " + questionTitle("en", p.Set, q)
		switch part, _ := conversation.ReviewPartOf(q.ID); {
		case i == 0:
			text = "5"
		case part == conversation.PartCommitment:
			text = "drop"
		case part == conversation.PartKept:
			text = "1-2 yes, 3 partly, the rest yes"
		}
		msgs, err := p.Answer(2, q.ID, text, step())
		if i == len(r.Questions)-1 {
			// The statements go to both to sign again once the last
			// answer's grace has passed.
			msgs = append(msgs, p.Wake(t.Add(p.Rules.RevealGrace))...)
			add("draft-review", p, msgs, err, conversation.MsgDraft, report)
		} else if err != nil {
			return err
		}
	}
	if !p.DraftOpen() {
		return fmt.Errorf("mailout: sample review: no draft after the review questions")
	}
	t = t.Add(p.Rules.RevealGrace)
	msgs, err = signAll(p, step())
	add("agreement-v2", p, msgs, err, conversation.MsgAgreement, report)
	add("digest", p, msgs, err, conversation.MsgDigest, report)
	add("digest-lead", p, msgs, err, conversation.MsgDigest, lead)
	msgs, err = p.Export(2, step())
	add("export", p, msgs, err, conversation.MsgExport, report)
	return refusedRewrite(p, 2, 7, step(), "help-rewrite-closed", add)
}

// refusedRewrite adds the sample of a rewrite of topic n that is refused.
func refusedRewrite(p *conversation.Partnership, participant int64, n int, at time.Time, name string, add func(string, *conversation.Partnership, []conversation.Message, error, conversation.MessageKind, int)) error {
	_, err := p.Rewrite(participant, []conversation.Rewrite{{Number: n, Text: "We keep Friday mornings for deep work."}}, "", "", at)
	var re *conversation.RewriteError
	if !errors.As(err, &re) {
		return fmt.Errorf("mailout: sample %s: the rewrite was not refused: %v", name, err)
	}
	msgs, err := p.Explain(participant, re.Note(), at)
	add(name, p, msgs, err, conversation.MsgHelp, int(participant-1))
	return nil
}

// overviewSample is Dana's weekly overview two weeks on, in three
// partnerships: Sam, who reports to her, with an agreement and this week's
// check-in moved; Kim, a peer, with an agreement, this week's check-in
// skipped and on a break; and Ana, who reports to her and has answered
// everything, waiting on Dana.
func overviewSample(lang string, set *conversation.QuestionSet, now time.Time, loc *time.Location) (Sample, error) {
	rules := conversation.DefaultRules()
	rules.Quiet, rules.RevealGrace = conversation.QuietHours{}, 0
	dana := conversation.Person{ID: 1, Name: "Dana Lee", Email: "dana@example.com", Location: loc, Language: lang}
	week := conversation.WeekOf(now.AddDate(0, 0, 14), loc)
	monday := week.Monday(loc)
	var ps []*conversation.Partnership
	pair := func(id int64, kind conversation.Kind, b conversation.Person) (*conversation.Partnership, error) {
		b.Location = loc
		p, err := conversation.NewPartnership(kind, dana, b, set, rules, now)
		if err != nil {
			return nil, err
		}
		p.ID, p.Participants[0].ID, p.Participants[1].ID = id, 2*id-1, 2*id
		p.Enroll(now)
		ps = append(ps, p)
		return p, nil
	}
	answer := func(p *conversation.Partnership, slot, n int) error {
		pt := p.Participants[slot]
		for range n {
			if _, err := p.Answer(pt.ID, pt.Current().QuestionID, "Words that never reach an overview.", now.Add(time.Minute)); err != nil {
				return err
			}
		}
		return nil
	}
	// agreed takes a pair to its agreement and meets on schedule; plan
	// changes this week's meeting.
	agreed := func(p *conversation.Partnership, schedule string, plan func(p *conversation.Partnership, slot time.Time) error) error {
		if err := answer(p, 0, set.Len()); err != nil {
			return err
		}
		if err := answer(p, 1, set.Len()); err != nil {
			return err
		}
		if _, err := signAll(p, now.Add(time.Minute)); err != nil {
			return err
		}
		s, err := conversation.ParseSchedule(schedule)
		if err != nil {
			return err
		}
		if _, err := p.SetSchedule(p.Participants[0].ID, s, now.Add(time.Hour)); err != nil {
			return err
		}
		slots := p.Checkin.Meetings(monday, monday.AddDate(0, 0, 7))
		if len(slots) != 1 {
			return fmt.Errorf("%d check-ins in the week of the overview, want 1", len(slots))
		}
		return plan(p, slots[0].Start)
	}
	sam, err := pair(1, conversation.KindLeadReport, conversation.Person{ID: 2, Name: "Sam Ortiz", Email: "sam@example.com"})
	if err == nil {
		err = agreed(sam, "tue 10:00 30m weekly", func(p *conversation.Partnership, slot time.Time) error {
			_, err := p.MoveCheckin(1, slot, slot.AddDate(0, 0, 2).Add(4*time.Hour), now.Add(2*time.Hour))
			return err
		})
	}
	if err != nil {
		return Sample{}, fmt.Errorf("mailout: sample overview: %w", err)
	}
	kim, err := pair(2, conversation.KindPeer, conversation.Person{ID: 3, Name: "Kim Novak", Email: "kim@example.com"})
	if err == nil {
		err = agreed(kim, "wed 9:00 30m weekly", func(p *conversation.Partnership, slot time.Time) error {
			if _, err := p.SkipCheckin(4, slot, now.Add(2*time.Hour)); err != nil {
				return err
			}
			_, err := p.Pause(4, monday.AddDate(0, 0, 7), now.Add(3*time.Hour))
			return err
		})
	}
	if err != nil {
		return Sample{}, fmt.Errorf("mailout: sample overview: %w", err)
	}
	ana, err := pair(3, conversation.KindLeadReport, conversation.Person{ID: 4, Name: "Ana Ruiz", Email: "ana@example.com"})
	if err == nil {
		err = answer(ana, 1, set.Len())
	}
	if err == nil {
		err = answer(ana, 0, 5)
	}
	if err != nil {
		return Sample{}, fmt.Errorf("mailout: sample overview: %w", err)
	}
	at := monday.Add(8 * time.Hour)
	o, ok := conversation.BuildOverview(dana, ps, at)
	if !ok {
		return Sample{}, fmt.Errorf("mailout: sample overview: Dana needs none")
	}
	return Sample{Name: "overview", Kind: templates.MailOverview, Letter: OverviewLetter(o, at)}, nil
}
