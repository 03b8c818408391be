package mailin

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"accord/conversation"
	"accord/internal/apply"
	"accord/mailin/classify"
	"accord/mailin/tnef"
	"accord/mailout"
	"accord/mailout/ical"
	"accord/store"
	"accord/templates"
)

// calendarReply records an Accept, Tentative or Decline from a calendar.
// The reply must name a series we sent, speak for one of the two (see
// answerer), and be newer than what is recorded; anything else is recorded
// as rejected or ignored, never applied.
func (p *Processor) calendarReply(ctx context.Context, id int64, h textproto.MIMEHeader, from string, c classify.Result) (store.InboundOutcome, error) {
	reject := func(why string) (store.InboundOutcome, error) {
		return p.record(ctx, id, store.InboundRejected, "calendar reply: "+why)
	}
	if c.Calendar == nil {
		return reject("no calendar data")
	}
	var replies []ical.Reply
	var err error
	if m := c.Calendar.TNEF; m != nil {
		var r ical.Reply
		r, err = tnefReply(m, h, from)
		replies = []ical.Reply{r}
	} else {
		replies, err = ical.ParseReply(c.Calendar.Data)
	}
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
		// Whom to tell that an answer from another address was not
		// taken: the person it claims to speak for.
		var tell *conversation.Person
		// Who the mail's addressing names, read once and only for an
		// answer that is not plainly the invited person's.
		vouched, looked := int64(0), false
		vouch := func() (int64, error) {
			if !looked {
				var err error
				if vouched, err = p.vouchedFor(ctx, tx, h); err != nil {
					return 0, err
				}
				looked = true
			}
			return vouched, nil
		}
		_, err := apply.Run(ctx, tx, partnershipID, func(pp *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			var msgs []conversation.Message
			var done []string
			for _, r := range replies {
				me, claimed, err := answerer(pp, r.Attendee.Email, from, vouch)
				if err != nil {
					return nil, err
				}
				if me == nil {
					o.Outcome, o.Detail = store.InboundRejected, fmt.Sprintf("calendar reply: from %s for %s, who was not invited or is someone else", from, r.Attendee.Email)
					if claimed != nil {
						tell = &claimed.Person
					}
					return nil, nil
				}
				o.ParticipantID = me.ID
				cr := conversation.CalendarReply{
					UID: r.UID, Original: r.RecurrenceID, PartStat: r.PartStat, Sequence: r.Sequence, Stamp: r.Stamp, Proposed: r.Proposed,
				}
				what := "series"
				if !r.RecurrenceID.IsZero() {
					what = "meeting of " + r.RecurrenceID.UTC().Format(time.RFC3339)
				}
				var m []conversation.Message
				if r.Proposed.IsZero() {
					m, err = pp.RecordCalendarReply(me.ID, cr, now)
				} else {
					// A proposed new time, answered as "move to …".
					m, err = pp.CounterCheckin(me.ID, cr, now)
					what += " proposed for " + r.Proposed.UTC().Format(time.RFC3339)
					if declined(m, me) {
						what += ", declined"
					}
				}
				switch {
				case errors.Is(err, conversation.ErrStaleReply):
					done = append(done, "stale "+strings.ToLower(r.PartStat))
					continue
				case err != nil:
					return nil, err
				}
				msgs = append(msgs, m...)
				if !sameAddress(from, me.Person.Email) || !sameAddress(r.Attendee.Email, me.Person.Email) {
					what += " (answered as " + r.Attendee.Email + " from " + from + ")"
				}
				done = append(done, strings.TrimSpace(strings.ToLower(r.PartStat)+" "+what))
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
		if tell != nil {
			if err := p.notice(ctx, tx, tell.Email, templates.MailCalendarAddress, h, tell.Name, from); err != nil {
				return err
			}
		}
		return tx.FinishInbound(ctx, id, p.Worker, o)
	})
	return o, err
}

// tnefReply is the answer in an Outlook meeting response that came only as
// TNEF. It names who answers by the sender TNEF records, else the mail's
// From; and it has no DTSTAMP, so the mail's Date stands in (a later
// answer then supersedes an earlier one, as with iCalendar).
func tnefReply(m *tnef.Message, h textproto.MIMEHeader, from string) (ical.Reply, error) {
	if m.UID == "" {
		return ical.Reply{}, errors.New("TNEF meeting response without a meeting id")
	}
	who := m.From
	if who == "" {
		who = from
	}
	stamp, _ := mail.ParseDate(h.Get("Date"))
	return ical.Reply{Method: "REPLY", UID: m.UID, RecurrenceID: m.RecurrenceID, Stamp: stamp.UTC(),
		Attendee: ical.Address{Email: who}, PartStat: m.Response()}, nil
}

// answerer is the participant a calendar reply speaks for, or nil. Its
// ATTENDEE and From are both the person's invited address; or one of them
// is, and the mail's addressing (a reply token, a Message-ID of ours it
// answers; see vouchedFor) names that same person — an alias, another
// account in Apple Calendar, Thunderbird answering as another identity.
// When it is not taken and comes from outside the partnership, claimed is
// the participant it claims to be, to be told: the one ATTENDEE names,
// else the one its addressing names. (One of the two answering as the
// other is refused, and neither is told of it.)
func answerer(p *conversation.Partnership, attendee, from string, vouched func() (int64, error)) (me, claimed *conversation.Participant, err error) {
	att, fr := participantByEmail(p, attendee), participantByEmail(p, from)
	if att != nil && att == fr {
		return att, nil, nil
	}
	id, err := vouched()
	if err != nil {
		return nil, nil, err
	}
	named, _ := p.Participant(id)
	switch {
	case named != nil && (att == named || att == nil && fr == named):
		return named, nil, nil
	case fr != nil:
		return nil, nil, nil
	case att != nil:
		return nil, att, nil
	}
	return nil, named, nil
}

// declined reports whether msgs refuse a proposed time to me: the mail
// carrying a DECLINECOUNTER.
func declined(msgs []conversation.Message, me *conversation.Participant) bool {
	for _, m := range msgs {
		if m.To == me && m.Calendar != nil && m.Calendar.Kind == conversation.CalDeclineCounter {
			return true
		}
	}
	return false
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
