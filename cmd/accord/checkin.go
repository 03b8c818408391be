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

var checkinUsage = templates.Operator("checkin.usage", nil)

func runCheckin(ctx context.Context, a *app, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(a.stdout, strings.TrimSpace(checkinUsage))
		return nil
	}
	if len(args) == 0 {
		fmt.Fprintln(a.stdout, strings.TrimSpace(checkinUsage))
		return usage(templates.Operator("checkin.needs-id", nil))
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
		return usage(templates.Operator("checkin.unknown-subcommand", templates.Args{"Sub": sub}))
	}
	if len(rest) != n {
		return usage(templates.Operator("checkin.arguments", templates.Args{"Sub": sub, "N": n}))
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
			return usage(templates.ErrorText(err))
		}
	}
	day := func(s string) (conversation.Date, error) {
		d, err := conversation.ParseDate(s)
		if err != nil {
			return d, usage(err.Error())
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
				return nil, errors.New(templates.Operator("checkin.no-meeting", templates.Args{"ID": id, "Date": d}))
			}
			return o, nil
		}
		switch sub {
		case "set":
			done = templates.Operator("checkin.done.set", templates.Args{"Schedule": templates.ScheduleWords(templates.DefaultLanguage, sched), "Later": p.LatestAgreement() == nil})
			return p.ScheduleCheckins(sched, now)
		case "skip":
			o, err := meeting(rest[0])
			if err != nil {
				return nil, err
			}
			done = templates.Operator("checkin.done.skip", templates.Args{"Meeting": o.Start.In(zone).Format("Mon 2 Jan 15:04")})
			return p.SkipCheckin(0, o.Original, now)
		case "move":
			o, err := meeting(rest[0])
			if err != nil {
				return nil, err
			}
			to, err := time.ParseInLocation("2006-01-02 15:04", rest[1], zone)
			if err != nil {
				return nil, usage(templates.Operator("checkin.move.bad-time", templates.Args{"Time": rest[1]}))
			}
			done = templates.Operator("checkin.done.move", templates.Args{"Meeting": o.Start.In(zone).Format("Mon 2 Jan 15:04"), "To": to.Format("Mon 2 Jan 15:04")})
			return p.MoveCheckin(0, o.Original, to, now)
		case "pause":
			d, err := day(rest[0])
			if err != nil {
				return nil, err
			}
			done = templates.Operator("checkin.done.pause", templates.Args{"Until": d.String()})
			return p.PauseCheckins(0, d.Start(zone), now)
		case "resume":
			done = templates.Operator("checkin.done.resume", nil)
			return p.ResumeCheckins(0, now)
		}
		done = templates.Operator("checkin.done.cancel", nil)
		return p.CancelCheckins(0, now)
	})
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return err
	case errors.Is(err, conversation.ErrNoSeries):
		return errors.New(templates.Operator("checkin.no-series", templates.Args{"ID": id}))
	case errors.Is(err, conversation.ErrSeriesCancelled):
		return errors.New(templates.Operator("checkin.cancelled", templates.Args{"ID": id}))
	case err != nil:
		return explain(id, err)
	}
	fmt.Fprintln(a.stdout, templates.Operator("checkin.changed", templates.Args{"Done": done, "ID": id, "Told": len(msgs) > 0}))
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
		fmt.Fprintln(a.stdout, templates.Operator("checkin.show.planned", templates.Args{"ID": id, "Schedule": templates.ScheduleWords(templates.DefaultLanguage, *p.CheckinPlan)}))
		return nil
	case cs == nil && !p.ScheduleAskedAt.IsZero():
		fmt.Fprintln(a.stdout, templates.Operator("checkin.show.asked", templates.Args{"ID": id, "Date": p.ScheduleAskedAt.UTC().Format("2006-01-02")}))
		return nil
	case cs == nil:
		fmt.Fprintln(a.stdout, templates.Operator("checkin.show.none", templates.Args{"ID": id}))
		return nil
	}
	fmt.Fprintln(a.stdout, templates.Operator("checkin.show.series", templates.Args{"ID": id, "Schedule": templates.ScheduleWords(templates.DefaultLanguage, cs.Schedule),
		"Zone": cs.Zone, "Status": cs.Status, "Sequence": cs.Sequence}))
	if cs.Status == conversation.SeriesPaused {
		fmt.Fprintln(a.stdout, templates.Operator("checkin.show.paused", templates.Args{"Until": cs.PausedUntil.In(cs.Zone).Format("2006-01-02")}))
	}
	now := a.now()
	for _, o := range cs.Meetings(now.Add(-24*time.Hour), now.Add(35*24*time.Hour)) {
		moved := ""
		if o.State == conversation.OccMoved {
			moved = o.Original.In(cs.Zone).Format("Mon 2 Jan 15:04")
		}
		fmt.Fprintln(a.stdout, templates.Operator("checkin.show.meeting", templates.Args{"Start": o.Start.In(cs.Zone).Format("Mon 2006-01-02 15:04"), "MovedFrom": moved}))
	}
	return nil
}
