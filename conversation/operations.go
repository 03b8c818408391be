package conversation

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Enroll schedules the welcome for both people: right away, or when their
// quiet hours end.
func (p *Partnership) Enroll(now time.Time) []Message {
	return p.EnrollAfter(now, [2]time.Time{})
}

// WelcomeSpacing is the least time between two welcomes to one person: a
// lead enrolled with eight reports at once gets their welcomes spread
// over a day or two, not eight in one minute.
const WelcomeSpacing = 2 * time.Hour

// EnrollAfter is Enroll for people who already have welcomes of other
// partnerships: each person's welcome waits until WelcomeSpacing after
// lastWelcome (zero for someone with none), and for their quiet hours.
func (p *Partnership) EnrollAfter(now time.Time, lastWelcome [2]time.Time) []Message {
	for i, pt := range p.Participants {
		at := now
		if spaced := lastWelcome[i].Add(WelcomeSpacing); !lastWelcome[i].IsZero() && spaced.After(at) {
			at = spaced
		}
		pt.NextSendAt = p.Rules.Quiet.NextAllowed(at, pt.Person.Location)
	}
	return p.Wake(now)
}

// Answer records text as participantID's answer to a question that was sent
// to them. Answering the current question moves the person on; answering an
// earlier one adds a newer answer and keeps the old one.
func (p *Partnership) Answer(participantID int64, questionID, text string, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, ErrEmptyAnswer
	}
	pr := me.Prompt(questionID)
	if pr == nil {
		return nil, ErrNotAsked
	}
	if err := p.checkReviewAnswer(questionID, text); err != nil {
		return nil, err
	}
	var notes []Note
	current := pr.Position == me.Position && pr.State == PromptOpen
	// The first answer, also to a question skipped before, is what lets
	// the person see the partner's.
	firstAnswer := pr.State != PromptAnswered
	a := &Answer{ParticipantID: me.ID, Prompt: pr, QuestionID: questionID, Text: text, At: now}
	if !current {
		// A reply to an earlier question's mail: say where it went and
		// what it replaced, so that nothing is replaced unnoticed.
		notes = append(notes, Note{Kind: NoteEarlier, Answer: a, Previous: p.LatestAnswer(me.ID, questionID)})
	}
	p.Answers = append(p.Answers, a)
	pr.State = PromptAnswered
	partner := p.Partner(me)
	if partner.answered(questionID) {
		p.addReveal(partner, a, now)
	}
	if firstAnswer {
		p.revealPartnerAnswer(me, questionID, now)
	}
	done := false
	if current {
		if me.Status == ParticipantPaused {
			// Answering the question they paused on says they are back.
			me.Status, me.PausedUntil = ParticipantActive, time.Time{}
			notes = append(notes, Note{Kind: NoteResumed})
		}
		done = p.advance(me, now)
	}
	return p.finish(me, notes, done, now), nil
}

// Skip passes over the person's current question. Skipping counts as having
// responded, so the partner's answer to it becomes visible.
func (p *Partnership) Skip(participantID int64, questionID string, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	pr := me.Prompt(questionID)
	if pr == nil {
		return nil, ErrNotAsked
	}
	if pr.Position != me.Position || pr.State != PromptOpen {
		return nil, ErrNotCurrent
	}
	// Skipping shows nothing of the partner's answer: only answering
	// does, so that nobody can read without sharing.
	pr.State = PromptSkipped
	if me.Status == ParticipantPaused {
		me.Status, me.PausedUntil = ParticipantActive, time.Time{}
	}
	done := p.advance(me, now)
	return p.finish(me, []Note{{Kind: NoteSkipped}}, done, now), nil
}

// Pause stops questions and reminders to one person until the given time, or
// until they resume when until is zero. A pause that would end in quiet
// hours (a weekend, say) ends when they do, so the person is told the day
// they will really hear from Accord again. The partner is told of the
// break, without a reason.
func (p *Partnership) Pause(participantID int64, until, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	if !until.IsZero() && !until.After(now) {
		return nil, ErrPastDate
	}
	if !until.IsZero() {
		until = p.Rules.Quiet.NextAllowed(until, me.Person.Location)
	}
	me.Status, me.PausedUntil = ParticipantPaused, until
	msgs := p.finish(me, []Note{{Kind: NotePaused, Until: until}}, false, now)
	return p.tellPartnerOfBreak(msgs, me, until, now), nil
}

// tellPartnerOfBreak lets the partner know, without a reason, that the
// person is taking a break, unless the partner is away themselves.
func (p *Partnership) tellPartnerOfBreak(msgs []Message, me *Participant, until, now time.Time) []Message {
	partner := p.Partner(me)
	if partner.Status != ParticipantActive {
		return msgs
	}
	return p.withNote(msgs, partner, Note{Kind: NotePartnerPaused, Until: until}, now)
}

// Resume ends a person's pause; their current question is sent again.
func (p *Partnership) Resume(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	if me.Status != ParticipantPaused {
		return p.finish(me, []Note{{Kind: NoteNotPause}}, false, now), nil
	}
	p.resume(me, now)
	return p.finish(me, []Note{{Kind: NoteResumed}}, false, now), nil
}

// StopConfirmWithin is how long a request to leave waits for its
// confirmation.
const StopConfirmWithin = 7 * 24 * time.Hour

// RejoinWithin is how long after leaving a person may come back with
// resume.
const RejoinWithin = 30 * 24 * time.Hour

// Stop is a person's request to leave. Leaving cannot be taken lightly
// or by a slip, so the first request only asks for a confirmation and
// changes nothing else; the same request again within StopConfirmWithin
// takes the person out (see StopNow).
func (p *Partnership) Stop(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.Participant(participantID)
	if err != nil {
		return nil, err
	}
	asked := me.StopAskedAt
	if !asked.IsZero() && now.Sub(asked) <= StopConfirmWithin {
		return p.StopNow(participantID, now)
	}
	if me, err = p.writer(participantID, now); err != nil {
		return nil, err
	}
	me.StopAskedAt = now
	return []Message{p.compose(me, Message{Kind: MsgAck, Notes: []Note{{Kind: NoteStopAsked, Until: now.Add(StopConfirmWithin)}}}, now)}, nil
}

// StopNow takes the person out at once, as a confirmed stop or a
// one-click unsubscribe does: the partnership ends, the partner is told,
// and nothing more is sent to the person after the confirmation, unless
// they come back with resume within RejoinWithin (see Rejoin).
func (p *Partnership) StopNow(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	me.LeftAt = now
	msgs := []Message{p.compose(me, Message{Kind: MsgAck, Notes: []Note{{Kind: NoteStopped, Until: now.Add(RejoinWithin)}}}, now)}
	// Both calendars drop the check-ins, the leaver's included.
	msgs = append(msgs, p.cancelSeries(now)...)
	me.Status = ParticipantLeft
	partner := p.Partner(me)
	if partner.Status != ParticipantLeft {
		msgs = append(msgs, p.compose(partner, Message{Kind: MsgPartnerLeft, RejoinBy: now.Add(RejoinWithin)}, now))
	}
	p.end("left:"+string(me.Role), now)
	return msgs, nil
}

// Undo takes back the person's latest answer, as long as no agreement
// holds it yet and it was given after their last undo. Their previous
// answer to the question, if any, stands again; without one the question
// is open again when nothing was asked after it, and otherwise counts as
// skipped until they answer it. A partner who had not seen the answer
// never will, and what the answer let the person see of the partner's
// goes unshown too.
func (p *Partnership) Undo(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	var a *Answer
	for _, x := range p.Answers {
		if x.ParticipantID == me.ID && (a == nil || !x.At.Before(a.At)) {
			a = x
		}
	}
	if a == nil || !a.At.After(me.UndoneAt) {
		return p.finish(me, []Note{{Kind: NoteNothingToUndo}}, false, now), nil
	}
	if ag := p.LatestAgreement(); ag != nil && !a.At.After(ag.Created) || ag == nil && p.Draft != nil {
		return p.finish(me, []Note{{Kind: NoteUndoTooLate, Answer: a}}, false, now), nil
	}
	me.UndoneAt = now
	p.Answers = slices.DeleteFunc(p.Answers, func(x *Answer) bool { return x == a })
	if a.ID != 0 {
		p.Withdrawn = append(p.Withdrawn, a)
	}
	partner := p.Partner(me)
	partner.Reveals = slices.DeleteFunc(partner.Reveals, func(r *Reveal) bool { return r.Answer == a })
	note := Note{Kind: NoteUndone, Answer: a, Seen: !a.SeenAt.IsZero(), Previous: p.LatestAnswer(me.ID, a.QuestionID)}
	if note.Previous == nil {
		// Seeing the partner's answer was earned by this one.
		me.Reveals = slices.DeleteFunc(me.Reveals, func(r *Reveal) bool {
			return r.Answer.QuestionID == a.QuestionID && r.DeliveredAt.IsZero()
		})
		pr := a.Prompt
		if pr.Position == me.Position-1 && me.promptAt(me.Position) == nil {
			// Nothing was asked after it: it is the current question
			// again, and comes back with this note.
			me.Position--
			pr.State, pr.NudgedAt, pr.Reminders = PromptOpen, now, 0
			me.NextSendAt = now
			note.Reopened = true
		} else {
			pr.State = PromptSkipped
		}
	}
	return p.finish(me, []Note{note}, false, now), nil
}

// promptAt is the question sent to the person at a position, or nil.
func (pt *Participant) promptAt(position int) *Prompt {
	for _, pr := range pt.Prompts {
		if pr.Position == position {
			return pr
		}
	}
	return nil
}

// Rejoin brings back a person who left within RejoinWithin: the
// partnership goes on where it stopped, check-ins the leaving cancelled
// are sent again, and the partner is told.
func (p *Partnership) Rejoin(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.Participant(participantID)
	if err != nil {
		return nil, err
	}
	partner := p.Partner(me)
	switch {
	case me.Status != ParticipantLeft:
		return p.Resume(participantID, now)
	case partner.Status == ParticipantLeft || p.EndReason != "left:"+string(me.Role):
		return nil, ErrEnded
	case me.LeftAt.IsZero() || now.Sub(me.LeftAt) > RejoinWithin:
		return nil, ErrRejoinTooLate
	}
	leftAt := me.LeftAt
	me.Status, me.LeftAt, me.LastSeenAt = ParticipantActive, time.Time{}, now
	p.EndedAt, p.EndReason = time.Time{}, ""
	switch {
	case p.openReview() != nil:
		p.Status = StatusReviewing
	case p.LatestAgreement() != nil:
		p.Status = StatusAgreement
	default:
		p.Status = StatusAnswering
	}
	var msgs []Message
	if cs := p.Checkin; cs != nil && cs.Status == SeriesCancelled && !cs.Stamp.Before(leftAt.Truncate(time.Second)) {
		// The leaving cancelled the check-ins: they start again.
		more, err := p.schedule(cs.Schedule, now)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, more...)
	}
	p.resume(me, now)
	if !me.NextSendAt.IsZero() {
		me.NextSendAt = now // they are writing: their question comes back now
	}
	if partner.Status == ParticipantActive && !p.done(partner) && partner.Current() == nil {
		// A question that waited for quiet hours when the partnership ended.
		partner.NextSendAt = p.Rules.Quiet.NextAllowed(now, partner.Person.Location)
	}
	msgs = append(msgs, p.Wake(now)...)
	msgs = p.withNote(msgs, me, Note{Kind: NoteRejoined}, now)
	if partner.Status == ParticipantActive {
		msgs = p.withNote(msgs, partner, Note{Kind: NotePartnerBack}, now)
	}
	return msgs, nil
}

// Help answers a person's request for help; it changes nothing else.
func (p *Partnership) Help(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	return []Message{p.compose(me, Message{Kind: MsgHelp}, now)}, nil
}

// SendAgreement answers a person's request for their agreement: the
// latest version, again (its Markdown goes with it), or while the two
// still draft version 1 the open round's draft; before either, the help
// text with a note that there is none yet.
func (p *Partnership) SendAgreement(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	switch ag := p.LatestAgreement(); {
	case ag != nil:
		return []Message{p.compose(me, Message{Kind: MsgAgreement, Agreement: ag, OnDemand: true}, now)}, nil
	case p.DraftOpen():
		return []Message{p.compose(me, Message{Kind: MsgDraft, Draft: p.Draft, Resent: true}, now)}, nil
	}
	return []Message{p.compose(me, Message{Kind: MsgHelp, Notes: []Note{{Kind: NoteNoAgreementYet}}}, now)}, nil
}

// Export sends a person their partnership's agreement history. It works
// for anyone who was part of the partnership, also after it ended or they
// left: their data is theirs to take.
func (p *Partnership) Export(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.Participant(participantID)
	if err != nil {
		return nil, err
	}
	return []Message{{Kind: MsgExport, To: me, Agreement: p.LatestAgreement()}}, nil
}

// Unclear answers a reply that could not be acted on with an explanation
// and the help text; it changes nothing else.
func (p *Partnership) Unclear(participantID int64, why Problem, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	return []Message{p.compose(me, Message{Kind: MsgHelp, Notes: []Note{{Kind: NoteUnclear, Problem: &why}}}, now)}, nil
}

// Hold answers a reply that reads like a slip rather than an answer: a
// mistyped command (why is a NoteDidYouMean) or a note about another reply
// (NoteAside). Nothing of the reply is kept and the partner sees nothing;
// the person is asked what they meant. Should they send the same words
// again, Held says so and the reply is an answer after all.
func (p *Partnership) Hold(participantID int64, text string, why Note, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	me.HeldReply = replyPrint(text)
	return []Message{p.compose(me, Message{Kind: MsgHelp, Notes: []Note{why}}, now)}, nil
}

// Held reports whether text is the reply Hold last held back for the
// person: sent again, it was meant as written.
func (pt *Participant) Held(text string) bool {
	return pt.HeldReply != "" && pt.HeldReply == replyPrint(text)
}

// replyPrint fingerprints a reply, blind to case and spacing. Only the
// fingerprint is kept of a held reply, never its words.
func replyPrint(text string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(strings.ToLower(text)), " ")))
	return hex.EncodeToString(sum[:16])
}

// Amend keeps what a person wrote back to their agreement for its next
// review, and confirms it.
func (p *Partnership) Amend(participantID int64, text string, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, ErrEmptyAnswer
	}
	p.Amendments = append(p.Amendments, &Amendment{ParticipantID: me.ID, Text: text, At: now})
	return []Message{p.compose(me, Message{Kind: MsgAck, Notes: []Note{{Kind: NoteKept}}}, now)}, nil
}

// PauseAll is the operator pausing the whole partnership.
func (p *Partnership) PauseAll(until, now time.Time) ([]Message, error) {
	if p.Status == StatusEnded {
		return nil, ErrEnded
	}
	if !until.IsZero() && !until.After(now) {
		return nil, ErrPastDate
	}
	var msgs []Message
	for _, pt := range p.Participants {
		if pt.Status == ParticipantLeft {
			continue
		}
		pt.Status, pt.PausedUntil = ParticipantPaused, until
		msgs = append(msgs, p.compose(pt, Message{Kind: MsgAck, Notes: []Note{{Kind: NotePaused, Until: until, ByOperator: true}}}, now))
	}
	return msgs, nil
}

// ResumeAll is the operator resuming everyone who is paused.
func (p *Partnership) ResumeAll(now time.Time) ([]Message, error) {
	if p.Status == StatusEnded {
		return nil, ErrEnded
	}
	resumed := false
	for _, pt := range p.Participants {
		if pt.Status == ParticipantPaused {
			p.resume(pt, now)
			resumed = true
		}
	}
	if !resumed {
		return nil, ErrNotPaused
	}
	msgs := p.Wake(now)
	for _, pt := range p.Participants {
		msgs = p.withNote(msgs, pt, Note{Kind: NoteResumed, ByOperator: true}, now)
	}
	return msgs, nil
}

// End is the operator closing the partnership. Both people are told.
func (p *Partnership) End(reason string, now time.Time) ([]Message, error) {
	if p.Status == StatusEnded {
		return nil, ErrEnded
	}
	msgs := p.cancelSeries(now)
	for _, pt := range p.Participants {
		if pt.Status != ParticipantLeft {
			msgs = append(msgs, p.compose(pt, Message{Kind: MsgEnded}, now))
		}
	}
	p.end(reason, now)
	return msgs, nil
}

// Wake sends whatever has come due by now: ended pauses, questions that
// waited for quiet hours to pass, agreements, reminders, and the mail
// around check-ins.
func (p *Partnership) Wake(now time.Time) []Message {
	if p.Status == StatusEnded {
		return nil
	}
	var msgs []Message
	p.reviewWake(now)
	if at, ok := p.agreementDueAt(); ok && !at.After(now) {
		p.startDrafting(now)
	}
	msgs = append(msgs, p.draftWake(now)...)
	for _, pt := range p.Participants {
		if pt.Status == ParticipantPaused && !pt.PausedUntil.IsZero() && !pt.PausedUntil.After(now) {
			p.resume(pt, now)
		}
		if pt.Status != ParticipantActive {
			continue
		}
		if !pt.NextSendAt.IsZero() && !pt.NextSendAt.After(now) {
			pt.NextSendAt = time.Time{}
			for _, m := range p.next(pt, now) {
				msgs = append(msgs, m)
				if m.Kind == MsgAgreement {
					msgs = append(msgs, p.startCheckins(pt, now)...)
				}
			}
			continue
		}
		if due := p.NextReminder(pt); !due.IsZero() && !due.After(now) {
			pr := pt.Current()
			pr.Reminders++
			pr.NudgedAt = now
			msgs = append(msgs, p.compose(pt, Message{Kind: MsgReminder, Prompt: pr, Reminder: pr.Reminders}, now))
		}
	}
	return append(msgs, p.checkinWake(now)...)
}

// startCheckins follows the first agreement to reach pt: the series starts
// from a schedule chosen earlier, or the organiser is asked for one.
func (p *Partnership) startCheckins(pt *Participant, now time.Time) []Message {
	if p.Checkin != nil {
		return nil
	}
	if p.CheckinPlan != nil {
		msgs, err := p.schedule(*p.CheckinPlan, now)
		if err == nil {
			return msgs
		}
		// A plan that no longer fits (a DST change ahead, say): ask.
		p.CheckinPlan = nil
	}
	if p.organiser(pt) && p.ScheduleAskedAt.IsZero() {
		p.ScheduleAskedAt = now
		return []Message{p.compose(pt, Message{Kind: MsgScheduleAsk}, now)}
	}
	return nil
}

// NextWake is the earliest time after an operation at now that
// [Partnership.Wake] has something to do, or zero when nothing is
// scheduled.
func (p *Partnership) NextWake(now time.Time) time.Time {
	if p.Status == StatusEnded {
		return time.Time{}
	}
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, pt := range p.Participants {
		switch pt.Status {
		case ParticipantPaused:
			consider(pt.PausedUntil)
		case ParticipantActive:
			consider(pt.NextSendAt)
			consider(p.NextReminder(pt))
		}
	}
	consider(p.nextCheckinWake(now))
	consider(p.nextDraftWake())
	consider(p.reviewOpensAt())
	consider(p.reviewClosesAt())
	if at, ok := p.agreementDueAt(); ok {
		consider(at)
	}
	return next
}

// agreementDueAt is when drafting the first agreement begins: once both
// people are through the questions and the newest answer's grace has
// passed.
func (p *Partnership) agreementDueAt() (time.Time, bool) {
	if p.LatestAgreement() != nil || p.Draft != nil {
		return time.Time{}, false
	}
	for _, pt := range p.Participants {
		if !pt.Finished(p.Set) {
			return time.Time{}, false
		}
	}
	return p.settledAt(p.CreatedAt), true
}

// settledAt is when the newest answer since from may be shown: its grace
// has passed. It is from when there is none.
func (p *Partnership) settledAt(from time.Time) time.Time {
	at := from
	for _, a := range p.Answers {
		if t := a.At.Add(p.Rules.RevealGrace); t.After(at) {
			at = t
		}
	}
	return at
}

// sendAgreement schedules a new agreement version for both people: now
// for one who is writing at this moment, otherwise when their quiet hours
// allow.
func (p *Partnership) sendAgreement(now time.Time) {
	for _, pt := range p.Participants {
		switch {
		case pt.Status == ParticipantLeft:
		case pt.LastSeenAt.Equal(now):
			pt.NextSendAt = now
		default:
			pt.NextSendAt = p.Rules.Quiet.NextAllowed(now, pt.Person.Location)
		}
	}
}

// NextReminder is when the person's next reminder is due, or zero.
func (p *Partnership) NextReminder(pt *Participant) time.Time {
	pr := pt.Current()
	if pt.Status != ParticipantActive || pr == nil || !pt.NextSendAt.IsZero() || pr.Reminders >= len(p.Rules.Reminders) {
		return time.Time{}
	}
	return p.reminderDue(pt, pr)
}

// reminderDue counts calendar days in the person's zone from the last nudge,
// then waits for quiet hours to pass.
func (p *Partnership) reminderDue(pt *Participant, pr *Prompt) time.Time {
	due := addDays(pr.NudgedAt, p.Rules.Reminders[pr.Reminders], pt.Person.Location)
	return p.Rules.Quiet.NextAllowed(due, pt.Person.Location)
}

// writer returns the participant who wrote, after checking they may still
// act, and notes that they wrote: reminders count again from now.
func (p *Partnership) writer(participantID int64, now time.Time) (*Participant, error) {
	me, err := p.Participant(participantID)
	if err != nil {
		return nil, err
	}
	if me.Status == ParticipantLeft {
		return nil, ErrLeft
	}
	if p.Status == StatusEnded {
		return nil, ErrEnded
	}
	me.LastSeenAt = now
	me.HeldReply = ""
	me.StopAskedAt = time.Time{}
	if pr := me.Current(); pr != nil {
		pr.NudgedAt, pr.Reminders = now, 0
	}
	return me, nil
}

// advance moves a person past their current question and schedules the
// next one. It reports whether the person has now responded to every question.
func (p *Partnership) advance(me *Participant, now time.Time) bool {
	me.Position++
	if p.done(me) {
		me.NextSendAt = time.Time{}
		return true
	}
	me.NextSendAt = p.Rules.Quiet.NextAllowed(now, me.Person.Location)
	return false
}

// finish completes an operation started by me. When me has just finished
// the questions it builds the agreement (if the partner is done too) or tells
// me the partner is still going; then it sends what is due and makes sure me
// hears back about what they did, folding notes into a mail that goes out
// anyway.
func (p *Partnership) finish(me *Participant, notes []Note, justFinished bool, now time.Time) []Message {
	// Once both are through, Wake builds the agreement (or closes the
	// review) when the newest answer's grace has passed.
	var msgs []Message
	if partner := p.Partner(me); justFinished && p.openReview() != nil {
		if !p.done(partner) {
			msgs = append(msgs, p.compose(me, Message{Kind: MsgWaiting, Review: p.openReview()}, now))
		}
	} else if justFinished && !partner.Finished(p.Set) {
		msgs = append(msgs, p.compose(me, Message{Kind: MsgWaiting}, now))
	}
	msgs = append(msgs, p.Wake(now)...)
	for _, n := range notes {
		msgs = p.withNote(msgs, me, n, now)
	}
	if !sentTo(msgs, me) && me.NextSendAt.IsZero() && p.pendingReceipts(me) {
		msgs = append(msgs, p.compose(me, Message{Kind: MsgReceipt}, now))
	}
	return msgs
}

// withNote attaches a note to the mail the person gets in msgs, or adds an
// acknowledgement of its own when none goes to them.
func (p *Partnership) withNote(msgs []Message, pt *Participant, n Note, now time.Time) []Message {
	for i := range msgs {
		if msgs[i].To == pt {
			msgs[i].Notes = append(msgs[i].Notes, n)
			return msgs
		}
	}
	if pt.Status == ParticipantLeft {
		return msgs
	}
	kind := MsgAck
	if n.Kind == NoteEarlier {
		kind = MsgReceipt // the receipt of that answer says where it went
	}
	return append(msgs, p.compose(pt, Message{Kind: kind, Notes: []Note{n}}, now))
}

func sentTo(msgs []Message, pt *Participant) bool {
	for _, m := range msgs {
		if m.To == pt {
			return true
		}
	}
	return false
}

// next builds the mail that moves the person along: their current question
// (the welcome when it is the first, the review invitation when it opens a
// review), or the agreement once there is a version they have not had,
// followed by the digest when a review built it.
func (p *Partnership) next(pt *Participant, now time.Time) []Message {
	if !p.done(pt) {
		q, ok := p.QuestionAt(pt.Position)
		if !ok {
			return nil
		}
		pr := pt.Prompt(q.ID)
		kind, resent := MsgQuestion, false
		r := p.openReview()
		switch {
		case pr == nil:
			pr = &Prompt{QuestionID: q.ID, Position: pt.Position, SentAt: now, State: PromptOpen}
			pt.Prompts = append(pt.Prompts, pr)
			if pt.Position == 0 {
				kind = MsgWelcome
			}
			if p.Status == StatusEnrolled {
				p.Status = StatusAnswering
			}
		case pr.State == PromptOpen:
			resent = true
		default:
			return nil
		}
		if r != nil && pt.Position == r.Start {
			kind = MsgReviewOpen
		}
		pr.NudgedAt, pr.Reminders = now, 0
		m := Message{Kind: kind, Prompt: pr, Resent: resent}
		if r != nil {
			m.Review, m.Agreement = r, p.LatestAgreement()
		}
		return []Message{p.compose(pt, m, now)}
	}
	if m, ok := p.draftMail(pt, now); ok {
		return []Message{m}
	}
	ag := p.LatestAgreement()
	if ag == nil || ag.Version <= pt.AgreementSeen {
		return nil
	}
	pt.AgreementSeen = ag.Version
	msgs := []Message{p.compose(pt, Message{Kind: MsgAgreement, Agreement: ag}, now)}
	// The agreement shows every answer, so nothing is left to reveal.
	for _, r := range pt.Reveals {
		if r.DeliveredAt.IsZero() {
			r.DeliveredAt = now
		}
	}
	if ag.Review != nil {
		d := p.digest(ag, now)
		msgs = append(msgs, Message{Kind: MsgDigest, To: pt, Agreement: ag, Review: p.CurrentReview(), Digest: d})
	}
	return msgs
}

// compose fills in what rides along with any mail to a person: receipts of
// their own answers and their partner's answers they may now see.
func (p *Partnership) compose(pt *Participant, m Message, now time.Time) Message {
	m.To, m.At = pt, now
	for _, a := range p.Answers {
		if a.ParticipantID == pt.ID && a.ReceiptAt.IsZero() {
			a.ReceiptAt = now
			m.Receipts = append(m.Receipts, a)
			if left := a.At.Add(p.Rules.RevealGrace).Sub(now); left > m.UndoGrace {
				m.UndoGrace = left
			}
		}
	}
	for _, r := range pt.Reveals {
		// A new answer waits out its grace, so that an undo in time
		// means the partner never sees it.
		if r.DeliveredAt.IsZero() && !r.Answer.At.Add(p.Rules.RevealGrace).After(now) {
			r.DeliveredAt = now
			if r.Answer.SeenAt.IsZero() {
				r.Answer.SeenAt = now
			}
			m.Reveals = append(m.Reveals, r.Answer)
		}
	}
	return m
}

func (p *Partnership) pendingReceipts(pt *Participant) bool {
	for _, a := range p.Answers {
		if a.ParticipantID == pt.ID && a.ReceiptAt.IsZero() {
			return true
		}
	}
	return false
}

// revealPartnerAnswer shows me the partner's answer to a question me has
// just responded to for the first time.
func (p *Partnership) revealPartnerAnswer(me *Participant, questionID string, now time.Time) {
	if other := p.LatestAnswer(p.Partner(me).ID, questionID); other != nil {
		p.addReveal(me, other, now)
	}
}

func (p *Partnership) addReveal(viewer *Participant, a *Answer, now time.Time) {
	for _, r := range viewer.Reveals {
		if r.Answer == a {
			return
		}
	}
	viewer.Reveals = append(viewer.Reveals, &Reveal{ViewerID: viewer.ID, Answer: a, CreatedAt: now})
}

// resume makes a paused person active and schedules their current question
// (sent again if they had it already) for the next allowed time.
func (p *Partnership) resume(pt *Participant, now time.Time) {
	pt.Status, pt.PausedUntil = ParticipantActive, time.Time{}
	if !p.done(pt) || p.draftUnsent(pt) || (p.LatestAgreement() != nil && p.LatestAgreement().Version > pt.AgreementSeen) {
		pt.NextSendAt = p.Rules.Quiet.NextAllowed(now, pt.Person.Location)
	}
}

func (p *Partnership) end(reason string, now time.Time) {
	p.Status, p.EndedAt, p.EndReason = StatusEnded, now, reason
	for _, pt := range p.Participants {
		pt.NextSendAt = time.Time{}
	}
}
