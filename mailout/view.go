package mailout

import (
	"strings"
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
	case m.Kind == conversation.MsgAgreement || m.Kind == conversation.MsgDraft || p.LatestAgreement() != nil:
		return ThreadAgreement
	}
	return ThreadQuestions
}

// ViewFor lays out a domain message for the templates, in the recipient's
// words and time zone.
func ViewFor(p *conversation.Partnership, m conversation.Message) templates.View {
	me, partner := m.To, p.Partner(m.To)
	loc, lang := me.Person.Location, templates.Language(me.Person.Language)
	v := templates.View{
		Kind:      string(m.Kind),
		Lang:      lang,
		Recipient: person(me),
		Partner:   person(partner),
		Peers:     p.Kind == conversation.KindPeer,
		Reminder:  m.Reminder,
		Resent:    m.Resent,
	}
	v.Partner.Described = templates.Described(lang, me.Role, conversation.FirstName(oneLine(partner.Person.Name)))
	v.LastReminder = m.Reminder > 0 && m.Reminder == len(p.Rules.Reminders)
	if m.Prompt != nil {
		q, _ := p.QuestionAt(m.Prompt.Position)
		title, text, why := questionWords(lang, p.Set, q, me.Role, partner.Person.Name)
		v.Question = &templates.Question{
			Number: m.Prompt.Position + 1,
			Total:  p.Set.Len(),
			Title:  title,
			Text:   text,
			Why:    why,
		}
		if r := reviewAt(p, m.Prompt.Position); r != nil {
			v.Question.Number, v.Question.Total = m.Prompt.Position-r.Start+1, len(r.Questions)
			v.Review = reviewView(lang, p, r, loc)
			part, topic := conversation.ReviewPartOf(q.ID)
			v.Review.Part = string(part)
			switch part {
			case conversation.PartCommitment:
				v.Review.Current = currentWords(p, me, topic, r)
			case conversation.PartKept:
				if ag := p.Version(r.Number); ag != nil {
					v.Review.Statements = agreedGroups(lang, p.Set, ag.Statements)
				}
			}
		}
	}
	if m.Review != nil && v.Review == nil {
		v.Review = reviewView(lang, p, m.Review, loc)
	}
	if m.Digest != nil && m.Agreement != nil {
		v.Digest = digestView(lang, p, m.Agreement, m.Digest, loc)
	}
	if m.Draft != nil {
		v.Draft = draftView(p, m.Draft, me)
	}
	if m.Kind == conversation.MsgExport {
		v.Attachment = ExportName
	}
	if !m.RejoinBy.IsZero() {
		v.RejoinBy = LongDate(lang, m.RejoinBy, loc)
	}
	for _, n := range m.Notes {
		tn := templates.Note{Kind: string(n.Kind), ByOperator: n.ByOperator, Text: n.Text, Problem: n.Problem, Seen: n.Seen, Reopened: n.Reopened, Number: n.Number}
		if d := n.Draft; d != nil {
			tn.Draft = &templates.DraftNote{Round: d.Round, Last: d.Exhausted()}
			if n.Kind == conversation.NoteDraftNoted {
				tn.Draft.Open = n.Number
			}
		}
		if e := n.KeptError; e != nil {
			tn.Kept = &templates.KeptError{Kind: string(e.Kind), Item: e.Item, Numbers: e.Numbers, Max: e.Max}
		}
		if e := n.DraftError; e != nil {
			tn.DraftError = &templates.DraftError{Kind: string(e.Kind), Line: clipLine(e.Line, 80), Number: e.Number, Max: e.Max, Suggestion: e.Suggestion}
		}
		if n.Kind == conversation.NoteRewriteUnknown {
			for i, q := range p.Set.Questions {
				tn.Topics = append(tn.Topics, templates.Answer{Number: i + 1, Title: questionTitle(lang, p.Set, q)})
			}
		}
		if !n.Until.IsZero() {
			tn.Until = LongDate(lang, n.Until, loc)
		}
		if n.Answer != nil {
			av := answerView(lang, p, n.Answer, me)
			tn.Answer = &av
		}
		if n.Previous != nil {
			tn.Previous = n.Previous.Text
		}
		if c := n.Clash; c != nil {
			tn.Clash = &templates.Clash{Mine: c.Who == me}
			if tn.Clash.Mine {
				tn.Clash.With, tn.Clash.At = conversation.FirstName(oneLine(c.With)), meetingAt(lang, c.At, loc)
			}
			if c.Free != nil {
				// The free schedule is in the series' zone; say it in the
				// recipient's.
				free := &conversation.Series{Schedule: *c.Free, Zone: p.Lead().Person.Location, Start: c.Free.First(c.At, p.Lead().Person.Location)}
				local, _ := free.LocalSchedule(loc, free.Start)
				tn.Clash.Free = templates.ScheduleWords(lang, local)
			}
			if !c.FreeAt.IsZero() {
				tn.Clash.FreeAt = c.FreeAt.In(loc).Format("15:04")
			}
		}
		if o := n.OffHours; o != nil {
			who := o.Who.Person.Location
			tn.OffHours = &templates.OffHours{Mine: o.Who == me, Who: conversation.FirstName(oneLine(o.Who.Person.Name)),
				Date: LongDate(lang, o.At, loc), Yours: o.At.In(loc).Format("15:04"), Theirs: o.At.In(who).Format("15:04")}
			if o.Suits {
				tn.OffHours.From, tn.OffHours.To = o.From.String(), o.To.String()
			}
		}
		if cur := me.Current(); cur != nil && (n.Answer == nil || cur.QuestionID != n.Answer.QuestionID) {
			av := answerView(lang, p, &conversation.Answer{QuestionID: cur.QuestionID, Prompt: cur}, me)
			tn.Current = &av
		}
		v.Notes = append(v.Notes, tn)
	}
	for _, a := range m.Receipts {
		v.Receipts = append(v.Receipts, answerView(lang, p, a, me))
	}
	if m.UndoGrace > 0 {
		v.UndoWithin = minutesWords(lang, m.UndoGrace)
	}
	for _, a := range m.Reveals {
		v.Reveals = append(v.Reveals, answerView(lang, p, a, partner))
	}
	// Progress counts the first questionnaire, or the review the person
	// is in.
	from, to := 0, p.Set.Len()
	if r := p.CurrentReview(); r != nil && (r.Open() || m.Review == r) {
		from, to = r.Start, r.End()
	}
	v.Progress = templates.Progress{Total: to - from}
	for _, pr := range me.Prompts {
		switch {
		case pr.Position < from || pr.Position >= to:
		case pr.State == conversation.PromptAnswered:
			v.Progress.Answered++
		case pr.State == conversation.PromptSkipped:
			v.Progress.Skipped++
		}
	}
	if cur := me.Current(); cur != nil && cur.Position >= from && cur.Position < to {
		v.Progress.Current = cur.Position - from + 1
	}
	if !me.NextSendAt.IsZero() && me.Position < to {
		v.NextAt = templates.When(lang, me.NextSendAt.In(loc))
	}
	if m.Agreement != nil {
		v.Agreement = agreementView(lang, m.Agreement, loc, p.Set)
		// Signatures are in the order of the participants.
		for i, s := range m.Agreement.Signatures {
			if i < len(p.Participants) && p.Participants[i] == me {
				v.Agreement.YouSigned = !s.At.IsZero()
			}
		}
	}
	v.Drafting = p.DraftOpen()
	v.OnDemand = m.OnDemand
	if ag := p.LatestAgreement(); ag != nil {
		v.ReviewOn = LongDate(lang, ag.ReviewOn.Start(loc), loc)
	}
	v.Checkin = checkinView(lang, p, m, loc)
	return v
}

// checkinView lays out the check-in a message is about, in the
// recipient's time; nil for mail that is not about check-ins.
func checkinView(lang string, p *conversation.Partnership, m conversation.Message, loc *time.Location) *templates.Checkin {
	cs := p.Checkin
	partner := p.Partner(m.To)
	ploc := partner.Person.Location
	apart := ploc.String() != loc.String()
	if m.Kind == conversation.MsgScheduleAsk {
		v := &templates.Checkin{Zone: loc.String()}
		if apart && !m.At.IsZero() {
			// One example, the hour the question suggests, in both zones.
			_, mine := m.At.In(loc).Zone()
			_, theirs := m.At.In(ploc).Zone()
			if theirs == mine {
				return v
			}
			v.PartnerZone, v.Ahead = ploc.String(), theirs > mine
			v.Apart = templates.LengthWords(lang, time.Duration(max(theirs-mine, mine-theirs))*time.Second)
			ten := time.Date(m.At.In(loc).Year(), m.At.In(loc).Month(), m.At.In(loc).Day(), 10, 0, 0, 0, loc)
			v.Example = [2]string{ten.Format("15:04"), ten.In(ploc).Format("15:04")}
		}
		return v
	}
	if cs == nil || (m.Calendar == nil && m.Occurrence == nil && m.Kind != conversation.MsgDeclined) {
		return nil
	}
	ref := cs.Start
	if m.Calendar != nil && m.Calendar.Stamp.After(ref) {
		ref = m.Calendar.Stamp
	}
	local, varies := cs.LocalSchedule(loc, ref)
	v := &templates.Checkin{
		Schedule:   templates.ScheduleWords(lang, local),
		Length:     templates.LengthWords(lang, cs.Schedule.Length),
		Priorities: m.Priorities,
	}
	if cs.Zone.String() != loc.String() {
		v.Zone = cs.Zone.String()
	}
	if apart {
		theirs, theirsVaries := cs.LocalSchedule(ploc, ref)
		v.Partner, v.PartnerAt, v.Varies = conversation.FirstName(oneLine(partner.Person.Name)), theirs.At.String(), varies || theirsVaries
		if theirs.Weekday != local.Weekday {
			v.PartnerAt = theirs.Weekday.String() + " " + theirs.At.String()
		}
	}
	meeting := func(o *conversation.Occurrence) {
		v.When = meetingAt(lang, o.Start, loc)
		if !o.Start.Equal(o.Original) {
			v.Was = meetingAt(lang, o.Original, loc)
		}
		if apart {
			v.PartnerWhen = o.Start.In(ploc).Format("15:04")
			if o.Start.In(ploc).Weekday() != o.Start.In(loc).Weekday() {
				v.PartnerWhen = templates.WeekdayTime(lang, o.Start.In(ploc))
			}
		}
	}
	if o := m.Occurrence; o != nil {
		meeting(o)
	}
	if c := m.Calendar; c != nil {
		v.Change, v.Sequence = string(c.Kind), c.Sequence
		if o := c.Occurrence; o != nil {
			meeting(o)
		}
		if cs.Status == conversation.SeriesPaused {
			v.Paused, v.PausedUntil = true, LongDate(lang, cs.PausedUntil, loc)
		}
		if c.Kind == conversation.CalSeries {
			for _, o := range cs.Meetings(c.Stamp, c.Stamp.Add(10*7*24*time.Hour)) {
				if len(v.Next) == 3 {
					break
				}
				v.Next = append(v.Next, meetingAt(lang, o.Start, loc))
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
			v.Commitments = agreementView(lang, ag, loc, p.Set).Commitments
		}
	}
	return v
}

// minutesWords is a time left in words, in whole minutes rounded down: a
// promise of "10 minutes" must not be a minute too long. Less than a
// minute is no time to promise: empty.
func minutesWords(lang string, d time.Duration) string {
	if d < time.Minute {
		return ""
	}
	return templates.LengthWords(lang, d.Truncate(time.Minute))
}

func person(pt *conversation.Participant) templates.Person {
	name := oneLine(pt.Person.Name)
	return templates.Person{Name: name, First: conversation.FirstName(name), Role: string(pt.Role)}
}

func answerView(lang string, p *conversation.Partnership, a *conversation.Answer, author *conversation.Participant) templates.Answer {
	av := templates.Answer{Number: p.Set.Index(a.QuestionID) + 1, Text: a.Text, By: conversation.FirstName(author.Person.Name)}
	if q, ok := p.Question(a.QuestionID); ok {
		av.Title = questionTitle(lang, p.Set, q)
	}
	if a.Prompt != nil {
		if r := reviewAt(p, a.Prompt.Position); r != nil {
			av.Number = a.Prompt.Position - r.Start + 1
		}
	}
	return av
}

// reviewAt returns the review a question position belongs to, or nil.
func reviewAt(p *conversation.Partnership, position int) *conversation.Review {
	for _, r := range p.Reviews {
		if position >= r.Start && position < r.End() {
			return r
		}
	}
	return nil
}

func reviewView(lang string, p *conversation.Partnership, r *conversation.Review, loc *time.Location) *templates.Review {
	return &templates.Review{Number: r.Number, ClosesOn: LongDate(lang, r.OpenedAt.Add(p.Rules.ReviewWait), loc)}
}

// currentWords is what the person has under a commitment topic in the
// version a review looks at.
func currentWords(p *conversation.Partnership, me *conversation.Participant, topic string, r *conversation.Review) string {
	ag := p.Version(r.Number)
	if ag == nil {
		return ""
	}
	slot := 0
	if p.Participants[1] == me {
		slot = 1
	}
	for _, t := range append(append([]conversation.Topic(nil), ag.Commitments...), ag.Accountability...) {
		if t.QuestionID == topic && slot < len(t.Entries) {
			return t.Entries[slot].Text
		}
	}
	return ""
}

func changeViews(lang string, set *conversation.QuestionSet, cs []conversation.Change) []templates.Change {
	var out []templates.Change
	for _, c := range cs {
		out = append(out, templates.Change{Kind: string(c.Kind), Number: c.Number, Topic: topicIn(lang, set, c.Number, c.Topic),
			Name: conversation.FirstName(oneLine(c.Name)), Before: c.Before, After: c.After})
	}
	return out
}

// topicIn is the title of the topic numbered number in an agreement of
// set, as the translation of set into lang words it: the title as it is
// when there is no translation, or the set has another question there.
func topicIn(lang string, set *conversation.QuestionSet, number int, title string) string {
	if set == nil || number < 1 || number > set.Len() || set.Questions[number-1].Title != title {
		return title
	}
	if tq, ok := translated(lang, set, set.Questions[number-1].ID); ok {
		return tq.Title
	}
	return title
}

// digestView lays out a digest: dates in the recipient's zone, ratings as
// bars.
func digestView(lang string, p *conversation.Partnership, ag *conversation.Agreement, d *conversation.Digest, loc *time.Location) *templates.Digest {
	v := &templates.Digest{
		Version:    ag.Version,
		Changes:    changeViews(lang, p.Set, d.Changes),
		Amendments: d.Amendments,
		Checkins:   templates.CheckinTally{Scheduled: d.Checkins.Scheduled, Held: d.Checkins.Held, Skipped: d.Checkins.Skipped, Declined: d.Checkins.Declined},
		Missing:    templates.And(lang, firstNames(d.Missing)),
		NextReview: LongDate(lang, d.NextReview.Start(loc), loc),
		To:         LongDate(lang, d.To, loc),
	}
	if ag.Review != nil {
		v.Number = ag.Review.Number
	}
	if !d.From.IsZero() {
		v.From = LongDate(lang, d.From, loc)
	}
	for _, pt := range d.Prep {
		v.Prep = append(v.Prep, templates.PrepTally{Name: conversation.FirstName(oneLine(pt.Name)), Asked: pt.Asked, Written: pt.Written})
	}
	for _, tp := range d.Trend {
		row := templates.TrendRow{Label: templates.ReviewOn(lang, tp.Number, templates.DayMonthYear(lang, tp.On.Start(loc)))}
		for i, score := range tp.Scores {
			row.Bars = append(row.Bars, templates.Bar{
				Name:    conversation.FirstName(oneLine(p.Participants[i].Person.Name)),
				Score:   score,
				Percent: score * 20,
				Blocks:  strings.Repeat("█", score) + strings.Repeat("░", 5-score),
			})
		}
		v.Trend = append(v.Trend, row)
	}
	for _, k := range d.Kept {
		row := templates.KeptRow{Number: k.Number, Date: templates.DayMonthYear(lang, k.On.Start(loc)),
			Yes: k.Yes, Partly: k.Partly, No: k.No, Unrated: k.Unrated, Ratings: k.Ratings}
		if k.Ratings > 0 {
			row.YesPercent, row.PartlyPercent = k.Yes*100/k.Ratings, k.Partly*100/k.Ratings
			row.NoPercent = k.No * 100 / k.Ratings
		}
		v.Kept = append(v.Kept, row)
	}
	return v
}

func firstNames(names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, conversation.FirstName(oneLine(n)))
	}
	return out
}

// AgreementViewIn lays out a version of p's agreement for the templates,
// with dates in the given zone.
func AgreementViewIn(p *conversation.Partnership, ag *conversation.Agreement, reader *conversation.Participant) *templates.Agreement {
	return agreementView(templates.Language(reader.Person.Language), ag, reader.Person.Location, p.Set)
}

// agreementView lays out an agreement version in lang, with dates in loc;
// the partnership's question set, if given, translates its titles and
// numbers the topics of versions built before topics carried their number.
func agreementView(lang string, ag *conversation.Agreement, loc *time.Location, set *conversation.QuestionSet) *templates.Agreement {
	number := func(t conversation.Topic) int {
		if t.Number == 0 && set != nil {
			return set.Index(t.QuestionID) + 1
		}
		return t.Number
	}
	v := &templates.Agreement{
		Lang:     lang,
		Version:  ag.Version,
		Date:     LongDate(lang, ag.Created, loc),
		ReviewOn: LongDate(lang, ag.ReviewOn.Start(loc), loc),
	}
	if len(ag.Parties) == 2 {
		v.Between = templates.And(lang, []string{ag.Parties[0].Name, ag.Parties[1].Name})
	}
	topics := func(ts []conversation.Topic) []templates.Topic {
		var out []templates.Topic
		for _, t := range ts {
			tv := templates.Topic{Number: number(t), Title: t.Title}
			if tq, ok := translated(lang, set, t.QuestionID); ok {
				tv.Title = tq.Title
			}
			if t.Title == "" {
				// A review's own question, worded by the templates.
				tv.Title = questionTitle(lang, set, conversation.Question{ID: t.QuestionID})
			}
			for _, e := range t.Entries {
				tv.Entries = append(tv.Entries, templates.Entry{Name: conversation.FirstName(e.Name), Text: e.Text, Skipped: e.Skipped, Dropped: e.Dropped})
			}
			out = append(out, tv)
		}
		return out
	}
	for _, th := range ag.Themes {
		title := th.Title
		if len(th.Topics) > 0 {
			if tq, ok := translated(lang, set, th.Topics[0].QuestionID); ok {
				title = tq.Theme
			}
		}
		v.Themes = append(v.Themes, templates.Theme{Title: title, Topics: topics(th.Topics)})
	}
	v.Commitments = topics(ag.Commitments)
	v.Accountability = topics(ag.Accountability)
	if r := ag.Review; r != nil {
		rv := &templates.AgreementReview{Number: r.Number, Date: LongDate(lang, r.On.Start(loc), loc), Topics: topics(r.Topics),
			Missing: templates.And(lang, firstNames(r.Missing))}
		for _, rt := range r.Ratings {
			rv.Ratings = append(rv.Ratings, templates.Rating{Name: conversation.FirstName(rt.Name), Score: rt.Score, Comment: rt.Comment})
		}
		for _, e := range r.Amendments {
			rv.Amendments = append(rv.Amendments, templates.Entry{Name: conversation.FirstName(e.Name), Text: e.Text})
		}
		if len(r.Kept) > 0 {
			c := conversation.CountKept(r)
			ks := &templates.KeptSummary{Yes: c.Yes, Partly: c.Partly, No: c.No, Unrated: c.Unrated}
			for _, kr := range r.Kept {
				line := templates.KeptLine{Number: kr.Number, Text: kr.Text}
				all := true
				for i, k := range kr.Ratings {
					all = all && k == conversation.KeptYes
					name := ""
					if i < len(ag.Parties) {
						name = conversation.FirstName(oneLine(ag.Parties[i].Name))
					}
					line.Ratings = append(line.Ratings, templates.KeptBy{Name: name, Kept: string(k)})
				}
				if !all {
					ks.Lines = append(ks.Lines, line)
				}
			}
			rv.Kept = ks
		}
		v.Review = rv
		v.Changes = changeViews(lang, set, ag.Changes)
	}
	v.Agreed = agreedGroups(lang, set, ag.Statements)
	var unsigned []string
	for _, s := range ag.Signatures {
		if s.At.IsZero() {
			unsigned = append(unsigned, oneLine(s.Name))
			continue
		}
		v.Signed = append(v.Signed, templates.Signature{Name: oneLine(s.Name), Date: LongDate(lang, s.At, loc)})
	}
	v.Unsigned = templates.And(lang, unsigned)
	v.StillOpen = ag.StillOpen
	return v
}

// agreedGroups lays out agreed statements under their themes.
func agreedGroups(lang string, set *conversation.QuestionSet, ss []conversation.AgreedStatement) []templates.AgreedGroup {
	var out []templates.AgreedGroup
	for _, s := range ss {
		if theme := themeIn(lang, set, s.Theme); len(out) == 0 || out[len(out)-1].Theme != theme {
			out = append(out, templates.AgreedGroup{Theme: theme})
		}
		g := &out[len(out)-1]
		g.Statements = append(g.Statements, templates.AgreedStatement{Number: s.Number, Text: s.Text, Author: conversation.FirstName(oneLine(s.Name))})
	}
	return out
}

// themeIn is a theme of set as its translation into lang names it; the
// theme as it is when there is no translation.
func themeIn(lang string, set *conversation.QuestionSet, theme string) string {
	tr := templates.Translation(set, lang)
	if tr == nil {
		return theme
	}
	for i, q := range set.Questions {
		if q.Theme == theme && i < len(tr.Questions) && tr.Questions[i].ID == q.ID {
			return tr.Questions[i].Theme
		}
	}
	return theme
}

// questionTitle is a question's title, as questionWords has it.
func questionTitle(lang string, set *conversation.QuestionSet, q conversation.Question) string {
	title, _, _ := questionWords(lang, set, q, "", "")
	return title
}

// questionWords is a question as a person in role reads it, with their
// partner's first name filled in: its title, its text and why it is asked.
// The questions a review asks whatever the set (the rating, the built-in
// reflections, "did we keep this?", one per commitment) have their words
// in the templates; set names the commitments' topics.
func questionWords(lang string, set *conversation.QuestionSet, q conversation.Question, role conversation.Role, partnerName string) (title, text, why string) {
	if part, _ := conversation.ReviewPartOf(q.ID); part == conversation.PartKept || q.ID == conversation.ReviewKept {
		return templates.KeptTitle(lang), q.For(role, templates.PartnerCalled(lang, partnerName)), q.Why
	}
	if id, topic, ok := conversation.ReviewOwnID(q); ok {
		ask := templates.ReviewAsk{Lang: lang, ID: id, Partner: templates.PartnerCalled(lang, partnerName)}
		if set != nil {
			if i := set.Index(topic); i >= 0 {
				ask.Topic = questionTitle(lang, set, set.Questions[i])
			}
		}
		if title, text, why, ok, err := templates.ReviewQuestion(ask); ok && err == nil {
			return title, text, why
		}
	}
	if tq, ok := translated(lang, set, q.ID); ok {
		q = tq
	}
	return q.Title, q.For(role, templates.PartnerCalled(lang, partnerName)), q.Why
}

// translated is the question with id as the translation of set into lang
// words it; false when set has no translation into lang, or it lacks the
// question.
func translated(lang string, set *conversation.QuestionSet, id string) (conversation.Question, bool) {
	tr := templates.Translation(set, lang)
	if tr == nil {
		return conversation.Question{}, false
	}
	if i := tr.Index(id); i >= 0 {
		return tr.Questions[i], true
	}
	for _, q := range tr.Review {
		if _, inner, ok := conversation.ReviewQuestionParts(id); ok && q.ID == inner {
			return q, true
		}
	}
	return conversation.Question{}, false
}

// clipLine shortens a line someone wrote to at most n characters for
// quoting back, marking the cut.
func clipLine(s string, n int) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

// LongDate writes a day in lang the way people say it, in loc: "Tuesday
// 5 January 2027".
func LongDate(lang string, t time.Time, loc *time.Location) string {
	return templates.LongDate(lang, t.In(loc))
}

// meetingAt writes when a meeting starts, in lang and loc: "Tuesday 16
// March at 10:00".
func meetingAt(lang string, t time.Time, loc *time.Location) string {
	return templates.Meeting(lang, t.In(loc))
}
