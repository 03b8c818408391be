package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

var (
	qForgetInbound = query(`UPDATE inbound_log SET raw = NULL, from_address = '', detail = 'forgotten'
		WHERE partnership_id = ? OR participant_id IN (SELECT id FROM participants WHERE partnership_id = ?)`)
	qPartnershipPeople = query(`SELECT person_id FROM participants WHERE partnership_id = ?`)
	qDeletePartnership = query(`DELETE FROM partnerships WHERE id = ?`)
	qPersonInUse       = query(`SELECT COUNT(*) FROM participants WHERE person_id = ?`)
	qDeletePerson      = query(`DELETE FROM people WHERE id = ?`)
	qPurgeInbound      = query(`UPDATE inbound_log SET raw = NULL
		WHERE raw IS NOT NULL AND processed_at IS NOT NULL AND processed_at < ?`)
)

// Forgotten says what Forget erased.
type Forgotten struct {
	// People counts the people erased: those in no other partnership.
	People int
	// Kept counts the people kept because they are in another partnership.
	Kept int
}

// Forget erases a partnership and everything it holds: answers, agreement
// drafts and versions, check-ins, reviews, queued and sent mail (the weekly overviews
// its two people were sent included, since they name the partner), and
// the raw copies of the mail its people sent. People who are in no other
// partnership are erased too. The inbound log keeps an anonymous line per message (when,
// what became of it) so counts stay right; nothing in it names anyone.
func (s *Store) Forget(ctx context.Context, partnershipID int64) (Forgotten, error) {
	var out Forgotten
	err := s.InTx(ctx, func(tx *Tx) error {
		var people []int64
		if err := tx.selectAll(ctx, &people, qPartnershipPeople, partnershipID); err != nil {
			return fmt.Errorf("store: forget partnership %d: %w", partnershipID, err)
		}
		if len(people) == 0 {
			return fmt.Errorf("store: partnership %d: %w", partnershipID, ErrNotFound)
		}
		if _, err := tx.exec(ctx, qForgetInbound, partnershipID, partnershipID); err != nil {
			return fmt.Errorf("store: forget inbound mail of partnership %d: %w", partnershipID, err)
		}
		if _, err := tx.exec(ctx, qForgetOverviews, partnershipID); err != nil {
			return fmt.Errorf("store: forget the weekly overviews of partnership %d: %w", partnershipID, err)
		}
		if _, err := tx.exec(ctx, qDeletePartnership, partnershipID); err != nil {
			return fmt.Errorf("store: forget partnership %d: %w", partnershipID, err)
		}
		for _, id := range people {
			var n int
			if err := tx.get(ctx, &n, qPersonInUse, id); err != nil {
				return fmt.Errorf("store: forget person %d: %w", id, err)
			}
			if n > 0 {
				out.Kept++
				continue
			}
			if _, err := tx.exec(ctx, qDeletePerson, id); err != nil {
				return fmt.Errorf("store: forget person %d: %w", id, err)
			}
			out.People++
		}
		return nil
	})
	return out, err
}

// PurgeInbound drops the raw copy of inbound mail processed before the
// given time; the log line itself (outcome, hashes, size) stays. Mail not
// yet processed keeps its copy whatever its age. It returns how many
// copies were dropped.
func (s *Store) PurgeInbound(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, qPurgeInbound, ts(before))
		if err != nil {
			return fmt.Errorf("store: purge inbound mail: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// KindPurge is the daily job that drops raw inbound mail past retention.
const KindPurge = "purge-inbound"

type purgePayload struct {
	RetentionDays int `json:"retention_days"`
}

// SchedulePurge makes sure a purge job is queued for the next run: at
// once if the last one is more than a day ago, then once a day. The
// dedupe key is the day, so several instances queue it once.
func (s *Store) SchedulePurge(ctx context.Context, retentionDays int, at time.Time) error {
	payload, _ := json.Marshal(purgePayload{RetentionDays: retentionDays})
	return s.scheduleDaily(ctx, KindPurge, payload, at)
}

// scheduleDaily makes sure a job of a daily kind is queued for the day of
// at. The dedupe key is the day, so several instances starting on one day
// queue one job between them.
func (s *Store) scheduleDaily(ctx context.Context, kind string, payload []byte, at time.Time) error {
	_, _, err := s.Enqueue(ctx, NewJob{
		Kind:      kind,
		DedupeKey: kind + ":" + at.UTC().Format(time.DateOnly),
		Payload:   payload,
		RunAt:     at,
	})
	return err
}

// Purge is the handler of KindPurge jobs: it drops raw mail older than the
// retention and queues tomorrow's run.
func (s *Store) Purge(ctx context.Context, j Job) error {
	var p purgePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.RetentionDays < 1 {
		return Permanent(errors.New("store: purge job without a retention"))
	}
	now := s.clock.Now()
	n, err := s.PurgeInbound(ctx, now.Add(-time.Duration(p.RetentionDays)*24*time.Hour))
	if err != nil {
		return err
	}
	s.log.Info("dropped raw inbound mail past retention", "messages", n, "retention_days", p.RetentionDays)
	var links int64
	if err := s.InTx(ctx, func(tx *Tx) (err error) {
		links, err = tx.purgeLinks(ctx, now)
		return err
	}); err != nil {
		return err
	}
	if links > 0 {
		s.log.Info("dropped expired agreement links", "links", links)
	}
	return s.SchedulePurge(ctx, p.RetentionDays, now.Add(24*time.Hour))
}
