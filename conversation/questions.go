package conversation

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Section says where the answers to a question land in the agreement.
type Section string

// The sections of an agreement. Questions without a section are themes.
const (
	SectionThemes         Section = "themes"
	SectionCommitments    Section = "commitments"
	SectionAccountability Section = "accountability"
)

// PartnerPlaceholder is replaced by the partner's first name in a question's
// wording. It is the only placeholder a question set may use.
const PartnerPlaceholder = "{partner}"

// MaxTitleLength bounds a question title, which ends up in subject lines.
const MaxTitleLength = 60

// Question is one question of a set, worded for each role.
type Question struct {
	ID      string          `json:"id"`
	Theme   string          `json:"theme"`
	Title   string          `json:"title"`
	Section Section         `json:"section"`
	Why     string          `json:"why,omitempty"`
	Text    string          `json:"text,omitempty"`
	Wording map[Role]string `json:"wording,omitempty"`
}

// For returns the question as a person in role reads it, with partner in
// place of the placeholder: what the reader calls their partner, a first
// name or, for a partner without one, the templates' words for them.
func (q Question) For(role Role, partner string) string {
	w := q.Wording[role]
	if w == "" {
		w = q.Text
	}
	return strings.ReplaceAll(w, PartnerPlaceholder, partner)
}

// QuestionSet is an ordered, versioned list of questions. A partnership keeps
// the exact set it started with, so editing a set file never changes the
// questions of a partnership already under way.
type QuestionSet struct {
	Name      string     `json:"name"`
	Version   int        `json:"version"`
	Title     string     `json:"title"`
	Language  string     `json:"language"`
	Questions []Question `json:"questions"`
	// Review holds the reflection questions of every periodic review, asked
	// after the rating and before the questions about commitments. Empty
	// means the built-in reflections.
	Review []Question `json:"review,omitempty"`
}

// MaxReviewQuestions bounds the reflection questions of a set's review, so
// a review stays a short look back rather than a second questionnaire.
const MaxReviewQuestions = 8

// Index returns the position of the question with the given id, or -1.
func (s *QuestionSet) Index(id string) int {
	for i, q := range s.Questions {
		if q.ID == id {
			return i
		}
	}
	return -1
}

// Len is the number of questions in the set.
func (s *QuestionSet) Len() int { return len(s.Questions) }

// FieldError is one problem found in a question set. Question is the 0-based
// index of the question, or -1 for the set header; Review says the index is
// into the review questions.
type FieldError struct {
	Question int
	Review   bool
	Field    string
	// Problem is what is wrong, for the templates to word.
	Problem Problem
}

func (e FieldError) Error() string {
	switch {
	case e.Question < 0:
		return fmt.Sprintf("set.%s: %s", e.Field, e.Problem)
	case e.Review:
		return fmt.Sprintf("review question %d, %s: %s", e.Question+1, e.Field, e.Problem)
	}
	return fmt.Sprintf("question %d, %s: %s", e.Question+1, e.Field, e.Problem)
}

var (
	slugPattern        = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	placeholderPattern = regexp.MustCompile(`\{[^{}]*\}`)
)

// Validate reports every problem in the set, in file order. A set with no
// problems can be used for a partnership of any kind.
func (s *QuestionSet) Validate() []FieldError {
	var errs []FieldError
	set := func(field string, p Problem) {
		errs = append(errs, FieldError{Question: -1, Field: field, Problem: p})
	}
	switch {
	case s.Name == "":
		set("name", Problem{Code: ProblemSetNameMissing})
	case !slugPattern.MatchString(s.Name):
		set("name", Problem{Code: ProblemNotSlug, Input: s.Name})
	}
	if s.Version < 1 {
		set("version", Problem{Code: ProblemSetVersion, Number: s.Version})
	}
	if len(s.Questions) == 0 {
		set("question", Problem{Code: ProblemSetEmpty})
	}
	seen := make(map[string]int)
	for i, q := range s.Questions {
		add := func(field string, p Problem) {
			errs = append(errs, FieldError{Question: i, Field: field, Problem: p})
		}
		q.validate(seen, i, add)
		if strings.TrimSpace(q.Theme) == "" {
			add("theme", Problem{Code: ProblemThemeMissing})
		}
		switch q.Section {
		case "", SectionThemes, SectionCommitments, SectionAccountability:
		default:
			add("section", Problem{Code: ProblemSectionUnknown, Input: string(q.Section)})
		}
	}
	if len(s.Review) > MaxReviewQuestions {
		set("review", Problem{Code: ProblemReviewTooMany, Number: len(s.Review), Limit: MaxReviewQuestions})
	}
	seenReview := make(map[string]int)
	for i, q := range s.Review {
		add := func(field string, p Problem) {
			errs = append(errs, FieldError{Question: i, Review: true, Field: field, Problem: p})
		}
		q.validate(seenReview, i, add)
		switch {
		case q.ID == ReviewRating:
			add("id", Problem{Code: ProblemIDRating, Input: q.ID})
		case strings.HasPrefix(q.ID, reviewCommitPrefix):
			add("id", Problem{Code: ProblemIDCommit, Input: reviewCommitPrefix})
		}
		if q.Section != "" {
			add("section", Problem{Code: ProblemReviewSection})
		}
	}
	return errs
}

// validate checks what every question needs, in either list: a unique id in
// seen, a title fit for a subject line, wording for each role and only the
// known placeholder.
func (q Question) validate(seen map[string]int, i int, add func(field string, p Problem)) {
	switch {
	case q.ID == "":
		add("id", Problem{Code: ProblemIDMissing})
	case !slugPattern.MatchString(q.ID):
		add("id", Problem{Code: ProblemNotSlug, Input: q.ID})
	default:
		if first, dup := seen[q.ID]; dup {
			add("id", Problem{Code: ProblemIDTaken, Input: q.ID, Number: first + 1})
		} else {
			seen[q.ID] = i
		}
	}
	switch {
	case strings.TrimSpace(q.Title) == "":
		add("title", Problem{Code: ProblemTitleMissing})
	case utf8.RuneCountInString(q.Title) > MaxTitleLength:
		add("title", Problem{Code: ProblemTitleLong, Number: utf8.RuneCountInString(q.Title), Limit: MaxTitleLength})
	case strings.ContainsAny(q.Title, "\r\n"):
		add("title", Problem{Code: ProblemTitleLines})
	}
	for _, r := range []Role{RoleLead, RoleReport, RolePeer} {
		if strings.TrimSpace(q.Wording[r]) == "" && strings.TrimSpace(q.Text) == "" {
			add(string(r), Problem{Code: ProblemWordingMissing, Input: string(r)})
		}
	}
	for _, f := range q.wordings() {
		for _, ph := range placeholderPattern.FindAllString(f.text, -1) {
			if ph != PartnerPlaceholder {
				add(f.field, Problem{Code: ProblemPlaceholder, Input: ph})
			}
		}
	}
}

type wordingField struct{ field, text string }

// wordings lists the wording fields in file order.
func (q Question) wordings() []wordingField {
	fs := []wordingField{{"text", q.Text}}
	for _, r := range []Role{RoleLead, RoleReport, RolePeer} {
		fs = append(fs, wordingField{string(r), q.Wording[r]})
	}
	return fs
}

// FirstName returns the first word of a display name.
func FirstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
