package mailin

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// textOf returns the text of a body part as enmime left it, repairing the
// UTF-16 that mail programs on Windows sometimes send (RFC 2781): enmime
// decodes it only when the part names it as its charset, assumes little
// endian without a byte order mark, and leaves it undecoded otherwise. ok
// is false when the text still holds bytes no person typed (NULs, invalid
// UTF-8): such mail is refused politely rather than stored garbled.
func textOf(s string) (text string, ok bool) {
	switch {
	case strings.HasPrefix(s, "\xff\xfe"):
		s = fromUTF16([]byte(s[2:]), false)
	case strings.HasPrefix(s, "\xfe\xff"):
		s = fromUTF16([]byte(s[2:]), true)
	case looksUTF16(s):
		// No byte order mark: the zero bytes of ASCII text say which way.
		s = fromUTF16([]byte(s), strings.HasPrefix(s, "\x00"))
	}
	s = strings.TrimPrefix(s, "\ufeff")
	if swapped, yes := byteSwapped(s); yes {
		s = swapped
	}
	s = strings.Map(windows1252, s)
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unwritten) {
		return "", false
	}
	return s, true
}

// looksUTF16 reports whether s is UTF-16 mistaken for bytes: text in Latin
// letters has a zero byte in every other position.
func looksUTF16(s string) bool {
	if len(s) < 4 {
		return false
	}
	zeros := strings.Count(s, "\x00")
	return zeros*3 >= len(s)
}

// fromUTF16 decodes UTF-16 of the given byte order; an odd last byte is
// dropped.
func fromUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

// byteSwapped undoes big-endian UTF-16 that was decoded as little endian
// (enmime's guess for "utf-16" without a byte order mark): ASCII then
// turns into characters whose low byte is zero, such as U+5700 for "W".
// When most characters look like that, the text is swapped back.
func byteSwapped(s string) (string, bool) {
	n, odd := 0, 0
	for _, r := range s {
		n++
		if r > 0xff && r <= 0xffff && r&0xff == 0 {
			odd++
		}
	}
	if n < 4 || odd*2 < n {
		return "", false
	}
	u := utf16.Encode([]rune(s))
	for i, c := range u {
		u[i] = c<<8 | c>>8
	}
	return string(utf16.Decode(u)), true
}

// windows1252 maps the C1 control characters that text labelled
// ISO-8859-1 but written in Windows-1252 decodes to (Outlook's curly
// quotes and dashes, 0x80 to 0x9F) to the characters meant.
func windows1252(r rune) rune {
	if r < 0x80 || r > 0x9f {
		return r
	}
	if d, err := charmap.Windows1252.NewDecoder().String(string([]byte{byte(r)})); err == nil {
		if m, _ := utf8.DecodeRuneInString(d); m != utf8.RuneError {
			return m
		}
	}
	return r
}

// unwritten reports characters no person types into a reply: controls
// other than tabs and line breaks (a NUL is what undecoded UTF-16 leaves).
func unwritten(r rune) bool {
	switch r {
	case '\t', '\n', '\r', '\f':
		return false
	}
	return unicode.IsControl(r)
}
