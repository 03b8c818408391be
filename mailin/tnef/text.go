package tnef

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// codepageUTF8 is Windows's number for UTF-8.
const codepageUTF8 = 65001

// codepages are the Windows code pages that 8-bit strings are decoded
// from, by number; an unknown one is read as Windows-1252, the code page
// of almost every real winmail.dat.
var codepages = map[uint32]encoding.Encoding{
	437:   charmap.CodePage437,
	850:   charmap.CodePage850,
	852:   charmap.CodePage852,
	866:   charmap.CodePage866,
	874:   charmap.Windows874,
	932:   japanese.ShiftJIS,
	936:   simplifiedchinese.GBK,
	949:   korean.EUCKR,
	950:   traditionalchinese.Big5,
	1250:  charmap.Windows1250,
	1251:  charmap.Windows1251,
	1252:  charmap.Windows1252,
	1253:  charmap.Windows1253,
	1254:  charmap.Windows1254,
	1255:  charmap.Windows1255,
	1256:  charmap.Windows1256,
	1257:  charmap.Windows1257,
	1258:  charmap.Windows1258,
	10000: charmap.Macintosh,
	20866: charmap.KOI8R,
	21866: charmap.KOI8U,
	28591: charmap.ISO8859_1,
	28592: charmap.ISO8859_2,
	28595: charmap.ISO8859_5,
	28597: charmap.ISO8859_7,
	28605: charmap.ISO8859_15,
	50220: japanese.ISO2022JP,
	51932: japanese.EUCJP,
	54936: simplifiedchinese.GB18030,
}

// string8 decodes an 8-bit string in code page cp, up to its first NUL.
func string8(b []byte, cp uint32) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if cp == codepageUTF8 {
		return clean(string(b))
	}
	enc, ok := codepages[cp]
	if !ok {
		enc = charmap.Windows1252
	}
	s, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		s, _ = charmap.Windows1252.NewDecoder().Bytes(b)
	}
	return clean(string(s))
}

// unicode decodes a PT_UNICODE string, UTF-16LE, up to its first NUL. An
// odd last octet is dropped and an unpaired surrogate becomes U+FFFD.
func unicode(b []byte) string {
	s := make([]byte, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		r := rune(binary.LittleEndian.Uint16(b[i:]))
		if r == 0 {
			break
		}
		if utf16.IsSurrogate(r) {
			var low rune
			if i+3 < len(b) {
				low = rune(binary.LittleEndian.Uint16(b[i+2:]))
			}
			if r = utf16.DecodeRune(r, low); r != utf8.RuneError {
				i += 2
			}
		}
		s = utf8.AppendRune(s, r)
	}
	return string(s)
}

// clean makes s valid UTF-8 without NULs: what a string in a Message
// always is.
func clean(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// text decodes a string property's value.
func (v value) text(cp uint32) string {
	if v.typ == ptUnicode {
		return clean(unicode(v.data))
	}
	return string8(v.data, cp)
}

// filetimeEpoch is 1601-01-01 UTC, where a FILETIME counts from, as
// seconds from the Unix epoch.
const filetimeEpoch = -11644473600

// filetime decodes a PT_SYSTIME, a FILETIME: 100-nanosecond intervals
// since 1601-01-01 UTC. Zero is no time, and so is a time after the year
// 9999, which no iCalendar date can hold.
func filetime(b []byte) time.Time {
	if len(b) != 8 {
		return time.Time{}
	}
	ft := binary.LittleEndian.Uint64(b)
	if ft == 0 {
		return time.Time{}
	}
	t := time.Unix(int64(ft/1e7)+filetimeEpoch, int64(ft%1e7)*100).UTC()
	if t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// dtr decodes a TNEF DTR structure, the data of attDateStart and
// attDateEnd: seven little-endian uint16, year, month, day, hour, minute,
// second and day of the week, the last ignored. It is read as UTC, as
// attDateStart stands for PidTagStartDate, a UTC time, and as Exchange and
// Windows Mobile write it; Outlook has been seen to write the sender's
// local time, which is why the properties come first. A date that does not
// exist, or falls outside the years 1601 to 9999, is no time.
func dtr(b []byte) time.Time {
	if len(b) < 12 {
		return time.Time{}
	}
	var f [6]int
	for i := range f {
		f[i] = int(binary.LittleEndian.Uint16(b[2*i:]))
	}
	year, month, day, hour, minute, second := f[0], f[1], f[2], f[3], f[4], f[5]
	t, ok := validDate(year, month, day)
	if !ok || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}
	}
	return t.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute + time.Duration(second)*time.Second)
}

// validDate is midnight UTC of the given day, and whether that day exists
// in the years both a FILETIME and an iCalendar date can hold, 1601 to
// 9999.
func validDate(year, month, day int) (time.Time, bool) {
	if year < 1601 || year > 9999 || month < 1 || month > 12 || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == day
}

// smtpAddress is s as a plain SMTP address (local@domain), without an
// "SMTP:" prefix, or "" when s does not look like one: an Exchange
// distinguished name (/O=...), a display name, anything with spaces,
// brackets, quotes or a second @.
func smtpAddress(s string) string {
	if len(s) >= 5 && strings.EqualFold(s[:5], "SMTP:") {
		s = s[5:]
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
		return ""
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7F || r == utf8.RuneError || strings.ContainsRune("<>()[]\\,;:\"", r) {
			return ""
		}
	}
	return s
}

// trpAddress is the SMTP address in the data of attFrom, a TRP structure:
// trpid, the size of the structure, the length of the display name and
// the length of the address (uint16 each), then the NUL-terminated display
// name, padded to an even length, and the address, "SMTP:local@domain".
// An address of another type gives "".
func trpAddress(b []byte, cp uint32) string {
	d := decoder{b: b}
	_, ok1 := d.uint16()
	_, ok2 := d.uint16()
	nameLen, ok3 := d.uint16()
	addrLen, ok4 := d.uint16()
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return ""
	}
	if _, ok := d.bytes(uint32(nameLen)); !ok {
		return ""
	}
	if nameLen%2 == 1 && d.len() > 0 && d.b[d.off] == 0 {
		d.off++
	}
	addr, ok := d.bytes(uint32(addrLen))
	if !ok {
		return ""
	}
	s := string8(addr, cp)
	if len(s) < 5 || !strings.EqualFold(s[:5], "SMTP:") {
		return ""
	}
	return smtpAddress(s)
}
