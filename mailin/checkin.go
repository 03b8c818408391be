package mailin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"accord/conversation"
	"accord/mailin/classify"
	"accord/mailout"
	"accord/mailout/ical"
	"accord/store"
	"accord/templates"
)

// calendarReply records an Accept, Tentative or Decline from a calendar.
// The reply must name a series we sent, come from the attendee it speaks
// for, and be newer than what is recorded; anything else is recorded as
// rejected or ignored, never applied.
func (p *Processor) calendarReply(ctx context.Context, id int64, from string, c classify.Result) (store.InboundOutcome, error) {
	reject := func(why string) (store.InboundOutcome, error) {
		return p.record(ctx, id, store.InboundRejected, "calendar reply: "+why)
	}
	if c.Calendar == nil {
		return reject("no calendar data")
	}
	replies, err := ical.ParseReply(c.Calendar.Data)
	if err != nil {
		return reject(err.Error())
	}
	partnershipID, err := p.Store.SeriesByUID(ctx, replies[0].UID)
	if errors.Is(err, store.ErrNotFound) {
		return reject("for an event we did not send (UID " + replies[0].UID + ")")
	}
	if err != nil {
		return store.InboundOutcome{}, err
	}
	o := store.InboundOutcome{Outcome: store.InboundCalendar, PartnershipID: partnershipID}
	err = p.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Apply(ctx, partnershipID, func(pp *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			var msgs []conversation.Message
			var done []string
			for _, r := range replies {
				me := participantByEmail(pp, r.Attendee.Email)
				if me == nil || !sameAddress(r.Attendee.Email, from) {
					o.Outcome, o.Detail = store.InboundRejected, fmt.Sprintf("calendar reply: from %s for %s, who was not invited or is someone else", from, r.Attendee.Email)
					return nil, nil
				}
				o.ParticipantID = me.ID
				m, err := pp.RecordCalendarReply(me.ID, conversation.CalendarReply{
					UID: r.UID, Original: r.RecurrenceID, PartStat: r.PartStat, Sequence: r.Sequence, Stamp: r.Stamp,
				}, now)
				switch {
				case errors.Is(err, conversation.ErrStaleReply):
					done = append(done, "stale "+strings.ToLower(r.PartStat))
					continue
				case err != nil:
					return nil, err
				}
				msgs = append(msgs, m...)
				what := "series"
				if !r.RecurrenceID.IsZero() {
					what = "meeting of " + r.RecurrenceID.UTC().Format(time.RFC3339)
				}
				done = append(done, strings.ToLower(r.PartStat)+" "+what)
			}
			o.Detail = strings.Join(done, ", ")
			return msgs, nil
		})
		switch {
		case errors.Is(err, conversation.ErrEnded), errors.Is(err, conversation.ErrLeft), errors.Is(err, conversation.ErrSeriesCancelled):
			o.Outcome, o.Detail = store.InboundIgnored, "calendar reply: "+err.Error()
		case errors.Is(err, conversation.ErrWrongEvent):
			o.Outcome, o.Detail = store.InboundRejected, "calendar reply: "+err.Error()
		case err != nil:
			return err
		}
		return tx.FinishInbound(ctx, id, p.Worker, o)
	})
	return o, err
}

func participantByEmail(p *conversation.Partnership, email string) *conversation.Participant {
	for _, pt := range p.Participants {
		if sameAddress(pt.Person.Email, email) {
			return pt
		}
	}
	return nil
}

// isCheckinReply reports whether a reply answers check-in mail: through
// the token of a check-in mail, or in the check-in thread.
func isCheckinReply(r route) bool {
	if _, _, draft := store.DraftRoundOf(r.Purpose); draft {
		return false
	}
	return r.Purpose != "" || r.Thread == mailout.ThreadCheckins
}

// checkinReply carries out a reply to check-in mail: a change command, the
// schedule the lead was asked for, or prep and follow-up notes. It returns
// the outcome's kind and detail with the messages.
func checkinReply(p *conversation.Partnership, me *conversation.Participant, r route, text string, now time.Time) (outcome, detail string, msgs []conversation.Message, err error) {
	loc := me.Person.Location
	cmd, cerr := conversation.ParseCheckinCommand(text, now, loc, true)
	var ce *conversation.CommandError
	switch {
	case cerr == nil:
		msgs, err = runCheckinCommand(p, me, cmd, now)
		return store.InboundCommand, "check-in " + string(cmd.Kind), msgs, err
	case errors.As(cerr, &ce):
		msgs, err = p.Unclear(me.ID, ce.Problem, now)
		return store.InboundCommand, "unclear: " + templates.ErrorText(ce), msgs, err
	}
	// The questionnaire's own commands still work here: stop, help.
	if c, err := conversation.ParseCommand(text, now, loc); err == nil && (c.Kind == conversation.CmdStop || c.Kind == conversation.CmdHelp) {
		msgs, err = runCommand(p, me, c, "", now)
		return store.InboundCommand, string(c.Kind), msgs, err
	}
	meeting := r.Meeting
	if meeting.IsZero() && p.Checkin != nil {
		if o := p.Checkin.Upcoming(now); o != nil {
			meeting = o.Original
		}
	}
	switch conversation.MessageKind(r.Purpose) {
	case conversation.MsgPrep, conversation.MsgAgenda:
		msgs, err = p.RecordCheckinNote(me.ID, conversation.CheckinPrep, meeting, text, now)
		return store.InboundAnswer, "check-in prep", msgs, noteError(p, me, err, now, &msgs)
	case conversation.MsgFollowUp:
		msgs, err = p.RecordCheckinNote(me.ID, conversation.CheckinFollowUp, meeting, text, now)
		return store.InboundAnswer, "check-in follow-up", msgs, noteError(p, me, err, now, &msgs)
	}
	// A schedule, in answer to the question or to move the check-ins.
	reading, serr := conversation.ReadSchedule(text)
	var se *conversation.ScheduleError
	switch {
	case serr == nil:
		s := reading.Schedule
		if p.Checkin != nil {
			s = reading.Over(p.Checkin.Schedule)
		}
		msgs, err = p.SetSchedule(me.ID, s, now)
		var ce *conversation.ClashError
		if errors.As(err, &ce) {
			msgs, err = p.RefuseClash(me.ID, ce.Clash, now)
			return store.InboundCommand, "check-in schedule clashes: " + ce.Error(), msgs, err
		}
		var oe *conversation.OffHoursError
		if errors.As(err, &oe) {
			msgs, err = p.RefuseOffHours(me.ID, oe.OffHours, now)
			return store.InboundCommand, "check-in schedule out of hours: " + oe.Error(), msgs, err
		}
		if errors.As(err, &se) {
			msgs, err = p.AskSchedule(me.ID, se.Problem, now)
			return store.InboundCommand, "unclear schedule: " + templates.ErrorText(se), msgs, err
		}
		if errors.Is(err, conversation.ErrNotOrganiser) {
			msgs, err = p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNotOrganiser, Name: conversation.FirstName(p.Partner(me).Person.Name)}, now)
			return store.InboundCommand, "unclear: not the organiser", msgs, err
		}
		return store.InboundCommand, "check-in schedule " + s.Spec(), msgs, err
	case r.Purpose == string(conversation.MsgScheduleAsk) && errors.As(serr, &se):
		msgs, err = p.AskSchedule(me.ID, se.Problem, now)
		return store.InboundCommand, "unclear schedule: " + templates.ErrorText(se), msgs, err
	}
	msgs, err = p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemCheckinCommands}, now)
	return store.InboundRejected, "not a check-in command", msgs, err
}

// noteError turns a note that has no meeting to go with into a polite
// explanation.
func noteError(p *conversation.Partnership, me *conversation.Participant, err error, now time.Time, msgs *[]conversation.Message) error {
	if errors.Is(err, conversation.ErrNoOccurrence) || errors.Is(err, conversation.ErrNoSeries) {
		m, uerr := p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemWhichMeeting}, now)
		*msgs = m
		return uerr
	}
	return err
}

// runCheckinCommand carries out a check-in command, explaining politely
// what cannot be done.
func runCheckinCommand(p *conversation.Partnership, me *conversation.Participant, cmd conversation.CheckinCommand, now time.Time) ([]conversation.Message, error) {
	cs := p.Checkin
	if cs == nil || cs.Status == conversation.SeriesCancelled {
		return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNoCheckins}, now)
	}
	find := func() *conversation.Occurrence {
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
	var msgs []conversation.Message
	var err error
	switch cmd.Kind {
	case conversation.CheckinCmdSkip:
		o := find()
		if o == nil {
			return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNoMeetingToSkip}, now)
		}
		msgs, err = p.SkipCheckin(me.ID, o.Original, now)
	case conversation.CheckinCmdMoveOne:
		o := find()
		if o == nil {
			return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNoMeetingToMove}, now)
		}
		// The time is read in the sender's own zone.
		msgs, err = p.MoveCheckin(me.ID, o.Original, cmd.NewStart(o.Start, me.Person.Location), now)
	case conversation.CheckinCmdMoveSeries:
		msgs, err = p.SetSchedule(me.ID, cmd.Series.Over(cs.Schedule), now)
	case conversation.CheckinCmdPause:
		msgs, err = p.PauseCheckins(me.ID, cmd.Until.Start(me.Person.Location), now)
	case conversation.CheckinCmdResume:
		msgs, err = p.ResumeCheckins(me.ID, now)
	case conversation.CheckinCmdCancel:
		msgs, err = p.CancelCheckins(me.ID, now)
	default:
		return p.Help(me.ID, now)
	}
	var se *conversation.ScheduleError
	var ce *conversation.ClashError
	var oe *conversation.OffHoursError
	switch {
	case errors.As(err, &ce):
		return p.RefuseClash(me.ID, ce.Clash, now)
	case errors.As(err, &oe):
		return p.RefuseOffHours(me.ID, oe.OffHours, now)
	case errors.As(err, &se):
		return p.Unclear(me.ID, se.Problem, now)
	case errors.Is(err, conversation.ErrPastDate):
		return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemMeetingPast}, now)
	case errors.Is(err, conversation.ErrNotPaused):
		return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNotPaused}, now)
	case errors.Is(err, conversation.ErrNotOrganiser):
		return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNotOrganiser, Name: conversation.FirstName(p.Partner(me).Person.Name)}, now)
	case errors.Is(err, conversation.ErrNoOccurrence):
		return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNoMeeting}, now)
	}
	return msgs, err
}
