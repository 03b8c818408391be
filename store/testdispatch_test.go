package store

import (
	"context"
	"encoding/json"
	"fmt"

	"accord/conversation"
	"accord/internal/apply"
)

// MailJob is what testDispatcher queues instead of rendered mail: who gets
// what, by reference, so tests can follow messages without templates.
type MailJob struct {
	Kind          conversation.MessageKind `json:"kind"`
	PartnershipID int64                    `json:"partnership_id"`
	ParticipantID int64                    `json:"participant_id"`
	To            string                   `json:"to"`
	PromptID      int64                    `json:"prompt_id,omitempty"`
	QuestionID    string                   `json:"question_id,omitempty"`
	Number        int                      `json:"number,omitempty"`
	Total         int                      `json:"total,omitempty"`
	Reminder      int                      `json:"reminder,omitempty"`
	Resent        bool                     `json:"resent,omitempty"`
	Notes         []conversation.Note      `json:"notes,omitempty"`
	Receipts      []int64                  `json:"receipts,omitempty"`
	Reveals       []int64                  `json:"reveals,omitempty"`
	Agreement     int                      `json:"agreement,omitempty"`
	ReplyToken    string                   `json:"reply_token,omitempty"`
}

// testDispatcher queues one KindMail job per message, due at once, with a
// MailJob payload.
type testDispatcher struct{}

func (testDispatcher) Dispatch(ctx context.Context, tx *Tx, p *conversation.Partnership, out []apply.Outgoing) error {
	for _, o := range out {
		payload, err := json.Marshal(newMailJob(p, o))
		if err != nil {
			return fmt.Errorf("store: encode mail job: %w", err)
		}
		if _, _, err := tx.Enqueue(ctx, NewJob{Kind: KindMail, PartnershipID: p.ID, Payload: payload, RunAt: tx.s.clock.Now()}); err != nil {
			return err
		}
	}
	return nil
}

func newMailJob(p *conversation.Partnership, o apply.Outgoing) MailJob {
	j := MailJob{
		Kind:          o.Kind,
		PartnershipID: p.ID,
		ParticipantID: o.To.ID,
		To:            o.To.Person.Email,
		Reminder:      o.Reminder,
		Resent:        o.Resent,
		Notes:         o.Notes,
		ReplyToken:    o.ReplyToken,
	}
	if o.Prompt != nil {
		j.PromptID, j.QuestionID = o.Prompt.ID, o.Prompt.QuestionID
		j.Number, j.Total = o.Prompt.Position+1, p.Set.Len()
	}
	for _, a := range o.Receipts {
		j.Receipts = append(j.Receipts, a.ID)
	}
	for _, a := range o.Reveals {
		j.Reveals = append(j.Reveals, a.ID)
	}
	if o.Agreement != nil {
		j.Agreement = o.Agreement.Version
	}
	return j
}
