package conversation

import (
	"errors"
	"time"
)

// Drafting in the partnership's life. Once both are through the
// questions, round 1 of the draft (see Draft) goes to both instead of an
// agreement. A round ends when everyone who owed a word in it has replied:
// a settled draft, or the last round, is signed as version 1 (the
// statements both agreed to, each person's signature dated by their last
// reply); otherwise the next round goes to both.
//
// Someone who does not reply to a round gets the usual reminders. When
// they have run out, the agreement goes out anyway, as the statements
// stand, signed only by whoever agreed to all of them: it says plainly who
// has not signed. The draft stays open in a signing round whose mail was
// that agreement, so a late "agree all" still signs it, as a new version.
// A review that opens closes whatever drafting is left.

// ErrNoDraft means a reply about draft statements came when no draft is
// open.
var ErrNoDraft = errors.New("no draft agreement is open")

// DraftOpen reports whether drafting goes on: replies about statements go
// to p.Draft.
func (p *Partnership) DraftOpen() bool { return p.Draft != nil && p.Draft.Closed.IsZero() }

// startDrafting begins the draft once both are through the questions.
// With nothing to propose (every question that asks for behaviour passed
// on), or someone already gone, version 1 is built at once from the
// answers, unsigned, as before drafting existed.
func (p *Partnership) startDrafting(now time.Time) {
	a, b := p.Participants[0], p.Participants[1]
	d, err := NewDraft(a.ID, b.ID, p.Proposals(), now)
	if err != nil || len(d.Statements) == 0 || a.Status == ParticipantLeft || b.Status == ParticipantLeft {
		p.Agreements = append(p.Agreements, BuildAgreement(p, now))
		p.Status = StatusAgreement
		p.sendAgreement(now)
		return
	}
	p.Draft = d
	p.Status = StatusDrafting
	p.sendAgreement(now)
}

// ReplyToDraft records a person's reply to the open draft round (see
// Draft.Apply). A reply that completes the round ends it: both get the
// next round, or the signed agreement. Otherwise the person hears that
// their word is recorded and their partner's is awaited. A reply that
// cannot be carried out is a *DraftReplyError and changes nothing of the
// draft.
func (p *Partnership) ReplyToDraft(participantID int64, r DraftReply, now time.Time) ([]Message, error) {
	if !p.DraftOpen() {
		return nil, ErrNoDraft
	}
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	d := p.Draft
	if err := d.Apply(me.ID, r, now); err != nil {
		return nil, err
	}
	if d.complete() {
		p.endRound(now)
		return p.finish(me, nil, false, now), nil
	}
	return p.finish(me, []Note{{Kind: NoteDraftNoted, Number: len(d.OpenFor(me.ID)), Draft: d}}, false, now), nil
}

// owes reports whether person i has something to give their word on in
// the round: a statement they have not agreed to as it stands.
func (d *Draft) owes(i int) bool {
	for _, s := range d.Statements {
		if !s.Agreed[i] {
			return true
		}
	}
	return false
}

// complete reports whether everyone who owed a word in the round has
// replied.
func (d *Draft) complete() bool {
	for i := range d.People {
		if d.Responses[i].At.IsZero() && d.owes(i) {
			return false
		}
	}
	return true
}

// endRound ends the open round: the next one goes to both, or, when the
// draft is settled or had its last round, it is signed.
func (p *Partnership) endRound(now time.Time) {
	d := p.Draft
	next, err := d.NextRound(now)
	if err != nil {
		p.signDraft(d, now)
		return
	}
	p.EndedRounds = append(p.EndedRounds, d)
	p.Draft = next
	p.sendAgreement(now)
}

// signDraft closes the draft and builds the version both signed: the
// statements both agreed to, dated by each person's last reply.
func (p *Partnership) signDraft(d *Draft, now time.Time) {
	d.Closed = now
	prev := p.LatestAgreement()
	ag := BuildAgreement(p, now)
	if prev != nil && d.Review == 0 {
		// A late signature of version 1: the review keeps its date.
		ag.ReviewOn = prev.ReviewOn
	}
	agreed := d.Agreed()
	ag.Statements = p.agreedStatements(agreed)
	ag.StillOpen = len(d.Merged()) - len(agreed)
	ag.Signatures = p.signatures(func(i int) time.Time { return d.AgreedAt[i] })
	p.Agreements = append(p.Agreements, ag)
	if p.Status == StatusDrafting {
		p.Status = StatusAgreement
	}
	p.sendAgreement(now)
}

// lapseDraft ends a round someone let pass after every reminder. The
// statements as they stand go out as version 1, signed by whoever agreed
// to all of them; a signing round, whose mail that version is, keeps the
// draft open for the one who has not signed. A round that lapses after
// version 1 exists ends drafting: the review takes it up.
func (p *Partnership) lapseDraft(now time.Time) {
	d := p.Draft
	if prev := p.LatestAgreement(); prev != nil && (d.Review == 0 || prev.Version > d.Review) {
		// The version this draft was for went out already.
		d.Closed = now
		return
	}
	merged := d.Merged()
	p.EndedRounds = append(p.EndedRounds, d)
	p.Draft = &Draft{Round: d.Round + 1, People: d.People, Statements: merged, Started: now, AgreedAt: d.AgreedAt,
		Signing: true, Sent: [2]time.Time{now, now}, Nudged: [2]time.Time{now, now}}
	var standing []Statement
	for _, s := range merged {
		if s.DropBy == 0 {
			standing = append(standing, s)
		}
	}
	ag := BuildAgreement(p, now)
	ag.Statements = p.agreedStatements(standing)
	ag.Signatures = p.signatures(func(i int) time.Time {
		if d.AgreedAt[i].IsZero() || len(standing) != len(merged) {
			return time.Time{}
		}
		for _, s := range standing {
			if !s.Agreed[i] {
				return time.Time{}
			}
		}
		return d.AgreedAt[i]
	})
	p.Agreements = append(p.Agreements, ag)
	p.Status = StatusAgreement
	p.sendAgreement(now)
}

// agreedStatements writes draft statements into an agreement, numbered
// from 1, each with its author's role and name.
func (p *Partnership) agreedStatements(ss []Statement) []AgreedStatement {
	out := make([]AgreedStatement, 0, len(ss))
	for i, s := range ss {
		as := AgreedStatement{Number: i + 1, Theme: s.Theme, Text: s.Text}
		if pt, err := p.Participant(s.AuthorID); err == nil {
			as.Role, as.Name = pt.Role, pt.Person.Name
		}
		out = append(out, as)
	}
	return out
}

// signatures lists both parties' signatures, dated by at (indexed like
// Participants; zero for one who has not signed).
func (p *Partnership) signatures(at func(i int) time.Time) []Signature {
	out := make([]Signature, 0, 2)
	for i, pt := range p.Participants {
		out = append(out, Signature{Role: pt.Role, Name: pt.Person.Name, At: at(i)})
	}
	return out
}

// draftMail is round mail for pt that has not gone out yet, if any.
func (p *Partnership) draftMail(pt *Participant, now time.Time) (Message, bool) {
	if !p.draftUnsent(pt) || p.openReview() != nil {
		return Message{}, false
	}
	d := p.Draft
	i := d.person(pt.ID)
	d.Sent[i], d.Nudged[i] = now, now
	return p.compose(pt, Message{Kind: MsgDraft, Draft: d}, now), true
}

// draftUnsent reports whether pt has round mail still to get.
func (p *Partnership) draftUnsent(pt *Participant) bool {
	if !p.DraftOpen() || p.Draft.Signing {
		return false
	}
	i := p.Draft.person(pt.ID)
	return i >= 0 && p.Draft.Sent[i].IsZero()
}

// draftNudgeDue is when pt is next reminded of the open round, and
// whether that moment is rather the round's lapse (their reminders ran
// out, see lapseDraft); zero when nothing is due.
func (p *Partnership) draftNudgeDue(pt *Participant) (at time.Time, lapse bool) {
	d := p.Draft
	if !p.DraftOpen() || d.Signing || pt.Status != ParticipantActive || !pt.NextSendAt.IsZero() {
		return time.Time{}, false
	}
	i := d.person(pt.ID)
	if i < 0 || d.Sent[i].IsZero() || !d.Responses[i].At.IsZero() || !d.owes(i) {
		return time.Time{}, false
	}
	loc := pt.Person.Location
	rs := p.Rules.Reminders
	switch n := d.Reminders[i]; {
	case n < len(rs):
		return p.Rules.Quiet.NextAllowed(addDays(d.Nudged[i], rs[n], loc), loc), false
	case len(rs) > 0:
		return p.Rules.Quiet.NextAllowed(addDays(d.Nudged[i], rs[len(rs)-1], loc), loc), true
	}
	return p.Rules.Quiet.NextAllowed(addDays(d.Nudged[i], 7, loc), loc), true
}

// draftWake reminds whoever owes the open round a word and has been
// quiet, and lapses the round once their reminders have run out.
func (p *Partnership) draftWake(now time.Time) []Message {
	var msgs []Message
	for _, pt := range p.Participants {
		at, lapse := p.draftNudgeDue(pt)
		if at.IsZero() || at.After(now) {
			continue
		}
		if lapse {
			p.lapseDraft(now)
			return msgs
		}
		d := p.Draft
		i := d.person(pt.ID)
		d.Reminders[i]++
		d.Nudged[i] = now
		msgs = append(msgs, p.compose(pt, Message{Kind: MsgDraft, Draft: d, Reminder: d.Reminders[i]}, now))
	}
	return msgs
}

// nextDraftWake is the earliest reminder or lapse of the open round.
func (p *Partnership) nextDraftWake() time.Time {
	var next time.Time
	for _, pt := range p.Participants {
		if at, _ := p.draftNudgeDue(pt); !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// startReviewDraft follows the questions of review r, when the version
// under review has statements: both get them as a draft to sign again, or
// to change, drop or add to, and the version the review builds is signed
// (or lapses) like version 1. It reports whether drafting began.
func (p *Partnership) startReviewDraft(r *Review, now time.Time) bool {
	prev := p.Version(r.Number)
	a, b := p.Participants[0], p.Participants[1]
	if prev == nil || len(prev.Statements) == 0 || a.Status == ParticipantLeft || b.Status == ParticipantLeft {
		return false
	}
	d := &Draft{Round: 1, People: [2]int64{a.ID, b.ID}, Started: now, Review: r.Number}
	for _, s := range prev.Statements {
		st := Statement{Number: s.Number, Theme: s.Theme, Text: s.Text}
		for _, pt := range p.Participants {
			if pt.Role == s.Role && pt.Person.Name == s.Name {
				st.AuthorID = pt.ID
			}
		}
		d.Statements = append(d.Statements, st)
	}
	p.Draft = d
	p.Status = StatusDrafting
	p.sendAgreement(now)
	return true
}

// closeDraft ends whatever drafting is left when a review opens.
func (p *Partnership) closeDraft(now time.Time) {
	if p.DraftOpen() {
		p.Draft.Closed = now
	}
}
