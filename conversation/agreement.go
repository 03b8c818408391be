package conversation

import (
	"fmt"
	"time"
)

// Agreement is one version of a partnership agreement. Versions are never
// changed once built; a later version names the one it follows.
type Agreement struct {
	ID       int64     `json:"-"`
	Version  int       `json:"version"`
	Previous int       `json:"previous,omitempty"`
	Created  time.Time `json:"created"`
	// ReviewOn is the date of the next review, in the lead's time zone.
	ReviewOn       Date    `json:"review_on"`
	QuestionSet    string  `json:"question_set"`
	Parties        []Party `json:"parties"`
	Themes         []Theme `json:"themes"`
	Commitments    []Topic `json:"commitments"`
	Accountability []Topic `json:"accountability"`
	// Review is the review that built this version; nil for version 1.
	Review *ReviewRecord `json:"review,omitempty"`
	// Changes are the commitments the review added, changed or dropped,
	// and the theme answers rewritten during it.
	Changes []Change `json:"changes,omitempty"`
	// Statements are what the two agreed to while drafting, in order;
	// empty in versions built without a draft.
	Statements []AgreedStatement `json:"statements,omitempty"`
	// Signatures are the two parties' signatures of the statements, in
	// the order of Parties; a zero At is a party who has not signed.
	Signatures []Signature `json:"signatures,omitempty"`
	// StillOpen counts statements still open when drafting ran out of
	// rounds: left out of this version, for the review to take up.
	StillOpen int `json:"still_open,omitempty"`
}

// AgreedStatement is one statement of an agreement, in its author's
// words.
type AgreedStatement struct {
	Number int    `json:"number"`
	Theme  string `json:"theme,omitempty"`
	Role   Role   `json:"role"`
	Name   string `json:"name"`
	Text   string `json:"text"`
}

// Signature is one party's signature of a version's statements.
type Signature struct {
	Role Role      `json:"role"`
	Name string    `json:"name"`
	At   time.Time `json:"at,omitzero"`
}

// Signed reports whether both parties signed the version's statements.
func (ag *Agreement) Signed() bool {
	if len(ag.Signatures) != 2 {
		return false
	}
	for _, s := range ag.Signatures {
		if s.At.IsZero() {
			return false
		}
	}
	return true
}

// Party is one of the two people an agreement is between.
type Party struct {
	Role Role   `json:"role"`
	Name string `json:"name"`
}

// Theme groups the questions that share a theme heading.
type Theme struct {
	Title  string  `json:"title"`
	Topics []Topic `json:"topics"`
}

// Topic is one question with both people's answers, attributed.
type Topic struct {
	QuestionID string `json:"question_id"`
	// Number is the question's place in the question set, counting from
	// 1: the number the agreement shows, and the one a rewrite names
	// ("change 7: …"). Zero for review reflections, and in versions built
	// before topics were numbered.
	Number  int     `json:"number,omitempty"`
	Title   string  `json:"title"`
	Entries []Entry `json:"entries"`
}

// Entry is what one person said on a topic. Skipped is set when they passed
// on the question; Text is then empty.
type Entry struct {
	Role    Role   `json:"role"`
	Name    string `json:"name"`
	Text    string `json:"text,omitempty"`
	Skipped bool   `json:"skipped,omitempty"`
	// Dropped is set when a review took the person's words out.
	Dropped bool `json:"dropped,omitempty"`
}

// BuildAgreement makes the next agreement version from the latest answers.
// The first review is set Rules.ReviewEvery after now, as a date in the
// lead's time zone. A version built by a review carries its commitments
// over from the version before, as revised in the review, with the review
// section and what changed: commitments reworded, and theme answers
// rewritten (see Partnership.Rewrite).
func BuildAgreement(p *Partnership, now time.Time) *Agreement {
	ag := &Agreement{
		Version:     1,
		Created:     now,
		ReviewOn:    DateOf(now.Add(p.Rules.ReviewEvery), p.Lead().Person.Location),
		QuestionSet: fmt.Sprintf("%s v%d", p.Set.Name, p.Set.Version),
	}
	if prev := p.LatestAgreement(); prev != nil {
		ag.Version, ag.Previous = prev.Version+1, prev.Version
	}
	for _, pt := range p.Participants {
		ag.Parties = append(ag.Parties, Party{Role: pt.Role, Name: pt.Person.Name})
	}
	themeIndex := make(map[string]int)
	for i, q := range p.Set.Questions {
		t := Topic{QuestionID: q.ID, Number: i + 1, Title: q.Title}
		for _, pt := range p.Participants {
			e := Entry{Role: pt.Role, Name: pt.Person.Name}
			if a := p.LatestAnswer(pt.ID, q.ID); a != nil {
				e.Text = a.Text
			} else {
				e.Skipped = true
			}
			t.Entries = append(t.Entries, e)
		}
		switch q.Section {
		case SectionCommitments:
			ag.Commitments = append(ag.Commitments, t)
		case SectionAccountability:
			ag.Accountability = append(ag.Accountability, t)
		default:
			i, ok := themeIndex[q.Theme]
			if !ok {
				i = len(ag.Themes)
				themeIndex[q.Theme] = i
				ag.Themes = append(ag.Themes, Theme{Title: q.Theme})
			}
			ag.Themes[i].Topics = append(ag.Themes[i].Topics, t)
		}
	}
	prev := p.LatestAgreement()
	if prev != nil {
		// What the two agreed to and signed stands until they change it.
		ag.Statements, ag.Signatures, ag.StillOpen = prev.Statements, prev.Signatures, prev.StillOpen
	}
	if r := p.CurrentReview(); prev != nil && r != nil && r.Number == prev.Version {
		ag.ReviewOn = p.nextReviewOn(prev, now)
		ag.Changes = append(themeChanges(p, prev, ag), p.reviseCommitments(ag, prev, r)...)
		ag.Review = p.reviewRecord(r, prev, now)
	}
	return ag
}

// Date is a calendar day without a time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads a date in the form 2027-01-05.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date like 2027-01-05", s)
	}
	return DateOf(t, time.UTC), nil
}

// Start returns midnight at the start of the day in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText writes the date as 2027-01-05.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads a date written by MarshalText.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
