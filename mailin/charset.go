package mailin

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding/charmap"

	"accord/mailin/mimecheck"
)

// detectingParser is parser (see process.go) with enmime's character set
// detection: text parts of at least 100 characters are decoded in the
// character set chardet is confident of, whatever they declare. It reads
// the messages misread flags, as every message was read before.
var detectingParser = enmime.NewParser(enmime.DisableTextConversion(true), enmime.MultipartWOBoundaryAsSinglePart(true))

// declaredOrUTF8 parses a Content-Type (or Content-Disposition) field as
// enmime does, and gives a text part that declares no character set a
// charset of UTF-8, which enmime passes through unchanged. Without it,
// enmime would run character set detection on the part even with
// detection disabled. Bytes that are not UTF-8 are caught by misread,
// and the message read again with detection.
func declaredOrUTF8(field string) (mtype string, params map[string]string, invalid []string, err error) {
	mtype, params, invalid, err = mimecheck.MediaType(field)
	if err == nil && strings.HasPrefix(mtype, "text/") && params["charset"] == "" {
		if params == nil {
			params = make(map[string]string, 1)
		}
		params["charset"] = "utf-8"
	}
	return mtype, params, invalid, err
}

// misread reports whether a text part of a message read without character
// set detection (see parser) may have been decoded in the wrong character
// set, which detection might have read right: the message is then read
// again with detection, as all messages used to be. Mail from current
// mail programs declares its character sets correctly and is read once.
func misread(env *enmime.Envelope) bool {
	if env.Root == nil {
		return false
	}
	if p := env.Root; p.FirstChild == nil && p.ContentType == "text/html" && !declaresCharset(p) && !ascii(p.Content) {
		// enmime looks for <meta charset> in a single HTML part that
		// declares no character set, but not when one is filled in.
		return true
	}
	return env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
		return strings.HasPrefix(p.ContentType, "text/") && misreadText(p.Content, strings.EqualFold(p.Charset, "utf-8"))
	}) != nil
}

// declaresCharset reports whether a part's Content-Type names a character
// set.
func declaresCharset(p *enmime.Part) bool {
	_, params, _, err := mimecheck.MediaType(p.Header.Get("Content-Type"))
	return err == nil && params["charset"] != ""
}

// ascii reports whether b is all ASCII.
func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// misreadText reports whether decoded text shows signs of a wrong
// character set: bytes that are not UTF-8 (UTF-8 declared or assumed, but
// something else sent), replacement characters (bytes the declared
// multi-byte set could not decode), NULs (UTF-16 not declared as such), or,
// for text decoded from a legacy single-byte set, UTF-8 read as Latin-1
// ("Ã©" for "é") or a text made mostly of accented Latin letters (Cyrillic
// or Greek labelled Latin-1).
func misreadText(b []byte, utf8Declared bool) bool {
	if !utf8.Valid(b) {
		return true
	}
	if ascii(b) {
		return strings.IndexByte(string(b), 0) >= 0
	}
	var letters, latin1 int
	var prev rune
	for _, r := range string(b) {
		switch {
		case r == 0 || r == utf8.RuneError:
			return true
		case utf8Declared:
		case prev >= 0xc2 && prev <= 0xf4 && continuationImage(r):
			return true
		case unicode.IsLetter(r):
			letters++
			if r >= 0xc0 && r <= 0xff {
				latin1++
			}
		}
		prev = r
	}
	return latin1 >= 8 && latin1*3 >= letters
}

// continuationImage reports whether r is what a UTF-8 continuation byte
// (0x80 to 0xBF) becomes when read as ISO-8859-1 or Windows-1252.
func continuationImage(r rune) bool {
	if r >= 0x80 && r <= 0xbf {
		return true
	}
	for _, c := range windows1252Continuations {
		if r == c {
			return true
		}
	}
	return false
}

// windows1252Continuations are the characters Windows-1252 gives the bytes
// 0x80 to 0x9F (the euro sign, curly quotes, dashes...).
var windows1252Continuations = func() []rune {
	var out []rune
	for b := 0x80; b <= 0x9f; b++ {
		if r := charmap.Windows1252.DecodeByte(byte(b)); r > 0xff {
			out = append(out, r)
		}
	}
	return out
}()

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
