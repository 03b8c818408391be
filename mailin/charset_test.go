package mailin

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"accord/store"
	"accord/store/storetest"
)

// utf16Bytes encodes s as UTF-16 in the given order, with a byte order
// mark when bom is set.
func utf16Bytes(s string, order binary.AppendByteOrder, bom bool) []byte {
	var out []byte
	if bom {
		out = order.AppendUint16(out, 0xfeff)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

// TestUTF16Replies: replies in UTF-16, as some Windows mail programs send
// them, are stored as the person wrote them, whether the part names the
// charset or not, with or without a byte order mark, in either byte
// order; text that still cannot be read is refused politely, and nothing
// garbled is stored.
func TestUTF16Replies(t *testing.T) {
	t.Parallel()
	const answer = "Wir vertrauen einander — schön, oder? 信頼"
	le, be := binary.LittleEndian, binary.BigEndian
	cases := []struct {
		name, contentType, encoding string
		body                        []byte
		want                        string // "" means refused as unreadable
	}{
		{"declared utf-16 with a mark", "text/plain; charset=utf-16", "base64", utf16Bytes(answer, le, true), answer},
		{"declared utf-16, big endian, no mark", "text/plain; charset=utf-16", "base64", utf16Bytes(answer, be, false), answer},
		{"declared utf-16be", "text/plain; charset=utf-16be", "base64", utf16Bytes(answer, be, false), answer},
		{"no charset, a mark", "text/plain", "base64", utf16Bytes(answer, le, true), answer},
		{"labelled utf-8, little endian without a mark", "text/plain; charset=utf-8", "base64", utf16Bytes(answer, le, false), answer},
		{"Windows' name for it", "text/plain; charset=unicode", "base64", utf16Bytes(answer, be, true), answer},
		{"HTML in utf-16", "text/html; charset=utf-16", "base64", utf16Bytes("<p>"+answer+"</p>", le, true), answer},
		{"Windows-1252 labelled Latin-1", "text/plain; charset=iso-8859-1", "8bit", []byte("We \x93agree\x94 \x96 mostly."), "We “agree” – mostly."},
		{"binary junk", "text/plain; charset=utf-8", "base64", []byte("ok\x00\x01\x02\x03 then \x00\x00 stuff\x07"), ""},
	}
	storetest.Each(t, func(t *testing.T, url string) {
		for _, c := range cases {
			// A pair of its own each time: the last case's answer must not
			// stand in for this one.
			if strings.HasPrefix(url, "sqlite:") {
				url = storetest.SQLiteURL(t)
			} else {
				url = storetest.PostgresURL(t)
			}
			e := newEnv(t, url, nil)
			pr := e.processor("p1")
			raw := replyMail("dana@example.test", e.lastMail("dana@example.test"), "placeholder")
			head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
			head = strings.Replace(head, "Content-Type: text/plain; charset=utf-8", "Content-Type: "+c.contentType+"\r\nContent-Transfer-Encoding: "+c.encoding, 1)
			body := string(c.body)
			if c.encoding == "base64" {
				body = base64.StdEncoding.EncodeToString(c.body)
			}
			res := e.process(pr, 1, []byte(head+"\r\n\r\n"+body+"\r\n"))
			got := e.answers(e.dana)
			switch {
			case c.want == "" && (res.Outcome != store.InboundUnreadable || len(got) != 0):
				t.Errorf("%s: %q, stored %q; want refused as unreadable, nothing stored", c.name, res.Outcome, got)
			case c.want != "" && (res.Outcome != store.InboundAnswer || len(got) != 1 || got[0] != c.want):
				t.Errorf("%s: %q, stored %q; want the answer %q", c.name, res.Outcome, got, c.want)
			}
		}
	})
}
