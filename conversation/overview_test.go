package conversation

import (
	"slices"
	"testing"
	"time"
)

func TestISOWeek(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	for _, tc := range []struct {
		at     time.Time
		week   string
		monday string
		next   string
	}{
		{time.Date(2027, 1, 11, 8, 0, 0, 0, berlin), "2027-W02", "2027-01-11", "2027-W03"},
		{time.Date(2027, 1, 17, 23, 59, 0, 0, berlin), "2027-W02", "2027-01-11", "2027-W03"},
		// The last days of a year can belong to the next one's first
		// week, and the first days to the last one's last.
		{time.Date(2025, 12, 31, 12, 0, 0, 0, berlin), "2026-W01", "2025-12-29", "2026-W02"},
		{time.Date(2027, 1, 3, 12, 0, 0, 0, berlin), "2026-W53", "2026-12-28", "2027-W01"},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, berlin), "2026-W53", "2026-12-28", "2027-W01"},
		// Sunday night in Berlin is already Monday in Tokyo, not yet in
		// New York: each person's week is their own.
		{time.Date(2027, 1, 10, 23, 30, 0, 0, berlin), "2027-W01", "2027-01-04", "2027-W02"},
	} {
		w := WeekOf(tc.at, berlin)
		if got := w.String(); got != tc.week {
			t.Errorf("WeekOf(%s) = %s, want %s", tc.at, got, tc.week)
		}
		if got := w.Monday(berlin); got.Format(time.DateOnly) != tc.monday || got.Hour() != 0 || got.Weekday() != time.Monday {
			t.Errorf("%s.Monday() = %s, want 00:00 on Monday %s", w, got, tc.monday)
		}
		if got := w.Next().String(); got != tc.next {
			t.Errorf("%s.Next() = %s, want %s", w, got, tc.next)
		}
	}
	if got := WeekOf(time.Date(2027, 1, 10, 23, 30, 0, 0, berlin), mustLoc(t, "Asia/Tokyo")).String(); got != "2027-W02" {
		t.Errorf("WeekOf(Sunday 23:30 Berlin) in Tokyo = %s, want 2027-W02", got)
	}
}

func TestISOWeekText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want ISOWeek
		ok   bool
	}{
		{"2027-W02", ISOWeek{2027, 2}, true},
		{"2026-W53", ISOWeek{2026, 53}, true},
		{"2027-W53", ISOWeek{}, false}, // 2027 has 52 weeks
		{"2027-W00", ISOWeek{}, false},
		{"2027-W2", ISOWeek{}, false},
		{"+202-W02", ISOWeek{}, false},
		{"2027-02", ISOWeek{}, false},
		{"", ISOWeek{}, false},
	} {
		var got ISOWeek
		err := got.UnmarshalText([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok {
			if b, _ := got.MarshalText(); string(b) != tc.in {
				t.Errorf("MarshalText(%v) = %q, want %q", got, b, tc.in)
			}
		}
	}
}

func TestNextOverview(t *testing.T) {
	t.Parallel()
	berlin, newYork := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	lateStart := DefaultQuietHours
	lateStart.End = 9*60 + 30
	mondays := DefaultQuietHours
	mondays.Days = []time.Weekday{time.Saturday, time.Sunday, time.Monday}
	for _, tc := range []struct {
		name  string
		quiet QuietHours
		loc   *time.Location
		now   time.Time
		week  string
		at    time.Time
	}{
		{"sunday evening: the coming monday", DefaultQuietHours, berlin,
			time.Date(2027, 1, 10, 20, 0, 0, 0, berlin), "2027-W02", time.Date(2027, 1, 11, 8, 0, 0, 0, berlin)},
		{"monday before eight", DefaultQuietHours, berlin,
			time.Date(2027, 1, 11, 7, 0, 0, 0, berlin), "2027-W02", time.Date(2027, 1, 11, 8, 0, 0, 0, berlin)},
		{"monday afternoon, still within the grace", DefaultQuietHours, berlin,
			time.Date(2027, 1, 11, 15, 0, 0, 0, berlin), "2027-W02", time.Date(2027, 1, 11, 8, 0, 0, 0, berlin)},
		{"monday evening: next week", DefaultQuietHours, berlin,
			time.Date(2027, 1, 11, 16, 1, 0, 0, berlin), "2027-W03", time.Date(2027, 1, 18, 8, 0, 0, 0, berlin)},
		{"thursday: next week", DefaultQuietHours, berlin,
			time.Date(2027, 1, 14, 12, 0, 0, 0, berlin), "2027-W03", time.Date(2027, 1, 18, 8, 0, 0, 0, berlin)},
		{"quiet until 09:30", lateStart, berlin,
			time.Date(2027, 1, 11, 7, 0, 0, 0, berlin), "2027-W02", time.Date(2027, 1, 11, 9, 30, 0, 0, berlin)},
		{"quiet on mondays: tuesday morning", mondays, berlin,
			time.Date(2027, 1, 11, 7, 0, 0, 0, berlin), "2027-W02", time.Date(2027, 1, 12, 8, 0, 0, 0, berlin)},
		{"no quiet hours", QuietHours{}, berlin,
			time.Date(2027, 1, 11, 7, 0, 0, 0, berlin), "2027-W02", time.Date(2027, 1, 11, 8, 0, 0, 0, berlin)},
		// New York moves its clocks on Sunday 14 March 2027: the
		// overview stays at eight on the wall clock.
		{"before daylight saving time", DefaultQuietHours, newYork,
			time.Date(2027, 3, 8, 1, 0, 0, 0, newYork), "2027-W10", time.Date(2027, 3, 8, 13, 0, 0, 0, time.UTC)},
		{"after daylight saving time", DefaultQuietHours, newYork,
			time.Date(2027, 3, 14, 12, 0, 0, 0, newYork), "2027-W11", time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, at := tc.quiet.NextOverview(tc.now, tc.loc)
			if w.String() != tc.week || !at.Equal(tc.at) {
				t.Errorf("NextOverview(%s) = %s at %s, want %s at %s", tc.now, w, at.In(tc.loc), tc.week, tc.at.In(tc.loc))
			}
		})
	}
}

func TestOverviewTiming(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	w := ISOWeek{2027, 2}
	due := time.Date(2027, 1, 11, 8, 0, 0, 0, berlin)
	afternoon := DefaultQuietHours
	afternoon.Start = 12 * 60
	for _, tc := range []struct {
		name  string
		quiet QuietHours
		now   time.Time
		want  OverviewTiming
	}{
		{"on the minute", DefaultQuietHours, due, OverviewOnTime},
		{"within the grace", DefaultQuietHours, due.Add(OverviewGrace), OverviewOnTime},
		{"past the grace", DefaultQuietHours, due.Add(OverviewGrace + time.Minute), OverviewLate},
		{"a week late", DefaultQuietHours, due.AddDate(0, 0, 7), OverviewLate},
		{"quiet time within the grace", afternoon, due.Add(5 * time.Hour), OverviewLate},
		{"before its time", DefaultQuietHours, due.Add(-6 * time.Hour), OverviewEarly},
	} {
		got, gotDue := tc.quiet.OverviewTiming(w, tc.now, berlin)
		if got != tc.want || !gotDue.Equal(due) {
			t.Errorf("%s: OverviewTiming(%s, %s) = %d, due %s; want %d, due %s", tc.name, w, tc.now.In(berlin), got, gotDue, tc.want, due)
		}
	}
}

// The people of the overview tests: Dana leads Sam and Ana and is Kim's
// peer.
var (
	ovDana = Person{ID: 10, Name: "Dana Lee", Email: "dana@example.test"}
	ovSam  = Person{ID: 20, Name: "Sam Ortiz", Email: "sam@example.test"}
	ovKim  = Person{ID: 30, Name: "Kim Novak", Email: "kim@example.test"}
	ovAna  = Person{ID: 40, Name: "Ana Ruiz", Email: "ana@example.test"}
)

// ovStart is when the overview tests' partnerships begin: Monday 4
// January 2027, 09:00 in Berlin, the week before the one summed up.
var ovStart = time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)

// ovMonday is the morning of the week summed up, 2027-W02.
var ovMonday = time.Date(2027, 1, 11, 7, 0, 0, 0, time.UTC)

// between enrols a (the lead, or the first peer) and b in partnership id,
// with four questions, no quiet hours and no grace before answers show.
func between(t *testing.T, id int64, kind Kind, a, b Person) *Partnership {
	t.Helper()
	a.Location, b.Location = mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	p, err := NewPartnership(kind, a, b, testSet(4), noQuiet(), ovStart)
	if err != nil {
		t.Fatalf("NewPartnership: %v", err)
	}
	p.ID = id
	p.Participants[0].ID, p.Participants[1].ID = 2*id-1, 2*id
	p.Enroll(ovStart)
	return p
}

// answer has participant slot i of p answer their next n questions.
func answer(t *testing.T, p *Partnership, i, n int) *Partnership {
	t.Helper()
	return answerWith(t, p, i, n, "words")
}

// answerWith is answer with the words given: a sentence or two makes
// proposals for a draft, where "words" makes none.
func answerWith(t *testing.T, p *Partnership, i, n int, text string) *Partnership {
	t.Helper()
	pt := p.Participants[i]
	for range n {
		cur := pt.Current()
		if cur == nil {
			t.Fatalf("%s has no question to answer", pt.Person.Name)
		}
		if _, err := p.Answer(pt.ID, cur.QuestionID, text, ovStart.Add(time.Hour)); err != nil {
			t.Fatalf("Answer: %v", err)
		}
	}
	return p
}

// agreedWith takes a partnership to its agreement, with weekly check-ins
// on Tuesdays at 10:00 Berlin time when plan is set.
func agreedWith(t *testing.T, id int64, a, b Person, plan bool) *Partnership {
	t.Helper()
	p := answer(t, answer(t, between(t, id, KindLeadReport, a, b), 0, 4), 1, 4)
	if signed(t, p, ovStart.Add(time.Hour)).LatestAgreement() == nil {
		t.Fatal("no agreement after every answer")
	}
	if plan {
		s, err := ParseSchedule("tue 10:00 30m weekly")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.ScheduleCheckins(s, ovStart.Add(time.Hour)); err != nil {
			t.Fatalf("ScheduleCheckins: %v", err)
		}
	}
	return p
}

// lineWant is what a test expects of one overview line.
type lineWant struct {
	partner       string
	stage         OverviewStage
	mine, theirs  int
	paused        bool
	partnerPaused bool
}

func TestBuildOverview(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		parts  func(t *testing.T) []*Partnership
		now    time.Time
		wantOK bool
		want   []lineWant
	}{
		{
			name: "three partnerships, the one waiting on the lead first",
			parts: func(t *testing.T) []*Partnership {
				return []*Partnership{
					answer(t, answer(t, between(t, 1, KindLeadReport, ovDana, ovSam), 0, 2), 1, 3),
					answer(t, between(t, 2, KindPeer, ovDana, ovKim), 0, 4),
					answer(t, between(t, 3, KindLeadReport, ovDana, ovAna), 1, 4),
				}
			},
			wantOK: true,
			want: []lineWant{
				{partner: "Ana Ruiz", stage: StageWaitingOnYou, mine: 0, theirs: 4},
				{partner: "Sam Ortiz", stage: StageAnswering, mine: 2, theirs: 3},
				{partner: "Kim Novak", stage: StageWaitingOnPartner, mine: 4, theirs: 0},
			},
		},
		{
			name: "one partnership needs no overview",
			parts: func(t *testing.T) []*Partnership {
				return []*Partnership{between(t, 1, KindLeadReport, ovDana, ovSam)}
			},
			want: []lineWant{{partner: "Sam Ortiz", stage: StageAnswering}},
		},
		{
			name: "one of two left",
			parts: func(t *testing.T) []*Partnership {
				left := between(t, 2, KindPeer, ovDana, ovKim)
				must[[]Message](t)(left.StopNow(3, ovStart.Add(time.Hour)))
				return []*Partnership{between(t, 1, KindLeadReport, ovDana, ovSam), left}
			},
			want: []lineWant{{partner: "Sam Ortiz", stage: StageAnswering}},
		},
		{
			name: "one of three ended",
			parts: func(t *testing.T) []*Partnership {
				ended := between(t, 2, KindPeer, ovDana, ovKim)
				must[[]Message](t)(ended.End("operator", ovStart.Add(time.Hour)))
				return []*Partnership{between(t, 1, KindLeadReport, ovDana, ovSam), ended, between(t, 3, KindLeadReport, ovDana, ovAna)}
			},
			wantOK: true,
			want:   []lineWant{{partner: "Sam Ortiz", stage: StageAnswering}, {partner: "Ana Ruiz", stage: StageAnswering}},
		},
		{
			name: "paused in every one",
			parts: func(t *testing.T) []*Partnership {
				ps := []*Partnership{between(t, 1, KindLeadReport, ovDana, ovSam), between(t, 2, KindPeer, ovDana, ovKim)}
				for _, p := range ps {
					must[[]Message](t)(p.Pause(p.Participants[0].ID, time.Time{}, ovStart.Add(time.Hour)))
				}
				return ps
			},
			want: []lineWant{{partner: "Sam Ortiz", stage: StageAnswering, paused: true}, {partner: "Kim Novak", stage: StageAnswering, paused: true}},
		},
		{
			name: "paused in one, and a partner paused",
			parts: func(t *testing.T) []*Partnership {
				ps := []*Partnership{between(t, 1, KindLeadReport, ovDana, ovSam), between(t, 2, KindPeer, ovDana, ovKim)}
				must[[]Message](t)(ps[0].Pause(1, ovStart.AddDate(0, 0, 14), ovStart.Add(time.Hour)))
				must[[]Message](t)(ps[1].Pause(4, time.Time{}, ovStart.Add(time.Hour)))
				return ps
			},
			wantOK: true,
			want:   []lineWant{{partner: "Sam Ortiz", stage: StageAnswering, paused: true}, {partner: "Kim Novak", stage: StageAnswering, partnerPaused: true}},
		},
		{
			name: "partnerships of other people are left out",
			parts: func(t *testing.T) []*Partnership {
				return []*Partnership{between(t, 1, KindLeadReport, ovDana, ovSam), between(t, 2, KindPeer, ovKim, ovAna), between(t, 3, KindPeer, ovAna, ovDana)}
			},
			wantOK: true,
			want:   []lineWant{{partner: "Sam Ortiz", stage: StageAnswering}, {partner: "Ana Ruiz", stage: StageAnswering}},
		},
		{
			name: "an agreement in place, and one on its way",
			parts: func(t *testing.T) []*Partnership {
				coming := between(t, 2, KindPeer, ovDana, ovKim)
				coming.Rules.RevealGrace = time.Hour // the agreement waits out the last answer's grace
				return []*Partnership{agreedWith(t, 1, ovDana, ovSam, false), answer(t, answer(t, coming, 0, 4), 1, 4)}
			},
			wantOK: true,
			want: []lineWant{
				{partner: "Sam Ortiz", stage: StageAgreed, mine: 4, theirs: 4},
				{partner: "Kim Novak", stage: StageBothDone, mine: 4, theirs: 4},
			},
		},
		{
			name: "drafting: one draft waits for the lead, the other for her partner",
			parts: func(t *testing.T) []*Partnership {
				const says = "I answer your messages within a working day."
				mine := answerWith(t, answerWith(t, between(t, 1, KindLeadReport, ovDana, ovSam), 0, 4, says), 1, 4, says)
				theirs := answerWith(t, answerWith(t, between(t, 2, KindPeer, ovDana, ovKim), 0, 4, says), 1, 4, says)
				all := DraftReply{Commands: []DraftCommand{{Kind: DraftAgree, All: true}}}
				must[[]Message](t)(theirs.ReplyToDraft(3, all, ovStart.Add(2*time.Hour)))
				return []*Partnership{theirs, mine}
			},
			wantOK: true,
			want: []lineWant{
				{partner: "Sam Ortiz", stage: StageDraftWaitingOnYou, mine: 4, theirs: 4},
				{partner: "Kim Novak", stage: StageDraftWaitingOnPartner, mine: 4, theirs: 4},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := tc.now
			if now.IsZero() {
				now = ovMonday
			}
			dana := ovDana
			dana.Location = mustLoc(t, "Europe/Berlin")
			o, ok := BuildOverview(dana, tc.parts(t), now)
			if ok != tc.wantOK {
				t.Errorf("BuildOverview ok = %v, want %v", ok, tc.wantOK)
			}
			if o.Week.String() != "2027-W02" || !o.From.Equal(time.Date(2027, 1, 10, 23, 0, 0, 0, time.UTC)) || !o.To.Equal(o.From.AddDate(0, 0, 7)) {
				t.Errorf("week %s from %s to %s, want 2027-W02 from Monday 11 January 00:00 in Berlin", o.Week, o.From, o.To)
			}
			var got []lineWant
			for _, l := range o.Lines {
				got = append(got, lineWant{l.Partner.Name, l.Stage, l.Mine.Answered, l.Theirs.Answered, l.Paused, l.PartnerPaused})
				if l.Mine.Total != 4 || l.Theirs.Total != 4 {
					t.Errorf("%s: totals %d and %d, want 4", l.Partner.Name, l.Mine.Total, l.Theirs.Total)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("lines = %+v\nwant    %+v", got, tc.want)
			}
		})
	}
}

// TestOverviewDetails checks the dates a line carries: the agreement's,
// the end of pauses, and an open review's numbering.
func TestOverviewDetails(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	dana := ovDana
	dana.Location = berlin
	sam := agreedWith(t, 1, ovDana, ovSam, false)
	kim := between(t, 2, KindPeer, ovDana, ovKim)
	until := time.Date(2027, 1, 25, 8, 0, 0, 0, time.UTC)
	must[[]Message](t)(kim.Pause(4, until, ovStart.Add(time.Hour)))

	o, ok := BuildOverview(dana, []*Partnership{sam, kim}, ovMonday)
	if !ok || len(o.Lines) != 2 {
		t.Fatalf("BuildOverview = %+v, %v; want two lines", o, ok)
	}
	ag := sam.LatestAgreement()
	if l := o.Lines[0]; l.Version != 1 || !l.AgreedAt.Equal(ag.Created) || l.NextReview != ag.ReviewOn || l.Review != 0 || l.Checkins != CheckinsNone {
		t.Errorf("agreed line = %+v, want version 1 of %s, review on %s, no check-ins", l, ag.Created, ag.ReviewOn)
	}
	if l := o.Lines[1]; !l.PartnerPaused || !l.PartnerPausedUntil.Equal(until) || l.Paused || l.Version != 0 {
		t.Errorf("paused partner's line = %+v, want Kim paused until %s", l, until)
	}

	// At the review Dana has answered two of its questions, Sam none.
	open := sam.ReviewStartsAt(sam.Participants[0], ag.ReviewOn)
	sam.Wake(open)
	r := sam.CurrentReview()
	if r == nil {
		t.Fatal("the review did not open")
	}
	for _, text := range []string{"4", "We talk more."} {
		if _, err := sam.Answer(1, sam.Participants[0].Current().QuestionID, text, open.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	o, _ = BuildOverview(dana, []*Partnership{sam, kim}, open.Add(2*time.Hour))
	l := o.Lines[0]
	if l.Review != 1 || l.Stage != StageAnswering || l.Mine != (OverviewProgress{2, len(r.Questions)}) || l.Theirs != (OverviewProgress{0, len(r.Questions)}) {
		t.Errorf("line during the review = %+v, want review 1 with 2 and 0 of %d answered", l, len(r.Questions))
	}
}

func TestOverviewMeetings(t *testing.T) {
	t.Parallel()
	// The summed-up week's Tuesday meeting, in Berlin time.
	tue := time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		change  func(p *Partnership) error
		state   CheckinsState
		until   time.Time
		want    []OverviewMeeting
		checkin bool
	}{
		{name: "no check-ins", state: CheckinsNone},
		{name: "on", checkin: true, state: CheckinsOn, want: []OverviewMeeting{{Start: tue, Status: MeetingOn}}},
		{
			name: "skipped", checkin: true, state: CheckinsOn,
			change: func(p *Partnership) error { _, err := p.SkipCheckin(1, tue, ovMonday); return err },
			want:   []OverviewMeeting{{Start: tue, Status: MeetingSkipped}},
		},
		{
			name: "moved within the week", checkin: true, state: CheckinsOn,
			change: func(p *Partnership) error {
				_, err := p.MoveCheckin(1, tue, tue.Add(52*time.Hour), ovMonday)
				return err
			},
			want: []OverviewMeeting{{Start: tue.Add(52 * time.Hour), Was: tue, Status: MeetingMoved}},
		},
		{
			name: "moved to next week", checkin: true, state: CheckinsOn,
			change: func(p *Partnership) error {
				_, err := p.MoveCheckin(1, tue, tue.AddDate(0, 0, 6), ovMonday)
				return err
			},
			want: []OverviewMeeting{{Start: tue.AddDate(0, 0, 6), Was: tue, Status: MeetingMoved}},
		},
		{
			name: "moved in from next week", checkin: true, state: CheckinsOn,
			change: func(p *Partnership) error {
				_, err := p.MoveCheckin(1, tue.AddDate(0, 0, 7), tue.Add(75*time.Hour), ovMonday)
				return err
			},
			want: []OverviewMeeting{
				{Start: tue, Status: MeetingOn},
				{Start: tue.Add(75 * time.Hour), Was: tue.AddDate(0, 0, 7), Status: MeetingMoved},
			},
		},
		{
			name: "paused over the week", checkin: true, state: CheckinsPaused, until: tue.AddDate(0, 0, 14),
			change: func(p *Partnership) error { _, err := p.PauseCheckins(1, tue.AddDate(0, 0, 14), ovMonday); return err },
			want:   []OverviewMeeting{{Start: tue, Status: MeetingCancelled}},
		},
		{
			name: "cancelled", checkin: true, state: CheckinsCancelled,
			change: func(p *Partnership) error { _, err := p.CancelCheckins(1, ovMonday); return err },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := agreedWith(t, 1, ovDana, ovSam, tc.checkin)
			if tc.change != nil {
				if err := tc.change(p); err != nil {
					t.Fatal(err)
				}
			}
			from := ISOWeek{2027, 2}.Monday(mustLoc(t, "Europe/Berlin"))
			state, until, got := p.weekCheckins(from, from.AddDate(0, 0, 7))
			same := func(a, b OverviewMeeting) bool {
				return a.Start.Equal(b.Start) && a.Was.Equal(b.Was) && a.Status == b.Status
			}
			if state != tc.state || !until.Equal(tc.until) || !slices.EqualFunc(got, tc.want, same) {
				t.Errorf("weekCheckins = %s until %s, %+v\nwant          %s until %s, %+v", state, until, got, tc.state, tc.until, tc.want)
			}
		})
	}
}
