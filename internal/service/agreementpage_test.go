package service

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/internal/config"
	"accord/mailout"
	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
	"accord/templates"
)

// pageClock is a settable clock for the agreement page test.
type pageClock struct{ now time.Time }

func (c *pageClock) Now() time.Time { return c.now }

// TestAgreementPage: with http.public_url set, agreement mail carries a
// personal link to a read-only page; the page shows that person's
// agreement, signed, with the earlier version folded away, sends headers
// that keep it private and runs nothing; it lays out at phone and desktop
// width and turns dark in dark mode. An unknown or expired link gets a
// page that says so, and forgetting the partnership takes the links.
func TestAgreementPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &pageClock{now: time.Date(2027, 3, 8, 9, 0, 0, 0, time.UTC)}
	id := mailout.Identity{Name: "Accord", Address: "accord@example.com", Separator: "+", AgreementURL: "https://accord.example.com" + config.AgreementPath}
	rules := conversation.DefaultRules()
	rules.Quiet = conversation.QuietHours{}
	st, err := store.Open(ctx, storetest.SQLiteURL(t), store.Options{Clock: clock, Rules: rules, LinkTTL: 90 * 24 * time.Hour,
		Dispatcher: &mailout.Dispatcher{Renderer: &mailout.Renderer{Identity: id}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := st.Enroll(ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: set,
		A: store.EnrollPerson{Name: "Dana Lee", Email: "dana@example.com", TimeZone: "Europe/Berlin"},
		B: store.EnrollPerson{Name: "Sam <Ortiz>", Email: "sam@example.com", TimeZone: "America/New_York"}})
	if err != nil {
		t.Fatal(err)
	}
	apply := func(op func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error)) {
		t.Helper()
		if _, err := st.Apply(ctx, pid, op); err != nil {
			t.Fatal(err)
		}
	}
	apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.Enroll(now), nil
	})
	for slot := range 2 {
		for range set.Len() {
			apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
				pt := p.Participants[slot]
				return p.Answer(pt.ID, pt.Current().QuestionID, "I answer within a day. <script>alert(1)</script>", now)
			})
		}
	}
	clock.now = clock.now.Add(rules.RevealGrace)
	apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.Wake(now), nil
	})
	for slot := range 2 {
		apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			all, _ := conversation.ParseDraftReply("agree all")
			return p.ReplyToDraft(p.Participants[slot].ID, all, now)
		})
	}
	// Sam's agreement mail holds his link.
	var link string
	for oid := int64(1); oid < 200 && link == ""; oid++ {
		m, err := st.Outbox(ctx, oid)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != string(conversation.MsgAgreement) || m.Recipient != "sam@example.com" {
			continue
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatal(err)
		}
		if mm := regexp.MustCompile(`https://accord\.example\.com(/agreement/[a-z2-7]{26})`).FindStringSubmatch(env.Text); mm != nil {
			link = mm[1]
		}
	}
	if link == "" {
		t.Fatal("Sam's agreement mail has no link to his page")
	}

	svc := &service{st: st, identity: id, log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+config.AgreementPath+"{token}", svc.agreementPage)
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}
	w := get(link)
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s = %d:\n%s", link, w.Code, body)
	}
	for _, want := range []string{"for Sam &lt;Ortiz&gt;", "Agreed by Dana Lee on", "I answer within a day. &lt;script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("the page runs a script")
	}
	for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}

	browser := mailtest.Chromium(t)
	for _, c := range []struct {
		width int
		dark  bool
	}{{375, false}, {375, true}, {1280, false}} {
		r := browser.Render(t, w.Body.Bytes(), c.width)
		if c.dark {
			r = browser.RenderDark(t, w.Body.Bytes(), c.width)
		}
		if r.Blank || r.Overflows() || !strings.Contains(strings.Join(strings.Fields(r.Text), " "), "We agree") {
			t.Errorf("at %d px (dark %v): blank %v, %d px wide in a %d px viewport, text %.80q", c.width, c.dark, r.Blank, r.ScrollWidth, r.ClientWidth, r.Text)
		}
	}

	// Once Sam reads Spanish, so does his page.
	apply(func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		return p.SetLanguage(p.Participants[1].ID, "es", now)
	})
	if body := get(link).Body.String(); !strings.Contains(body, `lang="es"`) || strings.Contains(body, "Agreed by") {
		t.Errorf("Sam's page after he chose Spanish is not in Spanish:\n%.600s", body)
	}

	if w := get(config.AgreementPath + "aaaaaaaaaaaaaaaaaaaaaaaaaa"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "not one we know") {
		t.Errorf("an unknown link = %d:\n%s", w.Code, w.Body.String())
	}
	clock.now = clock.now.Add(91 * 24 * time.Hour)
	if w := get(link); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "has expired") {
		t.Errorf("an expired link = %d:\n%s", w.Code, w.Body.String())
	}
	clock.now = clock.now.Add(-91 * 24 * time.Hour)
	if _, err := st.Forget(ctx, pid); err != nil {
		t.Fatal(err)
	}
	if w := get(link); w.Code != http.StatusNotFound {
		t.Errorf("a link of a forgotten partnership = %d, want 404", w.Code)
	}
}
