package mailin

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"accord/internal/corpus"
	"accord/mailin/classify"
	"accord/mailout/ical"
)

// The calendar corpus is real calendar mail written by Outlook, Exchange,
// Google, Apple, Thunderbird and others, kept outside the repository in
// shared/corpus/calendar (other projects' test data under their own
// licences, read in place, never copied here; provenance in its
// manifest.jsonl and SOURCES.md).

// calendarEntry is one line of the corpus's manifest.jsonl.
type calendarEntry struct {
	File     string   `json:"file"`
	Client   string   `json:"client"`
	Kind     string   `json:"kind"`
	Suspect  bool     `json:"suspect"`
	Methods  []string `json:"itip_methods"`
	PartStat []string `json:"partstat"`
}

// calendarFile is a corpus file as the poller would fetch it: a whole
// message; bare calendars and TNEF files are wrapped in one the way a
// client sends them.
type calendarFile struct {
	calendarEntry
	raw []byte
	// ics is the iCalendar text the file holds, when it holds it in the
	// clear (not inside TNEF): the expectations are read from it.
	ics string
}

func calendarCorpus(tb testing.TB) []calendarFile {
	tb.Helper()
	dir := corpus.Dir(tb, "calendar", "ACCORD_CALENDAR_CORPUS", corpus.Required())
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []calendarFile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e calendarEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatalf("manifest: %v", err)
		}
		data, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			tb.Fatal(err)
		}
		cf := calendarFile{calendarEntry: e}
		switch filepath.Ext(e.File) {
		case ".eml":
			cf.raw = data
			cf.ics = calendarText(data)
		case ".ics":
			cf.ics = string(data)
			method := "REQUEST"
			if len(e.Methods) > 0 {
				method = e.Methods[0]
			}
			cf.raw = wrapCalendar(string(data), method)
		case ".dat":
			cf.raw = wrapTNEF(data)
		case ".b64":
			dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
			if err != nil {
				tb.Fatalf("%s: %v", e.File, err)
			}
			cf.raw = wrapTNEF(dec)
		default:
			tb.Fatalf("%s: unknown kind of file", e.File)
		}
		out = append(out, cf)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) < 90 {
		tb.Fatalf("calendar corpus has %d files, expected about 100", len(out))
	}
	return out
}

// calendarText is the iCalendar objects in a message, one after the other
// (Google's inline part and invite.ics copy do not always name the
// attendee alike), or "" when they are only inside TNEF.
func calendarText(raw []byte) string {
	env, err := parseMessage(raw)
	if err != nil {
		return ""
	}
	var out []string
	for _, p := range append(append(env.Attachments, env.Inlines...), env.OtherParts...) {
		if c := string(p.Content); strings.Contains(c, "BEGIN:VCALENDAR") {
			out = append(out, c)
		}
	}
	return strings.Join(out, "\r\n")
}

// wrapCalendar makes the message a client sends with a bare calendar: a
// single text/calendar part, from the attendee who answers.
func wrapCalendar(ics, method string) []byte {
	from := "someone@example.org"
	if a := fileAttendees(ics); len(a) > 0 {
		from = a[0]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: Calendar\r\nMessage-ID: <corpus@example.org>\r\n", from, serviceAddress)
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=%s; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", method)
	b.WriteString(base64Lines([]byte(ics)))
	return b.Bytes()
}

// wrapTNEF makes the message Outlook sends with a winmail.dat.
func wrapTNEF(tnef []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <someone@example.org>\r\nTo: <%s>\r\nSubject: Meeting\r\nMessage-ID: <corpus@example.org>\r\n", serviceAddress)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n")
	b.WriteString("--b\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(base64Lines(tnef))
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

func base64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

var (
	attendeeLine = regexp.MustCompile(`(?im)^ATTENDEE[;:].*?mailto:([^\s;:"]+@[^\s;:"]+)`)
	uidLine      = regexp.MustCompile(`(?m)^UID[;:](?:[^:\r\n]*:)?(.*?)\r?$`)
)

// fileAttendees are the attendee addresses an iCalendar text names, read
// with a pattern over the unfolded text, not with the parser under test.
func fileAttendees(ics string) []string {
	var out []string
	for _, m := range attendeeLine.FindAllStringSubmatch(unfoldPlain(ics), -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

func fileUID(ics string) string {
	if m := uidLine.FindStringSubmatch(unfoldPlain(ics)); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

func unfoldPlain(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\n ", "")
	return strings.ReplaceAll(s, "\n\t", "")
}

// TestCalendarCorpus runs every file of the calendar corpus through the
// inbound path a reply takes (parse, classify, the calendar reader) and
// checks, from the file itself, what Accord makes of it.
func TestCalendarCorpus(t *testing.T) {
	t.Parallel()
	files := calendarCorpus(t)
	type tally struct{ n, ok int }
	figures := map[string]*tally{}
	count := func(group string, ok bool) {
		if figures[group] == nil {
			figures[group] = &tally{}
		}
		figures[group].n++
		if ok {
			figures[group].ok++
		}
	}
	for _, f := range files {
		env, err := parseMessage(f.raw)
		var c classify.Result
		if err == nil {
			c = classify.Classify(env, classify.Options{ServiceAddresses: []string{serviceAddress}})
		}
		outcome := string(c.Kind)
		if err != nil {
			outcome = "unreadable: " + err.Error()
		}
		group := strings.SplitN(f.Kind, "-", 2)[0]
		if strings.HasPrefix(f.Kind, "tnef") {
			group = "tnef"
		}
		switch {
		case f.Suspect:
			// Checked only to get an outcome, without a crash.
			t.Logf("%s (suspect): %s", f.File, outcome)
			continue
		case group == "reply":
			why := replyUnderstood(f, c)
			count("reply", why == "")
			if why != "" {
				t.Errorf("%s: REPLY not understood: %s", f.File, why)
			}
		case group == "counter":
			why := counterUnderstood(f, c)
			count("counter", why == "")
			if why != "" {
				t.Errorf("%s: COUNTER not read as a move request: %s", f.File, why)
			}
		case group == "tnef":
			why := tnefUnderstood(f, c)
			if meeting := !strings.Contains("tnef-note tnef-task tnef-appointment", f.Kind); meeting {
				count("tnef meeting", why == "")
			} else {
				count("tnef other", why == "")
			}
			if why != "" {
				t.Errorf("%s: %s", f.File, why)
			}
		default:
			if c.Kind == classify.CalendarReply {
				t.Errorf("%s: a %s is taken for a calendar reply", f.File, f.Kind)
			}
			if c.Kind == classify.Human {
				t.Errorf("%s: a %s is taken for a person's text", f.File, f.Kind)
			}
			if f.ics != "" {
				first, _, _ := strings.Cut(f.ics, "END:VCALENDAR")
				_, err := ical.Parse([]byte(first + "END:VCALENDAR\r\n"))
				count("request/cancel parsed", err == nil)
				if err != nil {
					t.Errorf("%s: %v", f.File, err)
				}
			}
		}
	}
	var groups []string
	for g := range figures {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		t.Logf("%s: %d of %d understood", g, figures[g].ok, figures[g].n)
	}
}

// replyUnderstood checks a REPLY file's outcome against the file: classified
// a calendar reply, read, with the attendee, PARTSTAT and UID the file
// names. It returns what is wrong, or "".
func replyUnderstood(f calendarFile, c classify.Result) string {
	if c.Kind != classify.CalendarReply {
		return fmt.Sprintf("classified %s (%s)", c.Kind, c.Reason)
	}
	replies, err := ical.ParseReply(c.Calendar.Data)
	if err != nil {
		return "calendar not read: " + err.Error()
	}
	attendees := fileAttendees(f.ics)
	for _, r := range replies {
		switch {
		case !slices.Contains(attendees, strings.ToLower(r.Attendee.Email)):
			return fmt.Sprintf("attendee %s, the file names %v", r.Attendee.Email, attendees)
		case !slices.Contains(f.PartStat, r.PartStat):
			return fmt.Sprintf("PARTSTAT %s, the file says %v", r.PartStat, f.PartStat)
		case r.UID != fileUID(f.ics):
			return fmt.Sprintf("UID %q, the file says %q", r.UID, fileUID(f.ics))
		}
	}
	if len(replies) == 0 {
		return "no answer in it"
	}
	if strings.Contains(f.ics, "TO-ALL-PROPOSED-NEW-TIME") && replies[0].Proposed.IsZero() {
		return "the proposed new time is not read"
	}
	return ""
}

// tnefUnderstood checks what an Outlook TNEF file becomes: a meeting
// response an accepted calendar answer with the meeting's id, a request or
// cancellation someone else's calendar message, anything else (a note, a
// task, an appointment) left to the text path as before. It returns what
// is wrong, or "".
func tnefUnderstood(f calendarFile, c classify.Result) string {
	switch f.Kind {
	case "tnef-reply-accepted":
		if c.Kind != classify.CalendarReply || c.Calendar.TNEF == nil {
			return fmt.Sprintf("meeting response classified %s (%s)", c.Kind, c.Reason)
		}
		if m := c.Calendar.TNEF; m.Response() != "ACCEPTED" || m.UID == "" {
			return fmt.Sprintf("meeting response read as %q for %q", m.Response(), m.UID)
		}
	case "tnef-request", "tnef-cancel":
		if c.Kind != classify.CalendarOther {
			return fmt.Sprintf("meeting %s classified %s (%s)", f.Kind, c.Kind, c.Reason)
		}
	default:
		if c.Kind != classify.Human {
			return fmt.Sprintf("%s classified %s (%s), not left to the text path", f.Kind, c.Kind, c.Reason)
		}
	}
	return ""
}

var dtstartUTC = regexp.MustCompile(`(?m)^DTSTART:(\d{8}T\d{6}Z)\r?$`)

// counterUnderstood checks a COUNTER file's outcome: classified a calendar
// answer, read as a COUNTER from the attendee the file names, proposing
// the start the file's DTSTART gives (read here by a pattern, in UTC as
// Google writes it). It returns what is wrong, or "".
func counterUnderstood(f calendarFile, c classify.Result) string {
	if c.Kind != classify.CalendarReply {
		return fmt.Sprintf("classified %s (%s)", c.Kind, c.Reason)
	}
	replies, err := ical.ParseReply(c.Calendar.Data)
	if err != nil {
		return "calendar not read: " + err.Error()
	}
	m := dtstartUTC.FindStringSubmatch(unfoldPlain(f.ics))
	if m == nil {
		return "the file has no UTC DTSTART to check against"
	}
	want, err := time.Parse("20060102T150405Z", m[1])
	if err != nil {
		return err.Error()
	}
	for _, r := range replies {
		switch {
		case r.Method != "COUNTER":
			return "method " + r.Method
		case !r.Proposed.Equal(want):
			return fmt.Sprintf("proposes %v, the file %v", r.Proposed, want)
		case !slices.Contains(fileAttendees(f.ics), strings.ToLower(r.Attendee.Email)):
			return "attendee " + r.Attendee.Email
		}
	}
	return ""
}
