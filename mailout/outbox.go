package mailout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"accord/store"
)

// Outbox delivers the mail stored by [Dispatcher]: it runs the "mail" jobs,
// sends each message's stored bytes, and records the outcome on the message.
//
// Delivery is at least once: if the process dies after the server accepted
// a message but before it was marked sent, the job is taken up again when
// its lease runs out and the same bytes, with the same Message-ID, go out a
// second time. Temporary failures are retried with growing, jittered delays
// until GiveUpAfter; permanent ones are recorded at once and count towards
// marking the address bouncing; a refused login stops all sending until a
// probe succeeds, without using up any message's attempts.
type Outbox struct {
	Store  *store.Store
	Mailer Mailer
	// From is the envelope sender, where bounces go: the service address.
	From string
	// BounceAddress, when set, gives each message an envelope sender of
	// its own (see [Identity.BounceAddress]), so that a delivery report
	// can be matched to the message and recipient it is about. A server
	// that refuses such a sender (some only take the mailbox's own
	// address) gets From instead, from then on.
	BounceAddress func(token string) string
	// GiveUpAfter ends retries of a message; default 72 hours.
	GiveUpAfter time.Duration
	// BounceAfter is how many permanent failures mark an address as
	// bouncing; default 3.
	BounceAfter int
	// Concurrency is how many messages are sent at once; default 2. Give
	// the Sender as many connections.
	Concurrency int
	Logger      *slog.Logger
	// Name identifies this worker in job leases; default "outbox".
	Name string
	// OnResult, when set, hears the result of every delivery attempt:
	// sent, retry, failed or auth-failed.
	OnResult func(result string)
	// Wake, when set, tells the outbox that mail was just queued, so it
	// need not wait for its next look at the queue.
	Wake <-chan struct{}

	// crash, set only by tests, is called at named points where a crash
	// would leave the database and the mail server disagreeing.
	crash func(point string, m store.OutboxMessage)

	mu    sync.Mutex
	state State
	// plainSender is set once the server refused a per-message sender.
	plainSender atomic.Bool
	// hand takes mail straight from the transactions that queue it.
	hand handoff
	// kick wakes the worker: Wake and Queued send on it.
	kick chan struct{}
}

// State is the outbox's health as an operator sees it.
type State struct {
	// AuthFailedSince is set while the SMTP server refuses our login.
	AuthFailedSince time.Time
	// UnreachableSince is set while the SMTP server cannot be reached:
	// connections fail and mail waits.
	UnreachableSince time.Time
	LastError        string
	// nextProbe is when the login is tried again.
	nextProbe time.Time
	probes    int
}

// ErrAuthFailed is the error mail jobs are handed back with while the
// server refuses our login.
var ErrAuthFailed = errors.New("mailout: the SMTP server refuses our login; sending is stopped")

// ErrUnreachable is the error mail jobs are handed back with while the
// server cannot be reached.
var ErrUnreachable = errors.New("mailout: the SMTP server cannot be reached; mail waits")

func (o *Outbox) defaults() {
	if o.GiveUpAfter == 0 {
		o.GiveUpAfter = 72 * time.Hour
	}
	if o.BounceAfter == 0 {
		o.BounceAfter = 3
	}
	if o.Concurrency == 0 {
		o.Concurrency = 2
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Name == "" {
		o.Name = "outbox"
	}
	if o.kick == nil {
		o.kick = make(chan struct{}, 1)
	}
}

// State reports whether sending works.
func (o *Outbox) State() State {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.state
}

func (o *Outbox) crashPoint(name string, m store.OutboxMessage) {
	if o.crash != nil {
		o.crash(name, m)
	}
}

// Worker returns the job worker that runs the outbox; Run uses it.
func (o *Outbox) Worker() *store.Worker {
	o.defaults()
	return &store.Worker{
		Store:       o.Store,
		Name:        o.Name,
		Handlers:    map[string]store.Handler{store.KindMail: o.Deliver},
		Batch:       o.Concurrency * 2,
		Concurrency: o.Concurrency,
		Gate:        o.gate,
		Wake:        o.kick,
		Logger:      o.Logger,
	}
}

// Run delivers until ctx ends, then finishes the messages in flight. Mail
// handed over by the store (see [store.Handoff]; the caller connects them
// with Store.SetHandoff) is sent by Concurrency senders of its own, beside
// the worker that claims queued mail.
func (o *Outbox) Run(ctx context.Context) error {
	w := o.Worker()
	o.openHandoff()
	hctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.sendHanded(hctx)
		}()
	}
	if o.Wake != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-o.Wake:
					o.Queued()
				case <-hctx.Done():
					return
				}
			}
		}()
	}
	marked := make(chan struct{})
	go func() {
		defer close(marked)
		o.markSentLoop()
	}()
	err := w.Run(ctx)
	stop()
	wg.Wait()
	close(o.hand.sent)
	<-marked
	return err
}

// releaseDelay is how soon a handed-back message is due again. The gate
// holds the worker back anyway until the login works, so it can be short:
// the message goes out with the first batch after the login is fixed,
// not up to a minute later.
const releaseDelay = time.Second

// Deliver is the handler of "mail" jobs.
func (o *Outbox) Deliver(ctx context.Context, j store.Job) error {
	o.defaults()
	id, err := store.MailJobOutboxID(j)
	if err != nil {
		return store.Permanent(err)
	}
	m, err := o.Store.Outbox(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Permanent(err)
	}
	if err != nil {
		return err
	}
	if m.State != store.OutboxQueued {
		return nil // already sent or given up, by an earlier run of this job
	}
	if st := o.State(); !st.AuthFailedSince.IsZero() {
		return store.Release(ErrAuthFailed, releaseDelay)
	} else if !st.UnreachableSince.IsZero() {
		return store.Release(ErrUnreachable, time.Second)
	}
	b, err := o.Store.BounceOf(ctx, m.Recipient)
	if err != nil {
		return err
	}
	if b.Bouncing() {
		reason := fmt.Sprintf("not sent: %s has been bouncing since %s (%s)", m.Recipient, b.Since.Time.UTC().Format("2006-01-02"), b.Last)
		return o.fail(ctx, m, reason)
	}
	reply, err := o.send(ctx, m)
	if err == nil {
		o.reachable()
		o.crashPoint("after_accept_before_mark", m)
		o.result("sent")
		return o.markSent(ctx, m, reply)
	}
	return o.notSent(ctx, m, err)
}

// notSent records why the server did not take a message and returns what
// becomes of its job: released (not its fault), retried later, or failed
// for good ([store.Permanent]).
func (o *Outbox) notSent(ctx context.Context, m store.OutboxMessage, err error) error {
	se := classify("connect", err)
	log := o.Logger.With("outbox_id", m.ID, "kind", m.Kind, "to", m.Recipient, "message_id", m.MessageID)
	switch {
	case se.Unreachable() && !se.AuthFailed():
		// Not this message's fault: it waits, its attempts untouched,
		// while the gate probes the server.
		o.result("retry")
		o.unreachable(se)
		if err := o.Store.NoteWaiting(ctx, m.ID, se.Error()); err != nil {
			log.Error("could not record why mail waits", "err", err)
		}
		return store.Release(fmt.Errorf("%w: %v", ErrUnreachable, se), time.Second)
	case se.AuthFailed():
		o.result("auth-failed")
		o.authFailed(se)
		log.Error("the SMTP server refused our login; sending stops until it works again", "err", se)
		return store.Release(fmt.Errorf("%w: %v", ErrAuthFailed, se), releaseDelay)
	case !se.Temporary():
		log.Warn("mail refused for good", "err", se)
		if se.RecipientRejected() {
			bounce, err := o.Store.RecordHardBounce(ctx, m.Recipient, se.Error(), o.BounceAfter)
			if err != nil {
				log.Error("could not record the bounce", "err", err)
			} else if bounce.Bouncing() {
				log.Warn("address marked as bouncing; no more mail goes to it", "hard_bounces", bounce.HardBounces)
			}
		}
		return o.fail(ctx, m, se.Error())
	}
	if age := o.Store.Now().Sub(m.CreatedAt); age >= o.GiveUpAfter {
		log.Warn("giving up on mail", "err", se, "age", age.Round(time.Minute))
		return o.fail(ctx, m, fmt.Sprintf("gave up after %s: %v", o.GiveUpAfter, se))
	}
	o.result("retry")
	log.Info("mail not delivered yet, will retry", "err", se)
	if err := o.Store.NoteAttempt(ctx, m.ID, se.Error()); err != nil {
		log.Error("could not record the attempt", "err", err)
	}
	return se
}

// send hands the message to the server, from its own bounce address when
// there is one.
func (o *Outbox) send(ctx context.Context, m store.OutboxMessage) (string, error) {
	if o.BounceAddress == nil || !m.BounceToken.Valid || o.plainSender.Load() {
		return o.Mailer.Send(ctx, o.From, m.Recipient, m.Raw)
	}
	reply, err := o.Mailer.Send(ctx, o.BounceAddress(m.BounceToken.String), m.Recipient, m.Raw)
	var se *SendError
	if !errors.As(err, &se) || !senderRefused(se) {
		return reply, err
	}
	// Some servers let a mailbox send only as itself: Postfix refuses the
	// sender at MAIL FROM, Microsoft 365 only after DATA (5.7.60). Try the
	// service address; if that goes through, the bounce address was the
	// trouble, and it is not used again.
	reply, err = o.Mailer.Send(ctx, o.From, m.Recipient, m.Raw)
	var again *SendError
	if err == nil || !errors.As(err, &again) || !senderRefused(again) {
		if o.plainSender.CompareAndSwap(false, true) {
			o.Logger.Warn("the SMTP server refuses per-message envelope senders; sending from the service address, "+
				"so delivery reports are matched by Message-ID only", "err", se)
		}
	}
	return reply, err
}

// senderRefused reports a permanent refusal that may be about the
// envelope sender: one at MAIL FROM, or a policy refusal (5.7.x) anywhere.
func senderRefused(se *SendError) bool {
	if se.Temporary() || se.AuthFailed() {
		return false
	}
	return se.Stage == "mail" || strings.HasPrefix(se.Enhanced, "5.7.")
}

func (o *Outbox) result(r string) {
	if o.OnResult != nil {
		o.OnResult(r)
	}
}

func (o *Outbox) fail(ctx context.Context, m store.OutboxMessage, reason string) error {
	o.result("failed")
	if err := o.Store.MarkFailed(ctx, m.ID, reason); err != nil {
		return err // retried; the message stays queued meanwhile
	}
	return store.Permanent(errors.New(reason))
}

// markSent records a delivery. The server has the message, so a database
// hiccup here is retried for a while rather than letting the job run
// again, which would send it twice.
func (o *Outbox) markSent(ctx context.Context, m store.OutboxMessage, reply string) error {
	return o.retryMark(func() error { return o.Store.MarkSent(ctx, m.ID, reply) }, "outbox_id", m.ID)
}

// retryMark runs mark, which records that the server took mail, again and
// again for up to about half a minute while it fails.
func (o *Outbox) retryMark(mark func() error, logArgs ...any) error {
	var err error
	for wait := 100 * time.Millisecond; wait < 30*time.Second; wait *= 2 {
		if err = mark(); err == nil {
			return nil
		}
		o.Logger.Error("could not mark mail as sent; trying again", append(logArgs, "err", err)...)
		time.Sleep(wait)
	}
	return err
}

func (o *Outbox) authFailed(err *SendError) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.state.AuthFailedSince.IsZero() {
		o.state.AuthFailedSince = o.Store.Now()
		o.state.probes = 0
		o.state.nextProbe = o.Store.Now().Add(o.loginDelay(err, 0))
	}
	o.state.LastError = err.Error()
}

// loginDelay spaces the probes after a refused login: probeDelay for a
// refused password, but only a few seconds while an OAuth grant is gone
// or a token is refused, so that mail moves soon after the operator signs
// in again (a probe then only reads the stored token). A token refused
// just after a new sign-in, because the service still held the old one,
// must not push the next probe minutes away.
func (o *Outbox) loginDelay(err *SendError, probes int) time.Duration {
	if err != nil && err.GrantLost() {
		return grantProbeDelay
	}
	if m, ok := o.Mailer.(interface{ UsesOAuth() bool }); ok && m.UsesOAuth() {
		return grantProbeDelay
	}
	return probeDelay(probes)
}

// grantProbeDelay spaces the probes while an OAuth sign-in is refused.
const grantProbeDelay = 15 * time.Second

// unreachable notes that connections to the server fail; it is logged once,
// when that starts, not for every message that waits.
func (o *Outbox) unreachable(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.state.UnreachableSince.IsZero() {
		o.state.UnreachableSince = o.Store.Now()
		o.state.probes = 0
		o.state.nextProbe = o.Store.Now().Add(reachDelay(0))
		o.Logger.Error("cannot reach the SMTP server; mail waits and is sent as soon as it answers", "server", o.describe(), "err", err)
	}
	o.state.LastError = err.Error()
}

// reachable ends an outage noted by unreachable.
func (o *Outbox) reachable() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.state.UnreachableSince.IsZero() {
		o.Logger.Info("the SMTP server answers again; sending resumes", "server", o.describe(),
			"down_for", o.Store.Now().Sub(o.state.UnreachableSince).Round(time.Second))
		o.state = State{}
	}
}

func (o *Outbox) describe() string {
	if d, ok := o.Mailer.(interface{ Describe() string }); ok {
		return d.Describe()
	}
	return ""
}

// probeDelay spaces login checks while the login fails: 1 minute, doubling
// to 30 minutes.
func probeDelay(probes int) time.Duration {
	d := time.Minute << min(probes, 5)
	return min(d, 30*time.Minute)
}

// reachDelay spaces connection checks while the server cannot be reached:
// 1, 2, then every 4 seconds, so mail moves within seconds of its return
// and a dead server costs one refused connection now and then.
func reachDelay(probes int) time.Duration {
	return time.Second << min(probes, 2)
}

// gate holds the worker back while the login fails or the server cannot be
// reached, probing now and then; it returns as soon as sending may go on.
func (o *Outbox) gate(ctx context.Context) error {
	for {
		o.mu.Lock()
		st := o.state
		o.mu.Unlock()
		if st.AuthFailedSince.IsZero() && st.UnreachableSince.IsZero() {
			return nil
		}
		if wait := st.nextProbe.Sub(o.Store.Now()); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(wait, time.Second)):
				continue
			}
		}
		err := o.Mailer.Probe(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var se *SendError
		switch {
		case err == nil && !st.AuthFailedSince.IsZero():
			o.mu.Lock()
			o.Logger.Info("the SMTP server accepts our login again; sending resumes", "stopped_for", o.Store.Now().Sub(o.state.AuthFailedSince).Round(time.Second))
			o.state = State{}
			o.mu.Unlock()
		case err == nil:
			o.reachable()
		case errors.As(err, &se) && se.AuthFailed():
			o.mu.Lock()
			if o.state.AuthFailedSince.IsZero() {
				// The server is back but refuses the login now.
				o.Logger.Error("the SMTP server answers again but refuses our login; sending stays stopped", "err", err)
				o.state = State{AuthFailedSince: o.Store.Now()}
			}
			o.state.probes++
			o.state.LastError = err.Error()
			o.state.nextProbe = o.Store.Now().Add(o.loginDelay(se, o.state.probes))
			if se.GrantLost() {
				o.Logger.Debug("the mailbox sign-in is still gone", "err", err)
			} else {
				o.Logger.Error("the SMTP server still refuses our login", "err", err, "next_try", o.state.nextProbe)
			}
			o.mu.Unlock()
		default:
			o.mu.Lock()
			o.state.probes++
			o.state.LastError = err.Error()
			delay := reachDelay(o.state.probes)
			if !o.state.AuthFailedSince.IsZero() {
				// While the login is refused, another failure keeps the
				// login's pace: with OAuth a few seconds, so mail moves
				// soon after a new sign-in.
				delay = o.loginDelay(nil, o.state.probes)
				o.Logger.Warn("checking the SMTP login failed", "err", err, "next_try", o.Store.Now().Add(delay))
			}
			o.state.nextProbe = o.Store.Now().Add(delay)
			o.mu.Unlock()
		}
	}
}
