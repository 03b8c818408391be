package conversation

import (
	"errors"
	"time"
)

// SeriesStatus is where a check-in series is in its life.
type SeriesStatus string

// The series states. A paused series skips its meetings until PausedUntil;
// a cancelled one is over and stays only as history.
const (
	SeriesActive    SeriesStatus = "active"
	SeriesPaused    SeriesStatus = "paused"
	SeriesCancelled SeriesStatus = "cancelled"
)

// OccurrenceState is what became of one meeting of a series.
type OccurrenceState string

// The occurrence states: on its regular slot, moved to another time, or
// skipped.
const (
	OccScheduled OccurrenceState = "scheduled"
	OccMoved     OccurrenceState = "moved"
	OccSkipped   OccurrenceState = "skipped"
)

// Errors of check-in operations.
var (
	ErrNoSeries        = errors.New("there are no check-ins to change")
	ErrSeriesCancelled = errors.New("the check-ins were cancelled")
	ErrNoOccurrence    = errors.New("there is no check-in at that time")
	ErrNotOrganiser    = errors.New("only the lead sets the check-in time")
	ErrStaleReply      = errors.New("an older calendar reply than one already recorded")
	ErrWrongEvent      = errors.New("the calendar reply is for an event we did not send")
	// ErrCheckinRules marks check-in timing settings that do not fit.
	ErrCheckinRules = errors.New("check-in timing")
)

// CheckinRules are the timing settings of check-ins.
type CheckinRules struct {
	// PrepBefore is how long before a meeting each person is asked to
	// prepare. Moved earlier when it falls in their quiet hours.
	PrepBefore time.Duration
	// AgendaBefore is how long before a meeting both get the agenda.
	AgendaBefore time.Duration
	// FollowUpAfter is how long after a meeting ends the lead is asked for
	// decisions and action items.
	FollowUpAfter time.Duration
	// FollowUpBoth asks both people, not only the lead.
	FollowUpBoth bool
	// PrioritiesEvery is how often, in meetings, the prep also asks about
	// priorities for the coming months: the first meeting and every
	// PrioritiesEvery-th after it.
	PrioritiesEvery int
	// FirstAfter is the shortest time from setting a schedule to the first
	// meeting, so there is time to prepare.
	FirstAfter time.Duration
}

// DefaultCheckinRules: prep a day before, agenda an hour before, follow-up
// half an hour after, priorities every sixth meeting.
var DefaultCheckinRules = CheckinRules{
	PrepBefore:      24 * time.Hour,
	AgendaBefore:    time.Hour,
	FollowUpAfter:   30 * time.Minute,
	PrioritiesEvery: 6,
	FirstAfter:      24 * time.Hour,
}

// Series is the recurring check-in of a partnership: one calendar event
// with a stable UID, in the lead's time zone.
type Series struct {
	ID int64
	// UID is the calendar event's UID, given by the adapter that stores
	// the series and never changed.
	UID      string
	Schedule Schedule
	Zone     *time.Location
	// Start is the first meeting of the current schedule (DTSTART).
	Start time.Time
	// Sequence counts the calendar changes sent; every change raises it.
	Sequence int
	Status   SeriesStatus
	// PausedFrom and PausedUntil bound a pause: meetings starting in
	// between do not happen. Both stay set after the pause, so later
	// invitations keep those meetings out of calendars.
	PausedFrom  time.Time
	PausedUntil time.Time
	// Stamp is the DTSTAMP of the latest calendar message, which must grow
	// with every message.
	Stamp time.Time
	// Occurrences are the meetings something has happened to: moved,
	// skipped, prepared or held. Others exist only in the schedule.
	Occurrences []*Occurrence
	// Responses are the calendar replies recorded, the latest per person
	// and meeting (or series).
	Responses []*CalendarResponse
	CreatedAt time.Time
}

// Occurrence is one meeting of a series.
type Occurrence struct {
	ID int64
	// Original is the meeting's slot in the schedule: its RECURRENCE-ID.
	Original time.Time
	// Start is when it takes place; Original unless moved.
	Start time.Time
	State OccurrenceState
	// Number counts the meetings of the series from 1, in schedule order.
	Number int
	// PrepSentAt (per person, in the order of Partnership.Participants),
	// AgendaSentAt and FollowUpSentAt record the mail sent about the
	// meeting, so each goes out once.
	PrepSentAt     [2]time.Time
	AgendaSentAt   time.Time
	FollowUpSentAt time.Time
}

// End is when the meeting is over.
func (o *Occurrence) End(s *Series) time.Time { return o.Start.Add(s.Schedule.Length) }

// CalendarResponse is a person's answer to an invitation: to the series
// when Original is zero, else to one meeting.
type CalendarResponse struct {
	ID            int64
	ParticipantID int64
	Original      time.Time
	PartStat      string
	Sequence      int
	Stamp         time.Time
	At            time.Time
}

// CheckinNoteKind says what a person wrote about a meeting.
type CheckinNoteKind string

// The check-in notes: preparation before, decisions and action items after.
const (
	CheckinPrep     CheckinNoteKind = "prep"
	CheckinFollowUp CheckinNoteKind = "follow-up"
)

// CheckinNote is what one person wrote about one meeting.
type CheckinNote struct {
	ID            int64
	Occurrence    *Occurrence
	ParticipantID int64
	Kind          CheckinNoteKind
	Text          string
	At            time.Time
}

// CalendarKind is the calendar message a change needs.
type CalendarKind string

// The calendar messages: the whole series (new, moved, paused, resumed),
// one meeting moved, one meeting dropped, the series cancelled, and a
// proposed new time refused (of one meeting, or of the series when
// Occurrence is nil).
const (
	CalSeries         CalendarKind = "series"
	CalMoveOne        CalendarKind = "move-one"
	CalCancelOne      CalendarKind = "cancel-one"
	CalCancelSeries   CalendarKind = "cancel-series"
	CalDeclineCounter CalendarKind = "decline-counter"
)

// CalendarChange is the calendar part of a message.
type CalendarChange struct {
	Kind       CalendarKind
	Series     *Series
	Occurrence *Occurrence
	// Stamp is this message's DTSTAMP and Sequence its SEQUENCE.
	Stamp    time.Time
	Sequence int
}
