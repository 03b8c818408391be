package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"accord/conversation"
)

// EnrollPerson is one person as the operator names them.
type EnrollPerson struct {
	Name  string
	Email string
	// TimeZone is an IANA zone. Empty keeps a known person's zone, or gives
	// a new person the store's default.
	TimeZone string
}

// Enrollment asks for a new partnership. For KindLeadReport, A is the lead
// and B the report; for KindPeer the order does not matter.
type Enrollment struct {
	Kind conversation.Kind
	A, B EnrollPerson
	Set  *conversation.QuestionSet
}

// DuplicatePairError means the two people already have a partnership that
// has not ended.
type DuplicatePairError struct {
	A, B     string
	Existing int64
}

func (e *DuplicatePairError) Error() string {
	if e.Existing == 0 {
		return fmt.Sprintf("%s and %s already have a partnership that has not ended", e.A, e.B)
	}
	return fmt.Sprintf("%s and %s already have partnership %d, which has not ended; end it first (accord pair end %d) to start a new one", e.A, e.B, e.Existing, e.Existing)
}

var (
	qUpsertPerson = query(`INSERT INTO people (email, name, time_zone, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET
			name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE people.name END,
			time_zone = COALESCE(NULLIF(CAST(? AS TEXT), ''), people.time_zone)
		RETURNING id, name, time_zone`)
	qLivePair          = query(`SELECT id FROM partnerships WHERE pair_key = ? AND ended_at IS NULL`)
	qInsertPartnership = query(`INSERT INTO partnerships (kind, status, question_set_id, pair_key, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`)
	qInsertParticipant = query(`INSERT INTO participants (partnership_id, person_id, slot, role, status) VALUES (?, ?, ?, ?, ?) RETURNING id`)
)

// CheckEnrollment validates an enrollment without touching the database:
// addresses, time zones, the two people being different, the question set.
func (s *Store) CheckEnrollment(e Enrollment) error {
	for _, p := range []EnrollPerson{e.A, e.B} {
		if p.Email == "" {
			return errors.New("an email address is missing")
		}
		if strings.TrimSpace(p.Name) == "" || strings.ContainsFunc(p.Name, unicode.IsControl) {
			return fmt.Errorf("the name for %s is empty or contains line breaks or control characters", p.Email)
		}
		a, err := mail.ParseAddress(p.Email)
		if err != nil || a.Address != p.Email {
			return fmt.Errorf("%q is not a valid email address", p.Email)
		}
		if _, domain, _ := strings.Cut(a.Address, "@"); !strings.Contains(domain, ".") {
			return fmt.Errorf("%q has no full domain after the @ (like example.com)", p.Email)
		}
		if p.TimeZone != "" {
			if _, err := s.location(p.TimeZone); err != nil {
				return fmt.Errorf("%q is not a known time zone; use an IANA name such as Europe/Berlin or America/New_York", p.TimeZone)
			}
		}
	}
	if normalEmail(e.A.Email) == normalEmail(e.B.Email) {
		return fmt.Errorf("%s cannot be in a partnership with themselves; give two different people", e.A.Email)
	}
	switch e.Kind {
	case conversation.KindLeadReport, conversation.KindPeer:
	default:
		return fmt.Errorf("unknown partnership kind %q", e.Kind)
	}
	if e.Set == nil {
		return errors.New("no question set")
	}
	if errs := e.Set.Validate(); len(errs) > 0 {
		return fmt.Errorf("question set %s: %w", e.Set.Name, errs[0])
	}
	return nil
}

// Enroll creates a partnership and schedules both welcomes.
func (s *Store) Enroll(ctx context.Context, e Enrollment) (id int64, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		id, err = tx.Enroll(ctx, e)
		return err
	})
	return id, err
}

// EnrollError says which of several enrollments failed.
type EnrollError struct {
	Index int
	Err   error
}

func (e *EnrollError) Error() string { return fmt.Sprintf("enrollment %d: %v", e.Index+1, e.Err) }
func (e *EnrollError) Unwrap() error { return e.Err }

// EnrollAll creates several partnerships in one transaction: all of them or,
// on the first error, none.
func (s *Store) EnrollAll(ctx context.Context, es []Enrollment) ([]int64, error) {
	ids := make([]int64, 0, len(es))
	err := s.InTx(ctx, func(tx *Tx) error {
		for i, e := range es {
			id, err := tx.Enroll(ctx, e)
			if err != nil {
				return &EnrollError{Index: i, Err: err}
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// Enroll creates a partnership inside the transaction.
func (tx *Tx) Enroll(ctx context.Context, e Enrollment) (int64, error) {
	if err := tx.s.CheckEnrollment(e); err != nil {
		return 0, err
	}
	now := tx.s.clock.Now()
	setID, err := tx.ensureQuestionSet(ctx, e.Set)
	if err != nil {
		return 0, err
	}
	var people [2]int64
	for i, p := range []EnrollPerson{e.A, e.B} {
		zone := p.TimeZone
		if zone == "" {
			zone = tx.s.zone
		}
		var row struct {
			ID       int64  `db:"id"`
			Name     string `db:"name"`
			TimeZone string `db:"time_zone"`
		}
		if err := tx.get(ctx, &row, qUpsertPerson, normalEmail(p.Email), p.Name, zone, ts(now), p.TimeZone); err != nil {
			return 0, fmt.Errorf("store: save person %s: %w", p.Email, err)
		}
		people[i] = row.ID
	}
	key := pairKey(people[0], people[1])
	var existing int64
	switch err := tx.get(ctx, &existing, qLivePair, key); {
	case err == nil:
		return 0, &DuplicatePairError{A: e.A.Email, B: e.B.Email, Existing: existing}
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("store: look for an existing partnership: %w", err)
	}
	var id int64
	if err := tx.get(ctx, &id, qInsertPartnership, string(e.Kind), string(conversation.StatusEnrolled), setID, key, ts(now), ts(now)); err != nil {
		if isUniqueViolation(err) {
			return 0, &DuplicatePairError{A: e.A.Email, B: e.B.Email}
		}
		return 0, fmt.Errorf("store: create partnership: %w", err)
	}
	roles := [2]conversation.Role{conversation.RolePeer, conversation.RolePeer}
	if e.Kind == conversation.KindLeadReport {
		roles = [2]conversation.Role{conversation.RoleLead, conversation.RoleReport}
	}
	for slot, person := range people {
		var pid int64
		if err := tx.get(ctx, &pid, qInsertParticipant, id, person, slot, string(roles[slot]), string(conversation.ParticipantActive)); err != nil {
			return 0, fmt.Errorf("store: add participant: %w", err)
		}
	}
	var last [2]time.Time
	for i, person := range people {
		if last[i], err = tx.lastWelcome(ctx, person, id); err != nil {
			return 0, err
		}
	}
	_, err = tx.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.EnrollAfter(now, last), nil
	})
	return id, err
}

// Plain columns rather than MAX(): SQLite types only a column's value as
// a time.
var (
	qPendingWelcome = query(`SELECT pt.next_send_at FROM participants pt JOIN partnerships p ON p.id = pt.partnership_id
		WHERE pt.person_id = ? AND p.id <> ? AND p.ended_at IS NULL AND pt.position = 0 AND pt.next_send_at IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM prompts pr WHERE pr.participant_id = pt.id)
		ORDER BY pt.next_send_at DESC LIMIT 1`)
	qSentWelcome = query(`SELECT pr.sent_at FROM prompts pr JOIN participants pt ON pt.id = pr.participant_id
		WHERE pt.person_id = ? AND pr.position = 0 ORDER BY pr.sent_at DESC LIMIT 1`)
)

// lastWelcome is when the person's latest welcome of another partnership
// went out or is due to, whichever is later; zero when there is none.
func (tx *Tx) lastWelcome(ctx context.Context, person, partnership int64) (time.Time, error) {
	var last time.Time
	for _, q := range []struct {
		query *Query
		args  []any
	}{{qPendingWelcome, []any{person, partnership}}, {qSentWelcome, []any{person}}} {
		var t time.Time
		switch err := tx.get(ctx, &t, q.query, q.args...); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return time.Time{}, fmt.Errorf("store: find the last welcome of person %d: %w", person, err)
		case t.After(last):
			last = t
		}
	}
	return last, nil
}

var qLivePartnershipOf = query(`SELECT p.id FROM partnerships p
	JOIN people a ON a.email = ? JOIN people b ON b.email = ?
	WHERE p.ended_at IS NULL AND p.pair_key = CASE WHEN a.id < b.id
		THEN CAST(a.id AS TEXT) || ':' || CAST(b.id AS TEXT)
		ELSE CAST(b.id AS TEXT) || ':' || CAST(a.id AS TEXT) END`)

// LivePartnership returns the id of the partnership between two addresses
// that has not ended, or 0 when there is none.
func (s *Store) LivePartnership(ctx context.Context, emailA, emailB string) (int64, error) {
	var id int64
	err := s.get(ctx, &id, qLivePartnershipOf, normalEmail(emailA), normalEmail(emailB))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: look up partnership of %s and %s: %w", emailA, emailB, err)
	}
	return id, nil
}

var qPeopleEmails = query(`SELECT email FROM people ORDER BY id`)

// PeopleEmails lists every enrolled person's address.
func (s *Store) PeopleEmails(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.selectAll(ctx, &out, qPeopleEmails); err != nil {
		return nil, fmt.Errorf("store: people: %w", err)
	}
	return out, nil
}
