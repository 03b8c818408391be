package mailout

import (
	"context"
	"sync"
	"time"

	"accord/store"
)

// handoff is the outbox's side of [store.Handoff]: mail queued by a reply
// or a wake-up comes here straight after its commit and is sent by the
// outbox's own senders, with no claim and no read of the queue.
type handoff struct {
	mu      sync.Mutex
	running bool
	places  int // all places
	free    int // places not reserved
	ch      chan store.OutboxMessage
	// freed hears of every place given back, for the last look at
	// shutdown.
	freed chan struct{}
	// sent takes accepted messages to markSentLoop.
	sent chan store.HandedSent
}

// handoffPlaces is how many handed messages may wait per connection.
const handoffPlaces = 8

// Reserve implements [store.Handoff]: a place is free only while the
// outbox runs and the server takes mail.
func (o *Outbox) Reserve() bool {
	if st := o.State(); !st.AuthFailedSince.IsZero() || !st.UnreachableSince.IsZero() {
		return false
	}
	o.hand.mu.Lock()
	defer o.hand.mu.Unlock()
	if !o.hand.running || o.hand.free == 0 {
		return false
	}
	o.hand.free--
	return true
}

// Release implements [store.Handoff].
func (o *Outbox) Release() {
	o.hand.mu.Lock()
	defer o.hand.mu.Unlock()
	o.hand.free++
	select {
	case o.hand.freed <- struct{}{}:
	default:
	}
}

// Take implements [store.Handoff].
func (o *Outbox) Take(m store.OutboxMessage) { o.hand.ch <- m }

// Lease implements [store.Handoff].
func (o *Outbox) Lease() (string, time.Duration) {
	o.defaults()
	return o.Name, handoffLease
}

// Queued implements [store.Handoff]: the worker looks at the queue now.
func (o *Outbox) Queued() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// handoffLease is how long a handed message's job stays claimed: after
// it, had the process died, any worker sends the message.
const handoffLease = 5 * time.Minute

// openHandoff makes places for handed mail; Run calls it.
func (o *Outbox) openHandoff() {
	o.hand.mu.Lock()
	defer o.hand.mu.Unlock()
	n := o.Concurrency * handoffPlaces
	o.hand.ch = make(chan store.OutboxMessage, n)
	o.hand.freed = make(chan struct{}, 1)
	o.hand.sent = make(chan store.HandedSent, n)
	o.hand.places, o.hand.free, o.hand.running = n, n, true
}

// closeHandoff takes no more mail.
func (o *Outbox) closeHandoff() {
	o.hand.mu.Lock()
	defer o.hand.mu.Unlock()
	o.hand.running = false
}

// handoffIdle reports whether no place is reserved or waiting.
func (o *Outbox) handoffIdle() bool {
	o.hand.mu.Lock()
	defer o.hand.mu.Unlock()
	return o.hand.free == o.hand.places && len(o.hand.ch) == 0
}

// handoffGrace bounds the wait at shutdown for transactions that reserved
// a place and have not committed yet; their mail is sent by the usual
// delivery once its claim runs out.
const handoffGrace = 10 * time.Second

// sendHanded sends handed mail until ctx ends; then, with no more places
// given out, it sends what is still handed over and returns when every
// place is back or after handoffGrace.
func (o *Outbox) sendHanded(ctx context.Context) {
	send := context.WithoutCancel(ctx)
	for {
		select {
		case m := <-o.hand.ch:
			o.Release()
			o.deliverHanded(send, m)
		case <-ctx.Done():
			o.closeHandoff()
			grace := time.NewTimer(handoffGrace)
			defer grace.Stop()
			for !o.handoffIdle() {
				select {
				case m := <-o.hand.ch:
					o.Release()
					o.deliverHanded(send, m)
				case <-o.hand.freed:
				case <-grace.C:
					return
				}
			}
			return
		}
	}
}

// deliverHanded sends one handed message. Accepted, it is marked sent and
// its job finished, with others accepted meanwhile (see markSentLoop);
// refused or not sent, it is recorded as the usual delivery would record
// it, and its job goes back to the queue to be retried, or fails.
func (o *Outbox) deliverHanded(ctx context.Context, m store.OutboxMessage) {
	reply, err := o.send(ctx, m)
	if err == nil {
		o.reachable()
		o.crashPoint("after_accept_before_mark", m)
		o.result("sent")
		o.hand.sent <- store.HandedSent{OutboxID: m.ID, Reply: reply, At: o.Store.Now()}
		return
	}
	outcome := o.notSent(ctx, m, err)
	now := o.Store.Now()
	if after, ok := store.Released(outcome); ok {
		err = o.Store.ReturnHanded(ctx, m.ID, o.Name, outcome.Error(), now.Add(after), false)
	} else if store.IsPermanent(outcome) {
		err = o.Store.FailHanded(ctx, m.ID, o.Name, outcome.Error())
	} else {
		// The hand-over was the first attempt.
		err = o.Store.ReturnHanded(ctx, m.ID, o.Name, outcome.Error(), now.Add(store.DefaultBackoff(1)), true)
	}
	if err != nil {
		o.Logger.Error("could not record what became of handed mail; its claim runs out and it is tried again", "outbox_id", m.ID, "err", err)
	}
}

// markSentLoop records handed deliveries until sent is closed. A delivery
// waits up to markDelay for others to be recorded with it, so that under
// load one commit covers many messages (each keeps the time the server
// accepted it). The wait only widens the moment in which a crash would
// have a message sent twice; nobody waits for the mark.
func (o *Outbox) markSentLoop() {
	for first := range o.hand.sent {
		batch := []store.HandedSent{first}
		window := time.NewTimer(markDelay)
	more:
		for len(batch) < markBatch {
			select {
			case m, ok := <-o.hand.sent:
				if !ok {
					break more
				}
				batch = append(batch, m)
			case <-window.C:
				break more
			}
		}
		window.Stop()
		o.markHandedSent(batch)
	}
}

// markDelay and markBatch bound how long and for how many deliveries
// markSentLoop gathers before it records them.
const (
	markDelay = 100 * time.Millisecond
	markBatch = 100
)

// markHandedSent records handed deliveries. The server has the messages,
// so a database hiccup is retried for a while rather than letting their
// jobs run again, which would send them twice.
func (o *Outbox) markHandedSent(batch []store.HandedSent) {
	err := o.retryMark(func() error {
		return o.Store.MarkHandedSent(context.Background(), o.Name, batch...)
	}, "messages", len(batch))
	if err != nil {
		o.Logger.Error("could not mark mail as sent; it may be sent again when its claim runs out", "messages", len(batch), "err", err)
	}
}
