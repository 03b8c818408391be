package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"

	"accord/conversation"
	"accord/internal/apply"
)

// EnrollPerson is one person as the operator names them.
type EnrollPerson struct {
	Name  string
	Email string
	// TimeZone is an IANA zone. Empty keeps a known person's zone, or gives
	// a new person the store's default.
	TimeZone string
	// Language is the language the person reads, an ISO 639-1 code. Empty
	// keeps a known person's, or leaves a new person on the service's
	// default.
	Language string
}

// Enrollment asks for a new partnership. For KindLeadReport, A is the lead
// and B the report; for KindPeer the order does not matter.
type Enrollment struct {
	Kind conversation.Kind
	A, B EnrollPerson
	Set  *conversation.QuestionSet
}

// languageCode is the form of a person's language: an ISO 639-1 code.
var languageCode = regexp.MustCompile(`^[a-z]{2}$`)

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
		if p.Language != "" && !languageCode.MatchString(p.Language) {
			return fmt.Errorf("%q is not a language code; use two letters such as de or fr", p.Language)
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
	err := s.EnrollEach(ctx, enrollments(es), func(_ int, id int64) { ids = append(ids, id) })
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// enrollments yields es, without errors.
func enrollments(es []Enrollment) iter.Seq2[Enrollment, error] {
	return func(yield func(Enrollment, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// EnrollEach creates the partnerships rows yields, in one transaction: all
// of them or, on the first error, none. A row that cannot be enrolled is an
// *EnrollError with its index; an error rows yields ends it as it is.
// Rows are written a batch at a time, so however many there are, memory
// holds one batch. added, when set, hears each new partnership's id with
// its row's index, in order.
func (s *Store) EnrollEach(ctx context.Context, rows iter.Seq2[Enrollment, error], added func(index int, id int64)) error {
	return s.InTx(ctx, func(tx *Tx) error {
		return tx.enrollEach(ctx, rows, added)
	})
}

// Enroll creates a partnership inside the transaction.
func (tx *Tx) Enroll(ctx context.Context, e Enrollment) (int64, error) {
	var id int64
	err := tx.enrollEach(ctx, enrollments([]Enrollment{e}), func(_ int, got int64) { id = got })
	var ee *EnrollError
	if errors.As(err, &ee) {
		return 0, ee.Err
	}
	return id, err
}

// enrollBatch is how many partnerships one round of multi-row statements
// creates.
const enrollBatch = 250

// enrollEach gathers rows into batches and enrolls each. A batch ends
// early where a row repeats a pair of the batch, or names a person of the
// batch with another name or time zone, so that each row sees the people
// and partnerships of the rows before it as if they were enrolled one at a
// time.
func (tx *Tx) enrollEach(ctx context.Context, rows iter.Seq2[Enrollment, error], added func(int, int64)) error {
	en := &enroller{tx: tx, sets: map[*conversation.QuestionSet]int64{}, stmts: map[string]*sqlx.Stmt{}}
	defer en.close()
	var (
		batch  []Enrollment
		first  int // index of batch[0]
		people = map[string]EnrollPerson{}
		pairs  = map[string]bool{}
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids, err := en.enroll(ctx, batch, first)
		if err != nil {
			return err
		}
		if added != nil {
			for i, id := range ids {
				added(first+i, id)
			}
		}
		first += len(batch)
		batch = batch[:0]
		clear(people)
		clear(pairs)
		return nil
	}
	i := 0
	for e, err := range rows {
		if err != nil {
			return err
		}
		if err := tx.s.CheckEnrollment(e); err != nil {
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return &EnrollError{Index: i, Err: err}
		}
		a, b := normalEmail(e.A.Email), normalEmail(e.B.Email)
		pair := min(a, b) + " " + max(a, b)
		clash := func(email string, p EnrollPerson) bool {
			known, ok := people[email]
			return ok && (known.Name != p.Name || known.TimeZone != p.TimeZone || known.Language != p.Language)
		}
		if len(batch) == enrollBatch || pairs[pair] || clash(a, e.A) || clash(b, e.B) {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, e)
		people[a], people[b], pairs[pair] = e.A, e.B, true
		i++
	}
	return flush()
}

// enroller creates partnerships a batch at a time with multi-row
// statements, prepared once for the transaction.
type enroller struct {
	tx   *Tx
	sets map[*conversation.QuestionSet]int64
	// stmts holds the batch statements by text: a full batch and the last,
	// shorter one each have theirs.
	stmts map[string]*sqlx.Stmt
}

func (en *enroller) close() {
	for _, st := range en.stmts {
		st.Close()
	}
}

// selectAll runs a batch statement, written with ? placeholders, after the
// writes the transaction has queued.
func (en *enroller) selectAll(ctx context.Context, dest any, text string, args ...any) error {
	if err := en.tx.flush(ctx); err != nil {
		return err
	}
	if en.tx.s.dialect == Postgres {
		text = sqlx.Rebind(sqlx.DOLLAR, text)
	}
	st := en.stmts[text]
	if st == nil {
		var err error
		if st, err = en.tx.tx.PreparexContext(ctx, text); err != nil {
			return err
		}
		en.stmts[text] = st
	}
	return st.SelectContext(ctx, dest, args...)
}

// tuples is n groups of k placeholders, for a multi-row statement.
func tuples(n, k int) string {
	one := "(?" + strings.Repeat(", ?", k-1) + ")"
	return one + strings.Repeat(", "+one, n-1)
}

// inList is a parenthesised list of n placeholders.
func inList(n int) string { return tuples(1, n) }

type enrolledPerson struct {
	ID       int64  `db:"id"`
	Email    string `db:"email"`
	Name     string `db:"name"`
	TimeZone string `db:"time_zone"`
	Language string `db:"language"`
}

const (
	upsertPeopleKeepZone = `INSERT INTO people (email, name, time_zone, language, created_at) VALUES %s
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE people.name END,
			language = CASE WHEN excluded.language <> '' THEN excluded.language ELSE people.language END
		RETURNING id, email, name, time_zone, language`
	upsertPeopleSetZone = `INSERT INTO people (email, name, time_zone, language, created_at) VALUES %s
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE people.name END,
			time_zone = excluded.time_zone,
			language = CASE WHEN excluded.language <> '' THEN excluded.language ELSE people.language END
		RETURNING id, email, name, time_zone, language`
	peopleByEmail  = `SELECT id, email, name, time_zone, language FROM people WHERE email IN %s`
	livePairsByKey = `SELECT id, pair_key FROM partnerships WHERE ended_at IS NULL AND pair_key IN %s`
	insertPairs    = `INSERT INTO partnerships (kind, status, question_set_id, pair_key, created_at, updated_at) VALUES %s RETURNING id, pair_key`
	insertSeats    = `INSERT INTO participants (partnership_id, person_id, slot, role, status) VALUES %s RETURNING id, partnership_id, slot`
	insertPrompts  = `INSERT INTO prompts (partnership_id, participant_id, question_id, position, state, sent_at, nudged_at, reminders)
		VALUES %s RETURNING id, participant_id, question_id`
	// A person's welcomes in other partnerships: those still to go out,
	// and those sent. Plain columns rather than MAX(): SQLite types only a
	// column's value as a time.
	pendingWelcomes = `SELECT pt.person_id, pt.next_send_at AS at FROM participants pt JOIN partnerships p ON p.id = pt.partnership_id
		WHERE pt.person_id IN %s AND p.ended_at IS NULL AND pt.position = 0 AND pt.next_send_at IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM prompts pr WHERE pr.participant_id = pt.id)`
	sentWelcomes = `SELECT pt.person_id, pr.sent_at AS at FROM prompts pr JOIN participants pt ON pt.id = pr.participant_id
		WHERE pt.person_id IN %s AND pr.position = 0`
)

// upsertPeople saves the people of a batch, each once, and returns them as
// stored, by normalised address. A time zone given replaces the one
// stored; none keeps it, or gives a new person the store's default.
func (en *enroller) upsertPeople(ctx context.Context, es []Enrollment, now time.Time) (map[string]enrolledPerson, error) {
	var keep, set []any
	seen := map[string]bool{}
	for _, e := range es {
		for _, p := range []EnrollPerson{e.A, e.B} {
			email := normalEmail(p.Email)
			if seen[email] {
				continue
			}
			seen[email] = true
			if p.TimeZone == "" {
				keep = append(keep, email, p.Name, en.tx.s.zone, p.Language, ts(now))
			} else {
				set = append(set, email, p.Name, p.TimeZone, p.Language, ts(now))
			}
		}
	}
	out := make(map[string]enrolledPerson, len(seen))
	for _, group := range []struct {
		text string
		args []any
	}{{upsertPeopleKeepZone, keep}, {upsertPeopleSetZone, set}} {
		if len(group.args) == 0 {
			continue
		}
		var rows []enrolledPerson
		if err := en.selectAll(ctx, &rows, fmt.Sprintf(group.text, tuples(len(group.args)/5, 5)), group.args...); err != nil {
			return nil, fmt.Errorf("store: save people: %w", err)
		}
		for _, r := range rows {
			out[r.Email] = r
		}
	}
	return out, nil
}

// livePairs finds the partnerships that have not ended among pair keys.
func (en *enroller) livePairs(ctx context.Context, keys []string) (map[string]int64, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	var rows []struct {
		ID      int64  `db:"id"`
		PairKey string `db:"pair_key"`
	}
	if err := en.selectAll(ctx, &rows, fmt.Sprintf(livePairsByKey, inList(len(keys))), args...); err != nil {
		return nil, fmt.Errorf("store: look for existing partnerships: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.PairKey] = r.ID
	}
	return out, nil
}

// lastWelcomes is, for each person, when their latest welcome of another
// partnership went out or is due to, whichever is later; people without
// one are missing.
func (en *enroller) lastWelcomes(ctx context.Context, people []int64) (map[int64]time.Time, error) {
	args := make([]any, len(people))
	for i, id := range people {
		args[i] = id
	}
	last := make(map[int64]time.Time, len(people))
	for _, text := range []string{pendingWelcomes, sentWelcomes} {
		var rows []struct {
			PersonID int64     `db:"person_id"`
			At       time.Time `db:"at"`
		}
		if err := en.selectAll(ctx, &rows, fmt.Sprintf(text, inList(len(people))), args...); err != nil {
			return nil, fmt.Errorf("store: find the last welcomes: %w", err)
		}
		for _, r := range rows {
			if r.At.After(last[r.PersonID]) {
				last[r.PersonID] = r.At
			}
		}
	}
	return last, nil
}

// fresh is a partnership of the batch: created, not yet saved.
type fresh struct {
	p    *conversation.Partnership
	snap *snapshot
	msgs []conversation.Message
}

// enroll creates a batch of checked enrollments; first is the index of
// es[0] among all rows, for errors. It returns the new ids in order.
func (en *enroller) enroll(ctx context.Context, es []Enrollment, first int) ([]int64, error) {
	tx := en.tx
	now := tx.s.clock.Now()
	setIDs := make([]int64, len(es))
	for i, e := range es {
		id, ok := en.sets[e.Set]
		if !ok {
			var err error
			if id, err = tx.ensureQuestionSet(ctx, e.Set); err != nil {
				return nil, &EnrollError{Index: first + i, Err: err}
			}
			en.sets[e.Set] = id
		}
		setIDs[i] = id
	}
	people, err := en.upsertPeople(ctx, es, now)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(es))
	var personIDs []int64
	for i, e := range es {
		a, b := people[normalEmail(e.A.Email)], people[normalEmail(e.B.Email)]
		keys[i] = pairKey(a.ID, b.ID)
		personIDs = append(personIDs, a.ID, b.ID)
	}
	live, err := en.livePairs(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i, e := range es {
		if existing, ok := live[keys[i]]; ok {
			return nil, &EnrollError{Index: first + i, Err: &DuplicatePairError{A: e.A.Email, B: e.B.Email, Existing: existing}}
		}
	}
	slices.Sort(personIDs)
	last, err := en.lastWelcomes(ctx, slices.Compact(personIDs))
	if err != nil {
		return nil, err
	}

	args := make([]any, 0, 6*len(es))
	for i, e := range es {
		args = append(args, string(e.Kind), string(conversation.StatusEnrolled), setIDs[i], keys[i], ts(now), ts(now))
	}
	var created []struct {
		ID      int64  `db:"id"`
		PairKey string `db:"pair_key"`
	}
	if err := en.selectAll(ctx, &created, fmt.Sprintf(insertPairs, tuples(len(es), 6)), args...); err != nil {
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("store: create partnerships: one of these pairs was enrolled at the same time: %w", err)
		}
		return nil, fmt.Errorf("store: create partnerships: %w", err)
	}
	ids := make(map[string]int64, len(created))
	for _, c := range created {
		ids[c.PairKey] = c.ID
	}
	args = args[:0]
	for i, e := range es {
		roles := [2]conversation.Role{conversation.RolePeer, conversation.RolePeer}
		if e.Kind == conversation.KindLeadReport {
			roles = [2]conversation.Role{conversation.RoleLead, conversation.RoleReport}
		}
		for slot, p := range []EnrollPerson{e.A, e.B} {
			args = append(args, ids[keys[i]], people[normalEmail(p.Email)].ID, slot, string(roles[slot]), string(conversation.ParticipantActive))
		}
	}
	var seats []struct {
		ID            int64 `db:"id"`
		PartnershipID int64 `db:"partnership_id"`
		Slot          int   `db:"slot"`
	}
	if err := en.selectAll(ctx, &seats, fmt.Sprintf(insertSeats, tuples(2*len(es), 5)), args...); err != nil {
		return nil, fmt.Errorf("store: add participants: %w", err)
	}
	seatIDs := make(map[[2]int64]int64, len(seats))
	for _, s := range seats {
		seatIDs[[2]int64{s.PartnershipID, int64(s.Slot)}] = s.ID
	}

	// Each partnership as a load would find it, and what enrolling it
	// does; the welcomes of one count for the spacing of the next.
	batch := make([]fresh, len(es))
	out := make([]int64, len(es))
	for i, e := range es {
		id := ids[keys[i]]
		out[i] = id
		f, err := en.build(ctx, e, id, setIDs[i], people, seatIDs, now)
		if err != nil {
			return nil, &EnrollError{Index: first + i, Err: err}
		}
		var lw [2]time.Time
		for slot, pt := range f.p.Participants {
			lw[slot] = last[pt.Person.ID]
		}
		applied := tx.s.clock.Now()
		f.msgs = f.p.EnrollAfter(applied, lw)
		for _, pt := range f.p.Participants {
			if at := welcomeAt(pt); at.After(last[pt.Person.ID]) {
				last[pt.Person.ID] = at
			}
		}
		batch[i] = f
	}
	if err := en.savePrompts(ctx, batch); err != nil {
		return nil, err
	}
	reads := en.knownThreads(batch)
	for i, f := range batch {
		tx.keep(f.p, f.snap)
		if err := apply.Settle(ctx, tx, f.p, f.msgs, tx.s.clock.Now()); err != nil {
			return nil, &EnrollError{Index: first + i, Err: err}
		}
	}
	// What the dispatcher did not ask for is of no further use.
	for _, r := range reads {
		tx.cached(r.q, r.args)
	}
	return out, nil
}

// build makes the partnership just created, as loading it would.
func (en *enroller) build(ctx context.Context, e Enrollment, id, setID int64, people map[string]enrolledPerson, seats map[[2]int64]int64, now time.Time) (fresh, error) {
	set, err := en.tx.questionSet(ctx, setID)
	if err != nil {
		return fresh{}, err
	}
	created, _ := ts(now).(time.Time)
	p := &conversation.Partnership{ID: id, Kind: e.Kind, Status: conversation.StatusEnrolled, Set: set, Rules: en.tx.s.rules, CreatedAt: created}
	snap := &snapshot{
		participants: map[int64]participantState{},
		prompts:      map[int64]conversation.Prompt{},
		receipts:     map[int64]time.Time{},
		delivered:    map[int64]time.Time{},
		checkin:      &checkinSnapshot{occurrences: map[int64]conversation.Occurrence{}, responses: map[int64]conversation.CalendarResponse{}, notes: map[int64]int64{}},
		reviews:      map[int64]reviewState{},
	}
	roles := [2]conversation.Role{conversation.RolePeer, conversation.RolePeer}
	if e.Kind == conversation.KindLeadReport {
		roles = [2]conversation.Role{conversation.RoleLead, conversation.RoleReport}
	}
	for slot, who := range []EnrollPerson{e.A, e.B} {
		r := people[normalEmail(who.Email)]
		loc, err := en.tx.s.location(r.TimeZone)
		if err != nil {
			return fresh{}, err
		}
		pt := &conversation.Participant{
			ID:     seats[[2]int64{id, int64(slot)}],
			Role:   roles[slot],
			Person: conversation.Person{ID: r.ID, Name: r.Name, Email: r.Email, Location: loc, Language: en.tx.s.languageOr(r.Language)},
			Status: conversation.ParticipantActive,
		}
		p.Participants[slot] = pt
		snap.participants[pt.ID] = stateOf(pt)
	}
	return fresh{p: p, snap: snap}, nil
}

// welcomeAt is when a participant's welcome went out, or is due to, as
// lastWelcomes would read it once saved; zero when neither.
func welcomeAt(pt *conversation.Participant) time.Time {
	for _, pr := range pt.Prompts {
		if pr.Position == 0 {
			return pr.SentAt
		}
	}
	if len(pt.Prompts) == 0 && pt.Position == 0 {
		return pt.NextSendAt
	}
	return time.Time{}
}

// savePrompts inserts the questions the batch sent in one statement and
// records them as saved, so that save does not insert them one by one.
func (en *enroller) savePrompts(ctx context.Context, batch []fresh) error {
	var args []any
	byKey := map[string]*conversation.Prompt{}
	for _, f := range batch {
		for _, pt := range f.p.Participants {
			for _, pr := range pt.Prompts {
				if pr.ID != 0 {
					continue
				}
				args = append(args, f.p.ID, pt.ID, pr.QuestionID, pr.Position, string(pr.State), ts(pr.SentAt), ts(pr.NudgedAt), pr.Reminders)
				byKey[strconv.FormatInt(pt.ID, 10)+" "+pr.QuestionID] = pr
			}
		}
	}
	if len(args) == 0 {
		return nil
	}
	var rows []struct {
		ID            int64  `db:"id"`
		ParticipantID int64  `db:"participant_id"`
		QuestionID    string `db:"question_id"`
	}
	if err := en.selectAll(ctx, &rows, fmt.Sprintf(insertPrompts, tuples(len(args)/8, 8)), args...); err != nil {
		return fmt.Errorf("store: save the first questions: %w", err)
	}
	for _, r := range rows {
		if pr := byKey[strconv.FormatInt(r.ParticipantID, 10)+" "+r.QuestionID]; pr != nil {
			pr.ID = r.ID
		}
	}
	for _, f := range batch {
		for _, pt := range f.p.Participants {
			for _, pr := range pt.Prompts {
				f.snap.prompts[pr.ID] = *pr
			}
		}
	}
	return nil
}

// questionsThread is the thread the dispatcher files the first questions
// under (mailout.ThreadQuestions); see knownThreads.
const questionsThread = "questions"

// knownThreads tells the transaction that the threads the dispatcher
// will look up for the batch's mail (mailout.ThreadQuestions) are empty:
// the participants were created in this transaction, so no mail of
// theirs is stored yet, and no lookup needs to run. It returns the
// reads, to drop what was not asked for.
func (en *enroller) knownThreads(batch []fresh) []read {
	var reads []read
	for _, f := range batch {
		for _, m := range f.msgs {
			reads = append(reads, fetch(qThread, m.To.ID, questionsThread, m.To.ID, questionsThread, ThreadLength-1))
		}
	}
	en.tx.known(reads...)
	return reads
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

// LivePartnerships looks up, for each pair of addresses, the partnership
// between them that has not ended: its id, or 0 when there is none. It
// reads a few hundred pairs in two queries, for checking a whole file of
// enrollments before any is made.
func (s *Store) LivePartnerships(ctx context.Context, pairs [][2]string) ([]int64, error) {
	out := make([]int64, len(pairs))
	if len(pairs) == 0 {
		return out, nil
	}
	var emails []any
	seen := map[string]bool{}
	for _, p := range pairs {
		for _, e := range p {
			if e = normalEmail(e); !seen[e] {
				seen[e] = true
				emails = append(emails, e)
			}
		}
	}
	var people []enrolledPerson
	if err := s.selectText(ctx, &people, fmt.Sprintf(peopleByEmail, inList(len(emails))), emails...); err != nil {
		return nil, fmt.Errorf("store: look up people: %w", err)
	}
	ids := make(map[string]int64, len(people))
	for _, p := range people {
		ids[p.Email] = p.ID
	}
	keys := make([]string, len(pairs))
	var args []any
	for i, p := range pairs {
		a, b := ids[normalEmail(p[0])], ids[normalEmail(p[1])]
		if a != 0 && b != 0 {
			keys[i] = pairKey(a, b)
			args = append(args, keys[i])
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	var rows []struct {
		ID      int64  `db:"id"`
		PairKey string `db:"pair_key"`
	}
	if err := s.selectText(ctx, &rows, fmt.Sprintf(livePairsByKey, inList(len(args))), args...); err != nil {
		return nil, fmt.Errorf("store: look up partnerships: %w", err)
	}
	live := make(map[string]int64, len(rows))
	for _, r := range rows {
		live[r.PairKey] = r.ID
	}
	for i, k := range keys {
		if k != "" {
			out[i] = live[k]
		}
	}
	return out, nil
}

// selectText runs a statement written with ? placeholders whose text is
// built for the call, such as one with an IN list.
func (s *Store) selectText(ctx context.Context, dest any, text string, args ...any) error {
	if s.dialect == Postgres {
		text = sqlx.Rebind(sqlx.DOLLAR, text)
	}
	return s.db.SelectContext(ctx, dest, text, args...)
}
