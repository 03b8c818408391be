package mailin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"accord/conversation"
	"accord/internal/apply"
	"accord/mailin/classify"
	"accord/mailout"
	"accord/mailout/ical"
	"accord/store"
)

// calendarReply records an Accept, Tentative or Decline from a calendar.
// The reply must name a series we sent, come from the attendee it speaks
// for, and be newer than what is recorded; anything else is recorded as
// rejected or ignored, never applied.
func (p *Processor) calendarReply(ctx context.Context, id int64, from string, c classify.Result) (store.InboundOutcome, error) {
	reject := func(why string) (store.InboundOutcome, error) {
		return p.record(ctx, id, store.InboundRejected, "calendar reply: "+why)
	}
	if c.Calendar == nil {
		return reject("no calendar data")
	}
	replies, err := ical.ParseReply(c.Calendar.Data)
	if err != nil {
		return reject(err.Error())
	}
	if n := replies[0].Skipped; n > 0 {
		p.Logger.InfoContext(ctx, "calendar reply read without lines outside the grammar", "inbound", id, "skipped", n)
	}
	partnershipID, err := p.Store.SeriesByUID(ctx, replies[0].UID)
	if errors.Is(err, store.ErrNotFound) {
		return reject("for an event we did not send (UID " + replies[0].UID + ")")
	}
	if err != nil {
		return store.InboundOutcome{}, err
	}
	o := store.InboundOutcome{Outcome: store.InboundCalendar, PartnershipID: partnershipID}
	err = p.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := apply.Run(ctx, tx, partnershipID, func(pp *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			var msgs []conversation.Message
			var done []string
			for _, r := range replies {
				me := participantByEmail(pp, r.Attendee.Email)
				if me == nil || !sameAddress(r.Attendee.Email, from) {
					o.Outcome, o.Detail = store.InboundRejected, fmt.Sprintf("calendar reply: from %s for %s, who was not invited or is someone else", from, r.Attendee.Email)
					return nil, nil
				}
				o.ParticipantID = me.ID
				m, err := pp.RecordCalendarReply(me.ID, conversation.CalendarReply{
					UID: r.UID, Original: r.RecurrenceID, PartStat: r.PartStat, Sequence: r.Sequence, Stamp: r.Stamp,
				}, now)
				switch {
				case errors.Is(err, conversation.ErrStaleReply):
					done = append(done, "stale "+strings.ToLower(r.PartStat))
					continue
				case err != nil:
					return nil, err
				}
				msgs = append(msgs, m...)
				what := "series"
				if !r.RecurrenceID.IsZero() {
					what = "meeting of " + r.RecurrenceID.UTC().Format(time.RFC3339)
				}
				done = append(done, strings.ToLower(r.PartStat)+" "+what)
			}
			o.Detail = strings.Join(done, ", ")
			return msgs, nil
		})
		switch {
		case errors.Is(err, conversation.ErrEnded), errors.Is(err, conversation.ErrLeft), errors.Is(err, conversation.ErrSeriesCancelled):
			o.Outcome, o.Detail = store.InboundIgnored, "calendar reply: "+err.Error()
		case errors.Is(err, conversation.ErrWrongEvent):
			o.Outcome, o.Detail = store.InboundRejected, "calendar reply: "+err.Error()
		case err != nil:
			return err
		}
		return tx.FinishInbound(ctx, id, p.Worker, o)
	})
	return o, err
}

func participantByEmail(p *conversation.Partnership, email string) *conversation.Participant {
	for _, pt := range p.Participants {
		if sameAddress(pt.Person.Email, email) {
			return pt
		}
	}
	return nil
}

// replyOf is what the domain reads of a reply: the person's words and what
// its route says the mail they answered was about.
func replyOf(r route, text string) conversation.Reply {
	in := conversation.Reply{Text: text, QuestionID: r.QuestionID, ToAgreement: r.Thread == mailout.ThreadAgreement,
		Meeting: r.Meeting, Unsubscribe: r.Unsubscribe}
	if review, round, ok := apply.DraftRoundOf(r.Purpose); ok {
		in.Draft = &conversation.DraftRound{Review: review, Round: round}
	} else {
		// The token of a check-in mail names its kind; a reply in the
		// check-in thread without one is about check-ins too.
		in.Checkin = r.Purpose != "" || r.Thread == mailout.ThreadCheckins
		in.Purpose = conversation.MessageKind(r.Purpose)
	}
	return in
}
