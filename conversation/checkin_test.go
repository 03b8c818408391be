package conversation

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// agreed takes a three-question pair to agreement v1 by at, answering
// every question the minute it arrives.
func agreed(t *testing.T, rules Rules, plan string, at time.Time) *Partnership {
	t.Helper()
	p := pair(t, 3, rules, at.Add(-time.Hour))
	if plan != "" {
		s, err := ParseSchedule(plan)
		if err != nil {
			t.Fatalf("ParseSchedule(%q): %v", plan, err)
		}
		if _, err := p.ScheduleCheckins(s, at.Add(-time.Hour)); err != nil {
			t.Fatalf("ScheduleCheckins before the agreement: %v", err)
		}
	}
	p.Enroll(at.Add(-time.Hour))
	// The agreement comes at at, without waiting out the grace of the
	// last answer; the rules hold again for what follows.
	grace := p.Rules.RevealGrace
	p.Rules.RevealGrace = 0
	for _, q := range []string{"q1", "q2", "q3"} {
		for _, pt := range p.Participants {
			if _, err := p.Answer(pt.ID, q, pt.Person.Name+" on "+q, at); err != nil {
				t.Fatalf("Answer(%s, %s): %v", pt.Person.Name, q, err)
			}
		}
	}
	signed(t, p, at)
	p.Rules.RevealGrace = grace
	if p.LatestAgreement() == nil {
		t.Fatal("no agreement after every answer")
	}
	return p
}

// calendars returns the calendar changes in msgs, one per recipient,
// failing unless both people got the same change.
func calendars(t *testing.T, p *Partnership, msgs []Message) *CalendarChange {
	t.Helper()
	var got []*CalendarChange
	for _, pt := range p.Participants {
		for _, m := range msgs {
			if m.To == pt && m.Kind == MsgCalendar {
				got = append(got, m.Calendar)
			}
		}
	}
	if len(got) != 2 || got[0] != got[1] || got[0] == nil {
		t.Fatalf("calendar messages: %v, want the same change to both", kinds(msgs))
	}
	return got[0]
}

func berlinTime(t *testing.T, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, mustLoc(t, "Europe/Berlin"))
}

func TestCheckinPlanStartsWithTheAgreement(t *testing.T) {
	t.Parallel()
	// Wednesday 10 March 2027, 12:00 in Berlin.
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	if p.CheckinPlan != nil || p.Checkin == nil {
		t.Fatalf("after the agreement: plan %v, series %v; want the series started", p.CheckinPlan, p.Checkin)
	}
	cs := p.Checkin
	if want := berlinTime(t, 2027, 3, 16, 10, 0); !cs.Start.Equal(want) {
		t.Errorf("first meeting %s, want %s", cs.Start, want)
	}
	if cs.Sequence != 0 || cs.Status != SeriesActive {
		t.Errorf("new series: sequence %d, status %s; want 0, active", cs.Sequence, cs.Status)
	}
	if !p.ScheduleAskedAt.IsZero() {
		t.Error("the lead was asked for a time that was already set")
	}
}

func TestScheduleAskedThenSetByTheLead(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	p := agreed(t, noQuiet(), "", at)
	lead, report := p.Participants[0], p.Participants[1]
	if p.ScheduleAskedAt.IsZero() || p.Checkin != nil {
		t.Fatalf("asked %v, series %v; want the lead asked and no series", p.ScheduleAskedAt, p.Checkin)
	}
	s, _ := ParseSchedule("every other Thursday 14:30 for 45 minutes")
	if _, err := p.SetSchedule(report.ID, s, at); !errors.Is(err, ErrNotOrganiser) {
		t.Errorf("SetSchedule by the report = %v, want ErrNotOrganiser", err)
	}
	msgs, err := p.SetSchedule(lead.ID, s, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c := calendars(t, p, msgs)
	if c.Kind != CalSeries || c.Sequence != 0 {
		t.Errorf("change %s seq %d, want series seq 0", c.Kind, c.Sequence)
	}
	if want := berlinTime(t, 2027, 3, 11, 14, 30); !p.Checkin.Start.Equal(want) {
		t.Errorf("first meeting %s, want %s (at least a day ahead)", p.Checkin.Start, want)
	}
	if got := p.Checkin.Schedule.Next(p.Checkin.Start, p.Checkin.Zone); !got.Equal(berlinTime(t, 2027, 3, 25, 14, 30)) {
		t.Errorf("second meeting %s, want two weeks later", got)
	}
}

// TestMeetingCycle follows two weekly meetings: prep a day before (with
// the priorities question at the first), the agenda an hour before, the
// follow-up to the lead half an hour after; each once, even when woken
// twice.
func TestMeetingCycle(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	lead, report := p.Participants[0], p.Participants[1]
	first := berlinTime(t, 2027, 3, 16, 10, 0)
	if got := p.NextWake(at); !got.Equal(first.Add(-24 * time.Hour)) {
		t.Fatalf("NextWake = %s, want the prep a day before the meeting", got)
	}
	type step struct {
		at   time.Time
		want map[*Participant][]MessageKind
	}
	for _, s := range []step{
		{first.Add(-24 * time.Hour), map[*Participant][]MessageKind{lead: {MsgPrep}, report: {MsgPrep}}},
		{first.Add(-time.Hour), map[*Participant][]MessageKind{lead: {MsgAgenda}, report: {MsgAgenda}}},
		{first.Add(time.Hour), map[*Participant][]MessageKind{lead: {MsgFollowUp}}},
	} {
		if got := p.NextWake(s.at.Add(-time.Minute)); !got.Equal(s.at) {
			t.Errorf("NextWake before %s = %s", s.at, got)
		}
		msgs := p.Wake(s.at)
		for _, pt := range p.Participants {
			if got := kindsTo(msgs, pt); !slices.Equal(got, s.want[pt]) {
				t.Errorf("at %s %s got %v, want %v", s.at, pt.Person.Name, got, s.want[pt])
			}
		}
		if again := p.Wake(s.at.Add(time.Minute)); len(again) != 0 {
			t.Errorf("woken again at %s: %v, want nothing", s.at, kinds(again))
		}
		for _, m := range msgs {
			if m.Occurrence == nil || !m.Occurrence.Original.Equal(first) {
				t.Errorf("%s is about %v, want the meeting of %s", m.Kind, m.Occurrence, first)
			}
			if m.Kind == MsgPrep && !m.Priorities {
				t.Errorf("the first meeting's prep does not ask about priorities")
			}
		}
		if s.want[lead][0] == MsgPrep {
			o := p.Checkin.find(first)
			for _, pt := range p.Participants {
				if _, err := p.RecordCheckinNote(pt.ID, CheckinPrep, first, pt.Person.Name+" prepared", s.at.Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if got := len(p.Notes(o, CheckinPrep)); got != 2 {
				t.Errorf("prep notes %d, want 2", got)
			}
		}
	}
	if _, err := p.RecordCheckinNote(lead.ID, CheckinFollowUp, first, "Sam drafts the plan", first.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	second := berlinTime(t, 2027, 3, 23, 10, 0)
	msgs := p.Wake(second.Add(-24 * time.Hour))
	for _, m := range msgs {
		if m.Kind != MsgPrep || m.Priorities || !m.Occurrence.Original.Equal(second) {
			t.Errorf("second meeting: %s (priorities %v) about %v", m.Kind, m.Priorities, m.Occurrence)
		}
	}
	if prev := p.PreviousMeeting(p.Checkin.find(second)); prev == nil || !prev.Original.Equal(first) {
		t.Errorf("PreviousMeeting = %v, want the first", prev)
	} else if items := p.Notes(prev, CheckinFollowUp); len(items) != 1 || items[0].Text != "Sam drafts the plan" {
		t.Errorf("action items of the first meeting: %v", items)
	}
}

func TestPrepAvoidsQuietHours(t *testing.T) {
	t.Parallel()
	// Monday 9:00 meetings: a day before is a Sunday, quiet for both; the
	// prep goes out on Friday evening before quiet hours instead.
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	p := agreed(t, noQuiet(), "mon 09:00 30m weekly", at)
	p.Rules = DefaultRules()
	meeting := berlinTime(t, 2027, 3, 15, 9, 0)
	if !p.Checkin.Start.Equal(meeting) {
		t.Fatalf("first meeting %s, want %s", p.Checkin.Start, meeting)
	}
	lead, report := p.Participants[0], p.Participants[1]
	leadPrep := berlinTime(t, 2027, 3, 12, 19, 45)
	// New York's Friday 19:45 is Saturday 00:45 in Berlin.
	reportPrep := time.Date(2027, 3, 12, 19, 45, 0, 0, mustLoc(t, "America/New_York"))
	if got := kindsTo(p.Wake(leadPrep), lead); !slices.Equal(got, []MessageKind{MsgPrep}) {
		t.Errorf("lead at %s got %v, want the prep", leadPrep, got)
	}
	if got := kindsTo(p.Wake(reportPrep.Add(-time.Minute)), report); len(got) != 0 {
		t.Errorf("report got %v before their own Friday evening", got)
	}
	if got := kindsTo(p.Wake(reportPrep), report); !slices.Equal(got, []MessageKind{MsgPrep}) {
		t.Errorf("report at %s got %v, want the prep", reportPrep, got)
	}
}

func TestCheckinChanges(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	lead, report := p.Participants[0], p.Participants[1]
	cs := p.Checkin
	first, second, third := berlinTime(t, 2027, 3, 16, 10, 0), berlinTime(t, 2027, 3, 23, 10, 0), berlinTime(t, 2027, 3, 30, 10, 0)

	// Skip the first meeting: one occurrence cancelled, no prep for it.
	c := calendars(t, p, must[[]Message](t)(p.SkipCheckin(report.ID, first, at)))
	if c.Kind != CalCancelOne || c.Sequence != 1 || !c.Occurrence.Original.Equal(first) {
		t.Errorf("skip: %s seq %d occurrence %v", c.Kind, c.Sequence, c.Occurrence)
	}
	if msgs := p.Wake(first.Add(-24 * time.Hour)); len(msgs) != 0 {
		t.Errorf("prep for a skipped meeting: %v", kinds(msgs))
	}
	if _, err := p.SkipCheckin(lead.ID, first, at); !errors.Is(err, ErrNoOccurrence) {
		t.Errorf("skipping it again = %v, want ErrNoOccurrence", err)
	}

	// Move the second to Thursday 14:00: an override, prep before the new time.
	moved := berlinTime(t, 2027, 3, 25, 14, 0)
	c = calendars(t, p, must[[]Message](t)(p.MoveCheckin(lead.ID, second, moved, at)))
	if c.Kind != CalMoveOne || c.Sequence != 2 || !c.Occurrence.Start.Equal(moved) || !c.Occurrence.Original.Equal(second) {
		t.Errorf("move: %s seq %d %+v", c.Kind, c.Sequence, c.Occurrence)
	}
	if msgs := p.Wake(second.Add(-24 * time.Hour)); len(msgs) != 0 {
		t.Errorf("prep at the old time: %v", kinds(msgs))
	}
	if msgs := p.Wake(moved.Add(-24 * time.Hour)); len(msgs) != 2 || msgs[0].Kind != MsgPrep {
		t.Errorf("prep before the new time: %v", kinds(msgs))
	}

	// Pause over the third: it leaves calendars (EXDATE) and sends nothing.
	until := berlinTime(t, 2027, 4, 1, 0, 0)
	c = calendars(t, p, must[[]Message](t)(p.PauseCheckins(lead.ID, until, moved.Add(time.Hour))))
	if c.Kind != CalSeries || c.Sequence != 3 || cs.Status != SeriesPaused {
		t.Errorf("pause: %s seq %d status %s", c.Kind, c.Sequence, cs.Status)
	}
	if got := cs.Excluded(until); !slices.EqualFunc(got, []time.Time{first, third}, time.Time.Equal) {
		t.Errorf("Excluded = %v, want the skipped and the paused meeting", got)
	}
	if msgs := p.Wake(third.Add(-24 * time.Hour)); len(msgs) != 0 {
		t.Errorf("prep while paused: %v", kinds(msgs))
	}
	p.Wake(until)
	if cs.Status != SeriesActive {
		t.Errorf("after the pause: %s, want active", cs.Status)
	}

	// Move the whole series: overrides ahead are dropped, sequence rises.
	s, _ := ParseSchedule("wed 09:00 30m weekly")
	c = calendars(t, p, must[[]Message](t)(p.SetSchedule(lead.ID, s, until)))
	if c.Kind != CalSeries || c.Sequence != 4 || !cs.Start.Equal(berlinTime(t, 2027, 4, 7, 9, 0)) {
		t.Errorf("move all: %s seq %d start %s", c.Kind, c.Sequence, cs.Start)
	}
	if len(cs.Moved()) != 0 {
		t.Errorf("overrides survived the new schedule: %v", cs.Moved())
	}

	// Cancel: both calendars drop it; nothing more can change.
	c = calendars(t, p, must[[]Message](t)(p.CancelCheckins(report.ID, until.Add(time.Hour))))
	if c.Kind != CalCancelSeries || c.Sequence != 5 || cs.Status != SeriesCancelled {
		t.Errorf("cancel: %s seq %d status %s", c.Kind, c.Sequence, cs.Status)
	}
	if _, err := p.SkipCheckin(lead.ID, berlinTime(t, 2027, 4, 7, 9, 0), until.Add(2*time.Hour)); !errors.Is(err, ErrSeriesCancelled) {
		t.Errorf("skip after cancel = %v, want ErrSeriesCancelled", err)
	}
	if msgs := p.Wake(berlinTime(t, 2027, 4, 6, 9, 0)); len(msgs) != 0 {
		t.Errorf("mail for a cancelled series: %v", kinds(msgs))
	}
}

func TestStampsGrow(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	before := p.Checkin.Stamp
	c := calendars(t, p, must[[]Message](t)(p.SkipCheckin(0, berlinTime(t, 2027, 3, 16, 10, 0), at)))
	if !c.Stamp.After(before) {
		t.Errorf("DTSTAMP %s did not grow past %s within the same second", c.Stamp, before)
	}
}

func TestEndingCancelsTheSeries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		end  func(p *Partnership, now time.Time) ([]Message, error)
		want int // calendar cancellations sent
	}{
		{"the operator ends it", func(p *Partnership, now time.Time) ([]Message, error) { return p.End("done", now) }, 2},
		{"the report stops", func(p *Partnership, now time.Time) ([]Message, error) { return p.StopNow(2, now) }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			at := berlinTime(t, 2027, 3, 10, 12, 0)
			p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
			msgs := must[[]Message](t)(tc.end(p, at.Add(time.Hour)))
			n := 0
			for _, m := range msgs {
				if m.Kind == MsgCalendar && m.Calendar.Kind == CalCancelSeries {
					n++
				}
			}
			if n != tc.want || p.Checkin.Status != SeriesCancelled {
				t.Errorf("cancellations %d (%v), series %s; want %d, cancelled", n, kinds(msgs), p.Checkin.Status, tc.want)
			}
		})
	}
}

func TestCalendarReplies(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	p.Checkin.UID = "series-1@example.test"
	lead, report := p.Participants[0], p.Participants[1]
	first := berlinTime(t, 2027, 3, 16, 10, 0)
	stamp := at.Add(time.Minute)
	for _, tc := range []struct {
		name    string
		who     *Participant
		r       CalendarReply
		wantErr error
		tells   *Participant // who hears of a decline
	}{
		{"accepts the series", report, CalendarReply{UID: "series-1@example.test", PartStat: PartStatAccepted, Stamp: stamp}, nil, nil},
		{"the same again is stale", report, CalendarReply{UID: "series-1@example.test", PartStat: PartStatAccepted, Stamp: stamp}, ErrStaleReply, nil},
		{"UID in other case", lead, CalendarReply{UID: "SERIES-1@example.test", PartStat: PartStatTentative, Stamp: stamp}, nil, nil},
		{"declines one meeting", report, CalendarReply{UID: "series-1@example.test", Original: first, PartStat: PartStatDeclined, Stamp: stamp}, nil, lead},
		{"declining it again tells no one", report, CalendarReply{UID: "series-1@example.test", Original: first, PartStat: PartStatDeclined, Stamp: stamp.Add(time.Minute)}, nil, nil},
		{"an older sequence is stale", report, CalendarReply{UID: "series-1@example.test", Original: first, PartStat: PartStatAccepted, Sequence: -1, Stamp: stamp.Add(time.Hour)}, ErrStaleReply, nil},
		{"another event", lead, CalendarReply{UID: "other@example.test", PartStat: PartStatAccepted, Stamp: stamp}, ErrWrongEvent, nil},
		{"a partstat we do not take", lead, CalendarReply{UID: "series-1@example.test", PartStat: "DELEGATED", Stamp: stamp.Add(time.Hour)}, ErrWrongEvent, nil},
	} {
		msgs, err := p.RecordCalendarReply(tc.who.ID, tc.r, at.Add(time.Hour))
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.wantErr)
			continue
		}
		switch {
		case tc.tells == nil && len(msgs) != 0:
			t.Errorf("%s: sent %v, want nothing", tc.name, kinds(msgs))
		case tc.tells != nil:
			if m := only(t, msgs, tc.tells); m.Kind != MsgDeclined || m.From != tc.who || !m.Occurrence.Original.Equal(first) {
				t.Errorf("%s: %s from %v about %v", tc.name, m.Kind, m.From, m.Occurrence)
			}
		}
	}
	must[[]Message](t)(p.CancelCheckins(0, at.Add(2*time.Hour)))
	if _, err := p.RecordCalendarReply(lead.ID, CalendarReply{UID: "series-1@example.test", PartStat: PartStatAccepted, Sequence: 9, Stamp: at.Add(3 * time.Hour)}, at.Add(3*time.Hour)); !errors.Is(err, ErrSeriesCancelled) {
		t.Errorf("reply to a cancelled series = %v, want ErrSeriesCancelled", err)
	}
}

// TestCheckinsAcrossDST: a Berlin series keeps 10:00 local across the
// change of 28 March 2027, and so do its prep and agenda.
func TestCheckinsAcrossDST(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 3, 17, 12, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	berlin := mustLoc(t, "Europe/Berlin")
	var starts []string
	for _, o := range p.Checkin.Meetings(at, berlinTime(t, 2027, 4, 7, 0, 0)) {
		starts = append(starts, o.Start.In(berlin).Format("Mon 2006-01-02 15:04 MST"))
	}
	want := []string{"Tue 2027-03-23 10:00 CET", "Tue 2027-03-30 10:00 CEST", "Tue 2027-04-06 10:00 CEST"}
	if !slices.Equal(starts, want) {
		t.Errorf("meetings %v, want %v", starts, want)
	}
	after := berlinTime(t, 2027, 3, 30, 10, 0)
	if got := p.NextWake(berlinTime(t, 2027, 3, 28, 12, 0)); !got.Equal(after.Add(-24 * time.Hour)) {
		t.Errorf("prep after the change due %s, want %s", got.In(berlin), after.Add(-24*time.Hour).In(berlin))
	}
}

// TestCounterCheckin: a calendar's proposed new time is answered as "move
// to …" would be: one meeting moved when the proposal names it, the series
// moved to the proposed weekday and time when it names none (by the lead
// only); a proposal that cannot be taken is explained to its proposer
// alone, with a DECLINECOUNTER on that mail.
func TestCounterCheckin(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 3, 10, 12, 0)
	first := berlinTime(t, 2027, 3, 16, 10, 0)
	thu := berlinTime(t, 2027, 3, 18, 14, 0)
	const uid = "series-1@example.test"
	for _, tc := range []struct {
		name     string
		report   bool // proposed by the report, else the lead
		r        CalendarReply
		wantErr  error
		moved    bool   // first moved to thu
		schedule string // the series' schedule after, when it changed
		declined bool   // a DECLINECOUNTER to the proposer, and nothing to the partner
	}{
		{"one meeting", true, CalendarReply{UID: uid, Original: first, Proposed: thu, PartStat: PartStatTentative}, nil, true, "", false},
		{"the series, by the lead", false, CalendarReply{UID: uid, Proposed: thu}, nil, false, "thu 14:00 30m weekly", false},
		{"the series, by the report", true, CalendarReply{UID: uid, Proposed: thu}, nil, false, "", true},
		{"a time gone by", true, CalendarReply{UID: uid, Original: first, Proposed: at.Add(-time.Hour)}, nil, false, "", true},
		{"a meeting that does not exist", true, CalendarReply{UID: uid, Original: first.Add(time.Hour), Proposed: thu}, nil, false, "", true},
		{"another event", true, CalendarReply{UID: "other@example.test", Original: first, Proposed: thu}, ErrWrongEvent, false, "", false},
		{"no proposed time", true, CalendarReply{UID: uid, Original: first}, ErrWrongEvent, false, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
			p.Checkin.UID = uid
			me, partner := p.Participants[0], p.Participants[1]
			if tc.report {
				me, partner = partner, me
			}
			msgs, err := p.CounterCheckin(me.ID, tc.r, at.Add(time.Minute))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			var moved bool
			for _, o := range p.Checkin.Occurrences {
				moved = moved || o.Original.Equal(first) && o.Start.Equal(thu)
			}
			if moved != tc.moved {
				t.Errorf("first meeting moved %t, want %t", moved, tc.moved)
			}
			if spec := p.Checkin.Schedule.Spec(); tc.schedule != "" && spec != tc.schedule {
				t.Errorf("schedule %s, want %s", spec, tc.schedule)
			}
			var toMe, toPartner []Message
			for _, m := range msgs {
				if m.To == me {
					toMe = append(toMe, m)
				} else {
					toPartner = append(toPartner, m)
				}
			}
			if tc.declined {
				if len(toMe) != 1 || toMe[0].Calendar == nil || toMe[0].Calendar.Kind != CalDeclineCounter || len(toPartner) != 0 {
					t.Errorf("sent %v to the proposer, %v to the partner; want one refusal with a DECLINECOUNTER, nothing else", kinds(toMe), kinds(toPartner))
				}
				return
			}
			if c := calendars(t, p, msgs); c.Kind != CalMoveOne && c.Kind != CalSeries {
				t.Errorf("calendar change %s, want the meeting or the series moved", c.Kind)
			}
			if tc.r.PartStat != "" && (len(p.Checkin.Responses) != 1 || p.Checkin.Responses[0].PartStat != tc.r.PartStat) {
				t.Errorf("responses %+v, want the proposal's %s kept", p.Checkin.Responses, tc.r.PartStat)
			}
		})
	}
}
