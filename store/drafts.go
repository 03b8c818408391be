package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"accord/conversation"
)

// A partnership's drafting round is kept as one row per round, the JSON of
// conversation.Draft: the domain owns its shape, and a round is read and
// written whole. Earlier rounds stay, so what each mail showed can be told
// later; the latest round is the live one.

var (
	qSaveDraft = query(`INSERT INTO agreement_drafts (partnership_id, review, round, body, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (partnership_id, review, round) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`)
	qLatestDraft = query(`SELECT body FROM agreement_drafts WHERE partnership_id = ? ORDER BY review DESC, round DESC LIMIT 1`)
)

// SaveDraft stores d as its round of the partnership's draft (that of
// version 1, or of the review d.Review), replacing what was stored for
// that round.
func (t *Tx) SaveDraft(ctx context.Context, partnershipID int64, d *conversation.Draft) error {
	if d == nil {
		return fmt.Errorf("store: save draft of partnership %d: no draft", partnershipID)
	}
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("store: encode draft round %d of partnership %d: %w", d.Round, partnershipID, err)
	}
	return t.saveDraftBody(ctx, partnershipID, d, body)
}

// saveDraftBody stores body, the JSON of d.
func (t *Tx) saveDraftBody(ctx context.Context, partnershipID int64, d *conversation.Draft, body []byte) error {
	now := ts(t.Now())
	if _, err := t.exec(ctx, qSaveDraft, partnershipID, d.Review, d.Round, string(body), now, now); err != nil {
		return fmt.Errorf("store: save draft round %d of partnership %d: %w", d.Round, partnershipID, err)
	}
	return nil
}

// LatestDraft returns the partnership's draft in its latest round, or
// ErrNotFound when drafting has not begun.
func (t *Tx) LatestDraft(ctx context.Context, partnershipID int64) (*conversation.Draft, error) {
	var body string
	err := t.get(ctx, &body, qLatestDraft, partnershipID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: draft of partnership %d: %w", partnershipID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: load draft of partnership %d: %w", partnershipID, err)
	}
	var d conversation.Draft
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("store: decode draft of partnership %d: %w", partnershipID, err)
	}
	return &d, nil
}

// SaveDraft stores a draft round in a transaction of its own.
func (s *Store) SaveDraft(ctx context.Context, partnershipID int64, d *conversation.Draft) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.SaveDraft(ctx, partnershipID, d) })
}

// LatestDraft reads the partnership's latest draft round in a transaction
// of its own; see [Tx.LatestDraft].
func (s *Store) LatestDraft(ctx context.Context, partnershipID int64) (d *conversation.Draft, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		d, err = tx.LatestDraft(ctx, partnershipID)
		return err
	})
	return d, err
}

// needsDraft reports whether an operation on p may need its draft: while
// the two draft version 1, and while a version that went out unsigned
// waits for a signature.
func needsDraft(p *conversation.Partnership) bool {
	if p.Status == conversation.StatusDrafting {
		return true
	}
	ag := p.LatestAgreement()
	return ag != nil && len(ag.Signatures) > 0 && !ag.Signed()
}

// saveDrafts stores the rounds an operation ended and the live round when
// it changed from what was loaded (loaded, its JSON).
func (t *Tx) saveDrafts(ctx context.Context, p *conversation.Partnership, loaded string) error {
	for _, d := range p.EndedRounds {
		if err := t.SaveDraft(ctx, p.ID, d); err != nil {
			return err
		}
	}
	p.EndedRounds = nil
	if p.Draft == nil {
		return nil
	}
	body, err := json.Marshal(p.Draft)
	if err != nil {
		return fmt.Errorf("store: encode draft of partnership %d: %w", p.ID, err)
	}
	if string(body) == loaded {
		return nil
	}
	return t.saveDraftBody(ctx, p.ID, p.Draft, body)
}
