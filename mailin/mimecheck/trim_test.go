package mimecheck

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"accord/mailin/classify"
	"accord/mailin/reply"
)

// verdict is everything the pipeline takes from a message.
type verdict struct {
	Result classify.Result
	Reply  string
}

func verdictOf(t *testing.T, raw []byte) verdict {
	t.Helper()
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadEnvelope: %v", err)
	}
	v := verdict{Result: classify.Classify(env, classify.Options{
		ServiceAddresses: []string{"accord@example.test"},
		IsOurs:           func(id string) bool { return id == "<q3@accord.example.test>" },
	})}
	switch {
	case strings.TrimSpace(env.Text) != "":
		v.Reply = reply.Text(env.Text)
	case strings.TrimSpace(env.HTML) != "":
		v.Reply = reply.HTML(env.HTML)
	}
	return v
}

// TestTrimKeepsWhatThePipelineReads: for real mail, the pipeline decides
// the same on Trim's copy as on the message itself.
func TestTrimKeepsWhatThePipelineReads(t *testing.T) {
	t.Parallel()
	for _, tc := range realMail {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := tc.build()
			out := Trim(raw, Limits{})
			if len(out) > len(raw) {
				t.Errorf("len(Trim(%s)) = %d, want at most %d", tc.name, len(out), len(raw))
			}
			got, want := verdictOf(t, out), verdictOf(t, raw)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("pipeline on Trim(%s) = %+v, want %+v", tc.name, got, want)
			}
		})
	}
}

// TestTrimVerdicts: the messages that carry a calendar reply or a report
// are still read as such after Trim.
func TestTrimVerdicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  []byte
		want classify.Kind
	}{
		{"Outlook .ics", outlookICS(), classify.CalendarReply},
		{"Outlook encoded .ics name", outlookEncodedICS(), classify.CalendarReply},
		{"Google calendar", googleCalendar(), classify.CalendarReply},
		{"Exchange TNEF", exchangeTNEF(false), classify.CalendarReply},
		{"Exchange TNEF as octet-stream", exchangeTNEF(true), classify.CalendarReply},
		{"Postfix DSN", postfixDSN(), classify.Bounce},
		{"Exchange NDR", exchangeNDR(), classify.Bounce},
		{"read receipt", readReceipt(), classify.AutoReply},
		{"abuse report", abuseReport(), classify.AutoReply},
		{"Gmail reply", gmailInlineImage(), classify.Human},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := verdictOf(t, Trim(tc.raw, Limits{}))
			if v.Result.Kind != tc.want {
				t.Errorf("Classify(Trim(%s)) = %s (%s), want %s", tc.name, v.Result.Kind, v.Result.Reason, tc.want)
			}
			if tc.want == classify.Bounce && (v.Result.DSN == nil || v.Result.DSN.OriginalMessageID != "<q3@accord.example.test>") {
				t.Errorf("Classify(Trim(%s)).DSN = %+v, want the original Message-ID", tc.name, v.Result.DSN)
			}
		})
	}
}

// TestTrimDropsUnreadBodies: attachments nobody reads leave only their
// header behind.
func TestTrimDropsUnreadBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		raw     []byte
		maxSize int
	}{
		{"Gmail inline image", gmailInlineImage(), 4 << 10},
		{"forward with attachments", forwardWithAttachments(), 6 << 10},
		{"200 attachments", manyAttachments(200), 40 << 10},
		{"25 MB photo", bigAttachment(25 * mB), 2 << 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := len(Trim(tc.raw, Limits{})); got > tc.maxSize {
				t.Errorf("len(Trim(%s)) = %d, want at most %d", tc.name, got, tc.maxSize)
			}
		})
	}
}

// TestTrimCutsLongBodies: a body over MaxTextBytes is cut so that what
// enmime decodes is the start of the original, without decoding errors.
func TestTrimCutsLongBodies(t *testing.T) {
	t.Parallel()
	text := []byte(strings.Repeat("Caf\xc3\xa9 = cr\xc3\xa8me, 1+1=2.\r\n", 2000))
	oneLine := bytes.Repeat([]byte("abcdefghij"), 5000)
	odd := []byte(strings.ReplaceAll(base64.StdEncoding.EncodeToString(text), "A", "A\r\n"))
	tests := []struct {
		name, encoding string
		body, decoded  []byte
	}{
		{"8bit", "8bit", text, text},
		{"8bit one long line", "8bit", oneLine, oneLine},
		{"base64", "base64", b64(text), text},
		{"base64 in lines of odd length", "base64", odd, text},
		{"base64 one long line", "base64", []byte(base64.StdEncoding.EncodeToString(text)), text},
		{"quoted-printable", "quoted-printable", qp(text), text},
		{"quoted-printable one long line", "quoted-printable", bytes.Repeat([]byte("=C3=A9"), 3000), bytes.Repeat([]byte("\xc3\xa9"), 3000)},
	}
	for _, tc := range tests {
		for _, wrap := range []string{"single part", "in a multipart"} {
			t.Run(tc.name+", "+wrap, func(t *testing.T) {
				t.Parallel()
				const limit = 10_000
				raw := []byte(topHeader("text/plain; charset=utf-8", "Content-Transfer-Encoding: "+tc.encoding) + "\r\n" + string(tc.body))
				if wrap != "single part" {
					raw = []byte(topHeader(`multipart/mixed; boundary="w"`) + "\r\n--w\r\nContent-Type: text/plain; charset=utf-8\r\n" +
						"Content-Transfer-Encoding: " + tc.encoding + "\r\n\r\n" + string(tc.body) + "\r\n--w\r\nContent-Type: text/plain\r\n\r\nafter\r\n--w--\r\n")
				}
				out := Trim(raw, Limits{MaxTextBytes: limit})
				root, err := parser.ReadParts(bytes.NewReader(out))
				if err != nil {
					t.Fatalf("ReadParts(Trim(%s)): %v", tc.name, err)
				}
				p := root
				if wrap != "single part" {
					p = root.FirstChild
					if p == nil || p.NextSibling == nil || string(p.NextSibling.Content) != "after" {
						t.Fatalf("Trim(%s) lost the part after the cut one", tc.name)
					}
				}
				for _, e := range p.Errors {
					t.Errorf("Trim(%s) left a decoding error: %v", tc.name, e)
				}
				got := p.Content
				// At least half the limit survives, all of it a prefix of
				// the original.
				if len(got) < limit/2*3/4*len(tc.decoded)/len(tc.body) || !bytes.HasPrefix(tc.decoded, got) {
					t.Errorf("Trim(%s) decodes to %d bytes %q…, want a prefix of the original of about %d", tc.name, len(got), got[:min(len(got), 20)], limit)
				}
			})
		}
	}
}

// TestTrimBudget: once MaxTotalBytes are kept, later bodies and parts are
// left out, and a part whose header is too long is left out whole.
func TestTrimBudget(t *testing.T) {
	t.Parallel()
	raw := flatParts(100, 100*1000)
	out := Trim(raw, Limits{MaxTotalBytes: 20_000})
	if n := len(out); n > 21_000+len(topHeader("")) {
		t.Errorf("len(Trim(100 parts, budget 20000)) = %d, want about 20000", n)
	}
	long := []byte(topHeader(`multipart/mixed; boundary="h"`) + "\r\n--h\r\nX-Long: " + strings.Repeat("x", 2000) +
		"\r\nContent-Type: text/plain\r\n\r\nlong header\r\n--h\r\nContent-Type: text/plain\r\n\r\nshort header\r\n--h--\r\n")
	out = Trim(long, Limits{MaxHeaderBytes: 1000})
	if bytes.Contains(out, []byte("long header")) || !bytes.Contains(out, []byte("short header")) {
		t.Errorf("Trim(part with a long header) = %q, want only the other part", out)
	}
}

// TestTrimTextParts: after 16 text/plain parts, Trim leaves further ones
// out, but not a text/plain .ics file.
func TestTrimTextParts(t *testing.T) {
	t.Parallel()
	raw := flatParts(100, 100*60)
	raw = bytes.Replace(raw, []byte("--flat--"), []byte("--flat\r\nContent-Type: text/plain; name=\"reply.ics\"\r\n"+
		"Content-Disposition: attachment\r\n\r\n"+calendarReply+"--flat--"), 1)
	root, err := parser.ReadParts(bytes.NewReader(Trim(raw, Limits{})))
	if err != nil {
		t.Fatal(err)
	}
	n, last := 0, root.FirstChild
	for p := root.FirstChild; p != nil; p = p.NextSibling {
		n, last = n+1, p
	}
	if n != maxTextParts+1 || last.FileName != "reply.ics" || string(last.Content)+"\r\n" != calendarReply {
		t.Errorf("Trim(100 text parts and an .ics) has %d parts, the last %q, want %d and the .ics", n, last.FileName, maxTextParts+1)
	}
	v := verdictOf(t, Trim(raw, Limits{}))
	if v.Result.Kind != classify.CalendarReply {
		t.Errorf("Classify(Trim(100 text parts and an .ics)) = %s, want %s", v.Result.Kind, classify.CalendarReply)
	}
}

// TestTrimHiddenParts: parts enmime would find where Trim does not look
// for them are left out, with what hides them.
func TestTrimHiddenParts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"delimiters one byte into the line", hiddenTextParts(480, 1000)},
		{"delimiters in a part header", hiddenInHeader(480)},
	} {
		parts, _, err := shape(Trim(tc.raw, Limits{}))
		if err != nil || parts > 2+maxTextParts {
			t.Errorf("enmime reads Trim(%s) as %d parts (%v), want at most %d", tc.name, parts, err, 2+maxTextParts)
		}
	}
}

// TestTrimFallsBack: a message whose structure Check refuses gets no more
// than its header through Trim.
func TestTrimFallsBack(t *testing.T) {
	t.Parallel()
	for _, raw := range [][]byte{deepUnclosed(40), flatParts(2000, 2000*60), indentedDelimiters(600)} {
		out := Trim(raw, Limits{})
		if err := Check(out, Limits{}); err != nil {
			t.Errorf("Check(Trim(%.40q)) = %v, want nil", raw, err)
		}
		if len(out) > len(raw) {
			t.Errorf("len(Trim(%.40q)) = %d, want at most %d", raw, len(out), len(raw))
		}
	}
}

// TestTrimKeepsStructure: for real mail, enmime reads Trim's copy as the
// same tree of parts with the same headers, and the same content in every
// part the pipeline reads (an HTML alternative to a text with words is
// not read: see TestTrimLeavesOutHTMLAlternatives).
func TestTrimKeepsStructure(t *testing.T) {
	t.Parallel()
	for _, tc := range realMail {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := tc.build()
			a, err := parser.ReadParts(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			b, err := parser.ReadParts(bytes.NewReader(Trim(raw, Limits{})))
			if err != nil {
				t.Fatal(err)
			}
			var walk func(a, b *enmime.Part)
			walk = func(a, b *enmime.Part) {
				for ; a != nil || b != nil; a, b = a.NextSibling, b.NextSibling {
					if a == nil || b == nil {
						t.Fatalf("Trim(%s): part %v has no counterpart", tc.name, a)
					}
					if a.PartID != b.PartID || !reflect.DeepEqual(a.Header, b.Header) {
						t.Fatalf("Trim(%s): part %s %v, want %s %v", tc.name, b.PartID, b.Header, a.PartID, a.Header)
					}
					dropped := strings.HasPrefix(a.ContentType, "image/") || strings.HasPrefix(a.ContentType, "application/pdf") ||
						strings.HasPrefix(a.ContentType, "application/vnd.")
					// A long body may be cut, and close delimiters added.
					n := len(b.Content)
					if len(a.Content) > 64<<10 {
						n = max(n-100, 0)
					}
					if a.ContentType == "text/html" && len(b.Content) == 0 {
						dropped = true
					}
					if want := a.Content; !dropped && (!bytes.HasPrefix(want, b.Content[:n]) || len(want) <= 64<<10 && len(b.Content) != len(want)) {
						t.Errorf("Trim(%s): part %s holds %.60q, want %.60q", tc.name, a.PartID, b.Content, want)
					}
					if dropped && len(b.Content) != 0 {
						t.Errorf("Trim(%s): part %s (%s) keeps %d bytes, want none", tc.name, a.PartID, a.ContentType, len(b.Content))
					}
					walk(a.FirstChild, b.FirstChild)
				}
			}
			walk(a, b)
		})
	}
}

// TestTrimLeavesSmallMailAlone: a message with nothing to leave out comes
// back as it was.
func TestTrimLeavesSmallMailAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"plain reply", plainReply()},
		{"Google calendar", googleCalendar()},
		{"read receipt", readReceipt()},
	} {
		if got := Trim(tc.raw, Limits{}); !bytes.Equal(got, tc.raw) {
			t.Errorf("Trim(%s) = %q, want it unchanged", tc.name, got)
		}
	}
}

// TestTrimLeavesOutHTMLAlternatives: the HTML alternative to a text part
// that certainly holds words is left out, header kept, body empty; when
// the text may be blank, or may not be the text enmime gives the
// pipeline, the HTML stays. Either way the pipeline decides the same.
func TestTrimLeavesOutHTMLAlternatives(t *testing.T) {
	t.Parallel()
	const html = "<div>Tuesdays work best.</div>"
	part := func(ctype, cte, body string) string {
		h := "Content-Type: " + ctype + "\r\n"
		if cte != "" {
			h += "Content-Transfer-Encoding: " + cte + "\r\n"
		}
		return h + "\r\n" + body + "\r\n"
	}
	multipart := func(ctype, boundary string, parts ...string) string {
		var b strings.Builder
		b.WriteString("Content-Type: " + ctype + "; boundary=\"" + boundary + "\"\r\n\r\n")
		for _, p := range parts {
			b.WriteString("--" + boundary + "\r\n" + p)
		}
		b.WriteString("--" + boundary + "--\r\n")
		return b.String()
	}
	message := func(body string) []byte {
		return []byte("From: Dana <dana@example.test>\r\nTo: accord@example.test\r\nSubject: Re: question\r\nMIME-Version: 1.0\r\n" + body)
	}
	text := part("text/plain; charset=utf-8", "", "Tuesdays work best.")
	htmlPart := part("text/html; charset=utf-8", "quoted-printable", html)
	tests := []struct {
		name     string
		raw      []byte
		leaveOut bool
	}{
		{"text then HTML", message(multipart("multipart/alternative", "a", text, htmlPart)), true},
		{"quoted-printable text", message(multipart("multipart/alternative", "a",
			part("text/plain; charset=utf-8", "quoted-printable", "=20=0D=0ATuesdays=20work."), htmlPart)), true},
		{"base64 text", message(multipart("multipart/alternative", "a",
			part("text/plain; charset=utf-8", "base64", base64.StdEncoding.EncodeToString([]byte("Tuesdays work best."))), htmlPart)), true},
		{"inside mixed", message(multipart("multipart/mixed", "m",
			multipart("multipart/alternative", "a", text, htmlPart), part("text/calendar; method=REPLY", "", "BEGIN:VCALENDAR"))), true},
		{"blank text", message(multipart("multipart/alternative", "a", part("text/plain", "", " \r\n\t"), htmlPart)), false},
		{"escaped blank text", message(multipart("multipart/alternative", "a", part("text/plain", "quoted-printable", "=20=C2=A0=E3=80=80"), htmlPart)), false},
		{"HTML first", message(multipart("multipart/alternative", "a", htmlPart, text)), false},
		{"UTF-16 text", message(multipart("multipart/alternative", "a",
			part("text/plain; charset=utf-16", "base64", base64.StdEncoding.EncodeToString([]byte("\x000\x000"))), htmlPart)), false},
		{"text attached", message(multipart("multipart/alternative", "a",
			"Content-Disposition: attachment\r\n"+text, htmlPart)), false},
		{"nested in an alternative", message(multipart("multipart/alternative", "o",
			multipart("multipart/alternative", "a", text, htmlPart))), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := Trim(tc.raw, Limits{})
			if err := Check(out, Limits{}); err != nil {
				t.Fatalf("Check(Trim(%s)) = %v", tc.name, err)
			}
			env, err := parser.ReadEnvelope(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			var htmlParts, empty int
			_ = env.Root.DepthMatchAll(func(p *enmime.Part) bool {
				if p.ContentType == "text/html" {
					htmlParts++
					if len(p.Content) == 0 {
						empty++
					}
				}
				return false
			})
			if htmlParts != 1 || (empty == 1) != tc.leaveOut {
				t.Errorf("Trim(%s) leaves %d of %d HTML parts empty, want HTML left out = %v", tc.name, empty, htmlParts, tc.leaveOut)
			}
			if got, want := verdictOf(t, out), verdictOf(t, tc.raw); !reflect.DeepEqual(got, want) {
				t.Errorf("pipeline on Trim(%s) = %+v, want %+v", tc.name, got, want)
			}
		})
	}
}
