package ical

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for the two readers of calendar objects that strangers
// send. Beyond "no panic" they check that an outcome is a value or an
// error, never both; that the same octets always read the same; that
// errors say where, within a bounded message; and that what comes back
// holds what the doc comments promise.

// maxFuzzObject bounds what a target reads. It is above the 64 KiB a
// reply needs so that the hostile seeds (ten thousand BEGINs, a line of
// 100,000 characters) stay in; TestParseLong and TestParseReplyLong cover
// a megabyte.
const maxFuzzObject = 256 << 10

// maxErrorMessage bounds an error's message: it names a line and quotes a
// clipped piece of it, never the object.
const maxErrorMessage = 1 << 10

// reply wraps the lines of one VEVENT into a REPLY.
func reply(event ...string) string {
	return "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" + strings.Join(event, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// customZone is a VTIMEZONE of the kind Outlook writes for a zone it has
// no name for.
const customZone = "BEGIN:VTIMEZONE\r\nTZID:Custom\r\n" +
	"BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n" +
	"BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n" +
	"END:VTIMEZONE\r\n"

// customReply is a REPLY with customZone and one VEVENT per RECURRENCE-ID.
func customReply(recurrenceIDs ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n" + customZone)
	for _, id := range recurrenceIDs {
		b.WriteString("BEGIN:VEVENT\r\nUID:a\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c\r\nRECURRENCE-ID;TZID=Custom:" + id + "\r\nEND:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// icalSeeds are the fixtures and golden files, the objects of the table
// tests, and inputs meant to break a tokenizer: deep nesting, long lines
// and folds, lone carriage returns, NULs, invalid UTF-8, direction marks,
// digits from other scripts and numbers too long for any integer.
func icalSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	for _, pattern := range []string{"testdata/golden/*.ics", "testdata/replies/*.ics"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				tb.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	if len(seeds) == 0 {
		tb.Fatal("no fixtures in testdata")
	}
	ok := "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c"
	for _, s := range []string{
		// TestParseErrors and TestParseReplyRefuses.
		"", "\r\n\r\n", " BEGIN:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\nNOCOLON\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nX;A=\"b:c\r\nEND:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\nX;A=\"b\"c:d\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", "BEGIN:VEVENT\r\nEND:VEVENT\r\n", "BEGIN:\r\nEND:\r\n",
		"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n",
		reply("UID:a", "RECURRENCE-ID:20270112T090000", ok),
		reply("UID:a", "SEQUENCE:-1", ok),
		reply("UID:a", "ATTENDEE:mailto:a@b.c"),
		// TestParseReplyLenient.
		"BEGIN:VCALENDAR\r\nmethod:reply\r\nBEGIN:VEVENT\r\nUID:a-uid\r\nattendee;partstat=accepted;cn=\"Dana Lee\":mailto:dana@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n\r\n",
		reply("UID:a", "ATTENDEE;PARTSTAT=Declined:MailTo:dana@example.com"),
		reply("UID:a", ok, "RECURRENCE-ID;TZID=Eastern Standard Time:20270318T100000"),
		reply("UID:a", ok, "RECURRENCE-ID;TZID=/mozilla.org/20070129_1/Europe/Berlin:20270112T090000"),
		reply("UID:a", ok, "RECURRENCE-ID;VALUE=DATE:20270112"),
		reply("UID:a", ok, "RECURRENCE-ID;TZID=Europe/Berlin:20270112T080000Z"),
		reply("UID:a", "ATTENDEE;PARTSTAT=TENTATIVE:mailto:a@b.c", "ORGANIZER:urn:uuid:1234"),
		reply("UID:a", "ATTENDEE;PARTSTAT=ACCEPTED;CN=\"A\x01B\":mailto:a@b.c", "COMMENT:ok\\nfine\x07"),
		reply("UID:a", "ATTENDEE;PARTSTAT=ACCEPTED;X-RESPONSE-COMMENT=\"Sorry\\, away\":mailto:a@b.c"),
		customReply("20270112T090000", "20270328T023000", "20271031T023000", "00000101T000000", "99991231T235959"),
		// Hostile.
		"BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:X\r\n", 10000),
		"BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:X\r\n", 5000) + strings.Repeat("END:X\r\n", 5000) + "END:VCALENDAR\r\n",
		reply("UID:a", ok, "COMMENT:"+strings.Repeat("x", 100000)),
		reply("UID:a", ok, "COMMENT:"+strings.Repeat("x\r\n ", 5000)),
		reply("UID:a", ok, "X-P"+strings.Repeat(";A=b", 5000)+":v"),
		reply("UID:a", ok, "X-P;A="+strings.Repeat("\"b\",", 5000)+"c:v"),
		strings.ReplaceAll(reply("UID:a", ok), "\r\n", "\r"),
		strings.ReplaceAll(reply("UID:a", ok), "\r\n", "\n\r"),
		reply("UID:a\x00", "ATTENDEE;PARTSTAT=ACCEPTED;CN=\x00:mailto:a\x00@b.c"),
		reply("UID:\xff\xfe", "ATTENDEE;PARTSTAT=ACCEPTED;CN=\"\xc0\xaf\":mailto:\xff@b.c", "COMMENT:\xe2\x80"),
		reply("UID:\u200fa\u202e", "ATTENDEE;PARTSTAT=ACCEPTED;CN=\u202eeeL:mailto:\u200fa@b.c"),
		reply("UID:a", ok, "DTSTAMP:٢٠٢٧0101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:２０２７0101T000000"),
		reply("UID:a", ok, "SEQUENCE:99999999999999999999"),
		reply("UID:a", ok, "RECURRENCE-ID;TZID="+strings.Repeat("A/", 40)+":20270101T000000"),
		reply("UID:a", ok, "RECURRENCE-ID;TZID=/"+strings.Repeat("/", 60)+":20270101T000000"),
		strings.Replace(customReply("20270112T090000"), "BYMONTH=10", "BYMONTH=99999999999999999999", 1),
		strings.Replace(customReply("20270112T090000"), "BYDAY=-1SU", "BYDAY=99999999999999999999SU", 1),
		strings.Replace(customReply("20270112T090000"), "BYDAY=-1SU", "BYDAY="+strings.Repeat("1SU,", 5000)+"SU", 1),
		strings.Replace(customReply("20270112T090000"), "TZOFFSETTO:+0100", "TZOFFSETTO:+99999", 1),
		strings.Replace(customReply("20270112T090000"), "TZOFFSETTO:+0100", "TZOFFSETTO:+-100", 1),
		strings.Replace(customReply("20270112T090000"), "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "RDATE:"+strings.Repeat("20270101T000000,", 2000), 1),
		"\xef\xbb\xbf\xef\xbb\xbf" + reply("UID:a", ok),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func FuzzParseTree(f *testing.F) {
	for _, s := range icalSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzObject {
			t.Skip()
		}
		checkParse(t, data)
	})
}

func FuzzParseReply(f *testing.F) {
	for _, s := range icalSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzObject {
			t.Skip()
		}
		checkParseReply(t, data)
	})
}

// dump writes a tree or an error in full, to compare two readings.
func dump(c *Component, err error) string {
	if err != nil {
		return fmt.Sprintf("error %T %s", err, err)
	}
	var b strings.Builder
	var walk func(c *Component, indent string)
	walk = func(c *Component, indent string) {
		fmt.Fprintf(&b, "%s%s@%d\n", indent, c.Name, c.Line)
		for _, p := range c.Props {
			keys := make([]string, 0, len(p.Params))
			for k := range p.Params {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			fmt.Fprintf(&b, "%s %s@%d", indent, p.Name, p.Line)
			for _, k := range keys {
				fmt.Fprintf(&b, ";%s=%q", k, p.Params[k])
			}
			fmt.Fprintf(&b, ":%q\n", p.Value)
		}
		for _, s := range c.Components {
			walk(s, indent+"  ")
		}
	}
	walk(c, "")
	return b.String()
}

// clippedData describes an input in a failure message.
func clippedData(data []byte) string {
	if len(data) > 200 {
		return fmt.Sprintf("%q… (%d octets)", data[:200], len(data))
	}
	return fmt.Sprintf("%q", data)
}

// checkErrorMessage checks what every error of the package promises: it
// says it comes from here, and is one short line of text that is safe to
// log, whatever the object held.
func checkErrorMessage(t *testing.T, call string, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "ical: ") || len(msg) > maxErrorMessage || !isLine(msg) {
		t.Fatalf("%s: error of %d octets %.300q, want one line of text \"ical: …\" of at most %d", call, len(msg), msg, maxErrorMessage)
	}
}

// isLine reports whether s is valid UTF-8 without control characters.
func isLine(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// checkParse holds Parse to its doc comment: a VCALENDAR within the
// limits, with names upper-cased, or an error; CRLF and LF read alike.
func checkParse(t *testing.T, data []byte) {
	t.Helper()
	call := fmt.Sprintf("Parse(%s)", clippedData(data))
	cal, err := Parse(data)
	cal2, err2 := Parse(data)
	got := dump(cal, err)
	if got2 := dump(cal2, err2); got != got2 {
		t.Fatalf("%s is not deterministic:\n%.2000s\nthen\n%.2000s", call, got, got2)
	}
	if !bytes.Contains(data, []byte("\r")) {
		crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		if c, err := Parse(crlf); len(crlf) <= MaxSize && dump(c, err) != got {
			t.Fatalf("%s with CRLF line ends reads\n%.2000s\nbut with LF\n%.2000s", call, dump(c, err), got)
		}
	}
	if err != nil {
		if cal != nil {
			t.Fatalf("%s returned a tree and the error %v", call, err)
		}
		checkErrorMessage(t, call, err)
		return
	}
	if cal == nil || cal.Name != "VCALENDAR" {
		t.Fatalf("%s = %+v with no error, want a VCALENDAR", call, cal)
	}
	if len(data) > MaxSize {
		t.Fatalf("%s read %d octets, over MaxSize", call, len(data))
	}
	lines := bytes.Count(data, []byte("\n")) + 1
	name := func(s string) bool { return isName(s) && s == strings.ToUpper(s) }
	var props, comps, octets int
	var walk func(c *Component, depth int)
	walk = func(c *Component, depth int) {
		comps++
		switch {
		case depth > MaxDepth:
			t.Fatalf("%s nests %s deeper than %d", call, c.Name, MaxDepth)
		case !name(c.Name):
			t.Fatalf("%s has a component named %q", call, c.Name)
		case c.Line < 1 || c.Line > lines:
			t.Fatalf("%s has %s on line %d of %d", call, c.Name, c.Line, lines)
		}
		last := c.Line
		for _, p := range c.Props {
			props++
			octets += len(p.Name) + len(p.Value)
			switch {
			case !name(p.Name):
				t.Fatalf("%s has a property named %q", call, p.Name)
			case p.Line <= last || p.Line > lines:
				t.Fatalf("%s has %s on line %d, after line %d, of %d", call, p.Name, p.Line, last, lines)
			case strings.Contains(p.Value, "\n"):
				t.Fatalf("%s has %s with a line feed in its value", call, p.Name)
			}
			last = p.Line
			for k, vs := range p.Params {
				octets += len(k)
				if !name(k) || len(vs) == 0 {
					t.Fatalf("%s has %s with parameter %q = %q", call, p.Name, k, vs)
				}
				for _, v := range vs {
					octets += len(v)
				}
			}
		}
		last = c.Line
		for _, s := range c.Components {
			if s.Line <= last {
				t.Fatalf("%s has %s on line %d, after line %d", call, s.Name, s.Line, last)
			}
			last = s.Line
			walk(s, depth+1)
		}
	}
	walk(cal, 1)
	if props+comps > len(data) || octets > len(data) {
		t.Fatalf("%s returned %d properties, %d components and %d octets from %d octets", call, props, comps, octets, len(data))
	}
}

// isClean reports whether s is what the package hands on from outside:
// valid UTF-8 with no control characters but line feeds and tabs.
func isClean(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f
	})
}

// checkParseReply holds ParseReply to its doc comment: one Reply per
// VEVENT, all with the same UID and exactly one attendee with an address
// and a PARTSTAT of ACCEPTED, DECLINED or TENTATIVE, or an error.
func checkParseReply(t *testing.T, data []byte) {
	t.Helper()
	call := fmt.Sprintf("ParseReply(%s)", clippedData(data))
	rs, err := ParseReply(data)
	rs2, err2 := ParseReply(data)
	show := func(rs []Reply, err error) string {
		if err != nil {
			return fmt.Sprintf("error %T %s", err, err)
		}
		return fmt.Sprintf("%#v", rs)
	}
	if a, b := show(rs, err), show(rs2, err2); a != b {
		t.Fatalf("%s is not deterministic:\n%.2000s\nthen\n%.2000s", call, a, b)
	}
	cal, perr := Parse(data)
	if perr != nil {
		if err == nil || err.Error() != perr.Error() {
			t.Fatalf("%s = %v, but Parse failed with %v", call, err, perr)
		}
	}
	if err != nil {
		if rs != nil {
			t.Fatalf("%s returned %d replies and the error %v", call, len(rs), err)
		}
		checkErrorMessage(t, call, err)
		if errors.Is(err, ErrNotReply) {
			if m := cal.Prop("METHOD"); m != nil && strings.EqualFold(strings.TrimSpace(m.Value), "REPLY") {
				t.Fatalf("%s = %v for an object whose METHOD is %q", call, err, m.Value)
			}
		}
		return
	}
	if events := cal.Children("VEVENT"); len(rs) == 0 || len(rs) != len(events) {
		t.Fatalf("%s returned %d replies for %d VEVENTs", call, len(rs), len(events))
	}
	for _, r := range rs {
		fail := func(why string) {
			t.Helper()
			t.Fatalf("%s returned %+v: %s", call, r, why)
		}
		switch {
		case r.Method != "REPLY" && r.Method != "COUNTER":
			fail("the method is neither REPLY nor COUNTER")
		case r.Method == "COUNTER" && r.Proposed.IsZero():
			fail("a COUNTER proposes no time")
		case r.UID == "" || r.UID != strings.TrimSpace(r.UID) || !isClean(r.UID):
			fail("the UID is empty, padded or not clean text")
		case r.UID != rs[0].UID:
			fail("the UIDs differ")
		case r.Sequence < 0:
			fail("the SEQUENCE is negative")
		case r.Attendee.Email == "" || checkEmail(r.Attendee.Email) != nil || !isClean(r.Attendee.Email):
			fail("the attendee has no usable address")
		case !isClean(r.Attendee.Name) || !isClean(r.Organizer.Name) || !isClean(r.Organizer.Email) || !isClean(r.Comment):
			fail("a name or the comment is not clean text")
		case r.Organizer.Email == "" && r.Organizer.Name != "":
			fail("the organizer has a name but no address")
		case r.Organizer.Email != "" && checkEmail(r.Organizer.Email) != nil:
			fail("the organizer's address is not one")
		}
		switch r.PartStat {
		case PartStatAccepted, PartStatDeclined, PartStatTentative:
		case "":
			if r.Method != "COUNTER" {
				fail("a REPLY without PARTSTAT")
			}
		default:
			fail("the PARTSTAT is not ACCEPTED, DECLINED or TENTATIVE")
		}
	}
}

// The Long tests feed each reader about a megabyte and check the outcome;
// the test binary's timeout is what catches a reader gone quadratic.

func TestParseLong(t *testing.T) {
	t.Parallel()
	const head, tail = "BEGIN:VCALENDAR\r\n", "END:VCALENDAR\r\n"
	fill := MaxSize - len(head) - len(tail) - 100
	for _, tc := range []struct {
		name string
		data string
		want string // part of the error; "" when it reads
	}{
		{"one line of a megabyte", head + "X-LONG:" + strings.Repeat("a", fill) + "\r\n" + tail, ""},
		{"a megabyte folded", head + "X-LONG:" + strings.Repeat("\r\n "+strings.Repeat("a", 100), MaxLines-10) + "\r\n" + tail, ""},
		{"a megabyte of parameters", head + "X-P" + strings.Repeat(";A=b", fill/4) + ":v\r\n" + tail, ""},
		{"a megabyte of quoted values", head + "X-P;A=" + strings.Repeat(`"b:c;d",`, fill/8) + "e:v\r\n" + tail, ""},
		{"the most lines", head + strings.Repeat("X-A;B=c:"+strings.Repeat("d", 90)+"\r\n", MaxLines-2) + tail, ""},
		{"ten thousand BEGINs", head + strings.Repeat("BEGIN:X\r\n", MaxLines-2), "nested deeper"},
		{"lone carriage returns", strings.Repeat("BEGIN:VCALENDAR\rX:y\r", fill/20), "no component name"},
		{"over the size limit", strings.Repeat("a", MaxSize+1), "exceeds the limit"},
		{"over the line limit", strings.Repeat("\n", MaxSize), "exceed the limit"},
	} {
		_, err := Parse([]byte(tc.data))
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Parse(%s) = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestParseReplyLong(t *testing.T) {
	t.Parallel()
	var manyYears, oneYear []string
	for y := 1; y < 1900; y++ {
		manyYears = append(manyYears, fmt.Sprintf("%04d0101T100000", y))
		oneYear = append(oneYear, fmt.Sprintf("2027%02d%02dT100000", y%12+1, y%28+1))
	}
	var observances strings.Builder
	observances.WriteString("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VTIMEZONE\r\nTZID:Custom\r\n")
	for range 1900 {
		observances.WriteString("BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n")
	}
	observances.WriteString("END:VTIMEZONE\r\n")
	for y := range maxZoneYears {
		fmt.Fprintf(&observances, "BEGIN:VEVENT\r\nUID:a\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c\r\nRECURRENCE-ID;TZID=Custom:%04d0101T100000\r\nEND:VEVENT\r\n", 2000+y)
	}
	observances.WriteString("END:VCALENDAR\r\n")
	longRule := strings.Replace(customReply(manyYears[:maxZoneYears]...), "BYMONTH=10", "BYMONTH="+strings.Repeat("10,", 300000)+"10", 1)

	for _, tc := range []struct {
		name    string
		data    string
		replies int
		want    string // part of the error when replies is 0
	}{
		{"events in many years of a custom zone", customReply(manyYears...), 0, "more than 16 years"},
		{"events in one year of a custom zone", customReply(oneYear...), len(oneYear), ""},
		{"a custom zone of many observances", observances.String(), maxZoneYears, ""},
		{"a long RRULE", longRule, maxZoneYears, ""},
		{"a megabyte of comment", reply("UID:a", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c", "COMMENT:"+strings.Repeat("Fine. ", MaxSize/7)), 1, ""},
		{"a megabyte of attendee", reply("UID:a", "ATTENDEE;PARTSTAT=ACCEPTED;CN="+strings.Repeat("Dana ", MaxSize/6)+":mailto:a@b.c"), 1, ""},
	} {
		if len(tc.data) > MaxSize {
			t.Fatalf("%s: %d octets, over MaxSize", tc.name, len(tc.data))
		}
		rs, err := ParseReply([]byte(tc.data))
		if len(rs) != tc.replies || tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("ParseReply(%s) = %d replies, %v; want %d replies and an error containing %q", tc.name, len(rs), err, tc.replies, tc.want)
		}
	}
}
