package conversation

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is the part a person plays in a partnership.
type Role string

// The roles. A lead/report partnership has one of each; a peer partnership
// has two peers.
const (
	RoleLead   Role = "lead"
	RoleReport Role = "report"
	RolePeer   Role = "peer"
)

// Kind is the shape of a partnership.
type Kind string

// The kinds of partnership.
const (
	KindLeadReport Kind = "lead-report"
	KindPeer       Kind = "peer"
)

// Status is where a partnership is in its life.
type Status string

// The lifecycle: enrolled until the first welcome goes out, answering while
// either person still has questions, drafting while the two agree on the
// statements of version 1 (see Draft), agreement once version 1 exists,
// reviewing while a periodic review waits for answers (then agreement
// again), ended when a person leaves or the operator ends it.
const (
	StatusEnrolled  Status = "enrolled"
	StatusAnswering Status = "answering"
	StatusDrafting  Status = "drafting"
	StatusAgreement Status = "agreement"
	StatusReviewing Status = "reviewing"
	StatusEnded     Status = "ended"
)

// ParticipantStatus says whether Accord may write to a person.
type ParticipantStatus string

// The participant states.
const (
	ParticipantActive ParticipantStatus = "active"
	ParticipantPaused ParticipantStatus = "paused"
	ParticipantLeft   ParticipantStatus = "left"
)

// PromptState is what became of a question sent to a person.
type PromptState string

// The prompt states.
const (
	PromptOpen     PromptState = "open"
	PromptAnswered PromptState = "answered"
	PromptSkipped  PromptState = "skipped"
)

// Errors returned by operations. Adapters map them to polite replies.
var (
	ErrEnded              = errors.New("the partnership has ended")
	ErrLeft               = errors.New("this person has left the partnership")
	ErrRejoinTooLate      = errors.New("this person left too long ago to come back")
	ErrUnknownParticipant = errors.New("this person is not part of the partnership")
	ErrNotAsked           = errors.New("that question has not been asked yet")
	ErrNotCurrent         = errors.New("only the current question can be skipped")
	ErrEmptyAnswer        = errors.New("the answer is empty")
	ErrNotPaused          = errors.New("not paused")
	ErrPastDate           = errors.New("the date is not in the future")
)

// Person is someone Accord writes to. One person may be in several
// partnerships.
type Person struct {
	ID       int64
	Name     string
	Email    string
	Location *time.Location
	// Language is the language the person reads, an ISO 639-1 code ("de");
	// empty for the service's default.
	Language string
}

// Participant is a person in one partnership, with their own pace.
type Participant struct {
	ID     int64
	Role   Role
	Person Person
	Status ParticipantStatus
	// PausedUntil is when a pause ends by itself; zero while paused means
	// until the person resumes.
	PausedUntil time.Time
	// Position is the index of the person's current question; it equals the
	// number of questions once they have answered or skipped them all.
	Position int
	// NextSendAt is when the next mail that moves the person along (their
	// current question or the agreement) goes out; zero when none waits.
	NextSendAt time.Time
	// AgreementSeen is the latest agreement version mailed to the person.
	AgreementSeen int
	// LastSeenAt is when the person last wrote to Accord.
	LastSeenAt time.Time
	// HeldReply fingerprints the person's last reply when it was held back
	// as a likely slip (see Hold); empty otherwise.
	HeldReply string
	// UndoneAt is when the person last took an answer back with Undo; an
	// answer recorded before it cannot be undone.
	UndoneAt time.Time
	// StopAskedAt is when the person asked to leave and was asked to
	// confirm; zero when no such request is open.
	StopAskedAt time.Time
	// LeftAt is when the person left; they may come back with resume
	// until RejoinWithin has passed.
	LeftAt  time.Time
	Prompts []*Prompt
	// Reveals are partner answers made visible to this person. Only those
	// not yet delivered need to be loaded.
	Reveals []*Reveal
}

// Prompt is one question sent to one person.
type Prompt struct {
	ID         int64
	QuestionID string
	Position   int
	SentAt     time.Time
	// NudgedAt is when Accord last asked: the first send, a resend, a
	// reminder, or the person writing back. The next reminder counts from it.
	NudgedAt  time.Time
	Reminders int
	State     PromptState
}

// Answer is what a person wrote to a question. A person may answer the same
// question again; every answer is kept and the latest counts.
type Answer struct {
	ID            int64
	ParticipantID int64
	Prompt        *Prompt
	QuestionID    string
	Text          string
	At            time.Time
	// ReceiptAt is when the answer was echoed back to its author; zero while
	// the echo waits for the author's next mail.
	ReceiptAt time.Time
	// SeenAt is when the partner was first shown the answer; zero while
	// they have not been.
	SeenAt time.Time
}

// Amendment is something a person wrote about the agreement outside any
// question, kept for the next review.
type Amendment struct {
	ID            int64
	ParticipantID int64
	Text          string
	At            time.Time
}

// Reveal makes a partner's answer visible to Viewer. It rides along with the
// viewer's next mail rather than being sent alone.
type Reveal struct {
	ID          int64
	ViewerID    int64
	Answer      *Answer
	CreatedAt   time.Time
	DeliveredAt time.Time
}

// Partnership is the aggregate every operation works on.
type Partnership struct {
	ID           int64
	Kind         Kind
	Status       Status
	Set          *QuestionSet
	Rules        Rules
	Participants [2]*Participant
	Answers      []*Answer
	// Withdrawn are answers taken back with Undo during this operation;
	// adapters delete them.
	Withdrawn  []*Answer
	Agreements []*Agreement
	// Draft is the drafting round of the agreement's statements: the
	// live one while drafting goes on (see DraftOpen), else the last.
	// Adapters load it while it is open.
	Draft *Draft
	// EndedRounds are drafting rounds that ended during this operation,
	// a newer round or a signed version taking over; adapters save them
	// as they stand.
	EndedRounds []*Draft
	// Amendments are what people wrote back to their agreement, kept for
	// its next review.
	Amendments []*Amendment
	// CheckinPlan is the check-in schedule chosen before the agreement;
	// the series starts from it once the agreement is built.
	CheckinPlan *Schedule
	// Checkin is the check-in series, once there is one.
	Checkin *Series
	// EarlierCheckins are cancelled series a newer Checkin replaced, oldest
	// first, with the meetings they recorded; the quarter's digest counts
	// them too. Adapters load them while a review is open.
	EarlierCheckins []*Series
	// OtherCheckins are the running check-in series the two people have
	// in other partnerships, read only; adapters load them so that a time
	// that would clash is refused.
	OtherCheckins []OtherSeries
	// CheckinNotes are what people wrote before and after meetings.
	CheckinNotes []*CheckinNote
	// Reviews are the periodic reviews so far, oldest first.
	Reviews []*Review
	// ScheduleAskedAt is when the lead was asked for a check-in time.
	ScheduleAskedAt time.Time
	CreatedAt       time.Time
	EndedAt         time.Time
	EndReason       string
}

// NewPartnership checks the two people and returns a partnership ready for
// [Partnership.Enroll]. For KindLeadReport, a is the lead and b the report.
func NewPartnership(kind Kind, a, b Person, set *QuestionSet, rules Rules, now time.Time) (*Partnership, error) {
	if set == nil || set.Len() == 0 {
		return nil, errors.New("the question set is empty")
	}
	roles := [2]Role{RolePeer, RolePeer}
	switch kind {
	case KindLeadReport:
		roles = [2]Role{RoleLead, RoleReport}
	case KindPeer:
	default:
		return nil, fmt.Errorf("unknown partnership kind %q", kind)
	}
	if a.Email == "" || b.Email == "" {
		return nil, errors.New("both people need an email address")
	}
	if strings.EqualFold(a.Email, b.Email) {
		return nil, fmt.Errorf("%s cannot be in a partnership with themselves", a.Email)
	}
	for _, p := range []Person{a, b} {
		if p.Location == nil {
			return nil, fmt.Errorf("%s has no time zone", p.Email)
		}
	}
	p := &Partnership{Kind: kind, Status: StatusEnrolled, Set: set, Rules: rules, CreatedAt: now}
	for i, person := range []Person{a, b} {
		p.Participants[i] = &Participant{Role: roles[i], Person: person, Status: ParticipantActive}
	}
	return p, nil
}

// Participant returns the participant with the given id.
func (p *Partnership) Participant(id int64) (*Participant, error) {
	for _, pt := range p.Participants {
		if pt != nil && pt.ID == id {
			return pt, nil
		}
	}
	return nil, ErrUnknownParticipant
}

// Partner returns the other person of the partnership.
func (p *Partnership) Partner(pt *Participant) *Participant {
	if p.Participants[0] == pt {
		return p.Participants[1]
	}
	return p.Participants[0]
}

// Lead returns the participant whose time zone sets partnership-wide dates:
// the lead, or the first peer.
func (p *Partnership) Lead() *Participant { return p.Participants[0] }

// Prompt returns the prompt a person got for a question, or nil.
func (pt *Participant) Prompt(questionID string) *Prompt {
	for _, pr := range pt.Prompts {
		if pr.QuestionID == questionID {
			return pr
		}
	}
	return nil
}

// Current returns the open prompt at the person's position, or nil when the
// current question has not gone out yet or they are done.
func (pt *Participant) Current() *Prompt {
	for _, pr := range pt.Prompts {
		if pr.Position == pt.Position && pr.State == PromptOpen {
			return pr
		}
	}
	return nil
}

// Finished reports whether the person has answered or skipped every question.
func (pt *Participant) Finished(set *QuestionSet) bool { return pt.Position >= set.Len() }

// Counts is how many questions the person has answered and skipped.
func (pt *Participant) Counts() (answered, skipped int) {
	for _, pr := range pt.Prompts {
		switch pr.State {
		case PromptAnswered:
			answered++
		case PromptSkipped:
			skipped++
		}
	}
	return answered, skipped
}

// responded reports whether the person answered or skipped a question, which
// is what entitles them to see their partner's answer to it.
func (pt *Participant) responded(questionID string) bool {
	pr := pt.Prompt(questionID)
	return pr != nil && pr.State != PromptOpen
}

// answered reports whether a person has answered a question (not only
// skipped it): only then may they see their partner's answer to it.
func (pt *Participant) answered(questionID string) bool {
	pr := pt.Prompt(questionID)
	return pr != nil && pr.State == PromptAnswered
}

// LatestAnswer returns a person's most recent answer to a question, or nil.
func (p *Partnership) LatestAnswer(participantID int64, questionID string) *Answer {
	var latest *Answer
	for _, a := range p.Answers {
		if a.ParticipantID == participantID && a.QuestionID == questionID {
			latest = a
		}
	}
	return latest
}

// LatestAgreement returns the newest agreement version, or nil.
func (p *Partnership) LatestAgreement() *Agreement {
	if len(p.Agreements) == 0 {
		return nil
	}
	return p.Agreements[len(p.Agreements)-1]
}

// Version returns version v of the agreement, or nil.
func (p *Partnership) Version(v int) *Agreement {
	for _, ag := range p.Agreements {
		if ag.Version == v {
			return ag
		}
	}
	return nil
}
