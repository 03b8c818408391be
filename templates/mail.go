package templates

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"accord/conversation"
)

//go:embed mail/*/text/*.tmpl mail/*/html/*.tmpl
var mailFiles embed.FS

// The kinds of mail there are templates for: every domain message kind, and
// the notices the inbound side sends.
const (
	MailWelcome         = "welcome"
	MailQuestion        = "question"
	MailReminder        = "reminder"
	MailWaiting         = "waiting"
	MailDraft           = "draft"
	MailAgreement       = "agreement"
	MailReceipt         = "receipt"
	MailAck             = "ack"
	MailHelp            = "help"
	MailPartnerLeft     = "partner-left"
	MailEnded           = "ended"
	MailUnreadable      = "unreadable"
	MailUnknownSender   = "unknown-sender"
	MailAmbiguous       = "ambiguous"
	MailTooLarge        = "too-large"
	MailCalendarAddress = "calendar-address"
	MailScheduleAsk     = "schedule-ask"
	MailCalendar        = "calendar"
	MailPrep            = "prep"
	MailAgenda          = "agenda"
	MailFollowUp        = "follow-up"
	MailDeclined        = "declined"
	MailReview          = "review"
	MailDigest          = "digest"
	MailExport          = "export"
	MailOverview        = "overview"
)

// MailKinds lists every kind, in the order a partnership meets them.
var MailKinds = []string{MailWelcome, MailQuestion, MailReminder, MailReceipt, MailAck, MailHelp,
	MailWaiting, MailDraft, MailAgreement, MailScheduleAsk, MailCalendar, MailPrep, MailAgenda, MailFollowUp, MailDeclined,
	MailReview, MailDigest, MailExport, MailPartnerLeft, MailEnded, MailUnreadable, MailUnknownSender, MailAmbiguous, MailTooLarge, MailCalendarAddress,
	MailOverview}

// View is everything a mail template may show. Mail adapters fill it from
// the domain; templates only format. Text fields are plain text: the HTML
// templates escape them.
type View struct {
	Kind string
	// Lang is the language the mail is written in (see Languages); empty
	// is English.
	Lang    string
	Service string // the service's display name, e.g. "Accord"
	// Address is the service address people write to.
	Address   string
	Recipient Person
	Partner   Person
	Peers     bool
	Question  *Question
	Reminder  int
	// LastReminder is set on the last reminder Accord sends for a question.
	LastReminder bool
	Resent       bool
	Notes        []Note
	Receipts     []Answer
	// UndoWithin is how long, in words, the recipient has to undo their
	// newest answer before their partner may see it ("10 minutes"); empty
	// when that time has passed or there is none.
	UndoWithin string
	Reveals    []Answer
	Agreement  *Agreement
	Progress   Progress
	// NextAt says, in the recipient's time, when their next question comes
	// ("Monday at 08:00"); empty when nothing is scheduled.
	NextAt string
	// ReviewOn is the date of the next agreement review, once there is one.
	ReviewOn string
	// Drafting is set while the two draft their agreement's statements.
	Drafting bool
	// OnDemand marks an agreement sent again at the person's request.
	OnDemand bool
	// AgreementLink is the recipient's own link to a read-only page of
	// their agreement and its history, good until AgreementLinkUntil (a
	// date in words); empty when the operator offers no such page.
	AgreementLink, AgreementLinkUntil string
	// Support is the operator's pointer to someone to talk to, if any.
	Support string
	// For notices about a message we received: its subject and sender,
	// and for one that was too large, the limit in words ("25 MB").
	Subject string
	From    string
	Limit   string
	// Checkin is the check-in a schedule question, invitation, prep,
	// agenda, follow-up or decline is about.
	Checkin *Checkin
	// Review is set on mail that belongs to a periodic review: its
	// questions, the waiting note, the digest.
	Review *Review
	// Digest is what a digest reports.
	Digest *Digest
	// Draft is the drafting round a draft mail shows.
	Draft *Draft
	// Attachment names the file an export carries.
	Attachment string
	// RejoinBy is the last day a partner who left may come back, in
	// words; set on partner-left mail.
	RejoinBy string
	// Overview is the weekly overview of a person in several
	// partnerships; Partner is then empty.
	Overview *Overview
}

// Review is where a mail stands in a periodic review.
type Review struct {
	Number int
	// Part is what the question asks for: rating, reflection or
	// commitment.
	Part string
	// Current is the recipient's words under the commitment a commitment
	// question is about, as the agreement has them now.
	Current string
	// ClosesOn is the day the review closes with what there is.
	ClosesOn string
	// Statements are what the "did we keep this?" question rates: the
	// statements of the version under review, under their themes.
	Statements []AgreedGroup
}

// KeptTitle is the title of the review question that asks, statement by
// statement, whether the two kept their agreement, in lang.
func KeptTitle(lang string) string { return word(lang, "kept-title", nil) }

// Draft is one round of the drafting of an agreement, as one of the two
// sees it: the same numbered statements both get, with marks for what
// waits on the recipient.
type Draft struct {
	// Lang is the language of a draft rendered on its own (an export's);
	// in a mail, the mail's.
	Lang             string
	Round, MaxRounds int
	// Groups are the statements under their themes, in number order.
	Groups []DraftGroup
	// OpenForYou counts the statements that need the recipient's word;
	// WaitingForPartner those the recipient agrees to and the partner
	// does not yet.
	OpenForYou        int
	WaitingForPartner int
	// PartnerReplied says whether the partner has replied to this round.
	PartnerReplied bool
	// Review is the number of the review whose statements the draft
	// revises; 0 while drafting version 1.
	Review int
	// Example holds numbers of this draft for the reply commands the mail
	// shows, so that every example names a statement that exists.
	Example DraftExample
}

// DraftGroup is the statements of one theme; Theme is empty for the
// statements added while drafting.
type DraftGroup struct {
	Theme      string
	Statements []DraftStatement
}

// DraftStatement is one numbered statement of a draft.
type DraftStatement struct {
	Number int
	// Author is the first name of whoever wrote Text; Mine marks the
	// recipient's own words.
	Author string
	Text   string
	Mine   bool
	// Was holds the words a change in the last round replaced, WasAuthor
	// who wrote them and WasMine whether that was the recipient; Was is
	// empty when the words did not change.
	Was       string
	WasAuthor string
	WasMine   bool
	// DropProposed marks a statement someone proposed to drop: the
	// motion is then dropping it. DropByYou says the recipient proposed it.
	DropProposed bool
	DropByYou    bool
	// NeedsYou marks a statement waiting for the recipient's word;
	// AgreedByPartner one the partner agrees to as it stands.
	NeedsYou        bool
	AgreedByPartner bool
}

// DraftExample holds the numbers the reply examples use: Agree a list to
// agree to, Change and Drop one statement each, Keep a statement the
// partner proposed to drop (0 when there is none).
type DraftExample struct {
	Agree              []int
	Change, Drop, Keep int
}

// Digest sums up a quarter for the mail that closes a review.
type Digest struct {
	Number int
	// Version is the agreement version the review built.
	Version    int
	From, To   string
	Changes    []Change
	Amendments int
	Checkins   CheckinTally
	Prep       []PrepTally
	Trend      []TrendRow
	// Kept is, per review so far that rated statements, how many ratings
	// said kept, partly and not, oldest first.
	Kept []KeptRow
	// Missing names who did not finish the review in time, "" if nobody.
	Missing    string
	NextReview string
}

// KeptRow is one review's "did we keep this?" ratings, counted over both
// people; Date is the review's day in words, and the Percent fields each
// share of Ratings, for bars.
type KeptRow struct {
	Number, Yes, Partly, No, Unrated, Ratings int
	Date                                      string
	YesPercent, PartlyPercent, NoPercent      int
}

// Change is a commitment added, reworded or dropped, or a theme answer
// rewritten.
type Change struct {
	Kind string // added, changed, dropped
	// Number is the topic's number in the agreement; 0 when unknown.
	Number int
	Topic  string
	Name   string
	Before string
	After  string
}

// CheckinTally counts the check-ins of the quarter.
type CheckinTally struct {
	Scheduled               bool
	Held, Skipped, Declined int
}

// PrepTally is how often one person prepared.
type PrepTally struct {
	Name           string
	Asked, Written int
}

// TrendRow is one review's ratings, one bar per person.
type TrendRow struct {
	Label string // "Review 1, 2 July 2027"
	Bars  []Bar
}

// Bar is one rating drawn as a bar: Percent of the full width for the
// HTML table, Blocks for the text part, Score 0 when not given.
type Bar struct {
	Name    string
	Score   int
	Percent int
	Blocks  string
}

// Checkin is a check-in series and, for mail about one meeting, that
// meeting, with times in the recipient's zone.
type Checkin struct {
	// Schedule says when the pair meets, in words and in the recipient's
	// time: "every Tuesday at 10:00 for 30 minutes". Zone is the zone the
	// series is kept in (the lead's), set when it differs from the
	// recipient's; then Partner is the partner's first name, PartnerAt
	// the meeting in the partner's time ("15:00", or "Tuesday 15:00" when
	// the day differs) and Varies says the hour shifts for some weeks a
	// year, when clocks change on different days in the two places.
	Schedule  string
	Zone      string
	Partner   string
	PartnerAt string
	Varies    bool
	// PartnerZone, Apart, Ahead and Example are for the question of when
	// to meet, when the partner lives in another zone: their zone, how far
	// apart the two are in words ("6 hours"), whether the partner is ahead,
	// and one time in both ("10:00" for you is "04:00" for them).
	PartnerZone string
	Apart       string
	Ahead       bool
	Example     [2]string
	// Change is the calendar change a calendar mail carries: series (new
	// or changed), move-one, cancel-one, cancel-series; Paused marks a
	// series change that pauses it until PausedUntil.
	Change      string
	Paused      bool
	PausedUntil string
	// Sequence is the change's number; 0 for the first invitation.
	Sequence int
	// Next lists the coming meetings in the recipient's time, for a new
	// or changed series.
	Next []string
	// When is the meeting in the recipient's time ("Tuesday 16 March at
	// 10:00"), Was its time before a move; Length the length in words.
	// PartnerWhen is When in the partner's time, when their zone differs.
	When        string
	Was         string
	Length      string
	PartnerWhen string
	// Priorities marks a prep that also asks about the coming months.
	Priorities bool
	// Prep holds both people's prep notes for an agenda, the recipient's
	// first; ActionItems the decisions and action items of the meeting
	// before; Commitments the agreement's commitments.
	Prep        []CheckinNote
	ActionItems []CheckinNote
	Commitments []Topic
	// Who is the partner who declined, for a decline notice.
	Who string
}

// CheckinNote is what one person wrote before or after a meeting.
type CheckinNote struct {
	By   string
	Text string
}

// Person is one side of a partnership as mail addresses them.
type Person struct {
	Name  string
	First string
	Role  string // lead, report or peer
	// Described names the partner as the recipient sees them:
	// "Sam, who reports to you", "Dana, your manager", "Sam".
	Described string
}

// Question is the question a mail asks.
type Question struct {
	Number, Total int
	Title, Text   string
	Why           string
}

// Note acknowledges something the recipient or the organiser did.
type Note struct {
	Kind       string // skipped, paused, resumed, stopped, not-paused, auto-paused, unclear, did-you-mean, aside, earlier, undone, nothing-to-undo, undo-too-late, kept, rewritten, rewrite-unknown, rewrite-empty, rewrite-closed
	Until      string // end of a pause in words; empty when open-ended
	ByOperator bool
	Text       string // the command a did-you-mean suggests
	// Problem is why an unclear reply could not be acted on; the
	// problem templates word it.
	Problem *conversation.Problem
	// Answer is the answer a note about answers is about (its number,
	// title and words); Previous the words of the recipient's earlier
	// answer to the same question, if any; Current the question now
	// waiting for the recipient, if any.
	Answer   *Answer
	Previous string
	Current  *Answer
	// Seen marks an undone answer the partner had seen; Reopened an undo
	// that made the question the current one again.
	Seen, Reopened bool
	// Clash is set on a clash note, OffHours on an off-hours one.
	Clash    *Clash
	OffHours *OffHours
	// Number is the agreement topic a refused rewrite named; Topics, on
	// a note about a number no topic has, lists the numbered topics
	// (number and title).
	Number int
	Topics []Answer
	// Draft is set on a note about a reply to a draft round, DraftError
	// on one that refuses such a reply.
	Draft      *DraftNote
	DraftError *DraftError
	// Kept is set on a note that refuses a reply to "did we keep this?".
	Kept *KeptError
}

// KeptError is what was wrong with a reply to "did we keep this?": Kind
// is unreadable (Item the part at fault), unknown (Numbers the agreement
// does not have; it has Max), missing (Numbers unrated) or conflict
// (Numbers rated twice, differently).
type KeptError struct {
	Kind, Item string
	Numbers    []int
	Max        int
}

// DraftNote is where a reply to a draft round left the recipient: the
// round, how many statements still need their word, and whether it is
// the last round.
type DraftNote struct {
	Round, Open int
	Last        bool
}

// DraftError is what was wrong with a reply to a draft: Kind is one of
// unreadable, no-number, no-words, zero, backwards, conflict, nothing or
// unknown; Line the line at fault, clipped; Number the statement at
// fault; Max the draft's highest number; Suggestion what the line may
// have meant.
type DraftError struct {
	Kind       string
	Line       string
	Number     int
	Max        int
	Suggestion string
}

// Answer is a recorded answer shown in a mail: the recipient's own as a
// receipt, or the partner's when revealed.
type Answer struct {
	Number int
	Title  string
	Text   string
	By     string // first name of whoever wrote it
}

// Progress is how far the recipient is.
type Progress struct {
	Answered, Skipped, Total int
	Current                  int // number of the waiting question, 0 if none
}

// Agreement is an agreement version laid out for reading.
type Agreement struct {
	// Lang is the language of an agreement rendered on its own (a page, a
	// Markdown file); in a mail, the mail's.
	Lang           string
	Version        int
	Date           string
	ReviewOn       string
	Between        string // "Dana Lee and Sam Ortiz"
	Themes         []Theme
	Commitments    []Topic
	Accountability []Topic
	// Review is the review that built this version, with Changes what it
	// changed; nil for version 1.
	Review  *AgreementReview
	Changes []Change
	// Agreed are the statements both agreed to while drafting, under
	// their themes; empty for a version built without a draft.
	Agreed []AgreedGroup
	// Signed lists who signed, in the parties' order; Unsigned names who
	// has not ("Sam Ortiz", or both names joined), empty once both have.
	// YouSigned says whether the recipient has.
	Signed    []Signature
	Unsigned  string
	YouSigned bool
	// StillOpen counts statements left open when drafting ran out of
	// rounds.
	StillOpen int
}

// AgreedGroup is the agreed statements of one theme; Theme is empty for
// those added while drafting.
type AgreedGroup struct {
	Theme      string
	Statements []AgreedStatement
}

// AgreedStatement is one statement of an agreement, with the first name
// of its author.
type AgreedStatement struct {
	Number int
	Text   string
	Author string
}

// Signature is one party's signature: full name and the day, in the
// reader's time zone.
type Signature struct {
	Name string
	Date string
}

// AgreementReview is the dated review section of a version.
type AgreementReview struct {
	Number     int
	Date       string
	Missing    string
	Ratings    []Rating
	Topics     []Topic
	Amendments []Entry
	// Kept is how the two rated keeping the statements, when the version
	// under review had any.
	Kept *KeptSummary
}

// KeptSummary counts a review's "did we keep this?" ratings over both
// people, and lists the statements not rated kept by both.
type KeptSummary struct {
	Yes, Partly, No, Unrated int
	Lines                    []KeptLine
}

// KeptLine is one statement with each person's rating (yes, partly, no,
// or "" for none).
type KeptLine struct {
	Number  int
	Text    string
	Ratings []KeptBy
}

// KeptBy is one person's rating of a statement.
type KeptBy struct {
	Name, Kept string
}

// Rating is one person's 1–5 rating with their comment; Score 0 when they
// did not rate.
type Rating struct {
	Name    string
	Score   int
	Comment string
}

// Theme is an agreement heading with its topics.
type Theme struct {
	Title  string
	Topics []Topic
}

// Topic is one question with each person's answer.
type Topic struct {
	// Number is the question's place in the question set, the number a
	// rewrite names ("change 7: …"); 0 for review reflections.
	Number  int
	Title   string
	Entries []Entry
}

// Entry is one person's answer on a topic.
type Entry struct {
	Name    string
	Text    string
	Skipped bool
	// Dropped marks words a review took out.
	Dropped bool
}

// Rendered is a mail's subject and both bodies.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

var funcs = map[string]any{
	"quote":        quote,
	"add":          func(a, b int) int { return a + b },
	"numbered":     numbered,
	"rule":         rule,
	"sectionTitle": sectionHeading,
	"dict":         dict,
	"ranges":       ranges,
	"cmd":          shownCommand,
	"draftCmd":     shownCommand,
	"keptCmd":      shownCommand,
	"rewriteCmd":   shownCommand,
	"checkinCmd":   shownCommand,
}

// shownCommand writes a reply command a mail teaches, as it is to be
// typed: its words, and those of values such as a time, joined by
// spaces. The templates mark every command they show with cmd (a
// questionnaire command, read by conversation.ParseCommand) or checkinCmd
// (a check-in command, read by conversation.ParseCheckinCommand), draftCmd
// (a command of a reply to a draft, conversation.ParseDraftReply),
// keptCmd ("did we keep this?" ratings, conversation.ParseKept) or
// rewriteCmd (a rewrite during a review, conversation.ParseRewrites), so
// that a test can read each one, in every language, with the parser that
// will read the reply.
func shownCommand(words ...string) string { return strings.Join(words, " ") }

// ranges writes statement numbers the way a reply names them: runs of
// three or more as a range, "1-4, 6".
func ranges(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("%d-%d", ns[i], ns[j]))
		case j > i:
			parts = append(parts, fmt.Sprint(ns[i]), fmt.Sprint(ns[j]))
		default:
			parts = append(parts, fmt.Sprint(ns[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// dict passes several values to a partial: dict "N" note "V" view.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict needs key, value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// mailSet is the mail templates of one language: the plain-text and the
// HTML parts.
type mailSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// mailSets holds the mail templates of every language, from
// mail/<language>/text and mail/<language>/html.
var mailSets = parseLanguages(mailFiles, "mail/*/text/*.tmpl", func(lang, pattern string) mailSet {
	f := funcsIn(lang)
	return mailSet{
		text: texttemplate.Must(texttemplate.New("text").Funcs(f).ParseFS(mailFiles, pattern)),
		html: htmltemplate.Must(htmltemplate.New("html").Funcs(f).ParseFS(mailFiles, strings.Replace(pattern, "/text/", "/html/", 1))),
	}
})

// funcsIn is the template functions with those that word something bound
// to lang.
func funcsIn(lang string) map[string]any {
	f := make(map[string]any, len(funcs)+1)
	for k, v := range funcs {
		f[k] = v
	}
	f["problem"] = func(p conversation.Problem) (string, error) { return ProblemTextIn(lang, p) }
	return f
}

// RenderMail renders the subject, plain-text and HTML bodies of a mail, in
// the language v.Lang names (English when Accord does not write it).
func RenderMail(v View) (Rendered, error) {
	set := mailSets.of(v.Lang)
	if set.text.Lookup(v.Kind+".text") == nil {
		return Rendered{}, fmt.Errorf("templates: no mail template for %q", v.Kind)
	}
	textTemplates, htmlTemplates := set.text, set.html
	var r Rendered
	var b bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&b, v.Kind+".subject", v); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s subject: %w", v.Kind, err)
	}
	r.Subject = oneLine(b.String())
	b.Reset()
	if err := textTemplates.ExecuteTemplate(&b, v.Kind+".text", v); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s text: %w", v.Kind, err)
	}
	r.Text = tidyText(b.String())
	b.Reset()
	if err := htmlTemplates.ExecuteTemplate(&b, v.Kind+".html", v); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s html: %w", v.Kind, err)
	}
	body := htmltemplate.HTML(b.String()) // produced by html/template, so escaped
	b.Reset()
	page := struct {
		View
		Title string
		Body  htmltemplate.HTML
	}{v, r.Subject, body}
	if err := htmlTemplates.ExecuteTemplate(&b, "layout", page); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s layout: %w", v.Kind, err)
	}
	r.HTML = b.String()
	return r, nil
}

var (
	controlChars = regexp.MustCompile(`[\x00-\x1f\x7f]+`)
	spaceRuns    = regexp.MustCompile(`[ \t]+`)
	blankRuns    = regexp.MustCompile(`\n{3,}`)
)

// oneLine makes a header-safe single line: control characters, CR and LF
// included, become spaces.
func oneLine(s string) string {
	return strings.TrimSpace(spaceRuns.ReplaceAllString(controlChars.ReplaceAllString(s, " "), " "))
}

// tidyText trims trailing spaces, collapses the blank lines template logic
// leaves behind, and wraps long lines, so templates can write a paragraph
// on one line whatever the length of the names in it.
func tidyText(s string) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l == "-- " { // the signature separator keeps its space
			out = append(out, l)
			continue
		}
		out = append(out, wrapLine(strings.TrimRight(l, " \t"))...)
	}
	s = blankRuns.ReplaceAllString(strings.Join(out, "\n"), "\n\n")
	return strings.TrimSpace(s) + "\n"
}

// textWidth is where plain-text lines wrap.
const textWidth = 72

// linePrefix matches what a wrapped line repeats on every continuation: an
// indent or quote bar, plus room under a list bullet.
var linePrefix = regexp.MustCompile(`^([ |>]*)(- )?`)

// wrapLine breaks a long line at spaces, repeating its indent (and
// indenting under a "- " bullet) on the lines it adds.
func wrapLine(line string) []string {
	if utf8.RuneCountInString(line) <= textWidth {
		return []string{line}
	}
	m := linePrefix.FindStringSubmatch(line)
	first, cont := m[0], m[1]+strings.Repeat(" ", len(m[2]))
	// Only ordinary spaces break a line: a no-break space (French puts
	// one before : ; ? ! and inside « ») keeps its words together.
	words := strings.FieldsFunc(line[len(first):], func(r rune) bool { return r == ' ' || r == '\t' })
	if len(words) == 0 {
		return []string{line}
	}
	var lines []string
	cur := first + words[0]
	for _, w := range words[1:] {
		if utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) > textWidth {
			lines = append(lines, cur)
			cur = cont + w
			continue
		}
		cur += " " + w
	}
	return append(lines, cur)
}

// numbered puts an agreement topic's number before a title ("7. How we
// communicate"), the number people name to rewrite it; a title without a
// number (0) stays as it is.
func numbered(n int, title string) string {
	if n == 0 {
		return title
	}
	return fmt.Sprintf("%d. %s", n, title)
}

// sectionHeading is the heading of an agreement section: numbered with its
// topic's number when the section has a single topic, as each topic is
// numbered on its own line when there are several.
func sectionHeading(title string, topics []Topic) string {
	if len(topics) == 1 {
		return numbered(topics[0].Number, title)
	}
	return title
}

// rule underlines a plain-text heading.
func rule(heading string) string {
	return strings.Repeat("-", utf8.RuneCountInString(heading))
}

// quote sets someone's words apart with a bar in front of every line.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("  | "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// Clash is a check-in time refused because it overlaps another check-in.
type Clash struct {
	// Mine is set when the overlap is the recipient's own; With and At
	// (their other check-in, in words) are given only then: a partner's
	// other meetings are theirs.
	Mine bool
	With string
	At   string
	// Free is the nearest free schedule ("every Tuesday at 10:30"), or
	// FreeAt the nearest free time that day ("10:30"); empty when none
	// was found.
	Free   string
	FreeAt string
}

// OffHours is a check-in time refused because it falls outside someone's
// working hours (their quiet hours, in their own zone).
type OffHours struct {
	// Mine is set when it is the recipient's own hours; otherwise Who is
	// the partner's first name.
	Mine bool
	Who  string
	// Date is the meeting's day and Yours its time, in the recipient's
	// zone; Theirs its time in Who's.
	Date, Yours, Theirs string
	// From and To bound the start times that suit both that day, in the
	// recipient's time; empty when none do.
	From, To string
}
