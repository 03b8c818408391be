package mimecheck

import (
	"bytes"
	"fmt"
	"strings"
)

// The messages here each hide many parts or deep nesting from a reader
// less lenient than enmime; Check must count what enmime will see.

// partsAfter is a root header followed by n tiny parts delimited by
// "--"+boundary, and the close delimiter.
func partsAfter(header, boundary string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", boundary, i)
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

const trickHead = "From: dana@example.test\r\nTo: accord@example.test\r\nMessage-ID: <t@example.test>\r\nMIME-Version: 1.0\r\n"

// unindentedBoundary declares the boundary on a line without a colon,
// which enmime joins to the field before.
func unindentedBoundary(n int) []byte {
	return partsAfter(trickHead+"Content-Type: multipart/mixed;\r\nboundary=\"nb\"\r\n", "nb", n)
}

// skippedLineBoundary puts a line enmime drops (its name holds a byte
// RFC 5322 forbids) between the field and its continuation.
func skippedLineBoundary(n int) []byte {
	return partsAfter(trickHead+"Content-Type: multipart/mixed;\r\nb\xe4d: x\r\nboundary=\"sk\"\r\n", "sk", n)
}

// rfc2231Boundary splits the boundary into RFC 2231 continuations.
func rfc2231Boundary(n int) []byte {
	return partsAfter(trickHead+"Content-Type: multipart/mixed; boundary*0=\"ab\"; boundary*1=\"cd\"\r\n", "abcd", n)
}

// oddFieldName spells the field name in capitals with a space before the
// colon, which enmime accepts.
func oddFieldName(n int) []byte {
	return partsAfter(trickHead+"CONTENT-TYPE : multipart/mixed; BOUNDARY=\"odd\"\r\n", "odd", n)
}

// spacedBoundary has spaces inside its quoted boundary (RFC 2046 bchars).
func spacedBoundary(n int) []byte {
	return partsAfter(trickHead+"Content-Type: multipart/mixed; boundary=\"a b c\"\r\n", "a b c", n)
}

// indentedDelimiters starts every delimiter one byte into its line,
// where enmime still finds it.
func indentedDelimiters(n int) []byte {
	raw := string(partsAfter(trickHead+"Content-Type: multipart/mixed; boundary=\"ind\"\r\n", "ind", n))
	return []byte(strings.ReplaceAll(raw, "\r\n--ind\r\n", "\r\n --ind\r\n"))
}

// closeInHeader puts what looks like the close delimiter into the header
// that declares the boundary, before enmime reads the body with it.
func closeInHeader(n int) []byte {
	return partsAfter(trickHead+"Content-Type: multipart/mixed; boundary=\"ch\"\r\n--ch--: x\r\n", "ch", n)
}

// reusedBoundary nests multiparts that all use the same boundary and
// closes only the innermost declaration each time.
func reusedBoundary(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(trickHead + "Content-Type: multipart/mixed; boundary=\"re\"\r\n\r\n")
	for range depth {
		b.WriteString("--re\r\nContent-Type: multipart/mixed; boundary=\"re\"\r\n\r\n")
	}
	b.WriteString("--re\r\nContent-Type: text/plain\r\n\r\nhi\r\n--re--\r\n")
	return b.Bytes()
}

// longContentType declares a boundary in a Content-Type field padded past
// maxContentType.
func longContentType() []byte {
	return partsAfter(trickHead+"Content-Type: multipart/mixed; boundary=\"lc\";"+strings.Repeat(" x=y;", maxContentType/5)+"\r\n", "lc", 2)
}

// hiddenTextParts hides n text parts of each bytes from a reader that
// wants delimiters at the start of a line: enmime also takes one a byte
// further in.
func hiddenTextParts(n, each int) []byte {
	var b bytes.Buffer
	b.WriteString(trickHead + "Content-Type: multipart/mixed; boundary=\"h\"\r\n\r\n--h\r\nContent-Type: text/plain\r\n\r\nfirst\r\n")
	pad := filler(each)
	for range n {
		b.WriteString(" --h\r\nContent-Type: text/plain\r\n\r\n")
		b.Write(pad)
		b.WriteString("\r\n")
	}
	b.WriteString("--h--\r\n")
	return b.Bytes()
}

// hiddenInHeader hides n text parts in the header of a part.
func hiddenInHeader(n int) []byte {
	var b bytes.Buffer
	b.WriteString(trickHead + "Content-Type: multipart/mixed; boundary=\"hh\"\r\n\r\n--hh\r\nContent-Type: text/plain\r\n")
	for range n {
		b.WriteString(" --hh\r\nContent-Type: text/plain\r\nX-Pad: " + strings.Repeat("x", 900) + "\r\n")
	}
	b.WriteString("\r\nbody\r\n--hh--\r\n")
	return b.Bytes()
}
