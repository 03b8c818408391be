package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Outbox states.
const (
	OutboxQueued = "queued"
	OutboxSent   = "sent"
	OutboxFailed = "failed"
)

// NewOutbox is a rendered message to store for delivery.
type NewOutbox struct {
	PartnershipID int64 // 0 for mail outside any partnership
	ParticipantID int64 // 0 when the recipient is not a participant
	PromptID      int64 // the question the mail asks, if any
	Recipient     string
	Kind          string
	Thread        string
	MessageID     string
	Raw           []byte
	// Failed, when set, records the message as failed for this reason
	// without queuing it: it could not be rendered, or must not be sent.
	Failed string
}

// OutboxMessage is a stored outbound message.
type OutboxMessage struct {
	ID            int64         `db:"id"`
	PartnershipID sql.NullInt64 `db:"partnership_id"`
	ParticipantID sql.NullInt64 `db:"participant_id"`
	PromptID      sql.NullInt64 `db:"prompt_id"`
	Recipient     string        `db:"recipient"`
	Kind          string        `db:"kind"`
	Thread        string        `db:"thread"`
	MessageID     string        `db:"message_id"`
	Raw           []byte        `db:"raw"`
	State         string        `db:"state"`
	Attempts      int           `db:"attempts"`
	LastError     string        `db:"last_error"`
	SMTPReply     string        `db:"smtp_reply"`
	CreatedAt     time.Time     `db:"created_at"`
	FinishedAt    sql.NullTime  `db:"finished_at"`
}

// outboxJob is the payload of a KindMail job.
type outboxJob struct {
	OutboxID int64 `json:"outbox_id"`
}

// MailJobOutboxID reads which outbox row a KindMail job delivers.
func MailJobOutboxID(j Job) (int64, error) {
	var p outboxJob
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.OutboxID == 0 {
		return 0, fmt.Errorf("store: mail job %d names no outbox message", j.ID)
	}
	return p.OutboxID, nil
}

const outboxColumns = `id, partnership_id, participant_id, prompt_id, recipient, kind, thread, message_id, raw, state, attempts, last_error, smtp_reply, created_at, finished_at`

var (
	qInsertOutbox = query(`INSERT INTO outbox (partnership_id, participant_id, prompt_id, recipient, kind, thread, message_id, raw, state, last_error, created_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qThreadRoot    = query(`SELECT message_id FROM outbox WHERE participant_id = ? AND thread = ? ORDER BY id LIMIT 1`)
	qThreadLatest  = query(`SELECT message_id FROM outbox WHERE participant_id = ? AND thread = ? ORDER BY id DESC LIMIT ?`)
	qOutboxByID    = query(`SELECT ` + outboxColumns + ` FROM outbox WHERE id = ?`)
	qOutboxByMsgID = query(`SELECT ` + outboxColumns + ` FROM outbox WHERE message_id = ?`)
	qOutboxSent    = query(`UPDATE outbox SET state = 'sent', smtp_reply = ?, finished_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'queued'`)
	qOutboxFailed  = query(`UPDATE outbox SET state = 'failed', last_error = ?, finished_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'queued'`)
	qOutboxAttempt = query(`UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'queued'`)
	qOutboxCounts  = query(`SELECT state, COUNT(*) AS n FROM outbox WHERE partnership_id = ? GROUP BY state`)
	qLastFailure   = query(`SELECT recipient, last_error, finished_at FROM outbox WHERE partnership_id = ? AND state = 'failed' ORDER BY id DESC LIMIT 1`)
)

// AddOutbox stores a rendered message and, unless it is recorded as failed,
// queues its delivery, all inside the transaction.
func (t *Tx) AddOutbox(ctx context.Context, m NewOutbox) (int64, error) {
	now := t.s.clock.Now()
	state, finished := OutboxQueued, time.Time{}
	if m.Failed != "" {
		state, finished = OutboxFailed, now
	}
	var id int64
	if err := t.get(ctx, &id, qInsertOutbox, nullID(m.PartnershipID), nullID(m.ParticipantID), nullID(m.PromptID), m.Recipient, m.Kind, m.Thread,
		m.MessageID, m.Raw, state, m.Failed, ts(now), ts(finished)); err != nil {
		return 0, fmt.Errorf("store: save outbound %s to %s: %w", m.Kind, m.Recipient, err)
	}
	if m.Failed != "" {
		return id, nil
	}
	payload, _ := json.Marshal(outboxJob{OutboxID: id})
	// The give-up period, not an attempt count, ends retries of mail.
	if _, _, err := t.Enqueue(ctx, NewJob{Kind: KindMail, PartnershipID: m.PartnershipID, Payload: payload, RunAt: now, MaxAttempts: 1000}); err != nil {
		return 0, err
	}
	return id, nil
}

// ThreadLength is how many of a thread's Message-IDs ThreadIDs returns at
// most: its first and its latest, which is all References needs.
const ThreadLength = 12

// ThreadIDs lists, oldest first, the first and the latest Message-IDs
// already stored for a participant's thread, at most ThreadLength of them
// however long the thread.
func (t *Tx) ThreadIDs(ctx context.Context, participantID int64, thread string) ([]string, error) {
	var root, latest []string
	if err := t.selectAll(ctx, &root, qThreadRoot, participantID, thread); err != nil {
		return nil, fmt.Errorf("store: thread %s of participant %d: %w", thread, participantID, err)
	}
	if err := t.selectAll(ctx, &latest, qThreadLatest, participantID, thread, ThreadLength-1); err != nil {
		return nil, fmt.Errorf("store: thread %s of participant %d: %w", thread, participantID, err)
	}
	slices.Reverse(latest)
	if len(root) == 1 && (len(latest) == 0 || latest[0] != root[0]) {
		latest = append(root, latest...)
	}
	return latest, nil
}

// Outbox reads one stored message.
func (s *Store) Outbox(ctx context.Context, id int64) (OutboxMessage, error) {
	return s.outboxBy(ctx, qOutboxByID, id)
}

// OutboxByMessageID finds a stored message by its Message-ID.
func (s *Store) OutboxByMessageID(ctx context.Context, messageID string) (OutboxMessage, error) {
	return s.outboxBy(ctx, qOutboxByMsgID, messageID)
}

func (s *Store) outboxBy(ctx context.Context, q *Query, arg any) (OutboxMessage, error) {
	var m OutboxMessage
	err := s.get(ctx, &m, q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return OutboxMessage{}, fmt.Errorf("store: outbound message %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("store: outbound message %v: %w", arg, err)
	}
	return m, nil
}

// MarkSent records a delivered message with the server's reply.
func (s *Store) MarkSent(ctx context.Context, id int64, reply string) error {
	_, err := s.exec(ctx, qOutboxSent, reply, ts(s.clock.Now()), id)
	return wrapOutbox(id, err)
}

// MarkFailed records that a message will not be delivered, and why.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.exec(ctx, qOutboxFailed, reason, ts(s.clock.Now()), id)
	return wrapOutbox(id, err)
}

// NoteAttempt records a failed attempt that will be retried.
func (s *Store) NoteAttempt(ctx context.Context, id int64, reason string) error {
	_, err := s.exec(ctx, qOutboxAttempt, reason, id)
	return wrapOutbox(id, err)
}

func wrapOutbox(id int64, err error) error {
	if err != nil {
		return fmt.Errorf("store: outbound message %d: %w", id, err)
	}
	return nil
}

// MailCounts is how a partnership's mail stands.
type MailCounts struct {
	Queued, Sent, Failed int
	// LastFailure describes the newest failed message, if any.
	LastFailure string
}

// MailCounts counts a partnership's outbound mail by state.
func (s *Store) MailCounts(ctx context.Context, partnershipID int64) (MailCounts, error) {
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.selectAll(ctx, &rows, qOutboxCounts, partnershipID); err != nil {
		return MailCounts{}, fmt.Errorf("store: count mail of %d: %w", partnershipID, err)
	}
	var c MailCounts
	for _, r := range rows {
		switch r.State {
		case OutboxQueued:
			c.Queued = r.N
		case OutboxSent:
			c.Sent = r.N
		case OutboxFailed:
			c.Failed = r.N
		}
	}
	if c.Failed > 0 {
		var f struct {
			Recipient  string       `db:"recipient"`
			LastError  string       `db:"last_error"`
			FinishedAt sql.NullTime `db:"finished_at"`
		}
		if err := s.get(ctx, &f, qLastFailure, partnershipID); err != nil {
			return MailCounts{}, fmt.Errorf("store: last failed mail of %d: %w", partnershipID, err)
		}
		c.LastFailure = fmt.Sprintf("to %s on %s: %s", f.Recipient, fromNull(f.FinishedAt).Format("2006-01-02 15:04 MST"), f.LastError)
	}
	return c, nil
}

// Bounce is an address's delivery trouble.
type Bounce struct {
	HardBounces int          `db:"hard_bounces"`
	Since       sql.NullTime `db:"bouncing_since"`
	Last        string       `db:"last_bounce"`
}

// Bouncing reports whether no more mail may go to the address.
func (b Bounce) Bouncing() bool { return b.Since.Valid }

var (
	qRecordBounce = query(`UPDATE people SET hard_bounces = hard_bounces + 1, last_bounce = ?,
		bouncing_since = CASE WHEN bouncing_since IS NULL AND hard_bounces + 1 >= ? THEN ? ELSE bouncing_since END
		WHERE email = ? RETURNING hard_bounces, bouncing_since, last_bounce`)
	qBounceOf    = query(`SELECT hard_bounces, bouncing_since, last_bounce FROM people WHERE email = ?`)
	qClearBounce = query(`UPDATE people SET hard_bounces = 0, bouncing_since = NULL, last_bounce = '' WHERE email = ?`)
)

// RecordHardBounce counts a permanent delivery failure to an address that
// belongs to a person; after threshold of them the address is bouncing.
// Addresses of nobody enrolled are ignored.
func (s *Store) RecordHardBounce(ctx context.Context, email, reason string, threshold int) (Bounce, error) {
	var b Bounce
	err := s.get(ctx, &b, qRecordBounce, reason, threshold, ts(s.clock.Now()), normalEmail(email))
	if errors.Is(err, sql.ErrNoRows) {
		return Bounce{}, nil
	}
	if err != nil {
		return Bounce{}, fmt.Errorf("store: record bounce for %s: %w", email, err)
	}
	return b, nil
}

// BounceOf reads an address's delivery trouble; unknown addresses have none.
func (s *Store) BounceOf(ctx context.Context, email string) (Bounce, error) {
	var b Bounce
	err := s.get(ctx, &b, qBounceOf, normalEmail(email))
	if errors.Is(err, sql.ErrNoRows) {
		return Bounce{}, nil
	}
	if err != nil {
		return Bounce{}, fmt.Errorf("store: bounce state of %s: %w", email, err)
	}
	return b, nil
}

// ClearBounce lets mail go to an address again after it was fixed.
func (s *Store) ClearBounce(ctx context.Context, email string) error {
	res, err := s.exec(ctx, qClearBounce, normalEmail(email))
	if err != nil {
		return fmt.Errorf("store: clear bounce of %s: %w", email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: %s: %w", email, ErrNotFound)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
