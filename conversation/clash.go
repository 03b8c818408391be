package conversation

import (
	"fmt"
	"time"
)

// OtherSeries is a running check-in series of one of the two people in
// another partnership. Adapters load them, to be read only, so that a
// time that would give someone two meetings at once is refused.
type OtherSeries struct {
	// Who is the participant of this partnership who meets in it.
	Who *Participant
	// With is the name of whom they meet there.
	With   string
	Series *Series
}

// Clash is a check-in time that overlaps another check-in of one of the
// two people.
type Clash struct {
	Who  *Participant
	With string
	// At is when the other meeting starts, Length how long it lasts.
	At     time.Time
	Length time.Duration
	// Free is, for a series, the nearest schedule that clashes with
	// nothing; FreeAt, for one meeting, the nearest free start on the
	// same day. Both are zero when nothing free was found.
	Free   *Schedule
	FreeAt time.Time
}

// ClashError refuses a check-in time that overlaps another check-in.
type ClashError struct{ Clash Clash }

func (e *ClashError) Error() string {
	c := e.Clash
	msg := fmt.Sprintf("%s already meets %s at %s", c.Who.Person.Name, c.With, c.At.In(c.Who.Person.Location).Format("Mon 2 Jan 15:04"))
	switch {
	case c.Free != nil:
		msg += "; the nearest free time is " + c.Free.Spec()
	case !c.FreeAt.IsZero():
		msg += "; the nearest free time that day is " + c.FreeAt.In(c.Who.Person.Location).Format("15:04")
	}
	return msg
}

// clashHorizon is how far ahead meetings are compared.
const clashHorizon = 53 * 7 * 24 * time.Hour

// clashWith finds the first of the meetings starting at starts, each of
// length, that overlaps a meeting of another series.
func (p *Partnership) clashWith(starts []time.Time, length time.Duration) *Clash {
	if len(starts) == 0 {
		return nil
	}
	from, to := starts[0], starts[len(starts)-1].Add(length)
	for _, o := range p.OtherCheckins {
		cs := o.Series
		if cs == nil || cs.Status == SeriesCancelled {
			continue
		}
		for _, m := range cs.meetings(from.Add(-maxMeetingLength), to) {
			if m.State == OccSkipped || cs.paused(m.Original) {
				continue
			}
			for _, t := range starts {
				if t.Before(m.End(cs)) && m.Start.Before(t.Add(length)) {
					return &Clash{Who: o.Who, With: o.With, At: m.Start, Length: cs.Schedule.Length}
				}
			}
		}
	}
	return nil
}

// seriesClash checks a schedule whose first meeting is first against the
// two people's other check-ins over the coming year, and finds the
// nearest free schedule when it clashes.
func (p *Partnership) seriesClash(s Schedule, first time.Time, zone *time.Location, now time.Time) *Clash {
	c := p.clashWith(s.Occurrences(first, first, first.Add(clashHorizon), zone), s.Length)
	if c == nil {
		return nil
	}
	// The same day later, then the following working days, in quarter
	// hours from 08:00 to 18:00 in the series' zone.
	for day := range 7 {
		wd := time.Weekday((int(s.Weekday) + day) % 7)
		if wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for at := ClockTime(8 * 60); at+ClockTime(s.Length/time.Minute) <= 18*60; at += 15 {
			if day == 0 && at <= s.At {
				continue
			}
			cand := s
			cand.Weekday, cand.At = wd, at
			f := cand.First(now.Add(p.Rules.Checkins.FirstAfter), zone)
			if cand.CheckTimes(f, zone, clashHorizon) != nil {
				continue
			}
			if p.clashWith(cand.Occurrences(f, f, f.Add(clashHorizon), zone), cand.Length) == nil {
				c.Free = &cand
				return c
			}
		}
	}
	return c
}

// meetingClash checks one meeting moved to start against the two people's
// other check-ins, and finds the nearest free start that day.
func (p *Partnership) meetingClash(start time.Time, length time.Duration, zone *time.Location, now time.Time) *Clash {
	c := p.clashWith([]time.Time{start}, length)
	if c == nil {
		return nil
	}
	lt := start.In(zone)
	closing := time.Date(lt.Year(), lt.Month(), lt.Day(), 18, 0, 0, 0, zone)
	for t := start.Add(15 * time.Minute); !t.Add(length).After(closing); t = t.Add(15 * time.Minute) {
		if t.After(now) && p.clashWith([]time.Time{t}, length) == nil {
			c.FreeAt = t
			break
		}
	}
	return c
}

// PlannedSeries stands for a check-in plan whose series has not started:
// its meetings every week from now, since which weeks an every-other-week
// series will use is not known yet.
func PlannedSeries(s Schedule, zone *time.Location, now time.Time) *Series {
	s.Every = 1
	return &Series{Schedule: s, Zone: zone, Start: s.First(now, zone), Status: SeriesActive}
}
