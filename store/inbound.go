package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Inbound outcomes. Every fetched message ends in exactly one of the final
// ones; pending means a poller is (or was, before it died) working on it.
const (
	InboundPending = "pending"
	InboundAnswer  = "answer"
	InboundCommand = "command"
	// InboundHeld is a reply that read like a slip (a mistyped command,
	// a note about another question): nothing of it is kept and its
	// sender is asked what they meant.
	InboundHeld      = "held"
	InboundCalendar  = "calendar-reply"
	InboundAutoReply = "auto-reply"
	InboundBounce    = "bounce"
	// InboundUnmatchedBounce is a delivery report about no mail we sent
	// (forged, or about mail sent before reports could be matched): it
	// changes nothing.
	InboundUnmatchedBounce = "unmatched-bounce"
	InboundLoop            = "loop"
	InboundRejected        = "rejected"
	InboundUnreadable      = "unreadable"
	InboundTooLarge        = "too-large"
	InboundIgnored         = "ignored"
	InboundDuplicate       = "duplicate"
	InboundQuarantined     = "quarantined"
)

// InboundKey is where a message was fetched from.
type InboundKey struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
}

func (k InboundKey) String() string {
	return fmt.Sprintf("%s/%d/%d", k.Mailbox, k.UIDValidity, k.UID)
}

// NewInbound is a fetched message about to be processed.
type NewInbound struct {
	Key InboundKey
	// MessageKey identifies the message across mailboxes and UIDs: its
	// sender and Message-ID, or "content:" and a hash of its content
	// (sender included) without one. A stranger who reuses someone's
	// Message-ID thus gets a key of their own.
	MessageKey    string
	MessageID     string
	RawSHA256     string
	ContentSHA256 string
	Size          int64
	ReceivedAt    time.Time
	From          string
	Raw           []byte
}

// ClaimState says what a poller should do with a fetched message.
type ClaimState int

// The claim results.
const (
	// Claimed: the caller now holds the message and must process it.
	Claimed ClaimState = iota
	// Done: it already has a final outcome (an earlier run processed it
	// but did not get to mark it on the server); acknowledge it.
	Done
	// Busy: another poller holds it right now; leave it alone.
	Busy
	// Duplicate: the same message was already taken in under another UID;
	// it is recorded as such; acknowledge it.
	Duplicate
	// Quarantined: it failed too often and is set aside; acknowledge it
	// into the quarantine folder.
	Quarantined
)

// Claim is the result of [Store.ClaimInbound].
type Claim struct {
	State    ClaimState
	ID       int64
	Attempts int
	Outcome  string // the final outcome, for Done
	// By is the worker that decided a message that already has its final
	// outcome, and At when; By is empty for messages decided before
	// workers were recorded. Several pollers moving one message at once
	// can leave two copies of it in the destination folder, so the
	// decider moves it and others leave it for a while.
	By string
	At time.Time
}

var (
	qInsertInbound = query(`INSERT INTO inbound_log (mailbox, uid_validity, uid, message_key, message_id, raw_sha256, content_sha256,
			size, received_at, from_address, raw, outcome, attempts, locked_by, locked_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING id`)
	qInboundByKey = query(`SELECT id, outcome, attempts, locked_by, locked_until, processed_at FROM inbound_log
		WHERE mailbox = ? AND uid_validity = ? AND uid = ?`)
	qTakeOverInbound = query(`UPDATE inbound_log SET attempts = attempts + 1, locked_by = ?, locked_until = ?
		WHERE id = ? AND outcome = 'pending' AND (locked_until IS NULL OR locked_until <= ? OR locked_by = ?)
		RETURNING attempts`)
	qQuarantineInbound = query(`UPDATE inbound_log SET outcome = 'quarantined', detail = ?, processed_at = ?, locked_by = ?, locked_until = NULL
		WHERE id = ? AND outcome = 'pending'`)
	qPrimaryInbound = query(`SELECT id, content_sha256, outcome FROM inbound_log WHERE message_key = ? AND duplicate_of IS NULL`)
	// A primary that did not count as its sender's mail gives up its key,
	// which it keeps with its id appended.
	qDemoteInbound   = query(`UPDATE inbound_log SET message_key = message_key || ' #' || CAST(id AS TEXT) WHERE id = ? AND duplicate_of IS NULL`)
	qInsertDuplicate = query(`INSERT INTO inbound_log (mailbox, uid_validity, uid, message_key, message_id, raw_sha256, content_sha256,
			duplicate_of, size, received_at, from_address, raw, outcome, detail, attempts, locked_by, created_at, processed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING id`)
	// A finished message keeps the name of the worker that decided it:
	// that worker acknowledges it on the server (see Claim.By).
	qFinishInbound = query(`UPDATE inbound_log SET outcome = ?, detail = ?, partnership_id = ?, participant_id = ?, processed_at = ?,
			locked_until = NULL
		WHERE id = ? AND outcome = 'pending' AND locked_by = ?`)
	qReleaseInbound = query(`UPDATE inbound_log SET detail = ?, locked_until = NULL WHERE id = ? AND outcome = 'pending' AND locked_by = ?`)
)

// insertArgs are qInsertInbound's arguments: the message, claimed by
// worker for lease from now.
func (in NewInbound) insertArgs(worker string, now time.Time, lease time.Duration) []any {
	return []any{in.Key.Mailbox, int64(in.Key.UIDValidity), int64(in.Key.UID), in.MessageKey, in.MessageID,
		in.RawSHA256, in.ContentSHA256, in.Size, ts(in.ReceivedAt), in.From, in.Raw, worker, ts(now.Add(lease)), ts(now)}
}

// ErrInboundLost means another poller took a message over (this one's lease
// ran out), so this one's outcome must not be recorded.
var ErrInboundLost = errors.New("store: inbound message taken over by another poller")

// ClaimInbound records a fetched message and decides who processes it. The
// unique keys of the inbound log make this safe with several pollers on one
// mailbox: exactly one of them gets Claimed for a given message. A claim
// lasts lease; each claim counts as an attempt, and a message claimed more
// than maxAttempts times is quarantined instead.
func (s *Store) ClaimInbound(ctx context.Context, in NewInbound, worker string, lease time.Duration, maxAttempts int) (Claim, error) {
	// A message seen for the first time, the usual case, is one insert,
	// which commits on its own; anything else is worked out in a
	// transaction.
	now := s.clock.Now()
	var id int64
	err := s.get(ctx, &id, qInsertInbound, in.insertArgs(worker, now, lease)...)
	if err == nil {
		return Claim{State: Claimed, ID: id, Attempts: 1}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Claim{}, fmt.Errorf("store: claim inbound %s: %w", in.Key, err)
	}
	var c Claim
	err = s.InTx(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.claimInbound(ctx, in, worker, lease, maxAttempts)
		return err
	})
	if err != nil {
		return Claim{}, fmt.Errorf("store: claim inbound %s: %w", in.Key, err)
	}
	return c, nil
}

func (tx *Tx) claimInbound(ctx context.Context, in NewInbound, worker string, lease time.Duration, maxAttempts int) (Claim, error) {
	now := tx.s.clock.Now()
	var id int64
	err := tx.get(ctx, &id, qInsertInbound, in.insertArgs(worker, now, lease)...)
	if err == nil {
		return Claim{State: Claimed, ID: id, Attempts: 1}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Claim{}, err
	}
	// Either this UID was seen before, or the message was, under another UID.
	var row struct {
		ID          int64          `db:"id"`
		Outcome     string         `db:"outcome"`
		Attempts    int            `db:"attempts"`
		LockedBy    sql.NullString `db:"locked_by"`
		LockedUntil sql.NullTime   `db:"locked_until"`
		ProcessedAt sql.NullTime   `db:"processed_at"`
	}
	err = tx.get(ctx, &row, qInboundByKey, in.Key.Mailbox, int64(in.Key.UIDValidity), int64(in.Key.UID))
	decided := func(state ClaimState) Claim {
		return Claim{State: state, ID: row.ID, Attempts: row.Attempts, Outcome: row.Outcome, By: row.LockedBy.String, At: fromNull(row.ProcessedAt)}
	}
	switch {
	case err == nil && row.Outcome == InboundQuarantined:
		return decided(Quarantined), nil
	case err == nil && row.Outcome == InboundDuplicate:
		return decided(Duplicate), nil
	case err == nil && row.Outcome != InboundPending:
		return decided(Done), nil
	case err == nil:
		var attempts int
		err := tx.get(ctx, &attempts, qTakeOverInbound, worker, ts(now.Add(lease)), row.ID, ts(now), worker)
		if errors.Is(err, sql.ErrNoRows) {
			return Claim{State: Busy, ID: row.ID, Attempts: row.Attempts}, nil
		}
		if err != nil {
			return Claim{}, err
		}
		if attempts > maxAttempts {
			reason := fmt.Sprintf("set aside after %d failed attempts", maxAttempts)
			if _, err := tx.exec(ctx, qQuarantineInbound, reason, ts(now), worker, row.ID); err != nil {
				return Claim{}, err
			}
			return Claim{State: Quarantined, ID: row.ID, Attempts: attempts, Outcome: InboundQuarantined, By: worker, At: now}, nil
		}
		return Claim{State: Claimed, ID: row.ID, Attempts: attempts}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return Claim{}, err
	}
	var primary struct {
		ID            int64  `db:"id"`
		ContentSHA256 string `db:"content_sha256"`
		Outcome       string `db:"outcome"`
	}
	if err := tx.get(ctx, &primary, qPrimaryInbound, in.MessageKey); err != nil {
		return Claim{}, fmt.Errorf("look up the first copy of %s: %w", in.MessageKey, err)
	}
	if primary.ContentSHA256 != in.ContentSHA256 && !takenOutcome(primary.Outcome) {
		if primary.Outcome == InboundPending {
			// Wait for its verdict: if it is not taken as its sender's,
			// this one gets the key.
			return Claim{State: Busy, ID: primary.ID}, nil
		}
		// The first mail under this identity was refused (a forgery, say)
		// or was machine mail: it does not decide the fate of this one.
		if _, err := tx.exec(ctx, qDemoteInbound, primary.ID); err != nil {
			return Claim{}, err
		}
		err := tx.get(ctx, &id, qInsertInbound, in.insertArgs(worker, now, lease)...)
		if errors.Is(err, sql.ErrNoRows) {
			return Claim{State: Busy}, nil
		}
		if err != nil {
			return Claim{}, err
		}
		return Claim{State: Claimed, ID: id, Attempts: 1}, nil
	}
	outcome, state := InboundDuplicate, Duplicate
	detail := fmt.Sprintf("same message as inbound #%d", primary.ID)
	if primary.ContentSHA256 != in.ContentSHA256 {
		// Same Message-ID, different words: keep it for the operator
		// rather than guess which one counts.
		outcome, state = InboundQuarantined, Quarantined
		detail = fmt.Sprintf("same Message-ID as inbound #%d but different content", primary.ID)
	}
	err = tx.get(ctx, &id, qInsertDuplicate, in.Key.Mailbox, int64(in.Key.UIDValidity), int64(in.Key.UID), in.MessageKey, in.MessageID,
		in.RawSHA256, in.ContentSHA256, primary.ID, in.Size, ts(in.ReceivedAt), in.From, in.Raw, outcome, detail, worker, ts(now), ts(now))
	if errors.Is(err, sql.ErrNoRows) {
		// Another poller recorded this UID a moment ago.
		return Claim{State: Busy}, nil
	}
	if err != nil {
		return Claim{}, err
	}
	return Claim{State: state, ID: id, Attempts: 1, Outcome: outcome, By: worker, At: now}, nil
}

// takenOutcome reports whether a message with this outcome was taken as
// its sender's own mail: routed to a participant and acted on. Only such a
// message keeps its identity from a later, different message that claims
// it; mail refused, set aside or recognised as machine-made does not.
func takenOutcome(outcome string) bool {
	switch outcome {
	case InboundAnswer, InboundCommand, InboundCalendar, InboundUnreadable, InboundIgnored:
		return true
	}
	return false
}

// InboundOutcome is how a processed message ended.
type InboundOutcome struct {
	Outcome       string
	Detail        string
	PartnershipID int64
	ParticipantID int64
}

// FinishInbound records a claimed message's outcome inside the transaction
// that applied it, so the outcome and its effects commit together. It fails
// with ErrInboundLost when the claim was taken over meanwhile.
func (t *Tx) FinishInbound(ctx context.Context, id int64, worker string, o InboundOutcome) error {
	res, err := t.exec(ctx, qFinishInbound, o.Outcome, o.Detail, nullID(o.PartnershipID), nullID(o.ParticipantID), ts(t.s.clock.Now()), id, worker)
	if err != nil {
		return fmt.Errorf("store: finish inbound %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("inbound %d: %w", id, ErrInboundLost)
	}
	return nil
}

// ReleaseInbound gives up a claim after a failed attempt, keeping why; the
// message stays pending and is tried again by the next scan.
func (s *Store) ReleaseInbound(ctx context.Context, id int64, worker, reason string) error {
	if _, err := s.exec(ctx, qReleaseInbound, reason, id, worker); err != nil {
		return fmt.Errorf("store: release inbound %d: %w", id, err)
	}
	return nil
}

var (
	qCheckpoint        = query(`SELECT last_uid FROM imap_checkpoints WHERE mailbox = ? AND uid_validity = ?`)
	qAdvanceCheckpoint = query(`INSERT INTO imap_checkpoints (mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (mailbox, uid_validity) DO UPDATE SET last_uid = excluded.last_uid, updated_at = excluded.updated_at
		WHERE imap_checkpoints.last_uid < excluded.last_uid`)
)

// Checkpoint is the highest UID of a mailbox (at this UIDVALIDITY) below
// which every message has a final outcome; 0 for a new one. The process
// remembers what it read and advanced, so a scan does not read it again;
// another process moving it on meanwhile only makes this one look again at
// messages already decided.
func (s *Store) Checkpoint(ctx context.Context, mailbox string, uidValidity uint32) (uint32, error) {
	key := checkpointKey(mailbox, uidValidity)
	if uid, ok := s.checkpoints.Load(key); ok {
		return uid.(uint32), nil
	}
	var last int64
	err := s.get(ctx, &last, qCheckpoint, mailbox, int64(uidValidity))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: checkpoint of %s: %w", mailbox, err)
	}
	s.rememberCheckpoint(key, uint32(last))
	return uint32(last), nil
}

// AdvanceCheckpoint moves a mailbox's checkpoint forward, never back.
func (s *Store) AdvanceCheckpoint(ctx context.Context, mailbox string, uidValidity, uid uint32) error {
	key := checkpointKey(mailbox, uidValidity)
	if known, ok := s.checkpoints.Load(key); ok && known.(uint32) >= uid {
		return nil
	}
	_, err := s.exec(ctx, qAdvanceCheckpoint, mailbox, int64(uidValidity), int64(uid), ts(s.clock.Now()))
	if err != nil {
		return fmt.Errorf("store: advance checkpoint of %s: %w", mailbox, err)
	}
	s.rememberCheckpoint(key, uid)
	return nil
}

func checkpointKey(mailbox string, uidValidity uint32) string {
	return strconv.FormatUint(uint64(uidValidity), 10) + "/" + mailbox
}

// rememberCheckpoint keeps the highest checkpoint seen.
func (s *Store) rememberCheckpoint(key string, uid uint32) {
	for {
		old, loaded := s.checkpoints.LoadOrStore(key, uid)
		if !loaded || old.(uint32) >= uid || s.checkpoints.CompareAndSwap(key, old, uid) {
			return
		}
	}
}

// InboundRow is a summary of one inbound log row, for operators and tests:
// where it came from and how it ended, never what it said.
type InboundRow struct {
	ID            int64         `db:"id"`
	Mailbox       string        `db:"mailbox"`
	UIDValidity   int64         `db:"uid_validity"`
	UID           int64         `db:"uid"`
	MessageID     string        `db:"message_id"`
	From          string        `db:"from_address"`
	Size          int64         `db:"size"`
	Outcome       string        `db:"outcome"`
	Detail        string        `db:"detail"`
	Attempts      int           `db:"attempts"`
	DuplicateOf   sql.NullInt64 `db:"duplicate_of"`
	PartnershipID sql.NullInt64 `db:"partnership_id"`
	CreatedAt     time.Time     `db:"created_at"`
	ProcessedAt   sql.NullTime  `db:"processed_at"`
}

var qInboundList = query(`SELECT id, mailbox, uid_validity, uid, message_id, from_address, size, outcome, detail, attempts,
		duplicate_of, partnership_id, created_at, processed_at
	FROM inbound_log WHERE (CAST(? AS TEXT) = '' OR outcome = ?) ORDER BY id`)

// InboundLog lists the inbound log, all of it or one outcome.
func (s *Store) InboundLog(ctx context.Context, outcome string) ([]InboundRow, error) {
	var rows []InboundRow
	if err := s.selectAll(ctx, &rows, qInboundList, outcome, outcome); err != nil {
		return nil, fmt.Errorf("store: inbound log: %w", err)
	}
	return rows, nil
}

var qNotice = query(`INSERT INTO notices (recipient, kind, day, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)

// FirstNoticeToday records a notice of a kind to an address and reports
// whether it is the first today (UTC): notices go out at most once a day.
func (t *Tx) FirstNoticeToday(ctx context.Context, recipient, kind string) (bool, error) {
	now := t.s.clock.Now().UTC()
	res, err := t.exec(ctx, qNotice, normalEmail(recipient), kind, now.Format(time.DateOnly), ts(now))
	if err != nil {
		return false, fmt.Errorf("store: note %s notice to %s: %w", kind, recipient, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// OpenPrompt is a question waiting for a person's answer.
type OpenPrompt struct {
	PartnershipID int64  `db:"partnership_id"`
	ParticipantID int64  `db:"participant_id"`
	PromptID      int64  `db:"prompt_id"`
	QuestionID    string `db:"question_id"`
}

var (
	qLivePartnershipsOf = query(`SELECT p.id AS partnership_id, pt.id AS participant_id FROM participants pt
		JOIN people pe ON pe.id = pt.person_id JOIN partnerships p ON p.id = pt.partnership_id
		WHERE pe.email = ? AND p.ended_at IS NULL AND pt.status <> 'left' ORDER BY p.id`)
	qOpenPromptOf = query(`SELECT pr.partnership_id, pr.participant_id, pr.id AS prompt_id, pr.question_id FROM prompts pr
		JOIN participants pt ON pt.id = pr.participant_id
		WHERE pr.participant_id = ? AND pr.state = 'open' AND pr.position = pt.position`)
)

// Membership is a person's place in one live partnership.
type Membership struct {
	PartnershipID int64 `db:"partnership_id"`
	ParticipantID int64 `db:"participant_id"`
}

// MembershipsOf lists the live partnerships an address takes part in.
func (s *Store) MembershipsOf(ctx context.Context, email string) ([]Membership, error) {
	return membershipsOf(ctx, s, email)
}

// MembershipsOf is [Store.MembershipsOf] inside the transaction.
func (t *Tx) MembershipsOf(ctx context.Context, email string) ([]Membership, error) {
	return membershipsOf(ctx, t, email)
}

func membershipsOf(ctx context.Context, s querier, email string) ([]Membership, error) {
	var ms []Membership
	if err := s.selectAll(ctx, &ms, qLivePartnershipsOf, normalEmail(email)); err != nil {
		return nil, fmt.Errorf("store: partnerships of %s: %w", email, err)
	}
	return ms, nil
}

// OpenPromptOf returns the question a participant has been sent and not
// answered, or ErrNotFound.
func (s *Store) OpenPromptOf(ctx context.Context, participantID int64) (OpenPrompt, error) {
	var op OpenPrompt
	err := s.get(ctx, &op, qOpenPromptOf, participantID)
	if errors.Is(err, sql.ErrNoRows) {
		return OpenPrompt{}, fmt.Errorf("store: open question of participant %d: %w", participantID, ErrNotFound)
	}
	if err != nil {
		return OpenPrompt{}, fmt.Errorf("store: open question of participant %d: %w", participantID, err)
	}
	return op, nil
}

var qParticipantEmail = query(`SELECT pe.email FROM participants pt JOIN people pe ON pe.id = pt.person_id WHERE pt.id = ?`)

// ParticipantEmail is the address of a participant.
func (s *Store) ParticipantEmail(ctx context.Context, participantID int64) (string, error) {
	var email string
	err := s.get(ctx, &email, qParticipantEmail, participantID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: participant %d: %w", participantID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: participant %d: %w", participantID, err)
	}
	return email, nil
}

var qPromptQuestion = query(`SELECT question_id FROM prompts WHERE id = ?`)

// PromptQuestion is the question a prompt asked.
func (s *Store) PromptQuestion(ctx context.Context, promptID int64) (string, error) {
	return promptQuestion(ctx, s, promptID)
}

// PromptQuestion is [Store.PromptQuestion] inside the transaction.
func (t *Tx) PromptQuestion(ctx context.Context, promptID int64) (string, error) {
	return promptQuestion(ctx, t, promptID)
}

func promptQuestion(ctx context.Context, s querier, promptID int64) (string, error) {
	var q string
	err := s.get(ctx, &q, qPromptQuestion, promptID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: prompt %d: %w", promptID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: prompt %d: %w", promptID, err)
	}
	return q, nil
}

var qInboundCounts = query(`SELECT outcome, COUNT(*) AS n FROM inbound_log GROUP BY outcome`)

// InboundCounts counts the inbound log by outcome.
func (s *Store) InboundCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Outcome string `db:"outcome"`
		N       int    `db:"n"`
	}
	if err := s.selectAll(ctx, &rows, qInboundCounts); err != nil {
		return nil, fmt.Errorf("store: count inbound log: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Outcome] = r.N
	}
	return out, nil
}
