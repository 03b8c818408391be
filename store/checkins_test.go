package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"accord/conversation"
	"accord/internal/apply"
)

// TestCheckinsPersist drives a series through the store — the plan kept
// before the agreement, the series started, a meeting skipped, a calendar
// reply, prep sent and written, a new schedule — and checks after each
// step that a fresh load sees exactly what the domain left.
func TestCheckinsPersist(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st, clock, id, apply := enrolledPair(t, url)
		tue, _ := conversation.ParseSchedule("tue 15:00 30m weekly")
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.ScheduleCheckins(tue, now)
		})
		p := ok(st.Load(ctx, id))(t)
		if p.CheckinPlan == nil || *p.CheckinPlan != tue || p.Checkin != nil {
			t.Fatalf("before the agreement: plan %v, series %v; want the plan kept", p.CheckinPlan, p.Checkin)
		}

		// The agreement (built directly here) lets the plan start a series.
		msgs := apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			p.Agreements = append(p.Agreements, conversation.BuildAgreement(p, now))
			return p.ScheduleCheckins(*p.CheckinPlan, now)
		})
		if len(msgs) != 2 {
			t.Fatalf("starting the series sent %d messages, want an invitation to each", len(msgs))
		}
		p = ok(st.Load(ctx, id))(t)
		cs := p.Checkin
		if cs == nil || p.CheckinPlan != nil {
			t.Fatalf("after starting: series %v, plan %v", cs, p.CheckinPlan)
		}
		if !strings.HasPrefix(cs.UID, "checkin-") || cs.Schedule != tue || cs.Zone.String() != "Europe/Berlin" || cs.Status != conversation.SeriesActive {
			t.Errorf("stored series: %+v", cs)
		}
		first := cs.Start
		if first.In(cs.Zone).Format("Mon 15:04") != "Tue 15:00" {
			t.Errorf("first meeting %s, want a Tuesday at 15:00 in Berlin", first.In(cs.Zone))
		}
		uid := cs.UID

		// Skip the first meeting and accept the series.
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.SkipCheckin(p.Participants[1].ID, first, now)
		})
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.RecordCalendarReply(p.Participants[1].ID, conversation.CalendarReply{UID: uid, PartStat: conversation.PartStatAccepted, Sequence: 1, Stamp: now}, now)
		})
		p = ok(st.Load(ctx, id))(t)
		cs = p.Checkin
		if cs.UID != uid || cs.Sequence != 1 || len(cs.Occurrences) != 1 || cs.Occurrences[0].State != conversation.OccSkipped || !cs.Occurrences[0].Original.Equal(first) {
			t.Errorf("after the skip: uid %s seq %d occurrences %+v", cs.UID, cs.Sequence, cs.Occurrences)
		}
		if len(cs.Responses) != 1 || cs.Responses[0].PartStat != conversation.PartStatAccepted || !cs.Responses[0].Original.IsZero() {
			t.Errorf("calendar replies %+v, want the report's acceptance of the series", cs.Responses)
		}

		// The second meeting's prep goes out once and is answered.
		second := cs.Schedule.Next(first, cs.Zone)
		clock.Set(second.Add(-24 * time.Hour))
		wake := func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Wake(now), nil
		}
		if n := countKind(apply(wake), conversation.MsgPrep); n != 2 {
			t.Errorf("prep messages %d, want 2", n)
		}
		if n := countKind(apply(wake), conversation.MsgPrep); n != 0 {
			t.Errorf("waking again after reloading sent %d preps, want none", n)
		}
		// The prep mail's reply token leads back to the person and meeting.
		var prepToken string
		for _, j := range ok(st.JobsOfKind(ctx, KindMail))(t) {
			var mj MailJob
			if err := json.Unmarshal(j.Payload, &mj); err == nil && mj.Kind == conversation.MsgPrep && mj.To == "dana@example.test" {
				prepToken = mj.ReplyToken
			}
		}
		target, err := st.ResolveToken(ctx, prepToken)
		if err != nil || target.Purpose != string(conversation.MsgPrep) || !target.Meeting.Valid || !target.Meeting.Time.Equal(second) ||
			target.PartnershipID != id || target.Email != "dana@example.test" {
			t.Errorf("ResolveToken(prep token %q) = %+v, %v; want Dana's prep for %s", prepToken, target, err, second)
		}
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.RecordCheckinNote(p.Participants[0].ID, conversation.CheckinPrep, second, "Hiring plan", now)
		})
		p = ok(st.Load(ctx, id))(t)
		var o *conversation.Occurrence
		for _, oc := range p.Checkin.Occurrences {
			if oc.Original.Equal(second) {
				o = oc
			}
		}
		if o == nil || o.PrepSentAt[0].IsZero() || o.PrepSentAt[1].IsZero() || o.Number != 2 {
			t.Fatalf("second meeting after the prep: %+v", o)
		}
		if notes := p.Notes(o, conversation.CheckinPrep); len(notes) != 1 || notes[0].Text != "Hiring plan" {
			t.Errorf("prep notes %+v", notes)
		}

		// A new schedule: the series keeps its UID and moves on.
		wed, _ := conversation.ParseSchedule("wed 15:00 45m biweekly")
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.SetSchedule(p.Participants[0].ID, wed, now)
		})
		p = ok(st.Load(ctx, id))(t)
		if cs := p.Checkin; cs.UID != uid || cs.Schedule != wed || cs.Sequence != 2 || cs.Start.In(cs.Zone).Weekday() != time.Wednesday {
			t.Errorf("after the new schedule: %+v", cs)
		}
		if len(p.CheckinNotes) != 1 || !p.CheckinNotes[0].Occurrence.Original.Equal(p.Checkin.Start) {
			t.Errorf("notes after the new schedule: %+v, want the prep note carried to the new first meeting", p.CheckinNotes)
		}
	})
}

// enrolledPair opens a store on a fake clock at t0, enrolls the sample
// pair, and returns run, which runs an operation on it and fails the
// test on error.
func enrolledPair(t *testing.T, url string) (*Store, *fakeClock, int64, func(apply.Op) []conversation.Message) {
	t.Helper()
	ctx := context.Background()
	clock := newClock(t0)
	st := openStore(t, url, Options{Clock: clock})
	id := ok(st.Enroll(ctx, enrollment(defaultSet(t))))(t)
	run := func(op apply.Op) []conversation.Message {
		t.Helper()
		return ok(st.Apply(ctx, id, op))(t)
	}
	return st, clock, id, run
}

func countKind(msgs []conversation.Message, k conversation.MessageKind) int {
	n := 0
	for _, m := range msgs {
		if m.Kind == k {
			n++
		}
	}
	return n
}

// TestCheckinMailOnceAcrossInstances: two instances on one PostgreSQL
// database wake the same partnership at the same moment, again and again;
// each person still gets one prep and one agenda per meeting.
func TestCheckinMailOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	url := postgresURL(t)
	ctx := context.Background()
	clock := newClock(t0)
	a := openStore(t, url, Options{Clock: clock})
	b, err := Open(ctx, url, Options{Clock: clock, Dispatcher: testDispatcher{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	id := ok(a.Enroll(ctx, enrollment(defaultSet(t))))(t)
	tue, _ := conversation.ParseSchedule("tue 15:00 30m weekly")
	ok(a.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		p.Agreements = append(p.Agreements, conversation.BuildAgreement(p, now))
		return p.ScheduleCheckins(tue, now)
	}))(t)
	first := ok(a.Load(ctx, id))(t).Checkin.Start
	counts := map[conversation.MessageKind]int{}
	var mu sync.Mutex
	for _, at := range []time.Time{first.Add(-24 * time.Hour), first.Add(-time.Hour)} {
		clock.Set(at)
		var wg sync.WaitGroup
		for i := range 8 {
			st := []*Store{a, b}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				msgs, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
					return p.Wake(now), nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, m := range msgs {
					counts[m.Kind]++
				}
			}()
		}
		wg.Wait()
	}
	if counts[conversation.MsgPrep] != 2 || counts[conversation.MsgAgenda] != 2 {
		t.Errorf("messages from 16 concurrent wakes on two instances: %v, want 2 preps and 2 agendas", counts)
	}
}

// TestReplacedSeriesKeepsItsMeetings: check-ins cancelled and set up again
// keep the old series' meetings and notes in the database, and the
// quarter's digest, built after reloads, counts the meeting held under
// the old series.
func TestReplacedSeriesKeepsItsMeetings(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st, clock, id, apply := enrolledPair(t, url)
		wake := func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Wake(now), nil
		}
		count := func(table string, seriesID int64) int {
			t.Helper()
			q := fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE occurrence_id IN (SELECT id FROM checkin_occurrences WHERE series_id = %d)`, table, seriesID)
			if table == "checkin_occurrences" {
				q = fmt.Sprintf(`SELECT COUNT(*) FROM checkin_occurrences WHERE series_id = %d AND agenda_sent_at IS NOT NULL`, seriesID)
			}
			var n int
			if err := st.db.GetContext(ctx, &n, q); err != nil {
				t.Fatal(err)
			}
			return n
		}
		tue, _ := conversation.ParseSchedule("tue 15:00 30m weekly")
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			p.Agreements = append(p.Agreements, conversation.BuildAgreement(p, now))
			p.Status = conversation.StatusAgreement
			return p.ScheduleCheckins(tue, now)
		})
		p := ok(st.Load(ctx, id))(t)
		old, first := p.Checkin.ID, p.Checkin.Start
		reviewOn := p.LatestAgreement().ReviewOn

		// One meeting is prepared for and held, then the series ends.
		clock.Set(first.Add(-24 * time.Hour))
		apply(wake)
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.RecordCheckinNote(p.Participants[0].ID, conversation.CheckinPrep, first, "Hiring plan", now)
		})
		clock.Set(first.Add(-time.Hour))
		if n := countKind(apply(wake), conversation.MsgAgenda); n != 2 {
			t.Fatalf("agendas %d, want 2", n)
		}
		clock.Set(first.Add(2 * time.Hour))
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.CancelCheckins(p.Participants[0].ID, now)
		})
		thu, _ := conversation.ParseSchedule("thu 15:00 30m weekly")
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.SetSchedule(p.Participants[0].ID, thu, now)
		})
		p = ok(st.Load(ctx, id))(t)
		if p.Checkin.ID == old || p.Checkin.Status != conversation.SeriesActive {
			t.Fatalf("after scheduling again: series %d (%s), want a new active one", p.Checkin.ID, p.Checkin.Status)
		}
		if held, notes := count("checkin_occurrences", old), count("checkin_notes", old); held != 1 || notes != 1 {
			t.Errorf("the replaced series has %d held meetings and %d notes in the database, want 1 and 1", held, notes)
		}
		if len(p.EarlierCheckins) != 0 {
			t.Errorf("loaded %d earlier series outside a review, want none", len(p.EarlierCheckins))
		}

		// The review opens on its date; nobody answers; it closes after
		// the wait with a digest that counts the old series' meeting.
		for p.Status != conversation.StatusReviewing && clock.Now().Before(reviewOn.Start(p.Checkin.Zone).AddDate(0, 0, 2)) {
			clock.Set(p.NextWake(clock.Now()))
			apply(wake)
			p = ok(st.Load(ctx, id))(t)
		}
		if p.Status != conversation.StatusReviewing || len(p.EarlierCheckins) != 1 || p.EarlierCheckins[0].ID != old {
			t.Fatalf("in the review: status %s, earlier series %v; want the replaced one loaded", p.Status, p.EarlierCheckins)
		}
		newHeld := 0
		for _, o := range p.Checkin.Occurrences {
			if !o.AgendaSentAt.IsZero() {
				newHeld++
			}
		}
		// The review closes at 10:00 in Berlin, 04:00 in New York: the
		// report's digest waits for the morning, built in a later operation.
		clock.Set(clock.Now().Add(15 * 24 * time.Hour))
		digests := map[conversation.Role]*conversation.Digest{}
		for len(digests) < 2 && clock.Now().Before(reviewOn.Start(p.Checkin.Zone).AddDate(0, 0, 30)) {
			for _, m := range apply(wake) {
				if m.Kind == conversation.MsgDigest {
					digests[m.To.Role] = m.Digest
				}
			}
			p = ok(st.Load(ctx, id))(t)
			clock.Set(p.NextWake(clock.Now()))
		}
		if len(digests) != 2 {
			t.Fatalf("digests went to %v, want both", digests)
		}
		for role, d := range digests {
			if d.Checkins.Held != newHeld+1 || newHeld == 0 || d.Prep[0].Written != 1 {
				t.Errorf("%s's digest: %+v, lead's prep %+v; want %d held (1 before the new schedule) and the one prep note", role, d.Checkins, d.Prep[0], newHeld+1)
			}
		}
	})
}
