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
	"accord/store/storetest"
)

// scaleRows is n enrollments in which five leads share the reports, one
// lead is renamed half way through and every seventh pair are peers: the
// repeats that end a batch early or space a person's welcomes.
func scaleRows(n int) []Enrollment {
	set := smallSet()
	es := make([]Enrollment, n)
	for i := range es {
		lead := i % 5
		name := fmt.Sprintf("Lead %d", lead)
		if lead == 0 && i >= n/2 {
			name = "Lead 0 Renamed"
		}
		zone := ""
		if lead == 1 {
			zone = "Asia/Tokyo"
		}
		es[i] = Enrollment{Kind: conversation.KindLeadReport, Set: set,
			A: EnrollPerson{Name: name, Email: fmt.Sprintf("lead%d@example.test", lead), TimeZone: zone},
			B: EnrollPerson{Name: fmt.Sprintf("Report %d", i), Email: fmt.Sprintf("Report%d@Example.test", i), TimeZone: "Europe/Berlin"}}
		if i%7 == 3 {
			es[i].Kind = conversation.KindPeer
		}
	}
	return es
}

// describe writes down what enrolling left of a partnership, without ids
// or tokens, for comparing two ways of enrolling.
func describe(t *testing.T, st *Store, id int64) string {
	t.Helper()
	p := ok(st.Load(context.Background(), id))(t)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", p.Kind, p.Status, p.CreatedAt.Format(time.RFC3339))
	for _, pt := range p.Participants {
		fmt.Fprintf(&b, " | %s %s <%s> %s %s pos %d next %s", pt.Role, pt.Person.Name, pt.Person.Email, pt.Person.Location, pt.Status,
			pt.Position, pt.NextSendAt.Format(time.RFC3339))
		for _, pr := range pt.Prompts {
			fmt.Fprintf(&b, " [%s %d %s %s]", pr.QuestionID, pr.Position, pr.State, pr.SentAt.Format(time.RFC3339))
		}
	}
	return b.String()
}

var qJobCounts = query(`SELECT kind || ' ' || CAST(COALESCE(partnership_id, 0) AS TEXT) AS k FROM jobs ORDER BY kind, partnership_id`)

// TestEnrollAllAsOneByOne: enrolling many partnerships in batches leaves
// the same partnerships, welcomes and jobs as enrolling them one at a
// time, across batch boundaries and the repeats that split a batch.
func TestEnrollAllAsOneByOne(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		// A Tuesday afternoon in Berlin: reports are welcomed at once,
		// leads one welcome at a time, Tokyo's lead after the night.
		start := time.Date(2027, 1, 12, 14, 0, 0, 0, time.UTC)
		es := scaleRows(2*enrollBatch + 40)
		one := openStore(t, url, Options{Clock: newClock(start)})
		other := storetest.SQLiteURL(t)
		if strings.HasPrefix(url, "postgres") {
			other = postgresURL(t)
		}
		all := openStore(t, other, Options{Clock: newClock(start)})
		var oneIDs []int64
		for _, e := range es {
			oneIDs = append(oneIDs, ok(one.Enroll(ctx, e))(t))
		}
		allIDs := ok(all.EnrollAll(ctx, es))(t)
		if len(allIDs) != len(es) {
			t.Fatalf("EnrollAll returned %d ids for %d enrollments", len(allIDs), len(es))
		}
		for i := range es {
			if got, want := describe(t, all, allIDs[i]), describe(t, one, oneIDs[i]); got != want {
				t.Errorf("row %d enrolled in a batch:\n  %s\none at a time:\n  %s", i, got, want)
			}
		}
		var oneJobs, allJobs []string
		if err := one.selectAll(ctx, &oneJobs, qJobCounts); err != nil {
			t.Fatal(err)
		}
		if err := all.selectAll(ctx, &allJobs, qJobCounts); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(oneJobs, allJobs) {
			t.Errorf("jobs differ: %d in batches, %d one at a time", len(allJobs), len(oneJobs))
		}
	})
}

// TestEnrollAllIsAllOrNothing: the first row that cannot be enrolled,
// wherever it is, is named by its index and nothing is written.
func TestEnrollAllIsAllOrNothing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		existing := ok(st.Enroll(ctx, enrollment(defaultSet(t))))(t)
		rows := scaleRows(enrollBatch + 20)
		tests := []struct {
			name  string
			index int
			bad   func(*Enrollment)
			check func(error) bool
		}{
			{"pair already enrolled, second batch", enrollBatch + 5, func(e *Enrollment) {
				*e = enrollment(e.Set)
				e.A.Email = "DANA@example.test"
			}, func(err error) bool {
				var de *DuplicatePairError
				return errors.As(err, &de) && de.Existing == existing
			}},
			{"pair twice in one batch", 9, func(e *Enrollment) { *e = rows[2] }, func(err error) bool {
				var de *DuplicatePairError
				return errors.As(err, &de)
			}},
			{"invalid address, first batch", 3, func(e *Enrollment) { e.B.Email = "nobody" }, func(err error) bool {
				return strings.Contains(err.Error(), "not a valid email address")
			}},
		}
		for _, tt := range tests {
			es := slices.Clone(rows)
			tt.bad(&es[tt.index])
			_, err := st.EnrollAll(ctx, es)
			var ee *EnrollError
			if !errors.As(err, &ee) || ee.Index != tt.index || !tt.check(err) {
				t.Errorf("%s: EnrollAll = %v, want the error of row %d", tt.name, err, tt.index)
			}
			if list := ok(st.ListPartnerships(ctx, ""))(t); len(list) != 1 {
				t.Errorf("%s: %d partnerships after a failed EnrollAll, want the 1 from before", tt.name, len(list))
			}
		}
	})
}

func TestLivePartnerships(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		e := enrollment(defaultSet(t))
		id := ok(st.Enroll(ctx, e))(t)
		got := ok(st.LivePartnerships(ctx, [][2]string{
			{"SAM@example.test", "dana@example.test"}, // either order, any case
			{"dana@example.test", "nobody@example.test"},
			{"nobody@example.test", "else@example.test"},
		}))(t)
		if want := []int64{id, 0, 0}; !slices.Equal(got, want) {
			t.Errorf("LivePartnerships = %v, want %v", got, want)
		}
	})
}
