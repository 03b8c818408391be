package mimecheck

import (
	"bytes"
)

// The functions here read header fields the way enmime v2 does, so that
// this package sees the same Content-Type value, and so the same boundary,
// as the parser will. enmime is more lenient than RFC 5322: besides the
// folding of section 2.2.3 (a line starting with white space continues
// the field), it joins a line without a colon to the field before it,
// skips a line whose name holds a byte RFC 5322 section 2.2 forbids, and
// accepts a space before the colon.

// lineAt returns the line that starts at i without its line break, as
// bufio.Reader.ReadLine does (LF, or CR LF, removed), and where the next
// line starts.
func lineAt(data []byte, i, end int) (line []byte, next int) {
	j := bytes.IndexByte(data[i:end], '\n')
	if j < 0 {
		return data[i:end], end
	}
	line = data[i : i+j]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, i + j + 1
}

// isFieldByte reports whether c may appear in a field name: RFC 5322
// section 2.2, printable US-ASCII except the colon.
func isFieldByte(c byte) bool { return c > 32 && c < 127 && c != ':' }

// isASCIISpace is enmime's notion of white space around a header line.
func isASCIISpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimASCIISpace(b []byte) []byte {
	for len(b) > 0 && isASCIISpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isASCIISpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// lineKind is what enmime makes of one line of a header block.
type lineKind int

const (
	lineEnd          lineKind = iota // the empty line that ends the header
	lineContinuation                 // joined to the field before it
	lineSkipped                      // dropped
	lineField                        // starts a new field
)

// classifyLine tells what enmime makes of a header line, and for a field the
// index of the colon that ends its name (after the one space before a
// colon that enmime removes).
func classifyLine(line []byte) (lineKind, int) {
	if len(line) == 0 {
		return lineEnd, 0
	}
	if isASCIISpace(line[0]) {
		return lineContinuation, 0
	}
	colon := bytes.IndexByte(line, ':')
	switch {
	case colon == 0:
		return lineSkipped, 0
	case colon < 0:
		return lineContinuation, 0
	}
	if line[colon-1] == ' ' {
		// enmime replaces the first " :" with ":", and the first is this
		// one: the name loses a space.
		colon--
	}
	for _, c := range line[:colon] {
		if c != ' ' && !isFieldByte(c) {
			return lineSkipped, 0
		}
	}
	return lineField, colon
}

// fieldValue returns the value of the field whose first line starts at i,
// with its continuation lines joined as enmime joins them, and whether
// the joined value stays within max bytes. The field must end by end.
func fieldValue(data []byte, i, end, max int) ([]byte, bool) {
	first, next := lineAt(data, i, end)
	_, colon := classifyLine(first)
	rest := first[colon+1:]
	if first[colon] == ' ' {
		// "Name :", whose space enmime removed.
		rest = first[colon+2:]
	}
	// enmime trims the whole first line, then the value's start.
	rest = bytes.TrimLeft(bytes.TrimRight(rest, " \t\r\n"), " \t")
	if len(rest) > max {
		return nil, false
	}
	v := append([]byte(nil), rest...)
	for next < end {
		var line []byte
		line, next = lineAt(data, next, end)
		kind, _ := classifyLine(line)
		switch kind {
		case lineContinuation:
			if isASCIISpace(line[0]) {
				line = trimASCIISpace(line)
			}
			if len(v)+1+len(line) > max {
				return nil, false
			}
			v = append(append(v, ' '), line...)
			continue
		case lineSkipped:
			continue
		}
		break
	}
	// The second pass of enmime's reader trims spaces and tabs, also
	// those a continuation brings after an empty first line.
	return bytes.Trim(v, " \t"), true
}

// isField reports whether line starts a field of the given lower-case name
// for enmime. loose also accepts white space before the colon, as a
// superset of what enmime could read as that field.
func isField(line []byte, name string, loose bool) bool {
	if len(line) <= len(name) || line[0]|0x20 != name[0] {
		return false
	}
	kind, colon := classifyLine(line)
	if kind != lineField {
		return false
	}
	key := line[:colon]
	if loose {
		key = bytes.TrimRight(key, " \t")
	}
	return len(key) == len(name) && bytes.EqualFold(key, []byte(name))
}

// containsFold reports whether s contains the lower-case ASCII word.
func containsFold(s []byte, word string) bool {
	for len(s) >= len(word) {
		i := bytes.IndexByte(s, word[0])
		j := bytes.IndexByte(s, word[0]-32)
		switch {
		case i < 0 && j < 0:
			return false
		case i < 0 || (j >= 0 && j < i):
			i = j
		}
		if len(s)-i < len(word) {
			return false
		}
		if bytes.EqualFold(s[i:i+len(word)], []byte(word)) {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// parseType parses a Content-Type or Content-Disposition value with
// enmime's own lenient parser (RFC 2045 section 5.1, RFC 2231 parameter
// continuations), returning the lower-case type and the parameters.
func parseType(v []byte) (string, map[string]string, error) {
	t, params, _, err := MediaType(string(v))
	return t, params, err
}

// headerEnd returns where the header block that starts at i ends: after
// its empty line, or at end.
func headerEnd(data []byte, i, end int) int {
	for i < end {
		line, next := lineAt(data, i, end)
		if len(line) == 0 {
			return next
		}
		i = next
	}
	return end
}

// firstField returns the value of the first field of the given lower-case
// name in the header block [i, end), as enmime's Header.Get would, if
// there is one of at most max bytes.
func firstField(data []byte, i, end int, name string, max int) ([]byte, bool) {
	for i < end {
		line, next := lineAt(data, i, end)
		if len(line) == 0 {
			return nil, false
		}
		if isField(line, name, false) {
			return fieldValue(data, i, end, max)
		}
		i = next
	}
	return nil, false
}
