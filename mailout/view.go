package mailout

import (
	"fmt"
	"time"

	"accord/conversation"
	"accord/templates"
)

// Threads group the mail one person gets in one phase of a partnership.
const (
	ThreadQuestions = "questions"
	ThreadAgreement = "agreement"
	ThreadCheckins  = "checkins"
)

// threadOf says which thread a message belongs in.
func threadOf(p *conversation.Partnership, m conversation.Message) string {
	switch {
	case m.Kind == conversation.MsgScheduleAsk || m.Calendar != nil || m.Occurrence != nil || m.Kind == conversation.MsgDeclined:
		return ThreadCheckins
	case m.Kind == conversation.MsgAgreement || p.LatestAgreement() != nil:
		return ThreadAgreement
	}
	return ThreadQuestions
}

// ViewFor lays out a domain message for the templates, in the recipient's
// words and time zone.
func ViewFor(p *conversation.Partnership, m conversation.Message) templates.View {
	me, partner := m.To, p.Partner(m.To)
	loc := me.Person.Location
	v := templates.View{
		Kind:      string(m.Kind),
		Recipient: person(me),
		Partner:   person(partner),
		Peers:     p.Kind == conversation.KindPeer,
		Reminder:  m.Reminder,
		Resent:    m.Resent,
	}
	v.Partner.Described = describe(me.Role, partner)
	v.LastReminder = m.Reminder > 0 && m.Reminder == len(p.Rules.Reminders)
	if m.Prompt != nil {
		q := p.Set.Questions[m.Prompt.Position]
		v.Question = &templates.Question{
			Number: m.Prompt.Position + 1,
			Total:  p.Set.Len(),
			Title:  q.Title,
			Text:   q.For(me.Role, partner.Person.Name),
			Why:    q.Why,
		}
	}
	for _, n := range m.Notes {
		tn := templates.Note{Kind: string(n.Kind), ByOperator: n.ByOperator, Text: n.Text}
		if !n.Until.IsZero() {
			tn.Until = LongDate(n.Until, loc)
		}
		v.Notes = append(v.Notes, tn)
	}
	for _, a := range m.Receipts {
		v.Receipts = append(v.Receipts, answerView(p, a, me))
	}
	for _, a := range m.Reveals {
		v.Reveals = append(v.Reveals, answerView(p, a, partner))
	}
	answered, skipped := me.Counts()
	v.Progress = templates.Progress{Answered: answered, Skipped: skipped, Total: p.Set.Len()}
	if cur := me.Current(); cur != nil {
		v.Progress.Current = cur.Position + 1
	}
	if !me.NextSendAt.IsZero() && !me.Finished(p.Set) {
		v.NextAt = When(me.NextSendAt, loc)
	}
	if m.Agreement != nil {
		v.Agreement = AgreementView(m.Agreement, loc)
	}
	if ag := p.LatestAgreement(); ag != nil {
		v.ReviewOn = LongDate(ag.ReviewOn.Start(loc), loc)
	}
	v.Checkin = checkinView(p, m, loc)
	return v
}

// checkinView lays out the check-in a message is about, in the
// recipient's time; nil for mail that is not about check-ins.
func checkinView(p *conversation.Partnership, m conversation.Message, loc *time.Location) *templates.Checkin {
	cs := p.Checkin
	if m.Kind == conversation.MsgScheduleAsk {
		return &templates.Checkin{Zone: loc.String()}
	}
	if cs == nil || (m.Calendar == nil && m.Occurrence == nil && m.Kind != conversation.MsgDeclined) {
		return nil
	}
	v := &templates.Checkin{
		Schedule:   cs.Schedule.String(),
		Length:     lengthWords(cs.Schedule.Length),
		Priorities: m.Priorities,
	}
	if cs.Zone.String() != loc.String() {
		v.Zone = cs.Zone.String()
	}
	if o := m.Occurrence; o != nil {
		v.When = Meeting(o.Start, loc)
		if !o.Start.Equal(o.Original) {
			v.Was = Meeting(o.Original, loc)
		}
	}
	if c := m.Calendar; c != nil {
		v.Change, v.Sequence = string(c.Kind), c.Sequence
		if o := c.Occurrence; o != nil {
			v.When = Meeting(o.Start, loc)
			if !o.Start.Equal(o.Original) {
				v.Was = Meeting(o.Original, loc)
			}
		}
		if cs.Status == conversation.SeriesPaused {
			v.Paused, v.PausedUntil = true, LongDate(cs.PausedUntil, loc)
		}
		if c.Kind == conversation.CalSeries {
			for _, o := range cs.Meetings(c.Stamp, c.Stamp.Add(10*7*24*time.Hour)) {
				if len(v.Next) == 3 {
					break
				}
				v.Next = append(v.Next, Meeting(o.Start, loc))
			}
		}
	}
	if m.From != nil {
		v.Who = conversation.FirstName(oneLine(m.From.Person.Name))
	}
	if m.Kind == conversation.MsgAgenda && m.Occurrence != nil {
		note := func(n *conversation.CheckinNote) templates.CheckinNote {
			by, _ := p.Participant(n.ParticipantID)
			name := ""
			if by != nil {
				name = conversation.FirstName(oneLine(by.Person.Name))
			}
			return templates.CheckinNote{By: name, Text: n.Text}
		}
		// The recipient's own notes first, then the partner's.
		for _, own := range []bool{true, false} {
			for _, n := range p.Notes(m.Occurrence, conversation.CheckinPrep) {
				if (n.ParticipantID == m.To.ID) == own {
					v.Prep = append(v.Prep, note(n))
				}
			}
		}
		if prev := p.PreviousMeeting(m.Occurrence); prev != nil {
			for _, n := range p.Notes(prev, conversation.CheckinFollowUp) {
				v.ActionItems = append(v.ActionItems, note(n))
			}
		}
		if ag := p.LatestAgreement(); ag != nil {
			v.Commitments = AgreementView(ag, loc).Commitments
		}
	}
	return v
}

// Meeting writes a meeting's time the way people say it: "Tuesday 16
// March at 10:00".
func Meeting(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Monday 2 January at 15:04")
}

// lengthWords is "30 minutes", "1 hour", "1 hour 30 minutes".
func lengthWords(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	var s string
	switch {
	case h == 1:
		s = "1 hour"
	case h > 1:
		s = fmt.Sprintf("%d hours", h)
	}
	if m > 0 {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf("%d minutes", m)
	}
	return s
}

func person(pt *conversation.Participant) templates.Person {
	name := oneLine(pt.Person.Name)
	return templates.Person{Name: name, First: conversation.FirstName(name), Role: string(pt.Role)}
}

// describe names the partner the way the recipient knows them.
func describe(myRole conversation.Role, partner *conversation.Participant) string {
	first := conversation.FirstName(oneLine(partner.Person.Name))
	switch myRole {
	case conversation.RoleLead:
		return first + ", who reports to you"
	case conversation.RoleReport:
		return first + ", your manager"
	}
	return first
}

func answerView(p *conversation.Partnership, a *conversation.Answer, author *conversation.Participant) templates.Answer {
	i := p.Set.Index(a.QuestionID)
	av := templates.Answer{Number: i + 1, Text: a.Text, By: conversation.FirstName(author.Person.Name)}
	if i >= 0 {
		av.Title = p.Set.Questions[i].Title
	}
	return av
}

// AgreementView lays out an agreement version for the templates, with
// dates in the given zone.
func AgreementView(ag *conversation.Agreement, loc *time.Location) *templates.Agreement {
	v := &templates.Agreement{
		Version:  ag.Version,
		Date:     LongDate(ag.Created, loc),
		ReviewOn: LongDate(ag.ReviewOn.Start(loc), loc),
	}
	if len(ag.Parties) == 2 {
		v.Between = ag.Parties[0].Name + " and " + ag.Parties[1].Name
	}
	topics := func(ts []conversation.Topic) []templates.Topic {
		var out []templates.Topic
		for _, t := range ts {
			tv := templates.Topic{Title: t.Title}
			for _, e := range t.Entries {
				tv.Entries = append(tv.Entries, templates.Entry{Name: conversation.FirstName(e.Name), Text: e.Text, Skipped: e.Skipped})
			}
			out = append(out, tv)
		}
		return out
	}
	for _, th := range ag.Themes {
		v.Themes = append(v.Themes, templates.Theme{Title: th.Title, Topics: topics(th.Topics)})
	}
	v.Commitments = topics(ag.Commitments)
	v.Accountability = topics(ag.Accountability)
	return v
}

// LongDate writes a day the way people say it: Tuesday 5 January 2027.
func LongDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Monday 2 January 2006")
}

// When writes a moment in the recipient's time: "on Monday 23 November at 08:00".
func When(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("on Monday 2 January at 15:04")
}
