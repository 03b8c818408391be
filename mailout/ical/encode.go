package ical

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Layouts of DATE-TIME values: UTC, and local time that goes with a TZID.
const (
	utcLayout   = "20060102T150405Z"
	localLayout = "20060102T150405"
)

// Event statuses a VEVENT may carry.
const (
	StatusConfirmed = "CONFIRMED"
	StatusTentative = "TENTATIVE"
	StatusCancelled = "CANCELLED"
)

// Participation statuses: the first is what an invitation sends, the other
// three are the answers [ParseReply] accepts.
const (
	PartStatNeedsAction = "NEEDS-ACTION"
	PartStatAccepted    = "ACCEPTED"
	PartStatDeclined    = "DECLINED"
	PartStatTentative   = "TENTATIVE"
)

// RoleRequired is the attendee role used when none is given.
const RoleRequired = "REQ-PARTICIPANT"

// methods are the iTIP methods (RFC 5546 section 1.4).
var methods = map[string]bool{
	"PUBLISH": true, "REQUEST": true, "REPLY": true, "ADD": true,
	"CANCEL": true, "REFRESH": true, "COUNTER": true, "DECLINECOUNTER": true,
}

var weekdayCodes = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// Calendar is one iCalendar object: a METHOD, the zone every local time is
// written in, and the VEVENTs of a single series.
type Calendar struct {
	Method string         // iTIP method, such as REQUEST or CANCEL
	ProdID string         // PRODID, e.g. "-//Accord//Accord//EN"
	Zone   *time.Location // IANA zone of all local times; never nil or Local
	Events []Event        // the series, or overrides of its occurrences
}

// Event is one VEVENT: a meeting series, or one occurrence of it when
// RecurrenceID is set.
type Event struct {
	UID          string        // stable identifier shared by every message about the series
	Sequence     int           // revision, raised on every significant change and cancel
	Stamp        time.Time     // DTSTAMP, when this message was made; written in UTC
	Start        time.Time     // DTSTART, written as local time in Calendar.Zone
	Duration     time.Duration // length, written as DTEND in DTSTART's zone; zero writes none
	Summary      string        // SUMMARY, required in a REQUEST
	Description  string        // DESCRIPTION, optional
	Location     string        // LOCATION, optional
	Organizer    Address       // ORGANIZER, the mailbox that receives replies
	Attendees    []Attendee    // ATTENDEEs, everyone invited
	Status       string        // STATUS; empty writes none, except CANCELLED in a CANCEL
	Recurrence   *Rule         // RRULE of a weekly series, or nil
	ExDates      []time.Time   // EXDATE, original starts of dropped occurrences
	RecurrenceID time.Time     // RECURRENCE-ID, original start of the overridden occurrence
}

// Address is a calendar user: a display name and an email address.
type Address struct {
	Name  string // display name, written as CN
	Email string // address, written as a mailto: URI
}

// Attendee is an invited person and the state of their invitation.
type Attendee struct {
	Name     string // display name, written as CN
	Email    string // address, written as a mailto: URI
	Role     string // ROLE; empty means REQ-PARTICIPANT
	PartStat string // PARTSTAT; empty means NEEDS-ACTION
	RSVP     bool   // asks the attendee's client to answer
}

// Rule is a weekly recurrence: every Interval weeks on Weekday, until Until.
type Rule struct {
	Interval int          // 1 weekly, 2 fortnightly; zero means 1
	Weekday  time.Weekday // must be the weekday of Start in Calendar.Zone
	Until    time.Time    // last possible start, inclusive; zero for none
}

// Encode renders the calendar as an iCalendar object with CRLF line ends,
// or explains which rule the calendar breaks.
func (c *Calendar) Encode() ([]byte, error) {
	method := strings.ToUpper(strings.TrimSpace(c.Method))
	switch {
	case !methods[method]:
		return nil, fmt.Errorf("ical: METHOD %q is not an iTIP method", c.Method)
	case strings.TrimSpace(c.ProdID) == "":
		return nil, errors.New("ical: PRODID is empty")
	case c.Zone == nil:
		return nil, errors.New("ical: no time zone: floating times are not written")
	case c.Zone.String() == "" || c.Zone.String() == "Local":
		return nil, fmt.Errorf("ical: time zone %q has no portable name; use an IANA zone", c.Zone.String())
	case len(c.Events) == 0:
		return nil, errors.New("ical: no events")
	}
	var ref time.Time
	for i := range c.Events {
		e := &c.Events[i]
		if err := e.check(method, c.Zone); err != nil {
			return nil, fmt.Errorf("ical: event %d (%s): %w", i, e.UID, err)
		}
		if e.UID != c.Events[0].UID {
			return nil, fmt.Errorf("ical: event %d has UID %q, event 0 %q: one object carries one UID", i, e.UID, c.Events[0].UID)
		}
		for _, t := range []time.Time{e.Start, e.RecurrenceID} {
			if !t.IsZero() && (ref.IsZero() || t.Before(ref)) {
				ref = t
			}
		}
	}

	var b strings.Builder
	fold(&b, "BEGIN:VCALENDAR")
	fold(&b, "PRODID:"+escapeText(c.ProdID))
	fold(&b, "VERSION:2.0")
	fold(&b, "CALSCALE:GREGORIAN")
	fold(&b, "METHOD:"+method)
	if err := vtimezone(&b, c.Zone, ref); err != nil {
		return nil, err
	}
	for i := range c.Events {
		c.Events[i].write(&b, method, c.Zone)
	}
	fold(&b, "END:VCALENDAR")
	return []byte(b.String()), nil
}

// check reports what would make the event wrong or ambiguous for clients.
func (e *Event) check(method string, zone *time.Location) error {
	switch {
	case strings.TrimSpace(e.UID) == "":
		return errors.New("UID is empty")
	case e.Stamp.IsZero():
		return errors.New("DTSTAMP is zero")
	case e.Start.IsZero():
		return errors.New("DTSTART is zero")
	case e.Duration < 0:
		return fmt.Errorf("duration %v is negative", e.Duration)
	case e.Sequence < 0:
		return fmt.Errorf("SEQUENCE %d is negative", e.Sequence)
	case method == "REQUEST" && strings.TrimSpace(e.Summary) == "":
		return errors.New("a REQUEST needs a SUMMARY")
	case e.Recurrence != nil && !e.RecurrenceID.IsZero():
		return errors.New("an override of one occurrence (RECURRENCE-ID) carries no RRULE")
	case e.Recurrence == nil && len(e.ExDates) > 0:
		return errors.New("EXDATE without RRULE")
	}
	switch status := e.status(method); {
	case status != "" && status != StatusConfirmed && status != StatusTentative && status != StatusCancelled:
		return fmt.Errorf("STATUS %q is not CONFIRMED, TENTATIVE or CANCELLED", e.Status)
	case method == "REQUEST" && status == StatusCancelled:
		return errors.New("a REQUEST never carries STATUS:CANCELLED; send a CANCEL")
	case method == "CANCEL" && status != StatusCancelled:
		return fmt.Errorf("a CANCEL carries STATUS:CANCELLED, not %s", status)
	}
	if method == "REQUEST" || method == "CANCEL" {
		if e.Organizer.Email == "" {
			return fmt.Errorf("a %s needs an ORGANIZER", method)
		}
		if len(e.Attendees) == 0 {
			return fmt.Errorf("a %s needs at least one ATTENDEE", method)
		}
	}
	if e.Organizer.Email != "" {
		if err := checkEmail(e.Organizer.Email); err != nil {
			return fmt.Errorf("ORGANIZER: %w", err)
		}
	}
	for _, a := range e.Attendees {
		if err := checkEmail(a.Email); err != nil {
			return fmt.Errorf("ATTENDEE: %w", err)
		}
		for _, p := range []string{a.Role, a.PartStat} {
			if !isToken(p) {
				return fmt.Errorf("ATTENDEE %s: parameter value %q is not a token", a.Email, p)
			}
		}
	}
	if r := e.Recurrence; r != nil {
		return r.check(e, zone)
	}
	return nil
}

// check makes sure DTSTART is an occurrence of the rule, UNTIL is not
// before it, and every EXDATE removes a real occurrence, as clients
// disagree about anything else.
func (r *Rule) check(e *Event, zone *time.Location) error {
	if r.Interval < 0 {
		return fmt.Errorf("RRULE interval %d is negative", r.Interval)
	}
	if r.Weekday < time.Sunday || r.Weekday > time.Saturday {
		return fmt.Errorf("RRULE weekday %d is not a weekday", r.Weekday)
	}
	start := e.Start.In(zone)
	if start.Weekday() != r.Weekday {
		return fmt.Errorf("DTSTART %s is a %s, the rule says %s: DTSTART must be an occurrence", start.Format(time.DateTime), start.Weekday(), r.Weekday)
	}
	if !r.Until.IsZero() && r.Until.Before(e.Start) {
		return fmt.Errorf("UNTIL %s is before DTSTART", r.Until.UTC().Format(utcLayout))
	}
	for _, x := range e.ExDates {
		if !r.occurs(start, x.In(zone)) {
			return fmt.Errorf("EXDATE %s is no occurrence of the series", x.In(zone).Format(time.DateTime))
		}
	}
	return nil
}

// occurs reports whether local time t is an occurrence of the series that
// starts at local time start.
func (r *Rule) occurs(start, t time.Time) bool {
	clock := func(t time.Time) int { return t.Hour()*3600 + t.Minute()*60 + t.Second() }
	if clock(t) != clock(start) || t.Before(start) || (!r.Until.IsZero() && t.After(r.Until)) {
		return false
	}
	day := func(t time.Time) int64 {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
	}
	return (day(t)-day(start))%int64(7*max(r.Interval, 1)) == 0
}

// status is the STATUS to write: what the event says, or CANCELLED for a
// CANCEL that says nothing.
func (e *Event) status(method string) string {
	s := strings.ToUpper(strings.TrimSpace(e.Status))
	if s == "" && method == "CANCEL" {
		return StatusCancelled
	}
	return s
}

func (e *Event) write(b *strings.Builder, method string, zone *time.Location) {
	tzid := ";TZID=" + paramValue(zone.String(), false) + ":"
	local := func(t time.Time) string { return t.In(zone).Format(localLayout) }

	fold(b, "BEGIN:VEVENT")
	fold(b, "UID:"+escapeText(e.UID))
	fold(b, fmt.Sprintf("SEQUENCE:%d", e.Sequence))
	fold(b, "DTSTAMP:"+e.Stamp.UTC().Format(utcLayout))
	if !e.RecurrenceID.IsZero() {
		fold(b, "RECURRENCE-ID"+tzid+local(e.RecurrenceID))
	}
	fold(b, "DTSTART"+tzid+local(e.Start))
	if e.Duration > 0 {
		// DTEND rather than DURATION: both are valid, but several smaller
		// parsers mishandle DURATION. In DTSTART's zone, so an
		// occurrence keeps its length across a change of offset.
		fold(b, "DTEND"+tzid+local(e.Start.Add(e.Duration)))
	}
	if r := e.Recurrence; r != nil {
		rule := "FREQ=WEEKLY"
		if r.Interval > 1 {
			rule += fmt.Sprintf(";INTERVAL=%d", r.Interval)
		}
		if !r.Until.IsZero() {
			rule += ";UNTIL=" + r.Until.UTC().Format(utcLayout)
		}
		fold(b, "RRULE:"+rule+";BYDAY="+weekdayCodes[r.Weekday])
		if len(e.ExDates) > 0 {
			days := make([]string, len(e.ExDates))
			for i, x := range e.ExDates {
				days[i] = local(x)
			}
			fold(b, "EXDATE"+tzid+strings.Join(days, ","))
		}
	}
	if e.Summary != "" {
		fold(b, "SUMMARY:"+escapeText(e.Summary))
	}
	if e.Description != "" {
		fold(b, "DESCRIPTION:"+escapeText(e.Description))
	}
	if e.Location != "" {
		fold(b, "LOCATION:"+escapeText(e.Location))
	}
	if e.Organizer.Email != "" {
		fold(b, "ORGANIZER"+cn(e.Organizer.Name)+":"+mailto(e.Organizer.Email))
	}
	for _, a := range e.Attendees {
		role, partstat := strings.ToUpper(a.Role), strings.ToUpper(a.PartStat)
		if role == "" {
			role = RoleRequired
		}
		if partstat == "" {
			partstat = PartStatNeedsAction
		}
		line := "ATTENDEE" + cn(a.Name) + ";ROLE=" + role + ";PARTSTAT=" + partstat
		if a.RSVP {
			line += ";RSVP=TRUE"
		}
		fold(b, line+":"+mailto(a.Email))
	}
	if s := e.status(method); s != "" {
		fold(b, "STATUS:"+s)
	}
	fold(b, "END:VEVENT")
}

// cn renders a display name as a CN parameter, always quoted as most
// clients write it.
func cn(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	return ";CN=" + paramValue(name, true)
}

func mailto(email string) string {
	return "mailto:" + strings.TrimSpace(email)
}

// checkEmail refuses what cannot be written as a mailto: URI on one line.
func checkEmail(email string) error {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return fmt.Errorf("%q is not an email address", email)
	}
	for _, r := range email {
		if r <= ' ' || r == 0x7f || r == '"' || r == '<' || r == '>' {
			return fmt.Errorf("%q is not an email address", email)
		}
	}
	return nil
}

// isToken reports whether s may stand unquoted as a parameter value of the
// iana-token kind (letters, digits and dashes); empty is allowed.
func isToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
