package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"accord/conversation"
)

var (
	qLoadReviews = query(`SELECT id, number, due_on, start_position, questions, opened_at, closed_at, partial
		FROM reviews WHERE partnership_id = ? ORDER BY number`)
	qInsertReview = query(`INSERT INTO reviews (partnership_id, number, due_on, start_position, questions, opened_at, closed_at, partial)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qCloseReview       = query(`UPDATE reviews SET closed_at = ?, partial = ? WHERE id = ?`)
	qClaimPeriodicMail = query(`INSERT INTO periodic_mail (partnership_id, participant_id, kind, period_key, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
)

type reviewRow struct {
	ID        int64        `db:"id"`
	Number    int          `db:"number"`
	DueOn     string       `db:"due_on"`
	Start     int          `db:"start_position"`
	Questions []byte       `db:"questions"`
	OpenedAt  time.Time    `db:"opened_at"`
	ClosedAt  sql.NullTime `db:"closed_at"`
	Partial   bool         `db:"partial"`
}

// reviewState is the part of a review a save may change.
type reviewState struct {
	closedAt time.Time
	partial  bool
}

// loadReviews reads a partnership's reviews, oldest first.
func (tx *Tx) loadReviews(ctx context.Context, p *conversation.Partnership) (map[int64]reviewState, error) {
	var rows []reviewRow
	if err := tx.selectAll(ctx, &rows, qLoadReviews, p.ID); err != nil {
		return nil, fmt.Errorf("store: load reviews of %d: %w", p.ID, err)
	}
	snap := make(map[int64]reviewState, len(rows))
	for _, r := range rows {
		due, err := conversation.ParseDate(r.DueOn)
		if err != nil {
			return nil, fmt.Errorf("store: review %d of partnership %d: %w", r.Number, p.ID, err)
		}
		rv := &conversation.Review{
			ID: r.ID, Number: r.Number, Due: due, Start: r.Start,
			OpenedAt: r.OpenedAt.UTC(), ClosedAt: fromNull(r.ClosedAt), Partial: r.Partial,
		}
		if err := json.Unmarshal(r.Questions, &rv.Questions); err != nil {
			return nil, fmt.Errorf("store: questions of review %d of partnership %d: %w", r.Number, p.ID, err)
		}
		p.Reviews = append(p.Reviews, rv)
		snap[rv.ID] = reviewState{rv.ClosedAt, rv.Partial}
	}
	return snap, nil
}

// saveReviews writes new reviews and the closing of open ones.
func (tx *Tx) saveReviews(ctx context.Context, p *conversation.Partnership, snap map[int64]reviewState) error {
	for _, r := range p.Reviews {
		if r.ID == 0 {
			qs, err := json.Marshal(r.Questions)
			if err != nil {
				return fmt.Errorf("store: encode review questions: %w", err)
			}
			if err := tx.get(ctx, &r.ID, qInsertReview, p.ID, r.Number, r.Due.String(), r.Start, string(qs),
				ts(r.OpenedAt), ts(r.ClosedAt), r.Partial); err != nil {
				return fmt.Errorf("store: save review %d of partnership %d: %w", r.Number, p.ID, err)
			}
			continue
		}
		if st := (reviewState{r.ClosedAt, r.Partial}); st != snap[r.ID] {
			if _, err := tx.exec(ctx, qCloseReview, ts(r.ClosedAt), r.Partial, r.ID); err != nil {
				return fmt.Errorf("store: close review %d of partnership %d: %w", r.Number, p.ID, err)
			}
		}
	}
	return nil
}

// periodKey names the period a once-per-period message belongs to, or ""
// for messages that may repeat: the first mail of a review and a digest go
// out once per person and review.
func periodKey(m conversation.Message) string {
	if m.Review == nil || !(m.Kind == conversation.MsgReviewOpen && !m.Resent || m.Kind == conversation.MsgDigest) {
		return ""
	}
	return "review-" + strconv.Itoa(m.Review.Number)
}

// ErrDuplicatePeriodic means a once-per-period mail was about to go out a
// second time; the transaction that tried is rolled back.
var ErrDuplicatePeriodic = fmt.Errorf("store: a once-per-period mail was already sent")

// ClaimPeriodic records a once-per-period message, failing with
// ErrDuplicatePeriodic when it was recorded before.
func (tx *Tx) ClaimPeriodic(ctx context.Context, p *conversation.Partnership, m conversation.Message, now time.Time) error {
	key := periodKey(m)
	if key == "" {
		return nil
	}
	res, err := tx.exec(ctx, qClaimPeriodicMail, p.ID, m.To.ID, string(m.Kind), key, ts(now))
	if err != nil {
		return fmt.Errorf("store: record %s %s of partnership %d: %w", m.Kind, key, p.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("%w: %s %s to participant %d of partnership %d", ErrDuplicatePeriodic, m.Kind, key, m.To.ID, p.ID)
	}
	return nil
}
