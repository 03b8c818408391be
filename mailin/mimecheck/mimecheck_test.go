package mimecheck

import (
	"bytes"
	"errors"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

// shape returns how many parts enmime reads in raw and how deep they nest
// (the most ancestors any part has), or an error if it cannot read it.
func shape(raw []byte) (parts, depth int, err error) {
	root, err := parser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		return 0, 0, err
	}
	type item struct {
		p *enmime.Part
		d int
	}
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		parts++
		depth = max(depth, it.d)
		for c := it.p.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, item{c, it.d + 1})
		}
	}
	return parts, depth, nil
}

// what returns the limit an error from Check names, or "" for nil.
func what(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.What
	}
	if err != nil {
		return "not an *Error: " + err.Error()
	}
	return ""
}

// realMail are messages shaped like what real clients send; each must pass
// Check with the default limits.
var realMail = []struct {
	name  string
	build func() []byte
}{
	{"plain reply", plainReply},
	{"text and HTML reply", normalReply},
	{"Gmail-like reply with an inline image", gmailInlineImage},
	{"Outlook-like calendar reply with an .ics attachment", outlookICS},
	{"Outlook-like calendar reply with an encoded .ics name", outlookEncodedICS},
	{"Google-like calendar reply", googleCalendar},
	{"Postfix-like DSN returning the whole message", postfixDSN},
	{"Exchange-like NDR with a cut-short original", exchangeNDR},
	{"read receipt", readReceipt},
	{"abuse feedback report", abuseReport},
	{"forward with several attachments", forwardWithAttachments},
	{"200 small attachments", func() []byte { return manyAttachments(200) }},
	{"bare LF line ends", lfOnly},
	{"5 forwarded messages with a 700 KB PDF each", func() []byte { return forwardedWithBigAttachments(5, 700<<10) }},
}

// atLimits are odd messages that are still within the default limits.
var atLimits = []struct {
	name  string
	build func() []byte
}{
	{"490 tiny parts", func() []byte { return flatParts(490, 490*60) }},
	{"depth 8", func() []byte { return deepClosed(8, 100) }},
	{"message/rfc822 in message/rfc822, 1000 levels", func() []byte { return nestedRFC822(1000) }},
	{"boundary lookalikes", func() []byte { return lookalikes(100 << 10) }},
}

func TestCheckPassesRealMail(t *testing.T) {
	t.Parallel()
	for _, tc := range append(realMail, atLimits...) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := tc.build()
			if err := Check(raw, DefaultLimits()); err != nil {
				t.Errorf("Check(%s) = %v, want nil", tc.name, err)
			}
			if _, _, err := shape(raw); err != nil {
				t.Errorf("enmime cannot read %s: %v", tc.name, err)
			}
		})
	}
}

// TestCheckRefuses: each message is over one limit, and enmime does read
// that many parts or that deep a nesting where the shape says so.
func TestCheckRefuses(t *testing.T) {
	t.Parallel()
	small := Limits{MaxParts: 20, MaxDepth: 4, MaxHeaderBytes: 1 << 10}
	tests := []struct {
		name   string
		raw    []byte
		limits Limits
		want   string
		// enmimeParts and enmimeDepth, when set, are what enmime must
		// find at least, to show the message really is over the limit.
		enmimeParts, enmimeDepth int
	}{
		{"flat 501 parts", flatParts(501, 501*60), Limits{}, TooManyParts, 502, 0},
		{"flat 120k parts", flatParts(120_000, 5*mB), Limits{}, TooManyParts, 0, 0},
		{"21 parts", flatParts(21, 21*60), small, TooManyParts, 22, 0},
		{"depth 9 closed", deepClosed(9, 100), Limits{}, TooDeep, 0, 9},
		{"depth 5 closed", deepClosed(5, 100), small, TooDeep, 0, 5},
		{"depth 9 unclosed", deepUnclosed(9), Limits{}, TooDeep, 0, 9},
		{"depth 40 unclosed", deepUnclosed(40), Limits{}, TooDeep, 0, 0},
		{"forwarded multiparts 10 deep", nestedForwards(10), Limits{}, TooDeep, 0, 0},
		{"reused boundary 9 deep", reusedBoundary(9), Limits{}, TooDeep, 0, 0},
		{"header over 1 KiB", manyHeaders(20), small, HeaderTooLong, 0, 0},
		{"header of 300,000 fields", manyHeaders(300_000), Limits{}, HeaderTooLong, 0, 0},
		{"header without end", bytes.Repeat([]byte("X-A: b\r\n"), 200), small, HeaderTooLong, 0, 0},
		{"long Content-Type with a boundary", longContentType(), Limits{}, ContentTypeTooLong, 0, 0},
		{"boundary on an unindented line", unindentedBoundary(30), small, TooManyParts, 31, 0},
		{"boundary after a skipped line", skippedLineBoundary(30), small, TooManyParts, 31, 0},
		{"RFC 2231 boundary", rfc2231Boundary(30), small, TooManyParts, 31, 0},
		{"capitalised field name, space before colon", oddFieldName(30), small, TooManyParts, 31, 0},
		{"boundary with spaces", spacedBoundary(30), small, TooManyParts, 31, 0},
		{"delimiters one byte into the line", indentedDelimiters(30), small, TooManyParts, 31, 0},
		{"close delimiter inside the declaring header", closeInHeader(30), small, TooManyParts, 31, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := what(Check(tc.raw, tc.limits)); got != tc.want {
				t.Errorf("Check(%s) = %v, want %v", tc.name, got, tc.want)
			}
			if tc.enmimeParts == 0 && tc.enmimeDepth == 0 {
				return
			}
			parts, depth, err := shape(tc.raw)
			if err != nil || parts < tc.enmimeParts || depth < tc.enmimeDepth {
				t.Errorf("enmime reads %s as %d parts %d deep (%v), want at least %d parts %d deep",
					tc.name, parts, depth, err, tc.enmimeParts, tc.enmimeDepth)
			}
		})
	}
}

// TestCheckLimitsAreExact: a message exactly at a limit passes, one over
// it does not.
func TestCheckLimitsAreExact(t *testing.T) {
	t.Parallel()
	// flatParts(n) has the root, n parts, the close delimiter's line and
	// the declaration: n+3 counted.
	head := []byte("Subject: x\r\n\r\n")
	tests := []struct {
		name string
		raw  []byte
		l    Limits
		want string
	}{
		{"parts at limit", flatParts(17, 17*60), Limits{MaxParts: 20}, ""},
		{"parts over limit", flatParts(18, 18*60), Limits{MaxParts: 20}, TooManyParts},
		{"depth at limit", deepClosed(4, 10), Limits{MaxDepth: 4}, ""},
		{"depth over limit", deepClosed(5, 10), Limits{MaxDepth: 4}, TooDeep},
		{"header at limit", head, Limits{MaxHeaderBytes: len(head)}, ""},
		{"header over limit", head, Limits{MaxHeaderBytes: len(head) - 1}, HeaderTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := what(Check(tc.raw, tc.l)); got != tc.want {
				t.Errorf("Check(%s) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	err := Check(deepUnclosed(40), Limits{})
	var e *Error
	if !errors.As(err, &e) || e.Max != 8 {
		t.Fatalf("Check(deep) = %#v, want an *Error with Max 8", err)
	}
	// mailin's inbound log and its tests look for these words.
	if got, want := err.Error(), "nested too deeply"; !bytes.Contains([]byte(got), []byte(want)) {
		t.Errorf("Check(deep).Error() = %q, want it to contain %q", got, want)
	}
}
