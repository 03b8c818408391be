package conversation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Proposal is one statement offered for the agreement both people sign:
// a sentence or line one of them wrote, word for word, under a theme that
// asks how the two will act. The drafting round refers to it by Number.
type Proposal struct {
	// Number is the proposal's place in the draft, counting from 1 across
	// every theme.
	Number     int    `json:"number"`
	QuestionID string `json:"question_id"`
	Theme      string `json:"theme"`
	// ParticipantID, Role and Name say who wrote it; two peers share a
	// role, so ParticipantID is what tells them apart. Name is the
	// author's first name, as the draft shows it ("Dana: …").
	ParticipantID int64  `json:"participant_id"`
	Role          Role   `json:"role"`
	Name          string `json:"name"`
	Text          string `json:"text"`
	// Line and Sentence point to where Text stands in the author's latest
	// answer to the question: the 1-based line of the answer (blank lines
	// counted) and the 1-based sentence within that line.
	Line     int `json:"line"`
	Sentence int `json:"sentence"`
}

// behaviourThemes are the questions of the default set that ask, besides
// commitments and accountability, how the two will act: how they
// communicate, how they handle hard moments, and their routines. They are
// known by id rather than marked in the set file because a new field
// would change the stored body of accord-default v1, which partnerships
// already under way keep; an operator's set gets the same treatment by
// using these ids.
var behaviourThemes = map[string]bool{
	"communication": true,
	"hard-times":    true,
	"routines":      true,
}

// AsksForBehaviour reports whether the answers to q say how the two people
// will act toward each other, which makes them proposals for the agreement
// rather than background: every commitment and accountability question
// (what each can count on, commits to, how they hold each other to it and
// the permission to point out a slip), and the behaviour themes of the
// default set.
func (q Question) AsksForBehaviour() bool {
	switch q.Section {
	case SectionCommitments, SectionAccountability:
		return true
	}
	return behaviourThemes[q.ID]
}

// minProposalWords is the fewest words a sentence needs to be a proposal:
// "Yes, always." says nothing the partner could agree to on its own.
const minProposalWords = 3

// nonAnswers are replies that stand in for an answer without making one,
// in the form proposalKey gives them. Shorter ones fail
// minProposalWords anyway.
var nonAnswers = map[string]bool{
	"same as above":          true,
	"same as before":         true,
	"as i said above":        true,
	"see answer above":       true,
	"see above answer":       true,
	"see my answer above":    true,
	"see previous answer":    true,
	"see my previous answer": true,
	"nothing to add":         true,
	"nothing more to add":    true,
	"nothing comes to mind":  true,
	"not sure yet":           true,
	"i don t know":           true,
	"i do not know":          true,
	"i m not sure":           true,
	"to be decided":          true,
	"to be defined":          true,
	"not applicable here":    true,
}

// Proposals turns what both people wrote under the themes that ask for
// behaviour (see Question.AsksForBehaviour) into numbered proposals. The
// drafting round calls it once both have answered every question.
//
// Each person's latest answer is read line by line, list markers ("-",
// "•", "1.", "2)") taken off, and each line split into sentences (see
// commitmentItems); every sentence is a proposal, word for word, except
// fragments of fewer than three words, fillers such as "same as above",
// lead-ins that end in a colon, and a repeat of something the same person
// already proposed under the theme (compared ignoring case, spacing and
// punctuation). A skipped question gives none.
//
// Proposals follow the question set; within a question the lead's (or the
// first peer's) come before their partner's, each in the order written.
// The same answers always give the same proposals and numbers.
func (p *Partnership) Proposals() []Proposal {
	var out []Proposal
	type author struct {
		theme string
		id    int64
	}
	seen := make(map[author]map[string]bool)
	for _, q := range p.Set.Questions {
		if !q.AsksForBehaviour() {
			continue
		}
		for _, pt := range p.Participants {
			a := p.LatestAnswer(pt.ID, q.ID)
			if a == nil {
				continue
			}
			who := author{q.Theme, pt.ID}
			if seen[who] == nil {
				seen[who] = make(map[string]bool)
			}
			for _, it := range proposalItems(a.Text) {
				key := proposalKey(it.text)
				if seen[who][key] {
					continue
				}
				seen[who][key] = true
				out = append(out, Proposal{
					Number:        len(out) + 1,
					QuestionID:    q.ID,
					Theme:         q.Theme,
					ParticipantID: pt.ID,
					Role:          pt.Role,
					Name:          FirstName(pt.Person.Name),
					Text:          it.text,
					Line:          it.line,
					Sentence:      it.sentence,
				})
			}
		}
	}
	return out
}

// proposalItem is one sentence of an answer that can stand as a proposal,
// with where it stands.
type proposalItem struct {
	text           string
	line, sentence int
}

// proposalItems lists the sentences of an answer that can stand as
// proposals, in the order written.
func proposalItems(answer string) []proposalItem {
	var out []proposalItem
	for i, line := range strings.Split(answer, "\n") {
		// Only a line that is not valid UTF-8 can come back altered (its
		// bad bytes read as U+FFFD); a proposal must be found in the
		// answer as written.
		valid := utf8.ValidString(line)
		for j, s := range commitmentItems(line) {
			if (!valid && !strings.Contains(line, s)) || !isProposal(s) {
				continue
			}
			out = append(out, proposalItem{text: s, line: i + 1, sentence: j + 1})
		}
	}
	return out
}

// isProposal reports whether a sentence says enough to be agreed to.
func isProposal(s string) bool {
	if strings.HasSuffix(s, ":") {
		return false // "Here is what I would suggest:" leads into a list
	}
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.ContainsFunc(f, isWordRune) {
			n++
		}
	}
	return n >= minProposalWords && !nonAnswers[proposalKey(s)]
}

// proposalKey is a sentence reduced to its words in order, lower case,
// so that "We meet weekly." and "we meet  weekly" are one proposal.
func proposalKey(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) }), " ")
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
