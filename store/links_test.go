package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"accord/conversation"
	"accord/internal/apply"
)

// linkDispatcher keeps the agreement links of the mail it is handed.
type linkDispatcher struct {
	mu    sync.Mutex
	links map[int64]apply.Outgoing // participant → their latest agreement mail
}

func (d *linkDispatcher) Dispatch(_ context.Context, _ *Tx, _ *conversation.Partnership, out []apply.Outgoing) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, o := range out {
		if o.Kind == conversation.MsgAgreement {
			d.links[o.To.ID] = o
		}
	}
	return nil
}

// TestAgreementLinks: with LinkTTL set, each agreement mail carries a
// personal link that opens its recipient's partnership until it expires;
// a made-up token opens nothing, an expired one says so, and forgetting
// the partnership takes its links.
func TestAgreementLinks(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		clock := newClock(t0)
		d := &linkDispatcher{links: map[int64]apply.Outgoing{}}
		st := openStore(t, url, Options{Clock: clock, Dispatcher: d, LinkTTL: 90 * 24 * time.Hour})
		set := &conversation.QuestionSet{Name: "links", Version: 1, Questions: []conversation.Question{
			{ID: "q1", Theme: "T", Title: "Q1?", Wording: map[conversation.Role]string{conversation.RoleLead: "Q1?", conversation.RoleReport: "Q1?", conversation.RolePeer: "Q1?"}},
		}}
		id := ok(st.Enroll(ctx, Enrollment{
			Kind: conversation.KindLeadReport,
			A:    EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
			B:    EnrollPerson{Name: "Sam Ortiz", Email: "sam@example.test", TimeZone: "Europe/Berlin"},
			Set:  set,
		}))(t)
		// One question that proposes nothing: both answer, and version 1
		// goes out at once once the grace has passed.
		for slot := range 2 {
			ok(st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
				p.Enroll(now)
				pt := p.Participants[slot]
				return p.Answer(pt.ID, "q1", "ok", now)
			}))(t)
		}
		clock.Advance(time.Hour)
		ok(st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			for _, pt := range p.Participants {
				pt.NextSendAt = now
			}
			return p.Wake(now), nil
		}))(t)
		if len(d.links) != 2 {
			t.Fatalf("agreement mail with links to %d people, want 2", len(d.links))
		}
		for pid, o := range d.links {
			if len(o.Link) != 26 || !o.LinkUntil.Equal(clock.Now().Add(90*24*time.Hour)) {
				t.Errorf("participant %d: link %q until %v, want a 26-character token for 90 days", pid, o.Link, o.LinkUntil)
			}
			got, err := st.ResolveLink(ctx, o.Link)
			if err != nil || got.PartnershipID != id || got.ParticipantID != pid {
				t.Errorf("ResolveLink(participant %d's link) = %+v, %v; want partnership %d", pid, got, err, id)
			}
		}
		if _, err := st.ResolveLink(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a made-up link: %v, want ErrNotFound", err)
		}
		var one apply.Outgoing
		for _, o := range d.links {
			one = o
		}
		clock.Advance(90 * 24 * time.Hour)
		if _, err := st.ResolveLink(ctx, one.Link); !errors.Is(err, ErrTokenExpired) {
			t.Errorf("a link after 90 days: %v, want ErrTokenExpired", err)
		}
		clock.Set(t0)
		if _, err := st.Forget(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ResolveLink(ctx, one.Link); !errors.Is(err, ErrNotFound) {
			t.Errorf("a link of a forgotten partnership: %v, want ErrNotFound", err)
		}
	})
}
