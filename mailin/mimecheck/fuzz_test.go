package mimecheck

import (
	"bufio"
	"bytes"
	"errors"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

// fuzzLimits are small, so that the fuzzer reaches them with small inputs.
var fuzzLimits = Limits{MaxParts: 12, MaxDepth: 3, MaxHeaderBytes: 512, MaxTextBytes: 64, MaxTotalBytes: 256}

func addSeeds(f *testing.F) {
	for _, tc := range realMail {
		if raw := tc.build(); len(raw) < 64<<10 {
			f.Add(raw)
		}
	}
	for _, raw := range [][]byte{
		unindentedBoundary(3), skippedLineBoundary(3), rfc2231Boundary(3), oddFieldName(3),
		spacedBoundary(3), indentedDelimiters(3), closeInHeader(3), reusedBoundary(3),
		hiddenTextParts(20, 10), hiddenInHeader(20), flatParts(20, 20*40),
		deepUnclosed(4), deepClosed(4, 10), flatParts(5, 300), nestedForwards(2), lookalikes(300),
		[]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\rY--b \r\nZ--b \r\n\r\ny\r\n--b--\r\n"),
		[]byte("Content-Type: multipart/mixed; boundary=b\n\npre --b \n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nq\n--b--\n"),
	} {
		f.Add(raw)
	}
}

// FuzzCheck: Check never panics, returns only *Error, and when it passes a
// message, enmime reads it in no more parts and no deeper than the limits
// allow: Check's counts are never below enmime's.
func FuzzCheck(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := Check(raw, fuzzLimits)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q) = %v, want an *Error", raw, err)
			}
			return
		}
		parts, depth, err := shape(raw)
		if err != nil {
			return
		}
		if parts > fuzzLimits.MaxParts || depth > fuzzLimits.MaxDepth {
			t.Errorf("Check(%q) = nil, but enmime reads %d parts %d deep, over %d parts %d deep",
				raw, parts, depth, fuzzLimits.MaxParts, fuzzLimits.MaxDepth)
		}
	})
}

// FuzzTrim: Trim never panics, never grows the message, leaves its input
// alone, and its result always passes Check.
func FuzzTrim(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		orig := bytes.Clone(raw)
		out := Trim(raw, fuzzLimits)
		if len(out) > len(raw) {
			t.Errorf("len(Trim(%q)) = %d, want at most %d", raw, len(out), len(raw))
		}
		if !bytes.Equal(raw, orig) {
			t.Errorf("Trim(%q) modified its input", orig)
		}
		if err := Check(out, fuzzLimits); err != nil {
			t.Errorf("Check(Trim(%q)) = %v, want nil", raw, err)
		}
		// What enmime joins into one string is bounded too.
		root, err := parser.ReadParts(bytes.NewReader(out))
		if err != nil {
			return
		}
		texts := root.DepthMatchAll(func(p *enmime.Part) bool {
			return p.ContentType == "text/plain" && p.Disposition != "attachment" && p != root
		})
		if len(texts) > maxTextParts {
			t.Errorf("enmime reads %d text parts in Trim(%q), want at most %d", len(texts), raw, maxTextParts)
		}
	})
}

// nopCollector drops enmime's header warnings.
type nopCollector struct{}

func (nopCollector) AddError(string, string, ...any)   {}
func (nopCollector) AddWarning(string, string, ...any) {}

// FuzzContentType: the Content-Type value this package reads from a header
// block is the one enmime reads, so both see the same boundary.
func FuzzContentType(f *testing.F) {
	for _, s := range []string{
		"Content-Type: multipart/mixed;\r\n\tboundary=\"x\"\r\n\r\n",
		"Content-Type: multipart/mixed;\r\nboundary=x\r\n\r\n",
		"content-type : text/plain\r\n\r\n",
		"X: y\r\nContent-Type:\r\n b\xe4d: z\r\n boundary=q \r\n\r\n",
		"Content-Type: a\r\r\nb\r\n:c\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(raw)), nopCollector{})
		if err != nil {
			return
		}
		vv := h["Content-Type"]
		got, ok := firstField(raw, 0, headerEnd(raw, 0, len(raw)), "content-type", len(raw))
		if !ok && len(got) == 0 && len(vv) == 0 {
			return
		}
		if len(vv) == 0 || !ok || string(got) != vv[0] {
			t.Errorf("firstField(%q) = %q, %v; enmime reads %q", raw, got, ok, vv)
		}
	})
}
