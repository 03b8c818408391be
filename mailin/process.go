package mailin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
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
			return p.notice(ctx, tx, from, templates.MailTooLarge, h, "")
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
				if err := p.notice(ctx, tx, from, rej.Notice, h, ""); err != nil {
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
		return p.calendarReply(ctx, id, from, c)
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
		_, err := tx.Apply(actx, r.PartnershipID, func(pp *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			me, err := pp.Participant(r.ParticipantID)
			if err != nil {
				return nil, err
			}
			if me.Status == conversation.ParticipantLeft {
				// Someone who left hears nothing more, unless they come
				// back with resume in time.
				if cmd, err := conversation.ParseCommand(text, now, me.Person.Location); err == nil && cmd.Kind == conversation.CmdResume {
					o.Outcome, o.Detail = store.InboundCommand, "resume after leaving"
					return pp.Rejoin(me.ID, now)
				}
				return nil, conversation.ErrLeft
			}
			if r.Unsubscribe {
				o.Outcome, o.Detail = store.InboundCommand, "stop (list-unsubscribe)"
				return pp.StopNow(me.ID, now)
			}
			if text == "" {
				o.Outcome, o.Detail = store.InboundUnreadable, "no words found outside quotes and signatures"
				if unreadable != "" {
					o.Detail = unreadable
				}
				return nil, nil
			}
			if isCheckinReply(r) && r.QuestionID == "" {
				var msgs []conversation.Message
				o.Outcome, o.Detail, msgs, err = checkinReply(pp, me, r, text, now)
				return msgs, err
			}
			cmd, cerr := conversation.ParseCommand(text, now, me.Person.Location)
			if review, round, ok := store.DraftRoundOf(r.Purpose); ok && !(pp.DraftOpen() && review == pp.Draft.Review && round == pp.Draft.Round) {
				if _, err := conversation.ParseDraftReply(text); err == nil {
					// Numbers of another round's mail would name other
					// statements: nothing of it is applied.
					n := conversation.Note{Kind: conversation.NoteDraftOldRound, Number: round, Draft: pp.Draft}
					o.Outcome, o.Detail = store.InboundRejected, fmt.Sprintf("draft: a reply to round %d", round)
					if !pp.DraftOpen() {
						n.Kind, o.Detail = conversation.NoteDraftClosed, "draft: a reply after drafting ended"
					}
					return pp.Explain(me.ID, n, now)
				}
			}
			if pp.DraftOpen() && r.QuestionID == "" {
				if msgs, handled, err := draftReply(pp, me, text, cerr, &o, now); handled {
					return msgs, err
				}
			}
			if pp.LatestAgreement() != nil {
				if rest, rws, ok := conversation.ParseRewrites(text); ok {
					return rewriteReply(pp, me, r, rest, rws, &o, now)
				}
			}
			var ce *conversation.CommandError
			var slip *conversation.NearMiss
			var aside *conversation.Aside
			switch {
			case cerr == nil:
				o.Outcome, o.Detail = store.InboundCommand, string(cmd.Kind)
				return runCommand(pp, me, cmd, r.QuestionID, now)
			case errors.As(cerr, &ce):
				o.Outcome, o.Detail = store.InboundCommand, "unclear: "+templates.ErrorText(ce)
				return pp.Unclear(me.ID, ce.Problem, now)
			case me.Held(text):
				// The same words after we asked: meant as written.
			case errors.As(cerr, &slip):
				o.Outcome, o.Detail = store.InboundHeld, "did you mean: "+slip.Suggestion
				return pp.Hold(me.ID, text, conversation.Note{Kind: conversation.NoteDidYouMean, Text: slip.Suggestion}, now)
			case errors.As(cerr, &aside):
				o.Outcome, o.Detail = store.InboundHeld, "a note about another reply"
				return pp.Hold(me.ID, text, conversation.Note{Kind: conversation.NoteAside}, now)
			}
			question := questionOf(r, me)
			if earlier, echo := pp.Echo(me.ID, question, text, now.Add(-p.EchoWindow)); echo {
				// The same words again, for something else: an
				// auto-responder that set no header. Nothing of it is
				// kept, and the person is paused until they come back.
				o.Outcome, o.Detail = store.InboundAutoReply, "auto-reply: the same words as an earlier reply"
				if earlier != "" {
					o.Detail += " to question " + earlier
				}
				echoed = me.Status != conversation.ParticipantPaused
				return pp.PauseForAutoReplies(me.ID, now)
			}
			if question == "" {
				if pp.LatestAgreement() != nil {
					o.Outcome, o.Detail = store.InboundAnswer, "kept for the agreement review"
					return pp.Amend(me.ID, text, now)
				}
				o.Outcome, o.Detail = store.InboundRejected, "no open question to answer"
				return pp.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNoQuestion}, now)
			}
			o.Outcome, o.Detail = store.InboundAnswer, "question "+question
			msgs, err := pp.Answer(me.ID, question, text, now)
			var ke *conversation.KeptError
			if errors.As(err, &ke) {
				o.Outcome, o.Detail = store.InboundRejected, "question "+question+": "+ke.Error()
				return pp.Explain(me.ID, conversation.Note{Kind: conversation.NoteKeptUnclear, KeptError: ke}, now)
			}
			if why, unfit := unfitAnswer(question, err, &o); unfit {
				return pp.Unclear(me.ID, why, now)
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
			if err := p.notice(ctx, tx, fromAddress(h), templates.MailUnreadable, h, ""); err != nil {
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

// questionOf is the question a reply answers: the one whose mail it
// replied to, else the person's current question, unless it replied to
// the agreement (whose replies are kept for the review); "" for none.
func questionOf(r route, me *conversation.Participant) string {
	if r.QuestionID != "" {
		return r.QuestionID
	}
	if cur := me.Current(); cur != nil && r.Thread != mailout.ThreadAgreement {
		return cur.QuestionID
	}
	return ""
}

// unfitAnswer says why an answer a review question cannot use (err is
// ErrRating or ErrBareNumber) was refused, and sets the outcome; it
// returns "" for any other err, which the caller handles.
func unfitAnswer(question string, err error, o *store.InboundOutcome) (why conversation.Problem, unfit bool) {
	switch {
	case errors.Is(err, conversation.ErrRating):
		o.Outcome, o.Detail = store.InboundRejected, "question "+question+": not a rating from 1 to 5"
		return conversation.Problem{Code: conversation.ProblemNotRating}, true
	case errors.Is(err, conversation.ErrBareNumber):
		o.Outcome, o.Detail = store.InboundRejected, "question "+question+": only a number"
		return conversation.Problem{Code: conversation.ProblemBareNumber}, true
	}
	return conversation.Problem{}, false
}

// rewriteReply carries out a reply that rewrites agreement topics
// ("change 7: …", see conversation.ParseRewrites): the rewrites, and what
// the reply says before them as the answer to the question it replied to
// (or a note for the review). A rewrite that cannot be carried out is
// explained and nothing of the reply is kept.
func rewriteReply(pp *conversation.Partnership, me *conversation.Participant, r route, rest string, rws []conversation.Rewrite, o *store.InboundOutcome, now time.Time) ([]conversation.Message, error) {
	question := ""
	if rest != "" {
		question = questionOf(r, me)
	}
	nums := make([]string, len(rws))
	for i, rw := range rws {
		nums[i] = strconv.Itoa(rw.Number)
	}
	o.Outcome, o.Detail = store.InboundAnswer, "rewrite of "+strings.Join(nums, ", ")
	if question != "" {
		o.Detail += " and question " + question
	}
	msgs, err := pp.Rewrite(me.ID, rws, question, rest, now)
	var re *conversation.RewriteError
	if errors.As(err, &re) {
		o.Outcome, o.Detail = store.InboundRejected, "rewrite: "+re.Error()
		return pp.Explain(me.ID, re.Note(), now)
	}
	if why, unfit := unfitAnswer(question, err, o); unfit {
		return pp.Unclear(me.ID, why, now)
	}
	return msgs, err
}

// draftReply carries out a reply to the open draft of the agreement
// ("agree all", "change 5: …", see conversation.ParseDraftReply). A reply
// command (pause, stop, help…) and a slip of one are not for the draft:
// handled is false and the usual path takes them. Any other reply that
// cannot be carried out is explained, and nothing of it is kept. cerr is
// what conversation.ParseCommand made of text.
func draftReply(pp *conversation.Partnership, me *conversation.Participant, text string, cerr error, o *store.InboundOutcome, now time.Time) (msgs []conversation.Message, handled bool, err error) {
	if cerr == nil {
		return nil, false, nil
	}
	reply, err := conversation.ParseDraftReply(text)
	var de *conversation.DraftReplyError
	if errors.As(err, &de) && de.Kind == conversation.DraftReplyUnreadable && de.Suggestion == "" &&
		(!errors.Is(cerr, conversation.ErrNotCommand) || pp.Draft.Signing) {
		// "paus 1 week" is a slip of a reply command, which the usual
		// path answers with "did you mean"; words written back to an
		// agreement that waits for a signature are kept for its review,
		// as for any agreement.
		return nil, false, nil
	}
	round := pp.Draft.Round
	if err == nil {
		msgs, err = pp.ReplyToDraft(me.ID, reply, now)
	}
	if errors.As(err, &de) {
		o.Outcome, o.Detail = store.InboundRejected, "draft: "+de.Error()
		msgs, err = pp.Explain(me.ID, conversation.Note{Kind: conversation.NoteDraftUnclear, DraftError: de, Draft: pp.Draft}, now)
		return msgs, true, err
	}
	if err != nil {
		return nil, true, err
	}
	kinds := make([]string, 0, len(reply.Commands))
	for _, c := range reply.Commands {
		kinds = append(kinds, strings.TrimSpace(string(c.Kind)+" "+numberList(c)))
	}
	o.Outcome, o.Detail = store.InboundAnswer, fmt.Sprintf("draft round %d: %s", round, strings.Join(kinds, "; "))
	return msgs, true, nil
}

// numberList writes the numbers a draft command names, or "all".
func numberList(c conversation.DraftCommand) string {
	if c.All {
		return "all"
	}
	ns := make([]string, len(c.Numbers))
	for i, n := range c.Numbers {
		ns[i] = strconv.Itoa(n)
	}
	return strings.Join(ns, ", ")
}

// runCommand carries out a reply command.
func runCommand(p *conversation.Partnership, me *conversation.Participant, cmd conversation.Command, question string, now time.Time) ([]conversation.Message, error) {
	switch cmd.Kind {
	case conversation.CmdSkip:
		if question == "" {
			if cur := me.Current(); cur != nil {
				question = cur.QuestionID
			}
		}
		msgs, err := p.Skip(me.ID, question, now)
		if errors.Is(err, conversation.ErrNotCurrent) || errors.Is(err, conversation.ErrNotAsked) {
			return p.Unclear(me.ID, conversation.Problem{Code: conversation.ProblemNothingToSkip}, now)
		}
		return msgs, err
	case conversation.CmdPause:
		return p.Pause(me.ID, cmd.Until, now)
	case conversation.CmdResume:
		return p.Resume(me.ID, now)
	case conversation.CmdStop:
		return p.Stop(me.ID, now)
	case conversation.CmdExport:
		return p.Export(me.ID, now)
	case conversation.CmdUndo:
		return p.Undo(me.ID, now)
	case conversation.CmdAgreement:
		return p.SendAgreement(me.ID, now)
	}
	return p.Help(me.ID, now)
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
// address and day, threaded under their message.
func (p *Processor) notice(ctx context.Context, tx *store.Tx, to, kind string, h textproto.MIMEHeader, name string) error {
	if to == "" || p.Renderer == nil || sameAddress(to, p.Identity.Address) {
		return nil
	}
	first, err := tx.FirstNoticeToday(ctx, to, kind)
	if err != nil || !first {
		return err
	}
	v := templates.View{Kind: kind, From: to, Subject: oneLine(h.Get("Subject"))}
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
