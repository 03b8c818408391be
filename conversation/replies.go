package conversation

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reply is a person's email as the domain reads it: their words, and what
// the mail they answered was about, as its reply address and thread tell.
type Reply struct {
	// Text is what the person wrote, quotes and signature removed; empty
	// when no words of theirs were found.
	Text string
	// QuestionID is the question whose mail the reply answered; empty
	// when it answered no particular question.
	QuestionID string
	// ToAgreement is set when the reply answered the mail of an agreement,
	// whose replies are kept for the review rather than taken as answers.
	ToAgreement bool
	// Checkin is set when the reply answered check-in mail; Purpose is
	// then the kind of that mail (schedule-ask, prep, agenda, follow-up…)
	// when known, and Meeting the meeting it was about.
	Checkin bool
	Purpose MessageKind
	Meeting time.Time
	// Draft is set when the reply answered the mail of a draft round.
	Draft *DraftRound
	// Unsubscribe marks a one-click List-Unsubscribe, which stops at once.
	Unsubscribe bool
	// EchoSince is how far back a reply repeating an earlier one counts as
	// an auto-responder's echo.
	EchoSince time.Time
}

// DraftRound names the round of drafting a mail was about: Review is 0
// for the first agreement, else the number of the review.
type DraftRound struct {
	Review, Round int
}

// OutcomeKind is what a reply turned out to be.
type OutcomeKind string

// The outcomes of a reply.
const (
	OutcomeAnswer     OutcomeKind = "answer"
	OutcomeCommand    OutcomeKind = "command"
	OutcomeHeld       OutcomeKind = "held"
	OutcomeAutoReply  OutcomeKind = "auto-reply"
	OutcomeRejected   OutcomeKind = "rejected"
	OutcomeUnreadable OutcomeKind = "unreadable"
)

// Outcome is what a reply turned out to be, for the record an operator
// reads: its kind and a detail naming what was done (a question id, a
// command, a round…).
type Outcome struct {
	Kind   OutcomeKind
	Detail string
	// Problem, when set, is what the detail goes on to name, in the
	// templates' words: why a command or a schedule could not be used.
	Problem *Problem
	// Echoed is set when the reply repeated an earlier one and the person
	// was paused because their mail looks automatic.
	Echoed bool
}

// HandleReply carries out a person's reply: a command, an answer to a
// question, a note for the review, a reply to the draft or to check-in
// mail, or, when it cannot be acted on, an explanation to the person. It
// returns what the reply turned out to be and the mail that follows.
// Errors such as ErrEnded and ErrLeft say that nothing was done.
func (p *Partnership) HandleReply(participantID int64, r Reply, now time.Time) (Outcome, []Message, error) {
	var o Outcome
	me, err := p.Participant(participantID)
	if err != nil {
		return o, nil, err
	}
	if me.Status == ParticipantLeft {
		// Someone who left hears nothing more, unless they come back
		// with resume in time.
		if cmd, err := ParseCommand(r.Text, now, me.Person.Location); err == nil && cmd.Kind == CmdResume {
			o.Kind, o.Detail = OutcomeCommand, "resume after leaving"
			msgs, err := p.Rejoin(me.ID, now)
			return o, msgs, err
		}
		return o, nil, ErrLeft
	}
	if r.Unsubscribe {
		o.Kind, o.Detail = OutcomeCommand, "stop (list-unsubscribe)"
		msgs, err := p.StopNow(me.ID, now)
		return o, msgs, err
	}
	if r.Text == "" {
		o.Kind, o.Detail = OutcomeUnreadable, "no words found outside quotes and signatures"
		return o, nil, nil
	}
	if r.Checkin && r.QuestionID == "" {
		msgs, err := p.checkinReply(me, r, &o, now)
		return o, msgs, err
	}
	msgs, err := p.reply(me, r, &o, now)
	return o, msgs, err
}

// reply carries out a reply that is not about check-ins.
func (p *Partnership) reply(me *Participant, r Reply, o *Outcome, now time.Time) ([]Message, error) {
	text := r.Text
	cmd, cerr := ParseCommand(text, now, me.Person.Location)
	if d := r.Draft; d != nil && !(p.DraftOpen() && d.Review == p.Draft.Review && d.Round == p.Draft.Round) {
		if _, err := ParseDraftReply(text); err == nil {
			// Numbers of another round's mail would name other
			// statements: nothing of it is applied.
			n := Note{Kind: NoteDraftOldRound, Number: d.Round, Draft: p.Draft}
			o.Kind, o.Detail = OutcomeRejected, fmt.Sprintf("draft: a reply to round %d", d.Round)
			if !p.DraftOpen() {
				n.Kind, o.Detail = NoteDraftClosed, "draft: a reply after drafting ended"
			}
			return p.Explain(me.ID, n, now)
		}
	}
	if p.DraftOpen() && r.QuestionID == "" {
		if msgs, handled, err := p.draftReply(me, text, cerr, o, now); handled {
			return msgs, err
		}
	}
	if p.LatestAgreement() != nil {
		if rest, rws, ok := ParseRewrites(text); ok {
			return p.rewriteReply(me, r, rest, rws, o, now)
		}
	}
	var ce *CommandError
	var slip *NearMiss
	var aside *Aside
	switch {
	case cerr == nil:
		o.Kind, o.Detail = OutcomeCommand, string(cmd.Kind)
		return p.runCommand(me, cmd, r.QuestionID, now)
	case errors.As(cerr, &ce):
		o.Kind, o.Detail, o.Problem = OutcomeCommand, "unclear", &ce.Problem
		return p.Unclear(me.ID, ce.Problem, now)
	case me.Held(text):
		// The same words after we asked: meant as written.
	case errors.As(cerr, &slip):
		o.Kind, o.Detail = OutcomeHeld, "did you mean: "+slip.Suggestion
		return p.Hold(me.ID, text, Note{Kind: NoteDidYouMean, Text: slip.Suggestion}, now)
	case errors.As(cerr, &aside):
		o.Kind, o.Detail = OutcomeHeld, "a note about another reply"
		return p.Hold(me.ID, text, Note{Kind: NoteAside}, now)
	}
	question := questionOf(r, me)
	if earlier, echo := p.Echo(me.ID, question, text, r.EchoSince); echo {
		// The same words again, for something else: an auto-responder
		// that set no header. Nothing of it is kept, and the person is
		// paused until they come back.
		o.Kind, o.Detail = OutcomeAutoReply, "auto-reply: the same words as an earlier reply"
		if earlier != "" {
			o.Detail += " to question " + earlier
		}
		o.Echoed = me.Status != ParticipantPaused
		return p.PauseForAutoReplies(me.ID, now)
	}
	if question == "" {
		if p.LatestAgreement() != nil {
			o.Kind, o.Detail = OutcomeAnswer, "kept for the agreement review"
			return p.Amend(me.ID, text, now)
		}
		return p.unclear(me, o, OutcomeRejected, "no open question to answer", Problem{Code: ProblemNoQuestion}, now)
	}
	o.Kind, o.Detail = OutcomeAnswer, "question "+question
	msgs, err := p.Answer(me.ID, question, text, now)
	var ke *KeptError
	if errors.As(err, &ke) {
		o.Kind, o.Detail = OutcomeRejected, "question "+question+": "+ke.Error()
		return p.Explain(me.ID, Note{Kind: NoteKeptUnclear, KeptError: ke}, now)
	}
	if msgs, unfit, err := p.unfitAnswer(me, question, err, o, now); unfit {
		return msgs, err
	}
	return msgs, err
}

// unclear tells the person why their reply could not be acted on, and
// records it as kind with detail.
func (p *Partnership) unclear(me *Participant, o *Outcome, kind OutcomeKind, detail string, why Problem, now time.Time) ([]Message, error) {
	o.Kind, o.Detail = kind, detail
	return p.Unclear(me.ID, why, now)
}

// questionOf is the question a reply answers: the one whose mail it
// replied to, else the person's current question, unless it replied to
// the agreement (whose replies are kept for the review); "" for none.
func questionOf(r Reply, me *Participant) string {
	if r.QuestionID != "" {
		return r.QuestionID
	}
	if cur := me.Current(); cur != nil && !r.ToAgreement {
		return cur.QuestionID
	}
	return ""
}

// unfitAnswer explains an answer a review question cannot use (err is
// ErrRating or ErrBareNumber); unfit is false for any other err, which the
// caller handles.
func (p *Partnership) unfitAnswer(me *Participant, question string, err error, o *Outcome, now time.Time) (msgs []Message, unfit bool, _ error) {
	switch {
	case errors.Is(err, ErrRating):
		msgs, err = p.unclear(me, o, OutcomeRejected, "question "+question+": not a rating from 1 to 5", Problem{Code: ProblemNotRating}, now)
	case errors.Is(err, ErrBareNumber):
		msgs, err = p.unclear(me, o, OutcomeRejected, "question "+question+": only a number", Problem{Code: ProblemBareNumber}, now)
	default:
		return nil, false, nil
	}
	return msgs, true, err
}

// rewriteReply carries out a reply that rewrites agreement topics
// ("change 7: …", see ParseRewrites): the rewrites, and what the reply
// says before them as the answer to the question it replied to (or a note
// for the review). A rewrite that cannot be carried out is explained and
// nothing of the reply is kept.
func (p *Partnership) rewriteReply(me *Participant, r Reply, rest string, rws []Rewrite, o *Outcome, now time.Time) ([]Message, error) {
	question := ""
	if rest != "" {
		question = questionOf(r, me)
	}
	nums := make([]string, len(rws))
	for i, rw := range rws {
		nums[i] = strconv.Itoa(rw.Number)
	}
	o.Kind, o.Detail = OutcomeAnswer, "rewrite of "+strings.Join(nums, ", ")
	if question != "" {
		o.Detail += " and question " + question
	}
	msgs, err := p.Rewrite(me.ID, rws, question, rest, now)
	var re *RewriteError
	if errors.As(err, &re) {
		o.Kind, o.Detail = OutcomeRejected, "rewrite: "+re.Error()
		return p.Explain(me.ID, re.Note(), now)
	}
	if msgs, unfit, err := p.unfitAnswer(me, question, err, o, now); unfit {
		return msgs, err
	}
	return msgs, err
}

// draftReply carries out a reply to the open draft of the agreement
// ("agree all", "change 5: …", see ParseDraftReply). A reply command
// (pause, stop, help…) and a slip of one are not for the draft: handled is
// false and the usual path takes them. Any other reply that cannot be
// carried out is explained, and nothing of it is kept. cerr is what
// ParseCommand made of text.
func (p *Partnership) draftReply(me *Participant, text string, cerr error, o *Outcome, now time.Time) (msgs []Message, handled bool, err error) {
	if cerr == nil {
		return nil, false, nil
	}
	reply, err := ParseDraftReply(text)
	var de *DraftReplyError
	if errors.As(err, &de) && de.Kind == DraftReplyUnreadable && de.Suggestion == "" &&
		(!errors.Is(cerr, ErrNotCommand) || p.Draft.Signing) {
		// "paus 1 week" is a slip of a reply command, which the usual
		// path answers with "did you mean"; words written back to an
		// agreement that waits for a signature are kept for its review,
		// as for any agreement.
		return nil, false, nil
	}
	round := p.Draft.Round
	if err == nil {
		msgs, err = p.ReplyToDraft(me.ID, reply, now)
	}
	if errors.As(err, &de) {
		o.Kind, o.Detail = OutcomeRejected, "draft: "+de.Error()
		msgs, err = p.Explain(me.ID, Note{Kind: NoteDraftUnclear, DraftError: de, Draft: p.Draft}, now)
		return msgs, true, err
	}
	if err != nil {
		return nil, true, err
	}
	kinds := make([]string, 0, len(reply.Commands))
	for _, c := range reply.Commands {
		kinds = append(kinds, strings.TrimSpace(string(c.Kind)+" "+draftNumbers(c)))
	}
	o.Kind, o.Detail = OutcomeAnswer, fmt.Sprintf("draft round %d: %s", round, strings.Join(kinds, "; "))
	return msgs, true, nil
}

// draftNumbers writes the numbers a draft command names, or "all".
func draftNumbers(c DraftCommand) string {
	if c.All {
		return "all"
	}
	ns := make([]string, len(c.Numbers))
	for i, n := range c.Numbers {
		ns[i] = strconv.Itoa(n)
	}
	return strings.Join(ns, ", ")
}

// runCommand carries out a reply command.
func (p *Partnership) runCommand(me *Participant, cmd Command, question string, now time.Time) ([]Message, error) {
	switch cmd.Kind {
	case CmdSkip:
		if question == "" {
			if cur := me.Current(); cur != nil {
				question = cur.QuestionID
			}
		}
		msgs, err := p.Skip(me.ID, question, now)
		if errors.Is(err, ErrNotCurrent) || errors.Is(err, ErrNotAsked) {
			return p.Unclear(me.ID, Problem{Code: ProblemNothingToSkip}, now)
		}
		return msgs, err
	case CmdPause:
		return p.Pause(me.ID, cmd.Until, now)
	case CmdResume:
		return p.Resume(me.ID, now)
	case CmdStop:
		return p.Stop(me.ID, now)
	case CmdExport:
		return p.Export(me.ID, now)
	case CmdUndo:
		return p.Undo(me.ID, now)
	case CmdAgreement:
		return p.SendAgreement(me.ID, now)
	case CmdLanguage:
		return p.SetLanguage(me.ID, cmd.Language, now)
	}
	return p.Help(me.ID, now)
}

// checkinReply carries out a reply to check-in mail: a change command, the
// schedule the lead was asked for, or prep and follow-up notes.
func (p *Partnership) checkinReply(me *Participant, r Reply, o *Outcome, now time.Time) ([]Message, error) {
	text, loc := r.Text, me.Person.Location
	cmd, cerr := ParseCheckinCommand(text, now, loc, true)
	var ce *CommandError
	switch {
	case cerr == nil:
		o.Kind, o.Detail = OutcomeCommand, "check-in "+string(cmd.Kind)
		return p.runCheckinCommand(me, cmd, now)
	case errors.As(cerr, &ce):
		o.Kind, o.Detail, o.Problem = OutcomeCommand, "unclear", &ce.Problem
		return p.Unclear(me.ID, ce.Problem, now)
	}
	// The questionnaire's own commands still work here: stop, help.
	if c, err := ParseCommand(text, now, loc); err == nil && (c.Kind == CmdStop || c.Kind == CmdHelp) {
		o.Kind, o.Detail = OutcomeCommand, string(c.Kind)
		return p.runCommand(me, c, "", now)
	}
	meeting := r.Meeting
	if meeting.IsZero() && p.Checkin != nil {
		if oc := p.Checkin.Upcoming(now); oc != nil {
			meeting = oc.Original
		}
	}
	switch r.Purpose {
	case MsgPrep, MsgAgenda:
		o.Kind, o.Detail = OutcomeAnswer, "check-in prep"
		msgs, err := p.RecordCheckinNote(me.ID, CheckinPrep, meeting, text, now)
		return p.noteError(me, msgs, err, now)
	case MsgFollowUp:
		o.Kind, o.Detail = OutcomeAnswer, "check-in follow-up"
		msgs, err := p.RecordCheckinNote(me.ID, CheckinFollowUp, meeting, text, now)
		return p.noteError(me, msgs, err, now)
	}
	// A schedule, in answer to the question or to move the check-ins.
	reading, serr := ReadSchedule(text)
	var se *ScheduleError
	switch {
	case serr == nil:
		s := reading.Schedule
		if p.Checkin != nil {
			s = reading.Over(p.Checkin.Schedule)
		}
		msgs, err := p.SetSchedule(me.ID, s, now)
		var ce *ClashError
		if errors.As(err, &ce) {
			o.Kind, o.Detail = OutcomeCommand, "check-in schedule clashes: "+ce.Error()
			return p.RefuseClash(me.ID, ce.Clash, now)
		}
		var oe *OffHoursError
		if errors.As(err, &oe) {
			o.Kind, o.Detail = OutcomeCommand, "check-in schedule out of hours: "+oe.Error()
			return p.RefuseOffHours(me.ID, oe.OffHours, now)
		}
		if errors.As(err, &se) {
			o.Kind, o.Detail, o.Problem = OutcomeCommand, "unclear schedule", &se.Problem
			return p.AskSchedule(me.ID, se.Problem, now)
		}
		if errors.Is(err, ErrNotOrganiser) {
			o.Kind, o.Detail = OutcomeCommand, "unclear: not the organiser"
			return p.Unclear(me.ID, Problem{Code: ProblemNotOrganiser, Name: FirstName(p.Partner(me).Person.Name)}, now)
		}
		o.Kind, o.Detail = OutcomeCommand, "check-in schedule "+s.Spec()
		return msgs, err
	case r.Purpose == MsgScheduleAsk && errors.As(serr, &se):
		o.Kind, o.Detail, o.Problem = OutcomeCommand, "unclear schedule", &se.Problem
		return p.AskSchedule(me.ID, se.Problem, now)
	}
	o.Kind, o.Detail = OutcomeRejected, "not a check-in command"
	return p.Unclear(me.ID, Problem{Code: ProblemCheckinCommands}, now)
}

// noteError turns a note that has no meeting to go with into a polite
// explanation.
func (p *Partnership) noteError(me *Participant, msgs []Message, err error, now time.Time) ([]Message, error) {
	if errors.Is(err, ErrNoOccurrence) || errors.Is(err, ErrNoSeries) {
		return p.Unclear(me.ID, Problem{Code: ProblemWhichMeeting}, now)
	}
	return msgs, err
}

// runCheckinCommand carries out a check-in command, explaining politely
// what cannot be done.
func (p *Partnership) runCheckinCommand(me *Participant, cmd CheckinCommand, now time.Time) ([]Message, error) {
	cs := p.Checkin
	if cs == nil || cs.Status == SeriesCancelled {
		return p.Unclear(me.ID, Problem{Code: ProblemNoCheckins}, now)
	}
	find := func() *Occurrence {
		if cmd.Date.IsZero() {
			return cs.Upcoming(now)
		}
		from, to := cmd.Span(me.Person.Location)
		for _, o := range cs.Meetings(from, to) {
			if now.Before(o.End(cs)) {
				return o
			}
		}
		return nil
	}
	var msgs []Message
	var err error
	switch cmd.Kind {
	case CheckinCmdSkip:
		o := find()
		if o == nil {
			return p.Unclear(me.ID, Problem{Code: ProblemNoMeetingToSkip}, now)
		}
		msgs, err = p.SkipCheckin(me.ID, o.Original, now)
	case CheckinCmdMoveOne:
		o := find()
		if o == nil {
			return p.Unclear(me.ID, Problem{Code: ProblemNoMeetingToMove}, now)
		}
		// The time is read in the sender's own zone.
		msgs, err = p.MoveCheckin(me.ID, o.Original, cmd.NewStart(o.Start, me.Person.Location), now)
	case CheckinCmdMoveSeries:
		msgs, err = p.SetSchedule(me.ID, cmd.Series.Over(cs.Schedule), now)
	case CheckinCmdPause:
		msgs, err = p.PauseCheckins(me.ID, cmd.Until.Start(me.Person.Location), now)
	case CheckinCmdResume:
		msgs, err = p.ResumeCheckins(me.ID, now)
	case CheckinCmdCancel:
		msgs, err = p.CancelCheckins(me.ID, now)
	default:
		return p.Help(me.ID, now)
	}
	if refusal, refused, rerr := p.refuseChange(me, err, now); refused {
		return refusal, rerr
	}
	return msgs, err
}

// refuseChange explains politely why a change to the check-ins cannot be
// made; refused is false for an error that is no reason to give (nil, or
// a failure to report as such).
func (p *Partnership) refuseChange(me *Participant, err error, now time.Time) (msgs []Message, refused bool, rerr error) {
	var se *ScheduleError
	var ce *ClashError
	var oe *OffHoursError
	switch {
	case errors.As(err, &ce):
		msgs, rerr = p.RefuseClash(me.ID, ce.Clash, now)
	case errors.As(err, &oe):
		msgs, rerr = p.RefuseOffHours(me.ID, oe.OffHours, now)
	case errors.As(err, &se):
		msgs, rerr = p.Unclear(me.ID, se.Problem, now)
	case errors.Is(err, ErrPastDate):
		msgs, rerr = p.Unclear(me.ID, Problem{Code: ProblemMeetingPast}, now)
	case errors.Is(err, ErrNotPaused):
		msgs, rerr = p.Unclear(me.ID, Problem{Code: ProblemNotPaused}, now)
	case errors.Is(err, ErrNotOrganiser):
		msgs, rerr = p.Unclear(me.ID, Problem{Code: ProblemNotOrganiser, Name: FirstName(p.Partner(me).Person.Name)}, now)
	case errors.Is(err, ErrNoOccurrence):
		msgs, rerr = p.Unclear(me.ID, Problem{Code: ProblemNoMeeting}, now)
	default:
		return nil, false, nil
	}
	return msgs, true, rerr
}
