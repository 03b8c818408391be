package mailout

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"accord/conversation"
	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
	"accord/templates"
)

// outboxEnv is a store, a scripted SMTP sink and an outbox between them.
type outboxEnv struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	clock  *storetest.Clock
	sink   *mailtest.Sink
	sender *Sender
	outbox *Outbox
	r      *Renderer
	sample Letter
}

func newOutboxEnv(t *testing.T, url string, connections int) *outboxEnv {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(sampleTime)
	r := fixedRenderer()
	st, err := store.Open(ctx, url, store.Options{Clock: clock, Dispatcher: &Dispatcher{Renderer: r}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sink := mailtest.NewSink(t)
	sink.SetCredentials("accord", "s3cret")
	sender, err := NewSender(SMTPConfig{Host: sink.Host(), Port: sink.Port(), Security: Plaintext,
		Username: "accord", Password: "s3cret", Connections: connections, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sender.Close)
	e := &outboxEnv{t: t, ctx: ctx, st: st, clock: clock, sink: sink, sender: sender, r: r, sample: samples(t)[2].Letter}
	e.outbox = &Outbox{Store: st, Mailer: sender, From: "accord@example.com", Concurrency: connections}
	return e
}

// queue renders a sample to rcpt and stores it for delivery, as a state
// change would.
func (e *outboxEnv) queue(rcpt string) (outboxID int64, messageID string) {
	e.t.Helper()
	l := e.sample
	l.ToAddress = rcpt
	id, raw, err := e.r.Render(l)
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.st.InTx(e.ctx, func(tx *store.Tx) error {
		// As a partnership's load notes its people's addresses as not
		// bouncing: mail to them may be handed over.
		tx.Deliverable(rcpt)
		outboxID, err = tx.AddOutbox(e.ctx, store.NewOutbox{Recipient: rcpt, Kind: "question", MessageID: id, Raw: raw})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return outboxID, id
}

// drain runs the outbox, moving the clock to each retry, until nothing is
// due within a day.
func (e *outboxEnv) drain() {
	e.t.Helper()
	w := e.outbox.Worker()
	for range 200 {
		if _, err := w.RunDue(e.ctx); err != nil {
			e.t.Fatal(err)
		}
		next, err := e.st.NextJobAt(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if next.IsZero() || next.Sub(e.clock.Now()) > 24*time.Hour {
			return
		}
		if next.After(e.clock.Now()) {
			e.clock.Set(next)
		}
	}
	e.t.Fatal("the outbox did not settle")
}

func (e *outboxEnv) message(id int64) store.OutboxMessage {
	e.t.Helper()
	m, err := e.st.Outbox(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// TestOutboxAgainstScriptedServer is the delivery acceptance test: one
// message per server behaviour, four connections at once, a worker that
// dies between the server's 250 and the sent-mark. Nothing may be lost,
// nothing sent more than twice (and a second copy only with the same
// Message-ID), nothing retried after a 5xx.
//
// It runs twice: with mail queued for the worker to claim, and with mail
// handed over straight from the transaction that queued it (see
// store.Handoff), where the first attempt is the hand-over's and the rest
// is the same.
func TestOutboxAgainstScriptedServer(t *testing.T) {
	t.Parallel()
	for _, handed := range []bool{false, true} {
		t.Run(map[bool]string{false: "claimed", true: "handed"}[handed], func(t *testing.T) {
			t.Parallel()
			scriptedServer(t, handed)
		})
	}
}

func scriptedServer(t *testing.T, handed bool) {
	storetest.Each(t, func(t *testing.T, url string) {
		e := newOutboxEnv(t, url, 4)
		scripts := map[string][]string{
			"ok@example.test":      {"250"},
			"closing@example.test": {"421"},
			"busy@example.test":    {"451", "451", "451", "250"},
			"full@example.test":    {"452"},
			"unknown@example.test": {"550 5.1.1"},
			"big@example.test":     {"552"},
			"dropped@example.test": {"drop-after-data"},
			"crash@example.test":   {"250"},
		}
		// The worker handling crash@ dies right after the server took the
		// message, before it could record that.
		var once sync.Once
		e.outbox.crash = func(point string, m store.OutboxMessage) {
			if point != "after_accept_before_mark" || m.Recipient != "crash@example.test" {
				return
			}
			crashed := false
			once.Do(func() { crashed = true })
			if crashed {
				runtime.Goexit() // the worker is gone: no outcome is recorded
			}
		}
		ids := map[string]int64{}
		msgIDs := map[string]string{}
		stop := func() {}
		if handed {
			stop = e.handOver()
		}
		for rcpt, steps := range scripts {
			e.sink.Script(rcpt, steps...)
			ids[rcpt], msgIDs[rcpt] = e.queue(rcpt)
		}
		stop()
		// The first round leaves crash@'s job leased by the dead worker;
		// its lease runs out five minutes later and another run takes it.
		e.drain()
		e.clock.Advance(6 * time.Minute)
		e.drain()

		received := map[string]int{}
		for _, m := range e.sink.Received() {
			received[m.MessageID]++
		}
		want := map[string]struct {
			state    string
			copies   int
			attempts int
		}{
			"ok@example.test":      {store.OutboxSent, 1, 1},
			"closing@example.test": {store.OutboxSent, 1, 2},
			"busy@example.test":    {store.OutboxSent, 1, 4},
			"full@example.test":    {store.OutboxSent, 1, 2},
			"unknown@example.test": {store.OutboxFailed, 0, 1},
			"big@example.test":     {store.OutboxFailed, 0, 1},
			"dropped@example.test": {store.OutboxSent, 2, 2},
			"crash@example.test":   {store.OutboxSent, 2, 2},
		}
		for rcpt, w := range want {
			m := e.message(ids[rcpt])
			if m.State != w.state || received[msgIDs[rcpt]] != w.copies || e.sink.Attempts(rcpt) != w.attempts {
				t.Errorf("%s: state %s, %d copies received, %d attempts at the server (last error %q); want %s, %d, %d",
					rcpt, m.State, received[msgIDs[rcpt]], e.sink.Attempts(rcpt), m.LastError, w.state, w.copies, w.attempts)
			}
			if w.state == store.OutboxFailed && m.LastError == "" {
				t.Errorf("%s failed without a recorded reason", rcpt)
			}
		}
		for _, m := range e.sink.Received() {
			if len(m.To) != 1 || msgIDs[m.To[0]] != m.MessageID {
				t.Errorf("server got Message-ID %s for %v; every copy must carry the id first rendered", m.MessageID, m.To)
			}
		}
		if e.sink.Connections() > 12 {
			t.Errorf("%d SMTP connections for %d messages; connections are not being reused", e.sink.Connections(), len(scripts))
		}
		if n, _ := e.st.NextJobAt(e.ctx); !n.IsZero() {
			t.Errorf("a mail job is still pending at %s", n)
		}
		if handed {
			jobs, err := e.st.JobsOfKind(e.ctx, store.KindMail)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs {
				if !j.DedupeKey.Valid || !strings.HasPrefix(j.DedupeKey.String, "outbox:") {
					t.Errorf("mail job %d was not handed over (dedupe key %v)", j.ID, j.DedupeKey)
				}
			}
		}
	})
}

// handOver connects the outbox to the store as serve does, with its
// hand-over senders running, until the returned stop, which waits for
// them to send and record what was handed over.
func (e *outboxEnv) handOver() (stop func()) {
	e.outbox.Worker() // the defaults
	e.outbox.openHandoff()
	e.st.SetHandoff(e.outbox)
	ctx, cancel := context.WithCancel(e.ctx)
	var senders sync.WaitGroup
	for range e.outbox.Concurrency {
		senders.Add(1)
		go func() {
			defer senders.Done()
			e.outbox.sendHanded(ctx)
		}()
	}
	marked := make(chan struct{})
	go func() {
		defer close(marked)
		e.outbox.markSentLoop()
	}()
	return func() {
		cancel()
		senders.Wait()
		close(e.outbox.hand.sent)
		<-marked
		e.st.SetHandoff(nil)
	}
}

// TestOutboxStopsOnAuthFailure: a refused login stops all sending without
// using up attempts, and sending resumes once a probe logs in.
func TestOutboxStopsOnAuthFailure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		e := newOutboxEnv(t, url, 2)
		e.sink.FailAuth(true)
		var ids []int64
		for i := range 3 {
			id, _ := e.queue(fmt.Sprintf("p%d@example.test", i))
			ids = append(ids, id)
		}
		w := e.outbox.Worker()
		if _, err := w.RunDue(e.ctx); err != nil {
			t.Fatal(err)
		}
		st := e.outbox.State()
		if st.AuthFailedSince.IsZero() || !strings.Contains(st.LastError, "535") {
			t.Fatalf("state after 535 = %+v, want the alert set", st)
		}
		if got := len(e.sink.Received()); got != 0 {
			t.Fatalf("%d messages delivered with a refused login", got)
		}
		jobs, err := e.st.JobsOfKind(e.ctx, store.KindMail)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			if j.State != store.JobAvailable || j.Attempts != 0 {
				t.Errorf("job %d after 535: %s with %d attempts; want handed back with none used", j.ID, j.State, j.Attempts)
			}
		}
		for _, id := range ids {
			if m := e.message(id); m.State != store.OutboxQueued {
				t.Errorf("message %d is %s after 535, want still queued", id, m.State)
			}
		}

		// The gate holds the worker until a probe logs in.
		gated := make(chan error, 1)
		ctx, cancel := context.WithTimeout(e.ctx, 20*time.Second)
		defer cancel()
		go func() { gated <- e.outbox.gate(ctx) }()
		select {
		case err := <-gated:
			t.Fatalf("gate opened while the login still fails: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		e.clock.Advance(2 * time.Minute) // first probe: still refused
		for deadline := time.Now().Add(15 * time.Second); e.outbox.State().probes == 0; {
			if time.Now().After(deadline) {
				t.Fatal("the gate never probed the login")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if st := e.outbox.State(); st.AuthFailedSince.IsZero() || st.probes != 1 {
			t.Fatalf("after one refused probe: %+v; want the alert kept", st)
		}
		e.sink.FailAuth(false)
		e.clock.Advance(5 * time.Minute)
		if err := <-gated; err != nil {
			t.Fatalf("gate: %v", err)
		}
		e.drain()
		if got := len(e.sink.Received()); got != 3 {
			t.Errorf("after the login works again %d of 3 messages were delivered", got)
		}
	})
}

// TestOutboxGivesUpAndBounces covers the two ways a message ends without
// delivery: retries running out of time, and an address marked bouncing.
func TestOutboxGivesUpAndBounces(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		e := newOutboxEnv(t, url, 1)
		e.outbox.GiveUpAfter = 2 * time.Hour
		steps := make([]string, 100)
		for i := range steps {
			steps[i] = "451"
		}
		e.sink.Script("flaky@example.test", steps...)
		flaky, _ := e.queue("flaky@example.test")
		e.drain()
		if m := e.message(flaky); m.State != store.OutboxFailed || !strings.Contains(m.LastError, "gave up after 2h") {
			t.Errorf("after two hours of 451: %s, %q; want failed, giving up", m.State, m.LastError)
		}
		if n := e.sink.Attempts("flaky@example.test"); n < 3 || n > 20 {
			t.Errorf("%d attempts in two hours; want a handful, backing off", n)
		}

		// Enrol a person whose address no longer exists: the welcome is
		// the first permanent failure, one more mail the second.
		e.outbox.BounceAfter = 2
		e.sink.Script("gone@example.test", "550 5.1.1", "550 5.1.1", "550 5.1.1", "550 5.1.1")
		set, err := templates.DefaultQuestionSet()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.Enroll(e.ctx, store.Enrollment{Kind: conversation.KindLeadReport,
			A:   store.EnrollPerson{Name: "Gone Person", Email: "gone@example.test", TimeZone: "UTC"},
			B:   store.EnrollPerson{Name: "Here Person", Email: "here@example.test", TimeZone: "UTC"},
			Set: set}); err != nil {
			t.Fatal(err)
		}
		e.drain()
		if b, _ := e.st.BounceOf(e.ctx, "gone@example.test"); b.HardBounces != 1 || b.Bouncing() {
			t.Fatalf("after the welcome bounced: %+v; want one hard bounce, not yet bouncing", b)
		}
		e.queue("gone@example.test")
		e.drain()
		b, err := e.st.BounceOf(e.ctx, "gone@example.test")
		if err != nil || !b.Bouncing() || b.HardBounces != 2 {
			t.Fatalf("bounce state after two 550s = %+v, %v; want bouncing", b, err)
		}
		third, _ := e.queue("gone@example.test")
		e.drain()
		if m := e.message(third); m.State != store.OutboxFailed || !strings.Contains(m.LastError, "bouncing") {
			t.Errorf("mail to a bouncing address: %s, %q; want failed without sending", m.State, m.LastError)
		}
		if n := e.sink.Attempts("gone@example.test"); n != 2 {
			t.Errorf("the server saw %d attempts for the bouncing address, want 2", n)
		}
		if err := e.st.ClearBounce(e.ctx, "gone@example.test"); err != nil {
			t.Fatal(err)
		}
		if b, _ := e.st.BounceOf(e.ctx, "gone@example.test"); b.Bouncing() {
			t.Error("ClearBounce left the address bouncing")
		}
	})
}

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    SMTPConfig
		wantErr string
	}{
		{in: "smtps://accord@mail.example.com", want: SMTPConfig{Host: "mail.example.com", Port: 465, Security: ImplicitTLS, Username: "accord"}},
		{in: "smtp+starttls://accord:pw@mail.example.com:2587?auth=login", want: SMTPConfig{Host: "mail.example.com", Port: 2587, Security: StartTLS, Username: "accord", Password: "pw", Auth: "login"}},
		{in: "smtp://127.0.0.1:2525", want: SMTPConfig{Host: "127.0.0.1", Port: 2525, Security: Plaintext}},
		{in: "imap://mail.example.com", wantErr: "scheme"},
		{in: "smtp://mail.example.com:99999", wantErr: "port"},
		{in: "mail.example.com:25", wantErr: "not an SMTP URL"},
		{in: "smtps://mail.example.com?auth=xoauth", wantErr: "auth"},
	}
	for _, tt := range tests {
		got, err := ParseSMTPURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSMTPURL(%q) = %+v, %v; want an error about %s", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	c, _ := ParseSMTPURL("smtp+starttls://accord:pw@mail.example.com:587")
	if r := c.Redacted(); strings.Contains(r, "pw") || r != "smtp+starttls://accord@mail.example.com:587" {
		t.Errorf("Redacted() = %q", r)
	}
}

func TestSendErrorClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err                         *SendError
		temporary, auth, recipientX bool
	}{
		{&SendError{Stage: "rcpt", Code: 451}, true, false, false},
		{&SendError{Stage: "data", Code: 0, Err: errors.New("EOF")}, true, false, false},
		{&SendError{Stage: "rcpt", Code: 550, Enhanced: "5.1.1"}, false, false, true},
		{&SendError{Stage: "data", Code: 552, Enhanced: "5.3.4"}, false, false, false},
		{&SendError{Stage: "auth", Code: 535, Enhanced: "5.7.8"}, false, true, false},
		{&SendError{Stage: "mail", Code: 535}, false, true, false},
		{&SendError{Stage: "auth", Code: 454}, true, false, false},
	}
	for _, tt := range tests {
		if tt.err.Err == nil {
			tt.err.Err = errors.New("x")
		}
		if tt.err.Temporary() != tt.temporary || tt.err.AuthFailed() != tt.auth || tt.err.RecipientRejected() != tt.recipientX {
			t.Errorf("%+v: temporary %v, auth %v, recipient %v; want %v, %v, %v", tt.err,
				tt.err.Temporary(), tt.err.AuthFailed(), tt.err.RecipientRejected(), tt.temporary, tt.auth, tt.recipientX)
		}
	}
}

// TestOutboxEnvelopeSenders: each message goes out from its own bounce
// address, which names it; a server that refuses such senders, at MAIL
// FROM as Postfix does or after DATA as Microsoft 365 does, gets the
// service address instead, for that message and every later one.
func TestOutboxEnvelopeSenders(t *testing.T) {
	t.Parallel()
	for _, atData := range []bool{false, true} {
		e := newOutboxEnv(t, storetest.SQLiteURL(t), 1)
		id := testIdentity()
		e.outbox.BounceAddress = id.BounceAddress
		first, _ := e.queue("dana@example.test")
		e.drain()
		got := e.sink.Received()
		if len(got) != 1 {
			t.Fatalf("%d messages delivered, want 1", len(got))
		}
		m := e.message(first)
		if want := "accord+b-" + m.BounceToken.String + "@example.com"; !m.BounceToken.Valid || got[0].From != want {
			t.Fatalf("MAIL FROM = %q, want %q", got[0].From, want)
		}
		if tok, ok := id.BounceToken(got[0].From); !ok || tok != m.BounceToken.String {
			t.Errorf("BounceToken(%q) = %q, %v; want the message's token", got[0].From, tok, ok)
		}
		if byToken, err := e.st.OutboxByBounceToken(e.ctx, strings.ToUpper(m.BounceToken.String)); err != nil || byToken.ID != first {
			t.Errorf("OutboxByBounceToken = %d, %v; want message %d", byToken.ID, err, first)
		}

		e.sink.RefuseSenders("+b-", atData)
		sam, _ := e.queue("sam@example.test")
		e.queue("kim@example.test")
		e.drain()
		got = e.sink.Received()
		if len(got) != 3 || got[1].From != "accord@example.com" || got[2].From != "accord@example.com" {
			t.Fatalf("refused at data %v: %d delivered, senders %v; want all, from the service address", atData, len(got), senders(got))
		}
		if m := e.message(sam); m.State != store.OutboxSent {
			t.Errorf("refused at data %v: the message that met the refusal is %s (%q), want sent", atData, m.State, m.LastError)
		}
		if n := e.sink.Attempts("kim@example.test"); n != 1 {
			t.Errorf("refused at data %v: the message after the refusal took %d transactions, want 1 (no second try with a bounce address)", atData, n)
		}
	}
}

func senders(ms []mailtest.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.From)
	}
	return out
}

// oauthMailer is a Mailer that says it signs in with OAuth.
type oauthMailer struct{ Mailer }

func (oauthMailer) UsesOAuth() bool { return true }

// TestLoginDelay: after a refused password the probes back off to
// minutes; with OAuth, a refused token or a lost grant is probed again
// within seconds, since a new sign-in may come at any moment.
func TestLoginDelay(t *testing.T) {
	t.Parallel()
	refused := &SendError{Stage: "connect", Code: 535, Err: errors.New("535 5.7.8 authentication failed")}
	for _, tc := range []struct {
		name   string
		mailer Mailer
		probes int
		want   time.Duration
	}{
		{"password, first", &Sender{}, 0, time.Minute},
		{"password, third", &Sender{}, 2, 4 * time.Minute},
		{"oauth token refused", oauthMailer{}, 3, grantProbeDelay},
	} {
		o := &Outbox{Mailer: tc.mailer}
		if got := o.loginDelay(refused, tc.probes); got != tc.want {
			t.Errorf("%s: next probe in %s, want %s", tc.name, got, tc.want)
		}
	}
}
