package conversation

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ProblemCode names why a reply, a schedule or a setting cannot be used as
// written.
type ProblemCode string

// Problem is why something a person or an operator wrote cannot be used as
// written: what went wrong, as a code, and the values a sentence about it
// needs. The domain never words it: the sentences are in templates/, one
// per code, in the reader's language, and each field below is read only
// by the codes whose doc says so.
type Problem struct {
	Code ProblemCode
	// Input is what was written and could not be read, as written, cut
	// after a few dozen characters (the cut marked with an ellipsis).
	Input string
	// Date is the day the problem is about; Suggest a day to offer
	// instead.
	Date, Suggest Date
	// At is a time of day; From and To the two ends of a range, or the
	// times a clock change jumps between.
	At, From, To ClockTime
	// Suggested is set when Later, a time of day, may be what was meant.
	Suggested bool
	Later     ClockTime
	// Zone is the time zone of a clock change.
	Zone string
	// Weekday is a day of the week; Want the one a date falls on.
	Weekday, Want time.Weekday
	// Length is a meeting's length.
	Length time.Duration
	// Days, Times and Lengths are the alternatives written where one was
	// wanted.
	Days    []time.Weekday
	Times   []ClockTime
	Lengths []time.Duration
	// Name is a person's first name.
	Name string
	// Number is a count or a position, Limit the most allowed.
	Number, Limit int
}

// The problems of replies to questions and of commands.
const (
	// ProblemPauseRange: a pause for fewer than 1 or more than 365 days.
	ProblemPauseRange ProblemCode = "pause-range"
	// ProblemPauseUnclear: "pause" followed by words that are neither a
	// length nor "until" a date.
	ProblemPauseUnclear ProblemCode = "pause-unclear"
	// ProblemPauseDate: the words after "pause until" (Input) are not a
	// date.
	ProblemPauseDate ProblemCode = "pause-date"
	// ProblemPausePast: a pause until Date, which is not in the future.
	ProblemPausePast ProblemCode = "pause-past"
	// ProblemPauseFar: a pause until a date more than a year away.
	ProblemPauseFar ProblemCode = "pause-far"
	// ProblemNoQuestion: a reply that answers no question we could match.
	ProblemNoQuestion ProblemCode = "no-question"
	// ProblemNothingToSkip: skip of a question already behind the person.
	ProblemNothingToSkip ProblemCode = "nothing-to-skip"
	// ProblemLanguageUnknown: Input names no language Accord writes (or
	// nothing followed "language").
	ProblemLanguageUnknown ProblemCode = "language-unknown"
	// ProblemNotRating: the rating question answered without a number
	// from 1 to 5.
	ProblemNotRating ProblemCode = "not-rating"
	// ProblemBareNumber: a question that asks for words answered with a
	// number alone.
	ProblemBareNumber ProblemCode = "bare-number"
)

// The problems of check-in commands.
const (
	// ProblemSkipWhich: "skip check-ins", one or all?
	ProblemSkipWhich ProblemCode = "checkin-skip-which"
	// ProblemSkipUnclear: skip, but not which check-in.
	ProblemSkipUnclear ProblemCode = "checkin-skip-unclear"
	// ProblemCancelWhich: "cancel check-in", one or all?
	ProblemCancelWhich ProblemCode = "checkin-cancel-which"
	// ProblemCancelUnclear: cancel, and words not understood.
	ProblemCancelUnclear ProblemCode = "checkin-cancel-unclear"
	// ProblemStopWhich: "stop check-in", one or all?
	ProblemStopWhich ProblemCode = "checkin-stop-which"
	// ProblemCheckinPauseWhen: "pause check-ins" without an end.
	ProblemCheckinPauseWhen ProblemCode = "checkin-pause-when"
	// ProblemCheckinPauseUnclear: pause, and words not understood.
	ProblemCheckinPauseUnclear ProblemCode = "checkin-pause-unclear"
	// ProblemCheckinPauseDate: the words after "until" (Input) are not a
	// date.
	ProblemCheckinPauseDate ProblemCode = "checkin-pause-date"
	// ProblemCheckinPausePast: check-ins paused until Date, which has
	// come.
	ProblemCheckinPausePast ProblemCode = "checkin-pause-past"
	// ProblemCheckinPauseFar: check-ins paused until Date, more than a
	// year away.
	ProblemCheckinPauseFar ProblemCode = "checkin-pause-far"
	// ProblemMoveWhen: "move" without a time to move to.
	ProblemMoveWhen ProblemCode = "checkin-move-when"
	// ProblemMoveNothing: "move to" with no day or time after it.
	ProblemMoveNothing ProblemCode = "checkin-move-nothing"
	// ProblemMoveWhich: move, but not which check-in.
	ProblemMoveWhich ProblemCode = "checkin-move-which"
	// ProblemMoveAllToDate: all check-ins moved to a date, not a weekday.
	ProblemMoveAllToDate ProblemCode = "checkin-move-all-date"
	// ProblemMoveOneEvery: one check-in moved with a new frequency.
	ProblemMoveOneEvery ProblemCode = "checkin-move-one-every"
	// ProblemMoveOneLength: one check-in moved with a new length.
	ProblemMoveOneLength ProblemCode = "checkin-move-one-length"
	// ProblemMoveOneDay: two days named to move one check-in to.
	ProblemMoveOneDay ProblemCode = "checkin-move-one-day"
	// ProblemWrongWeekday: Date falls on Want, but Weekday was written.
	ProblemWrongWeekday ProblemCode = "wrong-weekday"
	// ProblemTimePassed: At, today, has passed.
	ProblemTimePassed ProblemCode = "time-passed"
	// ProblemDayPassed: Date has passed; Suggest is a day ahead.
	ProblemDayPassed ProblemCode = "day-passed"
	// ProblemDayFar: Date is more than a year away.
	ProblemDayFar ProblemCode = "day-far"
	// ProblemSlashedDate: Input is a date written with slashes, which
	// reads differently on each side of the Atlantic.
	ProblemSlashedDate ProblemCode = "slashed-date"
	// ProblemNotDate: Input is not a date.
	ProblemNotDate ProblemCode = "not-date"
	// ProblemCheckinCommands: a reply to check-in mail that is no
	// command and no schedule.
	ProblemCheckinCommands ProblemCode = "checkin-commands"
	// ProblemWhichMeeting: notes that cannot be matched to a meeting.
	ProblemWhichMeeting ProblemCode = "which-meeting"
	// ProblemNoCheckins: a change of check-ins before there are any.
	ProblemNoCheckins ProblemCode = "no-checkins"
	// ProblemNoMeetingToSkip and ProblemNoMeetingToMove: no check-in on
	// the day named; ProblemNoMeeting the same for other changes.
	ProblemNoMeetingToSkip ProblemCode = "no-meeting-to-skip"
	ProblemNoMeetingToMove ProblemCode = "no-meeting-to-move"
	ProblemNoMeeting       ProblemCode = "no-meeting"
	// ProblemMeetingPast: a change to a time that has passed.
	ProblemMeetingPast ProblemCode = "meeting-past"
	// ProblemNotPaused: resume of check-ins that are not paused.
	ProblemNotPaused ProblemCode = "checkins-not-paused"
	// ProblemNotOrganiser: Name, the partner, sets the check-in time.
	ProblemNotOrganiser ProblemCode = "not-organiser"
)

// The problems of schedules, written by a person or set by an operator.
const (
	// ProblemScheduleWeekday: the day is not a day of the week.
	ProblemScheduleWeekday ProblemCode = "schedule-weekday"
	// ProblemScheduleClock: the time is not between 00:00 and 23:59.
	ProblemScheduleClock ProblemCode = "schedule-clock"
	// ProblemScheduleMinutes: Length is not whole minutes.
	ProblemScheduleMinutes ProblemCode = "schedule-minutes"
	// ProblemScheduleEvery: a frequency other than weekly or fortnightly.
	ProblemScheduleEvery ProblemCode = "schedule-every"
	// ProblemLengthAbsurd: a length far beyond any meeting.
	ProblemLengthAbsurd ProblemCode = "length-absurd"
	// ProblemLengthShort and ProblemLengthLong: Length is outside 15
	// minutes to 3 hours.
	ProblemLengthShort ProblemCode = "length-short"
	ProblemLengthLong  ProblemCode = "length-long"
	// ProblemNotTime: Input is not a time of day.
	ProblemNotTime ProblemCode = "not-time"
	// ProblemClockGap and ProblemClockGapEnd: on Date clocks in Zone jump
	// from From to To, so At, the start or the end, does not exist.
	ProblemClockGap    ProblemCode = "clock-gap"
	ProblemClockGapEnd ProblemCode = "clock-gap-end"
	// ProblemClockTwice and ProblemClockTwiceEnd: on Date clocks in Zone
	// go back from From to To, so At, the start or the end, happens twice.
	ProblemClockTwice    ProblemCode = "clock-twice"
	ProblemClockTwiceEnd ProblemCode = "clock-twice-end"
	// ProblemOtherFrequency: Input names a frequency other than weekly or
	// every other week.
	ProblemOtherFrequency ProblemCode = "other-frequency"
	// ProblemWhichFrequency: both weekly and every other week.
	ProblemWhichFrequency ProblemCode = "which-frequency"
	// ProblemBackwards: the range From to To ends before it starts.
	ProblemBackwards ProblemCode = "backwards"
	// ProblemSeveralDays, ProblemSeveralTimes and ProblemSeveralLengths:
	// Days, Times or Lengths where one was wanted.
	ProblemSeveralDays    ProblemCode = "several-days"
	ProblemSeveralTimes   ProblemCode = "several-times"
	ProblemSeveralLengths ProblemCode = "several-lengths"
	// ProblemOffHours: At is outside working hours; Later, when
	// Suggested, may be what was meant.
	ProblemOffHours ProblemCode = "off-hours"
	// ProblemNoDayOrTime: a change that names neither a day nor a time.
	ProblemNoDayOrTime ProblemCode = "no-day-or-time"
	// ProblemWhichDayAndTime, ProblemWhichDay and ProblemWhichTime: a
	// schedule without a day, a time (on Weekday) or both.
	ProblemWhichDayAndTime ProblemCode = "which-day-and-time"
	ProblemWhichDay        ProblemCode = "which-day"
	ProblemWhichTime       ProblemCode = "which-time"
)

// The problems of a question set an operator wrote, each about one field.
const (
	// ProblemSetNameMissing: the set has no name.
	ProblemSetNameMissing ProblemCode = "set-name-missing"
	// ProblemNotSlug: Input, a name or an id, is not lowercase letters,
	// digits and single dashes.
	ProblemNotSlug ProblemCode = "not-slug"
	// ProblemSetVersion: Number is no version (1 or more).
	ProblemSetVersion ProblemCode = "set-version"
	// ProblemSetEmpty: the set has no questions.
	ProblemSetEmpty ProblemCode = "set-empty"
	// ProblemThemeMissing: a question has no theme.
	ProblemThemeMissing ProblemCode = "theme-missing"
	// ProblemSectionUnknown: Input is no section.
	ProblemSectionUnknown ProblemCode = "section-unknown"
	// ProblemReviewTooMany: Number review questions, Limit at most.
	ProblemReviewTooMany ProblemCode = "review-too-many"
	// ProblemIDRating: a review question takes the rating's id, Input.
	ProblemIDRating ProblemCode = "id-rating"
	// ProblemIDCommit: a review question's id starts with Input, the
	// prefix of the questions about commitments.
	ProblemIDCommit ProblemCode = "id-commit"
	// ProblemReviewSection: a review question names a section.
	ProblemReviewSection ProblemCode = "review-section"
	// ProblemIDMissing: a question has no id.
	ProblemIDMissing ProblemCode = "id-missing"
	// ProblemIDTaken: Input is the id of question Number already.
	ProblemIDTaken ProblemCode = "id-taken"
	// ProblemTitleMissing, ProblemTitleLong (Number characters, Limit at
	// most) and ProblemTitleLines: a question's title.
	ProblemTitleMissing ProblemCode = "title-missing"
	ProblemTitleLong    ProblemCode = "title-long"
	ProblemTitleLines   ProblemCode = "title-lines"
	// ProblemWordingMissing: no wording for the role Input, and no text.
	ProblemWordingMissing ProblemCode = "wording-missing"
	// ProblemPlaceholder: Input is a placeholder other than {partner}.
	ProblemPlaceholder ProblemCode = "placeholder"
)

// String shows the code and the values set, for logs and tests: it is
// not a sentence for anyone to read in mail.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(string(p.Code))
	add := func(k string, v any) { fmt.Fprintf(&b, " %s=%v", k, v) }
	if p.Input != "" {
		add("input", fmt.Sprintf("%q", p.Input))
	}
	if !p.Date.IsZero() {
		add("date", p.Date)
	}
	if !p.Suggest.IsZero() {
		add("suggest", p.Suggest)
	}
	if p.At != 0 {
		add("at", p.At)
	}
	if p.From != 0 || p.To != 0 {
		add("from", p.From)
		add("to", p.To)
	}
	if p.Suggested {
		add("later", p.Later)
	}
	if p.Zone != "" {
		add("zone", p.Zone)
	}
	if p.Code == ProblemWrongWeekday || p.Code == ProblemWhichTime {
		add("weekday", p.Weekday)
	}
	if p.Code == ProblemWrongWeekday {
		add("want", p.Want)
	}
	if p.Length != 0 {
		add("length", p.Length)
	}
	for _, d := range p.Days {
		add("day", d)
	}
	for _, t := range p.Times {
		add("time", t)
	}
	for _, l := range p.Lengths {
		add("length", l)
	}
	if p.Name != "" {
		add("name", p.Name)
	}
	if p.Number != 0 || p.Limit != 0 {
		add("number", p.Number)
		add("limit", p.Limit)
	}
	return b.String()
}

// problem is a *CommandError for code, with the values fill sets.
func problem(code ProblemCode, fill ...func(*Problem)) *CommandError {
	e := &CommandError{Problem: Problem{Code: code}}
	for _, f := range fill {
		f(&e.Problem)
	}
	e.Problem.Input = clipped(e.Problem.Input)
	return e
}

// clipped cuts what a person wrote after a few dozen characters, marking
// the cut, so that a problem never carries a long reply back whole.
func clipped(s string) string {
	const limit = 40
	n := 0
	for i := range s {
		if n == limit {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// commandOf is the *CommandError for a schedule phrase in a command that
// could not be read: the schedule's problem.
func commandOf(err error) *CommandError {
	if se, ok := errors.AsType[*ScheduleError](err); ok {
		return &CommandError{Problem: se.Problem}
	}
	return problem(ProblemMoveNothing)
}
