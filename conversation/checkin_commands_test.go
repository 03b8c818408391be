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
		{"skip this one", false, false},
		{"skip it", false, false},
		{"skip this one", true, true},
		{"skip the next check-in", false, true},
		// In other languages too.
		{"passer", false, false},
		{"passer", true, true},
		{"passer cette semaine", false, true},
		{"pausa hasta el 1 de marzo", false, false},
		{"pausa hasta el 1 de marzo", true, true},
		{"Check-ins bis 1. März pausieren", false, true},
		{"reprendre", false, false},
		{"annuler les points", false, true},
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
