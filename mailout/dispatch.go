package mailout

import (
	"context"
	"log/slog"

	"accord/conversation"
	"accord/internal/apply"
	"accord/store"
	"accord/templates"
)

// Dispatcher renders the messages of a state change and stores them in the
// outbox inside the same transaction, so a change and its mail commit
// together and a retry later sends exactly these bytes.
type Dispatcher struct {
	Renderer *Renderer
	Logger   *slog.Logger
}

var _ store.Dispatcher = (*Dispatcher)(nil)

type replyToKey struct{}

type replyTo struct {
	participantID int64
	messageID     string
}

// WithReplyTo marks the state changes made under ctx as answers to an
// inbound message from a participant, so the mail they cause that person
// threads under it.
func WithReplyTo(ctx context.Context, participantID int64, messageID string) context.Context {
	return context.WithValue(ctx, replyToKey{}, replyTo{participantID, messageID})
}

// Dispatch implements [store.Dispatcher]. A message that cannot be rendered
// is recorded as failed with the reason, and the state change still
// commits: a template bug must not lose anyone's answer.
func (d *Dispatcher) Dispatch(ctx context.Context, tx *store.Tx, p *conversation.Partnership, out []apply.Outgoing) error {
	inbound, _ := ctx.Value(replyToKey{}).(replyTo)
	plans := make([]store.MailPlan, len(out))
	for i, o := range out {
		plans[i] = store.MailPlan{ParticipantID: o.To.ID, Thread: threadOf(p, o.Message), Recipient: o.To.Person.Email,
			Notice: o.Kind == conversation.MsgHelp}
	}
	if err := tx.PrefetchDispatch(ctx, plans); err != nil {
		return err
	}
	for i, o := range out {
		thread := plans[i].Thread
		refs, err := tx.ThreadIDs(ctx, o.To.ID, thread)
		if err != nil {
			return err
		}
		l := Letter{
			ToName:     o.To.Person.Name,
			ToAddress:  o.To.Person.Email,
			Token:      o.ReplyToken,
			References: refs,
			Date:       tx.Now(),
			View:       ViewFor(p, o.Message),
		}
		if len(refs) > 0 {
			l.InReplyTo = refs[len(refs)-1]
		}
		if o.Calendar != nil {
			if l.CalendarMethod, l.Calendar, err = d.Renderer.CalendarOf(p, o.Calendar, o.To.Person.Language); err != nil {
				d.log().Error("could not build the calendar part", "partnership_id", p.ID, "err", err)
			}
		}
		if l.Attachment, err = attachmentOf(p, o.Message); err != nil {
			return err
		}
		if o.Link != "" && d.Renderer.Identity.AgreementURL != "" {
			l.View.AgreementLink = d.Renderer.Identity.AgreementURL + o.Link
			l.View.AgreementLinkUntil = LongDate(templates.Language(o.To.Person.Language), o.LinkUntil, o.To.Person.Location)
		}
		if inbound.participantID == o.To.ID && messageID(inbound.messageID) != "" {
			l.References = append(l.References, inbound.messageID)
			l.InReplyTo = inbound.messageID
		}
		row := store.NewOutbox{
			PartnershipID: p.ID,
			ParticipantID: o.To.ID,
			Recipient:     o.To.Person.Email,
			Kind:          string(o.Kind),
			Thread:        thread,
			// Help, and the explanation of a reply that could not be acted
			// on, only tell a correspondent about their mail.
			Notice: plans[i].Notice,
		}
		if o.Prompt != nil {
			row.PromptID = o.Prompt.ID
		}
		if err == nil {
			row.MessageID, row.Raw, err = d.Renderer.Render(l)
		}
		if err != nil {
			d.log().Error("could not render mail; recorded as failed", "partnership_id", p.ID, "kind", o.Kind, "err", err)
			row.MessageID, row.Raw, row.Failed = d.Renderer.MessageID(), []byte{}, "could not render: "+err.Error()
		}
		if _, err := tx.AddOutbox(ctx, row); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}
