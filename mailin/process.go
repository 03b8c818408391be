package mailin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/internal/apply"
	"accord/mailin/classify"
	"accord/mailin/mimecheck"
	"accord/mailin/reply"
	"accord/mailout"
	"accord/store"
	"accord/templates"
)

// Processor turns one fetched message into exactly one recorded outcome.
type Processor struct {
	Store *store.Store
	// Identity is the service mailbox: reply tokens are read from its plus
	// addresses, mail from it is our own, and notices come from it.
	Identity mailout.Identity
	// Renderer renders notices to correspondents.
	Renderer *mailout.Renderer
	Trust    Trust
	// NotifyUnknownSenders sends "we could not match your email" (at most
	// once a day per address) to senders who are not in the partnership.
	// Off by default: answering strangers feeds spam backscatter.
	NotifyUnknownSenders bool
	// MaxAttempts quarantines a message after this many failed tries;
	// default 5.
	MaxAttempts int
	// Lease is how long a claim on a message lasts; default 5 minutes.
	Lease time.Duration
	// MaxSize is reported in the too-large notice.
	MaxSize int64
	Logger  *slog.Logger
	// Worker names this process in claims; default "mailin".
	Worker string
	// AckGrace is how long a message another worker decided is left for
	// that worker to acknowledge on the server; after it, any worker
	// does (the first may have died in between). Default 2 minutes.
	AckGrace time.Duration
	// OnOutcome, when set, hears every outcome decided, with the time the
	// message arrived in the mailbox (zero when unknown).
	OnOutcome func(outcome string, arrived time.Time)
	// EchoWindow is how far back a reply is compared with the sender's
	// earlier words: the same words for another question within it mark
	// an auto-responder. Default 72 hours, which spans a weekend of quiet
	// hours between a question and its automatic answer.
	EchoWindow time.Duration
	// OnAutoResponder, when set, hears of each person paused because
	// their replies looked automatic.
	OnAutoResponder func()

	// crash, set only by tests, is called at named points.
	crash func(point string, f Fetched) error

	setup sync.Once
}

// Result is what became of a fetched message, for the poller to
// acknowledge it on the server.
type Result struct {
	State   store.ClaimState
	Outcome string
	// Retry is set when processing failed and the message stays pending.
	Retry bool
}

// defaults fills in unset fields, once, before the first message: Process
// may run on several goroutines.
func (p *Processor) defaults() { p.setup.Do(p.fillDefaults) }

func (p *Processor) fillDefaults() {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 5
	}
	if p.Lease == 0 {
		p.Lease = 5 * time.Minute
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.Worker == "" {
		p.Worker = "mailin"
	}
	if p.AckGrace == 0 {
		p.AckGrace = 2 * time.Minute
	}
	if p.EchoWindow == 0 {
		p.EchoWindow = 72 * time.Hour
	}
}

// errCrash is what a crash hook returns to stop processing as a dying
// process would: nothing more happens for that message.
var errCrash = errors.New("mailin: crash point reached")

func (p *Processor) crashPoint(name string, f Fetched) error {
	if p.crash != nil {
		return p.crash(name, f)
	}
	return nil
}

// Process claims and handles one message. An error means nothing was
// decided (the database is unreachable, say) and the message stays as it
// is on the server; a handling failure is recorded and retried later, and
// Result.Retry is set.
func (p *Processor) Process(ctx context.Context, f Fetched) (Result, error) {
	p.defaults()
	key, msgID, rawSHA, contentSHA := identity(f.Raw)
	h := header(f.Raw)
	claim, err := p.Store.ClaimInbound(ctx, store.NewInbound{
		Key: f.Key, MessageKey: key, MessageID: msgID, RawSHA256: rawSHA, ContentSHA256: contentSHA,
		Size: f.Size, ReceivedAt: f.InternalDate, From: fromAddress(h), Raw: f.Raw,
	}, p.Worker, p.Lease, p.MaxAttempts)
	if err != nil {
		return Result{}, err
	}
	log := p.Logger.With("inbound_id", claim.ID, "uid", f.Key.UID)
	if claim.State != store.Claimed && claim.State != store.Busy && claim.By != "" && claim.By != p.Worker &&
		p.Store.Now().Sub(claim.At) < p.AckGrace {
		// Another poller decided it a moment ago and moves it itself:
		// two pollers moving one message at once can leave two copies
		// in the Processed folder. Look again later, in case it died.
		return Result{State: store.Busy}, nil
	}
	switch claim.State {
	case store.Busy:
		return Result{State: claim.State}, nil
	case store.Done:
		return Result{State: claim.State, Outcome: claim.Outcome}, nil
	case store.Duplicate:
		p.observe(claim.Outcome, f)
		return Result{State: claim.State, Outcome: claim.Outcome}, nil
	case store.Quarantined:
		log.Error("inbound mail quarantined", "attempts", claim.Attempts)
		p.observe(store.InboundQuarantined, f)
		return Result{State: claim.State, Outcome: store.InboundQuarantined}, nil
	}
	if err := p.crashPoint("after_fetch_before_commit", f); err != nil {
		return Result{}, err
	}
	outcome, err := p.handleSafely(ctx, claim.ID, f)
	if err != nil {
		log.Warn("could not process inbound mail; will retry", "attempt", claim.Attempts, "err", err)
		if rerr := p.Store.ReleaseInbound(ctx, claim.ID, p.Worker, err.Error()); rerr != nil {
			log.Error("could not release inbound mail", "err", rerr)
		}
		return Result{State: claim.State, Retry: true}, nil
	}
	log.Info("inbound mail handled", "outcome", outcome.Outcome, "detail", outcome.Detail)
	p.observe(outcome.Outcome, f)
	return Result{State: claim.State, Outcome: outcome.Outcome}, nil
}

func (p *Processor) observe(outcome string, f Fetched) {
	if p.OnOutcome != nil {
		p.OnOutcome(outcome, f.InternalDate)
	}
}

// handleSafely runs handle, turning a panic (a parser tripping over hostile
// mail) into an error for this message alone.
func (p *Processor) handleSafely(ctx context.Context, id int64, f Fetched) (o store.InboundOutcome, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic while handling the message: %v\n%s", r, debug.Stack())
		}
	}()
	return p.handle(ctx, id, f)
}

// parser keeps HTML-only mail as HTML (package reply converts it with the
// quotes marked) and reads a multipart without a boundary as one part
// rather than failing. It reads each text part in the character set the
// part declares, and as UTF-8 when it declares none (see declaredOrUTF8),
// without guessing: guessing (enmime's chardet) cost more than the rest
// of reading a reply together. parseMessage falls back to
// detectingParser for the rare message whose declared character set
// looks wrong.
var parser = enmime.NewParser(
	enmime.DisableTextConversion(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.DisableCharacterDetection(true),
	enmime.SetCustomParseMediaType(declaredOrUTF8),
)

// mimeLimits bound the MIME structure handed to enmime (see package
// mimecheck): its time grows with the square of the number of parts and
// exponentially with unclosed nesting, and a parse cannot be interrupted.
// No real reply comes near them.
var mimeLimits = mimecheck.DefaultLimits()

// parseMessage reads a message with enmime, refusing pathological
// structure before parsing and handing the parser only the parts a reply
// is read from (text, calendars, reports, and HTML unless the text surely
// has words), so that any message under the size limit costs bounded time
// and memory; parts mimecheck.Split can tell apart are read one by one (see
// readSplit). Text is read in the
// character sets the message declares; when a text part reads as though
// its declared one were wrong (see misread), the message is read again
// with detection.
func parseMessage(raw []byte) (*enmime.Envelope, error) {
	raw = headerFirst(raw)
	if err := mimecheck.Check(raw, mimeLimits); err != nil {
		return nil, err
	}
	trimmed := mimecheck.Trim(raw, mimeLimits)
	root, split := mimecheck.Split(trimmed, mimeLimits)
	read := func(p *enmime.Parser) (*enmime.Envelope, error) {
		if split {
			env, err := readSplit(p, root)
			if !errors.Is(err, errReadWhole) {
				return env, err
			}
		}
		return p.ReadEnvelope(bytes.NewReader(trimmed))
	}
	env, err := read(parser)
	if err != nil || !misread(env) {
		return env, err
	}
	return read(detectingParser)
}

func (p *Processor) handle(ctx context.Context, id int64, f Fetched) (store.InboundOutcome, error) {
	if err := p.crashPoint("handle", f); err != nil {
		return store.InboundOutcome{}, err
	}
	// Whatever mail this message causes counts against its recipient's
	// daily budget (store.MailBudget).
	ctx = store.WithCause(ctx, id)
	h := header(f.Raw)
	from := fromAddress(h)
	if f.TooLarge {
		o := store.InboundOutcome{Outcome: store.InboundTooLarge, Detail: fmt.Sprintf("%d bytes", f.Size)}
		return o, p.finish(ctx, id, o, func(tx *store.Tx) error {
			return p.notice(ctx, tx, from, templates.MailTooLarge, h, "", "")
		})
	}
	env, err := parseMessage(f.Raw)
	if err != nil {
		// Not even a header could be read: nothing to route or answer.
		o := store.InboundOutcome{Outcome: store.InboundRejected, Detail: "unreadable MIME: " + err.Error()}
		return o, p.finish(ctx, id, o, nil)
	}
	// What comes next happens in one transaction: classifying (is this
	// one of our own messages come back?), routing, and applying the
	// reply or recording why not, with the reads routing needs fetched
	// in one go. Calendar replies and delivery reports take their own
	// path, after it.
	var (
		c      classify.Result
		o      store.InboundOutcome
		echoed bool
	)
	err = p.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PrefetchRoute(ctx, messageIDOf(env), p.tokens(h)); err != nil {
			return err
		}
		c = classify.Classify(env, classify.Options{
			ServiceAddresses: []string{p.Identity.Address},
			IsOurs: func(messageID string) bool {
				ours, err := tx.IsOurs(ctx, messageID)
				return err == nil && ours
			},
		})
		switch c.Kind {
		case classify.Loop:
			o = store.InboundOutcome{Outcome: store.InboundLoop, Detail: c.Reason}
			return tx.FinishInbound(ctx, id, p.Worker, o)
		case classify.AutoReply:
			o = store.InboundOutcome{Outcome: store.InboundAutoReply, Detail: c.Reason}
			return tx.FinishInbound(ctx, id, p.Worker, o)
		case classify.CalendarOther:
			// Someone else's invitation or cancellation: nothing to
			// record, and nobody to answer (a calendar may have sent it).
			o = store.InboundOutcome{Outcome: store.InboundIgnored, Detail: c.Reason}
			return tx.FinishInbound(ctx, id, p.Worker, o)
		case classify.CalendarReply, classify.Bounce:
			return errOwnPath
		}
		if p.toBounceAddress(h) {
			// Only the envelope sender of our mail leads here, and people's
			// mail programs never reply to it: an autoresponder (RFC 3834
			// section 4 has them answer the envelope sender) that set no
			// header saying so.
			o = store.InboundOutcome{Outcome: store.InboundAutoReply, Detail: "auto-reply: sent to the envelope sender of our mail"}
			return tx.FinishInbound(ctx, id, p.Worker, o)
		}
		r, err := p.routeWith(ctx, tx, h, from)
		var rej *rejection
		if errors.As(err, &rej) {
			o = store.InboundOutcome{Outcome: store.InboundRejected, Detail: rej.Reason}
			if rej.Notice != "" && (rej.Notice != templates.MailUnknownSender || p.NotifyUnknownSenders) {
				if err := p.notice(ctx, tx, from, rej.Notice, h, "", ""); err != nil {
					return err
				}
			}
			return tx.FinishInbound(ctx, id, p.Worker, o)
		}
		if err != nil {
			return err
		}
		text, unreadable := replyText(env)
		if text == "" && unreadable == "" && strings.EqualFold(strings.TrimSpace(env.GetHeader("Subject")), "stop") {
			// A List-Unsubscribe click: an empty mail with subject "stop".
			// It stops at once, as one-click unsubscribes must; the person
			// may still come back with resume.
			text, r.Unsubscribe = "stop", true
		}
		o, echoed, err = p.apply(ctx, tx, id, f, h, r, text, unreadable)
		return err
	})
	switch {
	case errors.Is(err, errOwnPath) && c.Kind == classify.CalendarReply:
		return p.calendarReply(ctx, id, h, from, c)
	case errors.Is(err, errOwnPath):
		return p.bounce(ctx, id, h, c)
	case err == nil && echoed:
		p.Logger.Warn("replies look automatic (the same words for several questions); the person is paused until they write resume",
			"partnership_id", o.PartnershipID, "participant_id", o.ParticipantID, "from", from)
		if p.OnAutoResponder != nil {
			p.OnAutoResponder()
		}
	}
	return o, err
}

// errOwnPath leaves the transaction of handle for a message whose kind is
// handled on a path of its own.
var errOwnPath = errors.New("mailin: handled on its own path")

// messageIDOf is the message's own Message-ID as classify reads it.
func messageIDOf(env *enmime.Envelope) string {
	return firstMessageID(env.GetHeader("Message-ID"))
}

// replyText is what the person wrote: the plain-text part with quotes and
// signatures removed, or the HTML part when there is no text. When the
// part's characters cannot be read (see textOf), the text is empty and
// unreadable says why.
func replyText(env *enmime.Envelope) (text, unreadable string) {
	const garbled = "its characters could not be read (an undecodable character set)"
	if strings.TrimSpace(env.Text) != "" {
		t, ok := textOf(env.Text)
		if !ok {
			return "", garbled
		}
		return strings.TrimSpace(reply.Text(t)), ""
	}
	if strings.TrimSpace(env.HTML) != "" {
		h, ok := textOf(env.HTML)
		if !ok {
			return "", garbled
		}
		return strings.TrimSpace(reply.HTML(h)), ""
	}
	return "", ""
}

// apply runs the reply against the partnership and records the outcome, in
// the caller's transaction. echoed is set when the person was paused
// because their replies look automatic.
func (p *Processor) apply(ctx context.Context, tx *store.Tx, id int64, f Fetched, h textproto.MIMEHeader, r route, text, unreadable string) (o store.InboundOutcome, echoed bool, err error) {
	o = store.InboundOutcome{PartnershipID: r.PartnershipID, ParticipantID: r.ParticipantID}
	actx := mailout.WithReplyTo(ctx, r.ParticipantID, firstMessageID(h.Get("Message-Id")))
	err = func() error {
		_, err := apply.Run(actx, tx, r.PartnershipID, func(pp *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			in := replyOf(r, text)
			in.EchoSince = now.Add(-p.EchoWindow)
			out, msgs, err := pp.HandleReply(r.ParticipantID, in, now)
			o.Outcome, o.Detail, echoed = string(out.Kind), out.Detail, out.Echoed
			if out.Problem != nil {
				words, werr := templates.ProblemText(*out.Problem)
				if werr != nil {
					words = out.Problem.String()
				}
				o.Detail += ": " + words
			}
			if out.Kind == conversation.OutcomeUnreadable && unreadable != "" {
				o.Detail = unreadable
			}
			return msgs, err
		})
		switch {
		case errors.Is(err, conversation.ErrEnded), errors.Is(err, conversation.ErrLeft), errors.Is(err, conversation.ErrRejoinTooLate):
			// Nothing goes back to someone who left or to a closed
			// partnership; the mail is still accounted for.
			o.Outcome, o.Detail = store.InboundIgnored, err.Error()
		case errors.Is(err, conversation.ErrNotCurrent), errors.Is(err, conversation.ErrNotAsked):
			o.Outcome, o.Detail = store.InboundRejected, err.Error()
		case err != nil:
			return err
		}
		if o.Outcome == store.InboundUnreadable {
			if err := p.notice(ctx, tx, fromAddress(h), templates.MailUnreadable, h, "", ""); err != nil {
				return err
			}
		}
		if err := p.crashPoint("before_commit", f); err != nil {
			return err
		}
		return tx.FinishInbound(ctx, id, p.Worker, o)
	}()
	return o, echoed, err
}

// bounce records a delivery report. A report counts only when it is about
// mail we sent: it came back to the envelope sender of one message (whose
// bounce token names it), or it quotes the Message-ID of a message we sent
// to the very recipient it reports on. Anyone can write a report claiming
// that someone's address is gone; one that matches nothing is recorded as
// unmatched and changes nothing. A matched permanent failure marks the
// address bouncing at once, since the receiving server said so in writing.
func (p *Processor) bounce(ctx context.Context, id int64, h textproto.MIMEHeader, c classify.Result) (store.InboundOutcome, error) {
	var failures []classify.Failure
	if c.DSN != nil {
		failures = c.DSN.Failures
	}
	summary := c.Reason
	if len(failures) > 0 {
		var parts []string
		for _, fl := range failures {
			parts = append(parts, strings.TrimSpace(fl.Recipient+" "+fl.Status))
		}
		summary = strings.Join(parts, ", ")
	}
	m, byEnvelope, err := p.bouncedMessage(ctx, h, c.DSN)
	if err != nil {
		return store.InboundOutcome{}, err
	}
	if m == nil {
		o := store.InboundOutcome{Outcome: store.InboundUnmatchedBounce, Detail: "about no mail we sent: " + summary}
		return o, p.finish(ctx, id, o, nil)
	}
	o := store.InboundOutcome{Outcome: store.InboundBounce, Detail: fmt.Sprintf("about %s to %s: %s", m.Kind, m.Recipient, summary),
		PartnershipID: m.PartnershipID.Int64, ParticipantID: m.ParticipantID.Int64}
	for _, fl := range failures {
		// Matched by Message-ID alone, a report counts only for the
		// recipient of that message; matched by its envelope, it can only
		// be about that one recipient, whatever address it names (a
		// forward at their end, say).
		if !byEnvelope && !sameAddress(fl.Recipient, m.Recipient) {
			continue
		}
		permanent := strings.HasPrefix(fl.Status, "5") || (fl.Status == "" && fl.Action == "failed" && c.DSN.Permanent)
		if !permanent {
			continue
		}
		reason := strings.TrimSpace("bounce report: " + fl.Status + " " + fl.Diagnostic)
		if _, err := p.Store.RecordHardBounce(ctx, m.Recipient, reason, 1); err != nil {
			return o, err
		}
		if err := p.Store.MarkBounced(ctx, m.ID, "bounced after delivery: "+strings.TrimPrefix(reason, "bounce report: ")); err != nil {
			return o, err
		}
		o.Detail += " (address marked bouncing)"
		break
	}
	return o, p.finish(ctx, id, o, nil)
}

// bouncedMessage finds the message a delivery report is about: by the
// bounce token in the address it was sent to, else by the Message-ID it
// quotes. byEnvelope says which; nil means neither matched.
func (p *Processor) bouncedMessage(ctx context.Context, h textproto.MIMEHeader, dsn *classify.DSN) (m *store.OutboxMessage, byEnvelope bool, err error) {
	toBounceAddress := false
	for _, a := range recipientAddresses(h) {
		token, ok := p.Identity.BounceToken(a)
		if !ok {
			continue
		}
		toBounceAddress = true
		found, err := p.Store.OutboxByBounceToken(ctx, token)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		return &found, true, nil
	}
	if toBounceAddress {
		// A real report comes back to the address the message was sent
		// from; one sent to a bounce address that names no message is
		// made up, whatever Message-ID it quotes.
		return nil, false, nil
	}
	if dsn == nil || dsn.OriginalMessageID == "" {
		return nil, false, nil
	}
	found, err := p.Store.OutboxByMessageID(ctx, dsn.OriginalMessageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &found, false, nil
}

// toBounceAddress reports whether the mail was sent to one of our
// per-message envelope senders.
func (p *Processor) toBounceAddress(h textproto.MIMEHeader) bool {
	for _, a := range recipientAddresses(h) {
		if _, ok := p.Identity.BounceToken(a); ok {
			return true
		}
	}
	return false
}

func (p *Processor) record(ctx context.Context, id int64, outcome, detail string) (store.InboundOutcome, error) {
	o := store.InboundOutcome{Outcome: outcome, Detail: detail}
	return o, p.finish(ctx, id, o, nil)
}

// finish records an outcome, with whatever else must commit with it.
func (p *Processor) finish(ctx context.Context, id int64, o store.InboundOutcome, also func(tx *store.Tx) error) error {
	return p.Store.InTx(ctx, func(tx *store.Tx) error {
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		return tx.FinishInbound(ctx, id, p.Worker, o)
	})
}

// notice queues a notice to a correspondent, at most one of a kind per
// address and day, threaded under their message. name is the recipient's,
// when known; from is the address the message came from, when it is not
// the recipient's.
func (p *Processor) notice(ctx context.Context, tx *store.Tx, to, kind string, h textproto.MIMEHeader, name, from string) error {
	if to == "" || p.Renderer == nil || sameAddress(to, p.Identity.Address) {
		return nil
	}
	first, err := tx.FirstNoticeToday(ctx, to, kind)
	if err != nil || !first {
		return err
	}
	lang, err := tx.LanguageOf(ctx, to)
	if err != nil {
		return err
	}
	if from == "" {
		from = to
	}
	v := templates.View{Kind: kind, Lang: templates.Language(lang), From: from, Subject: oneLine(h.Get("Subject"))}
	if name != "" {
		v.Recipient = templates.Person{Name: name, First: conversation.FirstName(name)}
	}
	if p.MaxSize > 0 {
		v.Limit = fmt.Sprintf("%d MB", p.MaxSize>>20)
	}
	parent := firstMessageID(h.Get("Message-Id"))
	msgID, raw, err := p.Renderer.Render(mailout.Letter{ToAddress: to, Date: tx.Now(), View: v, InReplyTo: parent})
	row := store.NewOutbox{Recipient: to, Kind: kind, MessageID: msgID, Raw: raw, Notice: true}
	if err != nil {
		row.MessageID, row.Raw, row.Failed = p.Renderer.MessageID(), []byte{}, "could not render: "+err.Error()
	}
	_, err = tx.AddOutbox(ctx, row)
	return err
}

// oneLine shortens a header value for use in a notice.
func oneLine(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return string(r)
}
