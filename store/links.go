package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// An agreement link opens a read-only page of a person's agreement and its
// history. Its token is as unguessable as a reply token and kept only as a
// hash; it expires after Options.LinkTTL, and forgetting the partnership
// takes its links with it.

var (
	qInsertLink  = query(`INSERT INTO agreement_links (token_hash, participant_id, created_at, expires_at) VALUES (?, ?, ?, ?)`)
	qResolveLink = query(`SELECT pt.partnership_id, l.participant_id, l.expires_at
		FROM agreement_links l JOIN participants pt ON pt.id = l.participant_id
		WHERE l.token_hash = ?`)
	qPurgeLinks = query(`DELETE FROM agreement_links WHERE expires_at < ?`)
)

// LinkTarget is whose agreement page a link opens, and until when.
type LinkTarget struct {
	PartnershipID int64     `db:"partnership_id"`
	ParticipantID int64     `db:"participant_id"`
	ExpiresAt     time.Time `db:"expires_at"`
}

// MintLink implements [apply.Tx]: a link to the participant's agreement
// page, good for Options.LinkTTL; none when links are off.
func (t *Tx) MintLink(ctx context.Context, participantID int64, now time.Time) (string, time.Time, error) {
	if t.s.linkTTL <= 0 {
		return "", time.Time{}, nil
	}
	return t.mintLink(ctx, participantID, now)
}

// mintLink creates a link to the agreement page for a participant, good
// for the store's LinkTTL, and returns its token and expiry.
func (t *Tx) mintLink(ctx context.Context, participantID int64, now time.Time) (string, time.Time, error) {
	tok, err := newToken(t.s.random)
	if err != nil {
		return "", time.Time{}, err
	}
	expires := now.Add(t.s.linkTTL)
	if _, err := t.exec(ctx, qInsertLink, HashToken(tok), participantID, ts(now), ts(expires)); err != nil {
		return "", time.Time{}, fmt.Errorf("store: record an agreement link: %w", err)
	}
	return tok, expires, nil
}

// ResolveLink returns whose agreement page token opens: ErrNotFound for a
// token that was never issued (or was forgotten), ErrTokenExpired for one
// past its time.
func (s *Store) ResolveLink(ctx context.Context, token string) (LinkTarget, error) {
	var l LinkTarget
	err := s.get(ctx, &l, qResolveLink, HashToken(token))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return LinkTarget{}, fmt.Errorf("store: agreement link: %w", ErrNotFound)
	case err != nil:
		return LinkTarget{}, fmt.Errorf("store: agreement link: %w", err)
	case !s.clock.Now().Before(l.ExpiresAt):
		return LinkTarget{}, ErrTokenExpired
	}
	l.ExpiresAt = l.ExpiresAt.UTC()
	return l, nil
}

// purgeLinks drops links that expired before cutoff.
func (t *Tx) purgeLinks(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := t.exec(ctx, qPurgeLinks, ts(cutoff))
	if err != nil {
		return 0, fmt.Errorf("store: drop expired agreement links: %w", err)
	}
	return res.RowsAffected()
}
