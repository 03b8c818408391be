package mailin

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"accord/mailout/mailauth"
	"accord/store"
)

// Poller keeps up with the service mailbox: it waits with IDLE where the
// server offers it (polling otherwise), fetches every message above the
// mailbox's checkpoint without marking it read, hands each to the
// Processor, and only once the outcome is committed marks the message on
// the server (moved to Processed, or flagged), in the background while
// the next messages are processed. A dropped connection is
// reopened with jittered backoff. Several pollers may share a mailbox.
type Poller struct {
	Config    IMAPConfig
	TLS       *tls.Config
	Processor *Processor
	Logger    *slog.Logger
	// BatchSize is how many messages are fetched at once; default 100.
	// The next batch is fetched while one is processed, and handled
	// messages are acknowledged in the background.
	BatchSize int
	// MaxSize is the largest message read whole; larger ones get their
	// header read and a polite notice. Default 25 MB.
	MaxSize int64
	// PollInterval is the wait between scans without IDLE; default 30 s.
	PollInterval time.Duration
	// IdleRestart ends IDLE this often to look at the mailbox afresh
	// (rescan and select again), which bounds the delay of mail whose
	// notification went astray and notices a connection that died
	// silently; default 2 minutes (servers drop IDLE after 29).
	IdleRestart time.Duration
	// ResponseTimeout is how long any command may wait for the server
	// before the connection is taken for dead; default 60 s.
	ResponseTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between reconnects;
	// defaults 1 s and 5 minutes.
	MinBackoff, MaxBackoff time.Duration
	// QuickRetry bounds that wait when the server could not be reached
	// at all (rather than refusing the login), so that mail is read again
	// within seconds of its return; default 4 s.
	QuickRetry time.Duration
	// RetryAfter is how soon a scan follows one that left a message
	// pending (it failed, or another poller had it); default 30 s.
	RetryAfter time.Duration
	// OnScan, when set, hears how long each scan of the mailbox took.
	OnScan func(time.Duration)
	// Workers is how many messages of a batch are processed at once;
	// default 1. Messages from one sender are always processed one after
	// the other, in the order they arrived, so a correction never
	// overtakes the answer it corrects.
	Workers int
	// StopGrace is how long the messages being processed when Run's
	// context ends may still take to be recorded and acknowledged: a stop
	// finishes the work in progress, and starts no more; default 30 s.
	StopGrace time.Duration

	// crash, set only by tests, is called at named points.
	crash func(point string) error

	mu     sync.Mutex
	status Status
}

// Status is the poller's health, for readiness checks and operators.
type Status struct {
	Connected   bool
	LastError   string
	LastScan    time.Time
	Reconnects  int
	UIDValidity uint32
}

// Status reports the poller's health.
func (p *Poller) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

func (p *Poller) setStatus(f func(*Status)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.status)
}

func (p *Poller) defaults() {
	if p.BatchSize == 0 {
		p.BatchSize = 100
	}
	if p.MaxSize == 0 {
		p.MaxSize = 25 << 20
	}
	if p.PollInterval == 0 {
		p.PollInterval = 30 * time.Second
	}
	if p.IdleRestart == 0 {
		p.IdleRestart = 2 * time.Minute
	}
	if p.ResponseTimeout == 0 {
		p.ResponseTimeout = 60 * time.Second
	}
	if p.MinBackoff == 0 {
		p.MinBackoff = time.Second
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 5 * time.Minute
	}
	if p.QuickRetry == 0 {
		p.QuickRetry = 4 * time.Second
	}
	if p.RetryAfter == 0 {
		p.RetryAfter = 30 * time.Second
	}
	if p.StopGrace == 0 {
		p.StopGrace = 30 * time.Second
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.Config.Mailbox == "" {
		p.Config.Mailbox = "INBOX"
	}
	p.Processor.MaxSize = p.MaxSize
}

// Run reads mail until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	p.defaults()
	backoff := p.MinBackoff
	var down time.Time // since when connecting has failed
	for {
		started := time.Now()
		err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errTokenExpired) {
			p.Logger.Debug("signing in again with a fresh access token")
			continue
		}
		p.setStatus(func(s *Status) { s.Connected, s.LastError = false, err.Error(); s.Reconnects++ })
		if time.Since(started) > time.Minute {
			backoff = p.MinBackoff
		}
		// A server that is down or unreachable is tried again every few
		// seconds, so mail flows within seconds of its return; a server
		// that refuses the login is not pressed that hard.
		limit := p.MaxBackoff
		var le *loginError
		var ge *mailauth.GrantError
		switch {
		case errors.As(err, &ge):
			// Only the stored sign-in is read: soon after the operator
			// runs accord mail login, mail is read again.
			limit = min(limit, 15*time.Second)
		case !errors.As(err, &le):
			limit = min(limit, p.QuickRetry)
		}
		wait := min(time.Duration(float64(min(backoff, limit))*(0.5+rand.Float64())), limit)
		if down.IsZero() || time.Since(started) > time.Minute {
			down = started
			p.Logger.Warn("mailbox connection lost; reconnecting", "err", err, "retry_in", wait.Round(time.Millisecond))
		} else {
			p.Logger.Debug("mailbox still unreachable", "err", err, "retry_in", wait.Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		backoff = min(backoff*2, p.MaxBackoff)
	}
}

// errTokenExpired ends a session whose access token has expired, to sign
// in again with a fresh one at once.
var errTokenExpired = errors.New("mailin: the access token of the session expired")

// loginError is a session that ended because the server refused the login.
type loginError struct{ err error }

func (e *loginError) Error() string { return e.err.Error() }
func (e *loginError) Unwrap() error { return e.err }

// errDead means the server stopped answering.
var errDead = errors.New("mailin: the IMAP server stopped answering")

// conn is one IMAP connection with a watchdog on every command.
type conn struct {
	c       *imapclient.Client
	timeout time.Duration
}

// do waits for a command, closing the connection if the server takes
// longer than the timeout, which unblocks it.
func (cn *conn) do(wait func() error) error {
	done := make(chan error, 1)
	go func() { done <- wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(cn.timeout):
		cn.c.Close()
		<-done
		return errDead
	}
}

func (p *Poller) dial(wake chan<- struct{}) (*conn, error) {
	opts := &imapclient.Options{
		TLSConfig: p.TLS,
		Dialer: &net.Dialer{
			Timeout: p.ResponseTimeout,
			// The kernel notices a peer that vanished within about a minute.
			KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 30 * time.Second, Interval: 10 * time.Second, Count: 3},
		},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	if opts.TLSConfig == nil {
		opts.TLSConfig = &tls.Config{ServerName: p.Config.Host, MinVersion: tls.VersionTLS12}
	}
	addr := p.Config.Address()
	var c *imapclient.Client
	var err error
	switch p.Config.Security {
	case "tls":
		c, err = imapclient.DialTLS(addr, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(addr, opts)
	default:
		c, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	return &conn{c: c, timeout: p.ResponseTimeout}, nil
}

// session is one connection: log in, select, then scan and wait until
// something fails or ctx ends.
func (p *Poller) session(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	cn, err := p.dial(wake)
	if err != nil {
		return err
	}
	defer cn.c.Close()
	c := cn.c
	if _, err := p.login(cn); err != nil {
		return err
	}
	var sel *imap.SelectData
	if err := cn.do(func() (err error) { sel, err = c.Select(p.Config.Mailbox, nil).Wait(); return err }); err != nil {
		return fmt.Errorf("open mailbox %q: %w", p.Config.Mailbox, err)
	}
	caps := c.Caps()
	move := caps.Has(imap.CapMove) && p.Config.Processed != ""
	if move {
		for _, name := range []string{p.Config.Processed, p.Config.Quarantine} {
			if err := p.ensureMailbox(cn, name); err != nil {
				return err
			}
		}
	}
	p.setStatus(func(s *Status) { s.Connected, s.LastError, s.UIDValidity = true, "", sel.UIDValidity })
	p.Logger.Info("reading the mailbox", "mailbox", p.Config.Mailbox, "uidvalidity", sel.UIDValidity,
		"idle", caps.Has(imap.CapIdle), "move", move)
	// A session signed in with an access token ends when the token does:
	// servers that check tokens only at sign-in would otherwise never see
	// a revoked grant, and some end such sessions themselves.
	var signedInUntil time.Time
	if p.Config.Tokens != nil {
		signedInUntil = p.Config.Tokens.Expiry()
	}
	dbWait := time.Duration(0)
	for {
		if !signedInUntil.IsZero() && !time.Now().Before(signedInUntil) {
			cn.do(c.Logout().Wait)
			return errTokenExpired
		}
		found, pending, err := p.scan(ctx, cn, p.Status().UIDValidity, move)
		var se *storeError
		if errors.As(err, &se) {
			// The mailbox is fine; the database is not. Keep the
			// connection and look again as soon as the database answers.
			if dbWait == 0 {
				p.Logger.Warn("reading mail failed in the database; trying again within seconds", "err", se.err)
			}
			dbWait = min(max(2*dbWait, time.Second), 4*time.Second)
			if err := p.waitForStore(ctx, se, dbWait); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		dbWait = 0
		if ctx.Err() != nil {
			cn.do(c.Logout().Wait)
			return ctx.Err()
		}
		if found > 0 && !pending {
			// Mail may have arrived while this batch was handled, and a
			// server may fold that news into the expunges our moves
			// caused: look again before waiting. Only a scan that found
			// nothing leads to IDLE.
			continue
		}
		// After a failure, look again soon rather than at the next mail.
		wait := p.IdleRestart
		if !caps.Has(imap.CapIdle) {
			wait = p.PollInterval
		}
		if pending {
			wait = min(wait, p.RetryAfter)
		}
		if !signedInUntil.IsZero() {
			wait = max(min(wait, time.Until(signedInUntil)), 0)
		}
		quiet := false
		if caps.Has(imap.CapIdle) {
			if quiet, err = p.idle(ctx, cn, wake, wait); err != nil {
				return err
			}
		} else {
			select {
			case <-ctx.Done():
			case <-wake:
			case <-time.After(wait):
				quiet = true
			}
		}
		if quiet && ctx.Err() == nil {
			// Nothing arrived for a while: select again, which notices a
			// mailbox that was rebuilt (a new UIDVALIDITY) even when the
			// server did not say so.
			if err := cn.do(func() (err error) { sel, err = c.Select(p.Config.Mailbox, nil).Wait(); return err }); err != nil {
				return fmt.Errorf("open mailbox %q: %w", p.Config.Mailbox, err)
			}
			if sel.UIDValidity != p.Status().UIDValidity {
				p.Logger.Warn("the mailbox was rebuilt; reading it again from the start", "mailbox", p.Config.Mailbox, "uidvalidity", sel.UIDValidity)
				p.setStatus(func(s *Status) { s.UIDValidity = sel.UIDValidity })
			}
		}
	}
}

// login signs in with the password or an OAuth access token, and says
// how. A refusal is a loginError.
func (p *Poller) login(cn *conn) (how string, err error) {
	c := cn.c
	switch {
	case p.Config.Tokens != nil:
		how, err = p.tokenLogin(cn)
	case p.Config.Auth == "plain":
		how = "AUTHENTICATE PLAIN"
		err = cn.do(func() error { return c.Authenticate(sasl.NewPlainClient("", p.Config.Username, p.Config.Password)) })
	default:
		how = "LOGIN"
		err = cn.do(c.Login(p.Config.Username, p.Config.Password).Wait)
	}
	var ie *imap.Error
	var ge *mailauth.GrantError
	if errors.As(err, &ie) || errors.As(err, &ge) {
		return how, &loginError{fmt.Errorf("log in to %s as %s: %w", p.Config.Address(), p.Config.Username, err)}
	}
	if err != nil {
		return how, fmt.Errorf("log in to %s as %s: %w", p.Config.Address(), p.Config.Username, err)
	}
	return how, nil
}

// tokenLogin signs in with an OAuth access token, by the mechanism the
// configuration names or the best the server offers. A token the server
// refuses (revoked early, or expired on the way) is replaced and the
// sign-in tried once more.
func (p *Poller) tokenLogin(cn *conn) (string, error) {
	m, err := mailauth.Choose(p.Config.Mechanism, cn.c.Caps().AuthMechanisms())
	if err != nil {
		return "", &loginError{err}
	}
	try := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), p.ResponseTimeout)
		defer cancel()
		tok, err := p.Config.Tokens.Token(ctx)
		if err != nil {
			return err
		}
		return cn.do(func() error {
			return cn.c.Authenticate(mailauth.Client(m, p.Config.Username, tok, p.Config.Host, p.Config.Port))
		})
	}
	err = try()
	var ie *imap.Error
	if errors.As(err, &ie) {
		p.Config.Tokens.Invalidate()
		err = try()
	}
	return "AUTHENTICATE " + m.SASLName(), err
}

// storeError is a scan that failed in the database, not in the mailbox.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// waitForStore waits at least wait, then until the database answers,
// asking every second. The log says when the outage starts and ends, not
// every try; the mailbox connection is kept (and looked after by the
// server's own idle timeout, far longer than an outage worth waiting out).
func (p *Poller) waitForStore(ctx context.Context, cause error, wait time.Duration) error {
	start := time.Now()
	logged := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = time.Second
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := p.Processor.Store.Ping(pctx)
		cancel()
		if err == nil {
			if logged {
				p.Logger.Info("the database answers again; reading mail resumes", "waited", time.Since(start).Round(time.Second))
			}
			return nil
		}
		if !logged {
			p.Logger.Error("cannot reach the database; mail waits in the mailbox until it answers", "err", cause)
			logged = true
		}
	}
}

// ensureMailbox creates a folder unless it exists.
func (p *Poller) ensureMailbox(cn *conn, name string) error {
	err := cn.do(cn.c.Create(name, nil).Wait)
	var ie *imap.Error
	if err == nil || (errors.As(err, &ie) && (ie.Code == imap.ResponseCodeAlreadyExists || strings.Contains(strings.ToLower(ie.Text), "exist"))) {
		return nil
	}
	return fmt.Errorf("create mailbox %q: %w", name, err)
}

// idle waits for new mail, for wait, or for shutdown. It reports whether
// the wait simply ran out.
func (p *Poller) idle(ctx context.Context, cn *conn, wake <-chan struct{}, wait time.Duration) (quiet bool, err error) {
	var cmd *imapclient.IdleCommand
	if err := cn.do(func() (err error) { cmd, err = cn.c.Idle(); return err }); err != nil {
		return false, fmt.Errorf("IDLE: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-wake:
	case <-time.After(wait):
		quiet = true
	case <-cn.c.Closed():
		return false, errors.New("the server closed the connection")
	}
	if err := cn.do(cmd.Close); err != nil {
		return false, fmt.Errorf("end IDLE: %w", err)
	}
	return quiet, nil
}

// scan processes every message above the checkpoint, in UID order, in
// bounded batches. It reports how many it found and whether any is left
// pending.
//
// Three things overlap on the one connection: while the workers process a
// group of messages, the next group is fetched, and the groups before are
// acknowledged on the server (see acker), so the workers wait neither for
// FETCH nor for STORE and MOVE. The order that makes this safe is kept per
// message: a message is acknowledged only after its outcome is committed,
// and the checkpoint passes it only after it is acknowledged. scan returns
// only once nothing it started still uses the connection, so IDLE, SELECT
// or the next scan may follow.
func (p *Poller) scan(ctx context.Context, cn *conn, uidValidity uint32, move bool) (found int, pending bool, err error) {
	mailbox := p.Config.Mailbox
	if p.OnScan != nil {
		defer func(start time.Time) { p.OnScan(time.Since(start)) }(time.Now())
	}
	checkpoint, err := p.Processor.Store.Checkpoint(ctx, mailbox, uidValidity)
	if err != nil {
		return 0, false, &storeError{err}
	}
	var res *imap.SearchData
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(checkpoint + 1), Stop: 0}}}}
	if err := cn.do(func() (err error) { res, err = cn.c.UIDSearch(crit, nil).Wait(); return err }); err != nil {
		return 0, false, fmt.Errorf("search for new mail: %w", err)
	}
	var uids []imap.UID
	for _, u := range res.AllUIDs() {
		// "N:*" also matches the last message when it is below N.
		if uint32(u) > checkpoint {
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	if len(uids) == 0 {
		p.setStatus(func(s *Status) { s.LastScan = time.Now() })
		return 0, false, nil
	}

	fctx, stopFetching := context.WithCancel(ctx)
	groups := make(chan fetchedGroup)
	go p.fetchGroups(fctx, cn, uidValidity, uids, groups)
	ack := p.startAcker(ctx, cn, uidValidity, move)
	defer func() {
		// Stop fetching, wait for the fetch on the wire, and let every
		// acknowledgement already queued reach the server.
		stopFetching()
		for range groups {
		}
		if aerr := ack.close(); err == nil {
			err = aerr
		}
	}()
	for g := range groups {
		if g.err != nil {
			return len(uids), pending, g.err
		}
		if ctx.Err() != nil {
			return len(uids), pending, nil
		}
		if err := ack.failed(); err != nil {
			return len(uids), pending, err
		}
		// The group is processed to its end even if a stop comes
		// meanwhile: a stop finishes the work in progress.
		dctx, cancel := finishing(ctx, p.StopGrace)
		w, last, blocked, err := p.decide(dctx, g)
		cancel()
		if err != nil {
			return len(uids), pending, err
		}
		if p.crash != nil {
			if err := p.crash("after_commit_before_flag"); err != nil {
				return len(uids), pending, err
			}
		}
		// The checkpoint only moves past messages with a final outcome;
		// once one is pending it stays before it, so the next scan sees
		// it again, while the rest are still handled now.
		if !pending && last > 0 {
			w.through = last
		}
		if blocked || (g.batchEnd != 0 && last != uint32(g.batchEnd)) {
			pending = true
		}
		ack.add(w)
	}
	p.setStatus(func(s *Status) { s.LastScan = time.Now() })
	return len(uids), pending, nil
}

// finishing is a context for work that has begun: it outlives ctx by at
// most grace, so that a stop lets the work finish without waiting on it
// forever.
func finishing(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var timer *time.Timer
	var mu sync.Mutex
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, cancel)
	})
	return fctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// maxFetchBytes bounds how much message text one FETCH brings in.
const maxFetchBytes = 32 << 20

// fetchedGroup is messages read in one FETCH, in UID order, or the error
// that ended fetching.
type fetchedGroup struct {
	msgs []Fetched
	// gone marks the messages whose text did not come: another client
	// expunged them between the two fetches.
	gone []bool
	// batchEnd is the last UID of the batch the group ends, 0 when the
	// batch goes on in the next group. A batch whose last message is
	// missing (expunged by another client) leaves the scan pending.
	batchEnd imap.UID
	err      error
}

// fetchGroups reads the messages in batches of BatchSize: first their
// sizes, then their text, as many at a time as fit in maxFetchBytes, and
// hands over each group as soon as it is read. Being unbuffered, out holds
// at most one group read ahead of the one being processed. It stops at
// the first error, handed over as the last group, or when ctx ends, and
// closes out.
func (p *Poller) fetchGroups(ctx context.Context, cn *conn, uidValidity uint32, uids []imap.UID, out chan<- fetchedGroup) {
	defer close(out)
	send := func(g fetchedGroup) bool {
		select {
		case out <- g:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for start := 0; start < len(uids) && ctx.Err() == nil; start += p.BatchSize {
		batch := uids[start:min(start+p.BatchSize, len(uids))]
		var meta []*imapclient.FetchMessageBuffer
		if err := cn.do(func() (err error) {
			meta, err = cn.c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect()
			return err
		}); err != nil {
			send(fetchedGroup{err: fmt.Errorf("fetch sizes: %w", err)})
			return
		}
		slices.SortFunc(meta, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
		if len(meta) == 0 && !send(fetchedGroup{batchEnd: batch[len(batch)-1]}) {
			return
		}
		for i := 0; i < len(meta) && ctx.Err() == nil; {
			// Take as many of the next messages as fit in one fetch.
			j, total := i, int64(0)
			for j < len(meta) && (j == i || total+min(meta[j].RFC822Size, p.MaxSize) <= maxFetchBytes) {
				total += min(meta[j].RFC822Size, p.MaxSize)
				j++
			}
			fetched, err := p.fetchBodies(cn, meta[i:j])
			if err != nil {
				send(fetchedGroup{err: err})
				return
			}
			g := fetchedGroup{msgs: make([]Fetched, 0, j-i), gone: make([]bool, 0, j-i)}
			for _, m := range meta[i:j] {
				f, ok := fetched[m.UID]
				g.gone = append(g.gone, !ok)
				f.Key = store.InboundKey{Mailbox: p.Config.Mailbox, UIDValidity: uidValidity, UID: uint32(m.UID)}
				f.Size, f.InternalDate = m.RFC822Size, m.InternalDate
				g.msgs = append(g.msgs, f)
			}
			if j == len(meta) {
				g.batchEnd = batch[len(batch)-1]
			}
			if !send(g) {
				return
			}
			i = j
		}
	}
}

// decide processes a fetched group and sorts its messages by what their
// outcome asks of the server. last is the highest UID up to which every
// message of the group has a final outcome (0 when the first has none),
// and blocked says whether any has none.
func (p *Poller) decide(ctx context.Context, g fetchedGroup) (w ackWork, last uint32, blocked bool, err error) {
	here := make([]Fetched, 0, len(g.msgs))
	for k, f := range g.msgs {
		if !g.gone[k] {
			here = append(here, f)
		}
	}
	results := p.processAll(ctx, here)
	for k, f := range g.msgs {
		if g.gone[k] {
			// Nothing to process, and no outcome either: whoever
			// expunged it decided it, or the next scan finds it.
			blocked = true
			continue
		}
		res, err := results[0].res, results[0].err
		results = results[1:]
		if err != nil {
			// Nothing was decided for this message: the database
			// could not be reached. What came before it in the group
			// is committed, and acknowledged on the next scan.
			return ackWork{}, 0, true, &storeError{err}
		}
		uid := imap.UID(f.Key.UID)
		switch {
		case res.Retry || res.State == store.Busy:
			blocked = true
		case res.State == store.Quarantined:
			w.quarantined = append(w.quarantined, uid)
		default:
			w.done = append(w.done, uid)
		}
		if !blocked {
			last = f.Key.UID
		}
	}
	return w, last, blocked, nil
}

// ackWork is what is to be acknowledged on the server: handled messages,
// quarantined ones, and the UID the checkpoint may move to once they are
// (0 for none).
type ackWork struct {
	done, quarantined []imap.UID
	through           uint32
}

func (w ackWork) empty() bool { return len(w.done) == 0 && len(w.quarantined) == 0 && w.through == 0 }

// acker acknowledges handled messages on the server in the background,
// then moves the checkpoint past them. Work queued while a round is on the
// wire goes out together in the next round: one STORE and one MOVE for
// everything the workers finished meanwhile. After the first failure it
// acknowledges nothing more and moves the checkpoint no further, so a
// message left unacknowledged is seen again by the next scan, found
// decided, and acknowledged then.
type acker struct {
	p           *Poller
	cn          *conn
	ctx         context.Context
	uidValidity uint32
	move        bool
	wake        chan struct{}
	done        chan struct{}

	mu      sync.Mutex
	queued  ackWork
	closing bool
	err     error
}

// startAcker starts acknowledging for one scan. The checkpoint is written
// even as the poller shuts down, so what was acknowledged is not looked at
// again on the next start.
func (p *Poller) startAcker(ctx context.Context, cn *conn, uidValidity uint32, move bool) *acker {
	a := &acker{p: p, cn: cn, ctx: context.WithoutCancel(ctx), uidValidity: uidValidity, move: move,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go a.run()
	return a
}

// add queues work; it never waits for the server.
func (a *acker) add(w ackWork) {
	if w.empty() {
		return
	}
	a.mu.Lock()
	a.queued.done = append(a.queued.done, w.done...)
	a.queued.quarantined = append(a.queued.quarantined, w.quarantined...)
	a.queued.through = max(a.queued.through, w.through)
	a.mu.Unlock()
	a.signal()
}

func (a *acker) signal() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// failed returns the error that stopped acknowledging, if any.
func (a *acker) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// close waits until everything queued is acknowledged, or acknowledging
// failed, and returns that failure.
func (a *acker) close() error {
	a.mu.Lock()
	a.closing = true
	a.mu.Unlock()
	a.signal()
	<-a.done
	return a.failed()
}

func (a *acker) run() {
	defer close(a.done)
	for {
		a.mu.Lock()
		w, closing := a.queued, a.closing
		a.queued = ackWork{}
		a.mu.Unlock()
		if !w.empty() {
			if err := a.round(w); err != nil {
				a.mu.Lock()
				a.err = err
				a.mu.Unlock()
				return
			}
			continue
		}
		if closing {
			return
		}
		<-a.wake
	}
}

// round acknowledges one round of work, then advances the checkpoint.
func (a *acker) round(w ackWork) error {
	p := a.p
	if err := p.acknowledge(a.cn, w.done, p.Config.Processed, imap.FlagSeen, a.move); err != nil {
		return err
	}
	if err := p.acknowledge(a.cn, w.quarantined, p.Config.Quarantine, imap.FlagFlagged, a.move); err != nil {
		return err
	}
	if w.through == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(a.ctx, p.ResponseTimeout)
	defer cancel()
	if err := p.Processor.Store.AdvanceCheckpoint(ctx, p.Config.Mailbox, a.uidValidity, w.through); err != nil {
		return &storeError{err}
	}
	return nil
}

// processed is the result of processing one message.
type processed struct {
	res Result
	err error
}

// processAll processes fetched messages, in order with one worker, else
// concurrently across senders and in order for each sender. After a
// failure the failed sender's later messages are left unprocessed, with
// the same error, for the next scan.
func (p *Poller) processAll(ctx context.Context, fs []Fetched) []processed {
	out := make([]processed, len(fs))
	if p.Workers <= 1 || len(fs) == 1 {
		for k, f := range fs {
			out[k].res, out[k].err = p.Processor.Process(ctx, f)
			if out[k].err != nil {
				for x := k + 1; x < len(fs); x++ {
					out[x].err = out[k].err
				}
				break
			}
		}
		return out
	}
	bySender := map[string][]int{}
	var senders []string
	for k, f := range fs {
		s := senderOf(f.Raw)
		if _, ok := bySender[s]; !ok {
			senders = append(senders, s)
		}
		bySender[s] = append(bySender[s], k)
	}
	sem := make(chan struct{}, p.Workers)
	var wg sync.WaitGroup
	for _, s := range senders {
		idx := bySender[s]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			for n, k := range idx {
				out[k].res, out[k].err = p.Processor.Process(ctx, fs[k])
				if out[k].err != nil {
					for _, x := range idx[n+1:] {
						out[x].err = out[k].err
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// senderOf is the address a message is from, lowercased, for keeping each
// sender's messages in order; messages without one share the empty key.
func senderOf(raw []byte) string {
	from := header(raw).Get("From")
	if a, err := mail.ParseAddress(from); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.TrimSpace(from))
}

// fetchBodies reads the messages whole, or only their header when they are
// over the size limit.
func (p *Poller) fetchBodies(cn *conn, meta []*imapclient.FetchMessageBuffer) (map[imap.UID]Fetched, error) {
	var small, large []imap.UID
	for _, m := range meta {
		if m.RFC822Size > p.MaxSize {
			large = append(large, m.UID)
		} else {
			small = append(small, m.UID)
		}
	}
	out := make(map[imap.UID]Fetched, len(meta))
	for _, part := range []struct {
		uids    []imap.UID
		section *imap.FetchItemBodySection
		large   bool
	}{
		{small, &imap.FetchItemBodySection{Peek: true}, false},
		{large, &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}, true},
	} {
		if len(part.uids) == 0 {
			continue
		}
		var msgs []*imapclient.FetchMessageBuffer
		opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{part.section}}
		if err := cn.do(func() (err error) { msgs, err = cn.c.Fetch(imap.UIDSetNum(part.uids...), opts).Collect(); return err }); err != nil {
			return nil, fmt.Errorf("fetch messages: %w", err)
		}
		for _, m := range msgs {
			var raw []byte
			if len(m.BodySection) > 0 {
				raw = m.BodySection[0].Bytes
			}
			out[m.UID] = Fetched{Raw: raw, TooLarge: part.large}
		}
	}
	return out, nil
}

// acknowledge marks handled messages: moved to folder when the server can
// MOVE, else flagged.
//
// Another client (another Accord instance, say) may have expunged some of
// them meanwhile; Dovecot then refuses the whole command with
// NO [EXPUNGEISSUED] (RFC 5530 section 3). That is no broken connection:
// the messages are handled. A NOOP brings this session's view up to date,
// and the command is tried once more for those still here.
func (p *Poller) acknowledge(cn *conn, uids []imap.UID, folder string, flag imap.Flag, move bool) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	flags := []imap.Flag{imap.FlagSeen}
	if flag != imap.FlagSeen {
		flags = append(flags, flag)
	}
	if err := p.tolerateExpunged(cn, func() error {
		return cn.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close()
	}); err != nil {
		return fmt.Errorf("mark handled mail: %w", err)
	}
	if !move || folder == "" {
		return nil
	}
	if err := p.tolerateExpunged(cn, func() error { _, err := cn.c.Move(set, folder).Wait(); return err }); err != nil {
		return fmt.Errorf("move handled mail to %s: %w", folder, err)
	}
	return nil
}

// tolerateExpunged runs an IMAP command, and once more after a NOOP when
// the server says some of its messages were expunged by someone else.
// A second refusal of that kind is taken as done: whatever is left is
// gone from the mailbox by then or is picked up by a later scan.
func (p *Poller) tolerateExpunged(cn *conn, cmd func() error) error {
	err := cn.do(cmd)
	if !expungeIssued(err) {
		return err
	}
	p.Logger.Debug("some handled messages were already expunged by another client", "err", err)
	if err := cn.do(cn.c.Noop().Wait); err != nil {
		return err
	}
	if err := cn.do(cmd); err != nil && !expungeIssued(err) {
		return err
	}
	return nil
}

// expungeIssued reports a NO [EXPUNGEISSUED] response.
func expungeIssued(err error) bool {
	var ie *imap.Error
	return errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo && ie.Code == "EXPUNGEISSUED"
}
