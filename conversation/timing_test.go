package conversation

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestNextAllowed(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	ny := mustLoc(t, "America/New_York")
	at := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	lunch := QuietHours{Start: 12 * 60, End: 13 * 60}
	tests := []struct {
		name  string
		quiet QuietHours
		loc   *time.Location
		in    string
		want  string
	}{
		{"working hours unchanged", DefaultQuietHours, berlin, "2027-03-24 10:00", "2027-03-24 10:00"},
		{"evening to next morning", DefaultQuietHours, berlin, "2027-03-24 21:30", "2027-03-25 08:00"},
		{"exactly at start is quiet", DefaultQuietHours, berlin, "2027-03-24 20:00", "2027-03-25 08:00"},
		{"exactly at end is allowed", DefaultQuietHours, berlin, "2027-03-24 08:00", "2027-03-24 08:00"},
		{"early morning", DefaultQuietHours, berlin, "2027-03-24 05:59", "2027-03-24 08:00"},
		{"friday evening to monday", DefaultQuietHours, berlin, "2027-03-26 21:00", "2027-03-29 08:00"},
		{"saturday across spring DST change", DefaultQuietHours, berlin, "2027-03-27 11:00", "2027-03-29 08:00"},
		{"sunday during autumn DST change", DefaultQuietHours, berlin, "2027-10-31 02:30", "2027-11-01 08:00"},
		{"new york across its DST change", DefaultQuietHours, ny, "2027-03-13 09:00", "2027-03-15 08:00"},
		{"daytime quiet window", lunch, berlin, "2027-03-24 12:15", "2027-03-24 13:00"},
		{"no quiet time", QuietHours{}, berlin, "2027-03-27 23:00", "2027-03-27 23:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := at(tt.loc, tt.in)
			got := tt.quiet.NextAllowed(in, tt.loc)
			want := at(tt.loc, tt.want)
			if !got.Equal(want) {
				t.Errorf("NextAllowed(%s) = %s, want %s", in, got.In(tt.loc), want)
			}
			if tt.quiet.Contains(got, tt.loc) {
				t.Errorf("NextAllowed(%s) = %s is itself quiet", in, got)
			}
		})
	}
}

func TestNextAllowedAcrossDSTKeepsWallClock(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	// Friday night before the spring change: UTC offsets differ on the
	// two sides, the local morning time must not.
	before := time.Date(2027, 3, 26, 22, 0, 0, 0, berlin)
	got := DefaultQuietHours.NextAllowed(before, berlin)
	if h, m := got.In(berlin).Hour(), got.In(berlin).Minute(); h != 8 || m != 0 {
		t.Errorf("NextAllowed(%s) = %s, want 08:00 local", before, got.In(berlin))
	}
	if _, off := got.In(berlin).Zone(); off != 2*3600 {
		t.Errorf("NextAllowed(%s) offset = %d, want CEST (+2h)", before, off)
	}
}

func TestQuietHoursValidate(t *testing.T) {
	t.Parallel()
	all := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	tests := []struct {
		name    string
		q       QuietHours
		wantErr bool
	}{
		{"default", DefaultQuietHours, false},
		{"none", QuietHours{}, false},
		{"every day quiet", QuietHours{Days: all}, true},
		{"out of range", QuietHours{Start: 25 * 60}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.q.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate(%+v) = %v, want error %v", tt.q, err, tt.wantErr)
			}
		})
	}
}

func TestParseClockTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    ClockTime
		wantErr bool
	}{
		{"08:00", 480, false},
		{"20:30", 1230, false},
		{" 7:05 ", 425, false},
		{"24:00", 0, true},
		{"noon", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseClockTime(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseClockTime(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRulesValidate(t *testing.T) {
	t.Parallel()
	all := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	tests := []struct {
		name    string
		change  func(r *Rules)
		want    []Rule // the rules broken, in order; none for valid rules
		checkin bool   // the first is a check-in rule
	}{
		{"default", func(*Rules) {}, nil, false},
		{"a reminder of no days", func(r *Rules) { r.Reminders = []int{3, 0} }, []Rule{RuleReminder}, false},
		{"reviews an hour apart", func(r *Rules) { r.ReviewEvery = time.Hour }, []Rule{RuleReviewEvery, RuleReviewWait}, false},
		{"every day quiet", func(r *Rules) { r.Quiet.Days = all }, []Rule{RuleQuietDays}, false},
		{"quiet past midnight", func(r *Rules) { r.Quiet.End = 24 * 60 }, []Rule{RuleQuietHours}, false},
		{"review waits past the next", func(r *Rules) { r.ReviewWait = r.ReviewEvery }, []Rule{RuleReviewWait}, false},
		{"answers held back a day", func(r *Rules) { r.RevealGrace = 24 * time.Hour }, []Rule{RuleRevealGrace}, false},
		{"prep an hour before", func(r *Rules) { r.Checkins.PrepBefore = time.Hour }, []Rule{RulePrepBefore, RuleAgendaBefore}, true},
		{"agenda at the prep", func(r *Rules) { r.Checkins.AgendaBefore = r.Checkins.PrepBefore }, []Rule{RuleAgendaBefore}, true},
		{"follow-up two days after", func(r *Rules) { r.Checkins.FollowUpAfter = 48 * time.Hour }, []Rule{RuleFollowUpAfter}, true},
		{"limits themselves", func(r *Rules) {
			r.Reminders = []int{MinReminderDays}
			r.ReviewEvery, r.ReviewWait, r.RevealGrace = MinReviewEvery, MinReviewWait, MaxRevealGrace
			r.Checkins.PrepBefore, r.Checkins.AgendaBefore, r.Checkins.FollowUpAfter = MaxPrepBefore, MinAgendaBefore, MaxFollowUpAfter
		}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := DefaultRules()
			tt.change(&r)
			err := r.Validate()
			var got []Rule
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					var re *RulesError
					if !errors.As(e, &re) {
						t.Fatalf("Validate(%+v) gave %v, want each problem a *RulesError", r, e)
					}
					got = append(got, re.Rule)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate(%+v) = %v, want the rules %v broken", r, err, tt.want)
			}
			if checkin := errors.Is(err, ErrCheckinRules); checkin != tt.checkin {
				t.Errorf("errors.Is(Validate(%+v), ErrCheckinRules) = %v, want %v", r, checkin, tt.checkin)
			}
		})
	}
}
