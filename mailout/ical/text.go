package ical

import (
	"strings"
	"unicode/utf8"
)

// maxLineOctets is the longest physical line RFC 5545 section 3.1 allows,
// not counting the CRLF.
const maxLineOctets = 75

// cleanText makes s valid UTF-8 and drops the control characters that
// RFC 5545 forbids in values; line breaks become "\n" and tabs stay.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// escapeText encodes a TEXT value (RFC 5545 section 3.3.11): backslash,
// semicolon, comma and line breaks are escaped, nothing else is.
func escapeText(s string) string {
	s = cleanText(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unescapeText decodes a TEXT value. Unknown escapes keep the escaped
// character, which is what most readers do with what Outlook sends.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// paramValue encodes a parameter value. RFC 5545 has no escape for a double
// quote inside a parameter, so it becomes a single quote; line breaks
// become spaces. The value is quoted when it holds a colon, semicolon or
// comma, or when always is set.
func paramValue(s string, always bool) string {
	s = strings.ReplaceAll(cleanText(s), "\n", " ")
	s = strings.ReplaceAll(s, `"`, "'")
	if always || strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// fold appends the content line to b, folded so that no physical line is
// longer than 75 octets, never inside a UTF-8 sequence, and ended by CRLF.
func fold(b *strings.Builder, line string) {
	limit := maxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 {
			cut = limit // not UTF-8; never loop forever
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		// A continuation starts with the space, which counts.
		limit = maxLineOctets - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
