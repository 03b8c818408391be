// Package classify decides what an inbound message is before anything acts
// on it. Only a person's reply may be routed and stored as an answer;
// everything a machine wrote (out-of-office notices, autoresponders, list
// traffic, delivery reports, our own mail coming back) must be recorded and
// left alone, and never answered, so that Accord cannot feed a mail loop
// (RELIABILITY I7, F24, F25, F27).
//
// Classify applies its rules in a fixed order and stops at the first that
// fires:
//
//  1. Loop. The From address is one of our service addresses (with or
//     without a +tag), or the Message-ID is one we sent. Our own mail carries
//     Auto-Submitted and List-Unsubscribe, so this must come before the
//     auto-reply rules to be reported for what it is.
//  2. Bounce. A message/delivery-status part inside multipart/report
//     (report-type=delivery-status), or making up the whole message, is
//     parsed per recipient, and the returned message or headers give the
//     original Message-ID. Without one, a bounce is recognised by its
//     sender (MAILER-DAEMON or postmaster however spelt, with or without a
//     domain, "Mail Delivery System", Exchange's MicrosoftExchange…
//     mailbox), by an X-Failed-Recipients header, by a subject that starts
//     like a non-delivery report in one of several languages
//     ("Undeliverable:", "Unzustellbar:", "Non remis :"…), or by a no-reply
//     sender that returns our message and says it was not delivered; the
//     status and recipient are then dug out of the text, and a temporary
//     failure the mail system gave up on counts as failed, not delayed. A
//     status part inside some other multipart counts only with such
//     evidence, so a person forwarding a bounce inline is not mistaken for
//     the report. A report that lists only delivered or relayed recipients
//     is still a Bounce, with no Failures. Bounces come before calendar
//     replies and auto-replies because they often carry Auto-Submitted
//     too, and their details matter.
//  3. CalendarReply. A calendar part (text/calendar, application/ics or an
//     .ics file, single part or anywhere in the tree) whose METHOD is REPLY
//     or COUNTER (Google's "propose a new time" is a COUNTER in a part
//     labelled method=REPLY). The METHOD property in the body wins over the
//     Content-Type method parameter when both are present, since the body
//     is what calendar software acts on. Calendar answers are machine-made
//     by nature, so they are read before the auto-reply rule: a resource
//     mailbox that accepts on its own, or Google's Auto-Submitted proposal,
//     still answers the invitation. A calendar part of another method whose
//     ORGANIZER is not us (someone's invitation or cancellation, forwarded
//     or sent to us) is CalendarOther: it holds no answer of anyone's. One
//     whose ORGANIZER is us is our own invitation carried back in a reply,
//     and falls through to the next rules, so the person's words are read.
//     Outlook's winmail.dat (application/ms-tnef) is read too: a meeting
//     response in it is a CalendarReply (Calendar.TNEF), a meeting request
//     or cancellation CalendarOther; a TNEF message that is no meeting
//     (a note, a task) falls through to the text path.
//  4. AutoReply. Header evidence first: Auto-Submitted other than "no";
//     X-Autoreply and friends; the marks Exchange puts on mail it wrote
//     itself, such as an inbox rule's reply (X-MS-Exchange-Inbox-Rules-Loop,
//     X-MS-Exchange-Generated-Message-Source, X-MS-Exchange-Message-Is-Ndr);
//     Precedence bulk/junk/auto_reply; a non-delivery multipart/report such
//     as a read receipt or an abuse report; a null Return-Path; list
//     headers; a no-reply sender. Exchange headers that people's own
//     replies carry too (X-MS-Exchange-Transport-Rules-Loop, the
//     X-MS-Exchange-Organization-* family, X-Auto-Response-Suppress) are
//     not evidence. Then a subject that starts with an auto-reply phrase in
//     one of about twenty languages, for rules that send no headers at all.
//  5. Human: nothing above fired.
//
// Mailing lists need care: a person may answer us through a list, and
// Mailman stamps every post with "Precedence: list". The list headers
// (List-Id, List-Unsubscribe and the other RFC 2369 fields, Mailing-List)
// and "Precedence: list" are therefore treated alike: the message is list
// traffic (AutoReply) unless its In-Reply-To or References name a message
// we sent (or, when Options.IsOurs is nil, unless it has an In-Reply-To at
// all). "Precedence: bulk" and "junk" are never a person.
//
// Subject phrases are matched only at the very start of the subject, after
// nothing is stripped: auto-replies are not "Re:"-prefixed, while a
// person's reply is, so "Re: Out of office plans" stays Human. Phrases that
// a person might also open a subject with ("Out of office", "Away from my
// desk", "Abwesend", "不在"…) count only when followed by nothing, by
// punctuation, by a date or by a word such as "until"; so "Out of office
// until 3 June" is an auto-reply and "Out of office plans" is not. The body
// is never read for auto-reply phrases: a person may well write that they
// will be out of office.
//
// What this cannot see: an autoresponder that sends no header and a
// "Re:" subject ("Re: [Accord] 3/16") looks exactly like a person and is
// classified Human (Exchange's inbox rules give themselves away by the
// headers Exchange adds; other servers' rules may not); a fresh mail (not
// a reply) whose subject happens to read like a notice ("Out of office -
// can we move Tuesday?") is classified AutoReply. Both are rare next to
// the cost of reading bodies.
//
// Classify reads the envelope only; it does no I/O and does not panic on
// anything enmime can produce, however broken the MIME. It bounds the
// work per message (parts visited, bytes searched, Message-IDs checked),
// so hostile mail costs milliseconds, not seconds.
package classify

import (
	"slices"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"accord/mailin/tnef"
)

// Kind is what a message turned out to be; it decides what the caller may
// do with it.
type Kind string

// The kinds of inbound mail. The string values match the outcomes of the
// inbound log, except Human, which the router turns into an answer or a
// command.
const (
	// Human is a person's reply: route it and apply it.
	Human Kind = "human"
	// AutoReply is mail no person wrote as an answer: out-of-office notices,
	// autoresponders, read receipts, lists and bulk mail. Record and ignore
	// it; never answer it.
	AutoReply Kind = "auto-reply"
	// Bounce is a delivery status notification or a mailer-daemon report
	// about mail we sent; Result.DSN says which recipients failed.
	Bounce Kind = "bounce"
	// Loop is our own mail come back to us.
	Loop Kind = "loop"
	// CalendarReply is an iMIP REPLY (accepted, tentative or declined) to
	// an invitation, or a COUNTER proposing a new time; Result.Calendar
	// holds the calendar data.
	CalendarReply Kind = "calendar-reply"
	// CalendarOther is someone else's calendar message (an invitation, a
	// cancellation) rather than an answer to ours: no person's words to
	// read. The processor records it as ignored.
	CalendarOther Kind = "calendar-other"
)

// Failure is one recipient's entry in a delivery report.
type Failure struct {
	// Recipient is the address as we sent it: the DSN's Original-Recipient
	// when present, else its Final-Recipient, without the "rfc822;" type.
	// It may be empty when a non-standard bounce does not say.
	Recipient string
	// Action is the DSN action, lower case: "failed" or "delayed".
	Action string
	// Status is the enhanced status code, such as "5.1.1"; empty when the
	// report gave none.
	Status string
	// Diagnostic is the remote server's explanation on one line, such as
	// "550 5.1.1 <dana@example.com>: Recipient address rejected".
	Diagnostic string
}

// DSN is what a bounce tells us about the mail that bounced.
type DSN struct {
	// Failures lists the recipients that failed or are delayed; recipients
	// reported as delivered, relayed or expanded are left out.
	Failures []Failure
	// OriginalMessageID is the Message-ID of the mail that bounced, in angle
	// brackets, taken from the returned headers; empty when not returned.
	OriginalMessageID string
	// Permanent is true when some failure has a 5.x.x status (or an SMTP 5xx
	// reply), or when a report says the mail failed for good without giving
	// a code. A 4.x.x "delayed" report is not permanent.
	Permanent bool
}

// Calendar is the calendar part of a calendar reply.
type Calendar struct {
	// Method is the iTIP method, upper case: "REPLY" or "COUNTER".
	Method string
	// Data is the part's content as received, after transfer decoding;
	// nil when the answer came in TNEF.
	Data []byte
	// TNEF is the meeting response read from Outlook's winmail.dat, when
	// that is where the answer is; Data is nil then.
	TNEF *tnef.Message
}

// Result is the verdict on one message.
type Result struct {
	// Kind is what the message is.
	Kind Kind
	// Reason names the rule that fired, short enough for a log line and the
	// inbound log. It is built from fixed words and sanitised tokens only.
	Reason string
	// DSN is set for Bounce.
	DSN *DSN
	// Calendar is set for CalendarReply.
	Calendar *Calendar
}

// Options tells Classify what is ours.
type Options struct {
	// ServiceAddresses are our mailbox addresses; mail From any of them,
	// with or without a +tag, is our own come back.
	ServiceAddresses []string
	// IsOurs reports whether a Message-ID (with angle brackets) is one we
	// sent. Nil means we cannot tell, which weakens the loop and
	// mailing-list rules (see the package documentation).
	IsOurs func(messageID string) bool
}

// Classify decides what env is, applying the rules in the order described
// in the package documentation. A nil envelope is reported as Human with a
// reason saying so; the router will find nothing to route in it.
func Classify(env *enmime.Envelope, opts Options) Result {
	if env == nil {
		return Result{Kind: Human, Reason: "no message"}
	}
	m := newMessage(env, opts)
	if r, ok := m.loop(); ok {
		return r
	}
	if r, ok := m.bounce(); ok {
		return r
	}
	if r, ok := m.calendarReply(); ok {
		return r
	}
	if r, ok := m.autoReply(); ok {
		return r
	}
	return Result{Kind: Human, Reason: "no sign of machine mail"}
}

// message is an envelope with the bits every rule needs worked out once.
type message struct {
	env      *enmime.Envelope
	opts     Options
	parts    []*enmime.Part
	fromName string // display name, folded
	fromAddr string // address, lower case
	subject  string // decoded and folded
	ours     []string
}

func newMessage(env *enmime.Envelope, opts Options) *message {
	m := &message{env: env, opts: opts, parts: walkParts(env)}
	name, addr := fromAddress(env)
	m.fromName = fold(name)
	m.fromAddr = strings.ToLower(addr)
	m.subject = fold(limit(env.GetHeader("Subject"), maxSubject))
	for _, a := range opts.ServiceAddresses {
		if c := canonAddress(a); c != "" {
			m.ours = append(m.ours, c)
		}
	}
	return m
}

// header returns the first value of a top-level header, decoded.
func (m *message) header(name string) string {
	return strings.TrimSpace(m.env.GetHeader(name))
}

// hasHeader reports whether a top-level header is present with a value.
func (m *message) hasHeader(name string) bool {
	return m.header(name) != ""
}

// isService reports whether addr is one of our service addresses.
func (m *message) isService(addr string) bool {
	c := canonAddress(addr)
	return c != "" && slices.Contains(m.ours, c)
}

// isOurs asks Options.IsOurs about a Message-ID, treating nil as "no".
func (m *message) isOurs(id string) bool {
	return id != "" && m.opts.IsOurs != nil && m.opts.IsOurs(id)
}

func (m *message) loop() (Result, bool) {
	if m.isService(m.fromAddr) {
		return Result{Kind: Loop, Reason: "loop: From is our service address"}, true
	}
	if m.isOurs(messageID(m.header("Message-ID"))) {
		return Result{Kind: Loop, Reason: "loop: Message-ID is one we sent"}, true
	}
	return Result{}, false
}
