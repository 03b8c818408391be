package conversation

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The weekly overview is one short mail on Monday morning to a person who
// takes part in several partnerships: for each, whose turn it is, who is
// taking a break and the week's check-ins. It says where things stand,
// never what anyone wrote.

// OverviewGrace is how late a week's overview may still go out. Past it
// (the service was down all Monday morning, say) that week has none, and
// the next comes the Monday after.
const OverviewGrace = 8 * time.Hour

// overviewClock is the local time on Monday an overview is meant for.
const overviewClock ClockTime = 8 * 60

// ISOWeek is a week as ISO 8601 numbers it: weeks start on Monday, and
// week 1 is the one with the year's first Thursday.
type ISOWeek struct {
	Year, Number int
}

// WeekOf returns the ISO week t falls in, on the calendar of loc.
func WeekOf(t time.Time, loc *time.Location) ISOWeek {
	y, w := t.In(loc).ISOWeek()
	return ISOWeek{y, w}
}

// String writes the week the ISO 8601 way: 2027-W02.
func (w ISOWeek) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Number) }

// MarshalText writes the week as String does, so a job payload names it
// the way people read it.
func (w ISOWeek) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads a week written as 2027-W02, refusing weeks the year
// does not have (most years have no week 53).
func (w *ISOWeek) UnmarshalText(b []byte) error {
	s := string(b)
	bad := fmt.Errorf("conversation: %q is not an ISO week such as 2027-W02", s)
	if len(s) != 8 || s[4:6] != "-W" || strings.Trim(s[:4]+s[6:], "0123456789") != "" {
		return bad
	}
	year, _ := strconv.Atoi(s[:4])
	number, _ := strconv.Atoi(s[6:])
	week := ISOWeek{year, number}
	if number < 1 || WeekOf(week.Monday(time.UTC), time.UTC) != week {
		return bad
	}
	*w = week
	return nil
}

// Monday returns the start of the week, 00:00 on its Monday in loc.
func (w ISOWeek) Monday(loc *time.Location) time.Time {
	// 4 January always lies in week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, loc)
	back := (int(jan4.Weekday()) + 6) % 7
	return time.Date(w.Year, time.January, 4-back+7*(w.Number-1), 0, 0, 0, 0, loc)
}

// Next returns the week after w.
func (w ISOWeek) Next() ISOWeek {
	return WeekOf(w.Monday(time.UTC).AddDate(0, 0, 7), time.UTC)
}

// OverviewDue is when a person in loc gets the overview of week w:
// Monday 08:00 their time, or the first moment after it outside quiet
// hours.
func (q QuietHours) OverviewDue(w ISOWeek, loc *time.Location) time.Time {
	return q.NextAllowed(overviewClock.on(w.Monday(loc), loc), loc)
}

// NextOverview returns the week whose overview a person in loc gets next,
// and when: the week of now, unless its time is more than OverviewGrace
// past; then the week after.
func (q QuietHours) NextOverview(now time.Time, loc *time.Location) (ISOWeek, time.Time) {
	w := WeekOf(now, loc)
	at := q.OverviewDue(w, loc)
	if now.After(at.Add(OverviewGrace)) {
		w = w.Next()
		at = q.OverviewDue(w, loc)
	}
	return w, at
}

// OverviewTiming says whether the overview of a week may go out now.
type OverviewTiming int

// The answers of [QuietHours.OverviewTiming].
const (
	// OverviewOnTime: send it now.
	OverviewOnTime OverviewTiming = iota
	// OverviewEarly: its time has not come (the person moved to a zone
	// further west after it was queued); wait until it does.
	OverviewEarly
	// OverviewLate: its grace is over, or it is the person's quiet time;
	// that week goes without.
	OverviewLate
)

// OverviewTiming says whether the overview of week w may go out at now to
// a person in loc, and when it is due.
func (q QuietHours) OverviewTiming(w ISOWeek, now time.Time, loc *time.Location) (OverviewTiming, time.Time) {
	due := q.OverviewDue(w, loc)
	switch {
	case now.Before(due):
		return OverviewEarly, due
	case now.After(due.Add(OverviewGrace)) || q.Contains(now, loc):
		return OverviewLate, due
	}
	return OverviewOnTime, due
}

// Overview is where one person's partnerships stand in one week. It
// holds progress only: counts, dates and times, never answers, agreements
// or notes.
type Overview struct {
	Person Person
	Week   ISOWeek
	// From and To bound the week in the person's zone: Monday 00:00 to
	// the next Monday 00:00.
	From, To time.Time
	// Lines has one entry per partnership, those waiting on the person
	// first, then in the order they began.
	Lines []OverviewLine
}

// Count is how many partnerships the overview covers.
func (o Overview) Count() int { return len(o.Lines) }

// WaitingOnYou counts the partnerships waiting on the person.
func (o Overview) WaitingOnYou() int {
	n := 0
	for _, l := range o.Lines {
		if l.Stage == StageWaitingOnYou || l.Stage == StageDraftWaitingOnYou {
			n++
		}
	}
	return n
}

// OverviewStage says whose turn it is in a partnership.
type OverviewStage string

// The stages, for the questionnaire or the review under way.
const (
	// StageAnswering: both still have questions to go.
	StageAnswering OverviewStage = "answering"
	// StageWaitingOnYou: the partner is through and the person is not.
	StageWaitingOnYou OverviewStage = "waiting-on-you"
	// StageWaitingOnPartner: the person is through and the partner is
	// not.
	StageWaitingOnPartner OverviewStage = "waiting-on-partner"
	// StageBothDone: both are through; the agreement, or its next
	// version, is on its way.
	StageBothDone OverviewStage = "both-done"
	// StageDraftWaitingOnYou and StageDraftWaitingOnPartner: the two are
	// drafting version 1, and the round (DraftRound) waits for the
	// person's word, or only for the partner's.
	StageDraftWaitingOnYou     OverviewStage = "draft-waiting-on-you"
	StageDraftWaitingOnPartner OverviewStage = "draft-waiting-on-partner"
	// StageAgreed: an agreement is in place and no review is open.
	StageAgreed OverviewStage = "agreed"
)

// CheckinsState is where a partnership's check-ins stand.
type CheckinsState string

// The check-in states of an overview line.
const (
	CheckinsNone      CheckinsState = "none"
	CheckinsOn        CheckinsState = "on"
	CheckinsPaused    CheckinsState = "paused"
	CheckinsCancelled CheckinsState = "cancelled"
)

// MeetingStatus is what becomes of one meeting in the week.
type MeetingStatus string

// The meeting states: on its slot, moved, skipped, or called off because
// the check-ins are paused.
const (
	MeetingOn        MeetingStatus = "on"
	MeetingMoved     MeetingStatus = "moved"
	MeetingSkipped   MeetingStatus = "skipped"
	MeetingCancelled MeetingStatus = "cancelled"
)

// OverviewLine is one partnership as the person sees it.
type OverviewLine struct {
	PartnershipID int64
	// Role is the person's own role; Partner the other person.
	Role    Role
	Partner Person
	Stage   OverviewStage
	// Review is the number of the open review the stage is about; 0 for
	// the first questionnaire.
	Review int
	// Mine and Theirs count the questions of the questionnaire or review
	// under way.
	Mine, Theirs OverviewProgress
	// DraftRound is the drafting round under way, for the drafting
	// stages.
	DraftRound int
	// Version is the agreement in place (0 before the first), AgreedAt
	// when it was made and NextReview the day it is looked at again.
	Version    int
	AgreedAt   time.Time
	NextReview Date
	// Paused and PartnerPaused say who is taking a break; the Until times
	// say when it ends (zero: until they resume).
	Paused             bool
	PausedUntil        time.Time
	PartnerPaused      bool
	PartnerPausedUntil time.Time
	// Checkins is where the check-ins stand, CheckinsUntil when a pause
	// of them ends, and Meetings the week's meetings in order, skipped
	// and called-off ones included.
	Checkins      CheckinsState
	CheckinsUntil time.Time
	Meetings      []OverviewMeeting
}

// OverviewProgress counts one person's answers.
type OverviewProgress struct {
	Answered, Total int
}

// OverviewMeeting is one meeting of the week.
type OverviewMeeting struct {
	// Start is when it takes place, or would have.
	Start time.Time
	// Was is the slot a moved meeting left; zero otherwise.
	Was    time.Time
	Status MeetingStatus
}

// BuildOverview sums up the week of now for person, from the partnerships
// they take part in (others are ignored). Partnerships that ended, or that
// the person left, do not count. ok is false when fewer than two remain,
// or the person is paused in all of them: then nobody needs an overview.
func BuildOverview(person Person, ps []*Partnership, now time.Time) (o Overview, ok bool) {
	loc := person.Location
	o = Overview{Person: person, Week: WeekOf(now, loc)}
	o.From = o.Week.Monday(loc)
	o.To = o.From.AddDate(0, 0, 7)
	active := false
	for _, p := range ps {
		me := p.member(person.ID)
		if me == nil || me.Status == ParticipantLeft || p.Status == StatusEnded || !p.EndedAt.IsZero() {
			continue
		}
		o.Lines = append(o.Lines, p.overviewLine(me, o.From, o.To))
		active = active || me.Status != ParticipantPaused
	}
	slices.SortStableFunc(o.Lines, func(a, b OverviewLine) int {
		if wa, wb := a.Stage == StageWaitingOnYou || a.Stage == StageDraftWaitingOnYou, b.Stage == StageWaitingOnYou || b.Stage == StageDraftWaitingOnYou; wa != wb {
			if wa {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.PartnershipID, b.PartnershipID)
	})
	return o, len(o.Lines) >= 2 && active
}

// member returns the participant who is the given person, or nil.
func (p *Partnership) member(personID int64) *Participant {
	for _, pt := range p.Participants {
		if pt != nil && pt.Person.ID == personID {
			return pt
		}
	}
	return nil
}

// overviewLine sums up the partnership for me, with the meetings in
// [from, to).
func (p *Partnership) overviewLine(me *Participant, from, to time.Time) OverviewLine {
	partner := p.Partner(me)
	l := OverviewLine{
		PartnershipID: p.ID,
		Role:          me.Role,
		Partner:       partner.Person,
		Paused:        me.Status == ParticipantPaused,
		PartnerPaused: partner.Status == ParticipantPaused,
	}
	if l.Paused {
		l.PausedUntil = me.PausedUntil
	}
	if l.PartnerPaused {
		l.PartnerPausedUntil = partner.PausedUntil
	}
	if ag := p.LatestAgreement(); ag != nil {
		l.Version, l.AgreedAt, l.NextReview = ag.Version, ag.Created, ag.ReviewOn
	}
	start, end := 0, p.Set.Len()
	r := p.openReview()
	if r != nil {
		start, end, l.Review = r.Start, r.End(), r.Number
	}
	l.Mine, l.Theirs = answeredBetween(me, start, end), answeredBetween(partner, start, end)
	meDone, partnerDone := p.done(me), p.done(partner) || partner.Status == ParticipantLeft
	switch d := p.Draft; {
	case p.DraftOpen() && !d.Signing && r == nil:
		l.DraftRound, l.Stage = d.Round, StageDraftWaitingOnPartner
		if i := d.person(me.ID); i >= 0 && d.Responses[i].At.IsZero() && d.owes(i) {
			l.Stage = StageDraftWaitingOnYou
		}
	case r == nil && l.Version > 0:
		l.Stage = StageAgreed
	case meDone && partnerDone:
		l.Stage = StageBothDone
	case meDone:
		l.Stage = StageWaitingOnPartner
	case partnerDone:
		l.Stage = StageWaitingOnYou
	default:
		l.Stage = StageAnswering
	}
	l.Checkins, l.CheckinsUntil, l.Meetings = p.weekCheckins(from, to)
	return l
}

// answeredBetween counts the questions at positions [start, end) a person
// has answered.
func answeredBetween(pt *Participant, start, end int) OverviewProgress {
	pr := OverviewProgress{Total: end - start}
	for _, q := range pt.Prompts {
		if q.Position >= start && q.Position < end && q.State == PromptAnswered {
			pr.Answered++
		}
	}
	return pr
}

// weekCheckins lists the meetings of the series in [from, to): those that
// take place, at their time, and those skipped or called off by a pause,
// at their slot.
func (p *Partnership) weekCheckins(from, to time.Time) (CheckinsState, time.Time, []OverviewMeeting) {
	cs := p.Checkin
	switch {
	case cs == nil:
		return CheckinsNone, time.Time{}, nil
	case cs.Status == SeriesCancelled:
		return CheckinsCancelled, time.Time{}, nil
	}
	state, until := CheckinsOn, time.Time{}
	if cs.Status == SeriesPaused && from.Before(cs.PausedUntil) {
		state, until = CheckinsPaused, cs.PausedUntil
	}
	var out []OverviewMeeting
	for _, o := range cs.Meetings(from, to) {
		m := OverviewMeeting{Start: o.Start, Status: MeetingOn}
		if o.State == OccMoved {
			m.Status, m.Was = MeetingMoved, o.Original
		}
		out = append(out, m)
	}
	for _, slot := range cs.Schedule.Occurrences(cs.Start, from, to, cs.Zone) {
		o := cs.find(slot)
		switch {
		case o != nil && o.State == OccSkipped:
			out = append(out, OverviewMeeting{Start: slot, Status: MeetingSkipped})
		case o != nil && o.State == OccMoved && (o.Start.Before(from) || !o.Start.Before(to)):
			// Moved out of the week: shown at its slot, saying where to.
			out = append(out, OverviewMeeting{Start: o.Start, Was: slot, Status: MeetingMoved})
		case cs.paused(slot) && (o == nil || o.State == OccScheduled):
			out = append(out, OverviewMeeting{Start: slot, Status: MeetingCancelled})
		}
	}
	// In the order of the week: a meeting moved out of it at its slot.
	at := func(m OverviewMeeting) time.Time {
		if m.Start.Before(from) || !m.Start.Before(to) {
			return m.Was
		}
		return m.Start
	}
	slices.SortStableFunc(out, func(a, b OverviewMeeting) int { return at(a).Compare(at(b)) })
	return state, until, out
}
