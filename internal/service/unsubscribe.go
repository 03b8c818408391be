package service

import (
	"context"
	"errors"
	"net/http"
	"time"

	"accord/conversation"
	"accord/mailout"
	"accord/store"
	"accord/templates"
)

// unsubscribe serves the one-click unsubscribe: a POST (what a mail
// program sends, with List-Unsubscribe=One-Click in the body) takes the
// person out at once, resumable like any stop; a GET only shows a page
// with a button, because link checkers fetch every URL in a mail.
func (svc *service) unsubscribe(w http.ResponseWriter, r *http.Request) {
	page := templates.UnsubscribePage{Service: svc.identity.Name, Address: svc.identity.Address}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	status := http.StatusOK
	page.State, page.RejoinBy, page.Lang = svc.leave(ctx, r.PathValue("token"), r.Method == http.MethodPost)
	switch page.State {
	case templates.UnsubscribeUnknown:
		status = http.StatusNotFound
	case templates.UnsubscribeFailed:
		status = http.StatusServiceUnavailable
	}
	if r.Method == http.MethodPost && svc.m != nil {
		svc.m.unsubscribes.WithLabelValues(page.State).Inc()
	}
	body, err := templates.RenderUnsubscribePage(page)
	if err != nil {
		svc.log.Error(templates.Operator("serve.log.unsubscribe-page", nil), "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(body)
}

// leave looks up whom the token names and, when commit is set, takes them
// out. It returns the page state and, for someone leaving or who has
// just left, the last day they may come back, in their own words, and the
// language they read.
func (svc *service) leave(ctx context.Context, token string, commit bool) (state, rejoinBy, lang string) {
	st, _, _ := svc.parts()
	if st == nil {
		return templates.UnsubscribeFailed, "", ""
	}
	target, err := st.ResolveToken(ctx, token)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrTokenExpired):
		return templates.UnsubscribeUnknown, "", ""
	case err != nil:
		svc.log.Error(templates.Operator("serve.log.unsubscribe-token", nil), "err", err)
		return templates.UnsubscribeFailed, "", ""
	}
	// look says where the person stands; it changes nothing.
	look := func(p *conversation.Partnership, now time.Time) (*conversation.Participant, error) {
		me, err := p.Participant(target.ParticipantID)
		if err != nil {
			return nil, err
		}
		lang = templates.Language(me.Person.Language)
		if me.Status == conversation.ParticipantLeft || p.Status == conversation.StatusEnded {
			state = templates.UnsubscribeAlready
			return nil, nil
		}
		state, rejoinBy = templates.UnsubscribeAsk, mailout.LongDate(lang, now.Add(conversation.RejoinWithin), me.Person.Location)
		return me, nil
	}
	if !commit {
		p, err := st.Load(ctx, target.PartnershipID)
		if err == nil {
			_, err = look(p, st.Now())
		}
		if err != nil {
			svc.log.Error(templates.Operator("serve.log.unsubscribe-partnership", nil), "partnership_id", target.PartnershipID, "err", err)
			return templates.UnsubscribeFailed, "", ""
		}
		return state, rejoinBy, lang
	}
	_, err = st.Apply(ctx, target.PartnershipID, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		me, err := look(p, now)
		if me == nil || err != nil {
			return nil, err
		}
		state = templates.UnsubscribeDone
		return p.StopNow(me.ID, now)
	})
	if err != nil {
		svc.log.Error("unsubscribe failed", "partnership_id", target.PartnershipID, "err", err)
		return templates.UnsubscribeFailed, "", ""
	}
	if state == templates.UnsubscribeDone {
		svc.log.Info("left with one click", "partnership_id", target.PartnershipID, "participant_id", target.ParticipantID)
		svc.nudge()
	}
	return state, rejoinBy, lang
}
