package mailout

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/mailout/ical"
	"accord/templates"
)

// calendarSamples are the samples that carry a calendar, in the order the
// pair received them: each later one updates the one before.
var calendarSamples = []string{
	"calendar-invitation", "calendar-moved-one", "calendar-skipped", "calendar-paused",
	"calendar-series-moved", "calendar-cancelled",
}

// TestCalendarParts checks what every calendar mail carries: the method in
// the part's Content-Type and in the object, one UID for the whole series,
// SEQUENCE rising and DTSTAMP growing from one message to the next.
func TestCalendarParts(t *testing.T) {
	t.Parallel()
	byName := map[string]Sample{}
	for _, s := range samples(t) {
		byName[s.Name] = s
	}
	wantMethod := map[string]string{
		"calendar-invitation": "REQUEST", "calendar-moved-one": "REQUEST", "calendar-skipped": "CANCEL",
		"calendar-paused": "REQUEST", "calendar-series-moved": "REQUEST", "calendar-cancelled": "CANCEL",
	}
	r := fixedRenderer()
	lastSeq, lastStamp := -1, ""
	for _, name := range calendarSamples {
		s, ok := byName[name]
		if !ok {
			t.Fatalf("no sample %s", name)
		}
		_, raw, err := r.Render(s.Letter)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ct, cal := calendarPart(t, name, raw)
		method := wantMethod[name]
		if !strings.Contains(ct, "method="+method) || !strings.Contains(cal, "\r\nMETHOD:"+method+"\r\n") {
			t.Errorf("%s: Content-Type %q, want method=%s in it and in the object", name, ct, method)
		}
		if !strings.Contains(cal, "UID:checkin-sample@accord.example.com\r\n") {
			t.Errorf("%s: the series UID is missing", name)
		}
		if !strings.Contains(cal, "ORGANIZER;CN=\"Accord\":mailto:accord@example.com\r\n") {
			t.Errorf("%s: ORGANIZER is not the service mailbox", name)
		}
		seq, stamp := field(cal, "SEQUENCE:"), field(cal, "DTSTAMP:")
		if n := atoi(seq); n <= lastSeq {
			t.Errorf("%s: SEQUENCE %s after %d, want it to rise", name, seq, lastSeq)
		} else {
			lastSeq = n
		}
		if stamp <= lastStamp {
			t.Errorf("%s: DTSTAMP %s after %s, want it to grow", name, stamp, lastStamp)
		}
		lastStamp = stamp
	}
}

// TestCalendarValidator runs the shared iMIP validator in strict mode on
// every calendar mail, each update and cancellation against the message
// before it. ACCORD_ICAL_CHECK names validate.sh; CI sets it.
func TestCalendarValidator(t *testing.T) {
	t.Parallel()
	validator := os.Getenv("ACCORD_ICAL_CHECK")
	if validator == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ACCORD_ICAL_CHECK is not set: CI must run the calendar validator")
		}
		t.Skip("ACCORD_ICAL_CHECK is not set; .ci/run sets it up")
	}
	for _, lang := range templates.Languages() {
		validateCalendars(t, validator, lang)
	}
}

// validateCalendars runs the validator on the calendar mail of the
// samples in lang.
func validateCalendars(t *testing.T, validator, lang string) {
	byName := map[string]Sample{}
	for _, s := range samplesIn(t, lang) {
		byName[s.Name] = s
	}
	dir := t.TempDir()
	r := fixedRenderer()
	prev := ""
	for _, name := range calendarSamples {
		_, raw, err := r.Render(byName[name].Letter)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".eml")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{path, "--strict", "--quiet"}
		if prev != "" {
			args = append(args, "--previous", prev)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(ctx, validator, args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("validate.sh %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		prev = path
	}
	// Every other sample that carries a calendar, updates checked against
	// the invitation of their own pair.
	previous := map[string]string{"calendar-moved-apart": "calendar-invitation-apart"}
	for _, s := range samplesIn(t, lang) {
		if len(s.Letter.Calendar) == 0 || slices.Contains(calendarSamples, s.Name) {
			continue
		}
		args := []string{write(t, dir, r, s), "--strict", "--quiet"}
		if p := previous[s.Name]; p != "" {
			args = append(args, "--previous", write(t, dir, r, byName[p]))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(ctx, validator, args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("validate.sh %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// write renders a sample into dir and returns the file's path.
func write(t *testing.T, dir string, r *Renderer, s Sample) string {
	t.Helper()
	_, raw, err := r.Render(s.Letter)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, s.Name+".eml")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// calendarPart returns the Content-Type and the decoded text/calendar part
// of a message.
func calendarPart(t *testing.T, name string, raw []byte) (string, string) {
	t.Helper()
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var found, copies []*enmime.Part
	for _, p := range append(append(env.OtherParts, env.Inlines...), env.Attachments...) {
		switch p.ContentType {
		case "text/calendar":
			found = append(found, p)
		case InviteContentType:
			copies = append(copies, p)
		}
	}
	if len(found) != 1 || len(copies) != 1 {
		t.Fatalf("%s: %d text/calendar parts and %d %s attachments, want 1 of each", name, len(found), len(copies), InviteContentType)
	}
	// Google's shape: the calendar is the last alternative, and the same
	// bytes are attached as invite.ics beside the alternative.
	cal, att := found[0], copies[0]
	if cal.Parent == nil || cal.Parent.ContentType != "multipart/alternative" || cal.Parent.Parent == nil || cal.Parent.Parent.ContentType != "multipart/mixed" {
		t.Errorf("%s: the text/calendar part is not an alternative inside multipart/mixed", name)
	}
	if att.FileName != InviteFileName || att.Disposition != "attachment" || att.Parent != cal.Parent.Parent {
		t.Errorf("%s: attachment %q (%s) beside the alternative, want %q", name, att.FileName, att.Disposition, InviteFileName)
	}
	if !bytes.Equal(att.Content, cal.Content) {
		t.Errorf("%s: the attached invite.ics differs from the inline calendar", name)
	}
	return cal.Header.Get("Content-Type"), string(cal.Content)
}

func field(cal, prefix string) string {
	for _, l := range strings.Split(cal, "\r\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	return ""
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestCalendarCancels checks what a cancellation names: a dropped meeting
// at the time it takes place (its moved time, if it was moved), and an
// ended series with each moved meeting still ahead, never one gone by.
func TestCalendarCancels(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	slot := func(day int) time.Time { return time.Date(2027, 1, day, 10, 0, 0, 0, berlin) }
	// Tuesdays at 10; the 12th was moved to the 13th (gone by at the
	// stamp), the 26th to the 28th and skipped, the 2nd of February to
	// the 4th (ahead).
	past := &conversation.Occurrence{Original: slot(12), Start: slot(13), State: conversation.OccMoved}
	skipped := &conversation.Occurrence{Original: slot(26), Start: slot(28), State: conversation.OccSkipped}
	ahead := &conversation.Occurrence{Original: time.Date(2027, 2, 2, 10, 0, 0, 0, berlin), Start: time.Date(2027, 2, 4, 15, 0, 0, 0, berlin), State: conversation.OccMoved}
	cs := &conversation.Series{UID: "checkin-t@accord.example.com", Zone: berlin, Start: slot(5), Sequence: 4,
		Schedule:    conversation.Schedule{Weekday: time.Tuesday, At: conversation.ClockTime(10 * 60), Length: 30 * time.Minute, Every: 1},
		Occurrences: []*conversation.Occurrence{past, skipped, ahead}}
	p := &conversation.Partnership{ID: 1, Checkin: cs, Participants: [2]*conversation.Participant{
		{ID: 1, Person: conversation.Person{Name: "Dana Lee", Email: "dana@example.com", Location: berlin}},
		{ID: 2, Person: conversation.Person{Name: "Sam Ortiz", Email: "sam@example.com", Location: berlin}},
	}}
	stamp := slot(20)
	for _, tc := range []struct {
		name  string
		c     conversation.CalendarChange
		wants [][2]string // RECURRENCE-ID, DTSTART of each VEVENT
	}{
		{"series", conversation.CalendarChange{Kind: conversation.CalCancelSeries, Series: cs, Stamp: stamp, Sequence: 5},
			[][2]string{{"", "20270105T100000"}, {"20270202T100000", "20270204T150000"}}},
		{"a moved meeting skipped", conversation.CalendarChange{Kind: conversation.CalCancelOne, Series: cs, Occurrence: skipped, Stamp: stamp, Sequence: 5},
			[][2]string{{"20270126T100000", "20270128T100000"}}},
	} {
		method, data, err := fixedRenderer().CalendarOf(p, &tc.c, templates.DefaultLanguage)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		cal, err := ical.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got [][2]string
		for _, ev := range cal.Children("VEVENT") {
			rid := ""
			if r := ev.Prop("RECURRENCE-ID"); r != nil {
				rid = r.Value
			}
			got = append(got, [2]string{rid, ev.Prop("DTSTART").Value})
			if s := ev.Prop("STATUS"); s == nil || s.Value != "CANCELLED" {
				t.Errorf("%s: an event without STATUS:CANCELLED", tc.name)
			}
		}
		if method != "CANCEL" || !slices.Equal(got, tc.wants) {
			t.Errorf("%s: %s with events %v, want CANCEL with %v", tc.name, method, got, tc.wants)
		}
	}
}
