// Package apply is Accord's application step: it takes a partnership for
// change, runs one domain operation on it, saves what changed and turns
// the messages the operation produced into work — a reply token for each
// mail that asks something, a link for agreement mail, the outbound mail
// itself and the partnership's next wake-up — all inside one transaction.
//
// The step decides; persistence does. A transaction of package store
// implements [Tx], and the adapters (mailin, the commands, the web pages)
// and store's own jobs (wake-ups, enrolment) all run operations through
// [Run] or [Settle], so what follows an operation is written once.
package apply

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"accord/conversation"
)

// Op is one domain operation on a partnership taken for change.
type Op func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error)

// Outgoing is a message the domain wants sent, with what the step adds:
// the reply token minted for mail that asks something, and the link of
// agreement mail.
type Outgoing struct {
	conversation.Message
	// ReplyToken routes a reply to what Message asks; empty when it asks
	// nothing.
	ReplyToken string
	// Link opens the recipient's agreement page until LinkUntil; empty
	// when agreement pages are off.
	Link      string
	LinkUntil time.Time
}

// Tx is what the step needs from one transaction of persistence. Every
// method works inside that transaction, so the operation's result and the
// work it causes commit together or not at all.
type Tx interface {
	// Now is the time the operation runs at.
	Now() time.Time
	// Take loads a partnership for change; concurrent takers of the same
	// partnership wait their turn.
	Take(ctx context.Context, partnershipID int64) (*conversation.Partnership, error)
	// Save writes what changed on a partnership taken (or created) in
	// this transaction.
	Save(ctx context.Context, p *conversation.Partnership, now time.Time) error
	// ClaimPeriodic records that a periodic message (a review, a digest)
	// goes out, so it is not sent twice.
	ClaimPeriodic(ctx context.Context, p *conversation.Partnership, m conversation.Message, now time.Time) error
	// MintReplyToken records a reply token for a question's prompt.
	MintReplyToken(ctx context.Context, promptID, participantID int64, now time.Time) (string, error)
	// MintCheckinToken records a reply token for other mail that asks
	// something: check-in mail (of an occurrence, or nil) and drafts.
	MintCheckinToken(ctx context.Context, participantID int64, o *conversation.Occurrence, purpose string, now time.Time) (string, error)
	// MintLink records an agreement page link; an empty link when pages
	// are off.
	MintLink(ctx context.Context, participantID int64, now time.Time) (string, time.Time, error)
	// Dispatch turns the messages into durable outbound work.
	Dispatch(ctx context.Context, p *conversation.Partnership, out []Outgoing) error
	// WakeAt has the partnership woken at the given time.
	WakeAt(ctx context.Context, partnershipID int64, at time.Time) error
}

// Run takes a partnership, runs op on it and settles the result. An error
// from op is returned as is, before anything is saved; the caller's
// transaction then rolls back.
func Run(ctx context.Context, tx Tx, partnershipID int64, op Op) ([]conversation.Message, error) {
	p, err := tx.Take(ctx, partnershipID)
	if err != nil {
		return nil, err
	}
	now := tx.Now()
	msgs, err := op(p, now)
	if err != nil {
		return nil, err
	}
	if err := Settle(ctx, tx, p, msgs, now); err != nil {
		return nil, err
	}
	return msgs, nil
}

// Settle saves an operation's result on a partnership taken or created in
// tx and turns its messages into work: tokens and links minted, mail
// dispatched, the next wake-up scheduled.
func Settle(ctx context.Context, tx Tx, p *conversation.Partnership, msgs []conversation.Message, now time.Time) error {
	if err := tx.Save(ctx, p, now); err != nil {
		return err
	}
	out := make([]Outgoing, len(msgs))
	for i, m := range msgs {
		out[i].Message = m
		if err := tx.ClaimPeriodic(ctx, p, m, now); err != nil {
			return err
		}
		var err error
		switch {
		case m.Prompt != nil:
			out[i].ReplyToken, err = tx.MintReplyToken(ctx, m.Prompt.ID, m.To.ID, now)
		case asksAboutCheckins(m):
			out[i].ReplyToken, err = tx.MintCheckinToken(ctx, m.To.ID, m.Occurrence, string(m.Kind), now)
		case m.Kind == conversation.MsgDraft && m.Draft != nil:
			out[i].ReplyToken, err = tx.MintCheckinToken(ctx, m.To.ID, nil, DraftPurpose(m.Draft), now)
		case m.Kind == conversation.MsgAgreement && p.DraftOpen() && p.Draft.Signing:
			// An agreement sent for signing is answered like the draft.
			out[i].ReplyToken, err = tx.MintCheckinToken(ctx, m.To.ID, nil, DraftPurpose(p.Draft), now)
		}
		if err != nil {
			return err
		}
		if m.Kind == conversation.MsgAgreement {
			if out[i].Link, out[i].LinkUntil, err = tx.MintLink(ctx, m.To.ID, now); err != nil {
				return err
			}
		}
	}
	if len(out) > 0 {
		if err := tx.Dispatch(ctx, p, out); err != nil {
			return fmt.Errorf("apply: dispatch messages of partnership %d: %w", p.ID, err)
		}
	}
	if next := p.NextWake(now); !next.IsZero() {
		if err := tx.WakeAt(ctx, p.ID, next); err != nil {
			return err
		}
	}
	return nil
}

// asksAboutCheckins reports whether a message asks something a reply can
// answer: the schedule, a change to the check-ins, prep or follow-up notes.
func asksAboutCheckins(m conversation.Message) bool {
	switch m.Kind {
	case conversation.MsgScheduleAsk, conversation.MsgCalendar, conversation.MsgPrep, conversation.MsgAgenda,
		conversation.MsgFollowUp, conversation.MsgDeclined:
		return true
	}
	return false
}

// DraftPurpose is the purpose of the reply token of a drafting round's
// mail: a reply through it names the draft (that of version 1, review 0,
// or of a review) and the round whose numbers it uses.
func DraftPurpose(d *conversation.Draft) string {
	return "draft-" + strconv.Itoa(d.Review) + "-" + strconv.Itoa(d.Round)
}

// DraftRoundOf reads the draft and round of a reply token's purpose (see
// DraftPurpose); ok is false for a token of other mail.
func DraftRoundOf(purpose string) (review, round int, ok bool) {
	rest, found := strings.CutPrefix(purpose, "draft-")
	if !found {
		return 0, 0, false
	}
	r, n, found := strings.Cut(rest, "-")
	review, err1 := strconv.Atoi(r)
	round, err2 := strconv.Atoi(n)
	return review, round, found && err1 == nil && err2 == nil && review >= 0 && round > 0
}
