package mailout

import (
	"time"

	"accord/conversation"
	"accord/store"
	"accord/templates"
)

var _ store.OverviewRenderer = (*Renderer)(nil)

// RenderOverview renders a person's weekly overview, dated date. It is
// the service's [store.OverviewRenderer].
func (r *Renderer) RenderOverview(o conversation.Overview, date time.Time) (string, []byte, error) {
	return r.Render(OverviewLetter(o, date))
}

// OverviewLetter lays out a weekly overview as a mail to its person. It
// asks nothing, so it has no reply token, and it belongs to no
// partnership's thread.
func OverviewLetter(o conversation.Overview, date time.Time) Letter {
	name := oneLine(o.Person.Name)
	return Letter{
		ToName:    o.Person.Name,
		ToAddress: o.Person.Email,
		Date:      date,
		View: templates.View{
			Kind:      templates.MailOverview,
			Lang:      templates.Language(o.Person.Language),
			Recipient: templates.Person{Name: name, First: conversation.FirstName(name)},
			Overview:  OverviewView(o),
		},
	}
}

// OverviewView lays out a weekly overview for the templates, with dates
// and times in the person's zone. Only progress reaches it: names, counts,
// dates and times.
func OverviewView(o conversation.Overview) *templates.Overview {
	loc, lang := o.Person.Location, templates.Language(o.Person.Language)
	v := &templates.Overview{
		Week:         templates.DayMonth(lang, o.From.In(loc)),
		Count:        o.Count(),
		WaitingOnYou: o.WaitingOnYou(),
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return LongDate(lang, t, loc)
	}
	for _, l := range o.Lines {
		partner := oneLine(l.Partner.Name)
		lv := templates.OverviewLine{
			Partner: partner, First: conversation.FirstName(partner), Role: string(l.Role),
			Stage: string(l.Stage), Review: l.Review, DraftRound: l.DraftRound,
			Mine: l.Mine.Answered, Theirs: l.Theirs.Answered, Total: l.Mine.Total,
			Version:       l.Version,
			Paused:        l.Paused,
			PausedUntil:   day(l.PausedUntil),
			PartnerPaused: l.PartnerPaused, PartnerPausedUntil: day(l.PartnerPausedUntil),
			Checkins: string(l.Checkins), CheckinsUntil: day(l.CheckinsUntil),
		}
		if !l.NextReview.IsZero() {
			lv.NextReview = LongDate(lang, l.NextReview.Start(loc), loc)
		}
		for _, m := range l.Meetings {
			mv := templates.OverviewMeeting{When: meetingAt(lang, m.Start, loc), Status: string(m.Status)}
			if !m.Was.IsZero() {
				mv.Was = meetingAt(lang, m.Was, loc)
			}
			lv.Meetings = append(lv.Meetings, mv)
		}
		v.Lines = append(v.Lines, lv)
	}
	return v
}
