package service

import (
	"context"
	"errors"
	"net/http"
	"time"

	"accord/mailout"
	"accord/store"
	"accord/templates"
)

// agreementPage serves a person's read-only page of their agreement: the
// current version and the earlier ones, in their time zone. The page runs
// nothing and loads nothing; a link that is unknown, taken back or
// expired gets a page that says so and how to get a fresh one.
func (svc *service) agreementPage(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
	status, body, err := svc.renderAgreementPage(ctx, r.PathValue("token"))
	if err != nil {
		svc.log.Error(templates.Operator("serve.log.agreement-page", nil), "err", err)
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(status)
	w.Write(body)
}

// renderAgreementPage is the status and page a link token gets.
func (svc *service) renderAgreementPage(ctx context.Context, token string) (int, []byte, error) {
	st, _, _ := svc.parts()
	if st == nil {
		return 0, nil, errors.New(templates.Operator("serve.database-not-open", nil))
	}
	target, err := st.ResolveLink(ctx, token)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrTokenExpired):
		page, err := templates.RenderLinkGonePage(templates.LinkGonePage{Service: svc.identity.Name, Expired: errors.Is(err, store.ErrTokenExpired)})
		return http.StatusNotFound, page, err
	case err != nil:
		return 0, nil, err
	}
	p, err := st.Load(ctx, target.PartnershipID)
	if err != nil {
		return 0, nil, err
	}
	me, err := p.Participant(target.ParticipantID)
	if err != nil || len(p.Agreements) == 0 {
		page, err := templates.RenderLinkGonePage(templates.LinkGonePage{Service: svc.identity.Name})
		return http.StatusNotFound, page, err
	}
	lang := templates.Language(me.Person.Language)
	page := templates.AgreementPage{Lang: lang, Service: svc.identity.Name, For: me.Person.Name,
		Until: mailout.LongDate(lang, target.ExpiresAt, me.Person.Location)}
	for i := len(p.Agreements) - 1; i >= 0; i-- {
		v := mailout.AgreementViewIn(p, p.Agreements[i], me)
		if page.Current == nil {
			page.Current = v
			continue
		}
		page.Earlier = append(page.Earlier, v)
	}
	body, err := templates.RenderAgreementPage(page)
	return http.StatusOK, body, err
}
