package conversation

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The drafting round turns the proposals (see Partnership.Proposals) into
// the statements both people sign. Each round sends both the same
// numbered list; each answers in plain words (see ParseDraftReply), and
// Accord merges the two replies into the next round's list.
//
// The rules, chosen so that nobody is ever recorded as agreeing to words
// they have not seen:
//
//   - Numbers are fixed for a round: they are the numbers of the mail both
//     received, and every reply in the round refers to them. Between
//     rounds the statements still standing are numbered afresh from 1, so
//     a draft never shows gaps; a reply to an older round's mail is the
//     adapter's to refuse (Draft.Round tells which round a mail showed).
//   - A statement stands for one motion both must agree to: its words, or,
//     once someone proposed it, dropping it. Agreeing to a statement is
//     agreeing to the motion as the round's mail showed it. Nobody agrees
//     to a proposal in advance, its author included: splitting an answer
//     into sentences is Accord's doing, not theirs.
//   - A change offers new words, by whoever changes them: the changer
//     becomes the author and agrees to them, the partner must agree anew,
//     whatever they said about the old words. New words equal to the old
//     ones (ignoring spacing) are an agreement.
//   - Dropping a statement whose words are your own withdraws it at once.
//     Dropping your partner's proposes to drop it; the partner agrees to
//     the drop with agree (or drop), or keeps the statement with keep (or a
//     change), which the proposer must then agree to.
//   - An addition is a new statement by its sender, who agrees to it; it
//     gets its number in the next round, the first in which the partner
//     sees it.
//   - When both move the same statement in one round, words beat a drop;
//     different new words from both become two statements, each agreed by
//     its author; the same new words, or a drop from both, are agreed.
//     Withdrawing your own words leaves only new words your partner wrote
//     for it.
//   - Agreement carries over between rounds until someone moves the
//     statement again. The draft is settled when both agree to every
//     statement still standing; after MaxDraftRounds rounds it is not
//     offered again, and what both agreed to is what can be signed.

// MaxDraftRounds is the most drafting rounds a pair is sent: enough for a
// change, an answer to it and a last word, few enough never to feel like
// negotiation.
const MaxDraftRounds = 3

// Errors of the drafting round's state (the person's replies have
// DraftReplyError).
var (
	// ErrDraftSettled means there is no next round because both agree to
	// everything: the draft is ready to sign.
	ErrDraftSettled = errors.New("the draft is settled")
	// ErrDraftExhausted means the draft had its MaxDraftRounds rounds.
	ErrDraftExhausted = errors.New("the draft had its last round")
)

// Draft is one round of the drafting of an agreement: the statements both
// were sent, numbered, and what each replied to them so far.
type Draft struct {
	// Round counts from 1.
	Round int `json:"round"`
	// People are the two participants, in the partnership's order (the
	// lead or the first peer first); Statement.Agreed and Responses are
	// indexed alike.
	People [2]int64 `json:"people"`
	// Statements are the round's statements, Number i+1 at index i, as
	// the round's mail shows them. They do not change during the round.
	Statements []Statement `json:"statements"`
	// Responses are what each person replied in this round so far.
	Responses [2]DraftResponse `json:"responses"`
	// Started is when the round began.
	Started time.Time `json:"started"`
	// Sent is when each person was mailed the round, and Nudged when
	// they were last asked for their word (the mail or a reminder);
	// Reminders counts the reminders of the round. Indexed like People.
	Sent      [2]time.Time `json:"sent,omitzero"`
	Nudged    [2]time.Time `json:"nudged,omitzero"`
	Reminders [2]int       `json:"reminders,omitzero"`
	// AgreedAt is when each last replied to the draft, in any round: the
	// date their signature carries.
	AgreedAt [2]time.Time `json:"agreed_at,omitzero"`
	// Signing marks a round opened by an agreement that went out unsigned
	// (see Partnership.Wake): its mail was that agreement, it sends no
	// reminders, and the one who has not signed may sign at any time.
	Signing bool `json:"signing,omitempty"`
	// Closed is when drafting ended: the draft was signed, or a review
	// took over. Zero while drafting goes on.
	Closed time.Time `json:"closed,omitzero"`
	// Review is the number of the review whose statements the draft
	// revises; 0 while drafting version 1.
	Review int `json:"review,omitempty"`
}

// Statement is one numbered statement of a draft.
type Statement struct {
	Number int `json:"number"`
	// QuestionID and Theme are those of the proposal the statement grew
	// from; both are empty for an addition.
	QuestionID string `json:"question_id,omitempty"`
	Theme      string `json:"theme,omitempty"`
	// AuthorID is who wrote Text: the proposal's author, or whoever last
	// changed or added it.
	AuthorID int64  `json:"author_id"`
	Text     string `json:"text"`
	// DropBy, when set, is who proposed to drop the statement: the motion
	// both must agree to is then dropping it rather than keeping Text.
	DropBy int64 `json:"drop_by,omitempty"`
	// Agreed says who agrees to the motion, indexed like Draft.People.
	Agreed [2]bool `json:"agreed"`
	// Was and WasAuthorID are the words the last round's change replaced
	// and who had written them; Was is empty when the words did not
	// change in the last round.
	Was         string `json:"was,omitempty"`
	WasAuthorID int64  `json:"was_author_id,omitempty"`
}

// DraftResponse is what one person replied in a round, merged over their
// replies: a later reply's word on a number replaces an earlier one's.
type DraftResponse struct {
	// At is when their latest reply of the round was applied; zero when
	// they have not replied.
	At time.Time `json:"at,omitzero"`
	// Decisions hold their word on statement Number i+1 at index i; a
	// zero Kind is none.
	Decisions []DraftDecision `json:"decisions,omitempty"`
	// Additions are the new statements they offered, in order.
	Additions []string `json:"additions,omitempty"`
}

// DraftDecision is one person's word on one statement in a round.
type DraftDecision struct {
	// Kind is DraftAgree, DraftChange, DraftDrop or DraftKeep.
	Kind DraftCommandKind `json:"kind,omitempty"`
	// Text is the new words of a change.
	Text string `json:"text,omitempty"`
}

// NewDraft starts the first round with the proposals of a and b (see
// Partnership.Proposals), numbered in the order given. Nobody has agreed
// to anything yet.
func NewDraft(a, b int64, ps []Proposal, now time.Time) (*Draft, error) {
	if a == 0 || b == 0 || a == b {
		return nil, fmt.Errorf("a draft needs two different people, not %d and %d", a, b)
	}
	d := &Draft{Round: 1, People: [2]int64{a, b}, Started: now}
	for i, pr := range ps {
		if pr.ParticipantID != a && pr.ParticipantID != b {
			return nil, fmt.Errorf("proposal %d: %w", i+1, ErrUnknownParticipant)
		}
		d.Statements = append(d.Statements, Statement{
			Number:     i + 1,
			QuestionID: pr.QuestionID,
			Theme:      pr.Theme,
			AuthorID:   pr.ParticipantID,
			Text:       pr.Text,
		})
	}
	return d, nil
}

// person is the index of id in People, or -1.
func (d *Draft) person(id int64) int {
	for i, p := range d.People {
		if id != 0 && p == id {
			return i
		}
	}
	return -1
}

// Apply records a person's reply to this round. Numbers must be those of
// the round's mail; an unknown one is a *DraftReplyError of kind
// DraftReplyUnknown naming the draft's range, and then nothing of the
// reply is recorded. Within the reply a change, drop or keep of a number
// wins over agreeing to it (so "agree all" with "change 5: …" agrees to
// all but 5), and "agree all" covers only the numbers the person has said
// nothing else about in this round. A later reply's change, drop, keep or
// agree of a number replaces the earlier word on it.
func (d *Draft) Apply(participantID int64, r DraftReply, now time.Time) error {
	i := d.person(participantID)
	if i < 0 {
		return ErrUnknownParticipant
	}
	for _, c := range r.Commands {
		for _, n := range c.Numbers {
			if n > len(d.Statements) {
				return &DraftReplyError{Kind: DraftReplyUnknown, Line: c.Line, Number: n, Max: len(d.Statements)}
			}
		}
	}
	plan, err := planReply(r)
	if err != nil {
		return err
	}
	resp := &d.Responses[i]
	if len(resp.Decisions) != len(d.Statements) {
		resp.Decisions = make([]DraftDecision, len(d.Statements))
	}
	for n, dec := range plan.decided {
		resp.Decisions[n-1] = dec
	}
	if plan.all {
		for k := range resp.Decisions {
			if resp.Decisions[k].Kind == "" {
				resp.Decisions[k] = DraftDecision{Kind: DraftAgree}
			}
		}
	}
	had := make(map[string]bool, len(resp.Additions))
	for _, t := range resp.Additions {
		had[spaced(t)] = true
	}
	for _, t := range plan.additions {
		if !had[spaced(t)] {
			had[spaced(t)] = true
			resp.Additions = append(resp.Additions, t)
		}
	}
	resp.At = now
	d.AgreedAt[i] = now
	return nil
}

// Responded reports whether the person has replied in this round.
func (d *Draft) Responded(participantID int64) bool {
	i := d.person(participantID)
	return i >= 0 && !d.Responses[i].At.IsZero()
}

// Merged is the statements as they stand with both replies so far, in
// order and numbered as the next round would show them: each of this
// round's statements that still stands (two where both offered different
// words), then the additions, the first person's before the second's.
func (d *Draft) Merged() []Statement {
	var out []Statement
	for _, s := range d.Statements {
		out = append(out, d.settle(s)...)
	}
	added := make(map[string]int) // an addition's words → its index in out
	for i := range d.People {
		for _, t := range d.Responses[i].Additions {
			if k, ok := added[spaced(t)]; ok {
				out[k].Agreed[i] = true // both added the same words
				continue
			}
			added[spaced(t)] = len(out)
			s := Statement{AuthorID: d.People[i], Text: t}
			s.Agreed[i] = true
			out = append(out, s)
		}
	}
	for k := range out {
		out[k].Number = k + 1
	}
	return out
}

// Settled reports whether both agree to every statement that still
// stands, so the draft can be signed. A draft of no statements at all
// (nothing proposed, or everything dropped) is settled too.
func (d *Draft) Settled() bool {
	for _, s := range d.Merged() {
		if !s.Agreed[0] || !s.Agreed[1] {
			return false
		}
	}
	return true
}

// Agreed is the statements both agree to keep, as Merged numbers them:
// what would be signed if drafting ended now.
func (d *Draft) Agreed() []Statement {
	var out []Statement
	for _, s := range d.Merged() {
		if s.Agreed[0] && s.Agreed[1] && s.DropBy == 0 {
			out = append(out, s)
		}
	}
	return out
}

// Open lists the numbers of this round whose statements, with the replies
// so far, still need someone's agreement. Additions made in the round have
// no number yet; Settled counts them.
func (d *Draft) Open() []int {
	return d.open(func(s Statement) bool { return !s.Agreed[0] || !s.Agreed[1] })
}

// OpenFor lists the numbers of this round whose statements still need the
// person's agreement: the ones they have not answered, and the ones their
// partner moved this round (which they see in the next round's words).
func (d *Draft) OpenFor(participantID int64) []int {
	i := d.person(participantID)
	if i < 0 {
		return nil
	}
	return d.open(func(s Statement) bool { return !s.Agreed[i] })
}

func (d *Draft) open(needs func(Statement) bool) []int {
	var out []int
	for _, s := range d.Statements {
		for _, r := range d.settle(s) {
			if needs(r) {
				out = append(out, s.Number)
				break
			}
		}
	}
	return out
}

// Exhausted reports whether this is the last round: when it ends
// unsettled, what both agreed to can be signed and the rest waits for the
// review.
func (d *Draft) Exhausted() bool { return d.Round >= MaxDraftRounds }

// NextRound starts the next round from Merged, renumbered, with no replies
// yet. The adapter calls it once both replied to this round (or the
// reminders ran out) and something is still open; it returns
// ErrDraftSettled when nothing is, ErrDraftExhausted after the last round.
func (d *Draft) NextRound(now time.Time) (*Draft, error) {
	if d.Settled() {
		return nil, ErrDraftSettled
	}
	if d.Exhausted() {
		return nil, ErrDraftExhausted
	}
	return &Draft{Round: d.Round + 1, People: d.People, Statements: d.Merged(), Started: now, AgreedAt: d.AgreedAt, Review: d.Review}, nil
}

// stance is where one person stands on a statement after their replies
// in a round: for words (text, by author), for dropping it, for
// withdrawing their own words, or nowhere yet.
type stance struct {
	set, drop, withdraw bool
	text                string
	author              int64
}

func motion(s Statement) stance {
	if s.DropBy != 0 {
		return stance{set: true, drop: true}
	}
	return stance{set: true, text: s.Text, author: s.AuthorID}
}

func (a stance) same(b stance) bool {
	return a.drop == b.drop && a.withdraw == b.withdraw && (a.drop || a.withdraw || sameWords(a.text, b.text))
}

// stance reads person i's decision on s.
func (d *Draft) stance(i int, s Statement) stance {
	var dec DraftDecision
	if ds := d.Responses[i].Decisions; s.Number >= 1 && s.Number <= len(ds) {
		dec = ds[s.Number-1]
	}
	switch dec.Kind {
	case DraftAgree:
		return motion(s)
	case DraftKeep:
		return stance{set: true, text: s.Text, author: s.AuthorID}
	case DraftChange:
		if sameWords(dec.Text, s.Text) {
			return stance{set: true, text: s.Text, author: s.AuthorID}
		}
		return stance{set: true, text: dec.Text, author: d.People[i]}
	case DraftDrop:
		if s.DropBy == 0 && s.AuthorID == d.People[i] {
			return stance{set: true, withdraw: true}
		}
		return stance{set: true, drop: true}
	}
	return stance{}
}

// settle merges both people's stances on s into what stands of it for
// the next round: nothing, one statement, or two when both offered
// different words.
func (d *Draft) settle(s Statement) []Statement {
	s.Was, s.WasAuthorID = "", 0
	st := [2]stance{d.stance(0, s), d.stance(1, s)}
	for i, x := range st {
		if !x.withdraw {
			continue
		}
		// Withdrawn by its author; only the partner's own new words stay.
		if o := st[1-i]; o.set && !o.drop && !o.withdraw && !sameWords(o.text, s.Text) {
			return []Statement{d.moved(s, o, 1-i, false)}
		}
		return nil
	}
	m := motion(s)
	agreed := s.Agreed
	var movers []int
	for i, x := range st {
		switch {
		case !x.set:
		case x.same(m):
			agreed[i] = true
		default:
			movers = append(movers, i)
		}
	}
	switch {
	case len(movers) == 0:
		s.Agreed = agreed
		return standing(s)
	case len(movers) == 1:
		return standing(d.moved(s, st[movers[0]], movers[0], false))
	case st[0].same(st[1]):
		return standing(d.moved(s, st[0], 0, true))
	case !st[0].drop && !st[1].drop:
		return []Statement{d.moved(s, st[0], 0, false), d.moved(s, st[1], 1, false)}
	case st[0].drop:
		return standing(d.moved(s, st[1], 1, false))
	default:
		return standing(d.moved(s, st[0], 0, false))
	}
}

// moved is s after person by moved it to x: they agree to it, and so does
// the partner only when both moved alike.
func (d *Draft) moved(s Statement, x stance, by int, both bool) Statement {
	s.Agreed = [2]bool{both, both}
	s.Agreed[by] = true
	if x.drop {
		s.DropBy = d.People[by]
		return s
	}
	s.DropBy = 0
	if !sameWords(x.text, s.Text) {
		s.Was, s.WasAuthorID = s.Text, s.AuthorID
		s.Text, s.AuthorID = x.text, x.author
	}
	return s
}

// standing is s unless both agreed to drop it.
func standing(s Statement) []Statement {
	if s.DropBy != 0 && s.Agreed[0] && s.Agreed[1] {
		return nil
	}
	return []Statement{s}
}

// sameWords reports whether two texts are the same words, spacing aside.
func sameWords(a, b string) bool { return spaced(a) == spaced(b) }

// spaced is a text with its words one space apart: what two texts that
// are the same words have in common.
func spaced(s string) string { return strings.Join(strings.Fields(s), " ") }
