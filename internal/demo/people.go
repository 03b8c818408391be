package demo

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"accord/conversation"
	"accord/templates"
)

// Person is a simulated participant: who they are, how their mail
// client writes replies (Compose), and, for the demo's pair, what they
// answer.
type Person struct {
	Name, Email, Zone string
	Signature         string
	loc               *time.Location
	answers           []string
	// lang is the language the person and their mail client write in,
	// and client the words the client writes around a reply.
	lang   string
	client *client
	// react decides what to do with a question mail: reply text and how
	// long after receiving it, and the style of the reply.
	react func(q Message) []Reply
}

// NewPerson is someone who writes from a mail client in UTC, in
// English, and answers nothing by themselves: what the end-to-end tests
// reply as, with Compose, through real mail servers.
func NewPerson(name, email, signature string) *Person {
	en := scripts[templates.DefaultLanguage]
	return &Person{Name: name, Email: email, Zone: "UTC", Signature: signature, loc: time.UTC, lang: en.lang, client: &en.Client}
}

// Message is a mail Accord sent, as the person reads it: what a reply to
// it quotes and answers.
type Message struct {
	Number, Reminder int
	Kind             string
	// Review marks a question of the periodic review; Number counts
	// within the review then.
	Review           bool
	Subject, ReplyTo string
	MessageID, Date  string
	Body             string // the plain-text part
	Received         time.Time
	// From is the sender (the service mailbox, where calendar replies go)
	// and Calendar the invitation's text/calendar part, if any.
	From     string
	Calendar string
}

// Reply is one mail a person sends: Text written in Style, After
// receiving the message it answers.
type Reply struct {
	After time.Duration
	// Style is the mail client and the way it writes: gmail, apple,
	// outlook-html, thunderbird-bottom (each quoting the message), plain
	// (the text alone), auto-reply, or thunderbird-calendar and
	// outlook-calendar (accepting an invitation; Text is the PARTSTAT).
	Style string
	Text  string
	// Kind names what the reply is, whatever language Text is in, for
	// the demo's files and transcript: the command it gives ("skip",
	// "pause"), or "draft-reply"; empty for an answer.
	Kind string
}

// SampleAnswers are what the demo's pair answer to the built-in
// questions in English, one per question in order: the lead's (Dana's)
// and the report's (Sam's). They read as people write, for tests that
// answer as people do.
func SampleAnswers() (lead, report []string) {
	en := scripts[templates.DefaultLanguage]
	return slices.Clone(en.Dana.Answers), slices.Clone(en.Sam.Answers)
}

// samplePair returns the two simulated people, writing in lang (English
// for a language they have no words in).
func samplePair(lang string) (dana, sam *Person, err error) {
	sc := scriptIn(lang)
	dana = &Person{Name: "Dana Lee", Email: "dana.lee@example.com", Zone: "Europe/Berlin", answers: sc.Dana.Answers,
		Signature: sc.Dana.Signature, lang: sc.lang, client: &sc.Client}
	sam = &Person{Name: "Sam Ortiz", Email: "sam.ortiz@example.com", Zone: "America/New_York", answers: sc.Sam.Answers,
		Signature: sc.Sam.Signature, lang: sc.lang, client: &sc.Client}
	for _, p := range []*Person{dana, sam} {
		if p.loc, err = time.LoadLocation(p.Zone); err != nil {
			return nil, nil, err
		}
	}
	dw, sw := sc.Dana, sc.Sam
	// Dana answers within a couple of hours, in a different mail client
	// from time to time. She is away when question 5 arrives: her
	// out-of-office reply must be ignored, and she answers the reminder.
	// She takes back a half-written answer with undo, and answers the
	// question when it comes again.
	away, undone, reviewing := false, false, false
	danaPreps, asked, followUps, drafts := 0, 0, 0, 0
	dana.react = func(q Message) []Reply {
		if q.Kind == string(conversation.MsgReviewOpen) {
			reviewing = true
		}
		if q.Review {
			return reviewReply(q, dw.Review, "gmail", time.Hour)
		}
		switch q.Kind {
		case "schedule-ask":
			// Her first choice is 04:00 for Sam and is refused; she
			// takes an afternoon slot instead.
			asked++
			return []Reply{{After: time.Hour, Style: "gmail", Text: dw.Schedule[min(asked, len(dw.Schedule))-1]}}
		case "calendar":
			return acceptInvitation(q, "thunderbird-calendar")
		case "draft":
			// In the first round she sharpens one of her statements and
			// adds one; later rounds need nothing from her.
			drafts++
			if q.Reminder > 0 {
				return nil
			}
			if reviewing {
				// At the review she signs the statements as they stand.
				return []Reply{{After: 2 * time.Hour, Style: "gmail", Kind: "draft-reply", Text: dw.Commands.AgreeAll}}
			}
			if drafts > 1 {
				return nil
			}
			n := statementNumber(q.Body, dw.Draft.Find)
			if n == 0 {
				return nil
			}
			return []Reply{{After: 3 * time.Hour, Style: "gmail", Kind: "draft-reply", Text: strings.ReplaceAll(dw.Draft.Reply, "{n}", strconv.Itoa(n))}}
		case "prep":
			danaPreps++
			if danaPreps == 3 {
				return []Reply{{After: 2 * time.Hour, Style: "plain", Kind: "skip", Text: dw.Commands.SkipWeek}}
			}
			return []Reply{{After: 2 * time.Hour, Style: "gmail", Text: dw.Prep[(danaPreps-1)%len(dw.Prep)]}}
		case "follow-up":
			followUps++
			return []Reply{{After: time.Hour, Style: "gmail", Text: dw.FollowUp[(followUps-1)%len(dw.FollowUp)]}}
		}
		if q.Number == 0 || (q.Kind == "reminder" && q.Number != 5) {
			return nil
		}
		a := dana.answers[q.Number-1]
		switch {
		case q.Number == 5 && !away:
			away = true
			return []Reply{{After: 2 * time.Minute, Style: "auto-reply", Text: dw.OutOfOffice}}
		case q.Number == 2:
			return []Reply{{After: 90 * time.Minute, Style: "apple", Text: a}}
		case q.Number == 6 && !undone:
			// A half-finished answer sent by mistake, taken back with
			// undo within the grace, then the real one.
			undone = true
			return []Reply{
				{After: 2 * time.Hour, Style: "gmail", Text: dw.HalfAnswer},
				{After: 2*time.Hour + 3*time.Minute, Style: "plain", Kind: "undo", Text: dw.Commands.Undo},
			}
		case q.Number == 3:
			return []Reply{{After: 2 * time.Hour, Style: "outlook-html", Text: a}}
		case q.Number == 9:
			return []Reply{{After: 2 * time.Hour, Style: "thunderbird-bottom", Text: a}}
		}
		return []Reply{{After: 2 * time.Hour, Style: "gmail", Text: a}}
	}
	// Sam skips question 4 and pauses for a week at question 7 (with a
	// typo the first time), then comes back early with resume. He answers
	// before reminders come, and leaves after the review.
	seen := map[int]bool{}
	samPreps, confirmed := 0, false
	// A notice answers the command he sent at the moment it arrives:
	// that, not its words (in whatever language they come), tells him
	// what it is about.
	sentAt := map[string]time.Time{}
	answers := func(q Message, command string) bool {
		at, ok := sentAt[command]
		return ok && q.Received.Sub(at).Abs() < time.Minute
	}
	var reactTo func(q Message) []Reply
	sam.react = func(q Message) []Reply {
		replies := reactTo(q)
		for _, r := range replies {
			sentAt[r.kind()] = q.Received.Add(r.After)
		}
		return replies
	}
	reactTo = func(q Message) []Reply {
		if q.Review {
			return reviewReply(q, sw.Review, "apple", 4*time.Hour)
		}
		switch q.Kind {
		case "calendar":
			return acceptInvitation(q, "outlook-calendar")
		case "draft":
			// He can sign every round as it stands, from his phone.
			return []Reply{{After: 5 * time.Hour, Style: "apple", Kind: "draft-reply", Text: sw.Commands.AgreeAll}}
		case "prep":
			samPreps++
			if samPreps == 2 {
				// Read in his own zone: 10:00 in New York.
				return []Reply{{After: 30 * time.Minute, Style: "plain", Kind: "move", Text: sw.Commands.Move}}
			}
			return []Reply{{After: 3 * time.Hour, Style: "gmail", Text: sw.Prep[(samPreps-1)%len(sw.Prep)]}}
		case "agenda", "follow-up", "declined", "ended", "schedule-ask":
			return nil
		case "help":
			// His slip is answered with "did you mean"; he sends the
			// command as meant.
			if answers(q, "paus") {
				return []Reply{{After: 10 * time.Minute, Style: "plain", Kind: "pause", Text: sw.Commands.Pause}}
			}
			return nil
		case "digest":
			// After the review he leaves, and confirms it.
			return []Reply{{After: 6 * time.Hour, Style: "plain", Kind: "stop", Text: sw.Commands.Stop}}
		}
		if q.Kind == "ack" && answers(q, "stop") && !confirmed {
			confirmed = true
			return []Reply{{After: time.Hour, Style: "plain", Kind: "stop", Text: sw.Commands.Stop}}
		}
		if q.Kind == "ack" && answers(q, "pause") {
			return []Reply{{After: 3 * 24 * time.Hour, Style: "plain", Kind: "resume", Text: sw.Commands.Resume}}
		}
		if q.Number == 0 || q.Kind == "reminder" {
			return nil
		}
		first := !seen[q.Number]
		seen[q.Number] = true
		switch {
		case q.Number == 4 && first:
			return []Reply{{After: time.Hour, Style: "plain", Kind: "skip", Text: sw.Commands.Skip}}
		case q.Number == 7 && first:
			// The mistyped pause: its file is named for what he typed.
			return []Reply{{After: time.Hour, Style: "plain", Kind: "paus", Text: sw.Commands.Slip}}
		}
		return []Reply{{After: 3 * time.Hour, Style: "gmail", Text: sam.answers[q.Number-1]}}
	}
	return dana, sam, nil
}

// statementNumber finds the number of the draft statement holding words
// (a person's own, never translated) in a draft mail's text, whatever
// the language around them, or 0.
func statementNumber(body, words string) int {
	for _, l := range strings.Split(body, "\n") {
		num, rest, ok := strings.Cut(strings.TrimSpace(l), ". ")
		if n, err := strconv.Atoi(num); ok && err == nil && strings.Contains(rest, words) {
			return n
		}
	}
	return 0
}

// reviewReply answers review question q.Number from a person's list; a
// reminder needs no answer of its own.
func reviewReply(q Message, answers []string, style string, after time.Duration) []Reply {
	if q.Kind == "reminder" || q.Number < 1 || q.Number > len(answers) {
		return nil
	}
	return []Reply{{After: after, Style: style, Text: answers[q.Number-1]}}
}

// acceptInvitation accepts a new invitation from the person's calendar;
// updates and cancellations need no answer.
func acceptInvitation(q Message, style string) []Reply {
	if !strings.Contains(q.Calendar, "METHOD:REQUEST") || !strings.Contains(q.Calendar, "SEQUENCE:0\r\n") {
		return nil
	}
	return []Reply{{After: 20 * time.Minute, Style: style, Text: "ACCEPTED"}}
}

// kind names a reply for its file: answer, auto-reply, calendar-reply,
// draft-reply, or the command.
func (r Reply) kind() string {
	switch r.Style {
	case "auto-reply":
		return "auto-reply"
	case "thunderbird-calendar", "outlook-calendar":
		return "calendar-reply"
	}
	if r.Kind != "" {
		return r.Kind
	}
	return "answer"
}

// describe says, for the transcript, how the reply was written.
func (r Reply) describe() string {
	if r.Kind == "draft-reply" {
		return fmt.Sprintf("reply to the draft: %q", strings.ReplaceAll(r.Text, "\n", " / "))
	}
	switch r.Style {
	case "gmail":
		return "answer, top-posted above the quoted question, with signature"
	case "apple":
		return "answer from a phone, top-posted"
	case "outlook-html":
		return "answer in HTML only, top-posted"
	case "thunderbird-bottom":
		return "answer, bottom-posted below the quote"
	case "auto-reply":
		return "out-of-office auto-reply"
	case "thunderbird-calendar":
		return "accepts the invitation in Thunderbird"
	case "outlook-calendar":
		return "accepts the invitation in Outlook"
	}
	return fmt.Sprintf("%q", r.Text)
}

// calendarReply writes the iTIP REPLY a calendar sends when the person
// accepts: a short text with the calendar as an alternative; Outlook
// writes MAILTO in capitals.
func (p *Person) calendarReply(q Message, r Reply, now time.Time, h *bytes.Buffer) []byte {
	// The event's own properties, not those of the time zone before it.
	_, event, _ := strings.Cut(q.Calendar, "BEGIN:VEVENT\r\n")
	field := func(name string) string {
		for _, l := range strings.Split(event, "\r\n") {
			if strings.HasPrefix(l, name) {
				return l
			}
		}
		return ""
	}
	organizer := q.From
	if a, err := mail.ParseAddress(q.From); err == nil {
		organizer = a.Address
	}
	mailto := "mailto:"
	if r.Style == "outlook-calendar" {
		mailto = "MAILTO:"
	}
	// Calendars copy the invitation's time zone, which its DTSTART names.
	zone := ""
	if i := strings.Index(q.Calendar, "BEGIN:VTIMEZONE\r\n"); i >= 0 {
		if j := strings.Index(q.Calendar[i:], "END:VTIMEZONE\r\n"); j >= 0 {
			zone = strings.TrimSuffix(q.Calendar[i:i+j+len("END:VTIMEZONE\r\n")], "\r\n")
		}
	}
	cal := strings.Join([]string{"BEGIN:VCALENDAR", "PRODID:-//Demo//" + r.Style + "//EN", "VERSION:2.0", "METHOD:REPLY", zone,
		"BEGIN:VEVENT", field("UID:"), field("SEQUENCE:"), "DTSTAMP:" + now.UTC().Format("20060102T150405Z"), field("DTSTART"),
		"ORGANIZER:mailto:" + organizer,
		"ATTENDEE;CN=\"" + p.Name + "\";PARTSTAT=" + r.Text + ":" + mailto + p.Email,
		"END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	h.WriteString("Content-Type: multipart/alternative; boundary=\"demo-reply\"\r\n\r\n")
	body := "--demo-reply\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + p.client.fill(p.client.AcceptedText, p.lang, now, p.Name, "") + "\r\n" +
		"--demo-reply\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n" + cal + "--demo-reply--\r\n"
	return append(h.Bytes(), body...)
}

// Compose writes a reply to q the way the person's mail client would: with
// the original quoted, an attribution line, a signature, in text or HTML,
// or as a calendar's answer to an invitation. It returns the reply's
// Message-ID and the whole message, sent at now.
func (p *Person) Compose(q Message, r Reply, now time.Time) (messageID string, raw []byte) {
	b := make([]byte, 8)
	rand.Read(b)
	id := fmt.Sprintf("<%s@mail.example.com>", hex.EncodeToString(b))
	to := q.ReplyTo
	if r.kind() == "calendar-reply" {
		to = q.From // calendars answer the organiser
	}
	var h bytes.Buffer
	fmt.Fprintf(&h, "From: %s\r\nTo: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
		(&mail.Address{Name: p.Name, Address: p.Email}).String(), to, now.In(p.loc).Format(time.RFC1123Z), id)
	subject := "Re: " + q.Subject
	if r.Style == "outlook-html" {
		subject = p.client.OutlookReply + q.Subject
	}
	if r.kind() == "calendar-reply" {
		fmt.Fprintf(&h, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", p.client.Accepted+q.Subject))
		return id, p.calendarReply(q, r, now, &h)
	}
	if r.Style == "auto-reply" {
		subject = p.client.AutoReply + q.Subject
		h.WriteString("Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n")
	} else {
		fmt.Fprintf(&h, "In-Reply-To: %s\r\nReferences: %s\r\n", q.MessageID, q.MessageID)
	}
	fmt.Fprintf(&h, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	// The attribution line names the question's sender and when it came,
	// in the person's zone and their client's language.
	sent := q.Received.In(p.loc)
	from := strings.Trim(q.ReplyTo, "<>")
	said := func(layout string) string { return p.client.fill(layout, p.lang, sent, "Accord", from) }
	quoted := "> " + strings.ReplaceAll(strings.TrimRight(q.Body, "\n"), "\n", "\n> ")
	var body string
	switch r.Style {
	case "gmail":
		body = fmt.Sprintf("%s\n\n-- \n%s\n\n%s\n%s\n", r.Text, p.Signature, said(p.client.GmailQuote), quoted)
	case "apple":
		body = fmt.Sprintf("%s\n\n%s\n\n> %s\n>\n%s\n", r.Text, p.client.AppleFooter, said(p.client.AppleQuote), quoted)
	case "thunderbird-bottom":
		body = fmt.Sprintf("%s\n%s\n\n%s\n\n-- \n%s\n", said(p.client.ThunderbirdQuote), quoted, r.Text, p.Signature)
	case "outlook-html":
		// Outlook sends its HTML quoted-printable: a paragraph longer than
		// a mail line may be (998 octets) is folded, not refused.
		fmt.Fprintf(&h, "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		c, esc := p.client, html.EscapeString
		page := fmt.Sprintf(`<html><head><meta charset="utf-8"></head><body><div>%s</div><div><br></div><div id="Signature">%s</div>`+
			`<hr><div id="divRplyFwdMsg"><b>%s</b> Accord &lt;%s&gt;<br><b>%s</b> %s<br><b>%s</b> %s<br><b>%s</b> %s</div>`+
			`<div>%s</div></body></html>`,
			esc(r.Text), strings.ReplaceAll(esc(p.Signature), "\n", "<br>"),
			esc(c.OutlookFrom), esc(from), esc(c.OutlookSent), esc(said(c.OutlookDate)),
			esc(c.OutlookTo), esc(p.Name), esc(c.OutlookSubject), esc(q.Subject), strings.ReplaceAll(esc(q.Body), "\n", "<br>"))
		// Writing to a bytes.Buffer cannot fail.
		qp := quotedprintable.NewWriter(&h)
		qp.Write([]byte(strings.ReplaceAll(page, "\n", "\r\n")))
		qp.Close()
		return id, h.Bytes()
	default:
		body = r.Text + "\n"
	}
	fmt.Fprintf(&h, "Content-Type: text/plain; charset=utf-8\r\n\r\n")
	return id, append(h.Bytes(), []byte(strings.ReplaceAll(body, "\n", "\r\n"))...)
}
