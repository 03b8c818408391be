package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"accord/conversation"
	"accord/internal/apply"
)

var (
	qLoadPartnership = dialectQuery(
		`SELECT id, kind, status, question_set_id, created_at, ended_at, end_reason FROM partnerships WHERE id = ?`,
		`SELECT id, kind, status, question_set_id, created_at, ended_at, end_reason FROM partnerships WHERE id = ? FOR UPDATE`)
	qLoadPartnershipShared = query(`SELECT id, kind, status, question_set_id, created_at, ended_at, end_reason FROM partnerships WHERE id = ?`)
	qLoadParticipants      = query(`SELECT pt.id, pt.slot, pt.role, pt.status, pt.paused_until, pt.position, pt.next_send_at,
			pt.agreement_seen, pt.last_seen_at, pt.held_reply, pt.undone_at, pt.stop_asked_at, pt.left_at, pe.id AS person_id, pe.name, pe.email, pe.time_zone,
			pe.language, pe.bouncing_since
		FROM participants pt JOIN people pe ON pe.id = pt.person_id
		WHERE pt.partnership_id = ? ORDER BY pt.slot`)
	qLoadPrompts = query(`SELECT id, participant_id, question_id, position, state, sent_at, nudged_at, reminders
		FROM prompts WHERE partnership_id = ? ORDER BY position, id`)
	qLoadAnswers = query(`SELECT id, participant_id, prompt_id, question_id, body, created_at, receipt_at
		FROM answers WHERE partnership_id = ? ORDER BY id`)
	// Plain columns rather than MIN(): SQLite types only a column's value
	// as a time.
	qLoadSeen = query(`SELECT r.answer_id, r.delivered_at FROM reveals r JOIN answers a ON a.id = r.answer_id
		WHERE a.partnership_id = ? AND r.delivered_at IS NOT NULL`)
	qLoadReveals = query(`SELECT r.id, r.viewer_id, r.answer_id, r.created_at
		FROM reveals r JOIN participants pt ON pt.id = r.viewer_id
		WHERE pt.partnership_id = ? AND r.delivered_at IS NULL ORDER BY r.id`)
	qLoadAgreements  = query(`SELECT id, body FROM agreement_versions WHERE partnership_id = ? ORDER BY version`)
	qLoadAmendments  = query(`SELECT id, participant_id, body, created_at FROM amendments WHERE partnership_id = ? ORDER BY id`)
	qInsertAmendment = query(`INSERT INTO amendments (partnership_id, participant_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id`)
	qQuestionSet     = query(`SELECT body FROM question_sets WHERE id = ?`)

	qUpdatePartnership    = query(`UPDATE partnerships SET status = ?, ended_at = ?, end_reason = ?, next_wake_at = ?, updated_at = ? WHERE id = ?`)
	qUpdatePersonLanguage = query(`UPDATE people SET language = ? WHERE id = ?`)
	qUpdateParticipant    = query(`UPDATE participants SET status = ?, paused_until = ?, position = ?, next_send_at = ?,
		agreement_seen = ?, last_seen_at = ?, held_reply = ?, undone_at = ?, stop_asked_at = ?, left_at = ? WHERE id = ?`)
	qInsertPrompt = query(`INSERT INTO prompts (partnership_id, participant_id, question_id, position, state, sent_at, nudged_at, reminders)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qUpdatePrompt = query(`UPDATE prompts SET state = ?, nudged_at = ?, reminders = ? WHERE id = ?`)
	qInsertAnswer = query(`INSERT INTO answers (partnership_id, participant_id, prompt_id, question_id, body, created_at, receipt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qUpdateReceipt   = query(`UPDATE answers SET receipt_at = ? WHERE id = ?`)
	qInsertReveal    = query(`INSERT INTO reveals (viewer_id, answer_id, created_at, delivered_at) VALUES (?, ?, ?, ?) RETURNING id`)
	qDeliverReveal   = query(`UPDATE reveals SET delivered_at = ? WHERE id = ?`)
	qDeleteReveals   = query(`DELETE FROM reveals WHERE answer_id = ?`)
	qDeleteAnswer    = query(`DELETE FROM answers WHERE id = ? AND partnership_id = ?`)
	qInsertAgreement = query(`INSERT INTO agreement_versions (partnership_id, version, previous_version, created_at, review_on, body)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`)
)

type partnershipRow struct {
	ID            int64        `db:"id"`
	Kind          string       `db:"kind"`
	Status        string       `db:"status"`
	QuestionSetID int64        `db:"question_set_id"`
	CreatedAt     time.Time    `db:"created_at"`
	EndedAt       sql.NullTime `db:"ended_at"`
	EndReason     string       `db:"end_reason"`
}

type participantRow struct {
	ID            int64        `db:"id"`
	Slot          int          `db:"slot"`
	Role          string       `db:"role"`
	Status        string       `db:"status"`
	PausedUntil   sql.NullTime `db:"paused_until"`
	Position      int          `db:"position"`
	NextSendAt    sql.NullTime `db:"next_send_at"`
	AgreementSeen int          `db:"agreement_seen"`
	LastSeenAt    sql.NullTime `db:"last_seen_at"`
	HeldReply     string       `db:"held_reply"`
	UndoneAt      sql.NullTime `db:"undone_at"`
	StopAskedAt   sql.NullTime `db:"stop_asked_at"`
	LeftAt        sql.NullTime `db:"left_at"`
	PersonID      int64        `db:"person_id"`
	Name          string       `db:"name"`
	Email         string       `db:"email"`
	TimeZone      string       `db:"time_zone"`
	Language      string       `db:"language"`
	BouncingSince sql.NullTime `db:"bouncing_since"`
}

type promptRow struct {
	ID            int64     `db:"id"`
	ParticipantID int64     `db:"participant_id"`
	QuestionID    string    `db:"question_id"`
	Position      int       `db:"position"`
	State         string    `db:"state"`
	SentAt        time.Time `db:"sent_at"`
	NudgedAt      time.Time `db:"nudged_at"`
	Reminders     int       `db:"reminders"`
}

type answerRow struct {
	ID            int64        `db:"id"`
	ParticipantID int64        `db:"participant_id"`
	PromptID      int64        `db:"prompt_id"`
	QuestionID    string       `db:"question_id"`
	Body          string       `db:"body"`
	CreatedAt     time.Time    `db:"created_at"`
	ReceiptAt     sql.NullTime `db:"receipt_at"`
}

type revealRow struct {
	ID        int64     `db:"id"`
	ViewerID  int64     `db:"viewer_id"`
	AnswerID  int64     `db:"answer_id"`
	CreatedAt time.Time `db:"created_at"`
}

type agreementRow struct {
	ID   int64  `db:"id"`
	Body []byte `db:"body"`
}

// participantState is the part of a participant a save may change.
type participantState struct {
	status        conversation.ParticipantStatus
	pausedUntil   time.Time
	position      int
	nextSendAt    time.Time
	agreementSeen int
	lastSeenAt    time.Time
	heldReply     string
	undoneAt      time.Time
	stopAskedAt   time.Time
	leftAt        time.Time
	// language is the person's, saved on the person.
	language string
}

func stateOf(pt *conversation.Participant) participantState {
	return participantState{pt.Status, pt.PausedUntil, pt.Position, pt.NextSendAt, pt.AgreementSeen, pt.LastSeenAt, pt.HeldReply, pt.UndoneAt, pt.StopAskedAt, pt.LeftAt, pt.Person.Language}
}

// snapshot remembers what was loaded so a save writes only what changed.
type snapshot struct {
	participants map[int64]participantState
	prompts      map[int64]conversation.Prompt
	receipts     map[int64]time.Time
	delivered    map[int64]time.Time
	checkin      *checkinSnapshot
	reviews      map[int64]reviewState
	// draft is the JSON of the draft round as loaded; empty when none was.
	draft string
}

// Apply runs op on a partnership through the application step
// ([apply.Run]) in a transaction of its own. On PostgreSQL the partnership
// row stays locked meanwhile, so concurrent operations on one partnership
// take turns. An error from op rolls everything back.
func (s *Store) Apply(ctx context.Context, partnershipID int64, op apply.Op) ([]conversation.Message, error) {
	var msgs []conversation.Message
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		msgs, err = apply.Run(ctx, tx, partnershipID, op)
		return err
	})
	return msgs, err
}

// A Tx is the application step's transaction.
var _ apply.Tx = (*Tx)(nil)

// Take implements [apply.Tx]: it loads a partnership and, on PostgreSQL,
// locks its row until the transaction ends.
func (tx *Tx) Take(ctx context.Context, partnershipID int64) (*conversation.Partnership, error) {
	p, snap, err := tx.load(ctx, partnershipID, true)
	if err != nil {
		return nil, err
	}
	tx.keep(p, snap)
	return p, nil
}

// keep remembers what p was when loaded or created, for Save.
func (tx *Tx) keep(p *conversation.Partnership, snap *snapshot) {
	if tx.loaded == nil {
		tx.loaded = map[*conversation.Partnership]*snapshot{}
	}
	tx.loaded[p] = snap
}

// Save implements [apply.Tx]: it writes what changed on p since it was
// taken or created in this transaction.
func (tx *Tx) Save(ctx context.Context, p *conversation.Partnership, now time.Time) error {
	snap := tx.loaded[p]
	if snap == nil {
		return fmt.Errorf("store: save partnership %d: not taken in this transaction", p.ID)
	}
	return tx.save(ctx, p, snap, now)
}

// Dispatch implements [apply.Tx] with the store's dispatcher.
func (tx *Tx) Dispatch(ctx context.Context, p *conversation.Partnership, out []apply.Outgoing) error {
	if tx.s.dispatch == nil {
		return errors.New("store: messages to send but no dispatcher configured")
	}
	return tx.s.dispatch.Dispatch(ctx, tx, p, out)
}

// WakeAt implements [apply.Tx] with a KindWake job, once per partnership
// and time.
func (tx *Tx) WakeAt(ctx context.Context, partnershipID int64, at time.Time) error {
	key := "wake:" + strconv.FormatInt(partnershipID, 10) + ":" + at.UTC().Format(time.RFC3339Nano)
	payload, _ := json.Marshal(wakePayload{PartnershipID: partnershipID})
	return tx.enqueueLater(ctx, NewJob{Kind: KindWake, DedupeKey: key, PartnershipID: partnershipID, Payload: payload, RunAt: at})
}

type wakePayload struct {
	PartnershipID int64 `json:"partnership_id"`
}

// Wake runs [conversation.Partnership.Wake] for the partnership a KindWake
// job names. It is the handler for KindWake jobs.
func (s *Store) Wake(ctx context.Context, j Job) error {
	var w wakePayload
	if err := json.Unmarshal(j.Payload, &w); err != nil || w.PartnershipID == 0 {
		return Permanent(fmt.Errorf("store: wake job %d has no partnership", j.ID))
	}
	_, err := s.Apply(ctx, w.PartnershipID, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.Wake(now), nil
	})
	if errors.Is(err, ErrNotFound) {
		return Permanent(err)
	}
	return err
}

// Load reads a partnership without locking it, for display.
func (s *Store) Load(ctx context.Context, partnershipID int64) (*conversation.Partnership, error) {
	var p *conversation.Partnership
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		p, _, err = tx.load(ctx, partnershipID, false)
		return err
	})
	return p, err
}

func (tx *Tx) load(ctx context.Context, id int64, lock bool) (*conversation.Partnership, *snapshot, error) {
	q := qLoadPartnershipShared
	if lock {
		q = qLoadPartnership
	}
	// Everything that depends only on the partnership's id, in one round
	// trip on PostgreSQL, after the lock the first read takes.
	reads := []read{fetch(q, id), fetch(qLoadParticipants, id), fetch(qLoadPrompts, id), fetch(qLoadAnswers, id),
		fetch(qLoadSeen, id), fetch(qLoadReveals, id), fetch(qLoadAgreements, id), fetch(qLatestDraft, id),
		fetch(qLoadAmendments, id), fetch(qLoadCheckinPlan, id), fetch(qLoadSeries, id), fetch(qLoadReviews, id)}
	if lock {
		reads = append(reads, fetch(qOtherMemberships, id, id))
	}
	if err := tx.prefetch(ctx, reads...); err != nil {
		return nil, nil, err
	}
	var pr partnershipRow
	if err := tx.get(ctx, &pr, q, id); errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("store: partnership %d: %w", id, ErrNotFound)
	} else if err != nil {
		return nil, nil, fmt.Errorf("store: load partnership %d: %w", id, err)
	}
	set, err := tx.questionSet(ctx, pr.QuestionSetID)
	if err != nil {
		return nil, nil, err
	}
	p := &conversation.Partnership{
		ID:        pr.ID,
		Kind:      conversation.Kind(pr.Kind),
		Status:    conversation.Status(pr.Status),
		Set:       set,
		Rules:     tx.s.rules,
		CreatedAt: pr.CreatedAt.UTC(),
		EndedAt:   fromNull(pr.EndedAt),
		EndReason: pr.EndReason,
	}
	snap := &snapshot{
		participants: map[int64]participantState{},
		prompts:      map[int64]conversation.Prompt{},
		receipts:     map[int64]time.Time{},
		delivered:    map[int64]time.Time{},
	}
	var pts []participantRow
	if err := tx.selectAll(ctx, &pts, qLoadParticipants, id); err != nil {
		return nil, nil, fmt.Errorf("store: load participants of %d: %w", id, err)
	}
	if len(pts) != 2 {
		return nil, nil, fmt.Errorf("store: partnership %d has %d participants, want 2", id, len(pts))
	}
	byID := map[int64]*conversation.Participant{}
	for i, r := range pts {
		loc, err := tx.s.location(r.TimeZone)
		if err != nil {
			return nil, nil, err
		}
		pt := &conversation.Participant{
			ID:            r.ID,
			Role:          conversation.Role(r.Role),
			Person:        conversation.Person{ID: r.PersonID, Name: r.Name, Email: r.Email, Location: loc, Language: tx.s.languageOr(r.Language)},
			Status:        conversation.ParticipantStatus(r.Status),
			PausedUntil:   fromNull(r.PausedUntil),
			Position:      r.Position,
			NextSendAt:    fromNull(r.NextSendAt),
			AgreementSeen: r.AgreementSeen,
			LastSeenAt:    fromNull(r.LastSeenAt),
			HeldReply:     r.HeldReply,
			UndoneAt:      fromNull(r.UndoneAt),
			StopAskedAt:   fromNull(r.StopAskedAt),
			LeftAt:        fromNull(r.LeftAt),
		}
		p.Participants[i] = pt
		byID[pt.ID] = pt
		if !r.BouncingSince.Valid {
			tx.Deliverable(r.Email)
		}
		snap.participants[pt.ID] = stateOf(pt)
	}
	var prs []promptRow
	if err := tx.selectAll(ctx, &prs, qLoadPrompts, id); err != nil {
		return nil, nil, fmt.Errorf("store: load prompts of %d: %w", id, err)
	}
	prompts := map[int64]*conversation.Prompt{}
	for _, r := range prs {
		pr := &conversation.Prompt{
			ID: r.ID, QuestionID: r.QuestionID, Position: r.Position, SentAt: r.SentAt.UTC(),
			NudgedAt: r.NudgedAt.UTC(), Reminders: r.Reminders, State: conversation.PromptState(r.State),
		}
		owner := byID[r.ParticipantID]
		owner.Prompts = append(owner.Prompts, pr)
		prompts[pr.ID] = pr
		snap.prompts[pr.ID] = *pr
	}
	var ars []answerRow
	if err := tx.selectAll(ctx, &ars, qLoadAnswers, id); err != nil {
		return nil, nil, fmt.Errorf("store: load answers of %d: %w", id, err)
	}
	answers := map[int64]*conversation.Answer{}
	for _, r := range ars {
		a := &conversation.Answer{
			ID: r.ID, ParticipantID: r.ParticipantID, Prompt: prompts[r.PromptID], QuestionID: r.QuestionID,
			Text: r.Body, At: r.CreatedAt.UTC(), ReceiptAt: fromNull(r.ReceiptAt),
		}
		p.Answers = append(p.Answers, a)
		answers[a.ID] = a
		snap.receipts[a.ID] = a.ReceiptAt
	}
	var seen []struct {
		AnswerID    int64     `db:"answer_id"`
		DeliveredAt time.Time `db:"delivered_at"`
	}
	if err := tx.selectAll(ctx, &seen, qLoadSeen, id); err != nil {
		return nil, nil, fmt.Errorf("store: load what partners saw in %d: %w", id, err)
	}
	for _, r := range seen {
		if a := answers[r.AnswerID]; a != nil && (a.SeenAt.IsZero() || r.DeliveredAt.Before(a.SeenAt)) {
			a.SeenAt = r.DeliveredAt.UTC()
		}
	}
	var rvs []revealRow
	if err := tx.selectAll(ctx, &rvs, qLoadReveals, id); err != nil {
		return nil, nil, fmt.Errorf("store: load reveals of %d: %w", id, err)
	}
	for _, r := range rvs {
		rv := &conversation.Reveal{ID: r.ID, ViewerID: r.ViewerID, Answer: answers[r.AnswerID], CreatedAt: r.CreatedAt.UTC()}
		byID[r.ViewerID].Reveals = append(byID[r.ViewerID].Reveals, rv)
		snap.delivered[rv.ID] = time.Time{}
	}
	var ags []agreementRow
	if err := tx.selectAll(ctx, &ags, qLoadAgreements, id); err != nil {
		return nil, nil, fmt.Errorf("store: load agreements of %d: %w", id, err)
	}
	for _, r := range ags {
		ag := &conversation.Agreement{}
		if err := json.Unmarshal(r.Body, ag); err != nil {
			return nil, nil, fmt.Errorf("store: agreement %d of partnership %d: %w", r.ID, id, err)
		}
		ag.ID = r.ID
		p.Agreements = append(p.Agreements, ag)
	}
	if needsDraft(p) {
		d, err := tx.LatestDraft(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, nil, err
		default:
			p.Draft = d
			body, _ := json.Marshal(d)
			snap.draft = string(body)
		}
	}
	var ams []struct {
		ID            int64     `db:"id"`
		ParticipantID int64     `db:"participant_id"`
		Body          string    `db:"body"`
		CreatedAt     time.Time `db:"created_at"`
	}
	if err := tx.selectAll(ctx, &ams, qLoadAmendments, id); err != nil {
		return nil, nil, fmt.Errorf("store: load amendments of %d: %w", id, err)
	}
	for _, a := range ams {
		p.Amendments = append(p.Amendments, &conversation.Amendment{ID: a.ID, ParticipantID: a.ParticipantID, Text: a.Body, At: a.CreatedAt.UTC()})
	}
	if snap.checkin, err = tx.loadCheckins(ctx, p, byID); err != nil {
		return nil, nil, err
	}
	if snap.reviews, err = tx.loadReviews(ctx, p); err != nil {
		return nil, nil, err
	}
	if err := tx.loadEarlierCheckins(ctx, p, byID, snap.checkin); err != nil {
		return nil, nil, err
	}
	if lock {
		// Only an operation can set a check-in time; display does not
		// need these.
		if err := tx.loadOtherCheckins(ctx, p); err != nil {
			return nil, nil, err
		}
	}
	return p, snap, nil
}

func (tx *Tx) save(ctx context.Context, p *conversation.Partnership, snap *snapshot, now time.Time) error {
	if err := tx.execLater(ctx, qUpdatePartnership, string(p.Status), ts(p.EndedAt), p.EndReason, ts(p.NextWake(now)), ts(now), p.ID); err != nil {
		return fmt.Errorf("store: save partnership %d: %w", p.ID, err)
	}
	// New prompts and answers go in one round trip on PostgreSQL; an
	// answer to a prompt new in this change, after it.
	var inserts []insert
	for _, pt := range p.Participants {
		if st := stateOf(pt); st != snap.participants[pt.ID] {
			if st.language != snap.participants[pt.ID].language {
				if err := tx.execLater(ctx, qUpdatePersonLanguage, st.language, pt.Person.ID); err != nil {
					return fmt.Errorf("store: save the language of person %d: %w", pt.Person.ID, err)
				}
			}
			if err := tx.execLater(ctx, qUpdateParticipant, string(st.status), ts(st.pausedUntil), st.position,
				ts(st.nextSendAt), st.agreementSeen, ts(st.lastSeenAt), st.heldReply, ts(st.undoneAt), ts(st.stopAskedAt), ts(st.leftAt), pt.ID); err != nil {
				return fmt.Errorf("store: save participant %d: %w", pt.ID, err)
			}
		}
		for _, pr := range pt.Prompts {
			var err error
			switch old, ok := snap.prompts[pr.ID]; {
			case pr.ID == 0:
				inserts = append(inserts, insert{qInsertPrompt, []any{p.ID, pt.ID, pr.QuestionID, pr.Position, string(pr.State),
					ts(pr.SentAt), ts(pr.NudgedAt), pr.Reminders}, &pr.ID})
			case !ok || old != *pr:
				err = tx.execLater(ctx, qUpdatePrompt, string(pr.State), ts(pr.NudgedAt), pr.Reminders, pr.ID)
			}
			if err != nil {
				return fmt.Errorf("store: save prompt %s for participant %d: %w", pr.QuestionID, pt.ID, err)
			}
		}
	}
	for _, a := range p.Withdrawn {
		if _, err := tx.exec(ctx, qDeleteReveals, a.ID); err != nil {
			return fmt.Errorf("store: withdraw answer %d: %w", a.ID, err)
		}
		if _, err := tx.exec(ctx, qDeleteAnswer, a.ID, p.ID); err != nil {
			return fmt.Errorf("store: withdraw answer %d: %w", a.ID, err)
		}
	}
	p.Withdrawn = nil
	var newAnswers []*conversation.Answer
	for _, a := range p.Answers {
		switch {
		case a.ID == 0:
			newAnswers = append(newAnswers, a)
		case !a.ReceiptAt.Equal(snap.receipts[a.ID]):
			if err := tx.execLater(ctx, qUpdateReceipt, ts(a.ReceiptAt), a.ID); err != nil {
				return fmt.Errorf("store: save answer to %s: %w", a.QuestionID, err)
			}
		}
	}
	answerInsert := func(a *conversation.Answer) insert {
		return insert{qInsertAnswer, []any{p.ID, a.ParticipantID, a.Prompt.ID, a.QuestionID, a.Text, ts(a.At), ts(a.ReceiptAt)}, &a.ID}
	}
	var afterPrompts []*conversation.Answer
	for _, a := range newAnswers {
		if a.Prompt.ID == 0 {
			afterPrompts = append(afterPrompts, a)
		} else {
			inserts = append(inserts, answerInsert(a))
		}
	}
	if err := tx.insertAll(ctx, inserts); err != nil {
		return fmt.Errorf("store: save the prompts and answers of partnership %d: %w", p.ID, err)
	}
	// Their prompts' ids are known now.
	var later []insert
	for _, a := range afterPrompts {
		later = append(later, answerInsert(a))
	}
	if err := tx.insertAll(ctx, later); err != nil {
		return fmt.Errorf("store: save the answers of partnership %d: %w", p.ID, err)
	}
	for _, pt := range p.Participants {
		for _, r := range pt.Reveals {
			var err error
			switch {
			case r.ID == 0:
				err = tx.get(ctx, &r.ID, qInsertReveal, r.ViewerID, r.Answer.ID, ts(r.CreatedAt), ts(r.DeliveredAt))
			case !r.DeliveredAt.Equal(snap.delivered[r.ID]):
				err = tx.execLater(ctx, qDeliverReveal, ts(r.DeliveredAt), r.ID)
			}
			if err != nil {
				return fmt.Errorf("store: save reveal for participant %d: %w", pt.ID, err)
			}
		}
	}
	for _, a := range p.Amendments {
		if a.ID == 0 {
			if err := tx.get(ctx, &a.ID, qInsertAmendment, p.ID, a.ParticipantID, a.Text, ts(a.At)); err != nil {
				return fmt.Errorf("store: save amendment: %w", err)
			}
		}
	}
	for _, ag := range p.Agreements {
		if ag.ID != 0 {
			continue
		}
		body, err := json.Marshal(ag)
		if err != nil {
			return fmt.Errorf("store: encode agreement: %w", err)
		}
		var prev any
		if ag.Previous != 0 {
			prev = ag.Previous
		}
		if err := tx.get(ctx, &ag.ID, qInsertAgreement, p.ID, ag.Version, prev, ts(ag.Created), ag.ReviewOn.String(), string(body)); err != nil {
			return fmt.Errorf("store: save agreement v%d of partnership %d: %w", ag.Version, p.ID, err)
		}
	}
	if err := tx.saveDrafts(ctx, p, snap.draft); err != nil {
		return err
	}
	if err := tx.saveReviews(ctx, p, snap.reviews); err != nil {
		return err
	}
	return tx.saveCheckins(ctx, p, snap.checkin)
}

var (
	qInsertQuestionSet = query(`INSERT INTO question_sets (name, version, checksum, question_count, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING`)
	qFindQuestionSet = query(`SELECT id, checksum FROM question_sets WHERE name = ? AND version = ?`)
)

// ErrQuestionSetChanged means a set with this name and version is stored
// with different content.
var ErrQuestionSetChanged = errors.New("a question set with this name and version is already stored with different wording; raise its version number")

// ensureQuestionSet stores a set (once per name and version) and returns its id.
func (tx *Tx) ensureQuestionSet(ctx context.Context, set *conversation.QuestionSet) (int64, error) {
	body, err := json.Marshal(set)
	if err != nil {
		return 0, fmt.Errorf("store: encode question set: %w", err)
	}
	sum := sha256.Sum256(body)
	checksum := hex.EncodeToString(sum[:])
	if _, err := tx.exec(ctx, qInsertQuestionSet, set.Name, set.Version, checksum, set.Len(), string(body), ts(tx.s.clock.Now())); err != nil {
		return 0, fmt.Errorf("store: save question set %s v%d: %w", set.Name, set.Version, err)
	}
	var row struct {
		ID       int64  `db:"id"`
		Checksum string `db:"checksum"`
	}
	if err := tx.get(ctx, &row, qFindQuestionSet, set.Name, set.Version); err != nil {
		return 0, fmt.Errorf("store: find question set %s v%d: %w", set.Name, set.Version, err)
	}
	if row.Checksum != checksum {
		return 0, fmt.Errorf("store: question set %s v%d: %w", set.Name, set.Version, ErrQuestionSetChanged)
	}
	return row.ID, nil
}

func (tx *Tx) questionSet(ctx context.Context, id int64) (*conversation.QuestionSet, error) {
	if set, ok := tx.s.sets.Load(id); ok {
		return set.(*conversation.QuestionSet), nil
	}
	var body []byte
	if err := tx.get(ctx, &body, qQuestionSet, id); err != nil {
		return nil, fmt.Errorf("store: question set %d: %w", id, err)
	}
	set := &conversation.QuestionSet{}
	if err := json.Unmarshal(body, set); err != nil {
		return nil, fmt.Errorf("store: question set %d: %w", id, err)
	}
	tx.s.sets.Store(id, set)
	return set, nil
}

// pairKey names the two people of a partnership independent of order.
func pairKey(a, b int64) string {
	if a > b {
		a, b = b, a
	}
	return strconv.FormatInt(a, 10) + ":" + strconv.FormatInt(b, 10)
}

// normalEmail is the form addresses are stored and compared in.
func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
