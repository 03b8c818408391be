package mimecheck

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	crlf := func(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }
	alt := "Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nYes.\n--a\nContent-Type: text/html\n\n<p>Yes.</p>\n--a--\n"
	tests := []struct {
		name  string
		raw   []byte
		shape string // each node's type letter: L leaf, M(…) multipart
	}{
		{"plain message", crlf("From: a@example.test\n\nHello\n"), "L"},
		{"no Content-Type at the top", crlf("Subject: x\n\nHello\n"), "L"},
		{"alternative", crlf(alt), "M(LL)"},
		{"nested", crlf("Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nYes.\n--a--\n\n--m\nContent-Type: text/calendar; method=REPLY\n\nBEGIN:VCALENDAR\n--m--\n"), "M(M(L)L)"},
		{"a part without a Content-Type", crlf("Content-Type: multipart/mixed; boundary=m\n\n--m\n\nHello\n--m--\n"), ""},
		{"an empty Content-Type", crlf("Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type:\n\nHello\n--m--\n"), ""},
		{"no close delimiter", crlf("Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nHello\n"), ""},
		{"text after the close delimiter", crlf("Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nHello\n--m--x\n"), ""},
		{"a preamble", crlf("Content-Type: multipart/mixed; boundary=m\n\nThis is MIME.\n--m\nContent-Type: text/plain\n\nHello\n--m--\n"), ""},
		{"the boundary inside a part", crlf("Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nsee --m here\n--m--\n"), ""},
		{"a boundary on another type", crlf("Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: application/x; boundary=b\n\n--b--\n--m--\n"), ""},
		{"a multipart without a boundary", crlf("Content-Type: multipart/mixed\n\nHello\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, ok := Split(tt.raw, Limits{})
			if got := splitShape(root, ok); got != tt.shape {
				t.Errorf("Split = %q, want %q", got, tt.shape)
			}
		})
	}
	root, _ := Split(crlf(alt), Limits{})
	if got := string(root.Children[0].Body); got != "Yes." {
		t.Errorf("first part's body = %q, want it without the line break that belongs to the delimiter", got)
	}
}

func splitShape(n *Node, ok bool) string {
	if !ok {
		return ""
	}
	if n.Boundary == "" {
		return "L"
	}
	s := "M("
	for _, c := range n.Children {
		s += splitShape(c, true)
	}
	return s + ")"
}

func TestMediaType(t *testing.T) {
	t.Parallel()
	for _, v := range []string{
		"text/plain; charset=utf-8",
		`multipart/alternative; boundary="=_a b"`,
		"TEXT/HTML; CHARSET=ISO-8859-1; format=flowed",
		"text/plain; charset",
		"attachment; filename*=UTF-8''caf%C3%A9.ics",
		"",
		";;;",
	} {
		for range 2 { // the second time from memory
			mt, params, invalid, err := MediaType(v)
			wmt, wparams, winvalid, werr := mediatype.Parse(v)
			if mt != wmt || !reflect.DeepEqual(params, wparams) || !reflect.DeepEqual(invalid, winvalid) || (err == nil) != (werr == nil) {
				t.Errorf("MediaType(%q) = %q %v %v %v, want %q %v %v %v", v, mt, params, invalid, err, wmt, wparams, winvalid, werr)
			}
			if params != nil {
				params["charset"] = "changed by the caller"
			}
		}
	}
}
