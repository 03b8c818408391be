package conversation

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	const all = GivenWeekday | GivenTime | GivenLength | GivenEvery
	const dayTime = GivenWeekday | GivenTime
	type want struct {
		s       Schedule
		given   ScheduleFields
		assumed bool
	}
	sched := func(d time.Weekday, at string, length time.Duration, every int) Schedule {
		c, err := ParseClockTime(at)
		if err != nil {
			t.Fatal(err)
		}
		return Schedule{Weekday: d, At: c, Length: length, Every: every}
	}
	const m30, m45, h1, m90 = 30 * time.Minute, 45 * time.Minute, time.Hour, 90 * time.Minute
	tests := []struct {
		in   string
		want want
	}{
		// The compact form operators type.
		{"tue 10:00 30m weekly", want{sched(time.Tuesday, "10:00", m30, 1), all, false}},
		{"thu 14:30 45m biweekly", want{sched(time.Thursday, "14:30", m45, 2), all, false}},
		{"TUE 10:00 1h30m weekly", want{sched(time.Tuesday, "10:00", m90, 1), all, false}},
		{"mon 9:00 1h", want{sched(time.Monday, "09:00", h1, 1), dayTime | GivenLength, true}},
		// English.
		{"Tuesdays at 10", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, true}},
		{"Tuesday 10am", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, false}},
		{"Mondays 9am", want{sched(time.Monday, "09:00", m30, 1), dayTime, false}},
		{"every Monday at 9:30am", want{sched(time.Monday, "09:30", m30, 1), dayTime | GivenEvery, false}},
		{"every other Thursday 14:30 for 45 minutes", want{sched(time.Thursday, "14:30", m45, 2), all, false}},
		{"every second Friday at 3pm for an hour", want{sched(time.Friday, "15:00", h1, 2), all, false}},
		{"Wednesdays 16:00, 1 hour", want{sched(time.Wednesday, "16:00", h1, 1), dayTime | GivenLength, false}},
		{"fortnightly on Tuesdays at 11", want{sched(time.Tuesday, "11:00", m30, 2), dayTime | GivenEvery, true}},
		{"every 2 weeks on wednesday 13:15 for half an hour", want{sched(time.Wednesday, "13:15", m30, 2), all, false}},
		{"weekly on Fridays at noon", want{sched(time.Friday, "12:00", m30, 1), dayTime | GivenEvery, false}},
		{"tuesday 10.30", want{sched(time.Tuesday, "10:30", m30, 1), dayTime, true}},
		{"Tue 10h30", want{sched(time.Tuesday, "10:30", m30, 1), dayTime, false}},
		{"Thursday at 2:30 pm for 90 min", want{sched(time.Thursday, "14:30", m90, 1), dayTime | GivenLength, false}},
		{"Thursday 2 p.m.", want{sched(time.Thursday, "14:00", m30, 1), dayTime, false}},
		{"Tuesday 10 a.m. for 1.5 hours", want{sched(time.Tuesday, "10:00", m90, 1), dayTime | GivenLength, false}},
		{"Tuesdays at 10 o'clock", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, true}},
		{"bi-weekly Tuesday 9:00 1h30m", want{sched(time.Tuesday, "09:00", m90, 2), all, true}},
		{"Tuesdays at 3", want{sched(time.Tuesday, "15:00", m30, 1), dayTime, true}},
		{"Tuesdays at 6:30am", want{sched(time.Tuesday, "06:30", m30, 1), dayTime, false}},
		{"Tuesdays at 12", want{sched(time.Tuesday, "12:00", m30, 1), dayTime, false}},
		{"Friday 12pm", want{sched(time.Friday, "12:00", m30, 1), dayTime, false}},
		{"Mondays 1 hour and a half at 10", want{sched(time.Monday, "10:00", m90, 1), dayTime | GivenLength, true}},
		{"Mondays at 10 for 1 hour 15 minutes", want{sched(time.Monday, "10:00", 75*time.Minute, 1), dayTime | GivenLength, true}},
		{"Tuesdays 10-11", want{sched(time.Tuesday, "10:00", h1, 1), dayTime | GivenLength, true}},
		{"Tuesdays 2-3pm", want{sched(time.Tuesday, "14:00", h1, 1), dayTime | GivenLength, true}},
		{"Tuesday 10:00 – 11:30", want{sched(time.Tuesday, "10:00", m90, 1), dayTime | GivenLength, true}},
		{"Tuesdays from 14:00 to 14:45", want{sched(time.Tuesday, "14:00", m45, 1), dayTime | GivenLength, false}},
		// Surrounding words.
		{"Let's do Tuesdays at 10, thanks!", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, true}},
		{"Hi both, how about every other Thursday at 14:30? It works for 2 people I think. Cheers", want{sched(time.Thursday, "14:30", m30, 2), dayTime | GivenEvery, false}},
		// German.
		{"dienstags um 10 Uhr", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, false}},
		{"Dienstag 10 Uhr 30", want{sched(time.Tuesday, "10:30", m30, 1), dayTime, false}},
		{"jeden zweiten Donnerstag um 14:30", want{sched(time.Thursday, "14:30", m30, 2), dayTime | GivenEvery, false}},
		{"Donnerstag 14 Uhr für eine Stunde", want{sched(time.Thursday, "14:00", h1, 1), dayTime | GivenLength, false}},
		{"MITTWOCHS um 9 Uhr, eine halbe Stunde", want{sched(time.Wednesday, "09:00", m30, 1), dayTime | GivenLength, false}},
		{"alle zwei Wochen am Montag um 11", want{sched(time.Monday, "11:00", m30, 2), dayTime | GivenEvery, true}},
		// French.
		{"le mardi à 10h", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, false}},
		{"le mardi a 10h", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, false}},
		{"tous les jeudis à 14h30", want{sched(time.Thursday, "14:30", m30, 1), dayTime | GivenEvery, false}},
		{"un jeudi sur deux à 15h", want{sched(time.Thursday, "15:00", m30, 2), dayTime | GivenEvery, false}},
		{"mardi 10h pendant une heure et demie", want{sched(time.Tuesday, "10:00", m90, 1), dayTime | GivenLength, false}},
		{"Mercredi à midi", want{sched(time.Wednesday, "12:00", m30, 1), dayTime, false}},
		// Spanish.
		{"los martes a las 10", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, true}},
		{"cada dos jueves a las 4", want{sched(time.Thursday, "16:00", m30, 2), dayTime | GivenEvery, true}},
		{"miércoles a las 9 durante una hora", want{sched(time.Wednesday, "09:00", h1, 1), dayTime | GivenLength, true}},
		// Dutch.
		{"dinsdag om 10 uur", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, false}},
		{"om de week op dinsdag om 10 uur", want{sched(time.Tuesday, "10:00", m30, 2), dayTime | GivenEvery, false}},
		// Italian.
		{"martedì alle 10", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, true}},
		{"martedi alle 10 per un'ora", want{sched(time.Tuesday, "10:00", h1, 1), dayTime | GivenLength, true}},
		// Portuguese.
		{"terça às 10h", want{sched(time.Tuesday, "10:00", m30, 1), dayTime, false}},
		{"terças-feiras às 14h", want{sched(time.Tuesday, "14:00", m30, 1), dayTime, false}},
		{"quinzenalmente, sexta às 9h", want{sched(time.Friday, "09:00", m30, 2), dayTime | GivenEvery, false}},
	}
	for _, tt := range tests {
		r, err := ReadSchedule(tt.in)
		if err != nil {
			t.Errorf("ReadSchedule(%q): %v", tt.in, err)
			continue
		}
		got := want{r.Schedule, r.Given, r.HourAssumed}
		if got != tt.want {
			t.Errorf("ReadSchedule(%q) = %v (given %04b, assumed %v), want %v (given %04b, assumed %v)",
				tt.in, got.s, got.given, got.assumed, tt.want.s, tt.want.given, tt.want.assumed)
		}
		s, err := ParseSchedule(tt.in)
		if err != nil || s != tt.want.s {
			t.Errorf("ParseSchedule(%q) = %v, %v, want %v", tt.in, s, err, tt.want.s)
		}
	}
}

func TestScheduleSpecRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Schedule
		want string
	}{
		{Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 1}, "tue 10:00 30m weekly"},
		{Schedule{time.Thursday, 14*60 + 30, 45 * time.Minute, 2}, "thu 14:30 45m biweekly"},
		{Schedule{time.Monday, 9 * 60, time.Hour, 1}, "mon 09:00 1h weekly"},
		{Schedule{time.Wednesday, 8*60 + 5, 90 * time.Minute, 2}, "wed 08:05 1h30m biweekly"},
		{Schedule{time.Saturday, 12 * 60, 3 * time.Hour, 1}, "sat 12:00 3h weekly"},
		// Operators may set hours a person's phrase would be refused.
		{Schedule{time.Sunday, 2*60 + 30, 15 * time.Minute, 1}, "sun 02:30 15m weekly"},
		{Schedule{time.Friday, 23*60 + 45, 2 * time.Hour, 2}, "fri 23:45 2h biweekly"},
	}
	for _, tt := range tests {
		spec := tt.s.Spec()
		if spec != tt.want {
			t.Errorf("%v.Spec() = %q, want %q", tt.s, spec, tt.want)
		}
		r, err := ReadSchedule(spec)
		if err != nil || r.Schedule != tt.s || r.HourAssumed || r.Given != GivenWeekday|GivenTime|GivenLength|GivenEvery {
			t.Errorf("ReadSchedule(%q) = %v (given %04b, assumed %v), %v; want %v", spec, r.Schedule, r.Given, r.HourAssumed, err, tt.s)
		}
	}
}

func TestScheduleReadingOver(t *testing.T) {
	t.Parallel()
	old := Schedule{time.Tuesday, 10 * 60, 45 * time.Minute, 2}
	tests := []struct {
		in   string
		want Schedule
	}{
		{"Wednesdays at 9", Schedule{time.Wednesday, 9 * 60, 45 * time.Minute, 2}},
		{"every Wednesday at 9", Schedule{time.Wednesday, 9 * 60, 45 * time.Minute, 1}},
		{"Wednesdays at 9 for an hour", Schedule{time.Wednesday, 9 * 60, time.Hour, 2}},
		{"tue 10:00 30m weekly", Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 1}},
	}
	for _, tt := range tests {
		r, err := ReadSchedule(tt.in)
		if err != nil {
			t.Fatalf("ReadSchedule(%q): %v", tt.in, err)
		}
		if got := r.Over(old); got != tt.want {
			t.Errorf("ReadSchedule(%q).Over(%v) = %v, want %v", tt.in, old, got, tt.want)
		}
	}
}

func TestScheduleFirst(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	tue10 := Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 1}
	tests := []struct {
		name  string
		s     Schedule
		after time.Time
		loc   *time.Location
		want  time.Time
	}{
		{"earlier in the week", tue10, time.Date(2027, 3, 14, 12, 0, 0, 0, berlin), berlin, time.Date(2027, 3, 16, 10, 0, 0, 0, berlin)},
		{"same day before", tue10, time.Date(2027, 3, 16, 9, 59, 0, 0, berlin), berlin, time.Date(2027, 3, 16, 10, 0, 0, 0, berlin)},
		{"exactly at is not after", tue10, time.Date(2027, 3, 16, 10, 0, 0, 0, berlin), berlin, time.Date(2027, 3, 23, 10, 0, 0, 0, berlin)},
		{"same day after", tue10, time.Date(2027, 3, 16, 11, 0, 0, 0, berlin), berlin, time.Date(2027, 3, 23, 10, 0, 0, 0, berlin)},
		{"later in the week", tue10, time.Date(2027, 3, 18, 8, 0, 0, 0, berlin), berlin, time.Date(2027, 3, 23, 10, 0, 0, 0, berlin)},
		// 23:30 UTC on Monday is already Tuesday 00:30 in Berlin.
		{"day taken in loc", tue10, time.Date(2027, 3, 15, 23, 30, 0, 0, time.UTC), berlin, time.Date(2027, 3, 16, 10, 0, 0, 0, berlin)},
		{"across month end", Schedule{time.Monday, 9 * 60, time.Hour, 2}, time.Date(2027, 3, 30, 12, 0, 0, 0, berlin), berlin, time.Date(2027, 4, 5, 9, 0, 0, 0, berlin)},
	}
	for _, tt := range tests {
		if got := tt.s.First(tt.after, tt.loc); !got.Equal(tt.want) {
			t.Errorf("%s: %v.First(%v) = %v, want %v", tt.name, tt.s, tt.after, got, tt.want)
		}
	}
}

// TestScheduleAcrossDST checks that a series keeps its local wall-clock
// time when clocks change, so its UTC instant moves by the change.
func TestScheduleAcrossDST(t *testing.T) {
	t.Parallel()
	utc := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, time.UTC) }
	tests := []struct {
		zone  string
		s     Schedule
		first time.Time // in UTC
		want  []time.Time
	}{
		{
			// Berlin moves to summer time on Sunday 2027-03-28.
			"Europe/Berlin", Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 1}, utc(2027, 3, 16, 9, 0),
			[]time.Time{utc(2027, 3, 16, 9, 0), utc(2027, 3, 23, 9, 0), utc(2027, 3, 30, 8, 0), utc(2027, 4, 6, 8, 0)},
		},
		{
			// And back on Sunday 2027-10-31.
			"Europe/Berlin", Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 1}, utc(2027, 10, 19, 8, 0),
			[]time.Time{utc(2027, 10, 19, 8, 0), utc(2027, 10, 26, 8, 0), utc(2027, 11, 2, 9, 0)},
		},
		{
			// New York moves on Sunday 2027-03-14.
			"America/New_York", Schedule{time.Monday, 9 * 60, time.Hour, 1}, utc(2027, 3, 1, 14, 0),
			[]time.Time{utc(2027, 3, 1, 14, 0), utc(2027, 3, 8, 14, 0), utc(2027, 3, 15, 13, 0), utc(2027, 3, 22, 13, 0)},
		},
		{
			// Every other week across the Berlin change.
			"Europe/Berlin", Schedule{time.Thursday, 14*60 + 30, 45 * time.Minute, 2}, utc(2027, 3, 11, 13, 30),
			[]time.Time{utc(2027, 3, 11, 13, 30), utc(2027, 3, 25, 13, 30), utc(2027, 4, 8, 12, 30), utc(2027, 4, 22, 12, 30)},
		},
		{
			// Sydney leaves summer time on Sunday 2027-04-04: UTC+11 to +10.
			"Australia/Sydney", Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 1}, utc(2027, 3, 22, 23, 0),
			[]time.Time{utc(2027, 3, 22, 23, 0), utc(2027, 3, 29, 23, 0), utc(2027, 4, 6, 0, 0), utc(2027, 4, 13, 0, 0)},
		},
		{
			// Kolkata has no daylight saving time: always UTC+05:30.
			"Asia/Kolkata", Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 1}, utc(2027, 3, 16, 4, 30),
			[]time.Time{utc(2027, 3, 16, 4, 30), utc(2027, 3, 23, 4, 30), utc(2027, 3, 30, 4, 30), utc(2027, 4, 6, 4, 30)},
		},
	}
	for _, tt := range tests {
		loc := mustLoc(t, tt.zone)
		// Next, step by step.
		prev := tt.first
		for _, want := range tt.want[1:] {
			got := tt.s.Next(prev, loc)
			if !got.Equal(want) {
				t.Errorf("%s: %v.Next(%v) = %v, want %v", tt.zone, tt.s, prev.In(loc), got.UTC(), want)
			}
			if lt := got.In(loc); ClockTime(lt.Hour()*60+lt.Minute()) != tt.s.At || lt.Weekday() != tt.s.Weekday {
				t.Errorf("%s: %v.Next(%v) = %v local, want %s at %s", tt.zone, tt.s, prev.In(loc), lt, tt.s.Weekday, tt.s.At)
			}
			prev = want
		}
		// Occurrences over the same stretch.
		last := tt.want[len(tt.want)-1]
		got := tt.s.Occurrences(tt.first, tt.first, last.Add(time.Minute), loc)
		if !equalTimes(got, tt.want) {
			t.Errorf("%s: %v.Occurrences(%v, …) = %v, want %v", tt.zone, tt.s, tt.first, got, tt.want)
		}
		if err := tt.s.CheckTimes(tt.first, loc, 365*24*time.Hour); err != nil {
			t.Errorf("%s: %v.CheckTimes(%v) = %v, want nil", tt.zone, tt.s, tt.first, err)
		}
	}
	// Without daylight saving time a week is exactly 168 hours.
	kolkata := mustLoc(t, "Asia/Kolkata")
	s := Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 2}
	first := time.Date(2027, 1, 5, 10, 0, 0, 0, kolkata)
	if got, want := s.Next(first, kolkata).Sub(first), 14*24*time.Hour; got != want {
		t.Errorf("Asia/Kolkata: every other week is %v, want %v", got, want)
	}
}

func equalTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func TestScheduleOccurrences(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	s := Schedule{time.Tuesday, 10 * 60, 30 * time.Minute, 2}
	first := time.Date(2027, 1, 5, 10, 0, 0, 0, berlin)
	at := func(m time.Month, d int) time.Time { return time.Date(2027, m, d, 10, 0, 0, 0, berlin) }
	tests := []struct {
		name     string
		from, to time.Time
		want     []time.Time
	}{
		{"from before first", first.AddDate(0, 0, -30), at(1, 20), []time.Time{at(1, 5), at(1, 19)}},
		{"from is inclusive", at(1, 19), at(2, 3), []time.Time{at(1, 19), at(2, 2)}},
		{"to is exclusive", at(1, 19), at(2, 2), []time.Time{at(1, 19)}},
		{"off weeks skipped", at(1, 10), at(1, 18), nil},
		{"far from first", at(11, 1), at(12, 1), []time.Time{at(11, 9), at(11, 23)}},
		{"empty range", at(2, 2), at(2, 2), nil},
		{"reversed range", at(3, 1), at(2, 1), nil},
	}
	for _, tt := range tests {
		if got := s.Occurrences(first, tt.from, tt.to, berlin); !equalTimes(got, tt.want) {
			t.Errorf("%s: Occurrences(%v, %v, %v) = %v, want %v", tt.name, first, tt.from, tt.to, got, tt.want)
		}
	}
	// Jumping ahead gives the same slots as walking with Next.
	want := []time.Time{first}
	for len(want) < 200 {
		want = append(want, s.Next(want[len(want)-1], berlin))
	}
	from := want[150].Add(-time.Hour)
	if got := s.Occurrences(first, from, want[160], berlin); !equalTimes(got, want[150:160]) {
		t.Errorf("Occurrences far from first = %v, want %v", got, want[150:160])
	}
	// An open-ended range stops at the bound.
	if got := len(s.Occurrences(first, first, first.AddDate(100, 0, 0), berlin)); got != maxOccurrences {
		t.Errorf("Occurrences over a century returned %d slots, want the bound %d", got, maxOccurrences)
	}
}

func TestPhraseWords(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Let's do Tuesdays at 10, thanks!", "let s do tuesdays at 10 thanks"},
		{"Terças-feiras às 14h30", "tercas feiras as 14h30"},
		{"MITTWOCHS um 9.30 Uhr", "mittwochs um 9.30 uhr"},
		{"2 p.m. / 10 A.M.", "2pm 10am"},
		{"skip 2027-02-09 or 9/2, 1,5 hours", "skip 2027-02-09 or 9/2 1,5 hours"},
		{"Straße – fin.", "strasse fin"},
	}
	for _, tt := range tests {
		if got := strings.Join(phraseWords(tt.in), " "); got != tt.want {
			t.Errorf("phraseWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParsersNeverPanic feeds both parsers cut-off and reordered versions
// of real phrases and checks that they only ever answer with their own
// error types.
func TestParsersNeverPanic(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 2, 3, 9, 0, 0, 0, time.UTC)
	phrases := []string{
		"every other Thursday at 2:30 p.m. for an hour and a half",
		"jeden zweiten Donnerstag um 10 Uhr 30 für eine halbe Stunde",
		"move 2027-02-09 to Thursday Feb 11 at 3 o'clock",
		"pause check-ins until 9th of February 2028",
		"Tuesdays 10-11, tous les 15 jours, om de week, 1h30m",
		"skip 9/2 or 9.2.2027 or the 31st of April",
		"terças-feiras às 14h30 durante uma hora e meia",
	}
	var inputs []string
	for _, p := range phrases {
		words := strings.Fields(p)
		for i := range words {
			inputs = append(inputs, strings.Join(words[:i], " "), strings.Join(words[i:], " "))
			inputs = append(inputs, strings.Join(append(append([]string{}, words[i:]...), words[:i]...), " "))
		}
		for i := range len(p) {
			inputs = append(inputs, p[:i])
		}
	}
	for _, in := range inputs {
		if _, err := ReadSchedule(in); err != nil {
			var se *ScheduleError
			if !errors.As(err, &se) {
				t.Errorf("ReadSchedule(%q) error %T %v, want *ScheduleError", in, err, err)
			}
		}
		for _, ctx := range []bool{false, true} {
			if _, err := ParseCheckinCommand(in, now, time.UTC, ctx); err != nil {
				var ce *CommandError
				if !errors.Is(err, ErrNotCommand) && !errors.As(err, &ce) {
					t.Errorf("ParseCheckinCommand(%q, %v) error %T %v, want ErrNotCommand or *CommandError", in, ctx, err, err)
				}
			}
		}
	}
}
