package ical

import (
	"fmt"
	"strings"
	"time"
)

// checkYears is how many years, from the reference year on, a derived
// VTIMEZONE rule must reproduce Go's transitions for.
const checkYears = 11

// transition is one change of UTC offset.
type transition struct {
	at       time.Time // the instant of the change
	from, to int       // UTC offsets in seconds
	name     string    // abbreviation in force after the change
}

// local is the wall time just before the change, read in the old offset.
func (t transition) local() time.Time {
	return t.at.In(time.FixedZone("", t.from))
}

// zoneTransitions lists the offset changes of loc in [from, to).
func zoneTransitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	t := from
	// A zone changes offset a few times a year at most; the bound only
	// guards against a Location that never advances.
	for range 1000 {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.After(t) || !end.Before(to) {
			break
		}
		_, before := t.In(loc).Zone()
		name, after := end.In(loc).Zone()
		if before != after {
			out = append(out, transition{at: end, from: before, to: after, name: name})
		}
		t = end
	}
	return out
}

// yearlyRule is one observance's onset, repeated every year: a weekday of
// a month, picked by an ordinal (1 to 4, or -1 for the last) or, when
// ordinal is 0, the one that falls on firstDay to firstDay+6.
type yearlyRule struct {
	month    time.Month
	weekday  time.Weekday
	ordinal  int
	firstDay int
	clock    time.Duration // wall time of day in the old offset
}

// day returns the day of the month the rule picks in year.
func (r yearlyRule) day(year int) int {
	days := daysIn(year, r.month)
	switch {
	case r.ordinal > 0:
		first := int(time.Date(year, r.month, 1, 0, 0, 0, 0, time.UTC).Weekday())
		return 1 + (int(r.weekday)-first+7)%7 + 7*(r.ordinal-1)
	case r.ordinal < 0:
		last := int(time.Date(year, r.month, days, 0, 0, 0, 0, time.UTC).Weekday())
		return days - (last-int(r.weekday)+7)%7
	default:
		first := int(time.Date(year, r.month, r.firstDay, 0, 0, 0, 0, time.UTC).Weekday())
		return r.firstDay + (int(r.weekday)-first+7)%7
	}
}

// onset is the instant the rule fires in year for a change away from the
// given offset.
func (r yearlyRule) onset(year, from int) time.Time {
	d := time.Date(year, r.month, r.day(year), 0, 0, 0, 0, time.FixedZone("", from))
	return d.Add(r.clock)
}

// rrule renders the rule as an RFC 5545 RRULE value.
func (r yearlyRule) rrule() string {
	day := weekdayCodes[r.weekday]
	if r.ordinal != 0 {
		return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", r.month, r.ordinal, day)
	}
	days := make([]string, 7)
	for i := range days {
		days[i] = fmt.Sprint(r.firstDay + i)
	}
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%s;BYMONTHDAY=%s", r.month, day, strings.Join(days, ","))
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// observance is one STANDARD or DAYLIGHT block.
type observance struct {
	daylight bool
	from, to int
	name     string
	rule     *yearlyRule // nil for a zone without changes
}

// zoneBlocks works out the observances that describe loc from the year of
// ref on: none, or a pair of yearly rules checked against Go's tzdata for
// that year and the ten after it.
func zoneBlocks(loc *time.Location, ref time.Time) ([]observance, error) {
	year := ref.In(loc).Year()
	// The day of margin on each side lets a change near New Year be
	// counted in the year its wall time belongs to.
	all := zoneTransitions(loc,
		time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -2),
		time.Date(year+checkYears, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2))
	perYear := make(map[int][]transition)
	for _, t := range all {
		y := t.local().Year()
		if y >= year && y < year+checkYears {
			perYear[y] = append(perYear[y], t)
		}
	}
	if len(perYear) == 0 {
		name, off := time.Date(year, 1, 1, 0, 0, 0, 0, loc).Zone()
		return []observance{{from: off, to: off, name: name}}, nil
	}

	// Every year must have one change forward and one back, between the
	// same two offsets.
	var up, down []transition
	for y := year; y < year+checkYears; y++ {
		ts := perYear[y]
		if len(ts) != 2 {
			return nil, fmt.Errorf("ical: zone %s changes offset %d times in %d; no yearly rule describes it", loc, len(ts), y)
		}
		for _, t := range ts {
			if t.to > t.from {
				up = append(up, t)
			} else {
				down = append(down, t)
			}
		}
		if len(up) != len(down) {
			return nil, fmt.Errorf("ical: zone %s does not change forward and back once each in %d", loc, y)
		}
	}
	var out []observance
	for _, ts := range [][]transition{down, up} {
		for _, t := range ts[1:] {
			if t.from != ts[0].from || t.to != ts[0].to {
				return nil, fmt.Errorf("ical: zone %s changes its offsets between %d and %d; no yearly rule describes it", loc, year, year+checkYears-1)
			}
		}
		rule, err := deriveRule(ts)
		if err != nil {
			return nil, fmt.Errorf("ical: zone %s: %w", loc, err)
		}
		out = append(out, observance{daylight: ts[0].to > ts[0].from, from: ts[0].from, to: ts[0].to, name: ts[0].name, rule: rule})
	}
	return out, nil
}

// deriveRule finds a yearly rule that reproduces every transition in ts,
// one per consecutive year.
func deriveRule(ts []transition) (*yearlyRule, error) {
	first := ts[0].local()
	clock := first.Sub(time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, first.Location()))
	base := yearlyRule{month: first.Month(), weekday: first.Weekday(), clock: clock}

	var candidates []yearlyRule
	if first.Day() > daysIn(first.Year(), first.Month())-7 {
		r := base
		r.ordinal = -1
		candidates = append(candidates, r)
	}
	if n := (first.Day()-1)/7 + 1; n <= 4 {
		r := base
		r.ordinal = n
		candidates = append(candidates, r)
	}
	// A rule such as "the Friday before the last Sunday" is no nth
	// weekday, but it is "the Friday among these seven days".
	lo, hi := first.Day(), first.Day()
	for _, t := range ts {
		d := t.local().Day()
		lo, hi = min(lo, d), max(hi, d)
	}
	if hi-lo <= 6 {
		r := base
		r.firstDay = lo
		candidates = append(candidates, r)
	}
	for _, r := range candidates {
		if reproduces(r, ts) {
			return &r, nil
		}
	}
	return nil, fmt.Errorf("no yearly rule reproduces its changes on %s", first.Format("2006-01-02 15:04"))
}

// reproduces reports whether r fires at exactly the instants of ts.
func reproduces(r yearlyRule, ts []transition) bool {
	for _, t := range ts {
		if !r.onset(t.local().Year(), t.from).Equal(t.at) {
			return false
		}
	}
	return true
}

// vtimezone renders the VTIMEZONE for loc, valid from the year of ref.
func vtimezone(b *strings.Builder, loc *time.Location, ref time.Time) error {
	obs, err := zoneBlocks(loc, ref)
	if err != nil {
		return err
	}
	fold(b, "BEGIN:VTIMEZONE")
	fold(b, "TZID:"+escapeText(loc.String()))
	for _, o := range obs {
		kind := "STANDARD"
		if o.daylight {
			kind = "DAYLIGHT"
		}
		fold(b, "BEGIN:"+kind)
		if o.rule == nil {
			fold(b, "DTSTART:19700101T000000")
		} else {
			fold(b, "DTSTART:"+o.rule.onset(1970, 0).Format(localLayout))
			fold(b, "RRULE:"+o.rule.rrule())
		}
		fold(b, "TZOFFSETFROM:"+utcOffset(o.from))
		fold(b, "TZOFFSETTO:"+utcOffset(o.to))
		if abbreviation(o.name) {
			fold(b, "TZNAME:"+escapeText(o.name))
		}
		fold(b, "END:"+kind)
	}
	fold(b, "END:VTIMEZONE")
	return nil
}

// abbreviation reports whether tzdata gave the zone a real name; where it
// has none it uses the offset ("-03", "+0530"), which says nothing more.
func abbreviation(name string) bool {
	return name != "" && !strings.ContainsAny(name[:1], "+-0123456789")
}

// utcOffset formats seconds east of UTC as RFC 5545 utc-offset.
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
