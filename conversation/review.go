package conversation

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Review is one periodic look back at the agreement. It asks both people a
// short series of questions, one per mail like the first questionnaire, and
// closes by building the next agreement version and a digest.
type Review struct {
	ID int64
	// Number counts reviews from 1; review n turns version n into n+1.
	Number int
	// Due is the review date of the version under review.
	Due Date
	// Start is the position of the review's first question: the review
	// continues each person's numbering after the questions before it.
	Start int
	// Questions are fixed when the review opens, from the version under
	// review (one question per commitment).
	Questions []Question
	OpenedAt  time.Time
	// ClosedAt is when the next version was built; zero while open.
	ClosedAt time.Time
	// Partial marks a review closed at its deadline without everyone's
	// answers.
	Partial bool
}

// End is the position after the review's last question.
func (r *Review) End() int { return r.Start + len(r.Questions) }

// Open reports whether the review still waits for answers.
func (r *Review) Open() bool { return r.ClosedAt.IsZero() }

// The ids of the review questions, before the review's number is added.
const (
	ReviewRating     = "rating"
	ReviewDeveloping = "developing"
	ReviewBrings     = "brings"
	ReviewNeeds      = "needs"
	ReviewKeepChange = "keep-change-add"
	// ReviewKept asks, of a signed agreement, whether each statement was
	// kept (see ParseKept).
	ReviewKept = "kept"
	// reviewCommitPrefix starts the id of the question about one
	// commitment topic; the topic's question id follows.
	reviewCommitPrefix = "commit-"
)

// Review errors. Adapters map them to polite replies.
var (
	// ErrRating means the reply to the rating question holds no whole
	// number from 1 to 5.
	ErrRating = errors.New("the rating must be a whole number from 1 to 5")
	// ErrBareNumber means the reply to a question that asks for words
	// was only a number.
	ErrBareNumber = errors.New("the reply was only a number")
)

// ReviewQuestionID is the id a review question has in prompts and answers:
// "review2-rating" for the rating of the second review.
func ReviewQuestionID(number int, id string) string {
	return "review" + strconv.Itoa(number) + "-" + id
}

var reviewIDPattern = regexp.MustCompile(`^review(\d+)-(.+)$`)

// ReviewQuestionParts undoes ReviewQuestionID: the review's number and
// the question's id within it; ok is false for other questions.
func ReviewQuestionParts(qid string) (number int, id string, ok bool) { return splitReviewID(qid) }

// splitReviewID undoes ReviewQuestionID; ok is false for other questions.
func splitReviewID(qid string) (number int, id string, ok bool) {
	m := reviewIDPattern.FindStringSubmatch(qid)
	if m == nil {
		return 0, "", false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, "", false
	}
	return n, m[2], true
}

// ReviewPart names what a review question asks for.
type ReviewPart string

// The parts of a review.
const (
	PartRating     ReviewPart = "rating"
	PartReflection ReviewPart = "reflection"
	PartCommitment ReviewPart = "commitment"
	// PartKept rates each statement of the agreement: kept, partly, not.
	PartKept ReviewPart = "kept"
)

// ReviewPartOf says what the question with this id asks for, and for a
// commitment question the agreement topic it is about. It returns "" for
// questions that are not part of a review.
func ReviewPartOf(qid string) (part ReviewPart, topic string) {
	_, id, ok := splitReviewID(qid)
	switch {
	case !ok:
		return "", ""
	case id == ReviewRating:
		return PartRating, ""
	case id == ReviewKept:
		return PartKept, ""
	case strings.HasPrefix(id, reviewCommitPrefix):
		return PartCommitment, strings.TrimPrefix(id, reviewCommitPrefix)
	}
	return PartReflection, ""
}

// ratingQuestion opens every review. It is not part of a question set: its
// answer feeds the trend in the digest, which needs the same 1–5 scale in
// every partnership and every quarter. Like the built-in reflections and
// the questions about commitments, it has no words here: a review's own
// question, one without a title, is worded by the templates from its id.
var ratingQuestion = Question{ID: ReviewRating}

// builtinReflections are the review's reflection questions for a set that
// brings none of its own.
var builtinReflections = []Question{{ID: ReviewDeveloping}, {ID: ReviewBrings}, {ID: ReviewNeeds}, {ID: ReviewKeepChange}}

// ReviewOwnID is, for a question a review asks whatever the set (one
// without a title of its own), the id its words go by: rating,
// developing, brings, needs, keep-change-add, or commit for a commitment,
// with topic the id of the question whose answers it is about. ok is
// false for every other question.
func ReviewOwnID(q Question) (id, topic string, ok bool) {
	_, inner, isReview := splitReviewID(q.ID)
	if !isReview || q.Title != "" {
		return "", "", false
	}
	if t, isCommit := strings.CutPrefix(inner, reviewCommitPrefix); isCommit {
		return "commit", t, true
	}
	return inner, "", true
}

// ReviewReflections returns the reflection questions a review asks with
// set: the set's own, or the built-in ones.
func ReviewReflections(set *QuestionSet) []Question {
	if set != nil && len(set.Review) > 0 {
		return set.Review
	}
	return builtinReflections
}

// reviewQuestions words the questions of review number n of ag: the rating
// first (so a reply that is only a number is what it looks like), the set's
// reflections, then one question per commitment topic. They have no theme:
// what groups them is the review, whose number their ids carry and the
// templates word ("Review 1").
func reviewQuestions(n int, set *QuestionSet, ag *Agreement) []Question {
	qs := []Question{ratingQuestion}
	if ag != nil && len(ag.Statements) > 0 {
		// Its wording is the templates': the mail lists the statements.
		qs = append(qs, Question{ID: ReviewKept})
	}
	qs = append(qs, ReviewReflections(set)...)
	for i := range qs {
		qs[i].Section = ""
	}
	if ag != nil {
		for _, t := range append(append([]Topic(nil), ag.Commitments...), ag.Accountability...) {
			qs = append(qs, Question{ID: reviewCommitPrefix + t.QuestionID})
		}
	}
	for i := range qs {
		qs[i].ID = ReviewQuestionID(n, qs[i].ID)
		qs[i].Theme = ""
	}
	return qs
}

// QuestionAt returns the question at a person's position, across the first
// questionnaire and every review.
func (p *Partnership) QuestionAt(position int) (Question, bool) {
	if position >= 0 && position < p.Set.Len() {
		return p.Set.Questions[position], true
	}
	for _, r := range p.Reviews {
		if position >= r.Start && position < r.End() {
			return r.Questions[position-r.Start], true
		}
	}
	return Question{}, false
}

// Question returns the question with the given id, across the first
// questionnaire and every review.
func (p *Partnership) Question(id string) (Question, bool) {
	if i := p.Set.Index(id); i >= 0 {
		return p.Set.Questions[i], true
	}
	for _, r := range p.Reviews {
		for _, q := range r.Questions {
			if q.ID == id {
				return q, true
			}
		}
	}
	return Question{}, false
}

// CurrentReview returns the latest review, or nil before the first.
func (p *Partnership) CurrentReview() *Review {
	if len(p.Reviews) == 0 {
		return nil
	}
	return p.Reviews[len(p.Reviews)-1]
}

// openReview returns the review waiting for answers, or nil.
func (p *Partnership) openReview() *Review {
	if r := p.CurrentReview(); r != nil && r.Open() {
		return r
	}
	return nil
}

// askedEnd is the position a person has reached once they have responded to
// everything asked so far: the end of the latest review, or of the first
// questionnaire.
func (p *Partnership) askedEnd() int {
	if r := p.CurrentReview(); r != nil {
		return r.End()
	}
	return p.Set.Len()
}

// done reports whether a person has responded to everything asked so far.
func (p *Partnership) done(pt *Participant) bool { return pt.Position >= p.askedEnd() }

// ReviewStartsAt is when a person gets the first mail of the review due on
// d: mid-morning in their own time zone, or after their quiet hours.
func (p *Partnership) ReviewStartsAt(pt *Participant, d Date) time.Time {
	loc := pt.Person.Location
	return p.Rules.Quiet.NextAllowed(time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, loc), loc)
}

// reviewOpensAt is when the next review opens, or zero when none is due
// (no agreement yet, a review under way, or nobody to ask).
func (p *Partnership) reviewOpensAt() time.Time {
	ag := p.LatestAgreement()
	if ag == nil || p.Status != StatusAgreement || p.openReview() != nil {
		return time.Time{}
	}
	var at time.Time
	for _, pt := range p.Participants {
		if pt.Status != ParticipantActive {
			continue
		}
		if t := p.ReviewStartsAt(pt, ag.ReviewOn); at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at
}

// reviewCloses is when an open review closes with what there is.
func (p *Partnership) reviewClosesAt() time.Time {
	r := p.openReview()
	if r == nil {
		return time.Time{}
	}
	at := r.OpenedAt.Add(p.Rules.ReviewWait)
	for _, pt := range p.Participants {
		if pt.Status != ParticipantLeft && !p.done(pt) {
			return at
		}
	}
	// Both are through: it closes once the newest answer's grace has
	// passed.
	if settled := p.settledAt(r.OpenedAt); settled.Before(at) {
		return settled
	}
	return at
}

// reviewWake opens a review that has come due, and closes one whose time
// is up. A review waits while both people are paused; one that falls due
// while a single person is paused reaches them when they resume.
func (p *Partnership) reviewWake(now time.Time) {
	if at := p.reviewOpensAt(); !at.IsZero() && !at.After(now) {
		p.startReview(now)
		return
	}
	if at := p.reviewClosesAt(); !at.IsZero() && !at.After(now) {
		p.closeReview(now)
	}
}

// startReview opens the next review and schedules its first mail for each
// person who is not paused.
func (p *Partnership) startReview(now time.Time) {
	ag := p.LatestAgreement()
	r := &Review{
		Number:    ag.Version,
		Due:       ag.ReviewOn,
		Start:     p.askedEnd(),
		Questions: reviewQuestions(ag.Version, p.Set, ag),
		OpenedAt:  now,
	}
	p.Reviews = append(p.Reviews, r)
	p.Status = StatusReviewing
	p.closeDraft(now)
	for _, pt := range p.Participants {
		if pt.Status == ParticipantLeft {
			continue
		}
		pt.Position = r.Start
		if pt.Status == ParticipantActive {
			at := p.ReviewStartsAt(pt, r.Due)
			if at.Before(now) {
				at = p.Rules.Quiet.NextAllowed(now, pt.Person.Location)
			}
			pt.NextSendAt = at
		}
	}
}

// closeReview builds the next agreement version from the review's answers
// and schedules it, with the digest, for both people. Someone who has not
// finished by then is moved past the review.
func (p *Partnership) closeReview(now time.Time) {
	r := p.openReview()
	for _, pt := range p.Participants {
		if !p.done(pt) {
			r.Partial = true
			pt.Position = r.End()
		}
	}
	r.ClosedAt = now
	if p.startReviewDraft(r, now) {
		return
	}
	p.Agreements = append(p.Agreements, BuildAgreement(p, now))
	p.Status = StatusAgreement
	p.sendAgreement(now)
}

var (
	ratingPattern = regexp.MustCompile(`(?i)^\s*(\d+(?:[.,]\d+)?|one|two|three|four|five|deux|trois|quatre|cinq|eins|zwei|drei|vier|fünf|fuenf|uno|dos|tres|cuatro|cinco)\s*(?:(?:/|out of|of|sur|von|de)\s*5\b)?\s*[.!:;,)–—-]*\s*`)
	numberOnly    = regexp.MustCompile(`(?i)^\s*[-+]?\d+(?:[.,]\d+)?\s*(?:(?:/|out of|of)\s*\d+)?\s*[.!]?\s*$`)
	ratingWords   = map[string]int{
		"one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
		"deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
		"eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "fuenf": 5,
		"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
	}
)

// ParseRating reads a rating reply: a whole number from 1 to 5 (or the word
// for it), optionally "out of 5" or "/5", then an optional comment.
func ParseRating(text string) (score int, comment string, err error) {
	m := ratingPattern.FindStringSubmatchIndex(text)
	if m == nil {
		return 0, "", ErrRating
	}
	word := strings.ToLower(text[m[2]:m[3]])
	if n, ok := ratingWords[word]; ok {
		score = n
	} else if n, convErr := strconv.Atoi(word); convErr == nil {
		score = n
	} else {
		return 0, "", ErrRating // a fraction such as 3.5
	}
	if score < 1 || score > 5 {
		return 0, "", ErrRating
	}
	rest := text[m[1]:]
	if rest != "" && m[1] > 0 && isWordChar(text[m[1]-1]) && isWordChar(rest[0]) {
		return 0, "", ErrRating // "4th" or "fiver": not a rating
	}
	return score, strings.TrimSpace(rest), nil
}

func isWordChar(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// checkReviewAnswer rejects replies a review question cannot use.
func (p *Partnership) checkReviewAnswer(qid, text string) error {
	switch part, _ := ReviewPartOf(qid); part {
	case PartKept:
		n, _, _ := splitReviewID(qid)
		_, err := ParseKept(text, p.keptStatements(n))
		return err
	case PartRating:
		_, _, err := ParseRating(text)
		return err
	case PartReflection:
		if numberOnly.MatchString(text) {
			return ErrBareNumber
		}
	}
	return nil
}
