package ical

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones the binary embeds, whatever the machine has
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "replies", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestParseReplyClients reads answers written the way the common clients
// write them.
func TestParseReplyClients(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want []Reply
	}{
		{"outlook.ics", []Reply{{
			Method: "REPLY", UID: uid, Stamp: utc("2026-11-20T11:32:05Z"),
			Attendee: Address{Name: "Sam Ortiz", Email: "sam@example.com"}, PartStat: "ACCEPTED",
			Comment: "Works for me, see you then.\n",
		}}},
		{"outlook-custom-zone.ics", []Reply{{
			Method: "REPLY", UID: uid, Stamp: utc("2027-03-10T07:11:00Z"),
			RecurrenceID: utc("2027-03-30T07:00:00Z"), // 09:00 in summer time (+02:00)
			Attendee:     Address{Name: "Dana Lee", Email: "dana@example.com"}, PartStat: "DECLINED",
			Organizer: Address{Name: "Accord", Email: "accord@example.com"},
			Comment:   "Bin an dem Tag im Urlaub.",
		}}},
		{"thunderbird.ics", []Reply{{
			Method: "REPLY", UID: uid, Stamp: utc("2026-11-20T10:22:33Z"),
			Attendee: Address{Name: "Dana Lee", Email: "dana@example.com"}, PartStat: "TENTATIVE",
			Organizer: Address{Name: "Accord", Email: "accord@example.com"},
		}}},
		{"thunderbird-series-and-occurrence.ics", []Reply{
			{
				Method: "REPLY", UID: uid, Sequence: 1, Stamp: utc("2027-01-04T08:00:00Z"),
				Attendee: Address{Name: "Sam Ortiz", Email: "sam@example.com"}, PartStat: "ACCEPTED",
				Organizer: Address{Name: "Accord", Email: "accord@example.com"},
			},
			{
				Method: "REPLY", UID: uid, Sequence: 1, Stamp: utc("2027-01-04T08:00:00Z"),
				RecurrenceID: utc("2027-01-12T08:00:00Z"),
				Attendee:     Address{Name: "Sam Ortiz", Email: "sam@example.com"}, PartStat: "DECLINED",
				Organizer: Address{Name: "Accord", Email: "accord@example.com"},
			},
		}},
		{"m365-occurrence-accepted.ics", []Reply{{
			Method: "REPLY", UID: "checkin-m365@accord.example.com", Sequence: 2, Stamp: utc("2027-03-01T08:15:12Z"),
			RecurrenceID: utc("2027-03-09T09:00:00Z"),
			Attendee:     Address{Name: "Ortiz, Sam", Email: "Sam.Ortiz@contoso.example"}, PartStat: "ACCEPTED",
		}}},
		{"m365-counter.ics", []Reply{{
			Method: "COUNTER", UID: "checkin-m365@accord.example.com", Sequence: 2, Stamp: utc("2027-03-01T08:20:04Z"),
			RecurrenceID: utc("2027-03-09T09:00:00Z"), Proposed: utc("2027-03-11T13:00:00Z"),
			Attendee: Address{Name: "Ortiz, Sam", Email: "Sam.Ortiz@contoso.example"}, PartStat: "TENTATIVE",
			Comment: "Could we do Thursday instead? Tuesday mornings are stand-up heavy this month.\n",
		}}},
		{"ios-proposed-time.ics", []Reply{{
			Method: "REPLY", UID: "checkin-m365@accord.example.com", Sequence: 2, Stamp: utc("2027-03-01T09:15:00Z"),
			RecurrenceID: utc("2027-03-09T09:00:00Z"), Proposed: utc("2027-03-10T14:00:00Z"),
			Attendee: Address{Name: "Sam Ortiz", Email: "sam@example.com"}, PartStat: "TENTATIVE",
			Organizer: Address{Name: "Accord", Email: "accord@example.com"},
			Comment:   "Wednesday afternoon would suit me better.",
		}}},
		{"google.ics", []Reply{{
			Method: "REPLY", UID: "9d4e2b7c-0a13-4f58-b6c9-7e8d1f2a3b4c@accord.example.com", Stamp: utc("2026-12-21T09:30:12Z"),
			RecurrenceID: utc("2027-01-21T15:00:00Z"),
			Attendee:     Address{Name: "Jordan Reyes", Email: "jordan@example.org"}, PartStat: "DECLINED",
			Organizer: Address{Name: "Accord", Email: "accord@example.com"},
			Comment:   "On leave that week, sorry",
		}}},
		{"apple.ics", []Reply{{
			Method: "REPLY", UID: "4f5e6d7c-8b9a-4a1b-9c2d-3e4f5a6b7c8d@accord.example.com", Stamp: utc("2027-03-01T22:10:15Z"),
			RecurrenceID: utc("2027-04-07T06:00:00Z"), // 16:00 after summer time ended (+10:00)
			Attendee:     Address{Name: "Tom Nguyen", Email: "tom@example.com.au"}, PartStat: "ACCEPTED",
			Organizer: Address{Name: "Accord", Email: "accord@example.com"},
		}}},
	} {
		data := readFixture(t, tc.file)
		for _, variant := range []struct {
			name string
			data []byte
		}{
			{tc.file, data},
			{tc.file + " with LF", bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))},
			{tc.file + " folded with tabs", bytes.ReplaceAll(data, []byte("\r\n "), []byte("\r\n\t"))},
		} {
			got, err := ParseReply(variant.data)
			if err != nil {
				t.Errorf("ParseReply(%s) = %v", variant.name, err)
				continue
			}
			if !equalReplies(got, tc.want) {
				t.Errorf("ParseReply(%s) =\n%+v\nwant\n%+v", variant.name, got, tc.want)
			}
		}
	}
}

// equalReplies compares replies with times compared as instants.
func equalReplies(a, b []Reply) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Stamp.Equal(y.Stamp) || !x.RecurrenceID.Equal(y.RecurrenceID) || !x.Proposed.Equal(y.Proposed) {
			return false
		}
		x.Stamp, y.Stamp, x.RecurrenceID, y.RecurrenceID = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		x.Proposed, y.Proposed = time.Time{}, time.Time{}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

func TestParseReplyRefuses(t *testing.T) {
	t.Parallel()
	huge := append([]byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nX-PAD:"), bytes.Repeat([]byte("a"), MaxSize)...)
	many := "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n" + strings.Repeat("X-A:b\r\n", MaxLines) + "END:VCALENDAR\r\n"
	deep := "BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:X\r\n", MaxDepth) + strings.Repeat("END:X\r\n", MaxDepth) + "END:VCALENDAR\r\n"
	golden, err := os.ReadFile(filepath.Join("testdata", "golden", "weekly-berlin.ics"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"a REQUEST", golden, `METHOD is "REQUEST"`},
		{"broken-request.ics", readFixture(t, "broken-request.ics"), `METHOD is "REQUEST"`},
		{"broken-no-method.ics", readFixture(t, "broken-no-method.ics"), "no METHOD"},
		{"broken-two-attendees.ics", readFixture(t, "broken-two-attendees.ics"), "2 ATTENDEEs"},
		{"broken-no-uid.ics", readFixture(t, "broken-no-uid.ics"), "no UID"},
		{"broken-bad-partstat.ics", readFixture(t, "broken-bad-partstat.ics"), `line 10: ATTENDEE PARTSTAT "NEEDS-ACTION"`},
		{"broken-unknown-zone.ics", readFixture(t, "broken-unknown-zone.ics"), `line 11: RECURRENCE-ID: TZID "Mars/Olympus_Mons"`},
		{"broken-not-mailto.ics", readFixture(t, "broken-not-mailto.ics"), "line 10: ATTENDEE"},
		{"broken-bad-stamp.ics", readFixture(t, "broken-bad-stamp.ics"), "line 7: DTSTAMP"},
		{"broken-garbage.ics", readFixture(t, "broken-garbage.ics"), "no component"},
		{"broken-truncated.ics", readFixture(t, "broken-truncated.ics"), "truncated"},
		{"cut inside a line", readFixture(t, "outlook.ics")[:1000], "truncated"},
		{"empty", nil, "no component"},
		{"huge", huge, "exceeds the limit"},
		{"many lines", []byte(many), "exceed the limit"},
		{"deep", []byte(deep), "nested deeper"},
		{"no event", []byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"), "no VEVENT"},
		{"two UIDs", bytes.Replace(readFixture(t, "thunderbird-series-and-occurrence.ics"), []byte("UID:5c0f"), []byte("UID:ffff"), 1), "answers one event"},
		{"floating", []byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID:20270112T090000\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), "line 5: RECURRENCE-ID: 20270112T090000 is a floating time"},
		{"bad sequence", []byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:a\r\nSEQUENCE:-1\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), "line 5: SEQUENCE"},
		{"no partstat", []byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:a\r\nATTENDEE:mailto:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), "line 5: ATTENDEE has no PARTSTAT"},
	} {
		got, err := ParseReply(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseReply(%s) = %+v, %v, want an error containing %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := ParseReply(golden); !errors.Is(err, ErrNotReply) {
		t.Errorf("ParseReply(REQUEST) = %v, want ErrNotReply", err)
	}
	if _, err := ParseReply(readFixture(t, "broken-two-attendees.ics")); errors.Is(err, ErrNotReply) {
		t.Errorf("ParseReply(two attendees) = %v, want an error other than ErrNotReply", err)
	}
}

// TestParseReplyLenient: what real clients do that RFC 5545 frowns on
// still reads.
func TestParseReplyLenient(t *testing.T) {
	t.Parallel()
	const head = "BEGIN:VCALENDAR\r\nmethod:reply\r\nBEGIN:VEVENT\r\nUID:a-uid\r\n"
	const tail = "END:VEVENT\r\nEND:VCALENDAR\r\n\r\n"
	for _, tc := range []struct {
		name, body string
		want       Reply
	}{
		{"lower-case names and mailto", "attendee;partstat=accepted;cn=\"Dana Lee\":mailto:dana@example.com\r\n",
			Reply{Attendee: Address{Name: "Dana Lee", Email: "dana@example.com"}, PartStat: "ACCEPTED"}},
		{"mixed-case MailTo, partstat", "ATTENDEE;PARTSTAT=Declined:MailTo:dana@example.com\r\n",
			Reply{Attendee: Address{Email: "dana@example.com"}, PartStat: "DECLINED"}},
		{"Windows zone without VTIMEZONE", "ATTENDEE;PARTSTAT=ACCEPTED:MAILTO:a@b.c\r\nRECURRENCE-ID;TZID=Eastern Standard Time:20270318T100000\r\n",
			Reply{Attendee: Address{Email: "a@b.c"}, PartStat: "ACCEPTED", RecurrenceID: utc("2027-03-18T14:00:00Z")}},
		{"old Thunderbird zone name", "ATTENDEE;PARTSTAT=ACCEPTED:MAILTO:a@b.c\r\nRECURRENCE-ID;TZID=/mozilla.org/20070129_1/Europe/Berlin:20270112T090000\r\n",
			Reply{Attendee: Address{Email: "a@b.c"}, PartStat: "ACCEPTED", RecurrenceID: utc("2027-01-12T08:00:00Z")}},
		{"DATE recurrence id", "ATTENDEE;PARTSTAT=ACCEPTED:MAILTO:a@b.c\r\nRECURRENCE-ID;VALUE=DATE:20270112\r\n",
			Reply{Attendee: Address{Email: "a@b.c"}, PartStat: "ACCEPTED", RecurrenceID: utc("2027-01-12T00:00:00Z")}},
		{"UTC recurrence id with a stray TZID", "ATTENDEE;PARTSTAT=ACCEPTED:MAILTO:a@b.c\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270112T080000Z\r\n",
			Reply{Attendee: Address{Email: "a@b.c"}, PartStat: "ACCEPTED", RecurrenceID: utc("2027-01-12T08:00:00Z")}},
		{"odd organizer ignored", "ATTENDEE;PARTSTAT=TENTATIVE:mailto:a@b.c\r\nORGANIZER:urn:uuid:1234\r\n",
			Reply{Attendee: Address{Email: "a@b.c"}, PartStat: "TENTATIVE"}},
		{"control characters in names", "ATTENDEE;PARTSTAT=ACCEPTED;CN=\"A\x01B\":mailto:a@b.c\r\nCOMMENT:ok\\nfine\x07\r\n",
			Reply{Attendee: Address{Name: "AB", Email: "a@b.c"}, PartStat: "ACCEPTED", Comment: "ok\nfine"}},
	} {
		got, err := ParseReply([]byte(head + tc.body + tail))
		tc.want.Method, tc.want.UID = "REPLY", "a-uid"
		if err != nil || !equalReplies(got, []Reply{tc.want}) {
			t.Errorf("ParseReply(%s) = %+v, %v, want %+v", tc.name, got, err, tc.want)
		}
	}
}

// TestKnownZone covers the Windows names Outlook and Exchange write.
func TestKnownZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"W. Europe Standard Time", "Europe/Berlin"},
		{"Central Europe Standard Time", "Europe/Budapest"},
		{"Romance Standard Time", "Europe/Paris"},
		{"GMT Standard Time", "Europe/London"},
		{"Eastern Standard Time", "America/New_York"},
		{"Central Standard Time", "America/Chicago"},
		{"Mountain Standard Time", "America/Denver"},
		{"Pacific Standard Time", "America/Los_Angeles"},
		{"AUS Eastern Standard Time", "Australia/Sydney"},
		{"Tokyo Standard Time", "Asia/Tokyo"},
		{"India Standard Time", "Asia/Kolkata"},
		{"FLE Standard Time", "Europe/Kyiv"},
		{"Arab Standard Time", "Asia/Riyadh"},
		{"SA Pacific Standard Time", "America/Bogota"},
		{"E. South America Standard Time", "America/Sao_Paulo"},
		{"Myanmar Standard Time", "Asia/Yangon"},
		{"Dateline Standard Time", "Etc/GMT+12"},
		{"UTC", "UTC"},
		{"w. europe standard time", "Europe/Berlin"},
		{"Europe/Berlin", "Europe/Berlin"},
		{"America/Sao_Paulo", "America/Sao_Paulo"},
		{"Local", ""},
		{"", ""},
		{"../../etc/passwd", ""},
		{"/etc/passwd", ""},
		{"Customized Time Zone", ""},
	} {
		got := ""
		if loc := knownZone(tc.in); loc != nil {
			got = loc.String()
		}
		if got != tc.want {
			t.Errorf("knownZone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestWindowsZonesLoad checks that every zone of the generated Windows map
// is one Go's embedded tzdata knows, so no Outlook TZID resolves to nothing.
func TestWindowsZonesLoad(t *testing.T) {
	t.Parallel()
	if len(windowsZones) < 130 {
		t.Errorf("windowsZones has %d names, want CLDR's full table", len(windowsZones))
	}
	for name, iana := range windowsZones {
		if name != strings.ToLower(name) {
			t.Errorf("key %q is not lower case; knownZone would never find it", name)
		}
		if loc := knownZone(name); loc == nil || loc.String() != iana {
			t.Errorf("knownZone(%q) = %v, want %s", name, loc, iana)
		}
	}
}

// TestVTimezoneOffset reads offsets from zones known only by their
// VTIMEZONE, in both hemispheres and around the changes.
func TestVTimezoneOffset(t *testing.T) {
	t.Parallel()
	cal, err := Parse(readFixture(t, "outlook-custom-zone.ics"))
	if err != nil {
		t.Fatal(err)
	}
	custom := cal.Children("VTIMEZONE")[0]
	cal, err = Parse(readFixture(t, "apple.ics"))
	if err != nil {
		t.Fatal(err)
	}
	sydney := cal.Children("VTIMEZONE")[0]
	for _, tc := range []struct {
		vtz   *Component
		local string
		want  int
	}{
		{custom, "20270112T090000", 3600},
		{custom, "20270328T015959", 3600},
		{custom, "20270328T030000", 7200},
		{custom, "20270701T120000", 7200},
		{custom, "20271031T040000", 3600},
		{custom, "20271231T235959", 3600},
		{sydney, "20270115T090000", 11 * 3600},
		{sydney, "20270407T160000", 10 * 3600},
		{sydney, "20271004T090000", 11 * 3600},
		{sydney, "20070101T000000", 11 * 3600}, // before both DTSTARTs: the offset left at the first
	} {
		civil, err := time.Parse(localLayout, tc.local)
		if err != nil {
			t.Fatal(err)
		}
		got, err := vtimezoneOffset(tc.vtz, civil)
		if err != nil || got != tc.want {
			t.Errorf("vtimezoneOffset(%s, %s) = %d, %v, want %d", tc.vtz.Prop("TZID").Value, tc.local, got, err, tc.want)
		}
	}
}
