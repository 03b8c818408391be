package ical

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotReply is wrapped by [ParseReply] for a well-formed object whose
// METHOD is neither REPLY nor COUNTER, so a caller can tell it from a
// broken one.
var ErrNotReply = errors.New("ical: not an iTIP REPLY or COUNTER")

// Reply is one attendee's answer about a series or one of its occurrences.
type Reply struct {
	Method       string    // "REPLY" or "COUNTER"
	UID          string    // the series the answer is about
	Sequence     int       // the revision answered; 0 when absent
	Stamp        time.Time // DTSTAMP, when the answer was made; zero when absent
	RecurrenceID time.Time // original start of the occurrence; zero for the series
	Attendee     Address   // who answers
	PartStat     string    // ACCEPTED, DECLINED or TENTATIVE; may be empty in a COUNTER
	Organizer    Address   // may be empty: outlook.com leaves ORGANIZER out
	Comment      string    // the note written with the answer, if any
	// Proposed is the new start the attendee proposes: a COUNTER's
	// DTSTART, or the time Apple's calendars put in a REPLY's ATTENDEE
	// parameter TO-ALL-PROPOSED-NEW-TIME; zero for none.
	Proposed time.Time
	// Skipped counts the object's content lines left out as outside the
	// grammar (see [Parse]); the answer was read without them.
	Skipped int
}

// ParseReply reads an iTIP REPLY or COUNTER and returns one Reply per
// VEVENT: a client that answers for a series and some of its occurrences
// at once sends a VEVENT for each, told apart by RECURRENCE-ID. Every
// VEVENT must carry the same UID and exactly one ATTENDEE whose PARTSTAT
// is ACCEPTED, DECLINED or TENTATIVE; in a COUNTER (a proposal of a new
// time, whose DTSTART is required) any other PARTSTAT is read as none. DATE-TIME values may use an IANA zone, a Windows
// zone name or a zone defined only by a VTIMEZONE in the object; DATE
// values are read as midnight UTC. Errors name the property and its line.
func ParseReply(data []byte) ([]Reply, error) {
	cal, err := Parse(data)
	if err != nil {
		return nil, err
	}
	m := cal.Prop("METHOD")
	if m == nil {
		return nil, fmt.Errorf("%w: the object has no METHOD", ErrNotReply)
	}
	method := strings.ToUpper(strings.TrimSpace(m.Value))
	if method != "REPLY" && method != "COUNTER" {
		return nil, fmt.Errorf("%w: line %d: METHOD is %q", ErrNotReply, m.Line, clip(m.Value))
	}
	events := cal.Children("VEVENT")
	if len(events) == 0 {
		return nil, errors.New("ical: the REPLY has no VEVENT")
	}
	zones := newZoneResolver(cal)
	out := make([]Reply, 0, len(events))
	for _, ev := range events {
		r, err := readReply(ev, zones, method)
		if err != nil {
			return nil, err
		}
		r.Skipped = cal.Skipped
		if len(out) > 0 && r.UID != out[0].UID {
			return nil, fmt.Errorf("ical: line %d: VEVENT has UID %q, an earlier one %q: a REPLY answers one event", ev.Line, clip(r.UID), clip(out[0].UID))
		}
		out = append(out, r)
	}
	return out, nil
}

// readReply reads the answer in one VEVENT of a REPLY or COUNTER.
func readReply(ev *Component, zones *zoneResolver, method string) (Reply, error) {
	r := Reply{Method: method}
	if uid := ev.Prop("UID"); uid != nil {
		r.UID = strings.TrimSpace(clean(uid.Text()))
	}
	if r.UID == "" {
		return r, fmt.Errorf("ical: line %d: VEVENT has no UID", ev.Line)
	}

	if p := ev.Prop("SEQUENCE"); p != nil {
		n, err := strconv.Atoi(strings.TrimSpace(p.Value))
		if err != nil || n < 0 {
			return r, fmt.Errorf("ical: line %d: SEQUENCE %q is not a non-negative integer", p.Line, clip(p.Value))
		}
		r.Sequence = n
	}
	if p := ev.Prop("DTSTAMP"); p != nil {
		t, err := zones.dateTime(p)
		if err != nil {
			return r, err
		}
		r.Stamp = t
	}
	if p := ev.Prop("RECURRENCE-ID"); p != nil {
		t, err := zones.dateTime(p)
		if err != nil {
			return r, err
		}
		r.RecurrenceID = t
	}

	atts := ev.PropsNamed("ATTENDEE")
	if len(atts) != 1 {
		return r, fmt.Errorf("ical: line %d: VEVENT has %d ATTENDEEs, a REPLY has exactly one", ev.Line, len(atts))
	}
	a := atts[0]
	addr, ok := address(a)
	if !ok {
		return r, fmt.Errorf("ical: line %d: ATTENDEE %q is not a mailto: address", a.Line, clip(a.Value))
	}
	r.Attendee = addr
	r.PartStat = strings.ToUpper(strings.TrimSpace(a.Param("PARTSTAT")))
	switch {
	case r.PartStat == PartStatAccepted, r.PartStat == PartStatDeclined, r.PartStat == PartStatTentative:
	case method == "COUNTER":
		r.PartStat = ""
	case r.PartStat == "":
		return r, fmt.Errorf("ical: line %d: ATTENDEE has no PARTSTAT", a.Line)
	default:
		return r, fmt.Errorf("ical: line %d: ATTENDEE PARTSTAT %q is not ACCEPTED, DECLINED or TENTATIVE", a.Line, clip(r.PartStat))
	}
	if method == "COUNTER" {
		p := ev.Prop("DTSTART")
		if p == nil {
			return r, fmt.Errorf("ical: line %d: the COUNTER proposes no DTSTART", ev.Line)
		}
		t, err := zones.dateTime(p)
		if err != nil {
			return r, err
		}
		r.Proposed = t
	} else if v := a.Param("TO-ALL-PROPOSED-NEW-TIME"); v != "" {
		t, err := proposedTime(v, a.Line, zones)
		if err != nil {
			return r, err
		}
		r.Proposed = t
	}

	// The organizer only confirms what the UID already says, so an odd
	// one is left empty rather than failing the answer.
	if p := ev.Prop("ORGANIZER"); p != nil {
		r.Organizer, _ = address(p)
	}
	if p := ev.Prop("COMMENT"); p != nil {
		r.Comment = clean(p.Text())
	} else if c := a.Param("X-RESPONSE-COMMENT"); c != "" {
		// Google Calendar carries the note as an ATTENDEE parameter.
		r.Comment = clean(unescapeText(c))
	} else if p := ev.Prop("X-CALENDARSERVER-PRIVATE-COMMENT"); p != nil {
		// Apple's calendars, with a proposed time.
		r.Comment = clean(p.Text())
	}
	return r, nil
}

// proposedTime reads Apple's TO-ALL-PROPOSED-NEW-TIME parameter, a list
// of content lines of its own ("DTSTART:20201225T083000Z;STATUS:;", or
// "DTSTART;TZID=Europe/Berlin:20201225T093000;…"): the DTSTART in it.
func proposedTime(v string, line int, zones *zoneResolver) (time.Time, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "DTSTART")
	if !ok {
		return time.Time{}, fmt.Errorf("ical: line %d: TO-ALL-PROPOSED-NEW-TIME %q proposes no DTSTART", line, clip(v))
	}
	p := &Property{Name: "DTSTART", Line: line}
	if tzid, ok := strings.CutPrefix(rest, ";TZID="); ok {
		name, after, found := strings.Cut(tzid, ":")
		if !found {
			return time.Time{}, fmt.Errorf("ical: line %d: TO-ALL-PROPOSED-NEW-TIME %q has no value", line, clip(v))
		}
		p.Params, rest = map[string][]string{"TZID": {name}}, ":"+after
	}
	value, ok := strings.CutPrefix(rest, ":")
	if !ok {
		return time.Time{}, fmt.Errorf("ical: line %d: TO-ALL-PROPOSED-NEW-TIME %q has no value", line, clip(v))
	}
	p.Value, _, _ = strings.Cut(value, ";")
	return zones.dateTime(p)
}

// address reads a CAL-ADDRESS property with a mailto: URI, in any case.
func address(p *Property) (Address, bool) {
	v := strings.TrimSpace(p.Value)
	if len(v) < 7 || !strings.EqualFold(v[:7], "mailto:") {
		return Address{}, false
	}
	email := strings.TrimSpace(v[7:])
	if checkEmail(email) != nil {
		return Address{}, false
	}
	return Address{Name: clean(p.Param("CN")), Email: clean(email)}, true
}

// clean makes text from outside safe to hand on: valid UTF-8 without
// control characters other than line breaks and tabs.
func clean(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) {
		return s
	}
	return cleanText(s)
}

// zoneResolver turns TZID parameters into zones: Go's tzdata for IANA and
// Windows names, and the object's own VTIMEZONE for anything else.
type zoneResolver struct {
	defs  map[string]*Component
	known map[string]*time.Location // tzdata lookups done so far, nil for unknown
	years map[zoneYearKey]*zoneYear // expansions done so far
}

// maxZoneYears bounds the zone and year pairs one object may need expanded
// from its own VTIMEZONEs. Each expansion reads the VTIMEZONE afresh, so
// without a bound a megabyte of VEVENTs, each in another year, would cost
// a read of a long VTIMEZONE apiece: seconds of work for one mail. An
// honest reply needs one or two.
const maxZoneYears = 16

type zoneYearKey struct {
	tzid string
	year int
}

func newZoneResolver(cal *Component) *zoneResolver {
	z := &zoneResolver{
		defs:  make(map[string]*Component),
		known: make(map[string]*time.Location),
		years: make(map[zoneYearKey]*zoneYear),
	}
	for _, vtz := range cal.Children("VTIMEZONE") {
		if id := vtz.Prop("TZID"); id != nil {
			z.defs[strings.TrimSpace(id.Text())] = vtz
		}
	}
	return z
}

// dateTime reads a DATE or DATE-TIME property.
func (z *zoneResolver) dateTime(p *Property) (time.Time, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("ical: line %d: %s: "+format, append([]any{p.Line, p.Name}, args...)...)
	}
	v := strings.TrimSpace(p.Value)
	if strings.EqualFold(p.Param("VALUE"), "DATE") || len(v) == 8 {
		t, err := time.Parse("20060102", v)
		if err != nil {
			return time.Time{}, bad("%q is not a DATE", clip(v))
		}
		return t, nil
	}
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		t, err := time.Parse(localLayout, v[:len(v)-1])
		if err != nil {
			return time.Time{}, bad("%q is not a DATE-TIME", clip(v))
		}
		return t, nil
	}
	civil, err := time.Parse(localLayout, v)
	if err != nil {
		return time.Time{}, bad("%q is not a DATE-TIME", clip(v))
	}
	tzid := strings.TrimSpace(p.Param("TZID"))
	if tzid == "" {
		return time.Time{}, bad("%s is a floating time (no TZID, no Z)", v)
	}
	loc, seen := z.known[tzid]
	if !seen {
		loc = knownZone(tzid)
		z.known[tzid] = loc
	}
	if loc != nil {
		return time.Date(civil.Year(), civil.Month(), civil.Day(), civil.Hour(), civil.Minute(), civil.Second(), 0, loc), nil
	}
	vtz := z.defs[tzid]
	if vtz == nil {
		return time.Time{}, bad("TZID %q is no known zone and has no VTIMEZONE", clip(tzid))
	}
	// Each zone and year is expanded once, however many VEVENTs use it.
	key := zoneYearKey{tzid, civil.Year()}
	zy := z.years[key]
	if zy == nil {
		if len(z.years) >= maxZoneYears {
			return time.Time{}, bad("TZID %q: local times in more than %d years of zones defined by VTIMEZONE", clip(tzid), maxZoneYears)
		}
		if zy, err = vtimezoneYear(vtz, civil.Year()); err != nil {
			return time.Time{}, bad("TZID %q: %v", clip(tzid), err)
		}
		z.years[key] = zy
	}
	return time.Date(civil.Year(), civil.Month(), civil.Day(), civil.Hour(), civil.Minute(), civil.Second(), 0, time.FixedZone(tzid, zy.offset(civil))), nil
}

// knownZone resolves an IANA or Windows zone name from Go's tzdata, or
// returns nil.
func knownZone(tzid string) *time.Location {
	if len(tzid) > 64 {
		return nil
	}
	if iana, ok := windowsZones[strings.ToLower(tzid)]; ok {
		tzid = iana
	}
	// Old Thunderbird wrote "/mozilla.org/20070129_1/Europe/Berlin".
	if strings.HasPrefix(tzid, "/") {
		parts := strings.Split(tzid, "/")
		for n := 3; n >= 2; n-- {
			if len(parts) > n+1 {
				if loc := knownZone(strings.Join(parts[len(parts)-n:], "/")); loc != nil {
					return loc
				}
			}
		}
		return nil
	}
	if tzid == "" || tzid == "Local" || strings.ContainsAny(tzid, " \\") {
		return nil
	}
	loc, err := time.LoadLocation(tzid)
	if err != nil {
		return nil
	}
	return loc
}

// onset is a moment, in local wall time, from which an observance's
// offset applies.
type onset struct {
	at time.Time // wall time, read as UTC
	to int       // offset from then on
}

// zoneYear is what one VTIMEZONE says about one year: its onsets up to
// the end of that year, latest first, and the offset before any of them.
type zoneYear struct {
	onsets []onset
	before int
}

// vtimezoneOffset returns the UTC offset a VTIMEZONE gives the local time
// civil: that of the observance whose latest onset is not after it, or the
// offset left at the earliest onset when civil precedes them all. Times
// within an hour of a change may come out on either side of it.
func vtimezoneOffset(vtz *Component, civil time.Time) (int, error) {
	zy, err := vtimezoneYear(vtz, civil.Year())
	if err != nil {
		return 0, err
	}
	return zy.offset(civil), nil
}

func (zy *zoneYear) offset(civil time.Time) int {
	// Onsets are sorted latest first: find the first not after civil.
	i, _ := slices.BinarySearchFunc(zy.onsets, civil, func(o onset, t time.Time) int {
		if o.at.After(t) {
			return -1
		}
		return 1
	})
	if i < len(zy.onsets) {
		return zy.onsets[i].to
	}
	return zy.before
}

// vtimezoneYear expands the observances of vtz for year.
func vtimezoneYear(vtz *Component, year int) (*zoneYear, error) {
	zy := &zoneYear{}
	var earliest *time.Time
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range vtz.Components {
		if o.Name != "STANDARD" && o.Name != "DAYLIGHT" {
			continue
		}
		ds, to := o.Prop("DTSTART"), o.Prop("TZOFFSETTO")
		if ds == nil || to == nil {
			return nil, fmt.Errorf("%s at line %d lacks DTSTART or TZOFFSETTO", o.Name, o.Line)
		}
		start, err := time.Parse(localLayout, strings.TrimSpace(ds.Value))
		if err != nil {
			return nil, fmt.Errorf("line %d: DTSTART %q is not a local DATE-TIME", ds.Line, clip(ds.Value))
		}
		toOff, err := parseOffset(to.Value)
		if err != nil {
			return nil, fmt.Errorf("line %d: TZOFFSETTO: %v", to.Line, err)
		}
		if earliest == nil || start.Before(*earliest) {
			earliest = &start
			zy.before = toOff
			if from := o.Prop("TZOFFSETFROM"); from != nil {
				if off, err := parseOffset(from.Value); err == nil {
					zy.before = off
				}
			}
		}
		starts := []time.Time{start}
		if rr := o.Prop("RRULE"); rr != nil {
			starts = append(starts, yearlyOnsets(rr.Value, start, year)...)
		}
		for _, rd := range o.PropsNamed("RDATE") {
			for _, v := range strings.Split(rd.Value, ",") {
				if t, err := time.Parse(localLayout, strings.TrimSpace(v)); err == nil {
					starts = append(starts, t)
				}
			}
		}
		for _, s := range starts {
			if !s.Before(start) && s.Before(end) {
				zy.onsets = append(zy.onsets, onset{at: s, to: toOff})
			}
		}
	}
	if earliest == nil {
		return nil, errors.New("VTIMEZONE has no STANDARD or DAYLIGHT")
	}
	slices.SortStableFunc(zy.onsets, func(a, b onset) int { return b.at.Compare(a.at) })
	return zy, nil
}

// yearlyOnsets expands a yearly observance RRULE for year and the year
// before, at the wall time of start: enough to find the latest onset.
// Rules it cannot read give nothing, leaving only DTSTART.
func yearlyOnsets(rule string, start time.Time, year int) []time.Time {
	parts := make(map[string]string)
	for _, kv := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(kv, "=")
		parts[strings.ToUpper(strings.TrimSpace(k))] = strings.ToUpper(strings.TrimSpace(v))
	}
	if parts["FREQ"] != "YEARLY" {
		return nil
	}
	var until time.Time
	if u := parts["UNTIL"]; u != "" {
		t, err := time.Parse(localLayout, strings.TrimSuffix(u, "Z"))
		if err != nil {
			if t, err = time.Parse("20060102", u); err != nil {
				return nil
			}
		}
		until = t
	}
	months := []time.Month{start.Month()}
	if bm := parts["BYMONTH"]; bm != "" {
		months = months[:0]
		for _, s := range strings.Split(bm, ",") {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 12 {
				return nil
			}
			months = append(months, time.Month(n))
		}
	}
	var days []nthWeekday
	for _, s := range strings.Split(parts["BYDAY"], ",") {
		if s == "" {
			continue
		}
		if len(s) < 2 {
			return nil
		}
		wd := -1
		for i, c := range weekdayCodes {
			if s[len(s)-2:] == c {
				wd = i
			}
		}
		n := 0
		if num := s[:len(s)-2]; num != "" {
			var err error
			if n, err = strconv.Atoi(num); err != nil || n < -5 || n > 5 {
				return nil
			}
		}
		if wd < 0 {
			return nil
		}
		days = append(days, nthWeekday{n, time.Weekday(wd)})
	}
	var monthDays []int
	for _, s := range strings.Split(parts["BYMONTHDAY"], ",") {
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n == 0 || n < -31 || n > 31 {
			return nil
		}
		monthDays = append(monthDays, n)
	}

	// A real rule names a day or two; long lists only cost time.
	if len(months) > 12 || len(days) > 14 || len(monthDays) > 31 {
		return nil
	}
	var out []time.Time
	for y := year - 1; y <= year; y++ {
		for _, m := range months {
			last := daysIn(y, m)
			for d := 1; d <= last; d++ {
				t := time.Date(y, m, d, start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
				if !matchesDay(t, last, days, monthDays, start.Day()) {
					continue
				}
				if until.IsZero() || !t.After(until) {
					out = append(out, t)
				}
				if len(out) > 24 {
					return nil // no observance changes more than monthly
				}
			}
		}
	}
	return out
}

// nthWeekday is one BYDAY entry: a weekday, and its ordinal within the
// month when n is not 0 (negative counts from the end).
type nthWeekday struct {
	n  int
	wd time.Weekday
}

// matchesDay applies BYDAY and BYMONTHDAY to one day of a month with last
// days; with neither, the rule keeps the day of DTSTART.
func matchesDay(t time.Time, last int, days []nthWeekday, monthDays []int, startDay int) bool {
	d := t.Day()
	if len(days) == 0 && len(monthDays) == 0 {
		return d == startDay
	}
	if len(days) > 0 {
		ok := false
		for _, b := range days {
			if b.wd == t.Weekday() && (b.n == 0 || b.n > 0 && (d-1)/7+1 == b.n || b.n < 0 && (last-d)/7+1 == -b.n) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if len(monthDays) > 0 {
		ok := false
		for _, n := range monthDays {
			if n == d || n < 0 && last+1+n == d {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// parseOffset reads an RFC 5545 utc-offset such as -0330 or +053000.
func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if (len(s) != 5 && len(s) != 7) || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("%q is not a UTC offset", clip(s))
	}
	var parts [3]int
	for i := 0; 1+2*i < len(s); i++ {
		n, err := strconv.Atoi(s[1+2*i : 3+2*i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a UTC offset", clip(s))
		}
		parts[i] = n
	}
	if parts[0] > 23 || parts[1] > 59 || parts[2] > 59 {
		return 0, fmt.Errorf("%q is not a UTC offset", clip(s))
	}
	sec := parts[0]*3600 + parts[1]*60 + parts[2]
	if s[0] == '-' {
		sec = -sec
	}
	return sec, nil
}
