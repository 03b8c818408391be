package mailout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/store"
	"accord/store/storetest"
	"accord/templates"
)

// mailOf returns the stored messages to one address, oldest first, parsed.
func mailOf(t *testing.T, st *store.Store, recipient string) []*enmime.Envelope {
	t.Helper()
	jobs, err := st.JobsOfKind(context.Background(), store.KindMail)
	if err != nil {
		t.Fatal(err)
	}
	var out []*enmime.Envelope
	for _, j := range jobs {
		id, err := store.MailJobOutboxID(j)
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.Outbox(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Recipient != recipient {
			continue
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, env)
	}
	return out
}

// TestDispatcherThreads follows a pair through the store: the questions of
// one person form one thread, each mail answering the one before, and the
// agreement starts a thread of its own.
func TestDispatcherThreads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := storetest.NewClock(sampleTime)
		rules := conversation.DefaultRules()
		rules.Quiet = conversation.QuietHours{}
		st, err := store.Open(ctx, url, store.Options{Clock: clock, Rules: rules, Dispatcher: &Dispatcher{Renderer: &Renderer{Identity: testIdentity()}}})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		set := &conversation.QuestionSet{Name: "short", Version: 1}
		full, _ := templates.DefaultQuestionSet()
		set.Questions = full.Questions[:2]
		id, err := st.Enroll(ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: set,
			A: store.EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
			B: store.EnrollPerson{Name: "Sam Ortiz", Email: "sam@example.test", TimeZone: "Europe/Berlin"}})
		if err != nil {
			t.Fatal(err)
		}
		answer := func(pt int, q string) {
			t.Helper()
			clock.Advance(time.Hour)
			if _, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
				return p.Answer(p.Participants[pt].ID, q, "words for "+q, now)
			}); err != nil {
				t.Fatal(err)
			}
		}
		// An inbound reply's Message-ID threads the acknowledgement under it.
		clock.Advance(time.Hour)
		inbound := "<reply-1@mail.example.net>"
		lead, err := st.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Apply(WithReplyTo(ctx, lead.Participants[0].ID, inbound), id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Help(p.Participants[0].ID, now)
		}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{set.Questions[0].ID, set.Questions[1].ID} {
			answer(0, q)
			answer(1, q)
		}
		// The agreement waits out the last answer's grace.
		clock.Advance(rules.RevealGrace)
		if _, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Wake(now), nil
		}); err != nil {
			t.Fatal(err)
		}
		dana := mailOf(t, st, "dana@example.test")
		kinds := []string{}
		for _, env := range dana {
			kinds = append(kinds, env.GetHeader("Subject"))
		}
		// welcome, help, question 2, waiting, agreement, when to meet
		if len(dana) != 6 {
			t.Fatalf("Dana got %d mails (%q), want 6", len(dana), kinds)
		}
		root := dana[0].GetHeader("Message-Id")
		if dana[0].GetHeader("In-Reply-To") != "" || dana[0].GetHeader("References") != "" {
			t.Errorf("the welcome starts the thread but has In-Reply-To %q", dana[0].GetHeader("In-Reply-To"))
		}
		help := dana[1]
		if help.GetHeader("In-Reply-To") != inbound || !strings.Contains(help.GetHeader("References"), root) || !strings.Contains(help.GetHeader("References"), inbound) {
			t.Errorf("help: In-Reply-To %q, References %q; want it under the person's reply and in the thread", help.GetHeader("In-Reply-To"), help.GetHeader("References"))
		}
		for i := 2; i < 4; i++ {
			refs := strings.Fields(dana[i].GetHeader("References"))
			if dana[i].GetHeader("In-Reply-To") != dana[i-1].GetHeader("Message-Id") || len(refs) == 0 || refs[0] != root {
				t.Errorf("mail %d (%s): In-Reply-To %q, References %q; want the previous mail, rooted at the welcome", i, kinds[i], dana[i].GetHeader("In-Reply-To"), refs)
			}
		}
		agreement := dana[4]
		if !strings.Contains(agreement.GetHeader("Subject"), "agreement") || agreement.GetHeader("In-Reply-To") != "" {
			t.Errorf("agreement %q: In-Reply-To %q; want it to start its own thread", agreement.GetHeader("Subject"), agreement.GetHeader("In-Reply-To"))
		}
		if !strings.Contains(agreement.Text, "words for "+set.Questions[1].ID) {
			t.Errorf("agreement text lacks the answers:\n%s", agreement.Text)
		}
		// The check-in question starts a thread of its own too.
		if ask := dana[5]; !strings.Contains(ask.GetHeader("Subject"), "meet") || ask.GetHeader("In-Reply-To") != "" {
			t.Errorf("check-in question %q: In-Reply-To %q; want it to start the check-in thread", ask.GetHeader("Subject"), ask.GetHeader("In-Reply-To"))
		}
	})
}

// TestRenderFailureKeepsTheStateChange: when mail cannot be rendered, the
// answer is still recorded and the failure is kept with its reason.
func TestRenderFailureKeepsTheStateChange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		broken := &Renderer{Identity: Identity{Name: "Accord", Address: "not an address", Separator: "+"}}
		st, err := store.Open(ctx, url, store.Options{Clock: storetest.NewClock(sampleTime), Dispatcher: &Dispatcher{Renderer: broken}})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		set, _ := templates.DefaultQuestionSet()
		id, err := st.Enroll(ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: set,
			A: store.EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
			B: store.EnrollPerson{Name: "Sam Ortiz", Email: "sam@example.test", TimeZone: "Europe/Berlin"}})
		if err != nil {
			t.Fatalf("Enroll with a broken renderer: %v", err)
		}
		counts, err := st.MailCounts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if counts.Failed != 2 || counts.Queued != 0 || !strings.Contains(counts.LastFailure, "could not render") {
			t.Errorf("mail after a render failure = %+v, want both welcomes failed with the reason", counts)
		}
		if jobs, _ := st.JobsOfKind(ctx, store.KindMail); len(jobs) != 0 {
			t.Errorf("%d delivery jobs queued for mail that could not be rendered", len(jobs))
		}
		if p, err := st.Load(ctx, id); err != nil || p.Status != conversation.StatusAnswering {
			t.Errorf("partnership after a render failure: %v, %v; want it enrolled and answering", p, err)
		}
	})
}

// blockingMailer holds each send until released, to test shutdown.
type blockingMailer struct {
	started chan struct{}
	release chan struct{}
	mu      sync.Mutex
	sent    int
}

func (m *blockingMailer) Send(ctx context.Context, from, to string, raw []byte) (string, error) {
	m.started <- struct{}{}
	<-m.release
	m.mu.Lock()
	m.sent++
	m.mu.Unlock()
	return "250 2.0.0 queued", nil
}

func (m *blockingMailer) Probe(context.Context) error { return nil }

// TestOutboxShutdownFinishesInFlight: stopping the outbox while a message is
// on the wire lets that send finish and be recorded.
func TestOutboxShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	e := newOutboxEnv(t, storetest.SQLiteURL(t), 1)
	mailer := &blockingMailer{started: make(chan struct{}, 1), release: make(chan struct{})}
	e.outbox.Mailer = mailer
	id, _ := e.queue("dana@example.test")
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.outbox.Run(ctx) }()
	select {
	case <-mailer.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the outbox never started sending")
	}
	cancel()
	close(mailer.release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if m := e.message(id); m.State != store.OutboxSent || m.SMTPReply != "250 2.0.0 queued" {
		t.Errorf("message in flight at shutdown: %s (%q); want sent and recorded", m.State, m.SMTPReply)
	}
}

// TestOutboxServerDown: while the server cannot be reached, mail waits
// without using up any attempt, the outbox says it is unreachable (which
// /readyz reports), and sending resumes within seconds of its return.
func TestOutboxServerDown(t *testing.T) {
	t.Parallel()
	e := newOutboxEnv(t, storetest.SQLiteURL(t), 1)
	e.sink.SetDown(true)
	var ids []int64
	for i := range 3 {
		id, _ := e.queue(fmt.Sprintf("p%d@example.test", i))
		ids = append(ids, id)
	}
	if _, err := e.outbox.Worker().RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	st := e.outbox.State()
	if st.UnreachableSince.IsZero() || st.LastError == "" {
		t.Fatalf("state while the server is down = %+v, want it unreachable with the reason", st)
	}
	for n, id := range ids {
		m := e.message(id)
		if m.State != store.OutboxQueued || m.Attempts != 0 {
			t.Errorf("message %d while the server is down: %s, %d attempts; want queued, none used", n, m.State, m.Attempts)
		}
		if n == 0 && !strings.Contains(m.LastError, "connect") {
			t.Errorf("the message that met the outage records %q, want the reason", m.LastError)
		}
	}
	jobs, _ := e.st.JobsOfKind(e.ctx, store.KindMail)
	for _, j := range jobs {
		if j.State != store.JobAvailable || j.Attempts != 0 {
			t.Errorf("job %d while the server is down: %s with %d attempts; want handed back with none used", j.ID, j.State, j.Attempts)
		}
	}

	// The gate holds the worker and probes; once the server answers it
	// opens, and everything goes out.
	gated := make(chan error, 1)
	ctx, cancel := context.WithTimeout(e.ctx, 20*time.Second)
	defer cancel()
	go func() { gated <- e.outbox.gate(ctx) }()
	select {
	case err := <-gated:
		t.Fatalf("gate opened while the server is down: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	e.sink.SetDown(false)
	e.clock.Advance(5 * time.Second)
	if err := <-gated; err != nil {
		t.Fatalf("gate: %v", err)
	}
	if st := e.outbox.State(); !st.UnreachableSince.IsZero() {
		t.Errorf("state after the server came back = %+v, want cleared", st)
	}
	e.drain()
	if got := len(e.sink.Received()); got != 3 {
		t.Errorf("after the server came back %d of 3 messages were delivered", got)
	}

	var se *SendError
	down, err := NewSender(SMTPConfig{Host: "127.0.0.1", Port: 1, Security: Plaintext, Timeout: 2 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := down.Send(e.ctx, "a@example.test", "b@example.test", []byte("x")); !errors.As(err, &se) || !se.Temporary() || !se.Unreachable() {
		t.Errorf("Send to a closed port = %v, want a temporary SendError saying unreachable", err)
	}
}
