package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"accord/conversation"
)

var (
	qLoadCheckinPlan = query(`SELECT checkin_plan, schedule_asked_at FROM partnerships WHERE id = ?`)
	qSaveCheckinPlan = query(`UPDATE partnerships SET checkin_plan = ?, schedule_asked_at = ? WHERE id = ?`)
	qLoadSeries      = query(`SELECT id, uid, schedule, time_zone, start_at, sequence, status, paused_from, paused_until, stamp, created_at
		FROM checkin_series WHERE partnership_id = ? ORDER BY id DESC LIMIT 1`)
	qInsertSeries = query(`INSERT INTO checkin_series (partnership_id, uid, schedule, time_zone, start_at, sequence, status,
		paused_from, paused_until, stamp, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qUpdateSeries = query(`UPDATE checkin_series SET schedule = ?, start_at = ?, sequence = ?, status = ?,
		paused_from = ?, paused_until = ?, stamp = ? WHERE id = ?`)
	qLoadEarlierSeries = query(`SELECT id, uid, schedule, time_zone, start_at, sequence, status, paused_from, paused_until, stamp, created_at
		FROM checkin_series WHERE partnership_id = ? AND id < ?
		AND id IN (SELECT series_id FROM checkin_occurrences WHERE start_at >= ?) ORDER BY id`)
	qLoadOccurrences = query(`SELECT id, original_at, start_at, state, number, prep_sent_first, prep_sent_second,
		agenda_sent_at, follow_up_sent_at FROM checkin_occurrences WHERE series_id = ? ORDER BY original_at`)
	qInsertOccurrence = query(`INSERT INTO checkin_occurrences (series_id, original_at, start_at, state, number,
		prep_sent_first, prep_sent_second, agenda_sent_at, follow_up_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qUpdateOccurrence = query(`UPDATE checkin_occurrences SET start_at = ?, state = ?, prep_sent_first = ?, prep_sent_second = ?,
		agenda_sent_at = ?, follow_up_sent_at = ? WHERE id = ?`)
	qDeleteOccurrence = query(`DELETE FROM checkin_occurrences WHERE id = ?`)
	qLoadResponses    = query(`SELECT id, participant_id, original_key, partstat, sequence, stamp, created_at
		FROM checkin_responses WHERE series_id = ? ORDER BY id`)
	qInsertResponse = query(`INSERT INTO checkin_responses (series_id, participant_id, original_key, partstat, sequence, stamp, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qUpdateResponse = query(`UPDATE checkin_responses SET partstat = ?, sequence = ?, stamp = ?, created_at = ? WHERE id = ?`)
	qLoadNotes      = query(`SELECT id, occurrence_id, participant_id, kind, body, created_at FROM checkin_notes WHERE occurrence_id IN (SELECT id FROM checkin_occurrences WHERE series_id = ?) ORDER BY id`)
	qMoveNote       = query(`UPDATE checkin_notes SET occurrence_id = ? WHERE id = ?`)
	qInsertNote     = query(`INSERT INTO checkin_notes (occurrence_id, participant_id, kind, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`)
)

type seriesRow struct {
	ID          int64        `db:"id"`
	UID         string       `db:"uid"`
	Schedule    string       `db:"schedule"`
	TimeZone    string       `db:"time_zone"`
	StartAt     time.Time    `db:"start_at"`
	Sequence    int          `db:"sequence"`
	Status      string       `db:"status"`
	PausedFrom  sql.NullTime `db:"paused_from"`
	PausedUntil sql.NullTime `db:"paused_until"`
	Stamp       sql.NullTime `db:"stamp"`
	CreatedAt   time.Time    `db:"created_at"`
}

type occurrenceRow struct {
	ID             int64        `db:"id"`
	OriginalAt     time.Time    `db:"original_at"`
	StartAt        time.Time    `db:"start_at"`
	State          string       `db:"state"`
	Number         int          `db:"number"`
	PrepSentFirst  sql.NullTime `db:"prep_sent_first"`
	PrepSentSecond sql.NullTime `db:"prep_sent_second"`
	AgendaSentAt   sql.NullTime `db:"agenda_sent_at"`
	FollowUpSentAt sql.NullTime `db:"follow_up_sent_at"`
}

// checkinSnapshot remembers the check-in state as loaded, so a save writes
// only what changed.
type checkinSnapshot struct {
	plan        string
	asked       time.Time
	series      conversation.Series
	occurrences map[int64]conversation.Occurrence
	responses   map[int64]conversation.CalendarResponse
	// notes maps each note to the meeting it was about.
	notes map[int64]int64
}

// loadCheckins reads a partnership's check-in plan, its latest series with
// the meetings something happened to, the calendar replies and the notes.
func (tx *Tx) loadCheckins(ctx context.Context, p *conversation.Partnership, byID map[int64]*conversation.Participant) (*checkinSnapshot, error) {
	snap := &checkinSnapshot{occurrences: map[int64]conversation.Occurrence{}, responses: map[int64]conversation.CalendarResponse{}, notes: map[int64]int64{}}
	var plan struct {
		Plan  string       `db:"checkin_plan"`
		Asked sql.NullTime `db:"schedule_asked_at"`
	}
	if err := tx.get(ctx, &plan, qLoadCheckinPlan, p.ID); err != nil {
		return nil, fmt.Errorf("store: load check-in plan of %d: %w", p.ID, err)
	}
	snap.plan, snap.asked = plan.Plan, fromNull(plan.Asked)
	p.ScheduleAskedAt = snap.asked
	if plan.Plan != "" {
		s, err := conversation.ParseSchedule(plan.Plan)
		if err != nil {
			return nil, fmt.Errorf("store: check-in plan of %d: %w", p.ID, err)
		}
		p.CheckinPlan = &s
	}
	var rows []seriesRow
	if err := tx.selectAll(ctx, &rows, qLoadSeries, p.ID); err != nil {
		return nil, fmt.Errorf("store: load check-ins of %d: %w", p.ID, err)
	}
	if len(rows) == 0 {
		return snap, nil
	}
	cs, err := tx.loadSeries(ctx, p, rows[0], byID, snap, true)
	if err != nil {
		return nil, err
	}
	p.Checkin = cs
	snap.series = *cs
	return snap, nil
}

// loadEarlierCheckins reads the cancelled series a newer one replaced that
// have meetings in the period a digest still to be built or sent looks
// back on; the partnership's reviews must be loaded.
func (tx *Tx) loadEarlierCheckins(ctx context.Context, p *conversation.Partnership, byID map[int64]*conversation.Participant, snap *checkinSnapshot) error {
	since := p.CheckinHistoryFrom()
	if p.Checkin == nil || since.IsZero() {
		return nil
	}
	var rows []seriesRow
	if err := tx.selectAll(ctx, &rows, qLoadEarlierSeries, p.ID, p.Checkin.ID, ts(since)); err != nil {
		return fmt.Errorf("store: load earlier check-ins of %d: %w", p.ID, err)
	}
	for _, r := range rows {
		cs, err := tx.loadSeries(ctx, p, r, byID, snap, false)
		if err != nil {
			return err
		}
		p.EarlierCheckins = append(p.EarlierCheckins, cs)
	}
	return nil
}

// loadSeries reads one series with the meetings something happened to, its
// calendar replies and its notes (added to p's). Only the current series is
// remembered in snap for saving; the notes of any are, so they are not
// written back.
func (tx *Tx) loadSeries(ctx context.Context, p *conversation.Partnership, r seriesRow, byID map[int64]*conversation.Participant, snap *checkinSnapshot, current bool) (*conversation.Series, error) {
	sched, err := conversation.ParseSchedule(r.Schedule)
	if err != nil {
		return nil, fmt.Errorf("store: check-in series %d: %w", r.ID, err)
	}
	loc, err := tx.s.location(r.TimeZone)
	if err != nil {
		return nil, err
	}
	cs := &conversation.Series{
		ID: r.ID, UID: r.UID, Schedule: sched, Zone: loc, Start: r.StartAt.UTC(), Sequence: r.Sequence,
		Status: conversation.SeriesStatus(r.Status), PausedFrom: fromNull(r.PausedFrom), PausedUntil: fromNull(r.PausedUntil),
		Stamp: fromNull(r.Stamp), CreatedAt: r.CreatedAt.UTC(),
	}
	var ors []occurrenceRow
	if err := tx.selectAll(ctx, &ors, qLoadOccurrences, cs.ID); err != nil {
		return nil, fmt.Errorf("store: load meetings of series %d: %w", cs.ID, err)
	}
	occ := map[int64]*conversation.Occurrence{}
	for _, r := range ors {
		o := &conversation.Occurrence{
			ID: r.ID, Original: r.OriginalAt.UTC(), Start: r.StartAt.UTC(), State: conversation.OccurrenceState(r.State), Number: r.Number,
			PrepSentAt:   [2]time.Time{fromNull(r.PrepSentFirst), fromNull(r.PrepSentSecond)},
			AgendaSentAt: fromNull(r.AgendaSentAt), FollowUpSentAt: fromNull(r.FollowUpSentAt),
		}
		cs.Occurrences = append(cs.Occurrences, o)
		occ[o.ID] = o
		if current {
			snap.occurrences[o.ID] = *o
		}
	}
	var rrs []struct {
		ID            int64     `db:"id"`
		ParticipantID int64     `db:"participant_id"`
		OriginalKey   string    `db:"original_key"`
		PartStat      string    `db:"partstat"`
		Sequence      int       `db:"sequence"`
		Stamp         time.Time `db:"stamp"`
		CreatedAt     time.Time `db:"created_at"`
	}
	if err := tx.selectAll(ctx, &rrs, qLoadResponses, cs.ID); err != nil {
		return nil, fmt.Errorf("store: load calendar replies of series %d: %w", cs.ID, err)
	}
	for _, r := range rrs {
		cr := &conversation.CalendarResponse{ID: r.ID, ParticipantID: r.ParticipantID, PartStat: r.PartStat, Sequence: r.Sequence, Stamp: r.Stamp.UTC(), At: r.CreatedAt.UTC()}
		if r.OriginalKey != "" {
			if cr.Original, err = time.Parse(time.RFC3339, r.OriginalKey); err != nil {
				return nil, fmt.Errorf("store: calendar reply %d: %w", r.ID, err)
			}
		}
		cs.Responses = append(cs.Responses, cr)
		if current {
			snap.responses[cr.ID] = *cr
		}
	}
	var nrs []struct {
		ID            int64     `db:"id"`
		OccurrenceID  int64     `db:"occurrence_id"`
		ParticipantID int64     `db:"participant_id"`
		Kind          string    `db:"kind"`
		Body          string    `db:"body"`
		CreatedAt     time.Time `db:"created_at"`
	}
	if err := tx.selectAll(ctx, &nrs, qLoadNotes, cs.ID); err != nil {
		return nil, fmt.Errorf("store: load check-in notes of series %d: %w", cs.ID, err)
	}
	for _, r := range nrs {
		if byID[r.ParticipantID] == nil {
			continue
		}
		p.CheckinNotes = append(p.CheckinNotes, &conversation.CheckinNote{
			ID: r.ID, Occurrence: occ[r.OccurrenceID], ParticipantID: r.ParticipantID,
			Kind: conversation.CheckinNoteKind(r.Kind), Text: r.Body, At: r.CreatedAt.UTC(),
		})
		snap.notes[r.ID] = r.OccurrenceID
	}
	return cs, nil
}

// saveCheckins writes what an operation changed in the check-in state.
func (tx *Tx) saveCheckins(ctx context.Context, p *conversation.Partnership, snap *checkinSnapshot) error {
	plan := ""
	if p.CheckinPlan != nil {
		plan = p.CheckinPlan.Spec()
	}
	if plan != snap.plan || !p.ScheduleAskedAt.Equal(snap.asked) {
		if _, err := tx.exec(ctx, qSaveCheckinPlan, plan, ts(p.ScheduleAskedAt), p.ID); err != nil {
			return fmt.Errorf("store: save check-in plan of %d: %w", p.ID, err)
		}
	}
	cs := p.Checkin
	if cs == nil {
		return nil
	}
	var err error
	switch {
	case cs.ID == 0:
		if cs.UID == "" {
			if cs.UID, err = tx.seriesUID(); err != nil {
				return err
			}
		}
		err = tx.get(ctx, &cs.ID, qInsertSeries, p.ID, cs.UID, cs.Schedule.Spec(), cs.Zone.String(), ts(cs.Start), cs.Sequence,
			string(cs.Status), ts(cs.PausedFrom), ts(cs.PausedUntil), ts(cs.Stamp), ts(cs.CreatedAt))
	case seriesChanged(snap.series, cs):
		_, err = tx.exec(ctx, qUpdateSeries, cs.Schedule.Spec(), ts(cs.Start), cs.Sequence, string(cs.Status),
			ts(cs.PausedFrom), ts(cs.PausedUntil), ts(cs.Stamp), cs.ID)
	}
	if err != nil {
		return fmt.Errorf("store: save check-in series of %d: %w", p.ID, err)
	}
	kept := map[int64]bool{}
	for _, o := range cs.Occurrences {
		old, ok := snap.occurrences[o.ID]
		switch {
		case o.ID == 0:
			err = tx.get(ctx, &o.ID, qInsertOccurrence, cs.ID, ts(o.Original), ts(o.Start), string(o.State), o.Number,
				ts(o.PrepSentAt[0]), ts(o.PrepSentAt[1]), ts(o.AgendaSentAt), ts(o.FollowUpSentAt))
		case !ok || old != *o:
			_, err = tx.exec(ctx, qUpdateOccurrence, ts(o.Start), string(o.State), ts(o.PrepSentAt[0]), ts(o.PrepSentAt[1]),
				ts(o.AgendaSentAt), ts(o.FollowUpSentAt), o.ID)
		}
		if err != nil {
			return fmt.Errorf("store: save meeting %s of series %d: %w", o.Original.Format(time.RFC3339), cs.ID, err)
		}
		kept[o.ID] = true
	}
	for _, cr := range cs.Responses {
		key := ""
		if !cr.Original.IsZero() {
			key = cr.Original.UTC().Format(time.RFC3339)
		}
		switch old, ok := snap.responses[cr.ID]; {
		case cr.ID == 0:
			err = tx.get(ctx, &cr.ID, qInsertResponse, cs.ID, cr.ParticipantID, key, cr.PartStat, cr.Sequence, ts(cr.Stamp), ts(cr.At))
		case !ok || old != *cr:
			_, err = tx.exec(ctx, qUpdateResponse, cr.PartStat, cr.Sequence, ts(cr.Stamp), ts(cr.At), cr.ID)
		}
		if err != nil {
			return fmt.Errorf("store: save calendar reply of series %d: %w", cs.ID, err)
		}
	}
	for _, n := range p.CheckinNotes {
		if n.Occurrence == nil || n.Occurrence.ID == 0 {
			return fmt.Errorf("store: check-in note of partnership %d has no stored meeting", p.ID)
		}
		switch {
		case n.ID == 0:
			err = tx.get(ctx, &n.ID, qInsertNote, n.Occurrence.ID, n.ParticipantID, string(n.Kind), n.Text, ts(n.At))
		case snap.notes[n.ID] != n.Occurrence.ID:
			_, err = tx.exec(ctx, qMoveNote, n.Occurrence.ID, n.ID)
		}
		if err != nil {
			return fmt.Errorf("store: save check-in note: %w", err)
		}
	}
	// Meetings the operation forgot (a new schedule drops the overrides
	// of meetings ahead) go from the table too. A series replaced by a
	// new one keeps its meetings: they are its history.
	for id := range snap.occurrences {
		if !kept[id] && cs.ID == snap.series.ID {
			if _, err := tx.exec(ctx, qDeleteOccurrence, id); err != nil {
				return fmt.Errorf("store: drop meeting %d: %w", id, err)
			}
		}
	}
	return nil
}

// seriesChanged compares the saved fields of a series.
func seriesChanged(old conversation.Series, cs *conversation.Series) bool {
	return old.Schedule != cs.Schedule || !old.Start.Equal(cs.Start) || old.Sequence != cs.Sequence || old.Status != cs.Status ||
		!old.PausedFrom.Equal(cs.PausedFrom) || !old.PausedUntil.Equal(cs.PausedUntil) || !old.Stamp.Equal(cs.Stamp)
}

// seriesUID returns a new calendar UID: random, in the service's own
// style, never reused.
func (tx *Tx) seriesUID() (string, error) {
	tok, err := newToken(tx.s.random)
	if err != nil {
		return "", err
	}
	return "checkin-" + tok + "@accord", nil
}

var qSeriesByUID = query(`SELECT partnership_id FROM checkin_series WHERE uid = ?`)

// SeriesByUID finds the partnership whose check-in series has the calendar
// UID (compared as stored; calendars keep UIDs as sent).
func (s *Store) SeriesByUID(ctx context.Context, uid string) (int64, error) {
	var id int64
	err := s.get(ctx, &id, qSeriesByUID, strings.TrimSpace(uid))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: calendar UID %q: %w", uid, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: calendar UID %q: %w", uid, err)
	}
	return id, nil
}

// qOtherMemberships counts the other partnerships the two people of one
// take part in.
var qOtherMemberships = query(`SELECT COUNT(*) FROM participants me
	JOIN participants other ON other.person_id = me.person_id AND other.partnership_id <> ?
	WHERE me.partnership_id = ?`)

// qLoadOtherSeries finds the latest running series of every other live
// partnership the two people take part in, with whom they meet there.
var qLoadOtherSeries = query(`SELECT cs.id, cs.uid, cs.schedule, cs.time_zone, cs.start_at, cs.sequence, cs.status,
		cs.paused_from, cs.paused_until, cs.stamp, cs.created_at, me.person_id, pe.name AS with_name
	FROM participants me
	JOIN partnerships p ON p.id = me.partnership_id AND p.ended_at IS NULL AND p.id <> ?
	JOIN participants other ON other.partnership_id = p.id AND other.id <> me.id
	JOIN people pe ON pe.id = other.person_id
	JOIN checkin_series cs ON cs.partnership_id = p.id
	WHERE me.person_id IN (SELECT person_id FROM participants WHERE partnership_id = ?) AND me.status <> 'left' AND cs.status <> 'cancelled'
		AND cs.id = (SELECT MAX(id) FROM checkin_series WHERE partnership_id = p.id)
	ORDER BY cs.id`)

// qLoadOtherPlans finds the check-in plans (schedules chosen before the
// agreement, with no series yet) of every other live partnership the two
// people take part in, with the zone of its lead, which the series will
// be in.
var qLoadOtherPlans = query(`SELECT p.checkin_plan, me.person_id, pe.name AS with_name, lead.time_zone
	FROM participants me
	JOIN partnerships p ON p.id = me.partnership_id AND p.ended_at IS NULL AND p.id <> ?
	JOIN participants other ON other.partnership_id = p.id AND other.id <> me.id
	JOIN people pe ON pe.id = other.person_id
	JOIN participants lp ON lp.partnership_id = p.id AND lp.slot = 0
	JOIN people lead ON lead.id = lp.person_id
	WHERE me.person_id IN (SELECT person_id FROM participants WHERE partnership_id = ?) AND me.status <> 'left' AND p.checkin_plan <> ''
		AND NOT EXISTS (SELECT 1 FROM checkin_series cs WHERE cs.partnership_id = p.id)
	ORDER BY p.id`)

// loadOtherCheckins reads the running check-in series the two people have
// in other partnerships, with the meetings moved or skipped in them, and
// the plans of those whose series has not started, so that a clashing
// time can be refused. They are never saved from here.
func (tx *Tx) loadOtherCheckins(ctx context.Context, p *conversation.Partnership) error {
	// Most people are in one partnership: then there is nothing to read.
	var others int
	if err := tx.get(ctx, &others, qOtherMemberships, p.ID, p.ID); err != nil {
		return fmt.Errorf("store: the other partnerships of %d: %w", p.ID, err)
	}
	if others == 0 {
		return nil
	}
	// The two queries below take PostgreSQL milliseconds to plan: they go
	// as prepared statements, planned once, not written out with queued
	// writes or prefetched.
	if err := tx.flush(ctx); err != nil {
		return err
	}
	var rows []struct {
		seriesRow
		PersonID int64  `db:"person_id"`
		WithName string `db:"with_name"`
	}
	a, b := p.Participants[0], p.Participants[1]
	if err := tx.selectAll(ctx, &rows, qLoadOtherSeries, p.ID, p.ID); err != nil {
		return fmt.Errorf("store: load the other check-ins of %d: %w", p.ID, err)
	}
	for _, r := range rows {
		who := a
		if r.PersonID == b.Person.ID {
			who = b
		}
		sched, err := conversation.ParseSchedule(r.Schedule)
		if err != nil {
			return fmt.Errorf("store: check-in series %d: %w", r.ID, err)
		}
		loc, err := tx.s.location(r.TimeZone)
		if err != nil {
			return err
		}
		cs := &conversation.Series{ID: r.ID, Schedule: sched, Zone: loc, Start: r.StartAt.UTC(),
			Status: conversation.SeriesStatus(r.Status), PausedFrom: fromNull(r.PausedFrom), PausedUntil: fromNull(r.PausedUntil)}
		var ors []occurrenceRow
		if err := tx.selectAll(ctx, &ors, qLoadOccurrences, cs.ID); err != nil {
			return fmt.Errorf("store: load meetings of series %d: %w", cs.ID, err)
		}
		for _, o := range ors {
			cs.Occurrences = append(cs.Occurrences, &conversation.Occurrence{ID: o.ID, Original: o.OriginalAt.UTC(), Start: o.StartAt.UTC(),
				State: conversation.OccurrenceState(o.State), Number: o.Number})
		}
		p.OtherCheckins = append(p.OtherCheckins, conversation.OtherSeries{Who: who, With: r.WithName, Series: cs})
	}
	var plans []struct {
		Plan     string `db:"checkin_plan"`
		PersonID int64  `db:"person_id"`
		WithName string `db:"with_name"`
		TimeZone string `db:"time_zone"`
	}
	if err := tx.selectAll(ctx, &plans, qLoadOtherPlans, p.ID, p.ID); err != nil {
		return fmt.Errorf("store: load the other check-in plans of %d: %w", p.ID, err)
	}
	for _, r := range plans {
		who := a
		if r.PersonID == b.Person.ID {
			who = b
		}
		sched, err := conversation.ParseSchedule(r.Plan)
		if err != nil {
			return fmt.Errorf("store: check-in plan %q: %w", r.Plan, err)
		}
		loc, err := tx.s.location(r.TimeZone)
		if err != nil {
			return err
		}
		p.OtherCheckins = append(p.OtherCheckins, conversation.OtherSeries{Who: who, With: r.WithName, Series: conversation.PlannedSeries(sched, loc, tx.s.clock.Now())})
	}
	return nil
}
