package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	// CauseInbound is the inbound message whose handling queued this mail;
	// zero takes it from the context (see [WithCause]), where the inbound
	// processor puts it. Such mail counts against the recipient's budget.
	CauseInbound int64
	// Notice marks mail that only tells a correspondent something about
	// their mail (help, could not read, unknown sender…): it has a smaller
	// budget of its own.
	Notice bool
	// Once, when set, is the key of mail that goes out at most once (one
	// person's weekly overview of one week): a second mail with the same
	// key is not stored, and AddOutbox returns ErrQueuedBefore.
	Once string
}

// ErrQueuedBefore means a mail with the same once key (see
// [NewOutbox.Once]) was queued before, so nothing was added. The
// transaction is not spoiled and may go on.
var ErrQueuedBefore = errors.New("store: this mail was queued before")

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
	// BounceToken names the message in its envelope sender, so that a
	// delivery report can be matched to it; empty for rows from before.
	BounceToken sql.NullString `db:"bounce_token"`
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

const outboxColumns = `id, partnership_id, participant_id, prompt_id, recipient, kind, thread, message_id, raw, state, attempts, last_error, smtp_reply, created_at, finished_at, bounce_token`

var (
	qInsertOutbox = query(`INSERT INTO outbox (partnership_id, participant_id, prompt_id, recipient, kind, thread, message_id, raw, state, last_error,
			created_at, finished_at, bounce_token, cause_inbound, notice, once_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (once_key) DO NOTHING RETURNING id`)
	qOutboxByBounce = query(`SELECT ` + outboxColumns + ` FROM outbox WHERE bounce_token = ?`)
	qOutboxBounced  = query(`UPDATE outbox SET state = 'failed', last_error = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ? AND state <> 'failed'`)
	// The budget counts at most limit rows, however many a loop made.
	qCausedMail = query(`SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE recipient = ? AND cause_inbound IS NOT NULL AND created_at > ?
			AND (notice OR NOT CAST(? AS BOOLEAN)) LIMIT ?) AS recent`)
	// A thread's first message and its latest, oldest first, in one query.
	qThread = query(`SELECT message_id FROM (
			SELECT id, message_id FROM (SELECT id, message_id FROM outbox WHERE participant_id = ? AND thread = ? ORDER BY id LIMIT 1) AS root
			UNION
			SELECT id, message_id FROM (SELECT id, message_id FROM outbox WHERE participant_id = ? AND thread = ? ORDER BY id DESC LIMIT ?) AS latest
		) AS thread ORDER BY id`)
	qOutboxByID    = query(`SELECT ` + outboxColumns + ` FROM outbox WHERE id = ?`)
	qOutboxByMsgID = query(`SELECT ` + outboxColumns + ` FROM outbox WHERE message_id = ?`)
	qOutboxSent    = query(`UPDATE outbox SET state = 'sent', smtp_reply = ?, finished_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'queued'`)
	qOutboxFailed  = query(`UPDATE outbox SET state = 'failed', last_error = ?, finished_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'queued'`)
	qOutboxAttempt = query(`UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'queued'`)
	qOutboxWaiting = query(`UPDATE outbox SET last_error = ? WHERE id = ? AND state = 'queued'`)
	qOutboxCounts  = query(`SELECT state, COUNT(*) AS n FROM outbox WHERE partnership_id = ? GROUP BY state`)
	qLastFailure   = query(`SELECT recipient, last_error, finished_at FROM outbox WHERE partnership_id = ? AND state = 'failed' ORDER BY id DESC LIMIT 1`)
)

// AddOutbox stores a rendered message and, unless it is recorded as failed,
// queues its delivery, all inside the transaction. Mail caused by an
// inbound message that would go over the recipient's budget is recorded as
// failed, with the reason, instead of queued. Mail whose once key was used
// before is not stored at all: [ErrQueuedBefore].
func (t *Tx) AddOutbox(ctx context.Context, m NewOutbox) (int64, error) {
	now := t.s.clock.Now()
	if m.CauseInbound == 0 {
		m.CauseInbound = causeOf(ctx)
	}
	if m.CauseInbound != 0 && m.Failed == "" {
		over, err := t.overBudget(ctx, m, now)
		if err != nil {
			return 0, err
		}
		if over != "" {
			m.Failed, m.Raw = over, []byte{}
		}
	}
	token, err := newToken(t.s.random)
	if err != nil {
		return 0, err
	}
	state, finished := OutboxQueued, time.Time{}
	if m.Failed != "" {
		state, finished = OutboxFailed, now
	}
	var once any
	if m.Once != "" {
		once = m.Once
	}
	var id int64
	err = t.get(ctx, &id, qInsertOutbox, nullID(m.PartnershipID), nullID(m.ParticipantID), nullID(m.PromptID), m.Recipient, m.Kind, m.Thread,
		m.MessageID, t.s.packRaw(m.Raw), state, m.Failed, ts(now), ts(finished), token, nullID(m.CauseInbound), m.Notice, once)
	if errors.Is(err, sql.ErrNoRows) && m.Once != "" {
		return 0, fmt.Errorf("%w: %s to %s (%s)", ErrQueuedBefore, m.Kind, m.Recipient, m.Once)
	}
	if err != nil {
		return 0, fmt.Errorf("store: save outbound %s to %s: %w", m.Kind, m.Recipient, err)
	}
	if m.Failed != "" {
		return id, nil
	}
	payload, _ := json.Marshal(outboxJob{OutboxID: id})
	// The give-up period, not an attempt count, ends retries of mail.
	job := NewJob{Kind: KindMail, PartnershipID: m.PartnershipID, Payload: payload, RunAt: now, MaxAttempts: 1000}
	h := t.s.currentHandoff()
	if h != nil && t.clear[normalEmail(m.Recipient)] && h.Reserve() {
		handed := OutboxMessage{ID: id, Recipient: m.Recipient, Kind: m.Kind, Thread: m.Thread, MessageID: m.MessageID, Raw: m.Raw,
			State: OutboxQueued, CreatedAt: now.UTC().Truncate(time.Microsecond), BounceToken: sql.NullString{String: token, Valid: true}}
		handed.PartnershipID = sql.NullInt64{Int64: m.PartnershipID, Valid: m.PartnershipID != 0}
		handed.ParticipantID = sql.NullInt64{Int64: m.ParticipantID, Valid: m.ParticipantID != 0}
		handed.PromptID = sql.NullInt64{Int64: m.PromptID, Valid: m.PromptID != 0}
		return id, t.handOver(ctx, h, handed, job, now)
	}
	if h != nil {
		t.queuedAfterCommit(h)
	}
	if err := t.enqueueLater(ctx, job); err != nil {
		return 0, err
	}
	return id, nil
}

// MailBudget bounds the mail Accord sends to one address because mail came
// in, over any 24 hours: an auto-responder that answers everything, with
// words that change each time, then gets no more mail than a person who
// answers every question in one day, and a handful of notices.
type MailBudget struct {
	// PerDay is the most mail caused by inbound mail that goes to one
	// address in 24 hours; default 24.
	PerDay int
	// NoticesPerDay is the most of it that are notices (help, could not
	// read, unknown sender…); default 4.
	NoticesPerDay int
	// OnSpent, when set, hears of each mail not sent because the budget
	// is spent.
	OnSpent func(recipient, kind string)
}

func (b MailBudget) withDefaults() MailBudget {
	if b.PerDay == 0 {
		b.PerDay = 24
	}
	if b.NoticesPerDay == 0 {
		b.NoticesPerDay = 4
	}
	return b
}

type causeKey struct{}

// WithCause marks the mail queued under ctx as caused by an inbound
// message, so it counts against the recipient's [MailBudget].
func WithCause(ctx context.Context, inboundID int64) context.Context {
	return context.WithValue(ctx, causeKey{}, inboundID)
}

func causeOf(ctx context.Context) int64 {
	id, _ := ctx.Value(causeKey{}).(int64)
	return id
}

// overBudget says why caused mail must not go out, or "" when it may.
func (t *Tx) overBudget(ctx context.Context, m NewOutbox, now time.Time) (string, error) {
	b := t.s.budget
	since := t.budgetSince(now)
	var n int
	if err := t.get(ctx, &n, qCausedMail, normalEmail(m.Recipient), since, false, b.PerDay); err != nil {
		return "", fmt.Errorf("store: mail budget of %s: %w", m.Recipient, err)
	}
	limit, what := b.PerDay, "mails"
	if n < b.PerDay && m.Notice {
		if err := t.get(ctx, &n, qCausedMail, normalEmail(m.Recipient), since, true, b.NoticesPerDay); err != nil {
			return "", fmt.Errorf("store: notice budget of %s: %w", m.Recipient, err)
		}
		limit, what = b.NoticesPerDay, "notices"
	}
	if n < limit {
		return "", nil
	}
	first, err := t.FirstNoticeToday(ctx, m.Recipient, "budget-spent")
	if err != nil {
		return "", err
	}
	if first {
		t.s.log.Warn("mail budget spent: mail caused by inbound mail is not sent to this address until its 24 hours have passed",
			"recipient", m.Recipient, "limit", limit, "what", what)
	}
	if b.OnSpent != nil {
		b.OnSpent(m.Recipient, m.Kind)
	}
	return fmt.Sprintf("not sent: %d %s went to this address in 24 hours because of mail that came in, the most allowed", limit, what), nil
}

// budgetSince is where the 24 hours of the mail budget start, the same
// for the whole transaction, so that its reads can be fetched ahead.
func (t *Tx) budgetSince(now time.Time) any {
	if t.since.IsZero() {
		t.since = now.Add(-24 * time.Hour)
	}
	return ts(t.since)
}

// MailPlan is a message a dispatcher is about to store: whom it goes to,
// in which thread.
type MailPlan struct {
	ParticipantID int64
	Thread        string
	Recipient     string
	Notice        bool
}

// PrefetchDispatch reads ahead, in one round trip on PostgreSQL together
// with the writes queued so far, what storing the planned messages asks
// first: each thread's Message-IDs and each recipient's mail budget.
func (t *Tx) PrefetchDispatch(ctx context.Context, plans []MailPlan) error {
	var reads []read
	seen := map[string]bool{}
	add := func(key string, r read) {
		if !seen[key] {
			seen[key] = true
			reads = append(reads, r)
		}
	}
	caused := causeOf(ctx) != 0
	b := t.s.budget
	for _, m := range plans {
		add(fmt.Sprint("thread", m.ParticipantID, m.Thread), fetch(qThread, m.ParticipantID, m.Thread, m.ParticipantID, m.Thread, ThreadLength-1))
		if caused {
			since := t.budgetSince(t.s.clock.Now())
			add("budget"+normalEmail(m.Recipient), fetch(qCausedMail, normalEmail(m.Recipient), since, false, b.PerDay))
			if m.Notice {
				add("notices"+normalEmail(m.Recipient), fetch(qCausedMail, normalEmail(m.Recipient), since, true, b.NoticesPerDay))
			}
		}
	}
	return t.prefetch(ctx, reads...)
}

// ThreadLength is how many of a thread's Message-IDs ThreadIDs returns at
// most: its first and its latest, which is all References needs.
const ThreadLength = 12

// ThreadIDs lists, oldest first, the first and the latest Message-IDs
// already stored for a participant's thread, at most ThreadLength of them
// however long the thread.
func (t *Tx) ThreadIDs(ctx context.Context, participantID int64, thread string) ([]string, error) {
	var ids []string
	if err := t.selectAll(ctx, &ids, qThread, participantID, thread, participantID, thread, ThreadLength-1); err != nil {
		return nil, fmt.Errorf("store: thread %s of participant %d: %w", thread, participantID, err)
	}
	return ids, nil
}

// Outbox reads one stored message.
func (s *Store) Outbox(ctx context.Context, id int64) (OutboxMessage, error) {
	return s.outboxBy(ctx, qOutboxByID, id)
}

// OutboxByMessageID finds a stored message by its Message-ID.
func (s *Store) OutboxByMessageID(ctx context.Context, messageID string) (OutboxMessage, error) {
	return s.outboxBy(ctx, qOutboxByMsgID, messageID)
}

// OutboxByMessageID is [Store.OutboxByMessageID] inside the transaction.
func (t *Tx) OutboxByMessageID(ctx context.Context, messageID string) (OutboxMessage, error) {
	return outboxBy(ctx, t, qOutboxByMsgID, messageID)
}

func (s *Store) outboxBy(ctx context.Context, q *Query, arg any) (OutboxMessage, error) {
	return outboxBy(ctx, s, q, arg)
}

func outboxBy(ctx context.Context, s querier, q *Query, arg any) (OutboxMessage, error) {
	var m OutboxMessage
	err := s.get(ctx, &m, q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return OutboxMessage{}, fmt.Errorf("store: outbound message %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("store: outbound message %v: %w", arg, err)
	}
	if m.Raw, err = unpackRaw(m.Raw); err != nil {
		return OutboxMessage{}, fmt.Errorf("store: outbound message %v: %w", arg, err)
	}
	return m, nil
}

// OutboxByBounceToken finds the message a delivery report's envelope
// address names.
func (s *Store) OutboxByBounceToken(ctx context.Context, token string) (OutboxMessage, error) {
	return s.outboxBy(ctx, qOutboxByBounce, strings.ToLower(token))
}

// MarkBounced records that a message the server accepted was reported
// undeliverable afterwards.
func (s *Store) MarkBounced(ctx context.Context, id int64, reason string) error {
	_, err := s.exec(ctx, qOutboxBounced, reason, ts(s.clock.Now()), id)
	return wrapOutbox(id, err)
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

// NoteWaiting records why a message waits without counting an attempt: the
// server could not be reached, which is no fault of the message.
func (s *Store) NoteWaiting(ctx context.Context, id int64, reason string) error {
	_, err := s.exec(ctx, qOutboxWaiting, reason, id)
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
