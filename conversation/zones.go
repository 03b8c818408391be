package conversation

import (
	"time"
)

// LocalSchedule is the series' schedule as it reads in loc: the weekday
// and time of the next meeting after from, there. Varies reports that
// within the coming year the meeting moves in loc, because clocks change
// on different days where the series is kept and in loc.
func (cs *Series) LocalSchedule(loc *time.Location, from time.Time) (s Schedule, varies bool) {
	s = cs.Schedule
	meetings := cs.Schedule.Occurrences(cs.Start, maxTime(from, cs.Start), maxTime(from, cs.Start).Add(clashHorizon), cs.Zone)
	if len(meetings) == 0 {
		return s, false
	}
	local := func(t time.Time) (time.Weekday, ClockTime) {
		lt := t.In(loc)
		return lt.Weekday(), ClockTime(lt.Hour()*60 + lt.Minute())
	}
	s.Weekday, s.At = local(meetings[0])
	for _, t := range meetings[1:] {
		if wd, at := local(t); wd != s.Weekday || at != s.At {
			return s, true
		}
	}
	return s, false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// inSeriesZone turns a schedule a person gave in their own zone into the
// zone the series is kept in, by its first meeting after after.
func inSeriesZone(s Schedule, from, zone *time.Location, after time.Time) Schedule {
	if from.String() == zone.String() {
		return s
	}
	t := s.First(after, from).In(zone)
	s.Weekday, s.At = t.Weekday(), ClockTime(t.Hour()*60+t.Minute())
	return s
}

// OffHours is a check-in time outside one person's working hours: the
// quiet hours and days in their own zone.
type OffHours struct {
	// Who is the person the time does not suit, At the meeting.
	Who *Participant
	At  time.Time
	// From and To bound the start times that suit both people on the
	// organiser's day, as clock times in the organiser's zone, when Suits
	// says there are any.
	From, To ClockTime
	Suits    bool
	Length   time.Duration
}

// OffHoursError refuses a check-in time outside someone's working hours.
type OffHoursError struct{ OffHours OffHours }

func (e *OffHoursError) Error() string {
	o := e.OffHours
	return "the check-in at " + o.At.In(o.Who.Person.Location).Format("Mon 15:04") + " is outside the working hours of " + o.Who.Person.Name
}

// workable reports whether a meeting from start for length lies within
// the person's working hours: outside their quiet hours and days.
func (p *Partnership) workable(pt *Participant, start time.Time, length time.Duration) bool {
	q, loc := p.Rules.Quiet, pt.Person.Location
	last := start.Add(length - time.Minute)
	return !q.Contains(start, loc) && !q.Contains(last, loc) && start.In(loc).YearDay() == last.In(loc).YearDay()
}

// offHours checks meetings against both people's working hours and, for
// the first that does not suit someone, finds the times that suit both on
// that day, in the organiser's zone.
func (p *Partnership) offHours(organiser *Participant, starts []time.Time, length time.Duration) *OffHours {
	for _, t := range starts {
		for _, pt := range p.Participants {
			if pt.Status == ParticipantLeft || p.workable(pt, t, length) {
				continue
			}
			o := &OffHours{Who: pt, At: t, Length: length}
			loc := organiser.Person.Location
			lt := t.In(loc)
			for at := ClockTime(0); at < 24*60; at += 15 {
				cand := time.Date(lt.Year(), lt.Month(), lt.Day(), int(at)/60, int(at)%60, 0, 0, loc)
				if p.workable(p.Participants[0], cand, length) && p.workable(p.Participants[1], cand, length) {
					if !o.Suits {
						o.From, o.Suits = at, true
					}
					o.To = at
				} else if o.Suits {
					break
				}
			}
			return o
		}
	}
	return nil
}
