package ical

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// change is one UTC offset change, as tzdata has it or a VTIMEZONE says.
type change struct {
	at       time.Time
	from, to int
}

func (c change) String() string {
	return fmt.Sprintf("%s %s->%s", c.at.UTC().Format(time.RFC3339), utcOffset(c.from), utcOffset(c.to))
}

// tzdataChanges finds the offset changes of loc in the years [from, to]
// by stepping a day at a time and bisecting to the second, independently
// of the ZoneBounds walk the package uses.
func tzdataChanges(loc *time.Location, from, to int) []change {
	offset := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	var out []change
	end := time.Date(to+1, 1, 1, 0, 0, 0, 0, time.UTC)
	for day := time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC); day.Before(end); day = day.Add(24 * time.Hour) {
		next := day.Add(24 * time.Hour)
		o1, o2 := offset(day), offset(next)
		if o1 == o2 {
			continue
		}
		lo, hi := day, next // offset(lo) == o1, offset(hi) != o1
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			if offset(mid) == o1 {
				lo = mid
			} else {
				hi = mid
			}
		}
		out = append(out, change{at: hi, from: o1, to: offset(hi)})
	}
	return out
}

// expandObservances predicts the offset changes a VTIMEZONE describes in
// the years [from, to]. It reads only the shapes the package writes:
// DTSTART in 1970 and FREQ=YEARLY with BYMONTH and BYDAY, the latter with
// an ordinal or together with BYMONTHDAY. Every DTSTART must itself be an
// occurrence of its rule.
func expandObservances(vtz *Component, from, to int) ([]change, error) {
	var out []change
	for _, o := range vtz.Components {
		dtstart, err := time.Parse(localLayout, o.Prop("DTSTART").Value)
		if err != nil {
			return nil, err
		}
		offFrom, err1 := parseOffset(o.Prop("TZOFFSETFROM").Value)
		offTo, err2 := parseOffset(o.Prop("TZOFFSETTO").Value)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("offsets: %v %v", err1, err2)
		}
		rr := o.Prop("RRULE")
		if rr == nil {
			if offFrom != offTo {
				return nil, fmt.Errorf("%s without RRULE changes the offset", o.Name)
			}
			continue
		}
		rule := map[string]string{}
		for _, kv := range strings.Split(rr.Value, ";") {
			k, v, _ := strings.Cut(kv, "=")
			rule[k] = v
		}
		month, err := strconv.Atoi(rule["BYMONTH"])
		if rule["FREQ"] != "YEARLY" || err != nil {
			return nil, fmt.Errorf("unexpected RRULE %s", rr.Value)
		}
		byday := rule["BYDAY"]
		code := byday[len(byday)-2:]
		wd := slices.Index(weekdayCodes[:], code)
		ordinal := 0
		if byday != code {
			if ordinal, err = strconv.Atoi(byday[:len(byday)-2]); err != nil {
				return nil, err
			}
		}
		var monthDays []int
		if md := rule["BYMONTHDAY"]; md != "" {
			for _, s := range strings.Split(md, ",") {
				n, err := strconv.Atoi(s)
				if err != nil {
					return nil, err
				}
				monthDays = append(monthDays, n)
			}
		}
		// occurrences lists the days of the month the rule picks in year.
		occurrences := func(year int) []int {
			var days []int
			first := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
			for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
				if int(d.Weekday()) != wd {
					continue
				}
				before := (d.Day() - 1) / 7                                                                  // same weekdays earlier in the month
				after := (time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() - d.Day()) / 7 // and later
				switch {
				case ordinal > 0 && before+1 != ordinal, ordinal < 0 && after+1 != -ordinal:
					continue
				case monthDays != nil && !slices.Contains(monthDays, d.Day()):
					continue
				}
				days = append(days, d.Day())
			}
			return days
		}
		if dtstart.Year() != 1970 || !slices.Contains(occurrences(1970), dtstart.Day()) || int(dtstart.Month()) != month {
			return nil, fmt.Errorf("%s DTSTART %s is no occurrence of %s", o.Name, o.Prop("DTSTART").Value, rr.Value)
		}
		for y := from; y <= to; y++ {
			days := occurrences(y)
			if len(days) != 1 {
				return nil, fmt.Errorf("%s: %s picks %d days in %d", o.Name, rr.Value, len(days), y)
			}
			local := time.Date(y, time.Month(month), days[0], dtstart.Hour(), dtstart.Minute(), dtstart.Second(), 0, time.UTC)
			out = append(out, change{at: local.Add(-time.Duration(offFrom) * time.Second), from: offFrom, to: offTo})
		}
	}
	slices.SortFunc(out, func(a, b change) int { return a.at.Compare(b.at) })
	return out, nil
}

// checkVTimezone compares what a VTIMEZONE predicts for [from, to] with
// Go's tzdata for loc.
func checkVTimezone(vtz *Component, loc *time.Location, from, to int) error {
	got, err := expandObservances(vtz, from, to)
	if err != nil {
		return err
	}
	want := tzdataChanges(loc, from, to)
	if len(want) == 0 {
		_, off := time.Date(from, 6, 1, 0, 0, 0, 0, loc).Zone()
		obs := vtz.Components
		if len(obs) != 1 || obs[0].Name != "STANDARD" || obs[0].Prop("TZOFFSETTO").Value != utcOffset(off) {
			return fmt.Errorf("zone without changes: want one STANDARD with offset %s", utcOffset(off))
		}
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("VTIMEZONE predicts\n%v\ntzdata has\n%v", got, want)
	}
	return nil
}

func parseVTimezone(t *testing.T, text string) *Component {
	t.Helper()
	cal, err := Parse([]byte("BEGIN:VCALENDAR\r\n" + text + "END:VCALENDAR\r\n"))
	if err != nil {
		t.Fatalf("Parse(VTIMEZONE) = %v\n%s", err, text)
	}
	return cal.Children("VTIMEZONE")[0]
}

// TestVTimezoneMatchesTzdata expands the RRULEs of every generated
// VTIMEZONE for 2026 to 2036 and requires each predicted change to be
// exactly one that Go's tzdata has, and none missing.
func TestVTimezoneMatchesTzdata(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone string
		want []string // lines the VTIMEZONE must contain
	}{
		{"Europe/Berlin", []string{"DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "TZNAME:CEST", "TZOFFSETTO:+0100"}},
		{"Europe/London", []string{"DTSTART:19700329T010000", "DTSTART:19701025T020000", "TZNAME:BST", "TZOFFSETTO:+0000"}},
		{"America/New_York", []string{"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "DTSTART:19700308T020000", "DTSTART:19701101T020000", "TZOFFSETTO:-0400"}},
		{"America/Los_Angeles", []string{"TZOFFSETFROM:-0800", "TZOFFSETTO:-0700", "TZNAME:PDT"}},
		{"Australia/Sydney", []string{"RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "DTSTART:19700405T030000", "DTSTART:19701004T020000"}},
		{"Pacific/Auckland", []string{"RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU", "TZOFFSETTO:+1300"}},
		{"America/Santiago", []string{"TZOFFSETFROM:-0400", "TZOFFSETTO:-0300"}},
		{"Asia/Jerusalem", []string{"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}},
		{"America/Sao_Paulo", []string{"DTSTART:19700101T000000", "TZOFFSETFROM:-0300", "TZOFFSETTO:-0300"}},
		{"Europe/Istanbul", []string{"TZOFFSETTO:+0300"}},
		{"Asia/Tehran", []string{"TZOFFSETTO:+0330"}},
		{"Asia/Tokyo", []string{"DTSTART:19700101T000000", "TZOFFSETTO:+0900", "TZNAME:JST"}},
		{"Asia/Kolkata", []string{"TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "TZNAME:IST"}},
		{"UTC", []string{"TZID:UTC", "TZOFFSETTO:+0000", "TZNAME:UTC"}},
		{"America/St_Johns", []string{"TZOFFSETFROM:-0330", "TZOFFSETTO:-0230", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"}},
		{"Australia/Lord_Howe", []string{"TZOFFSETFROM:+1030", "TZOFFSETTO:+1100", "DTSTART:19701004T020000", "DTSTART:19700405T020000"}},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := vtimezone(&b, loc, time.Date(2026, 5, 1, 9, 0, 0, 0, loc)); err != nil {
				t.Fatalf("vtimezone(%q) = %v", tc.zone, err)
			}
			text := b.String()
			vtz := parseVTimezone(t, text)
			if err := checkVTimezone(vtz, loc, 2026, 2036); err != nil {
				t.Errorf("vtimezone(%q) disagrees with tzdata: %v\n%s", tc.zone, err, text)
			}
			for _, line := range tc.want {
				if !strings.Contains(text, line+"\r\n") {
					t.Errorf("vtimezone(%q) lacks %q:\n%s", tc.zone, line, text)
				}
			}
			if strings.Count(text, "BEGIN:STANDARD") != 1 || strings.Count(text, "BEGIN:DAYLIGHT") > 1 {
				t.Errorf("vtimezone(%q) is not one STANDARD and at most one DAYLIGHT:\n%s", tc.zone, text)
			}
		})
	}
}

// TestCheckVTimezoneFails shows that the check above can fail: wrong
// rules, a wrong clock and a missing DAYLIGHT are all caught.
func TestCheckVTimezoneFails(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := vtimezone(&b, berlin, time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)); err != nil {
		t.Fatal(err)
	}
	good := b.String()
	for _, tc := range []struct{ name, old, new string }{
		{"second Sunday", "BYMONTH=3;BYDAY=-1SU", "BYMONTH=3;BYDAY=2SU"},
		{"an hour late", "DTSTART:19700329T020000", "DTSTART:19700329T030000"},
		{"DTSTART no occurrence", "DTSTART:19701025T030000", "DTSTART:19701018T030000"},
		{"no DAYLIGHT", "BEGIN:DAYLIGHT", "BEGIN:X-GONE"},
	} {
		bad := strings.Replace(good, tc.old, tc.new, 1)
		if tc.name == "no DAYLIGHT" {
			bad = good[:strings.Index(good, "BEGIN:DAYLIGHT")] + "END:VTIMEZONE\r\n"
		}
		if bad == good {
			t.Fatalf("%s: %q not found in\n%s", tc.name, tc.old, good)
		}
		if err := checkVTimezone(parseVTimezone(t, bad), berlin, 2026, 2036); err == nil {
			t.Errorf("checkVTimezone(%s) = nil, want an error", tc.name)
		}
	}
}

// TestVTimezoneRefusesIrregularZones: a zone whose changes follow no
// yearly rule gets an error, never a wrong VTIMEZONE.
func TestVTimezoneRefusesIrregularZones(t *testing.T) {
	t.Parallel()
	// Morocco leaves its offset during Ramadan, which moves every year.
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := vtimezone(&b, loc, time.Date(2026, 1, 1, 0, 0, 0, 0, loc)); err == nil {
		t.Errorf("vtimezone(Africa/Casablanca) = nil error, want one; wrote\n%s", b.String())
	}
}

func TestUTCOffset(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   int
		want string
	}{
		{0, "+0000"}, {3600, "+0100"}, {-12600, "-0330"}, {19800, "+0530"}, {-(3600 + 1800 + 15), "-013015"},
	} {
		if got := utcOffset(tc.in); got != tc.want {
			t.Errorf("utcOffset(%d) = %q, want %q", tc.in, got, tc.want)
		}
		if back, err := parseOffset(tc.want); err != nil || back != tc.in {
			t.Errorf("parseOffset(%q) = %d, %v, want %d", tc.want, back, err, tc.in)
		}
	}
}
