package mailout

import (
	"fmt"
	"time"

	"accord/conversation"
	"accord/mailout/ical"
	"accord/templates"
)

// calendarHorizon is how far ahead a series invitation lists the meetings
// that will not take place.
const calendarHorizon = 2 * 365 * 24 * time.Hour

// CalendarOf builds the iMIP object a check-in change carries: the whole
// series (with its exceptions and moved meetings) for a new or changed
// series, only the moved meeting for a move, and a CANCEL for a dropped
// meeting (at its moved time, if moved) or an ended series (with its moved
// meetings still ahead), and a DECLINECOUNTER for a proposed time refused,
// its title and description in lang. It returns the method and the bytes.
func (r *Renderer) CalendarOf(p *conversation.Partnership, c *conversation.CalendarChange, lang string) (string, []byte, error) {
	cs := c.Series
	if cs == nil || cs.UID == "" {
		return "", nil, fmt.Errorf("mailout: calendar change %s has no stored series", c.Kind)
	}
	summary, description, err := templates.CalendarText(templates.CalendarWords{
		Lang:    lang,
		First:   conversation.FirstName(oneLine(p.Participants[0].Person.Name)),
		Second:  conversation.FirstName(oneLine(p.Participants[1].Person.Name)),
		Service: oneLine(r.Identity.Name),
	})
	if err != nil {
		return "", nil, err
	}
	base := ical.Event{
		UID:         cs.UID,
		Sequence:    c.Sequence,
		Stamp:       c.Stamp,
		Start:       cs.Start,
		Duration:    cs.Schedule.Length,
		Summary:     summary,
		Description: description,
		Organizer:   ical.Address{Name: oneLine(r.Identity.Name), Email: r.Identity.Address},
		Status:      ical.StatusConfirmed,
	}
	for _, pt := range p.Participants {
		base.Attendees = append(base.Attendees, ical.Attendee{Name: oneLine(pt.Person.Name), Email: pt.Person.Email, RSVP: true})
	}
	series := func() ical.Event {
		e := base
		e.Recurrence = &ical.Rule{Interval: cs.Schedule.Every, Weekday: cs.Schedule.Weekday}
		e.ExDates = cs.Excluded(c.Stamp.Add(calendarHorizon))
		return e
	}
	one := func(o *conversation.Occurrence) ical.Event {
		e := base
		e.RecurrenceID, e.Start = o.Original, o.Start
		return e
	}
	cancelled := func(e ical.Event) ical.Event {
		e.Status = ical.StatusCancelled
		return e
	}
	cal := ical.Calendar{Method: "REQUEST", ProdID: "-//Accord//Check-ins//EN", Zone: cs.Zone}
	switch c.Kind {
	case conversation.CalSeries:
		cal.Events = append(cal.Events, series())
		for _, o := range cs.Moved() {
			cal.Events = append(cal.Events, one(o))
		}
	case conversation.CalMoveOne:
		cal.Events = append(cal.Events, one(c.Occurrence))
	case conversation.CalCancelOne:
		// At the time it takes place: a moved meeting's moved time.
		cal.Method, cal.Events = "CANCEL", append(cal.Events, cancelled(one(c.Occurrence)))
	case conversation.CalCancelSeries:
		cal.Method, cal.Events = "CANCEL", append(cal.Events, cancelled(series()))
		// Moved meetings still ahead are cancelled by name too, at their
		// moved time, as Outlook does: calendars that keep an override as
		// an item of its own would otherwise leave it standing.
		for _, o := range cs.Moved() {
			if o.Start.After(c.Stamp) {
				cal.Events = append(cal.Events, cancelled(one(o)))
			}
		}
	case conversation.CalDeclineCounter:
		// The time the meeting (or the series) keeps, no status.
		e := series()
		if c.Occurrence != nil {
			e = one(c.Occurrence)
		}
		e.Status = ""
		cal.Method, cal.Events = "DECLINECOUNTER", append(cal.Events, e)
	default:
		return "", nil, fmt.Errorf("mailout: unknown calendar change %q", c.Kind)
	}
	data, err := cal.Encode()
	if err != nil {
		return "", nil, fmt.Errorf("mailout: calendar for partnership %d: %w", p.ID, err)
	}
	return cal.Method, data, nil
}
