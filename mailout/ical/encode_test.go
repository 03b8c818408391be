package ical

import (
	"bytes"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"accord/mailout/mailtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	prodID = "-//Accord//Accord invitations//EN"
	uid    = "5c0f3a8e-9b21-4d7e-8f6a-1e2d3c4b5a69@accord.example.com"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

var (
	organizer = Address{Name: "Accord", Email: "accord@example.com"}
	dana      = Attendee{Name: "Dana Lee", Email: "dana@example.com", RSVP: true}
	sam       = Attendee{Name: "Sam Ortiz", Email: "sam@example.com", RSVP: true}
)

// goldenCase is one message of the golden set, with what the external
// validator needs to check it.
type goldenCase struct {
	name     string
	cal      Calendar
	previous string     // golden file this one updates or cancels, if any
	dst      *dstSeries // a series whose local time must survive a DST change
}

// dstSeries names a stretch of a series that crosses a DST change.
type dstSeries struct {
	after string // first day, as the validator's --after takes it
	zone  string
	clock string // wall time every occurrence must keep, "15:04"
}

// goldenCases builds the messages Accord sends over the life of a series.
func goldenCases(t testing.TB) []goldenCase {
	berlin, newYork, tokyo, london, sydney := mustZone(t, "Europe/Berlin"), mustZone(t, "America/New_York"),
		mustZone(t, "Asia/Tokyo"), mustZone(t, "Europe/London"), mustZone(t, "Australia/Sydney")

	weekly := Event{
		UID:         uid,
		Stamp:       time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Start:       time.Date(2026, 12, 1, 9, 0, 0, 0, berlin),
		Duration:    30 * time.Minute,
		Summary:     "1:1 Dana Lee / Sam Ortiz",
		Description: "Your weekly one-to-one.\nAgenda: what went well, what got in the way; next steps.",
		Location:    "Video call",
		Organizer:   organizer,
		Attendees:   []Attendee{dana, sam},
		Status:      StatusConfirmed,
		Recurrence:  &Rule{Interval: 1, Weekday: time.Tuesday},
	}

	movedSeries := weekly
	movedSeries.Sequence = 1
	movedSeries.Stamp = time.Date(2026, 12, 10, 8, 30, 0, 0, time.UTC)
	movedSeries.Start = time.Date(2026, 12, 15, 10, 0, 0, 0, berlin)

	movedOne := weekly
	movedOne.Sequence = 1
	movedOne.Stamp = time.Date(2027, 1, 5, 16, 0, 0, 0, time.UTC)
	movedOne.Recurrence = nil
	movedOne.RecurrenceID = time.Date(2027, 1, 12, 9, 0, 0, 0, berlin)
	movedOne.Start = time.Date(2027, 1, 13, 14, 0, 0, 0, berlin)

	cancelledOne := weekly
	cancelledOne.Sequence = 1
	cancelledOne.Stamp = time.Date(2027, 1, 6, 7, 45, 0, 0, time.UTC)
	cancelledOne.Recurrence = nil
	cancelledOne.RecurrenceID = time.Date(2027, 1, 19, 9, 0, 0, 0, berlin)
	cancelledOne.Start = cancelledOne.RecurrenceID
	cancelledOne.Status = StatusCancelled

	cancelledSeries := movedSeries
	cancelledSeries.Sequence = 2
	cancelledSeries.Stamp = time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	cancelledSeries.Status = StatusCancelled

	fortnightly := Event{
		UID:         "9d4e2b7c-0a13-4f58-b6c9-7e8d1f2a3b4c@accord.example.com",
		Stamp:       time.Date(2026, 12, 20, 15, 0, 0, 0, time.UTC),
		Start:       time.Date(2027, 1, 7, 10, 0, 0, 0, newYork),
		Duration:    45 * time.Minute,
		Summary:     "1:1 Alex Kim / Jordan Reyes",
		Description: "Every other Thursday.",
		Organizer:   organizer,
		Attendees: []Attendee{
			{Name: "Alex Kim", Email: "alex@example.org", RSVP: true},
			{Name: "Jordan Reyes", Email: "jordan@example.org", RSVP: true},
		},
		Status:     StatusConfirmed,
		Recurrence: &Rule{Interval: 2, Weekday: time.Thursday, Until: time.Date(2027, 12, 31, 23, 59, 59, 0, newYork)},
		ExDates:    []time.Time{time.Date(2027, 2, 4, 10, 0, 0, 0, newYork)},
	}

	unicode := Event{
		UID:      "e3b1c9a2-77d4-4c0e-a5f6-2b8c9d0e1f23@accord.example.com",
		Stamp:    time.Date(2026, 12, 22, 1, 2, 3, 0, time.UTC),
		Start:    time.Date(2027, 1, 11, 10, 0, 0, 0, tokyo),
		Duration: time.Hour,
		Summary:  "1:1 山田 太郎 / Zoë Ångström-Øre 🤝",
		Description: "毎週の1on1です。議題：うまくいったこと、障害になったこと、次の一歩。" +
			"Wöchentliches Gespräch über Ziele, Rückmeldungen und nächste Schritte — bitte Notizen vorab ergänzen. " +
			"🤝🌏📅 Danke schön! ¡Nos vemos pronto! Ça marche.",
		Location:   "会議室 3F, Tōkyō",
		Organizer:  Address{Name: "Accord – Einladungen", Email: "accord@example.com"},
		Attendees:  []Attendee{{Name: "山田 太郎", Email: "yamada@example.jp", RSVP: true}, {Name: "Zoë Ångström-Øre", Email: "zoe@example.com", RSVP: true}},
		Status:     StatusTentative,
		Recurrence: &Rule{Weekday: time.Monday},
	}

	punctuation := Event{
		UID:         "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d@accord.example.com",
		Stamp:       time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC),
		Start:       time.Date(2027, 3, 29, 9, 0, 0, 0, london),
		Duration:    25 * time.Minute,
		Summary:     "1:1 with Dana; weekly, 30 min",
		Description: `Notes live in C:\shared\1on1; bring questions, ideas, worries.`,
		Organizer:   Address{Name: "Accord: 1:1 scheduler", Email: "accord@example.com"},
		Attendees: []Attendee{
			{Name: `Lee, Dana "DJ"`, Email: "dana@example.com", RSVP: true},
			{Name: "Ortiz; Sam", Email: "sam@example.com", RSVP: true},
		},
		Status: StatusConfirmed,
	}

	southern := Event{
		UID:        "4f5e6d7c-8b9a-4a1b-9c2d-3e4f5a6b7c8d@accord.example.com",
		Stamp:      time.Date(2027, 2, 20, 23, 0, 0, 0, time.UTC),
		Start:      time.Date(2027, 3, 3, 16, 0, 0, 0, sydney),
		Duration:   30 * time.Minute,
		Summary:    "1:1 Priya Shah / Tom Nguyen",
		Organizer:  organizer,
		Attendees:  []Attendee{{Name: "Priya Shah", Email: "priya@example.com.au", RSVP: true}, {Name: "Tom Nguyen", Email: "tom@example.com.au", RSVP: true}},
		Status:     StatusConfirmed,
		Recurrence: &Rule{Interval: 1, Weekday: time.Wednesday},
	}

	request := func(zone *time.Location, e Event) Calendar {
		return Calendar{Method: "REQUEST", ProdID: prodID, Zone: zone, Events: []Event{e}}
	}
	cancel := func(zone *time.Location, e Event) Calendar {
		return Calendar{Method: "CANCEL", ProdID: prodID, Zone: zone, Events: []Event{e}}
	}
	return []goldenCase{
		{name: "weekly-berlin.ics", cal: request(berlin, weekly), dst: &dstSeries{after: "2027-03-20", zone: "Europe/Berlin", clock: "09:00"}},
		{name: "moved-series.ics", cal: request(berlin, movedSeries), previous: "weekly-berlin.ics", dst: &dstSeries{after: "2027-03-20", zone: "Europe/Berlin", clock: "10:00"}},
		{name: "moved-occurrence.ics", cal: request(berlin, movedOne), previous: "weekly-berlin.ics"},
		{name: "cancelled-occurrence.ics", cal: cancel(berlin, cancelledOne), previous: "weekly-berlin.ics"},
		{name: "cancelled-series.ics", cal: cancel(berlin, cancelledSeries), previous: "moved-series.ics"},
		{name: "fortnightly-new-york.ics", cal: request(newYork, fortnightly), dst: &dstSeries{after: "2027-03-01", zone: "America/New_York", clock: "10:00"}},
		{name: "weekly-sydney.ics", cal: request(sydney, southern), dst: &dstSeries{after: "2027-03-25", zone: "Australia/Sydney", clock: "16:00"}},
		{name: "unicode-tokyo.ics", cal: request(tokyo, unicode)},
		{name: "punctuation-london.ics", cal: request(london, punctuation)},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	mailtest.Golden(t, name, got, *update)
}

// checkPhysicalLines holds output to the encoding rules every client
// relies on: CRLF only, at most 75 octets a line, no fold inside a UTF-8
// sequence, no empty continuation.
func checkPhysicalLines(t *testing.T, name string, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Errorf("%s does not end with CRLF", name)
	}
	if n, m := bytes.Count(data, []byte("\n")), bytes.Count(data, []byte("\r\n")); n != m || bytes.Count(data, []byte("\r")) != m {
		t.Errorf("%s has a bare CR or LF", name)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		switch {
		case len(line) > maxLineOctets:
			t.Errorf("%s line %d has %d octets: %q", name, i+1, len(line), line)
		case !utf8.ValidString(line):
			t.Errorf("%s line %d splits a UTF-8 character: %q", name, i+1, line)
		case line == "" || line == " " || line == "\t":
			t.Errorf("%s line %d is empty or an empty continuation", name, i+1)
		}
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases(t) {
		got, err := tc.cal.Encode()
		if err != nil {
			t.Fatalf("%s: Encode() = %v", tc.name, err)
		}
		golden(t, tc.name, got)
		checkPhysicalLines(t, tc.name, got)
		if _, err := Parse(got); err != nil {
			t.Errorf("%s: Parse(Encode()) = %v", tc.name, err)
		}
		// No DURATION (DTEND instead), no COUNT, and no UTC or floating
		// DTSTART, DTEND, RECURRENCE-ID or EXDATE in the events.
		events := got[bytes.Index(got, []byte("BEGIN:VEVENT")):]
		for _, bad := range []string{"\r\nDURATION", "COUNT=", "\r\nDTSTART:", "\r\nDTEND:", "\r\nRECURRENCE-ID:", "\r\nEXDATE:"} {
			if bytes.Contains(events, []byte(bad)) {
				t.Errorf("%s contains %q", tc.name, bad)
			}
		}
		if n := bytes.Count(got, []byte("BEGIN:VTIMEZONE")); n != 1 {
			t.Errorf("%s has %d VTIMEZONEs, want 1", tc.name, n)
		}
		if bytes.Index(got, []byte("END:VTIMEZONE")) > bytes.Index(got, []byte("BEGIN:VEVENT")) {
			t.Errorf("%s: VTIMEZONE does not come before the VEVENT", tc.name)
		}
	}
}

// TestGoldenContent pins the lines that the rules in the package comment
// are about, so a regenerated golden file cannot quietly lose them.
func TestGoldenContent(t *testing.T) {
	t.Parallel()
	cases := map[string]goldenCase{}
	for _, tc := range goldenCases(t) {
		cases[tc.name] = tc
	}
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"weekly-berlin.ics", []string{
			"METHOD:REQUEST", "VERSION:2.0", "PRODID:-//Accord//Accord invitations//EN", "SEQUENCE:0",
			"DTSTAMP:20261120T100000Z", "DTSTART;TZID=Europe/Berlin:20261201T090000", "DTEND;TZID=Europe/Berlin:20261201T093000",
			"RRULE:FREQ=WEEKLY;BYDAY=TU", "STATUS:CONFIRMED",
			"ORGANIZER;CN=\"Accord\":mailto:accord@example.com",
			"ATTENDEE;CN=\"Dana Lee\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dana@example.com",
			`DESCRIPTION:Your weekly one-to-one.\nAgenda: what went well\, what got in the way\; next steps.`,
		}},
		{"moved-series.ics", []string{"SEQUENCE:1", "DTSTART;TZID=Europe/Berlin:20261215T100000"}},
		{"moved-occurrence.ics", []string{"SEQUENCE:1", "RECURRENCE-ID;TZID=Europe/Berlin:20270112T090000", "DTSTART;TZID=Europe/Berlin:20270113T140000"}},
		{"cancelled-occurrence.ics", []string{"METHOD:CANCEL", "SEQUENCE:1", "RECURRENCE-ID;TZID=Europe/Berlin:20270119T090000", "STATUS:CANCELLED"}},
		{"cancelled-series.ics", []string{"METHOD:CANCEL", "SEQUENCE:2", "STATUS:CANCELLED", "RRULE:FREQ=WEEKLY;BYDAY=TU"}},
		{"fortnightly-new-york.ics", []string{
			"DTSTART;TZID=America/New_York:20270107T100000", "DTEND;TZID=America/New_York:20270107T104500",
			"RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20280101T045959Z;BYDAY=TH",
			"EXDATE;TZID=America/New_York:20270204T100000",
		}},
		{"punctuation-london.ics", []string{
			`SUMMARY:1:1 with Dana\; weekly\, 30 min`,
			`DESCRIPTION:Notes live in C:\\shared\\1on1\; bring questions\, ideas\, worries.`,
			`ORGANIZER;CN="Accord: 1:1 scheduler":mailto:accord@example.com`,
			`ATTENDEE;CN="Lee, Dana 'DJ'";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dana@example.com`,
			`ATTENDEE;CN="Ortiz; Sam";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:sam@example.com`,
		}},
		{"unicode-tokyo.ics", []string{"STATUS:TENTATIVE", "TZOFFSETTO:+0900"}},
	} {
		cal := cases[tc.file].cal
		got, err := cal.Encode()
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		lines, skipped := unfold(string(got))
		if skipped != 0 {
			t.Fatalf("%s: %d continuation lines with nothing to continue", tc.file, skipped)
		}
		var all strings.Builder
		for _, l := range lines {
			all.WriteString("\n" + l.text)
		}
		all.WriteString("\n")
		for _, line := range tc.want {
			if !strings.Contains(all.String(), "\n"+line+"\n") {
				t.Errorf("%s lacks the line %q", tc.file, line)
			}
		}
	}
}

// TestRoundTrip reads every golden message back and finds what was put in.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases(t) {
		data, err := tc.cal.Encode()
		if err != nil {
			t.Fatal(err)
		}
		cal, err := Parse(data)
		if err != nil {
			t.Fatalf("Parse(%s) = %v", tc.name, err)
		}
		zones := newZoneResolver(cal)
		events := cal.Children("VEVENT")
		if len(events) != len(tc.cal.Events) {
			t.Fatalf("%s: %d VEVENTs, want %d", tc.name, len(events), len(tc.cal.Events))
		}
		for i, ev := range events {
			want := tc.cal.Events[i]
			if got := ev.Prop("UID").Text(); got != want.UID {
				t.Errorf("%s: UID = %q, want %q", tc.name, got, want.UID)
			}
			if got := ev.Prop("SEQUENCE").Value; got != fmt.Sprint(want.Sequence) {
				t.Errorf("%s: SEQUENCE = %q, want %d", tc.name, got, want.Sequence)
			}
			for _, f := range []struct {
				prop string
				want time.Time
			}{{"DTSTART", want.Start}, {"DTSTAMP", want.Stamp}, {"RECURRENCE-ID", want.RecurrenceID}} {
				p := ev.Prop(f.prop)
				if p == nil {
					if !f.want.IsZero() {
						t.Errorf("%s: no %s", tc.name, f.prop)
					}
					continue
				}
				got, err := zones.dateTime(p)
				if err != nil || !got.Equal(f.want) {
					t.Errorf("%s: %s = %v, %v, want %v", tc.name, f.prop, got, err, f.want)
				}
			}
			for prop, want := range map[string]string{"SUMMARY": want.Summary, "DESCRIPTION": want.Description, "LOCATION": want.Location} {
				if p := ev.Prop(prop); want != "" && (p == nil || p.Text() != want) {
					t.Errorf("%s: %s = %v, want %q", tc.name, prop, p, want)
				}
			}
		}
	}
}

func TestStartIsWrittenInTheCalendarZone(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	for _, tc := range []struct {
		start time.Time
		want  string
	}{
		{time.Date(2027, 1, 5, 8, 0, 0, 0, time.UTC), "DTSTART;TZID=Europe/Berlin:20270105T090000"},
		{time.Date(2027, 7, 6, 8, 0, 0, 0, time.UTC), "DTSTART;TZID=Europe/Berlin:20270706T100000"},
		{time.Date(2027, 1, 5, 3, 0, 0, 0, mustZone(t, "America/New_York")), "DTSTART;TZID=Europe/Berlin:20270105T090000"},
		{time.Date(2027, 1, 5, 9, 0, 0, 999, berlin), "DTSTART;TZID=Europe/Berlin:20270105T090000"},
	} {
		e := Event{UID: uid, Stamp: tc.start, Start: tc.start, Duration: time.Hour, Summary: "x", Organizer: organizer, Attendees: []Attendee{dana}}
		data, err := (&Calendar{Method: "request", ProdID: prodID, Zone: berlin, Events: []Event{e}}).Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("\r\n"+tc.want+"\r\n")) {
			t.Errorf("Encode(Start %v) lacks %q:\n%s", tc.start, tc.want, data)
		}
		if !bytes.Contains(data, []byte("\r\nMETHOD:REQUEST\r\n")) {
			t.Errorf("Encode(Method %q) did not upper-case METHOD", "request")
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	tuesday := time.Date(2027, 1, 5, 9, 0, 0, 0, berlin)
	base := func() Event {
		return Event{UID: uid, Stamp: tuesday, Start: tuesday, Duration: time.Hour, Summary: "1:1", Organizer: organizer, Attendees: []Attendee{dana}}
	}
	for _, tc := range []struct {
		name   string
		method string
		zone   *time.Location
		edit   func(*Event)
		want   string
	}{
		{"unknown method", "INVITE", berlin, func(*Event) {}, "not an iTIP method"},
		{"no zone", "REQUEST", nil, func(*Event) {}, "floating"},
		{"local zone", "REQUEST", time.Local, func(*Event) {}, "portable name"},
		{"no UID", "REQUEST", berlin, func(e *Event) { e.UID = " " }, "UID is empty"},
		{"no stamp", "REQUEST", berlin, func(e *Event) { e.Stamp = time.Time{} }, "DTSTAMP"},
		{"no start", "REQUEST", berlin, func(e *Event) { e.Start = time.Time{} }, "DTSTART is zero"},
		{"negative duration", "REQUEST", berlin, func(e *Event) { e.Duration = -time.Minute }, "negative"},
		{"no summary", "REQUEST", berlin, func(e *Event) { e.Summary = "" }, "SUMMARY"},
		{"no attendee", "REQUEST", berlin, func(e *Event) { e.Attendees = nil }, "ATTENDEE"},
		{"no organizer", "CANCEL", berlin, func(e *Event) { e.Organizer = Address{} }, "ORGANIZER"},
		{"bad email", "REQUEST", berlin, func(e *Event) { e.Attendees = []Attendee{{Email: "dana at example.com"}} }, "not an email address"},
		{"header injection", "REQUEST", berlin, func(e *Event) { e.Attendees = []Attendee{{Email: "a@b.c\r\nX:y"}} }, "not an email address"},
		{"bad role", "REQUEST", berlin, func(e *Event) { e.Attendees = []Attendee{{Email: "a@b.c", Role: "CHAIR;X=1"}} }, "not a token"},
		{"cancelled request", "REQUEST", berlin, func(e *Event) { e.Status = "cancelled" }, "STATUS:CANCELLED"},
		{"confirmed cancel", "CANCEL", berlin, func(e *Event) { e.Status = StatusConfirmed }, "carries STATUS:CANCELLED"},
		{"odd status", "PUBLISH", berlin, func(e *Event) { e.Status = "DONE" }, "not CONFIRMED"},
		{"wrong weekday", "REQUEST", berlin, func(e *Event) { e.Recurrence = &Rule{Weekday: time.Monday} }, "must be an occurrence"},
		{"until before start", "REQUEST", berlin, func(e *Event) {
			e.Recurrence = &Rule{Weekday: time.Tuesday, Until: tuesday.AddDate(0, 0, -1)}
		}, "UNTIL"},
		{"exdate off the series", "REQUEST", berlin, func(e *Event) {
			e.Recurrence = &Rule{Interval: 2, Weekday: time.Tuesday}
			e.ExDates = []time.Time{tuesday.AddDate(0, 0, 7)}
		}, "EXDATE"},
		{"exdate at another hour", "REQUEST", berlin, func(e *Event) {
			e.Recurrence = &Rule{Weekday: time.Tuesday}
			e.ExDates = []time.Time{tuesday.AddDate(0, 0, 7).Add(time.Hour)}
		}, "EXDATE"},
		{"exdate without rule", "REQUEST", berlin, func(e *Event) { e.ExDates = []time.Time{tuesday} }, "EXDATE"},
		{"override with rule", "REQUEST", berlin, func(e *Event) {
			e.Recurrence = &Rule{Weekday: time.Tuesday}
			e.RecurrenceID = tuesday
		}, "RRULE"},
		{"irregular zone", "REQUEST", mustZone(t, "Africa/Casablanca"), func(e *Event) {}, "Casablanca"},
	} {
		e := base()
		tc.edit(&e)
		_, err := (&Calendar{Method: tc.method, ProdID: prodID, Zone: tc.zone, Events: []Event{e}}).Encode()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Encode() = %v, want an error about %q", tc.name, err, tc.want)
		}
	}
	two := []Event{base(), base()}
	two[1].UID = "another-uid-0000000000@accord.example.com"
	if _, err := (&Calendar{Method: "REQUEST", ProdID: prodID, Zone: berlin, Events: two}).Encode(); err == nil {
		t.Errorf("Encode(two UIDs) = nil, want an error")
	}
	if _, err := (&Calendar{Method: "REQUEST", ProdID: " ", Zone: berlin, Events: two[:1]}).Encode(); err == nil {
		t.Errorf("Encode(no PRODID) = nil, want an error")
	}
}

func TestEscapeText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b`, `a\\b`},
		{"a;b,c", `a\;b\,c`},
		{"one\ntwo\r\nthree\rfour", `one\ntwo\nthree\nfour`},
		{"1:1 with Dana", "1:1 with Dana"},
		{`say "hi"`, `say "hi"`},
		{"bell\a nul\x00 del\x7f tab\t", "bell nul del tab\t"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
	} {
		if got := escapeText(tc.in); got != tc.want {
			t.Errorf("escapeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
		clean := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(cleanText(tc.in))
		if got := unescapeText(escapeText(tc.in)); got != clean {
			t.Errorf("unescapeText(escapeText(%q)) = %q, want %q", tc.in, got, clean)
		}
	}
}

func TestParamValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		always bool
		want   string
	}{
		{"Dana", false, "Dana"},
		{"Dana", true, `"Dana"`},
		{"1:1 with Dana", false, `"1:1 with Dana"`},
		{"Lee, Dana", false, `"Lee, Dana"`},
		{"a;b", false, `"a;b"`},
		{`Dana "DJ" Lee`, false, `Dana 'DJ' Lee`},
		{"two\nlines\x01", false, "two lines"},
	} {
		if got := paramValue(tc.in, tc.always); got != tc.want {
			t.Errorf("paramValue(%q, %v) = %q, want %q", tc.in, tc.always, got, tc.want)
		}
	}
}

// TestFold checks folding at octet limits with multi-octet characters on
// and around the boundary, and that unfolding gives the line back.
func TestFold(t *testing.T) {
	t.Parallel()
	emoji := "🤝" // 4 octets
	var cases []string
	for pad := 68; pad <= 76; pad++ {
		// The emoji starts at every offset around the 75-octet limit.
		cases = append(cases, strings.Repeat("a", pad)+emoji+strings.Repeat("b", 80))
	}
	cases = append(cases,
		"SHORT:x",
		strings.Repeat("x", 75),
		strings.Repeat("x", 76),
		"SUMMARY:"+strings.Repeat("é", 100),
		"SUMMARY:"+strings.Repeat("日本語", 60),
		"SUMMARY:"+strings.Repeat(emoji, 70),
		strings.Repeat("a", 73)+emoji+emoji+" "+strings.Repeat(emoji, 19)+"z",
	)
	for _, line := range cases {
		var b strings.Builder
		fold(&b, line)
		out := b.String()
		checkPhysicalLines(t, fmt.Sprintf("fold(%.20q…)", line), []byte(out))
		lines, skipped := unfold(out)
		if skipped != 0 || len(lines) != 1 || lines[0].text != line {
			t.Errorf("unfold(fold(%q)) = %v, %d skipped, want the line back", line, lines, skipped)
		}
	}
	// An emoji that would straddle octet 75 moves whole to the next line.
	var b strings.Builder
	line := strings.Repeat("a", 73) + emoji + "tail"
	fold(&b, line)
	if want := strings.Repeat("a", 73) + "\r\n " + emoji + "tail\r\n"; b.String() != want {
		t.Errorf("fold(%q) = %q, want %q", line, b.String(), want)
	}
}

// TestCancelDefaultsToCancelled: a CANCEL that names no status still
// carries STATUS:CANCELLED, without which clients read it as uninviting
// the listed attendees.
func TestCancelDefaultsToCancelled(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	start := time.Date(2027, 1, 5, 9, 0, 0, 0, berlin)
	e := Event{UID: uid, Sequence: 1, Stamp: start, Start: start, Organizer: organizer, Attendees: []Attendee{dana}}
	data, err := (&Calendar{Method: "CANCEL", ProdID: prodID, Zone: berlin, Events: []Event{e}}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\r\nMETHOD:CANCEL\r\n", "\r\nSTATUS:CANCELLED\r\n", "\r\nSEQUENCE:1\r\n"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("Encode(CANCEL) lacks %q:\n%s", want, data)
		}
	}
	if bytes.Contains(data, []byte("DTEND")) || bytes.Contains(data, []byte("DURATION")) {
		t.Errorf("Encode(Duration 0) wrote an end:\n%s", data)
	}
}
