package mailin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"accord/mailin/mimecheck"

	"accord/internal/corpus"
)

// corpusMail is every .eml file of the shared corpora: replies, calendar
// mail and automatic mail.
func corpusMail(t *testing.T) map[string][]byte {
	t.Helper()
	var files []string
	for _, set := range []string{"replies", "calendar", "automatic"} {
		found, err := filepath.Glob(filepath.Join(corpus.Dir(t, set, "", corpus.Required()), "*.eml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, found...)
	}
	out := map[string][]byte{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f)] = raw
	}
	return out
}

// TestSplitReadsAsEnmime: every message of the corpora that Split takes
// apart reads, part by part, exactly as enmime reads it whole: the same
// tree, the same decoded contents, headers, errors, text and HTML. Most
// messages must take that way, or it is not the way replies are read.
func TestSplitReadsAsEnmime(t *testing.T) {
	t.Parallel()
	mail := corpusMail(t)
	split := 0
	for name, raw := range mail {
		byParts, problem := compareSplit(raw)
		if problem != "" {
			t.Errorf("%s: %s", name, problem)
		}
		if byParts {
			split++
		}
	}
	t.Logf("%d of %d messages read by parts", split, len(mail))
	if split < len(mail)*3/4 {
		t.Errorf("only %d of %d messages read by parts", split, len(mail))
	}
}

// compareSplit reads raw as parseMessage would, by parts where it can, and
// whole with enmime, with either parser; byParts says whether it was read
// by parts, problem how the readings differ ("" when they do not).
func compareSplit(raw []byte) (byParts bool, problem string) {
	if mimecheck.Check(raw, mimeLimits) != nil {
		return false, ""
	}
	trimmed := mimecheck.Trim(raw, mimeLimits)
	node, ok := mimecheck.Split(trimmed, mimeLimits)
	if !ok {
		return false, ""
	}
	for _, p := range []*enmime.Parser{parser, detectingParser} {
		whole, errWhole := p.ReadEnvelope(bytes.NewReader(trimmed))
		parts, errParts := readSplit(p, node)
		if errors.Is(errParts, errReadWhole) {
			continue
		}
		byParts = true
		if (errWhole == nil) != (errParts == nil) {
			return true, fmt.Sprintf("enmime: %v, by parts: %v\n%q", errWhole, errParts, trimmed)
		}
		if errWhole != nil {
			continue
		}
		if diff := envelopeDiff(whole, parts); diff != "" {
			return true, fmt.Sprintf("read by parts differs from enmime: %s\n%q", diff, trimmed)
		}
	}
	return byParts, ""
}

// envelopeDiff describes the first difference between two envelopes, in
// what the pipeline can see of them, or is "".
func envelopeDiff(a, b *enmime.Envelope) string {
	switch {
	case a.Text != b.Text:
		return fmt.Sprintf("text %q, want %q", b.Text, a.Text)
	case a.HTML != b.HTML:
		return fmt.Sprintf("HTML %q, want %q", b.HTML, a.HTML)
	case !reflect.DeepEqual(errorTexts(a.Errors), errorTexts(b.Errors)):
		return fmt.Sprintf("errors %v, want %v", errorTexts(b.Errors), errorTexts(a.Errors))
	}
	for _, l := range []struct {
		name string
		a, b []*enmime.Part
	}{{"attachments", a.Attachments, b.Attachments}, {"inlines", a.Inlines, b.Inlines}, {"other parts", a.OtherParts, b.OtherParts}} {
		if !reflect.DeepEqual(partIDs(l.a), partIDs(l.b)) {
			return fmt.Sprintf("%s %v, want %v", l.name, partIDs(l.b), partIDs(l.a))
		}
	}
	return partDiff(a.Root, b.Root)
}

func partDiff(a, b *enmime.Part) string {
	if a == nil || b == nil {
		if a != b {
			return fmt.Sprintf("part %v, want %v", b, a)
		}
		return ""
	}
	type view struct {
		PartID, Boundary, ContentID, ContentType, Disposition, FileName, Charset, OrigCharset string
		Params                                                                                map[string]string
		Header                                                                                map[string][]string
		Errors                                                                                []string
		Content, Epilogue                                                                     string
		Children                                                                              int
	}
	of := func(p *enmime.Part) view {
		n := 0
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			n++
		}
		return view{p.PartID, p.Boundary, p.ContentID, p.ContentType, p.Disposition, p.FileName, p.Charset, p.OrigCharset,
			p.ContentTypeParams, p.Header, errorTexts(p.Errors), string(p.Content), string(p.Epilogue), n}
	}
	if va, vb := of(a), of(b); !reflect.DeepEqual(va, vb) {
		return fmt.Sprintf("part %s:\n got %+v\nwant %+v", a.PartID, vb, va)
	}
	for ca, cb := a.FirstChild, b.FirstChild; ca != nil; ca, cb = ca.NextSibling, cb.NextSibling {
		if d := partDiff(ca, cb); d != "" {
			return d
		}
	}
	return ""
}

func errorTexts(errs []*enmime.Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func partIDs(ps []*enmime.Part) string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.PartID)
	}
	return strings.Join(ids, ",")
}

// FuzzSplit: whatever a stranger sends, a message Split takes apart reads
// by parts exactly as enmime reads it whole, with either parser.
func FuzzSplit(f *testing.F) {
	f.Add([]byte("Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYes.\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>Yes.</p>\r\n--a--\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nJa=C3=A9\r\n--a--\r\n\r\n--m\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n--m--\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: image/png; name=a.png\r\nContent-Disposition: attachment; filename=a.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--x--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if _, problem := compareSplit(raw); problem != "" {
			t.Fatal(problem)
		}
	})
}

func TestHeaderFirst(t *testing.T) {
	t.Parallel()
	const msg = "From: a@example.org\r\nSubject: hi\r\n\r\nHello\r\n"
	for _, tc := range []struct{ in, want string }{
		{msg, msg},
		{"\r\n" + msg, msg},
		{"\n" + msg, msg},
		{" \t\r\n\r\n" + msg, msg},
		// Nothing like a header after the blank lines: left as it is.
		{"\r\nHello there\r\n", "\r\nHello there\r\n"},
		{"\r\n\r\n", "\r\n\r\n"},
		{"\r\n:no name\r\n", "\r\n:no name\r\n"},
		{"", ""},
	} {
		if got := string(headerFirst([]byte(tc.in))); got != tc.want {
			t.Errorf("headerFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if h := header([]byte("\r\n" + msg)); h.Get("Subject") != "hi" {
		t.Errorf("header after a blank first line: Subject %q", h.Get("Subject"))
	}
}

// TestExtractFixtures reads every whole message under testdata/extract the
// way a reply is read (ExtractReply) and compares with the .want.txt
// beside it: blank lines before the header, forwarded and attached mail
// after the person's words, a reply that is only a quote.
func TestExtractFixtures(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob(filepath.Join("testdata", "extract", "*.eml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no fixtures in testdata/extract (%v)", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(in, ".eml") + ".want.txt")
			if err != nil {
				t.Fatal(err)
			}
			got, err := ExtractReply(raw)
			if err != nil {
				t.Fatalf("ExtractReply: %v", err)
			}
			if w := strings.TrimSpace(string(want)); got != w {
				t.Errorf("ExtractReply = %q, want %q", got, w)
			}
		})
	}
}
