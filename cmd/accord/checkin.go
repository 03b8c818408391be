package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"accord/conversation"
	"accord/store"
	"accord/templates"
)

const checkinUsage = `
Usage: accord checkin ID                     show the schedule and the next meetings
       accord checkin ID set "tue 10:00 30m weekly"
       accord checkin ID skip DATE           drop the meeting on that day
       accord checkin ID move DATE "YYYY-MM-DD HH:MM"   move one meeting
       accord checkin ID pause UNTIL         no meetings until that day
       accord checkin ID resume
       accord checkin ID cancel              end the series

Changes a partnership's weekly check-ins as the operator. Dates are
YYYY-MM-DD and times are in the lead's time zone. Every change sends both
people a calendar update and a short note; before the agreement, set only
remembers the schedule for when it comes.`

func runCheckin(ctx context.Context, a *app, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(a.stdout, strings.TrimSpace(checkinUsage))
		return nil
	}
	if len(args) == 0 {
		fmt.Fprintln(a.stdout, strings.TrimSpace(checkinUsage))
		return usagef("checkin needs a partnership ID")
	}
	id, err := partnershipID(args[:1])
	if err != nil {
		return err
	}
	sub, rest := "show", args[1:]
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	want := map[string]int{"show": 0, "set": 1, "skip": 1, "move": 2, "pause": 1, "resume": 0, "cancel": 0}
	n, ok := want[sub]
	if !ok {
		return usagef("unknown checkin subcommand %q; use set, skip, move, pause, resume or cancel", sub)
	}
	if len(rest) != n {
		return usagef("checkin %s takes %s; see accord checkin -h", sub, templates.Count(n, "argument"))
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "show" {
		return checkinShow(ctx, a, st, id)
	}
	var sched conversation.Schedule
	if sub == "set" {
		if sched, err = conversation.ParseSchedule(rest[0]); err != nil {
			return usagef("%s", templates.ErrorText(err))
		}
	}
	day := func(s string) (conversation.Date, error) {
		d, err := conversation.ParseDate(s)
		if err != nil {
			return d, usagef("%v", err)
		}
		return d, nil
	}
	var done string
	msgs, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		zone := p.Lead().Person.Location
		meeting := func(s string) (*conversation.Occurrence, error) {
			d, err := day(s)
			if err != nil {
				return nil, err
			}
			if p.Checkin == nil {
				return nil, conversation.ErrNoSeries
			}
			o := p.Checkin.MeetingOn(d, now)
			if o == nil {
				return nil, fmt.Errorf("no check-in of partnership %d on %s", id, d)
			}
			return o, nil
		}
		switch sub {
		case "set":
			done = "Check-ins " + templates.ScheduleWords(templates.DefaultLanguage, sched)
			if p.LatestAgreement() == nil {
				done += ", from the agreement on"
			}
			return p.ScheduleCheckins(sched, now)
		case "skip":
			o, err := meeting(rest[0])
			if err != nil {
				return nil, err
			}
			done = "Skipped the check-in of " + o.Start.In(zone).Format("Mon 2 Jan 15:04")
			return p.SkipCheckin(0, o.Original, now)
		case "move":
			o, err := meeting(rest[0])
			if err != nil {
				return nil, err
			}
			to, err := time.ParseInLocation("2006-01-02 15:04", rest[1], zone)
			if err != nil {
				return nil, usagef("move: %q is not a time like \"2027-02-11 15:00\"", rest[1])
			}
			done = "Moved the check-in of " + o.Start.In(zone).Format("Mon 2 Jan 15:04") + " to " + to.Format("Mon 2 Jan 15:04")
			return p.MoveCheckin(0, o.Original, to, now)
		case "pause":
			d, err := day(rest[0])
			if err != nil {
				return nil, err
			}
			done = "Paused the check-ins until " + d.String()
			return p.PauseCheckins(0, d.Start(zone), now)
		case "resume":
			done = "Resumed the check-ins"
			return p.ResumeCheckins(0, now)
		}
		done = "Cancelled the check-ins"
		return p.CancelCheckins(0, now)
	})
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return err
	case errors.Is(err, conversation.ErrNoSeries):
		return fmt.Errorf("partnership %d has no check-ins yet; set them with accord checkin %d set \"tue 10:00 30m weekly\"", id, id)
	case errors.Is(err, conversation.ErrSeriesCancelled):
		return fmt.Errorf("the check-ins of partnership %d were cancelled; set new ones with accord checkin %d set …", id, id)
	case err != nil:
		return explain(id, err)
	}
	told := " Both people are told."
	if len(msgs) == 0 {
		told = ""
	}
	fmt.Fprintf(a.stdout, "%s (partnership %d).%s\n", done, id, told)
	return nil
}

// checkinShow prints a partnership's check-in schedule and next meetings.
func checkinShow(ctx context.Context, a *app, st *store.Store, id int64) error {
	p, err := st.Load(ctx, id)
	if err != nil {
		return explain(id, err)
	}
	cs := p.Checkin
	switch {
	case cs == nil && p.CheckinPlan != nil:
		fmt.Fprintf(a.stdout, "Partnership %d: check-ins %s, from the agreement on.\n", id, templates.ScheduleWords(templates.DefaultLanguage, *p.CheckinPlan))
		return nil
	case cs == nil && !p.ScheduleAskedAt.IsZero():
		fmt.Fprintf(a.stdout, "Partnership %d: the lead was asked for a check-in time on %s; no answer yet.\n", id, p.ScheduleAskedAt.UTC().Format("2006-01-02"))
		return nil
	case cs == nil:
		fmt.Fprintf(a.stdout, "Partnership %d: no check-ins yet.\n", id)
		return nil
	}
	fmt.Fprintf(a.stdout, "Partnership %d: check-ins %s (%s), %s, calendar sequence %d\n", id, templates.ScheduleWords(templates.DefaultLanguage, cs.Schedule), cs.Zone, cs.Status, cs.Sequence)
	if cs.Status == conversation.SeriesPaused {
		fmt.Fprintf(a.stdout, "Paused until %s\n", cs.PausedUntil.In(cs.Zone).Format("2006-01-02"))
	}
	now := a.now()
	for _, o := range cs.Meetings(now.Add(-24*time.Hour), now.Add(35*24*time.Hour)) {
		note := ""
		if o.State == conversation.OccMoved {
			note = " (moved from " + o.Original.In(cs.Zone).Format("Mon 2 Jan 15:04") + ")"
		}
		fmt.Fprintf(a.stdout, "  %s%s\n", o.Start.In(cs.Zone).Format("Mon 2006-01-02 15:04"), note)
	}
	return nil
}
