package conversation

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// The partstats a calendar reply may carry.
const (
	PartStatAccepted  = "ACCEPTED"
	PartStatTentative = "TENTATIVE"
	PartStatDeclined  = "DECLINED"
)

// maxMeetingLength bounds how far back a meeting can still be going on.
const maxMeetingLength = 3 * time.Hour

// organiser reports whether the participant may set the check-in time:
// the lead, or either peer.
func (p *Partnership) organiser(pt *Participant) bool {
	return pt.Role != RoleReport
}

// SetSchedule is the lead choosing when the pair meets. Without a series
// it starts one, its first meeting at least Checkins.FirstAfter from now,
// and both get the invitation; with one, the whole series moves.
func (p *Partnership) SetSchedule(participantID int64, s Schedule, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	if !p.organiser(me) {
		return nil, ErrNotOrganiser
	}
	// The organiser gave the time in their own zone; the series is kept
	// in the lead's, and must suit both people.
	zone := p.Lead().Person.Location
	s = inSeriesZone(s, me.Person.Location, zone, now.Add(p.Rules.Checkins.FirstAfter))
	first := s.First(now.Add(p.Rules.Checkins.FirstAfter), zone)
	if o := p.offHours(me, s.Occurrences(first, first, first.Add(clashHorizon), zone), s.Length); o != nil {
		return nil, &OffHoursError{OffHours: *o}
	}
	return p.schedule(s, now)
}

// AskSchedule asks the organiser again when to meet, after a reply that
// could not be read as a schedule; why explains, for the person.
func (p *Partnership) AskSchedule(participantID int64, why Problem, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	return []Message{p.compose(me, Message{Kind: MsgScheduleAsk, Notes: []Note{{Kind: NoteUnclear, Problem: &why}}}, now)}, nil
}

// RefuseClash answers a check-in time that clashes with another check-in
// of one of the two: the organiser is asked again (before the first
// series) or told (after), with the nearest free time.
func (p *Partnership) RefuseClash(participantID int64, c Clash, now time.Time) ([]Message, error) {
	return p.refuseTime(participantID, Note{Kind: NoteClash, Clash: &c}, now)
}

// RefuseOffHours answers a check-in time outside someone's working hours
// as RefuseClash does a clash, with the times that suit both.
func (p *Partnership) RefuseOffHours(participantID int64, o OffHours, now time.Time) ([]Message, error) {
	return p.refuseTime(participantID, Note{Kind: NoteOffHours, OffHours: &o}, now)
}

// refuseTime tells the organiser why a check-in time was refused: in the
// question of when to meet while there is no series, in a help mail
// after.
func (p *Partnership) refuseTime(participantID int64, n Note, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	kind := MsgHelp
	if p.Checkin == nil || p.Checkin.Status == SeriesCancelled {
		kind = MsgScheduleAsk
	}
	return []Message{p.compose(me, Message{Kind: kind, Notes: []Note{n}}, now)}, nil
}

// ScheduleCheckins is the operator setting or changing the schedule.
func (p *Partnership) ScheduleCheckins(s Schedule, now time.Time) ([]Message, error) {
	if p.Status == StatusEnded {
		return nil, ErrEnded
	}
	return p.schedule(s, now)
}

func (p *Partnership) schedule(s Schedule, now time.Time) ([]Message, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	zone := p.Lead().Person.Location
	first := s.First(now.Add(p.Rules.Checkins.FirstAfter), zone)
	if err := s.CheckTimes(first, zone, 2*365*24*time.Hour); err != nil {
		return nil, err
	}
	if c := p.seriesClash(s, first, zone, now); c != nil {
		return nil, &ClashError{Clash: *c}
	}
	if p.LatestAgreement() == nil {
		// Before the agreement the schedule is only remembered; the
		// invitation goes out with the agreement.
		plan := s
		p.CheckinPlan = &plan
		return nil, nil
	}
	cs := p.Checkin
	switch {
	case cs == nil || cs.Status == SeriesCancelled:
		if cs != nil {
			p.EarlierCheckins = append(p.EarlierCheckins, cs)
		}
		cs = &Series{Schedule: s, Zone: zone, Start: first, Status: SeriesActive, CreatedAt: now}
		p.Checkin = cs
	default:
		// The old slots no longer exist: meetings that have not happened
		// lose their overrides, and the series starts again.
		cs.Schedule, cs.Start, cs.Status = s, first, SeriesActive
		cs.PausedFrom, cs.PausedUntil = time.Time{}, time.Time{}
		dropped := map[*Occurrence]bool{}
		cs.Occurrences = slices.DeleteFunc(cs.Occurrences, func(o *Occurrence) bool {
			dropped[o] = o.Start.After(now)
			return dropped[o]
		})
		// What people wrote for a meeting that no longer exists carries
		// over to the first meeting of the new schedule.
		for _, n := range p.CheckinNotes {
			if dropped[n.Occurrence] {
				n.Occurrence = cs.record(&Occurrence{Original: first, Start: first, State: OccScheduled, Number: 1})
			}
		}
		cs.Sequence++
	}
	p.CheckinPlan = nil
	return p.toBoth(Message{Kind: MsgCalendar}, p.calendar(CalSeries, nil, now), now), nil
}

// SkipCheckin drops the meeting in the schedule slot original.
func (p *Partnership) SkipCheckin(participantID int64, original time.Time, now time.Time) ([]Message, error) {
	cs, err := p.changer(participantID, now)
	if err != nil {
		return nil, err
	}
	o := cs.upcoming(original, now)
	if o == nil {
		return nil, ErrNoOccurrence
	}
	o = cs.record(o)
	o.State = OccSkipped
	cs.Sequence++
	return p.toBoth(Message{Kind: MsgCalendar}, p.calendar(CalCancelOne, o, now), now), nil
}

// MoveCheckin moves one meeting, the one in slot original, to start.
func (p *Partnership) MoveCheckin(participantID int64, original, start time.Time, now time.Time) ([]Message, error) {
	cs, err := p.changer(participantID, now)
	if err != nil {
		return nil, err
	}
	o := cs.upcoming(original, now)
	if o == nil {
		return nil, ErrNoOccurrence
	}
	if !start.After(now) {
		return nil, ErrPastDate
	}
	if participantID != 0 {
		me, _ := p.Participant(participantID)
		if o := p.offHours(me, []time.Time{start}, cs.Schedule.Length); o != nil {
			return nil, &OffHoursError{OffHours: *o}
		}
	}
	if c := p.meetingClash(start, cs.Schedule.Length, cs.Zone, now); c != nil {
		return nil, &ClashError{Clash: *c}
	}
	o = cs.record(o)
	o.Start, o.State = start, OccMoved
	if start.Equal(o.Original) {
		o.State = OccScheduled
	}
	// A moved meeting is prepared for again at its new time.
	o.PrepSentAt, o.AgendaSentAt = [2]time.Time{}, time.Time{}
	cs.Sequence++
	return p.toBoth(Message{Kind: MsgCalendar}, p.calendar(CalMoveOne, o, now), now), nil
}

// PauseCheckins skips every meeting from now until until.
func (p *Partnership) PauseCheckins(participantID int64, until time.Time, now time.Time) ([]Message, error) {
	cs, err := p.changer(participantID, now)
	if err != nil {
		return nil, err
	}
	if !until.After(now) {
		return nil, ErrPastDate
	}
	cs.Status, cs.PausedFrom, cs.PausedUntil = SeriesPaused, now, until
	cs.Sequence++
	return p.toBoth(Message{Kind: MsgCalendar}, p.calendar(CalSeries, nil, now), now), nil
}

// ResumeCheckins ends a pause early: meetings from now on happen again.
func (p *Partnership) ResumeCheckins(participantID int64, now time.Time) ([]Message, error) {
	cs, err := p.changer(participantID, now)
	if err != nil {
		return nil, err
	}
	if cs.Status != SeriesPaused {
		return nil, ErrNotPaused
	}
	cs.Status, cs.PausedUntil = SeriesActive, now
	cs.Sequence++
	return p.toBoth(Message{Kind: MsgCalendar}, p.calendar(CalSeries, nil, now), now), nil
}

// CancelCheckins ends the series; both calendars drop it.
func (p *Partnership) CancelCheckins(participantID int64, now time.Time) ([]Message, error) {
	if _, err := p.changer(participantID, now); err != nil {
		return nil, err
	}
	return p.cancelSeries(now), nil
}

// changer checks that a participant (or the operator, with id 0) may change
// the running series, and returns it.
func (p *Partnership) changer(participantID int64, now time.Time) (*Series, error) {
	if participantID != 0 {
		if _, err := p.writer(participantID, now); err != nil {
			return nil, err
		}
	} else if p.Status == StatusEnded {
		return nil, ErrEnded
	}
	switch {
	case p.Checkin == nil:
		return nil, ErrNoSeries
	case p.Checkin.Status == SeriesCancelled:
		return nil, ErrSeriesCancelled
	}
	return p.Checkin, nil
}

// cancelSeries cancels a live series and tells both people.
func (p *Partnership) cancelSeries(now time.Time) []Message {
	cs := p.Checkin
	if cs == nil || cs.Status == SeriesCancelled {
		return nil
	}
	cs.Status = SeriesCancelled
	cs.Sequence++
	return p.toBoth(Message{Kind: MsgCalendar}, p.calendar(CalCancelSeries, nil, now), now)
}

// calendar stamps a calendar change: DTSTAMP grows with every message,
// even two in the same second.
func (p *Partnership) calendar(kind CalendarKind, o *Occurrence, now time.Time) *CalendarChange {
	cs := p.Checkin
	stamp := now.Truncate(time.Second)
	if !stamp.After(cs.Stamp) {
		stamp = cs.Stamp.Add(time.Second)
	}
	cs.Stamp = stamp
	return &CalendarChange{Kind: kind, Series: cs, Occurrence: o, Stamp: stamp, Sequence: cs.Sequence}
}

// toBoth sends m, with the calendar change, to everyone still in the
// partnership.
func (p *Partnership) toBoth(m Message, c *CalendarChange, now time.Time) []Message {
	var msgs []Message
	for _, pt := range p.Participants {
		if pt.Status == ParticipantLeft {
			continue
		}
		mm := m
		mm.Calendar = c
		msgs = append(msgs, p.compose(pt, mm, now))
	}
	return msgs
}

// CalendarReply is a person's Accept, Tentative or Decline as read from
// their calendar's reply.
type CalendarReply struct {
	UID string
	// Original is the meeting replied to; zero for the whole series.
	Original time.Time
	PartStat string
	Sequence int
	Stamp    time.Time
	// Proposed is a new start the person's calendar proposes (an iTIP
	// COUNTER, or a REPLY carrying a proposed time); zero for none. See
	// CounterCheckin.
	Proposed time.Time
}

// CounterCheckin answers a calendar's proposal of a new time as the reply
// "move to …" would be answered: the meeting it names (or, naming none,
// the series, to the proposed weekday and time) is moved, both calendars
// are updated and both people told in their own time; a move that cannot
// be made is explained to the person as a typed one would be, and their
// calendar gets a DECLINECOUNTER with the explanation. A PARTSTAT the
// proposal carries (Google and Apple send TENTATIVE) is recorded first.
func (p *Partnership) CounterCheckin(participantID int64, r CalendarReply, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	cs := p.Checkin
	switch {
	case cs == nil || cs.UID == "" || !strings.EqualFold(cs.UID, r.UID) || r.Proposed.IsZero():
		return nil, ErrWrongEvent
	case cs.Status == SeriesCancelled:
		return nil, ErrSeriesCancelled
	}
	var msgs []Message
	switch r.PartStat {
	case PartStatAccepted, PartStatTentative, PartStatDeclined:
		m, err := p.RecordCalendarReply(me.ID, r, now)
		if err != nil && !errors.Is(err, ErrStaleReply) {
			return nil, err
		}
		msgs = append(msgs, m...)
	}
	var o *Occurrence
	if r.Original.IsZero() {
		at := r.Proposed.In(cs.Zone)
		s := cs.Schedule
		s.Weekday, s.At = at.Weekday(), ClockTime(at.Hour()*60+at.Minute())
		var m []Message
		m, err = p.SetSchedule(me.ID, s, now)
		msgs = append(msgs, m...)
	} else if o = cs.upcoming(r.Original, now); o == nil {
		err = ErrNoOccurrence
	} else {
		var m []Message
		m, err = p.MoveCheckin(me.ID, o.Original, r.Proposed, now)
		msgs = append(msgs, m...)
	}
	refusal, refused, rerr := p.refuseChange(me, err, now)
	if !refused {
		return msgs, err
	}
	if rerr != nil {
		return nil, rerr
	}
	// The proposer's calendar is told no, on the mail that says why.
	for i := range refusal {
		if refusal[i].To == me {
			refusal[i].Calendar = p.calendar(CalDeclineCounter, o, now)
		}
	}
	return append(msgs, refusal...), nil
}

// RecordCalendarReply keeps a person's answer to an invitation. Replies
// older than the one recorded (by SEQUENCE, then DTSTAMP) are
// ErrStaleReply. When someone declines a meeting, the partner is told.
func (p *Partnership) RecordCalendarReply(participantID int64, r CalendarReply, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	cs := p.Checkin
	switch {
	case cs == nil || cs.UID == "" || !strings.EqualFold(cs.UID, r.UID):
		return nil, ErrWrongEvent
	case cs.Status == SeriesCancelled:
		return nil, ErrSeriesCancelled
	}
	switch r.PartStat {
	case PartStatAccepted, PartStatTentative, PartStatDeclined:
	default:
		return nil, ErrWrongEvent
	}
	var prev *CalendarResponse
	for _, cr := range cs.Responses {
		if cr.ParticipantID == me.ID && cr.Original.Equal(r.Original) {
			prev = cr
		}
	}
	if prev != nil && (r.Sequence < prev.Sequence || (r.Sequence == prev.Sequence && !r.Stamp.After(prev.Stamp))) {
		return nil, ErrStaleReply
	}
	changed := prev == nil || prev.PartStat != r.PartStat
	if prev == nil {
		prev = &CalendarResponse{ParticipantID: me.ID, Original: r.Original}
		cs.Responses = append(cs.Responses, prev)
	}
	prev.PartStat, prev.Sequence, prev.Stamp, prev.At = r.PartStat, r.Sequence, r.Stamp, now
	partner := p.Partner(me)
	if r.PartStat != PartStatDeclined || !changed || partner.Status == ParticipantLeft {
		return nil, nil
	}
	m := Message{Kind: MsgDeclined, From: me}
	if !r.Original.IsZero() {
		o := cs.upcoming(r.Original, now)
		if o == nil {
			return nil, nil // a meeting that is over or gone: nothing to tell
		}
		m.Occurrence = o
	}
	return []Message{p.compose(partner, m, now)}, nil
}

// RecordCheckinNote keeps what a person wrote to prepare for a meeting or
// after it, and thanks them.
func (p *Partnership) RecordCheckinNote(participantID int64, kind CheckinNoteKind, original time.Time, text string, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, ErrEmptyAnswer
	}
	cs := p.Checkin
	if cs == nil {
		return nil, ErrNoSeries
	}
	var o *Occurrence
	for _, oc := range cs.Occurrences {
		if oc.Original.Equal(original) {
			o = oc
		}
	}
	if o == nil {
		return nil, ErrNoOccurrence
	}
	p.CheckinNotes = append(p.CheckinNotes, &CheckinNote{Occurrence: o, ParticipantID: me.ID, Kind: kind, Text: text, At: now})
	note := NotePrepKept
	if kind == CheckinFollowUp {
		note = NoteFollowUpKept
	}
	return []Message{p.compose(me, Message{Kind: MsgAck, Occurrence: o, Notes: []Note{{Kind: note}}}, now)}, nil
}

// Notes returns what was written about a meeting, of one kind, in order.
func (p *Partnership) Notes(o *Occurrence, kind CheckinNoteKind) []*CheckinNote {
	var out []*CheckinNote
	for _, n := range p.CheckinNotes {
		if n.Occurrence == o && n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// PreviousMeeting returns the last meeting held before o, or nil.
func (p *Partnership) PreviousMeeting(o *Occurrence) *Occurrence {
	var prev *Occurrence
	for _, oc := range p.Checkin.Occurrences {
		if oc != o && oc.State != OccSkipped && oc.Start.Before(o.Start) && (prev == nil || oc.Start.After(prev.Start)) {
			prev = oc
		}
	}
	return prev
}

// checkinWake sends the mail meetings have come due for: prep, agenda
// and follow-up. It also ends a pause whose time is up.
func (p *Partnership) checkinWake(now time.Time) []Message {
	cs := p.Checkin
	if cs == nil || cs.Status == SeriesCancelled || p.Status == StatusEnded {
		return nil
	}
	if cs.Status == SeriesPaused && !now.Before(cs.PausedUntil) {
		cs.Status = SeriesActive
	}
	var msgs []Message
	for _, a := range p.checkinActions(now) {
		if a.due.After(now) {
			continue
		}
		o := cs.record(a.o)
		switch a.kind {
		case MsgPrep:
			o.PrepSentAt[a.slot] = now
			msgs = append(msgs, p.compose(a.to, Message{Kind: MsgPrep, Occurrence: o, Priorities: p.askPriorities(o)}, now))
		case MsgAgenda:
			o.AgendaSentAt = now
			for _, pt := range p.Participants {
				if pt.Status != ParticipantLeft {
					msgs = append(msgs, p.compose(pt, Message{Kind: MsgAgenda, Occurrence: o}, now))
				}
			}
		case MsgFollowUp:
			o.FollowUpSentAt = now
			for _, pt := range p.Participants {
				if pt.Status != ParticipantLeft && (p.organiser(pt) || p.Rules.Checkins.FollowUpBoth) {
					msgs = append(msgs, p.compose(pt, Message{Kind: MsgFollowUp, Occurrence: o}, now))
					if p.Kind == KindPeer && !p.Rules.Checkins.FollowUpBoth {
						break // peers: the first peer keeps the notes
					}
				}
			}
		}
	}
	return msgs
}

// askPriorities reports whether a meeting's prep also asks about the
// priorities for the coming months.
func (p *Partnership) askPriorities(o *Occurrence) bool {
	n := p.Rules.Checkins.PrioritiesEvery
	return n > 0 && (o.Number-1)%n == 0
}

// checkinAction is one mail a meeting will need, and when.
type checkinAction struct {
	kind MessageKind
	o    *Occurrence
	to   *Participant // prep only
	slot int          // prep only: the recipient's place in Participants
	due  time.Time
}

// checkinActions lists the mail still to send for the meetings around now,
// each with its due time; some may be due already.
func (p *Partnership) checkinActions(now time.Time) []checkinAction {
	cs := p.Checkin
	if cs == nil || cs.Status == SeriesCancelled || p.Status == StatusEnded {
		return nil
	}
	r := p.Rules.Checkins
	var out []checkinAction
	from := now.Add(-(maxMeetingLength + r.FollowUpAfter + 24*time.Hour))
	to := now.Add(r.PrepBefore + 3*24*time.Hour + 7*24*time.Hour*time.Duration(max(cs.Schedule.Every, 1)))
	for _, o := range cs.meetings(from, to) {
		start, end := o.Start, o.End(cs)
		// Prep: while there is still time before the agenda.
		if now.Before(start.Add(-r.AgendaBefore)) {
			for i, pt := range p.Participants {
				if pt.Status == ParticipantLeft || !o.PrepSentAt[i].IsZero() {
					continue
				}
				due := p.Rules.Quiet.LastAllowedBefore(start.Add(-r.PrepBefore), pt.Person.Location)
				out = append(out, checkinAction{kind: MsgPrep, o: o, to: pt, slot: i, due: due})
			}
		}
		if o.AgendaSentAt.IsZero() && now.Before(end) {
			// An hour before, unless that is night for one of the two:
			// then as soon as it is morning for both, and at the latest
			// just before the meeting.
			due := p.allowedForAll(start.Add(-r.AgendaBefore), false)
			if latest := start.Add(-agendaLatest); due.After(latest) {
				due = latest
			}
			out = append(out, checkinAction{kind: MsgAgenda, o: o, due: due})
		}
		if o.FollowUpSentAt.IsZero() && now.Before(end.Add(r.FollowUpAfter+24*time.Hour)) {
			due := p.allowedForAll(end.Add(r.FollowUpAfter), !r.FollowUpBoth)
			out = append(out, checkinAction{kind: MsgFollowUp, o: o, due: due})
		}
	}
	return out
}

// agendaLatest is how long before a meeting the agenda goes out at the
// latest, even if that is someone's quiet time.
const agendaLatest = 5 * time.Minute

// allowedForAll is the first moment from t outside the quiet hours of
// everyone taking part, or of the organiser alone.
func (p *Partnership) allowedForAll(t time.Time, organiserOnly bool) time.Time {
	// Two zones' quiet hours can each push the time past the other's
	// start; a few rounds settle it, as quiet hours leave most of a
	// working day free.
	for range 4 {
		moved := false
		for _, pt := range p.Participants {
			if pt.Status == ParticipantLeft || (organiserOnly && !p.organiser(pt)) {
				continue
			}
			if next := p.Rules.Quiet.NextAllowed(t, pt.Person.Location); next.After(t) {
				t, moved = next, true
			}
		}
		if !moved {
			break
		}
	}
	return t
}

// nextCheckinWake is the earliest time checkinWake has something to do:
// a due mail, the end of a pause, or the time to look ahead again.
func (p *Partnership) nextCheckinWake(now time.Time) time.Time {
	cs := p.Checkin
	if cs == nil || cs.Status == SeriesCancelled || p.Status == StatusEnded {
		return time.Time{}
	}
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, a := range p.checkinActions(now) {
		consider(a.due)
	}
	if cs.Status == SeriesPaused {
		consider(cs.PausedUntil)
	}
	// Nothing in view (a long pause, say): look again in a week.
	if next.IsZero() {
		next = now.Add(7 * 24 * time.Hour)
	}
	return next
}

// upcoming returns the meeting in slot original when it is still ahead
// (or under way): a regular slot of the schedule, or a meeting moved from
// it. Skipped and paused slots are not upcoming.
func (cs *Series) upcoming(original, now time.Time) *Occurrence {
	for _, o := range cs.meetings(original.Add(-time.Minute), original.Add(time.Minute)) {
		if o.Original.Equal(original) && now.Before(o.End(cs)) {
			return o
		}
	}
	for _, o := range cs.Occurrences {
		if o.Original.Equal(original) && o.State == OccMoved && now.Before(o.End(cs)) {
			return o
		}
	}
	return nil
}

// Upcoming is the next meeting that has not ended by now, or nil.
func (cs *Series) Upcoming(now time.Time) *Occurrence {
	if cs.Status == SeriesCancelled {
		return nil
	}
	ms := cs.meetings(now.Add(-maxMeetingLength), now.Add(60*24*time.Hour))
	for _, o := range ms {
		if now.Before(o.End(cs)) {
			return o
		}
	}
	return nil
}

// MeetingOn finds the meeting whose slot or moved time falls on the day d,
// in the series' zone, and is still ahead.
func (cs *Series) MeetingOn(d Date, now time.Time) *Occurrence {
	from := d.Start(cs.Zone)
	to := from.AddDate(0, 0, 1)
	for _, o := range cs.meetings(from.Add(-7*24*time.Hour), to.Add(7*24*time.Hour)) {
		if now.Before(o.End(cs)) && ((!o.Original.Before(from) && o.Original.Before(to)) || (!o.Start.Before(from) && o.Start.Before(to))) {
			return o
		}
	}
	return nil
}

// meetings returns the meetings taking place in [from, to), in order:
// regular slots that were not skipped, moved or paused, and moved meetings
// at their new time. Slots nothing has happened to come back as fresh
// occurrences that are not part of the series until recorded.
func (cs *Series) meetings(from, to time.Time) []*Occurrence {
	var out []*Occurrence
	for _, slot := range cs.Schedule.Occurrences(cs.Start, from, to, cs.Zone) {
		o := cs.find(slot)
		switch {
		case o != nil && o.State != OccScheduled:
			continue
		case cs.paused(slot):
			continue
		case o == nil:
			o = &Occurrence{Original: slot, Start: slot, State: OccScheduled, Number: cs.number(slot)}
		}
		out = append(out, o)
	}
	for _, o := range cs.Occurrences {
		if o.State == OccMoved && !o.Start.Before(from) && o.Start.Before(to) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *Occurrence) int { return a.Start.Compare(b.Start) })
	return out
}

// Meetings is the exported form of meetings, for views and the operator.
func (cs *Series) Meetings(from, to time.Time) []*Occurrence { return cs.meetings(from, to) }

func (cs *Series) find(original time.Time) *Occurrence {
	for _, o := range cs.Occurrences {
		if o.Original.Equal(original) {
			return o
		}
	}
	return nil
}

// record makes o part of the series' remembered occurrences.
func (cs *Series) record(o *Occurrence) *Occurrence {
	if found := cs.find(o.Original); found != nil {
		return found
	}
	cs.Occurrences = append(cs.Occurrences, o)
	return o
}

// paused reports whether a slot falls in the series' pause.
func (cs *Series) paused(slot time.Time) bool {
	return !cs.PausedFrom.IsZero() && !slot.Before(cs.PausedFrom) && slot.Before(cs.PausedUntil)
}

// Excluded lists the slots that will not take place: skipped ones and
// those in the pause, from the start of the series to until. Moved ones
// are not excluded; they have overrides.
func (cs *Series) Excluded(until time.Time) []time.Time {
	var out []time.Time
	for _, o := range cs.Occurrences {
		if o.State == OccSkipped && !o.Original.Before(cs.Start) {
			out = append(out, o.Original)
		}
	}
	if !cs.PausedFrom.IsZero() {
		end := cs.PausedUntil
		if until.Before(end) {
			end = until
		}
		for _, slot := range cs.Schedule.Occurrences(cs.Start, cs.PausedFrom, end, cs.Zone) {
			if cs.find(slot) == nil || cs.find(slot).State == OccScheduled {
				out = append(out, slot)
			}
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// Moved lists the meetings of the current schedule moved away from
// their slot. Meetings moved under an earlier schedule are history.
func (cs *Series) Moved() []*Occurrence {
	var out []*Occurrence
	for _, o := range cs.Occurrences {
		if o.State == OccMoved && !o.Original.Before(cs.Start) {
			out = append(out, o)
		}
	}
	return out
}

// number counts the slots from the start of the series to slot.
func (cs *Series) number(slot time.Time) int {
	return len(cs.Schedule.Occurrences(cs.Start, cs.Start, slot.Add(time.Second), cs.Zone))
}
