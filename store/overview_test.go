package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"accord/conversation"
)

var qTestOverviews = query(`SELECT recipient, raw FROM outbox WHERE kind = 'overview' ORDER BY id`)

// overviewMail is one stored overview.
type overviewMail struct {
	Recipient string `db:"recipient"`
	Raw       []byte `db:"raw"`
}

// storedOverviews lists the overviews in the outbox, oldest first.
func storedOverviews(t *testing.T, st *Store) []overviewMail {
	t.Helper()
	var out []overviewMail
	err := st.InTx(context.Background(), func(tx *Tx) error {
		return tx.selectAll(context.Background(), &out, qTestOverviews)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range out {
		if out[i].Raw, err = unpackRaw(out[i].Raw); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// recipients lists who the overviews went to, oldest first.
func recipients(ms []overviewMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Recipient)
	}
	return out
}

// jsonRenderer renders an overview as its JSON: everything a template
// could show, so a test can see that nobody's words are among it.
type jsonRenderer struct{ n atomic.Int64 }

func (r *jsonRenderer) RenderOverview(o conversation.Overview, _ time.Time) (string, []byte, error) {
	raw, err := json.Marshal(o)
	return fmt.Sprintf("<overview-%d@example.test>", r.n.Add(1)), raw, err
}

// overviewPeople enrols pairs of the people of the overview tests. Dana
// (Berlin) leads Sam and Ana; Ola (Honolulu, ten hours behind UTC) leads
// Uma and Vic; Pat leads Quinn and Ruth; Kim and Lee are peers and have
// nobody else.
type overviewPeople struct {
	t   *testing.T
	st  *Store
	ids map[string]int64
}

var overviewZones = map[string]string{"dana": "Europe/Berlin", "ola": "Pacific/Honolulu", "pat": "Europe/Berlin"}

func (op *overviewPeople) pair(kind conversation.Kind, a, b string) int64 {
	op.t.Helper()
	person := func(name string) EnrollPerson {
		zone := overviewZones[name]
		if zone == "" {
			zone = "America/New_York"
		}
		return EnrollPerson{Name: strings.ToUpper(name[:1]) + name[1:] + " Example", Email: name + "@example.test", TimeZone: zone}
	}
	id := ok(op.st.Enroll(context.Background(), Enrollment{Kind: kind, A: person(a), B: person(b), Set: smallSet()}))(op.t)
	op.ids[a+"-"+b] = id
	return id
}

// as runs fn on the participant with the given email in a partnership.
func (op *overviewPeople) as(id int64, email string, fn func(p *conversation.Partnership, me *conversation.Participant, now time.Time) ([]conversation.Message, error)) {
	op.t.Helper()
	_, err := op.st.Apply(context.Background(), id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		for _, pt := range p.Participants {
			if pt.Person.Email == email {
				return fn(p, pt, now)
			}
		}
		return nil, fmt.Errorf("%s is not in partnership %d", email, id)
	})
	if err != nil {
		op.t.Fatal(err)
	}
}

func pauseFor(p *conversation.Partnership, me *conversation.Participant, now time.Time) ([]conversation.Message, error) {
	return p.Pause(me.ID, time.Time{}, now)
}

// secret is an answer no overview may show.
const secret = "The reorg worries me more than I have told anyone."

// TestWeeklyOverview follows a week: the scan runs twice and queues one
// overview per person in two or more live partnerships, each for Monday
// 08:00 in their own zone; a job that runs again after its lease ran out
// (the worker died before marking it done) queues nothing more; the mail
// holds no answer; nobody in one partnership, or paused in all, gets one.
func TestWeeklyOverview(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		clock := newClock(time.Date(2027, 1, 6, 12, 0, 0, 0, time.UTC)) // Wednesday of 2027-W01
		st := openStore(t, url, Options{Clock: clock})
		op := &overviewPeople{t: t, st: st, ids: map[string]int64{}}
		danaSam := op.pair(conversation.KindLeadReport, "dana", "sam")
		op.pair(conversation.KindLeadReport, "dana", "ana")
		op.pair(conversation.KindLeadReport, "ola", "uma")
		op.pair(conversation.KindLeadReport, "ola", "vic")
		op.pair(conversation.KindPeer, "kim", "lee")
		for _, id := range []int64{op.pair(conversation.KindLeadReport, "pat", "quinn"), op.pair(conversation.KindLeadReport, "pat", "ruth")} {
			op.as(id, "pat@example.test", pauseFor)
		}
		op.as(danaSam, "dana@example.test", func(p *conversation.Partnership, me *conversation.Participant, now time.Time) ([]conversation.Message, error) {
			return p.Answer(me.ID, me.Current().QuestionID, secret, now)
		})

		// The daily scan, queued twice at start-up, runs once and queues
		// tomorrow's.
		r := &jsonRenderer{}
		scan := &Worker{Store: st, Name: "scan", Handlers: map[string]Handler{KindOverviewScan: st.ScanOverviews}}
		w := &Worker{Store: st, Name: "test", Lease: time.Minute, Handlers: map[string]Handler{KindOverview: st.SendOverview(r)}}
		for range 2 {
			if err := st.ScheduleOverviewScan(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if n := ok(scan.RunDue(ctx))(t); n != 1 {
			t.Errorf("RunDue ran %d jobs, want the one scan", n)
		}
		if scans := ok(st.JobsOfKind(ctx, KindOverviewScan))(t); len(scans) != 2 || scans[0].State != JobDone || !scans[1].RunAt.Equal(clock.Now().Add(24*time.Hour)) {
			t.Errorf("scans = %+v, want today's done and tomorrow's queued", scans)
		}
		// A second scan the same day queues nothing new.
		if n := ok(st.QueueOverviews(ctx))(t); n != 2 {
			t.Errorf("QueueOverviews = %d people, want Dana and Ola", n)
		}
		monday := time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)
		jobs := ok(st.JobsOfKind(ctx, KindOverview))(t)
		if len(jobs) != 2 {
			t.Fatalf("%d overview jobs, want one each for Dana and Ola", len(jobs))
		}
		leadOf := func(id int64) int64 { return ok(st.Load(ctx, id))(t).Lead().Person.ID }
		week := conversation.ISOWeek{Year: 2027, Number: 2}
		for i, want := range []struct {
			key string
			at  time.Time
		}{
			{overviewKey(leadOf(danaSam), week), monday.Add(7 * time.Hour)},            // 08:00 in Berlin
			{overviewKey(leadOf(op.ids["ola-uma"]), week), monday.Add(18 * time.Hour)}, // 08:00 in Honolulu
		} {
			var pl overviewPayload
			if err := json.Unmarshal(jobs[i].Payload, &pl); err != nil {
				t.Fatal(err)
			}
			if j := jobs[i]; j.DedupeKey.String != want.key || !j.RunAt.Equal(want.at) || overviewKey(pl.PersonID, pl.Week) != want.key {
				t.Errorf("overview job %d = %s (payload %s) at %s, want %s at %s", i, j.DedupeKey.String, j.Payload, j.RunAt, want.key, want.at)
			}
		}

		// Monday 08:00 in Berlin: a worker takes Dana's job, queues her
		// overview and dies before marking the job done.
		clock.Set(monday.Add(7 * time.Hour))
		claimed := ok(st.ClaimJobs(ctx, "crashed", []string{KindOverview}, 10, time.Minute))(t)
		if len(claimed) != 1 {
			t.Fatalf("claimed %d overview jobs at 08:00 in Berlin, want Dana's alone", len(claimed))
		}
		if err := st.SendOverview(r)(ctx, claimed[0]); err != nil {
			t.Fatal(err)
		}
		// Its lease runs out; another worker runs it again, and a third
		// time by hand for good measure.
		clock.Advance(2 * time.Minute)
		if n := ok(w.RunDue(ctx))(t); n != 1 {
			t.Errorf("RunDue after the lease ran out ran %d jobs, want Dana's again", n)
		}
		if err := st.SendOverview(r)(ctx, claimed[0]); err != nil {
			t.Errorf("a third run of the job = %v, want nil", err)
		}
		if j := ok(st.Job(ctx, claimed[0].ID))(t); j.State != JobDone {
			t.Errorf("Dana's job is %s, want done", j.State)
		}
		got := storedOverviews(t, st)
		if len(got) != 1 || got[0].Recipient != "dana@example.test" {
			t.Fatalf("overviews after three runs = %q, want one, to Dana", recipients(got))
		}
		raw := string(got[0].Raw)
		if strings.Contains(raw, secret) || strings.Contains(raw, "reorg") {
			t.Errorf("Dana's overview holds her answer:\n%s", raw)
		}
		if !strings.Contains(raw, "Sam Example") || !strings.Contains(raw, "Ana Example") {
			t.Errorf("Dana's overview does not name Sam and Ana:\n%s", raw)
		}

		// Honolulu's Monday morning comes ten hours after UTC's.
		clock.Set(monday.Add(18*time.Hour - time.Minute))
		if n := ok(w.RunDue(ctx))(t); n != 0 {
			t.Errorf("a minute before 08:00 in Honolulu RunDue ran %d jobs, want none", n)
		}
		clock.Set(monday.Add(18 * time.Hour))
		if n := ok(w.RunDue(ctx))(t); n != 1 {
			t.Errorf("at 08:00 in Honolulu RunDue ran %d jobs, want Ola's", n)
		}

		// The scan that evening queues Dana's next week, and Ola's
		// overview of this one, already sent, is not queued again.
		clock.Set(monday.Add(18*time.Hour + time.Minute))
		if _, err := st.QueueOverviews(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Set(monday.AddDate(0, 0, 7).Add(7 * time.Hour))
		for _, w := range []*Worker{scan, w, w} {
			if _, err := w.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got = storedOverviews(t, st)
		if want := []string{"dana@example.test", "ola@example.test", "dana@example.test"}; strings.Join(recipients(got), " ") != strings.Join(want, " ") {
			t.Errorf("overviews over two weeks went to %q, want %q", recipients(got), want)
		}
	})
}

// TestOverviewWhenItRuns checks what a queued overview does when its job
// runs: it goes out on time; it waits when its person moved west since
// it was queued; and nothing goes out when its time has passed, or the
// person no longer takes part in two partnerships, or is paused in both.
func TestOverviewWhenItRuns(t *testing.T) {
	t.Parallel()
	monday := time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)
	berlin := monday.Add(7 * time.Hour) // 08:00 in Berlin
	for _, tc := range []struct {
		name string
		// change runs after the overview was queued.
		change func(op *overviewPeople)
		at     time.Time
		sent   bool
		// runAt is when the job is due again, if it waits.
		runAt time.Time
	}{
		{name: "on time", at: berlin, sent: true},
		{name: "within the grace", at: berlin.Add(conversation.OverviewGrace), sent: true},
		{name: "down all morning", at: berlin.Add(conversation.OverviewGrace + time.Minute)},
		{
			name: "moved west since", at: berlin, runAt: monday.Add(16 * time.Hour), // 08:00 in Los Angeles
			change: func(op *overviewPeople) {
				ok(op.st.Enroll(context.Background(), Enrollment{Kind: conversation.KindLeadReport, Set: smallSet(),
					A: EnrollPerson{Name: "Dana Example", Email: "dana@example.test", TimeZone: "America/Los_Angeles"},
					B: EnrollPerson{Name: "Eve Example", Email: "eve@example.test", TimeZone: "America/Los_Angeles"}}))(op.t)
			},
		},
		{
			name: "one partnership ended since", at: berlin,
			change: func(op *overviewPeople) {
				op.as(op.ids["dana-ana"], "ana@example.test", func(p *conversation.Partnership, _ *conversation.Participant, now time.Time) ([]conversation.Message, error) {
					return p.End("operator", now)
				})
			},
		},
		{
			name: "paused in both since", at: berlin,
			change: func(op *overviewPeople) {
				op.as(op.ids["dana-sam"], "dana@example.test", pauseFor)
				op.as(op.ids["dana-ana"], "dana@example.test", pauseFor)
			},
		},
		{
			name: "paused in one", at: berlin, sent: true,
			change: func(op *overviewPeople) { op.as(op.ids["dana-ana"], "dana@example.test", pauseFor) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			eachBackend(t, func(t *testing.T, url string) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				clock := newClock(time.Date(2027, 1, 6, 12, 0, 0, 0, time.UTC))
				st := openStore(t, url, Options{Clock: clock})
				op := &overviewPeople{t: t, st: st, ids: map[string]int64{}}
				op.pair(conversation.KindLeadReport, "dana", "sam")
				op.pair(conversation.KindLeadReport, "dana", "ana")
				if n := ok(st.QueueOverviews(ctx))(t); n != 1 {
					t.Fatalf("QueueOverviews = %d people, want Dana alone", n)
				}
				if tc.change != nil {
					tc.change(op)
				}
				clock.Set(tc.at)
				w := &Worker{Store: st, Name: "test", Handlers: map[string]Handler{KindOverview: st.SendOverview(&jsonRenderer{})}}
				if n := ok(w.RunDue(ctx))(t); n != 1 {
					t.Fatalf("RunDue ran %d jobs, want Dana's overview", n)
				}
				if got := storedOverviews(t, st); (len(got) == 1) != tc.sent || len(got) > 1 {
					t.Errorf("%d overviews stored, want sent = %v", len(got), tc.sent)
				}
				j := ok(st.JobsOfKind(ctx, KindOverview))(t)[0]
				switch {
				case !tc.runAt.IsZero() && (j.State != JobAvailable || !j.RunAt.Equal(tc.runAt) || j.Attempts != 0):
					t.Errorf("job is %s due %s after %d attempts, want waiting until %s without an attempt counted", j.State, j.RunAt, j.Attempts, tc.runAt)
				case tc.runAt.IsZero() && j.State != JobDone:
					t.Errorf("job is %s (%s), want done", j.State, j.LastError)
				}
				if tc.runAt.IsZero() {
					return
				}
				clock.Set(tc.runAt)
				if n := ok(w.RunDue(ctx))(t); n != 1 {
					t.Fatalf("RunDue at %s ran %d jobs, want Dana's overview", tc.runAt, n)
				}
				if got := storedOverviews(t, st); len(got) != 1 {
					t.Errorf("%d overviews stored at 08:00 in Dana's new zone, want 1", len(got))
				}
			})
		})
	}
}

// TestForgetOverviews: an overview names its recipient's partners, so
// forgetting a partnership forgets the overviews its people were sent.
func TestForgetOverviews(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		clock := newClock(time.Date(2027, 1, 11, 7, 0, 0, 0, time.UTC))
		st := openStore(t, url, Options{Clock: clock})
		op := &overviewPeople{t: t, st: st, ids: map[string]int64{}}
		danaSam := op.pair(conversation.KindLeadReport, "dana", "sam")
		op.pair(conversation.KindLeadReport, "dana", "ana")
		op.pair(conversation.KindLeadReport, "ola", "uma")
		op.pair(conversation.KindLeadReport, "ola", "vic")
		if _, err := st.QueueOverviews(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2027, 1, 11, 18, 0, 0, 0, time.UTC))
		w := &Worker{Store: st, Name: "test", Handlers: map[string]Handler{KindOverview: st.SendOverview(&jsonRenderer{})}}
		if n := ok(w.RunDue(ctx))(t); n != 2 {
			t.Fatalf("RunDue ran %d jobs, want Dana's and Ola's overviews", n)
		}
		if _, err := st.Forget(ctx, danaSam); err != nil {
			t.Fatal(err)
		}
		if got := recipients(storedOverviews(t, st)); len(got) != 1 || got[0] != "ola@example.test" {
			t.Errorf("overviews after forgetting Dana and Sam went to %q, want Ola's alone", got)
		}
	})
}

// TestOnceKey: a mail with a once key is stored once; the second attempt
// is refused without spoiling the transaction it is in.
func TestOnceKey(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st := openStore(t, url, Options{Clock: newClock(t0)})
		add := func(tx *Tx, n int, once string) error {
			_, err := tx.AddOutbox(ctx, NewOutbox{Recipient: "dana@example.test", Kind: KindOverview,
				MessageID: fmt.Sprintf("<once-%d@example.test>", n), Raw: []byte("x"), Once: once})
			return err
		}
		err := st.InTx(ctx, func(tx *Tx) error {
			for i, once := range []string{"a", "", ""} {
				if err := add(tx, i, once); err != nil {
					return err
				}
			}
			if err := add(tx, 3, "a"); !errors.Is(err, ErrQueuedBefore) {
				t.Errorf("second mail with once key a = %v, want ErrQueuedBefore", err)
			}
			return add(tx, 4, "b") // the transaction goes on
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(storedOverviews(t, st)); got != 4 {
			t.Errorf("%d mails stored, want 4: a, two without a key, and b", got)
		}
		if mails := ok(st.JobsOfKind(ctx, KindMail))(t); len(mails) != 4 {
			t.Errorf("%d deliveries queued, want 4", len(mails))
		}
	})
}
