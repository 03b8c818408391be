package ical

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseTree(t *testing.T) {
	t.Parallel()
	const in = "\xef\xbb\xbfBEGIN:VCALENDAR\r\n" +
		"METHOD:REPLY\r\n" +
		"begin:vevent\r\n" +
		"attendee;CN=\"Lee, Dana: 1:1\";member=\"mailto:a@b.c\",\"mailto:d@e.f\";Partstat=ACCEPTED:MAILTO:dana@example.com\r\n" +
		"SUMMARY:one\\, two\\; three\\\\four\\nfive\\Nsix \r\n" +
		" continued\r\n" +
		"\tand tabbed\r\n" +
		"X-EMPTY:\r\n" +
		"X-PARAM;X-A=;X-B=\"\":v:w\r\n" +
		"BEGIN:VALARM\r\n" +
		"ACTION:DISPLAY\r\n" +
		"END:VALARM\r\n" +
		"END:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	cal, err := Parse([]byte(in))
	if err != nil {
		t.Fatalf("Parse() = %v", err)
	}
	if cal.Name != "VCALENDAR" || cal.Prop("method").Value != "REPLY" {
		t.Fatalf("Parse() root = %+v", cal)
	}
	ev := cal.Children("VEVENT")
	if len(ev) != 1 || ev[0].Line != 3 || len(ev[0].Children("valarm")) != 1 {
		t.Fatalf("Parse() VEVENTs = %+v", ev)
	}
	att := ev[0].Prop("ATTENDEE")
	wantParams := map[string][]string{
		"CN":       {"Lee, Dana: 1:1"},
		"MEMBER":   {"mailto:a@b.c", "mailto:d@e.f"},
		"PARTSTAT": {"ACCEPTED"},
	}
	if !reflect.DeepEqual(att.Params, wantParams) || att.Value != "MAILTO:dana@example.com" || att.Line != 4 {
		t.Errorf("ATTENDEE = %+v, want params %v", att, wantParams)
	}
	if got, want := ev[0].Prop("SUMMARY").Text(), "one, two; three\\four\nfive\nsix continuedand tabbed"; got != want {
		t.Errorf("SUMMARY.Text() = %q, want %q", got, want)
	}
	if p := ev[0].Prop("X-EMPTY"); p == nil || p.Value != "" {
		t.Errorf("X-EMPTY = %+v, want an empty value", p)
	}
	if p := ev[0].Prop("X-PARAM"); p.Param("x-a") != "" || p.Param("X-B") != "" || p.Value != "v:w" || len(p.Params) != 2 {
		t.Errorf("X-PARAM = %+v", p)
	}
	if got := len(ev[0].PropsNamed("summary")); got != 1 {
		t.Errorf("PropsNamed(summary) = %d properties, want 1", got)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "no component"},
		{"\r\n\r\n", "no component"},
		{" BEGIN:VCALENDAR\r\n", "no component"},
		{"BEGIN:VCALENDAR\r\nBEGIN;X=\"a:VEVENT\r\nEND:VCALENDAR\r\n", "unterminated quote"},
		{"BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", "line 2: END:VEVENT closes VCALENDAR begun on line 1"},
		{"END:VCALENDAR\r\n", "END:VCALENDAR without BEGIN"},
		{"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "line 3: BEGIN:VCALENDAR after the end"},
		{"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nX:y\r\n", "line 3: property X outside any component"},
		{"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "is a VEVENT, not a VCALENDAR"},
		{"BEGIN:\r\nEND:\r\n", "no component name"},
		{"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "truncated: VEVENT begun on line 2"},
	} {
		_, err := Parse([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

// TestParseSkips checks that a content line outside the grammar is left
// out and counted, and that what surrounds it is read.
func TestParseSkips(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ line, why string }{
		{"NOCOLON", "no colon"},
		{"BAD NAME:x", "space in the name"},
		{"X-ENTOURAGE_UUID:2E6B", "underscore in the name (Outlook for Mac)"},
		{"X;=a:b", "empty parameter name"},
		{"X;A:b", "parameter without '='"},
		{"X;A=\"b:c", "unterminated quote"},
		{"X;A=\"b\"c:d", "text after a quoted parameter"},
		{"X;A=b", "no colon after the parameters"},
		{"X;A=\"b\"", "no colon after a quoted parameter"},
	} {
		in := "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u1\r\n" + tc.line + "\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		cal, err := Parse([]byte(in))
		if err != nil {
			t.Errorf("%s: Parse = %v, want the line skipped", tc.why, err)
			continue
		}
		ev := cal.Children("VEVENT")
		if cal.Skipped != 1 || len(ev) != 1 || ev[0].Prop("UID") == nil || ev[0].Prop("ATTENDEE").Param("PARTSTAT") != "ACCEPTED" || len(ev[0].Props) != 2 {
			t.Errorf("%s: skipped %d, event %+v; want one skipped and UID and ATTENDEE read", tc.why, cal.Skipped, ev)
		}
		if r, err := ParseReply([]byte(in)); err != nil || len(r) != 1 || r[0].Skipped != 1 || r[0].PartStat != "ACCEPTED" {
			t.Errorf("%s: ParseReply = %+v, %v; want the answer, one line skipped", tc.why, r, err)
		}
	}
	// Text before the object, as some clients' preambles, and a
	// continuation with nothing to continue.
	cal, err := Parse([]byte(" indented\r\nHello\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"))
	if err != nil || cal.Skipped != 2 || cal.Prop("METHOD") == nil {
		t.Errorf("preamble: %+v, %v; want it skipped", cal, err)
	}
}

// TestParseLineErrors checks the reasons a content line is outside the
// grammar.
func TestParseLineErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"NOCOLON", "line 2: no colon"},
		{"BAD NAME:x", "line 2: \"BAD NAME\" is no property name"},
		{"X;=a:b", "line 2: X: \"\" is no parameter name"},
		{"X;A:b", "without '='"},
		{"X;A=\"b:c", "unterminated quote"},
		{"X;A=\"b\"c:d", "unexpected \"c\""},
		{"X;A=b", "no colon after the parameters"},
		{"X;A=\"b\"", "no colon after the parameters"},
	} {
		_, err := parseLine(tc.in, 2)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseLine(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

// fuzzSeeds are every fixture and golden file.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, pattern := range []string{"testdata/golden/*.ics", "testdata/replies/*.ics"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata")
	}
	return seeds
}

// FuzzParse feeds arbitrary bytes to Parse and ParseReply: they must not
// panic, and what they return must be bounded by the input.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := Parse(data)
		if err == nil {
			var props, comps, octets int
			var walk func(c *Component, depth int)
			walk = func(c *Component, depth int) {
				if depth > MaxDepth {
					t.Fatalf("Parse returned nesting deeper than %d", MaxDepth)
				}
				comps++
				for _, p := range c.Props {
					props++
					octets += len(p.Name) + len(p.Value)
					for k, vs := range p.Params {
						octets += len(k)
						for _, v := range vs {
							octets += len(v)
						}
					}
				}
				for _, s := range c.Components {
					walk(s, depth+1)
				}
			}
			walk(cal, 1)
			if props+comps > len(data) || octets > len(data) {
				t.Fatalf("Parse(%d octets) returned %d properties, %d components, %d octets", len(data), props, comps, octets)
			}
		}
		replies, err := ParseReply(data)
		if err == nil {
			if len(replies) == 0 || len(replies) > len(data) {
				t.Fatalf("ParseReply(%d octets) returned %d replies", len(data), len(replies))
			}
			for _, r := range replies {
				if r.Method != "REPLY" && r.Method != "COUNTER" || r.UID == "" || r.Attendee.Email == "" {
					t.Fatalf("ParseReply returned an incomplete reply %+v", r)
				}
				switch r.PartStat {
				case PartStatAccepted, PartStatDeclined, PartStatTentative:
				case "":
					if r.Method != "COUNTER" {
						t.Fatalf("ParseReply returned a REPLY without PARTSTAT")
					}
				default:
					t.Fatalf("ParseReply returned PARTSTAT %q", r.PartStat)
				}
			}
		}
	})
}
