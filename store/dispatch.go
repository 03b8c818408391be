package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"accord/conversation"
	"accord/internal/apply"
)

// Dispatcher turns the messages of one state change into durable work inside
// the transaction that saves the change, so both commit or neither does.
type Dispatcher interface {
	Dispatch(ctx context.Context, tx *Tx, p *conversation.Partnership, out []apply.Outgoing) error
}

// KindMail is the job kind that delivers one outbound message.
const KindMail = "mail"

// KindWake is the job kind that wakes a partnership at its next due time.
const KindWake = "wake"

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newToken returns 128 random bits as 26 lowercase base32 characters: safe
// in the local part of an address, which some servers fold to lowercase.
func newToken(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("store: reply token: %w", err)
	}
	return strings.ToLower(tokenEncoding.EncodeToString(b)), nil
}

// HashToken is what the database keeps of a reply token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(token))))
	return hex.EncodeToString(sum[:])
}

var qInsertToken = query(`INSERT INTO reply_tokens (token_hash, prompt_id, participant_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`)

// MintReplyToken creates and records a reply token for a prompt.
func (t *Tx) MintReplyToken(ctx context.Context, promptID, participantID int64, now time.Time) (string, error) {
	return t.recordToken(ctx, now, "reply token", func(hash string, expires time.Time) (*Query, []any) {
		return qInsertToken, []any{hash, promptID, participantID, ts(now), ts(expires)}
	})
}

var qInsertCheckinToken = query(`INSERT INTO checkin_tokens (token_hash, participant_id, occurrence_id, purpose, created_at, expires_at)
	VALUES (?, ?, ?, ?, ?, ?)`)

// MintCheckinToken creates and records a reply token for check-in mail:
// the schedule question, an invitation, or a meeting's prep or follow-up.
func (t *Tx) MintCheckinToken(ctx context.Context, participantID int64, o *conversation.Occurrence, purpose string, now time.Time) (string, error) {
	var occ any
	if o != nil && o.ID != 0 {
		occ = o.ID
	}
	return t.recordToken(ctx, now, "check-in reply token", func(hash string, expires time.Time) (*Query, []any) {
		return qInsertCheckinToken, []any{hash, participantID, occ, purpose, ts(now), ts(expires)}
	})
}

// recordToken draws a new token and stores its hash with the row insert
// builds, expiring after the configured time.
func (t *Tx) recordToken(ctx context.Context, now time.Time, what string, insert func(hash string, expires time.Time) (*Query, []any)) (string, error) {
	tok, err := newToken(t.s.random)
	if err != nil {
		return "", err
	}
	var expires time.Time
	if t.s.tokenTTL > 0 {
		expires = now.Add(t.s.tokenTTL)
	}
	q, args := insert(HashToken(tok), expires)
	if err := t.execLater(ctx, q, args...); err != nil {
		return "", fmt.Errorf("store: record %s: %w", what, err)
	}
	return tok, nil
}

// TokenTarget is what a reply token routes to.
type TokenTarget struct {
	PartnershipID int64  `db:"partnership_id"`
	ParticipantID int64  `db:"participant_id"`
	PromptID      int64  `db:"prompt_id"`
	QuestionID    string `db:"question_id"`
	// Purpose is the check-in mail a check-in token was minted for
	// (the message kind: schedule-ask, calendar, prep, follow-up…); empty
	// for a question's token.
	Purpose string `db:"purpose"`
	// Meeting is the meeting slot (RECURRENCE-ID) the check-in mail was
	// about, when it was about one.
	Meeting sql.NullTime `db:"meeting"`
	// Email is the participant's address: a reply must also come from it.
	Email     string       `db:"email"`
	ExpiresAt sql.NullTime `db:"expires_at"`
}

// ErrTokenExpired means the token was valid once but is too old to accept.
var ErrTokenExpired = errors.New("store: reply token expired")

var qResolveToken = query(`SELECT pr.partnership_id, rt.participant_id, rt.prompt_id, pr.question_id, '' AS purpose,
		NULL AS meeting, pe.email, rt.expires_at
	FROM reply_tokens rt
	JOIN prompts pr ON pr.id = rt.prompt_id
	JOIN participants pt ON pt.id = rt.participant_id
	JOIN people pe ON pe.id = pt.person_id
	WHERE rt.token_hash = ?`)

var qResolveCheckinToken = query(`SELECT pt.partnership_id, ct.participant_id, 0 AS prompt_id, '' AS question_id, ct.purpose,
		co.original_at AS meeting, pe.email, ct.expires_at
	FROM checkin_tokens ct
	JOIN participants pt ON pt.id = ct.participant_id
	JOIN people pe ON pe.id = pt.person_id
	LEFT JOIN checkin_occurrences co ON co.id = ct.occurrence_id
	WHERE ct.token_hash = ?`)

// ResolveToken finds the prompt (or the check-in mail) and person a reply
// token was minted for. Unknown tokens are ErrNotFound, old ones
// ErrTokenExpired.
func (s *Store) ResolveToken(ctx context.Context, token string) (TokenTarget, error) {
	return resolveToken(ctx, s, s.clock.Now(), token)
}

// ResolveToken is [Store.ResolveToken] inside the transaction.
func (t *Tx) ResolveToken(ctx context.Context, token string) (TokenTarget, error) {
	return resolveToken(ctx, t, t.s.clock.Now(), token)
}

func resolveToken(ctx context.Context, q querier, now time.Time, token string) (TokenTarget, error) {
	var t TokenTarget
	err := q.get(ctx, &t, qResolveToken, HashToken(token))
	if errors.Is(err, sql.ErrNoRows) {
		err = q.get(ctx, &t, qResolveCheckinToken, HashToken(token))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return TokenTarget{}, fmt.Errorf("store: reply token: %w", ErrNotFound)
	}
	if err != nil {
		return TokenTarget{}, fmt.Errorf("store: reply token: %w", err)
	}
	if t.ExpiresAt.Valid && !now.Before(t.ExpiresAt.Time) {
		return TokenTarget{}, ErrTokenExpired
	}
	return t, nil
}

// PrefetchRoute reads ahead, in one round trip on PostgreSQL, what routing
// a reply asks first: whether its Message-ID is one of ours, and what each
// of its reply tokens names.
func (t *Tx) PrefetchRoute(ctx context.Context, messageID string, tokens []string) error {
	reads := []read{fetch(qIsOurs, messageID)}
	for _, tok := range tokens {
		reads = append(reads, fetch(qResolveToken, HashToken(tok)), fetch(qResolveCheckinToken, HashToken(tok)))
	}
	return t.prefetch(ctx, reads...)
}

var qIsOurs = query(`SELECT COUNT(*) FROM outbox WHERE message_id = ?`)

// IsOurs reports whether a Message-ID is one Accord gave a message it
// stored to send.
func (t *Tx) IsOurs(ctx context.Context, messageID string) (bool, error) {
	var n int
	if err := t.get(ctx, &n, qIsOurs, messageID); err != nil {
		return false, fmt.Errorf("store: is %s ours: %w", messageID, err)
	}
	return n > 0, nil
}
