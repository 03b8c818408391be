package conversation

import (
	"errors"
	"testing"
	"time"
)

// checkinNow is Wednesday 3 February 2027, 09:00 in Berlin.
func checkinNow(t *testing.T) (time.Time, *time.Location) {
	t.Helper()
	loc := mustLoc(t, "Europe/Berlin")
	return time.Date(2027, 2, 3, 9, 0, 0, 0, loc), loc
}

func TestParseCheckinCommand(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	day := func(m time.Month, d int) Date { return Date{2027, m, d} }
	clock := func(h, m int) ClockTime { return ClockTime(h*60 + m) }
	series := func(s Schedule, given ScheduleFields, assumed, recurring bool) ScheduleReading {
		return ScheduleReading{Schedule: s, Given: given, HourAssumed: assumed, recurring: recurring}
	}
	const dayTime = GivenWeekday | GivenTime
	tests := []struct {
		in      string
		context bool
		want    CheckinCommand
	}{
		// Skip: a week means Monday to Sunday, starting Monday 1 February.
		{"skip this week", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 1), Week: true}},
		{"Skip this week.", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 1), Week: true}},
		{"SKIP NEXT WEEK!", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 8), Week: true}},
		{"skip this week's check-in", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 1), Week: true}},
		{"skip 2027-02-09", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip Feb 9", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip February 9th", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip 9 February", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip the 9th of February 2027", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip the check-in on 9.2.2027", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip 9. Februar", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip 9 février", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip 9 de febrero", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip today", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 3)}},
		{"skip tomorrow", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 4)}},
		{"skip Tuesday", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},
		{"skip Wednesday", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 3)}},
		// A year-less date a few weeks back has passed (an error, below);
		// one further back is next year's.
		{"skip Jan 2", false, CheckinCommand{Kind: CheckinCmdSkip, Date: Date{2028, time.January, 2}}},
		{"skip the next check-in", false, CheckinCommand{Kind: CheckinCmdSkip}},
		{"skip", true, CheckinCommand{Kind: CheckinCmdSkip}},
		{"cancel this week", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 1), Week: true}},
		{"cancel the meeting on Feb 9", false, CheckinCommand{Kind: CheckinCmdSkip, Date: day(2, 9)}},

		// Move one meeting; no date before "to" means the next one.
		{"move to Thursday 14:00", false, CheckinCommand{Kind: CheckinCmdMoveOne,
			To: MoveTarget{Weekday: time.Thursday, HasWeekday: true, At: clock(14, 0), HasTime: true}}},
		{"move this week to Thursday at 2pm", false, CheckinCommand{Kind: CheckinCmdMoveOne, Date: day(2, 1), Week: true,
			To: MoveTarget{Weekday: time.Thursday, HasWeekday: true, At: clock(14, 0), HasTime: true}}},
		{"move 2027-02-09 to 2027-02-11 15:00", false, CheckinCommand{Kind: CheckinCmdMoveOne, Date: day(2, 9),
			To: MoveTarget{Date: day(2, 11), At: clock(15, 0), HasTime: true}}},
		{"Move Feb 9 to Thursday Feb 11 at 3", false, CheckinCommand{Kind: CheckinCmdMoveOne, Date: day(2, 9),
			To: MoveTarget{Date: day(2, 11), At: clock(15, 0), HasTime: true, HourAssumed: true}}},
		{"move the check-in to tomorrow 10:30", false, CheckinCommand{Kind: CheckinCmdMoveOne,
			To: MoveTarget{Date: day(2, 4), At: clock(10, 30), HasTime: true, HourAssumed: true}}},
		{"reschedule next week to Friday", false, CheckinCommand{Kind: CheckinCmdMoveOne, Date: day(2, 8), Week: true,
			To: MoveTarget{Weekday: time.Friday, HasWeekday: true}}},
		{"move it to 3pm", false, CheckinCommand{Kind: CheckinCmdMoveOne, To: MoveTarget{At: clock(15, 0), HasTime: true}}},
		{"change this week to Thursday 9:00", false, CheckinCommand{Kind: CheckinCmdMoveOne, Date: day(2, 1), Week: true,
			To: MoveTarget{Weekday: time.Thursday, HasWeekday: true, At: clock(9, 0), HasTime: true, HourAssumed: true}}},

		// Move the series; Given says what to take from the phrase.
		{"move all to Wednesdays 9:00", false, CheckinCommand{Kind: CheckinCmdMoveSeries,
			Series: series(Schedule{time.Wednesday, clock(9, 0), 30 * time.Minute, 1}, dayTime, true, true)}},
		{"move the series to every other Wednesday at 9", false, CheckinCommand{Kind: CheckinCmdMoveSeries,
			Series: series(Schedule{time.Wednesday, clock(9, 0), 30 * time.Minute, 2}, dayTime|GivenEvery, true, true)}},
		{"change to Wednesdays at 9", false, CheckinCommand{Kind: CheckinCmdMoveSeries,
			Series: series(Schedule{time.Wednesday, clock(9, 0), 30 * time.Minute, 1}, dayTime, true, true)}},
		{"move all check-ins to Thursday 14:00 for 45 minutes", false, CheckinCommand{Kind: CheckinCmdMoveSeries,
			Series: series(Schedule{time.Thursday, clock(14, 0), 45 * time.Minute, 1}, dayTime|GivenLength, false, false)}},
		{"move our 1:1s to Mondays", false, CheckinCommand{Kind: CheckinCmdMoveSeries,
			Series: series(Schedule{time.Monday, 0, 30 * time.Minute, 1}, GivenWeekday, false, true)}},
		{"change the time to 15:00", false, CheckinCommand{Kind: CheckinCmdMoveSeries,
			Series: series(Schedule{time.Sunday, clock(15, 0), 30 * time.Minute, 1}, GivenTime, false, false)}},
		{"move to Wednesdays at 9", false, CheckinCommand{Kind: CheckinCmdMoveSeries,
			Series: series(Schedule{time.Wednesday, clock(9, 0), 30 * time.Minute, 1}, dayTime, true, true)}},

		// Pause.
		{"pause check-ins until 2027-03-01", false, CheckinCommand{Kind: CheckinCmdPause, Until: day(3, 1)}},
		{"Pause the check-ins until March 1.", false, CheckinCommand{Kind: CheckinCmdPause, Until: day(3, 1)}},
		{"pause our 1:1s till 1 March", false, CheckinCommand{Kind: CheckinCmdPause, Until: day(3, 1)}},
		{"pause one-on-ones until 2027-03-01", false, CheckinCommand{Kind: CheckinCmdPause, Until: day(3, 1)}},
		{"pause meetings until 2027-03-01", false, CheckinCommand{Kind: CheckinCmdPause, Until: day(3, 1)}},
		{"pause checkins for 2 weeks", false, CheckinCommand{Kind: CheckinCmdPause, Until: day(2, 17)}},
		{"pause until 2027-03-01", true, CheckinCommand{Kind: CheckinCmdPause, Until: day(3, 1)}},
		{"pause 10 days", true, CheckinCommand{Kind: CheckinCmdPause, Until: day(2, 13)}},

		// Cancel and resume.
		{"cancel", true, CheckinCommand{Kind: CheckinCmdCancel}},
		{"cancel check-ins", false, CheckinCommand{Kind: CheckinCmdCancel}},
		{"Cancel the series!", false, CheckinCommand{Kind: CheckinCmdCancel}},
		{"cancel all our meetings", false, CheckinCommand{Kind: CheckinCmdCancel}},
		{"stop check-ins", false, CheckinCommand{Kind: CheckinCmdCancel}},
		{"stop the weekly check-ins", false, CheckinCommand{Kind: CheckinCmdCancel}},
		{"resume check-ins", false, CheckinCommand{Kind: CheckinCmdResume}},
		{"unpause the meetings", false, CheckinCommand{Kind: CheckinCmdResume}},
		{"resume", true, CheckinCommand{Kind: CheckinCmdResume}},
	}
	for _, tt := range tests {
		got, err := ParseCheckinCommand(tt.in, now, loc, tt.context)
		if err != nil {
			t.Errorf("ParseCheckinCommand(%q, context %v): %v", tt.in, tt.context, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseCheckinCommand(%q, context %v) = %+v, want %+v", tt.in, tt.context, got, tt.want)
		}
	}
}

func TestParseCheckinCommandNotCommand(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	tests := []struct {
		in      string
		context bool
	}{
		{"", false},
		{"   ", true},
		// The questionnaire's own commands, outside a check-in mail.
		{"skip", false},
		{"pause", false},
		{"pause until 2027-03-01", false},
		{"pause 2 weeks", false},
		{"resume", false},
		{"cancel", false},
		{"stop", false},
		{"stop", true},
		{"help", true},
		// Answers that start with a command word.
		{"skip this question", false},
		{"move fast and break things", false},
		{"Move to Berlin, that is my dream", false},
		{"cancel my subscription", false},
		{"stop interrupting each other", false},
		{"resume writing", false},
		{"Tuesdays at 10", false},
		{"We should meet on Tuesdays at 10.", true},
	}
	for _, tt := range tests {
		got, err := ParseCheckinCommand(tt.in, now, loc, tt.context)
		if !errors.Is(err, ErrNotCommand) {
			t.Errorf("ParseCheckinCommand(%q, context %v) = %+v, %v, want ErrNotCommand", tt.in, tt.context, got, err)
		}
	}
}

func TestParseCheckinCommandErrors(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	tests := []struct {
		in      string
		context bool
		want    string
	}{
		{"skip 2027-01-09", false, "Saturday 9 January 2027 has already passed. Name a day still ahead, like 2027-02-10."},
		{"skip Jan 20", false, "Wednesday 20 January 2027 has already passed. Name a day still ahead, like 2027-02-10."},
		{"skip 2028-05-01", false, "Monday 1 May 2028 is more than a year away. Name a day within the next twelve months."},
		{"skip 2027-02-30", false, "2027-02-30 is not a date. Write it like 2027-02-09 or 9 February."},
		{"skip Feb 30", false, "feb 30 is not a date. Write it like 2027-02-09 or 9 February."},
		{"skip 9/2", false, "Is 9/2 day/month or month/day? Write the date like 2027-02-09 or 9 February."},
		{"skip the week after next", false, "We understood skip, but not which check-in. Reply skip this week, skip next week, or skip with a date, like skip 2027-02-09."},
		{"skip whenever", true, "We understood skip, but not which check-in. Reply skip this week, skip next week, or skip with a date, like skip 2027-02-09."},
		{"skip check-ins", false, "Skip one check-in or end them all? Reply skip this week, skip next week, or skip with a date, like skip 2027-02-09. To end them, reply cancel check-ins."},

		{"move to Thursday at 25:00", false, "25:00 is not a time of day. Write it like 10:00 or 14:30."},
		{"move to Thursday at 23:00", false, "23:00 is outside working hours, so we did not set it. Write the time you mean, like 10:00 or 15:30."},
		{"move to Thursday or Friday", false, "Thursday or Friday? One day, please: check-ins are weekly."},
		{"move to Thursday for an hour", false, "A single check-in keeps its usual length. To change the length of all of them, reply move all to Thursdays 14:00 for 45 minutes."},
		{"move this week to every other Thursday", false, "To change how often you meet, move them all: reply move all to every other Wednesday at 9:00."},
		{"move 2027-02-09 to Wednesday 2027-02-11 15:00", false, "2027-02-11 is a Thursday, not a Wednesday. Which did you mean?"},
		{"move 2027-02-09 to 2027-02-01 15:00", false, "Monday 1 February 2027 has already passed. Name a day still ahead, like 2027-02-10."},
		{"move to today 8:00", false, "08:00 today has already passed. Pick a later time."},
		{"move to 2027-02-11 and 2027-02-12", false, "Which day? Name one day to move to."},
		{"move all to 2027-02-11 10:00", false, "All check-ins move to a day of the week, not a date. Reply something like: move all to Wednesdays 9:00."},
		{"move all to monthly on Tuesdays", false, `Check-ins happen every week or every other week, so we cannot set them up "monthly". Reply with something like: every other Tuesday at 10:00`},
		{"move the week after next to Thursday", false, "We understood move, but not which check-in. Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},
		{"move to Berlin", true, "We could not find a day or a time to move to. Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},
		{"move the check-in to somewhere nice", false, "We could not find a day or a time to move to. Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},
		{"move", true, "Move it to when? Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},

		{"pause check-ins", false, "Until when? Reply pause check-ins until 2027-03-01, or pause check-ins 2 weeks."},
		{"pause", true, "Until when? Reply pause check-ins until 2027-03-01, or pause check-ins 2 weeks."},
		{"pause check-ins until someday", false, `We could not read "someday" as a date. Write it like pause check-ins until 2027-03-01.`},
		{"pause check-ins until 2027-02-03", false, "Wednesday 3 February 2027 is not in the future. Pick a later day to start again."},
		{"pause check-ins until 2027-01-15", false, "Friday 15 January 2027 is not in the future. Pick a later day to start again."},
		{"pause check-ins until 2029-01-01", false, "A pause can last up to a year; pick a nearer date than Monday 1 January 2029."},
		{"pause check-ins for 60 weeks", false, "A pause can last from 1 day to 52 weeks."},
		{"pause check-ins because of holidays", false, "We understood pause, but not the rest. Reply pause check-ins until 2027-03-01, or pause check-ins 2 weeks."},

		{"cancel the check-in", false, "Cancel one check-in or all of them? Reply skip this week to drop one, or cancel check-ins to end them all."},
		{"stop the meeting", false, "Stop one check-in or all of them? Reply skip this week to drop one, or stop check-ins to end them all."},
		{"cancel my subscription", true, "We understood cancel, but not the rest. Reply cancel check-ins to end them, or cancel this week to drop one."},
		{"cancel 2027-01-01", false, "Friday 1 January 2027 has already passed. Name a day still ahead, like 2027-02-10."},
	}
	for _, tt := range tests {
		got, err := ParseCheckinCommand(tt.in, now, loc, tt.context)
		var ce *CommandError
		if !errors.As(err, &ce) {
			t.Errorf("ParseCheckinCommand(%q, context %v) = %+v, %v, want *CommandError %q", tt.in, tt.context, got, err, tt.want)
			continue
		}
		if ce.Message != tt.want {
			t.Errorf("ParseCheckinCommand(%q, context %v) error = %q, want %q", tt.in, tt.context, ce.Message, tt.want)
		}
	}
}

func TestCheckinCommandSpanAndNewStart(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	at := func(m time.Month, d, h, mi int) time.Time { return time.Date(2027, m, d, h, mi, 0, 0, loc) }
	// The meeting being moved: Tuesday 9 February at 10:00.
	original := at(2, 9, 10, 0)
	tests := []struct {
		in               string
		wantFrom, wantTo time.Time
		wantStart        time.Time
	}{
		{"move to Thursday 14:00", time.Time{}, time.Time{}, at(2, 11, 14, 0)},
		// A weekday is taken in the meeting's Monday-to-Sunday week, so
		// Monday is the day before the meeting, not after.
		{"move to Monday", time.Time{}, time.Time{}, at(2, 8, 10, 0)},
		{"move to Sunday at 11", time.Time{}, time.Time{}, at(2, 14, 11, 0)},
		{"move to 3pm", time.Time{}, time.Time{}, at(2, 9, 15, 0)},
		{"move next week to Friday 9:30", at(2, 8, 0, 0), at(2, 15, 0, 0), at(2, 12, 9, 30)},
		{"move 2027-02-09 to 2027-02-16 15:00", at(2, 9, 0, 0), at(2, 10, 0, 0), at(2, 16, 15, 0)},
		{"move Feb 9 to Feb 10", at(2, 9, 0, 0), at(2, 10, 0, 0), at(2, 10, 10, 0)},
	}
	for _, tt := range tests {
		c, err := ParseCheckinCommand(tt.in, now, loc, false)
		if err != nil {
			t.Errorf("ParseCheckinCommand(%q): %v", tt.in, err)
			continue
		}
		if from, to := c.Span(loc); !from.Equal(tt.wantFrom) || !to.Equal(tt.wantTo) {
			t.Errorf("ParseCheckinCommand(%q).Span() = %v, %v, want %v, %v", tt.in, from, to, tt.wantFrom, tt.wantTo)
		}
		if got := c.NewStart(original, loc); !got.Equal(tt.wantStart) {
			t.Errorf("ParseCheckinCommand(%q).NewStart(%v) = %v, want %v", tt.in, original, got, tt.wantStart)
		}
	}
	// A week's span is seven calendar days even when clocks change in it.
	c := CheckinCommand{Kind: CheckinCmdSkip, Date: Date{2027, time.March, 22}, Week: true}
	if from, to := c.Span(loc); !from.Equal(at(3, 22, 0, 0)) || !to.Equal(at(3, 29, 0, 0)) || to.Sub(from) != 7*24*time.Hour-time.Hour {
		t.Errorf("Span over the clock change = %v, %v, want %v, %v (167 hours)", from, to, at(3, 22, 0, 0), at(3, 29, 0, 0))
	}
}

// TestCheckinAndQuestionnaireCommands checks that a reply is claimed by at
// most one of the two parsers, depending on the mail it answers.
func TestCheckinAndQuestionnaireCommands(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	tests := []struct {
		in          string
		context     bool
		wantCheckin bool
	}{
		{"pause until 2027-03-01", false, false},
		{"pause until 2027-03-01", true, true},
		{"skip", false, false},
		{"skip", true, true},
		{"resume", false, false},
		{"resume", true, true},
		{"pause check-ins until 2027-03-01", false, true},
	}
	for _, tt := range tests {
		_, err := ParseCheckinCommand(tt.in, now, loc, tt.context)
		if got := err == nil; got != tt.wantCheckin {
			t.Errorf("ParseCheckinCommand(%q, context %v) claimed = %v (%v), want %v", tt.in, tt.context, got, err, tt.wantCheckin)
		}
		if !tt.wantCheckin {
			if _, err := ParseCommand(tt.in, now, loc); err != nil {
				t.Errorf("ParseCommand(%q) = %v, want a questionnaire command", tt.in, err)
			}
		}
	}
}
