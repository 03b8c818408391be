package mailin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"accord/mailin/authres"
	"accord/mailout"
	"accord/store"
)

// Trust says which sender checks beyond the reply token to apply.
type Trust struct {
	// AuthServID is the authserv-id our own mail server writes in
	// Authentication-Results. Only the topmost such header, and only when
	// it carries this id, is believed; empty ignores those headers.
	AuthServID string
	// RequireDMARCPass rejects mail whose trusted Authentication-Results
	// does not say dmarc=pass.
	RequireDMARCPass bool
}

// route is who a human reply comes from and what it answers.
type route struct {
	PartnershipID int64
	ParticipantID int64
	// QuestionID is the question the reply answers; empty when it was not
	// sent in reply to a particular question.
	QuestionID string
	// Thread is the thread of the mail replied to ("agreement" for the
	// agreement), when known.
	Thread string
	Via    string // token, references or sender
	// Purpose is the kind of check-in mail replied to (schedule-ask,
	// calendar, prep…), and Meeting the meeting slot it was about, when
	// the reply answers check-in mail.
	Purpose string
	Meeting time.Time
	// Unsubscribe marks a List-Unsubscribe click, which stops at once.
	Unsubscribe bool
}

// rejection is why a reply cannot be taken as anyone's; Notice, when set,
// is the notice the sender may get (at most once a day).
type rejection struct {
	Reason string
	Notice string
}

func (r *rejection) Error() string { return r.Reason }

// route finds the participant a human reply belongs to. The reply token in
// the address is tried first, then our Message-IDs in In-Reply-To and
// References, then the sender's one live partnership. Whatever finds the
// person, the From address must be theirs.
func (p *Processor) route(ctx context.Context, h textproto.MIMEHeader, from string) (route, error) {
	return p.routeWith(ctx, p.Store, h, from)
}

// lookups are the reads routing makes, of the store or of a transaction.
type lookups interface {
	ResolveToken(ctx context.Context, token string) (store.TokenTarget, error)
	OutboxByMessageID(ctx context.Context, messageID string) (store.OutboxMessage, error)
	MembershipsOf(ctx context.Context, email string) ([]store.Membership, error)
	PromptQuestion(ctx context.Context, promptID int64) (string, error)
}

// routeWith is route reading through l.
func (p *Processor) routeWith(ctx context.Context, l lookups, h textproto.MIMEHeader, from string) (route, error) {
	if from == "" {
		return route{}, &rejection{Reason: "no single sender address in From"}
	}
	if err := p.checkAuthResults(h); err != nil {
		return route{}, err
	}
	a, err := p.addressed(ctx, l, h)
	if err != nil {
		return route{}, err
	}
	if target := a.token; target != nil {
		if !sameAddress(target.Email, from) {
			return route{}, &rejection{Reason: fmt.Sprintf("sent by %s in reply to a question for someone else", from), Notice: "unknown-sender"}
		}
		r := route{PartnershipID: target.PartnershipID, ParticipantID: target.ParticipantID, QuestionID: target.QuestionID, Via: "token", Purpose: target.Purpose}
		if target.Meeting.Valid {
			r.Meeting = target.Meeting.Time.UTC()
		}
		return r, nil
	}
	if m := a.sent; m != nil {
		if !sameAddress(m.Recipient, from) {
			return route{}, &rejection{Reason: fmt.Sprintf("sent by %s in reply to mail for someone else", from), Notice: "unknown-sender"}
		}
		r := route{PartnershipID: m.PartnershipID.Int64, ParticipantID: m.ParticipantID.Int64, Thread: m.Thread, Via: "references"}
		if m.Thread == mailout.ThreadCheckins {
			r.Purpose = m.Kind
		}
		if m.PromptID.Valid {
			r.QuestionID, err = l.PromptQuestion(ctx, m.PromptID.Int64)
			if err != nil {
				return route{}, err
			}
		}
		return r, nil
	}
	ms, err := l.MembershipsOf(ctx, from)
	if err != nil {
		return route{}, err
	}
	switch {
	case len(ms) == 1:
		return route{PartnershipID: ms[0].PartnershipID, ParticipantID: ms[0].ParticipantID, Via: "sender"}, nil
	case len(ms) > 1:
		return route{}, &rejection{Reason: fmt.Sprintf("%s is in %d partnerships and the mail names none", from, len(ms)), Notice: "ambiguous"}
	case a.expired:
		return route{}, &rejection{Reason: "the reply address has expired and " + from + " is in no live partnership"}
	}
	return route{}, &rejection{Reason: "unknown sender " + from, Notice: "unknown-sender"}
}

// addressing is what a message's addressing names: the target of the
// first live reply token it was sent to, else the first of our messages it
// answers that went to a participant; nil for neither. expired reports a
// token that has expired.
type addressing struct {
	token   *store.TokenTarget
	sent    *store.OutboxMessage
	expired bool
}

// addressed reads what h's addressing names, without the sender check
// route makes.
func (p *Processor) addressed(ctx context.Context, l lookups, h textproto.MIMEHeader) (addressing, error) {
	var a addressing
	for _, token := range p.tokens(h) {
		target, err := l.ResolveToken(ctx, token)
		switch {
		case errors.Is(err, store.ErrTokenExpired):
			a.expired = true
			continue
		case errors.Is(err, store.ErrNotFound):
			continue
		case err != nil:
			return a, err
		}
		a.token = &target
		return a, nil
	}
	for _, id := range referencedIDs(h) {
		m, err := l.OutboxByMessageID(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case err != nil:
			return a, err
		}
		if m.ParticipantID.Valid && m.PartnershipID.Valid {
			a.sent = &m
			return a, nil
		}
	}
	return a, nil
}

// vouchedFor is the participant a message's addressing names (see
// addressed), or 0. A calendar reply written from another of the person's
// addresses is taken for them only with this (see calendarReply).
func (p *Processor) vouchedFor(ctx context.Context, l lookups, h textproto.MIMEHeader) (int64, error) {
	a, err := p.addressed(ctx, l, h)
	switch {
	case err != nil:
		return 0, err
	case a.token != nil:
		return a.token.ParticipantID, nil
	case a.sent != nil:
		return a.sent.ParticipantID.Int64, nil
	}
	return 0, nil
}

// tokens pulls reply tokens out of the plus addresses the mail was sent
// to; the envelope senders of our mail (see mailout.Identity.BounceAddress)
// are not reply addresses.
func (p *Processor) tokens(h textproto.MIMEHeader) []string {
	var out []string
	for _, a := range recipientAddresses(h) {
		t, ok := p.Identity.PlusTag(a)
		if !ok || len(t) > 64 {
			continue
		}
		if _, bounce := p.Identity.BounceToken(a); !bounce {
			out = append(out, t)
		}
	}
	return out
}

// sameAddress compares addresses without regard to case, in constant time
// for equal lengths.
func sameAddress(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSpace(a)), strings.ToLower(strings.TrimSpace(b))
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// checkAuthResults applies Trust to the topmost Authentication-Results
// header. Headers further down were added before our server saw the mail
// and may have been written by anyone, so they are never looked at. A
// header that cannot be read (package authres follows RFC 8601), carries
// another authserv-id or an unknown version gives no verdict.
func (p *Processor) checkAuthResults(h textproto.MIMEHeader) error {
	if p.Trust.AuthServID == "" {
		return nil
	}
	dmarc := ""
	if ars := h.Values("Authentication-Results"); len(ars) > 0 {
		ar, err := authres.Parse(ars[0])
		if err == nil && ar.Version == 1 && ar.AuthServID != "" && strings.EqualFold(ar.AuthServID, p.Trust.AuthServID) {
			dmarc = dmarcVerdict(ar)
		}
	}
	switch {
	case dmarc == "fail":
		return &rejection{Reason: "the sender's domain says this mail is not from them (dmarc=fail)"}
	case p.Trust.RequireDMARCPass && dmarc != "pass":
		return &rejection{Reason: fmt.Sprintf("sender not verified: dmarc=%q from %s", dmarc, p.Trust.AuthServID)}
	}
	return nil
}

// dmarcVerdict is the DMARC result of a header: "fail" if any DMARC result
// in it failed, else the first one given.
func dmarcVerdict(ar authres.Header) string {
	verdict := ""
	for _, r := range ar.Results {
		if r.Method != "dmarc" {
			continue
		}
		if r.Result == "fail" {
			return "fail"
		}
		if verdict == "" {
			verdict = r.Result
		}
	}
	return verdict
}
