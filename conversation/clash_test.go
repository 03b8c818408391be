package conversation

import (
	"errors"
	"testing"
	"time"
)

// TestClashingCheckins: a lead who meets Kim on Tuesdays at 10:00 cannot
// be given an overlapping check-in with Sam; the refusal names the
// nearest free time, and a time that does not overlap is taken.
func TestClashingCheckins(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "", at)
	lead := p.Participants[0]
	kim := must[Schedule](t)(ParseSchedule("tue 10:00 30m weekly"))
	berlin := lead.Person.Location
	other := &Series{Schedule: kim, Zone: berlin, Start: kim.First(at, berlin), Status: SeriesActive}
	p.OtherCheckins = []OtherSeries{{Who: lead, With: "Kim Novak", Series: other}}

	tests := []struct {
		spec string
		free string // the nearest free schedule suggested; "" when it fits
	}{
		{"tue 10:15 30m weekly", "tue 10:30 30m weekly"},
		{"tue 09:45 30m weekly", "tue 10:30 30m weekly"},
		{"tue 09:30 30m weekly", ""},
		{"tue 10:30 45m biweekly", ""},
		{"wed 10:00 30m weekly", ""},
	}
	for _, tt := range tests {
		q := *p
		s := must[Schedule](t)(ParseSchedule(tt.spec))
		_, err := q.ScheduleCheckins(s, at.Add(time.Hour))
		var ce *ClashError
		switch {
		case tt.free == "" && err != nil:
			t.Errorf("%s: %v, want it taken", tt.spec, err)
		case tt.free != "" && !errors.As(err, &ce):
			t.Errorf("%s: %v, want a clash", tt.spec, err)
		case tt.free != "":
			if ce.Clash.With != "Kim Novak" || ce.Clash.Free == nil || ce.Clash.Free.Spec() != must[Schedule](t)(ParseSchedule(tt.free)).Spec() {
				t.Errorf("%s: clash %+v, want with Kim and %s free", tt.spec, ce.Clash, tt.free)
			}
		}
	}

	// One meeting moved onto Kim's: refused, with the next free start.
	must[[]Message](t)(p.ScheduleCheckins(must[Schedule](t)(ParseSchedule("wed 10:00 30m weekly")), at.Add(time.Hour)))
	o := p.Checkin.Upcoming(at.Add(time.Hour))
	tuesday := time.Date(2027, 1, 19, 10, 0, 0, 0, berlin)
	_, err := p.MoveCheckin(lead.ID, o.Original, tuesday, at.Add(2*time.Hour))
	var ce *ClashError
	if !errors.As(err, &ce) || !ce.Clash.FreeAt.Equal(tuesday.Add(30*time.Minute)) {
		t.Fatalf("moving onto Kim's meeting: %v, want a clash offering 10:30", err)
	}
	if _, err := p.MoveCheckin(lead.ID, o.Original, ce.Clash.FreeAt, at.Add(2*time.Hour)); err != nil {
		t.Errorf("moving to the free time offered: %v", err)
	}
}
