package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"accord/conversation"
)

// TestLeadsWelcomesAreSpread: a lead enrolled with eight reports at once
// gets one welcome at a time, WelcomeSpacing apart and out of quiet
// hours, while each report's welcome goes out at once.
func TestLeadsWelcomesAreSpread(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		start := time.Date(2027, 1, 12, 15, 0, 0, 0, berlin) // a Tuesday afternoon
		clock := newClock(start)
		st := openStore(t, url, Options{Clock: clock})
		var ids []int64
		for i := range 8 {
			ids = append(ids, ok(st.Enroll(ctx, Enrollment{
				Kind: conversation.KindLeadReport, Set: smallSet(),
				A: EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
				B: EnrollPerson{Name: fmt.Sprintf("Report %d", i), Email: fmt.Sprintf("report%d@example.test", i), TimeZone: "Europe/Berlin"},
			}))(t))
		}
		// Time passes; each partnership wakes when it is due.
		var danaAt []time.Time
		for clock.Now().Before(start.Add(4 * 24 * time.Hour)) {
			for _, id := range ids {
				ok(st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
					return p.Wake(now), nil
				}))(t)
			}
			clock.Advance(15 * time.Minute)
		}
		for _, id := range ids {
			p := ok(st.Load(ctx, id))(t)
			lead, report := p.Participants[0], p.Participants[1]
			if pr := report.Prompt("q1"); pr == nil || !pr.SentAt.Equal(start.UTC()) {
				t.Errorf("partnership %d: the report's welcome went out at %v, want at once", id, pr)
			}
			pr := lead.Prompt("q1")
			if pr == nil {
				t.Fatalf("partnership %d: Dana has no welcome after four days", id)
			}
			danaAt = append(danaAt, pr.SentAt)
		}
		slices.SortFunc(danaAt, func(a, b time.Time) int { return a.Compare(b) })
		for i, at := range danaAt {
			local := at.In(berlin)
			if local.Hour() < 8 || local.Hour() >= 20 {
				t.Errorf("welcome %d to Dana at %s, in her quiet hours", i+1, local.Format(time.DateTime))
			}
			if i > 0 && at.Sub(danaAt[i-1]) < conversation.WelcomeSpacing {
				t.Errorf("welcomes %d and %d to Dana %s apart, want at least %s", i, i+1, at.Sub(danaAt[i-1]), conversation.WelcomeSpacing)
			}
		}
		if !danaAt[0].Equal(start.UTC()) {
			t.Errorf("Dana's first welcome at %v, want at once", danaAt[0])
		}
	})
}

// TestClashAcrossPartnerships: a lead's check-in with one report is
// refused a time that overlaps her check-in with another, through the
// store on both databases.
func TestClashAcrossPartnerships(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		clock := newClock(time.Date(2027, 1, 12, 10, 0, 0, 0, berlin))
		st := openStore(t, url, Options{Clock: clock})
		enrol := func(report string) int64 {
			return ok(st.Enroll(ctx, Enrollment{
				Kind: conversation.KindLeadReport, Set: smallSet(),
				A: EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
				B: EnrollPerson{Name: report, Email: strings.ToLower(strings.Fields(report)[0]) + "@example.test", TimeZone: "Europe/Berlin"},
			}))(t)
		}
		kim, sam := enrol("Kim Novak"), enrol("Sam Ortiz")
		set := func(id int64, spec string) error {
			s := ok(conversation.ParseSchedule(spec))(t)
			_, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
				return p.ScheduleCheckins(s, now)
			})
			return err
		}
		if err := set(kim, "tue 10:00 30m weekly"); err != nil {
			t.Fatal(err)
		}
		var ce *conversation.ClashError
		if err := set(sam, "tue 10:00 45m weekly"); !errors.As(err, &ce) || ce.Clash.With != "Kim Novak" || ce.Clash.Free == nil {
			t.Fatalf("an overlapping schedule for Sam: %v, want a clash with Kim and a free time", err)
		}
		if err := set(sam, ce.Clash.Free.Spec()); err != nil {
			t.Errorf("the free time offered, %s: %v", ce.Clash.Free.Spec(), err)
		}
	})
}
