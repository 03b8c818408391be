package mailin

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"accord/conversation"
	"accord/store"
	"accord/store/storetest"
)

// agreeAll brings the env's pair to their agreement directly in the
// domain, as if both had answered every question, and returns the mail
// to Dana that asks when to meet.
func (e *env) agreeAll() sent {
	e.t.Helper()
	_, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		// Answered all at once, whatever the hour.
		quiet := p.Rules.Quiet
		p.Rules.Quiet = conversation.QuietHours{}
		defer func() { p.Rules.Quiet = quiet }()
		var msgs []conversation.Message
		for _, pt := range p.Participants {
			for pt.Position < p.Set.Len() {
				if pt.Current() == nil {
					pt.NextSendAt = now
					msgs = append(msgs, p.Wake(now)...)
					continue
				}
				m, err := p.Answer(pt.ID, pt.Current().QuestionID, "Fine by me.", now)
				if err != nil {
					return nil, err
				}
				msgs = append(msgs, m...)
			}
		}
		return append(msgs, p.Wake(now)...), nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.signDraft()
	for _, m := range e.mailTo("dana@example.test") {
		if strings.Contains(m.Subject, "check-in") || strings.Contains(m.Subject, "meet") {
			return m
		}
	}
	e.t.Fatalf("no schedule question to Dana; subjects: %v", subjects(e.mailTo("dana@example.test")))
	return sent{}
}

func subjects(ms []sent) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

// series loads the pair's check-in series.
func (e *env) series() *conversation.Series {
	e.t.Helper()
	p, err := e.st.Load(e.ctx, e.pid)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Checkin
}

// calendarReplyMail is a calendar's Accept/Decline as Thunderbird sends it.
func calendarReplyMail(from, uid, partstat string, seq int, recurrence string) []byte {
	rid := ""
	if recurrence != "" {
		rid = "RECURRENCE-ID;TZID=Europe/Berlin:" + recurrence + "\r\n"
	}
	cal := "BEGIN:VCALENDAR\r\nPRODID:-//Test//Calendar//EN\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" +
		"UID:" + uid + "\r\n" + rid + fmt.Sprintf("SEQUENCE:%d\r\n", seq) + "DTSTAMP:" + time.Now().UTC().Format("20060102T150405Z") + "\r\n" +
		"ORGANIZER:mailto:" + serviceAddress + "\r\nATTENDEE;PARTSTAT=" + partstat + ":MAILTO:" + strings.ToUpper(from) + "\r\n" +
		"DTSTART;TZID=Europe/Berlin:20270316T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	return []byte("From: " + from + "\r\nTo: " + serviceAddress + "\r\nSubject: Accepted: Check-in\r\nMessage-ID: <cal-" + partstat + fmt.Sprint(time.Now().UnixNano()) + "@mail.example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=UTF-8\r\n\r\n" + cal)
}

// TestCheckinReplies takes the pair from the schedule question through
// replies that set, change and answer their check-ins, and calendar
// replies good and bad.
func TestCheckinReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	ask := e.agreeAll()
	uid := uint32(1)
	next := func(raw []byte) Result {
		t.Helper()
		uid++
		return e.process(pr, uid, raw)
	}

	// An unreadable schedule is asked again, with the reason.
	if res := next(replyMail("dana@example.test", ask, "whenever suits Sam")); res.Outcome != store.InboundCommand {
		t.Errorf("unclear schedule: outcome %s, want command (asked again)", res.Outcome)
	}
	if e.series() != nil {
		t.Fatal("a series was set from an unreadable reply")
	}
	again := e.lastMail("dana@example.test")
	if again.Subject != ask.Subject {
		t.Errorf("asked again with subject %q, want %q", again.Subject, ask.Subject)
	}

	// The report cannot set it; the lead can.
	if res := next(replyMail("dana@example.test", again, "Tuesdays at 10")); res.Outcome != store.InboundCommand {
		t.Errorf("schedule reply: outcome %s", res.Outcome)
	}
	cs := e.series()
	if cs == nil || cs.Schedule.Spec() != "tue 10:00 30m weekly" {
		t.Fatalf("series after the lead's reply: %+v", cs)
	}
	invite := e.lastMail("sam@example.test")
	if !strings.Contains(string(invite.Raw), "text/calendar; method=REQUEST") {
		t.Fatalf("Sam's last mail is not an invitation: %q", invite.Subject)
	}

	// "skip this week"-style commands by reply to the invitation.
	first := cs.Start
	res := next(replyMail("sam@example.test", invite, "skip "+first.In(cs.Zone).Format("2006-01-02")))
	if res.Outcome != store.InboundCommand {
		t.Errorf("skip reply: outcome %s", res.Outcome)
	}
	cs = e.series()
	if len(cs.Occurrences) != 1 || cs.Occurrences[0].State != conversation.OccSkipped || cs.Sequence != 1 {
		t.Errorf("after the skip: seq %d, occurrences %+v", cs.Sequence, cs.Occurrences)
	}
	if m := e.lastMail("dana@example.test"); !strings.Contains(string(m.Raw), "text/calendar; method=CANCEL") {
		t.Errorf("Dana's calendar was not told of the skip: %q", m.Subject)
	}

	// Calendar replies: accepted from an attendee; refused otherwise.
	for _, tc := range []struct {
		name, from, uid, partstat string
		want                      string
	}{
		{"accept", "sam@example.test", cs.UID, "ACCEPTED", store.InboundCalendar},
		{"not an attendee", "eve@example.test", cs.UID, "ACCEPTED", store.InboundRejected},
		{"unknown event", "sam@example.test", "nobody@example.test", "DECLINED", store.InboundRejected},
	} {
		if res := next(calendarReplyMail(tc.from, tc.uid, tc.partstat, 1, "")); res.Outcome != tc.want {
			t.Errorf("%s: outcome %s, want %s", tc.name, res.Outcome, tc.want)
		}
	}
	garbage := []byte("From: sam@example.test\r\nTo: " + serviceAddress + "\r\nSubject: Accepted\r\nMessage-ID: <garbage@mail.example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID;;;\r\n\x00\xff\r\n")
	if res := next(garbage); res.Outcome != store.InboundRejected {
		t.Errorf("garbage calendar: outcome %s, want rejected", res.Outcome)
	}
	if cs = e.series(); len(cs.Responses) != 1 || cs.Responses[0].PartStat != "ACCEPTED" {
		t.Errorf("recorded calendar replies %+v, want Sam's acceptance only", cs.Responses)
	}

	// A decline of one meeting tells Dana.
	second := cs.Schedule.Next(first, cs.Zone)
	before := len(e.mailTo("dana@example.test"))
	if res := next(calendarReplyMail("sam@example.test", cs.UID, "DECLINED", 1, second.In(cs.Zone).Format("20060102T150405"))); res.Outcome != store.InboundCalendar {
		t.Errorf("decline: outcome %s", res.Outcome)
	}
	if ms := e.mailTo("dana@example.test"); len(ms) != before+1 || !strings.Contains(ms[len(ms)-1].Subject, "Sam") {
		t.Errorf("Dana was not told of the decline: %v", subjects(ms[before:]))
	}

	// Prep by reply to the prep mail lands on that meeting.
	if _, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.Wake(second.Add(-23 * time.Hour)), nil
	}); err != nil {
		t.Fatal(err)
	}
	prep := e.lastMail("sam@example.test")
	if res := next(replyMail("sam@example.test", prep, "Finished the handbook; stuck on deploy tests.")); res.Outcome != store.InboundAnswer {
		t.Errorf("prep reply: outcome %s (subject %q)", res.Outcome, prep.Subject)
	}
	p, err := e.st.Load(e.ctx, e.pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.CheckinNotes) != 1 || !p.CheckinNotes[0].Occurrence.Original.Equal(second) || p.CheckinNotes[0].ParticipantID != e.sam {
		t.Errorf("prep notes %+v, want Sam's for %s", p.CheckinNotes, second)
	}

	// Once the series is cancelled, a late acceptance changes nothing.
	if _, err := e.st.Apply(e.ctx, e.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.CancelCheckins(0, now)
	}); err != nil {
		t.Fatal(err)
	}
	if res := next(calendarReplyMail("dana@example.test", cs.UID, "ACCEPTED", 9, "")); res.Outcome != store.InboundIgnored {
		t.Errorf("reply to a cancelled series: outcome %s, want ignored", res.Outcome)
	}
}

// TestClashingScheduleByMail: Dana already meets Kim on Tuesdays at 15;
// answering Sam's schedule question with the same time is refused with
// the nearest free time, her own other meeting named, and that free time
// is then taken.
func TestClashingScheduleByMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	kim, err := e.st.Enroll(e.ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: e.set(),
		A: store.EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
		B: store.EnrollPerson{Name: "Kim Novak", Email: "kim@example.test", TimeZone: "Europe/Berlin"}})
	if err != nil {
		t.Fatal(err)
	}
	tuesdays, _ := conversation.ParseSchedule("tue 15:00 30m weekly")
	if _, err := e.st.Apply(e.ctx, kim, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.ScheduleCheckins(tuesdays, now)
	}); err != nil {
		t.Fatal(err)
	}
	ask := e.agreeAll()
	e.process(pr, 1, replyMail("dana@example.test", ask, "Tuesdays at 15, half an hour"))
	refusal := e.lastMail("dana@example.test")
	text := refusal.text(t)
	if !strings.Contains(refusal.Subject, "When would you like to meet with Sam?") ||
		!strings.Contains(text, "overlaps your check-in with Kim") || !strings.Contains(text, "every Tuesday at 15:30") {
		t.Fatalf("the refusal %q does not name Kim and the free time:\n%s", refusal.Subject, text)
	}
	if cs := e.series(); cs != nil {
		t.Fatalf("a clashing series was set: %s", cs.Schedule.Spec())
	}
	e.process(pr, 2, replyMail("dana@example.test", refusal, "Tuesdays at 15:30"))
	if cs := e.series(); cs == nil || cs.Schedule.At != 15*60+30 {
		t.Errorf("after the free time: series %+v, want Tuesdays at 15:30", cs)
	}
}

// TestOffHoursByMail: Dana in Berlin answers the schedule question with
// Tuesdays at 10, which is 04:00 for Sam in New York; it is refused with
// Sam's time and the hours that suit both. Once a time suits both, Sam's
// "move to Thursday 10:00" is read in his own zone.
func TestOffHoursByMail(t *testing.T) {
	t.Parallel()
	rules := conversation.DefaultRules()
	rules.RevealGrace = 0
	e := newEnvWith(t, storetest.SQLiteURL(t), nil, store.Options{Rules: rules})
	pr := e.processor("p1")
	ask := e.agreeAll()
	e.process(pr, 1, replyMail("dana@example.test", ask, "Tuesdays at 10"))
	if cs := e.series(); cs != nil {
		t.Fatalf("a series at 04:00 for Sam was set: %s", cs.Schedule.Spec())
	}
	refusal := e.lastMail("dana@example.test")
	text := refusal.text(t)
	for _, want := range []string{"is 04:00 for Sam, outside Sam's working hours", "run from 14:00 to 19:30, in your time"} {
		if !strings.Contains(text, want) {
			t.Errorf("the refusal %q lacks %q:\n%s", refusal.Subject, want, text)
		}
	}
	e.process(pr, 2, replyMail("dana@example.test", refusal, "Tuesdays at 15:00"))
	cs := e.series()
	if cs == nil || cs.Schedule.Spec() != "tue 15:00 30m weekly" {
		t.Fatalf("after a time that suits both: series %+v", cs)
	}
	invite := e.lastMail("sam@example.test")
	if text := invite.text(t); !strings.Contains(text, "every Tuesday at 09:00") || !strings.Contains(text, "(15:00 for Dana") {
		t.Errorf("Sam's invitation does not give his own time and Dana's:\n%s", text)
	}
	e.process(pr, 3, replyMail("sam@example.test", invite, "move to Thursday 10:00"))
	cs = e.series()
	ny, _ := time.LoadLocation("America/New_York")
	var moved *conversation.Occurrence
	for _, o := range cs.Occurrences {
		if o.State == conversation.OccMoved {
			moved = o
		}
	}
	if moved == nil {
		t.Fatalf("Sam's move was not made: %+v (last mail to Sam %q)", cs.Occurrences, e.lastMail("sam@example.test").Subject)
	}
	if got := moved.Start.In(ny); got.Weekday() != time.Thursday || got.Hour() != 10 {
		t.Errorf("moved to %s New York time, want Thursday 10:00", got.Format("Mon 15:04"))
	}
}

// scheduledPair is the agreed pair with weekly check-ins Dana set by
// reply (UID 1 of the direct processor's mailbox), and its series.
func scheduledPair(t *testing.T) (*env, *Processor, *conversation.Series) {
	t.Helper()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	ask := e.agreeAll()
	if res := e.process(pr, 1, replyMail("dana@example.test", ask, "Tuesdays at 10")); res.Outcome != store.InboundCommand {
		t.Fatalf("schedule reply: outcome %s", res.Outcome)
	}
	return e, pr, e.series()
}

// calendarReplyAs is a calendar's answer whose ATTENDEE and From may
// differ, with extra header lines (a To with a reply token, an
// In-Reply-To).
func calendarReplyAs(from, attendee, uid, partstat, headers string) []byte {
	cal := "BEGIN:VCALENDAR\r\nPRODID:-//Test//Calendar//EN\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" +
		"UID:" + uid + "\r\nSEQUENCE:0\r\nDTSTAMP:" + time.Now().UTC().Format("20060102T150405Z") + "\r\n" +
		"ORGANIZER:mailto:" + serviceAddress + "\r\nATTENDEE;PARTSTAT=" + partstat + ":mailto:" + attendee + "\r\n" +
		"DTSTART;TZID=Europe/Berlin:20270316T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if !strings.Contains(headers, "To: ") {
		headers += "To: " + serviceAddress + "\r\n"
	}
	return []byte("From: " + from + "\r\n" + headers + "Subject: Accepted: Check-in\r\nMessage-ID: <cal-" + fmt.Sprint(time.Now().UnixNano()) + "@mail.example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=UTF-8\r\n\r\n" + cal)
}

// TestCalendarReplyFromAnotherAddress: a calendar answers from an alias or
// another account. Taken for the person when the mail's addressing (the
// reply token, the invitation it answers) names them too; otherwise
// refused, and the person it claims to be is told, once, at their invited
// address — never the other address, and never the partner.
func TestCalendarReplyFromAnotherAddress(t *testing.T) {
	t.Parallel()
	const alias = "sam.ortiz@icloud.example"
	tests := []struct {
		name, from, attendee string
		// answers: "" for none, "invitation" for an In-Reply-To of Sam's
		// invitation, "token" for its Reply-To address as To.
		answers  string
		want     string
		recorded bool
		toldSam  bool
	}{
		{"attendee Sam, from an alias, answering the invitation", alias, "sam@example.test", "invitation", store.InboundCalendar, true, false},
		{"attendee Sam, from an alias, to the invitation's reply address", alias, "sam@example.test", "token", store.InboundCalendar, true, false},
		{"attendee an alias, from Sam, answering the invitation", "sam@example.test", alias, "invitation", store.InboundCalendar, true, false},
		{"attendee Sam, from an alias, nothing else", alias, "sam@example.test", "", store.InboundRejected, false, true},
		{"attendee an alias, from an alias, answering the invitation", alias, alias, "invitation", store.InboundRejected, false, true},
		{"attendee an alias, from an alias, nothing else", alias, alias, "", store.InboundRejected, false, false},
		{"attendee Dana, from Sam, answering Sam's invitation", "sam@example.test", "dana@example.test", "invitation", store.InboundRejected, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, pr, cs := scheduledPair(t)
			invite := e.lastMail("sam@example.test")
			headers := ""
			switch tc.answers {
			case "invitation":
				headers = "In-Reply-To: " + invite.MessageID + "\r\n"
			case "token":
				headers = "To: " + invite.ReplyTo + "\r\n"
			}
			samBefore, aliasBefore := len(e.mailTo("sam@example.test")), len(e.mailTo(alias))
			danaBefore := len(e.mailTo("dana@example.test"))
			if res := e.process(pr, 2, calendarReplyAs(tc.from, tc.attendee, cs.UID, "ACCEPTED", headers)); res.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s", res.Outcome, tc.want)
			}
			if got := len(e.series().Responses) == 1; got != tc.recorded {
				t.Errorf("recorded %v, want %t", e.series().Responses, tc.recorded)
			}
			if tc.recorded {
				// Which address answered is on the record.
				rows, err := e.st.InboundLog(e.ctx, store.InboundCalendar)
				if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Detail, alias) {
					t.Errorf("inbound log %+v (%v), want the answer's detail to name %s", rows, err, alias)
				}
			}
			toSam := e.mailTo("sam@example.test")[samBefore:]
			told := len(toSam) == 1 && strings.Contains(toSam[0].text(t), alias)
			if told != tc.toldSam || len(toSam) > 1 {
				t.Errorf("Sam got %q, want told %t", subjects(toSam), tc.toldSam)
			}
			if n := len(e.mailTo(alias)); n != aliasBefore {
				t.Errorf("%d mails to the other address", n-aliasBefore)
			}
			if n := len(e.mailTo("dana@example.test")); n != danaBefore {
				t.Errorf("Dana got %d mails about it", n-danaBefore)
			}
			if tc.toldSam {
				// Told once: a second try the same day tells nobody.
				if res := e.process(pr, 3, calendarReplyAs(tc.from, tc.attendee, cs.UID, "DECLINED", headers)); res.Outcome != tc.want {
					t.Fatalf("second try: outcome %s", res.Outcome)
				}
				if n := len(e.mailTo("sam@example.test")) - samBefore; n != 1 {
					t.Errorf("Sam told %d times, want once", n)
				}
			}
		})
	}
}

// counterMail is a calendar's proposal of a new time for the meeting in
// slot original: a COUNTER as Outlook and Google send it (Google's in a
// part labelled method=REPLY, marked Auto-Submitted), or Apple's REPLY
// TENTATIVE with TO-ALL-PROPOSED-NEW-TIME.
func counterMail(style, from, uid string, original, proposed time.Time) []byte {
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	method, label, att, extra := "COUNTER", "COUNTER", "ATTENDEE;PARTSTAT=TENTATIVE:mailto:"+from, "DTSTART:"+utc(proposed)+"\r\n"
	headers := ""
	switch style {
	case "google":
		label, headers = "REPLY", "Auto-Submitted: auto-generated\r\n"
	case "apple":
		method, label = "REPLY", "REPLY"
		att = `ATTENDEE;PARTSTAT=TENTATIVE;TO-ALL-PROPOSED-NEW-TIME="DTSTART:` + utc(proposed) + `;STATUS:;":mailto:` + from
		extra = "DTSTART:" + utc(original) + "\r\nX-CALENDARSERVER-PRIVATE-COMMENT:Can we move it?\r\n"
	}
	cal := "BEGIN:VCALENDAR\r\nPRODID:-//Test//Calendar//EN\r\nVERSION:2.0\r\nMETHOD:" + method + "\r\nBEGIN:VEVENT\r\n" +
		"UID:" + uid + "\r\nRECURRENCE-ID:" + utc(original) + "\r\n" + extra + "SEQUENCE:0\r\nDTSTAMP:" + utc(time.Now()) + "\r\n" +
		"ORGANIZER:mailto:" + serviceAddress + "\r\n" + att + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	return []byte("From: " + from + "\r\nTo: " + serviceAddress + "\r\n" + headers + "Subject: New time proposed: Check-in\r\n" +
		"Message-ID: <counter-" + fmt.Sprint(time.Now().UnixNano()) + "@mail.example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/calendar; method=" + label + "; charset=UTF-8\r\n\r\n" + cal)
}

// TestCalendarCounter: a calendar proposes a new time for one meeting.
// Outlook's COUNTER, Google's (an Auto-Submitted COUNTER in a part
// labelled REPLY) and Apple's proposal on a TENTATIVE REPLY are answered
// like "move to …": the meeting moves and both calendars are updated; a
// time that cannot be taken is explained to the proposer, whose calendar
// gets a DECLINECOUNTER, and the partner hears nothing.
func TestCalendarCounter(t *testing.T) {
	t.Parallel()
	for _, style := range []string{"outlook", "google", "apple"} {
		for _, past := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, past %t", style, past), func(t *testing.T) {
				t.Parallel()
				e, pr, cs := scheduledPair(t)
				o := cs.Upcoming(e.st.Now())
				proposed := o.Start.Add(26 * time.Hour)
				if past {
					proposed = e.st.Now().Add(-time.Hour)
				}
				samBefore, danaBefore := len(e.mailTo("sam@example.test")), len(e.mailTo("dana@example.test"))
				if res := e.process(pr, 2, counterMail(style, "sam@example.test", cs.UID, o.Original, proposed)); res.Outcome != store.InboundCalendar {
					t.Fatalf("outcome %s, want a calendar answer", res.Outcome)
				}
				after := e.series()
				var moved bool
				for _, oc := range after.Occurrences {
					if oc.Original.Equal(o.Original) && oc.Start.Equal(proposed) {
						moved = true
					}
				}
				toSam, toDana := e.mailTo("sam@example.test")[samBefore:], e.mailTo("dana@example.test")[danaBefore:]
				if past {
					if moved || len(toDana) != 0 || len(toSam) != 1 || !strings.Contains(string(toSam[0].Raw), "method=DECLINECOUNTER") {
						t.Errorf("moved %t; Sam got %q, Dana %q; want nothing moved and only Sam told, with a DECLINECOUNTER", moved, subjects(toSam), subjects(toDana))
					}
				} else {
					if !moved || len(toDana) != 1 || len(toSam) != 1 || !strings.Contains(string(toDana[0].Raw), "text/calendar; method=REQUEST") {
						t.Errorf("moved %t; Sam got %q, Dana %q; want the meeting moved and both calendars updated", moved, subjects(toSam), subjects(toDana))
					}
				}
				// The tentative answer is kept too.
				if len(after.Responses) != 1 || after.Responses[0].PartStat != conversation.PartStatTentative {
					t.Errorf("responses %+v, want Sam's tentative", after.Responses)
				}
			})
		}
	}
}

// TestInvitationFromElsewhere: someone else's invitation (Dana invites the
// service mailbox to a coffee) is nobody's answer: recorded as ignored,
// nothing stored, nobody written to.
func TestInvitationFromElsewhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLiteURL(t), nil)
	pr := e.processor("p1")
	before := len(e.allMail())
	invite := "From: dana@example.test\r\nTo: " + serviceAddress + "\r\nSubject: Invitation: Coffee\r\nMessage-ID: <coffee@mail.example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nShall we grab a coffee?\r\n" +
		"--b\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:coffee-1\r\n" +
		"ORGANIZER:mailto:dana@example.test\r\nATTENDEE:mailto:" + serviceAddress + "\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n--b--\r\n"
	if res := e.process(pr, 1, []byte(invite)); res.Outcome != store.InboundIgnored {
		t.Fatalf("outcome %s, want ignored", res.Outcome)
	}
	if got := e.answers(e.dana); len(got) != 0 {
		t.Errorf("answers %q, want none", got)
	}
	if n := len(e.allMail()) - before; n != 0 {
		t.Errorf("%d mails sent about it", n)
	}
}

// tnefAcceptance is an Exchange acceptance of the series uid whose answer
// is only in a winmail.dat, as Outlook sends it with an empty text body:
// a TNEF stream with the meeting response's class and the meeting's
// object id, which holds the iCalendar UID the invitation had.
func tnefAcceptance(from, uid string) []byte {
	le32 := func(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
	attribute := func(b []byte, id uint32, data []byte) []byte {
		b = append(b, 0x01)
		b = le32(le32(b, id), uint32(len(data)))
		b = append(b, data...)
		var sum uint16
		for _, c := range data {
			sum += uint16(c)
		}
		return binary.LittleEndian.AppendUint16(b, sum)
	}
	// The object id: Outlook's class id, no occurrence date, creation
	// time and reserved octets, then the data with the vCal-Uid marker.
	data := append([]byte("vCal-Uid\x01\x00\x00\x00"), uid+"\x00"...)
	oid := []byte{0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08}
	oid = append(oid, make([]byte, 20)...)
	oid = append(le32(oid, uint32(len(data))), data...)
	// One named property, PSETID_Meeting's PidLidGlobalObjectId (LID 3),
	// a PT_BINARY of one value.
	props := le32(nil, 1)
	props = append(props, 0x02, 0x01, 0x00, 0x80)
	props = append(props, 0x90, 0xDA, 0xD8, 0x6E, 0x0B, 0x45, 0x1B, 0x10, 0x98, 0xDA, 0x00, 0xAA, 0x00, 0x3F, 0x13, 0x05)
	props = le32(le32(props, 0), 3)
	props = le32(le32(props, 1), uint32(len(oid)))
	props = append(props, oid...)
	props = append(props, make([]byte, -len(oid)&3)...)
	stream := []byte{0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00}
	stream = attribute(stream, 0x00078008, []byte("IPM.Microsoft Schedule.MtgRespP\x00"))
	stream = attribute(stream, 0x00069003, props)
	return []byte("From: " + from + "\r\nTo: " + serviceAddress + "\r\nSubject: Accepted: Check-in\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <tnef-" + fmt.Sprint(time.Now().UnixNano()) + "@mail.example.test>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\r\n" +
		"--b\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(stream) + "\r\n--b--\r\n")
}

// TestTNEFAcceptance: Outlook's acceptance that exists only inside TNEF,
// behind an empty text body, is recorded as the person's acceptance, not
// read as their text.
func TestTNEFAcceptance(t *testing.T) {
	t.Parallel()
	e, pr, cs := scheduledPair(t)
	if res := e.process(pr, 2, tnefAcceptance("sam@example.test", cs.UID)); res.Outcome != store.InboundCalendar {
		rows, _ := e.st.InboundLog(e.ctx, "")
		t.Fatalf("outcome %s, want a calendar answer (%+v)", res.Outcome, rows[len(rows)-1])
	}
	if got := e.series().Responses; len(got) != 1 || got[0].ParticipantID != e.sam || got[0].PartStat != conversation.PartStatAccepted {
		t.Errorf("responses %+v, want Sam's acceptance", got)
	}
}
