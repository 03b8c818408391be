package conversation

import (
	"errors"
	"testing"
	"time"
)

// TestCheckinsSuitBothZones: with Dana in Berlin and Sam in New York,
// Tuesdays at 10 in Berlin is 04:00 for Sam and is refused with the times
// that suit both; 15:00 is taken, and reads as 09:00 for Sam (varying
// with the clocks); a meeting Sam moves must suit Dana too.
func TestCheckinsSuitBothZones(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	p.Rules.Quiet = DefaultQuietHours // working hours: 08:00–20:00 on weekdays, each in their own zone
	dana, sam := p.Participants[0], p.Participants[1]
	now := at.Add(time.Hour)

	_, err := p.SetSchedule(dana.ID, must[Schedule](t)(ParseSchedule("tue 10:00 30m weekly")), now)
	var oh *OffHoursError
	if !errors.As(err, &oh) || oh.OffHours.Who != sam || !oh.OffHours.Suits || oh.OffHours.From != 14*60 || oh.OffHours.To != 19*60+30 {
		t.Fatalf("Tuesdays 10:00 Berlin: %v (%+v), want refused for Sam with 14:00–19:30 suiting both", err, oh)
	}
	if got := oh.OffHours.At.In(sam.Person.Location).Format("15:04"); got != "04:00" {
		t.Errorf("the refused meeting is %s for Sam, want 04:00", got)
	}
	must[[]Message](t)(p.SetSchedule(dana.ID, must[Schedule](t)(ParseSchedule("tue 15:00 30m weekly")), now))
	cs := p.Checkin
	local, varies := cs.LocalSchedule(sam.Person.Location, now)
	if local.Weekday != time.Tuesday || local.At != 9*60 || !varies {
		t.Errorf("Sam's schedule %s (varies %v), want Tuesdays 09:00, varying in March", local, varies)
	}
	if own, varies := cs.LocalSchedule(dana.Person.Location, now); own.At != 15*60 || varies {
		t.Errorf("Dana's schedule %s (varies %v), want her own 15:00, steady", own, varies)
	}
	// Sam moves one meeting to Thursday 14:00, his time: 20:00 for Dana,
	// her quiet time, so it is refused; 11:00 his time suits both.
	o := cs.Upcoming(now)
	thu := time.Date(2027, 1, 21, 14, 0, 0, 0, sam.Person.Location)
	if _, err := p.MoveCheckin(sam.ID, o.Original, thu, now); !errors.As(err, &oh) || oh.OffHours.Who != dana {
		t.Errorf("moving to 20:00 Berlin: %v, want refused for Dana", err)
	}
	if _, err := p.MoveCheckin(sam.ID, o.Original, thu.Add(-3*time.Hour), now); err != nil {
		t.Errorf("moving to 11:00 New York, 17:00 Berlin: %v", err)
	}
}

// TestPeerOrganiserInAnotherZone: a peer in New York who sets the time
// gives it in their zone; the series is kept in the first peer's.
func TestPeerOrganiserInAnotherZone(t *testing.T) {
	t.Parallel()
	berlin, ny := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	now := time.Date(2027, 1, 11, 9, 0, 0, 0, berlin)
	s := must[Schedule](t)(ParseSchedule("tue 09:00 30m weekly"))
	got := inSeriesZone(s, ny, berlin, now)
	if got.Weekday != time.Tuesday || got.At != 15*60 {
		t.Errorf("Tuesday 09:00 New York in Berlin = %s, want Tuesday 15:00", got)
	}
	late := must[Schedule](t)(ParseSchedule("mon 19:00 30m weekly"))
	if got := inSeriesZone(late, ny, berlin, now); got.Weekday != time.Tuesday || got.At != 1*60 {
		t.Errorf("Monday 19:00 New York in Berlin = %s, want Tuesday 01:00", got)
	}
}

// TestAgendaAndFollowUpInWorkingHours: Tuesdays at 14:00 in Berlin is
// 08:00 for Sam; an agenda an hour before would reach him at 07:00, so
// it waits for his morning but never past a few minutes before the
// meeting. A meeting at 19:30 Berlin ends at 20:00, Dana's evening: the
// follow-up, which goes to her, waits for her next morning.
func TestAgendaAndFollowUpInWorkingHours(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	p.Rules.Quiet = DefaultQuietHours
	p.Rules.Checkins.FollowUpBoth = false
	dana := p.Participants[0]
	now := at.Add(time.Hour)
	for _, tc := range []struct {
		spec             string
		agenda, followUp time.Time
	}{
		{"tue 14:00 30m weekly", berlinTime(t, 2027, 1, 12, 13, 55), berlinTime(t, 2027, 1, 12, 14, 30).Add(p.Rules.Checkins.FollowUpAfter)},
		{"tue 16:00 30m weekly", berlinTime(t, 2027, 1, 12, 15, 0), berlinTime(t, 2027, 1, 12, 16, 30).Add(p.Rules.Checkins.FollowUpAfter)},
		{"tue 19:30 30m weekly", berlinTime(t, 2027, 1, 12, 18, 30), berlinTime(t, 2027, 1, 13, 8, 0)},
	} {
		must[[]Message](t)(p.SetSchedule(dana.ID, must[Schedule](t)(ParseSchedule(tc.spec)), now))
		var agenda, followUp time.Time
		for _, a := range p.checkinActions(now) {
			if !a.o.Original.Equal(p.Checkin.Upcoming(now).Original) {
				continue
			}
			switch a.kind {
			case MsgAgenda:
				agenda = a.due
			case MsgFollowUp:
				followUp = a.due
			}
		}
		if !agenda.Equal(tc.agenda) || !followUp.Equal(tc.followUp) {
			t.Errorf("%s: agenda due %s, follow-up %s; want %s and %s", tc.spec,
				agenda.In(dana.Person.Location), followUp.In(dana.Person.Location), tc.agenda.In(dana.Person.Location), tc.followUp.In(dana.Person.Location))
		}
	}
}
