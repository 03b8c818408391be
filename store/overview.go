package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"accord/conversation"
)

// The weekly overview goes to everyone who takes part in two or more live
// partnerships. A daily scan queues one job per such person for their next
// Monday morning, keyed by person and ISO week, so however often it runs,
// and from however many instances, a week's overview is queued once. The
// job's mail carries the same key as its once key (see [NewOutbox.Once]):
// a job is marked done only after its handler returned, so a job whose
// lease ran out after the mail was queued runs again, and that second run
// finds the key taken and queues nothing.

// KindOverviewScan is the daily job that queues each person's next weekly
// overview.
const KindOverviewScan = "overview-scan"

// KindOverview is the job that sends one person the overview of one week,
// and the kind of that mail in the outbox.
const KindOverview = "overview"

// OverviewRenderer turns a person's week into mail. The service's is
// mailout's Renderer; tests bring their own.
type OverviewRenderer interface {
	RenderOverview(o conversation.Overview, date time.Time) (messageID string, raw []byte, err error)
}

// overviewPayload is the payload of a KindOverview job.
type overviewPayload struct {
	PersonID int64                `json:"person_id"`
	Week     conversation.ISOWeek `json:"week"`
}

var (
	// People in two or more live partnerships who are not paused in all
	// of them.
	qOverviewPeople = query(`SELECT pe.id, pe.time_zone FROM people pe
		JOIN participants pt ON pt.person_id = pe.id
		JOIN partnerships p ON p.id = pt.partnership_id
		WHERE p.ended_at IS NULL AND p.status <> 'ended' AND pt.status <> 'left'
		GROUP BY pe.id, pe.time_zone
		HAVING COUNT(*) >= 2 AND SUM(CASE WHEN pt.status = 'paused' THEN 0 ELSE 1 END) >= 1
		ORDER BY pe.id`)
	qOverviewPerson         = query(`SELECT id, name, email, time_zone, language FROM people WHERE id = ?`)
	qOverviewPartnershipsOf = query(`SELECT p.id FROM partnerships p JOIN participants pt ON pt.partnership_id = p.id
		WHERE pt.person_id = ? AND p.ended_at IS NULL AND p.status <> 'ended' AND pt.status <> 'left' ORDER BY p.id`)
	// An overview names the partners of its recipient, so forgetting a
	// partnership forgets the overviews its two people were sent.
	qForgetOverviews = query(`DELETE FROM outbox WHERE kind = 'overview' AND partnership_id IS NULL AND recipient IN (
		SELECT pe.email FROM people pe JOIN participants pt ON pt.person_id = pe.id WHERE pt.partnership_id = ?)`)
)

// overviewKey is the key of a person's overview of one week, for its job
// and its mail.
func overviewKey(personID int64, week conversation.ISOWeek) string {
	return KindOverview + ":" + strconv.FormatInt(personID, 10) + ":" + week.String()
}

// ScheduleOverviewScan makes sure a scan is queued for the day of at. The
// dedupe key is the day, so several instances starting on one day queue
// one scan between them.
func (s *Store) ScheduleOverviewScan(ctx context.Context, at time.Time) error {
	return s.scheduleDaily(ctx, KindOverviewScan, nil, at)
}

// QueueOverviews queues the next weekly overview of every person who
// takes part in two or more live partnerships and is not paused in all of
// them, each for their own Monday morning (see
// [conversation.QuietHours.NextOverview]). It returns how many people
// need one; an overview already queued is not queued again.
func (s *Store) QueueOverviews(ctx context.Context) (int, error) {
	var people []struct {
		ID       int64  `db:"id"`
		TimeZone string `db:"time_zone"`
	}
	if err := s.selectAll(ctx, &people, qOverviewPeople); err != nil {
		return 0, fmt.Errorf("store: people for the weekly overview: %w", err)
	}
	now := s.clock.Now()
	n := 0
	err := s.InTx(ctx, func(tx *Tx) error {
		for _, p := range people {
			loc, err := s.location(p.TimeZone)
			if err != nil {
				// One person's broken zone must not keep everyone
				// else's overview from going out.
				s.log.Error("no weekly overview for this person", "person_id", p.ID, "err", err)
				continue
			}
			week, at := s.rules.Quiet.NextOverview(now, loc)
			payload, err := json.Marshal(overviewPayload{PersonID: p.ID, Week: week})
			if err != nil {
				return fmt.Errorf("store: overview job of person %d: %w", p.ID, err)
			}
			if _, _, err := tx.Enqueue(ctx, NewJob{Kind: KindOverview, DedupeKey: overviewKey(p.ID, week), Payload: payload, RunAt: at}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ScanOverviews is the handler of KindOverviewScan jobs: it queues the
// coming overviews and tomorrow's scan.
func (s *Store) ScanOverviews(ctx context.Context, j Job) error {
	n, err := s.QueueOverviews(ctx)
	if err != nil {
		return err
	}
	s.log.Debug("weekly overviews queued", "people", n)
	return s.ScheduleOverviewScan(ctx, s.clock.Now().Add(24*time.Hour))
}

// LivePartnershipsOf loads a person and every partnership they take part
// in that has not ended and that they have not left, for views that span
// partnerships. Nothing is locked.
func (s *Store) LivePartnershipsOf(ctx context.Context, personID int64) (conversation.Person, []*conversation.Partnership, error) {
	var person conversation.Person
	var ps []*conversation.Partnership
	err := s.InTx(ctx, func(tx *Tx) error {
		var row struct {
			ID       int64  `db:"id"`
			Name     string `db:"name"`
			Email    string `db:"email"`
			TimeZone string `db:"time_zone"`
			Language string `db:"language"`
		}
		err := tx.get(ctx, &row, qOverviewPerson, personID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: person %d: %w", personID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: person %d: %w", personID, err)
		}
		loc, err := s.location(row.TimeZone)
		if err != nil {
			return err
		}
		person = conversation.Person{ID: row.ID, Name: row.Name, Email: row.Email, Location: loc, Language: s.languageOr(row.Language)}
		var ids []int64
		if err := tx.selectAll(ctx, &ids, qOverviewPartnershipsOf, personID); err != nil {
			return fmt.Errorf("store: partnerships of person %d: %w", personID, err)
		}
		for _, id := range ids {
			p, _, err := tx.load(ctx, id, false)
			if err != nil {
				return err
			}
			ps = append(ps, p)
		}
		return nil
	})
	return person, ps, err
}

// SendOverview returns the handler of KindOverview jobs. It loads the
// person's live partnerships afresh and, when they still take part in two
// or more and are not paused in all, renders the week's overview with r
// and queues it, once per person and week. An overview whose time has
// passed (the service was down, say) is dropped; one whose time has not
// come yet (the person moved west since it was queued) waits for it.
func (s *Store) SendOverview(r OverviewRenderer) Handler {
	return func(ctx context.Context, j Job) error {
		var pl overviewPayload
		if err := json.Unmarshal(j.Payload, &pl); err != nil || pl.PersonID == 0 {
			return Permanent(fmt.Errorf("store: overview job %d names no person and week", j.ID))
		}
		log := s.log.With("person_id", pl.PersonID, "week", pl.Week.String())
		person, ps, err := s.LivePartnershipsOf(ctx, pl.PersonID)
		if errors.Is(err, ErrNotFound) {
			log.Debug("no weekly overview: the person was erased")
			return nil
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		timing, due := s.rules.Quiet.OverviewTiming(pl.Week, now, person.Location)
		switch timing {
		case conversation.OverviewEarly:
			return Release(errors.New("the overview's time has not come in the person's zone"), due.Sub(now))
		case conversation.OverviewLate:
			log.Info("weekly overview not sent: its time has passed", "due", due)
			return nil
		}
		o, ok := conversation.BuildOverview(person, ps, now)
		switch {
		case o.Week != pl.Week:
			// Quiet days took the whole week.
			log.Info("weekly overview not sent: its week is over", "due", due)
			return nil
		case !ok:
			log.Debug("no weekly overview: fewer than two live partnerships, or paused in all")
			return nil
		}
		msgID, raw, err := r.RenderOverview(o, now)
		if err != nil {
			return Permanent(fmt.Errorf("store: render the overview of person %d: %w", pl.PersonID, err))
		}
		err = s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.AddOutbox(ctx, NewOutbox{
				Recipient: person.Email, Kind: KindOverview, Thread: KindOverview, MessageID: msgID, Raw: raw,
				Once: overviewKey(person.ID, o.Week),
			})
			return err
		})
		switch {
		case errors.Is(err, ErrQueuedBefore):
			log.Info("weekly overview queued before; not again")
			return nil
		case err != nil:
			return err
		}
		log.Info("weekly overview queued", "partnerships", o.Count(), "waiting_on_them", o.WaitingOnYou())
		return nil
	}
}
