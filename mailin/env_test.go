package mailin

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/mailout"
	"accord/mailout/mailtest"
	"accord/store"
	"accord/store/storetest"
	"accord/templates"
)

const serviceAddress = "accord@example.test"

func testIdentity() mailout.Identity {
	return mailout.Identity{Name: "Accord", Address: serviceAddress, Separator: "+"}
}

// env is a store with an enrolled pair, a mailbox, and a poller between
// them, as one test uses it.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	mb    *mailtest.IMAP
	imap  *imapclient.Client
	pid   int64 // the partnership
	dana  int64 // participant ids
	sam   int64
	procs []*Processor
	// signed counts the drafts signDraft signed, for fresh UIDs.
	signed uint32
}

func newEnv(t testing.TB, dbURL string, mb *mailtest.IMAP) *env {
	t.Helper()
	return newEnvWith(t, dbURL, mb, store.Options{})
}

// newEnvWith is newEnv with store options of the test's own (a clock, a
// mail budget, rules); the dispatcher is filled in as newEnv has it, and
// the rules too unless the test set its own: no quiet hours and no grace
// before the partner sees an answer, so every mail goes out at once.
func newEnvWith(t testing.TB, dbURL string, mb *mailtest.IMAP, opts store.Options) *env {
	t.Helper()
	ctx := context.Background()
	if opts.Rules.ReviewEvery == 0 {
		opts.Rules = conversation.DefaultRules()
		opts.Rules.Quiet = conversation.QuietHours{}
		opts.Rules.RevealGrace = 0
	}
	opts.Dispatcher = &mailout.Dispatcher{Renderer: &mailout.Renderer{Identity: testIdentity()}}
	st, err := store.Open(ctx, dbURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// As serve does: every statement prepared once, not parsed per call.
	if err := st.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.Enroll(ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: set,
		A: store.EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
		B: store.EnrollPerson{Name: "Sam Ortiz", Email: "sam@example.test", TimeZone: "America/New_York"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: st, mb: mb, pid: id, dana: p.Participants[0].ID, sam: p.Participants[1].ID}
	if mb != nil {
		e.imap = mb.Client(t)
	}
	return e
}

// processor returns a processor for the env's store.
func (e *env) processor(worker string) *Processor {
	pr := &Processor{Store: e.st, Identity: testIdentity(), Renderer: &mailout.Renderer{Identity: testIdentity()},
		Worker: worker, MaxAttempts: 3}
	e.procs = append(e.procs, pr)
	return pr
}

// poller returns a poller on the env's mailbox with short timings.
func (e *env) poller(pr *Processor) *Poller {
	return &Poller{
		Config: IMAPConfig{Host: hostOf(e.mb.Addr), Port: portOf(e.mb.Addr), Security: e.mb.Security, Username: e.mb.User,
			Password: e.mb.Password, Mailbox: e.mb.Mailbox, Processed: e.mb.Processed, Quarantine: e.mb.Quarantine},
		TLS:             e.mb.TLS,
		Processor:       pr,
		BatchSize:       25,
		MinBackoff:      20 * time.Millisecond,
		MaxBackoff:      200 * time.Millisecond,
		RetryAfter:      100 * time.Millisecond,
		ResponseTimeout: 10 * time.Second,
	}
}

// run starts pollers and stops them when the test ends.
func (e *env) run(ps ...*Poller) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx) }()
	}
	e.t.Cleanup(func() { cancel(); wg.Wait() })
}

func hostOf(addr string) string { h, _, _ := strings.Cut(addr, ":"); return h }

func portOf(addr string) int {
	var p int
	_, port, _ := strings.Cut(addr, ":")
	fmt.Sscanf(port, "%d", &p)
	return p
}

// sent is an outbound mail as the person received it.
type sent struct {
	MessageID, ReplyTo, Subject string
	Raw                         []byte
}

// text returns the plain-text part of the mail with its lines joined, so
// a check does not depend on where the text wraps.
func (m sent) text(t testing.TB) string {
	t.Helper()
	env, err := enmime.ReadEnvelope(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatalf("read %s: %v", m.MessageID, err)
	}
	return strings.Join(strings.Fields(env.Text), " ")
}

// lastMail returns the newest queued mail to an address.
func (e *env) lastMail(to string) sent {
	e.t.Helper()
	all := e.mailTo(to)
	if len(all) == 0 {
		e.t.Fatalf("no mail to %s", to)
	}
	return all[len(all)-1]
}

// addressed is a queued mail with its recipient.
type addressed struct {
	sent
	To string
}

// mailTo lists the mail queued to an address, oldest first.
func (e *env) mailTo(to string) []sent {
	e.t.Helper()
	var out []sent
	for _, m := range e.allMail() {
		if m.To == to {
			out = append(out, m.sent)
		}
	}
	return out
}

// set is the default question set.
func (e *env) set() *conversation.QuestionSet {
	e.t.Helper()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		e.t.Fatal(err)
	}
	return set
}

// allMail lists every queued mail, oldest first.
func (e *env) allMail() []addressed {
	e.t.Helper()
	jobs, err := e.st.JobsOfKind(e.ctx, store.KindMail)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []addressed
	for _, j := range jobs {
		id, err := store.MailJobOutboxID(j)
		if err != nil {
			e.t.Fatal(err)
		}
		m, err := e.st.Outbox(e.ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
		if err != nil {
			e.t.Fatal(err)
		}
		replyTo := ""
		if rt, err := mail.ParseAddress(msg.Header.Get("Reply-To")); err == nil {
			replyTo = rt.Address
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		out = append(out, addressed{sent{MessageID: m.MessageID, ReplyTo: replyTo, Subject: subject, Raw: m.Raw}, m.Recipient})
	}
	return out
}

// replyMail writes a person's reply to a mail they got: top-posted text over
// the quoted original, addressed to its Reply-To, threaded under it.
func replyMail(from string, to sent, text string) []byte {
	b := make([]byte, 8)
	rand.Read(b)
	addr := to.ReplyTo
	if addr == "" {
		addr = serviceAddress
	}
	return []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nDate: %s\r\nMessage-ID: <%s@mail.example.test>\r\n"+
		"In-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"%s\r\n\r\nOn Mon, 23 Nov 2026 at 09:00, Accord <%s> wrote:\r\n> Hi,\r\n> here is your question.\r\n",
		from, addr, to.Subject, time.Now().Format(time.RFC1123Z), hex.EncodeToString(b), to.MessageID, to.MessageID,
		strings.ReplaceAll(text, "\n", "\r\n"), serviceAddress))
}

// pairSender is the lead of an extra pair, with the welcome they got.
type pairSender struct {
	from             string
	pid, participant int64
	welcome          sent
}

// enrollPairs enrols n more pairs and returns their leads.
func (e *env) enrollPairs(n int) []pairSender {
	e.t.Helper()
	out := []pairSender{{from: "dana@example.test", pid: e.pid, participant: e.dana, welcome: e.lastMail("dana@example.test")}}
	for i := 1; i < n; i++ {
		lead := fmt.Sprintf("lead%d@example.test", i)
		id, err := e.st.Enroll(e.ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: e.set(),
			A: store.EnrollPerson{Name: fmt.Sprintf("Lead %d", i), Email: lead, TimeZone: "Europe/Berlin"},
			B: store.EnrollPerson{Name: fmt.Sprintf("Report %d", i), Email: fmt.Sprintf("report%d@example.test", i), TimeZone: "Europe/Berlin"}})
		if err != nil {
			e.t.Fatal(err)
		}
		p, err := e.st.Load(e.ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, pairSender{from: lead, pid: id, participant: p.Participants[0].ID, welcome: e.lastMail(lead)})
	}
	return out
}

// answers lists a participant of the env's pair's recorded answers, oldest first.
func (e *env) answers(participant int64) []string {
	e.t.Helper()
	return e.answersOf(e.pid, participant)
}

// answersOf lists a participant's recorded answers, oldest first.
func (e *env) answersOf(pid, participant int64) []string {
	e.t.Helper()
	p, err := e.st.Load(e.ctx, pid)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, a := range p.Answers {
		if a.ParticipantID == participant {
			out = append(out, a.Text)
		}
	}
	return out
}

// outcomes counts the inbound log by outcome.
func (e *env) outcomes() map[string]int {
	e.t.Helper()
	out, err := e.st.InboundCounts(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// waitOutcomes waits until n messages have a final outcome.
func (e *env) waitOutcomes(n int, timeout time.Duration) map[string]int {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		o := e.outcomes()
		final := 0
		for k, v := range o {
			if k != store.InboundPending {
				final += v
			}
		}
		if final >= n {
			return o
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("after %s only %d of %d inbound messages have an outcome: %v", timeout, final, n, o)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eachEnv runs fn against every database and the in-memory mailbox, and
// against Dovecot with SQLite when the test bed is up.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, url string) {
		fn(t, newEnv(t, url, mailtest.NewMemoryIMAP(t)))
	})
	t.Run("dovecot", func(t *testing.T) {
		t.Parallel()
		fn(t, newEnv(t, storetest.SQLiteURL(t), mailtest.DovecotIMAP(t)))
	})
}
