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
)

// Person is a simulated participant: who they are, how their mail
// client writes replies (Compose), and, for the demo's pair, what they
// answer.
type Person struct {
	Name, Email, Zone string
	Signature         string
	loc               *time.Location
	answers           []string
	// react decides what to do with a question mail: reply text and how
	// long after receiving it, and the style of the reply.
	react func(q Message) []Reply
}

// NewPerson is someone who writes from a mail client in UTC and answers
// nothing by themselves: what the end-to-end tests reply as, with
// Compose, through real mail servers.
func NewPerson(name, email, signature string) *Person {
	return &Person{Name: name, Email: email, Zone: "UTC", Signature: signature, loc: time.UTC}
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
}

// The answers, in the person's own voice, one per default question.
var danaAnswers = []string{
	"We already trust each other with the hard calls. When something goes sideways we talk the same day instead of waiting for the next one-on-one.",
	"Sam notices what others miss and says it kindly. The way you walked the new hire through the outage review was the best onboarding I have seen here.",
	"I coach my daughter's football team on Saturdays, so I am slow on chat at weekends. I am an early riser and do my best thinking before nine.",
	"This year I have to ship the new billing platform without burning the team out. If we miss it, the whole product roadmap slips by a quarter.",
	"My first manager gave me problems, not tasks, and trusted me to come back with a plan. She always asked what I needed before telling me what she needed.",
	"We would disagree openly in the room and still leave on the same side. Others would bring us problems early because they know we sort them out.",
	"Calm and candid. It should be safe to say 'I got this wrong' without it becoming a big deal.",
	"Honesty, craft, and looking after each other. I try to say no to work that would only look good in a slide deck.",
	"I set direction and clear obstacles; you own the technical design of the payments service. We meet where design choices change what we promised other teams.",
	"Tell me early when a date is at risk, even if you are not sure yet. I would rather hear a rough worry on Monday than a firm problem on Friday.",
	"I am good at seeing the whole board; I get impatient with long meetings. I want to get better at letting others finish their thought. You can help by telling me when I cut in.",
	"Short written updates over long calls. For anything urgent, call me; interrupt me whenever a customer is affected.",
	"When we disagree, let us each say what we would need to change our mind. If it gets heated, we take a walk and pick it up the next morning.",
	"A weekly one-on-one on Tuesday mornings with a shared list, and a short written note on Fridays about what moved.",
	"You can count on me to protect your focus time and to back your decisions in public. In the next months I will get you a second engineer and clear the release process.",
	"We will look at this agreement every quarter. Please point it out, kindly and directly, when I slip: a quick message the same day is perfect.",
}

var samAnswers = []string{
	"You give me room to decide, and you say clearly what matters most this quarter.",
	"You stay calm when things break, which keeps the rest of us calm. I also value that you credit the team in front of leadership.",
	"I play the cello in an amateur orchestra on Wednesday evenings. I am happy to share more over time.",
	"I want to lead the payments redesign and show I can run a project end to end. If it goes badly I worry I will be kept on maintenance work.",
	"A senior colleague at my last job met with me every week for a year and taught me to write design docs people actually read. What made it great was that she was honest about my weak spots.",
	"I would come to you with half-formed ideas without worrying. We would notice it because decisions happen faster and with fewer surprises.",
	"Relaxed but focused. I would like us to laugh a bit and still hold a high bar.",
	"Fairness and curiosity. I like to understand why before I agree to how.",
	"I own the design and the code quality of payments; you own priorities and the conversation with other teams. Together we cover the what and the how.",
	"Tell me the why behind priorities, and give me feedback while it is still fresh, not only at review time.",
	"I am strong at careful design and debugging. I want to get better at speaking up in large meetings; you could invite me to present once a month.",
	"Chat for quick things, a call for anything emotional. I like a heads-up before a meeting that has a hard topic.",
	"I would like us to name the problem, not the person, and to take a pause before answering when we are upset.",
	"Keep the weekly one-on-one, and let us keep a shared document of decisions so neither of us has to remember everything.",
	"You can count on me to raise risks early and to finish what I start. I commit to writing up the payments plan by the end of next month.",
	"A monthly check on our commitments in the one-on-one. Yes, please point out when I slip; tell me privately and directly.",
}

// SampleAnswers are what the demo's pair answer to the built-in
// questions, one per question in order: the lead's (Dana's) and the
// report's (Sam's). They read as people write, for tests that answer as
// people do.
func SampleAnswers() (lead, report []string) {
	return slices.Clone(danaAnswers), slices.Clone(samAnswers)
}

// samplePair returns the two simulated people.
func samplePair() (dana, sam *Person, err error) {
	dana = &Person{Name: "Dana Lee", Email: "dana.lee@example.com", Zone: "Europe/Berlin", answers: danaAnswers,
		Signature: "Dana Lee\nHead of Platform, Example Co.\n+49 30 555 0142"}
	sam = &Person{Name: "Sam Ortiz", Email: "sam.ortiz@example.com", Zone: "America/New_York", answers: samAnswers,
		Signature: "Sam Ortiz | Senior Engineer, Payments"}
	for _, p := range []*Person{dana, sam} {
		if p.loc, err = time.LoadLocation(p.Zone); err != nil {
			return nil, nil, err
		}
	}
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
			return reviewReply(q, danaReview, "gmail", time.Hour)
		}
		switch q.Kind {
		case "schedule-ask":
			// Her first choice is 04:00 for Sam and is refused; she
			// takes an afternoon slot instead.
			asked++
			if asked == 1 {
				return []Reply{{After: time.Hour, Style: "gmail", Text: "Tuesdays at 10 works for me. Let's keep it to half an hour."}}
			}
			return []Reply{{After: time.Hour, Style: "gmail", Text: "Tuesdays at 15:00 then, half an hour."}}
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
				return []Reply{{After: 2 * time.Hour, Style: "gmail", Text: "agree all"}}
			}
			if drafts > 1 {
				return nil
			}
			n := statementNumber(q.Body, "You can count on me to protect your focus time")
			if n == 0 {
				return nil
			}
			return []Reply{{After: 3 * time.Hour, Style: "gmail", Text: fmt.Sprintf("agree all\nchange %d: I protect your focus time and back your decisions in public.\nadd: We tell each other the same day when a date starts to slip.", n)}}
		case "prep":
			danaPreps++
			if danaPreps == 3 {
				return []Reply{{After: 2 * time.Hour, Style: "plain", Text: "skip this week"}}
			}
			return []Reply{{After: 2 * time.Hour, Style: "gmail", Text: danaPrep[(danaPreps-1)%len(danaPrep)]}}
		case "follow-up":
			followUps++
			return []Reply{{After: time.Hour, Style: "gmail", Text: danaFollowUp[(followUps-1)%len(danaFollowUp)]}}
		}
		if q.Number == 0 || (q.Kind == "reminder" && q.Number != 5) {
			return nil
		}
		a := dana.answers[q.Number-1]
		switch {
		case q.Number == 5 && !away:
			away = true
			return []Reply{{After: 2 * time.Minute, Style: "auto-reply",
				Text: "I am away at a conference until Thursday with little access to email. For anything urgent, please call the platform on-call."}}
		case q.Number == 2:
			return []Reply{{After: 90 * time.Minute, Style: "apple", Text: a}}
		case q.Number == 6 && !undone:
			// A half-finished answer sent by mistake, taken back with
			// undo within the grace, then the real one.
			undone = true
			return []Reply{
				{After: 2 * time.Hour, Style: "gmail", Text: "Honestly I am not sure yet, let me"},
				{After: 2*time.Hour + 3*time.Minute, Style: "plain", Text: "undo"},
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
	// What he last wrote tells him what the next notice is about, in
	// whatever language it comes.
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
			sentAt[r.Text] = q.Received.Add(r.After)
		}
		return replies
	}
	reactTo = func(q Message) []Reply {
		if q.Review {
			return reviewReply(q, samReview, "apple", 4*time.Hour)
		}
		switch q.Kind {
		case "calendar":
			return acceptInvitation(q, "outlook-calendar")
		case "draft":
			// He can sign every round as it stands, from his phone.
			return []Reply{{After: 5 * time.Hour, Style: "apple", Text: "Agree all"}}
		case "prep":
			samPreps++
			if samPreps == 2 {
				// Read in his own zone: 10:00 in New York.
				return []Reply{{After: 30 * time.Minute, Style: "plain", Text: "move to Thursday 10:00"}}
			}
			return []Reply{{After: 3 * time.Hour, Style: "gmail", Text: samPrep[(samPreps-1)%len(samPrep)]}}
		case "agenda", "follow-up", "declined", "ended", "schedule-ask":
			return nil
		case "help":
			// His slip is answered with "did you mean"; he sends the
			// command as meant.
			if answers(q, "paus 1 week") {
				return []Reply{{After: 10 * time.Minute, Style: "plain", Text: "pause 1 week"}}
			}
			return nil
		case "digest":
			// After the review he leaves, and confirms it.
			return []Reply{{After: 6 * time.Hour, Style: "plain", Text: "stop"}}
		}
		if q.Kind == "ack" && answers(q, "stop") && !confirmed {
			confirmed = true
			return []Reply{{After: time.Hour, Style: "plain", Text: "stop"}}
		}
		if q.Kind == "ack" && answers(q, "pause 1 week") {
			return []Reply{{After: 3 * 24 * time.Hour, Style: "plain", Text: "resume"}}
		}
		if q.Number == 0 || q.Kind == "reminder" {
			return nil
		}
		first := !seen[q.Number]
		seen[q.Number] = true
		switch {
		case q.Number == 4 && first:
			return []Reply{{After: time.Hour, Style: "plain", Text: "skip"}}
		case q.Number == 7 && first:
			return []Reply{{After: time.Hour, Style: "plain", Text: "paus 1 week"}}
		}
		return []Reply{{After: 3 * time.Hour, Style: "gmail", Text: sam.answers[q.Number-1]}}
	}
	return dana, sam, nil
}

// What the pair write around their check-ins: different every week, as
// their weeks are.
var (
	danaPrep = []string{
		"Working on: the billing migration plan. Finished: hiring for the two lead roles. Stuck: the vendor contract is still unsigned. From you: a view on whether we freeze releases in Q3.\n\nPriorities for the coming months: ship billing without burning the team out, and grow two people into leads.",
		"Working on: the quarterly planning draft. Finished: the vendor contract, at last. From you: your read on the on-call load before I present it.",
		"Working on: the offsite agenda. Finished: the Q3 roadmap review with finance. From you: two topics the team should really talk about at the offsite.",
		"Working on: next year's budget. Finished: the offsite. From you: what one thing would make your week easier.",
		"Working on: the hiring plan for the autumn. Finished: the budget draft. From you: whether you want to interview with me.",
	}
	samPrep = []string{
		"Finished the on-call handbook. Stuck on the flaky deploy tests; could use an hour of your time this week.\n\nHow I can help with your priorities: I can take the billing cut-over plan off your plate.",
		"Finished the deploy test plan. Working on: the payments retry bug. Need from you: a decision on whether we page at night for it.",
		"Finished the retry fix, shipped Monday. Working on: onboarding the new engineer. Need from you: nothing urgent, just a heads-up on the reorg rumours.",
		"Working on: the billing cut-over rehearsal. Stuck: test data from finance. Need from you: a nudge to the finance lead.",
		"Finished the cut-over rehearsal, two issues found. Working on: fixing them before the real run. Need from you: cover for me at Thursday's review.",
	}
	danaFollowUp = []string{
		"Decided: no release freeze in Q3.\nSam: draft the deploy test plan by Friday.\nDana: chase the vendor contract and share the hiring plan.",
		"Decided: we page at night only for failed payouts.\nSam: write the alert rule and the runbook entry.\nDana: tell support about the new rule.",
		"Decided: the new engineer pairs with Sam for two weeks.\nSam: set up the pairing schedule.\nDana: share what is known about the reorg by Wednesday.",
		"Decided: the cut-over rehearsal moves to next Thursday.\nSam: book the rehearsal and invite finance.\nDana: get the test data released.",
	}
)

// The pair's review answers, in the order of the review questions: the
// rating, whether they kept each statement, four reflections, then their
// commitments and accountability.
var (
	danaReview = []string{
		"4 — we raise risks earlier, and the Tuesday check-ins stuck.",
		"all yes, 2 partly, 11 no — the second engineer is still not hired",
		"We got faster at disagreeing well. The move of the billing cut-over was decided in one conversation instead of three.",
		"Fewer surprises for the team: people hear about changes from us together, not through the grapevine.",
		"I need more help with planning now that the team has grown, and earlier warnings from you when a date slips.",
		"Keep the Friday notes. Change: the check-in agenda should start with blockers. Add: a monthly hour on career growth.",
		"You can count on me to protect your focus time and to back your decisions in public.\nI will get you a second engineer and clear the release process.\nI will hold a monthly hour on your growth.",
		"keep",
	}
	samReview = []string{
		"Four. Better than I expected when we started.",
		"1-12 yes, 13 partly, the rest yes",
		"I bring half-formed ideas to you now, which I would not have done in the spring.",
		"The team sees us settle disagreements quickly, so they bring problems earlier too.",
		"I need more visibility into what leadership expects next year, so I can shape the payments roadmap.",
		"Keep the weekly check-ins. Change nothing about the written notes. Add: a heads-up before reorganisations.",
		"keep",
		"We look at the agreement every quarter and I say so the same day when something slips, in a short message.",
	}
)

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

// kind names a reply for its file: answer, auto-reply, calendar-reply, or
// the command.
func (r Reply) kind() string {
	switch r.Style {
	case "auto-reply":
		return "auto-reply"
	case "thunderbird-calendar", "outlook-calendar":
		return "calendar-reply"
	case "plain":
		cmd, _, _ := strings.Cut(r.Text, " ")
		return cmd
	}
	if r.draft() {
		return "draft-reply"
	}
	return "answer"
}

// draft reports whether the reply answers a draft of the agreement.
func (r Reply) draft() bool {
	return strings.HasPrefix(strings.ToLower(r.Text), "agree ")
}

// describe says, for the transcript, how the reply was written.
func (r Reply) describe() string {
	if r.draft() {
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
	body := "--demo-reply\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + p.Name + " has accepted this invitation.\r\n" +
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
	if r.kind() == "calendar-reply" {
		fmt.Fprintf(&h, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", "Accepted: "+q.Subject))
		return id, p.calendarReply(q, r, now, &h)
	}
	if r.Style == "auto-reply" {
		subject = "Automatic reply: " + q.Subject
		h.WriteString("Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n")
	} else {
		fmt.Fprintf(&h, "In-Reply-To: %s\r\nReferences: %s\r\n", q.MessageID, q.MessageID)
	}
	fmt.Fprintf(&h, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	sent := q.Received.In(p.loc)
	quoted := "> " + strings.ReplaceAll(strings.TrimRight(q.Body, "\n"), "\n", "\n> ")
	var body string
	switch r.Style {
	case "gmail":
		body = fmt.Sprintf("%s\n\n-- \n%s\n\nOn %s, Accord <%s> wrote:\n%s\n",
			r.Text, p.Signature, sent.Format("Mon, 2 Jan 2006 at 15:04"), strings.Trim(q.ReplyTo, "<>"), quoted)
	case "apple":
		body = fmt.Sprintf("%s\n\nSent from my iPhone\n\n> On %s, Accord <%s> wrote:\n>\n%s\n",
			r.Text, sent.Format("2 Jan 2006, at 15:04"), strings.Trim(q.ReplyTo, "<>"), quoted)
	case "thunderbird-bottom":
		body = fmt.Sprintf("On %s, Accord wrote:\n%s\n\n%s\n\n-- \n%s\n",
			sent.Format("02/01/2006 15:04"), quoted, r.Text, p.Signature)
	case "outlook-html":
		// Outlook sends its HTML quoted-printable: a paragraph longer than
		// a mail line may be (998 octets) is folded, not refused.
		fmt.Fprintf(&h, "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		page := fmt.Sprintf(`<html><head><meta charset="utf-8"></head><body><div>%s</div><div><br></div><div id="Signature">%s</div>`+
			`<hr><div id="divRplyFwdMsg"><b>From:</b> Accord &lt;%s&gt;<br><b>Sent:</b> %s<br><b>To:</b> %s<br><b>Subject:</b> %s</div>`+
			`<div>%s</div></body></html>`,
			html.EscapeString(r.Text), strings.ReplaceAll(html.EscapeString(p.Signature), "\n", "<br>"),
			html.EscapeString(strings.Trim(q.ReplyTo, "<>")), sent.Format("Monday, January 2, 2006 3:04 PM"),
			html.EscapeString(p.Name), html.EscapeString(q.Subject), strings.ReplaceAll(html.EscapeString(q.Body), "\n", "<br>"))
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
