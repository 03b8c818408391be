package mimecheck

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime/quotedprintable"
	"strings"
)

// This file builds the hostile and the ordinary messages that the tests,
// benchmarks and measurements share. Everything is synthetic and
// deterministic.

const (
	kB = 1 << 10
	mB = 1 << 20
)

// topHeader is the header every built message starts with.
func topHeader(contentType string, extra ...string) string {
	var b strings.Builder
	b.WriteString("From: Dana <dana@example.test>\r\nTo: accord+r1@example.test\r\n" +
		"Subject: Re: [Accord] 3/16\r\nDate: Mon, 2 Jun 2025 09:00:00 +0000\r\n" +
		"Message-ID: <m1@mail.example.test>\r\nIn-Reply-To: <q3@accord.example.test>\r\nMIME-Version: 1.0\r\n")
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("Content-Type: " + contentType + "\r\n")
	return b.String()
}

// filler returns n bytes of readable ASCII text in lines of 72.
func filler(n int) []byte {
	line := []byte("The quick brown fox jumps over the lazy dog, again and again and again.\r\n")
	out := make([]byte, 0, n+len(line))
	for len(out) < n {
		out = append(out, line...)
	}
	return out[:n]
}

// b64 encodes data in lines of 76 characters, as mail clients do.
func b64(data []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(data)
	var b bytes.Buffer
	b.Grow(len(enc) + len(enc)/38)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

func qp(data []byte) []byte {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// flatParts is a multipart/mixed of n small text/plain parts, padded so the
// whole is about size bytes.
func flatParts(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="flat"`) + "\r\n")
	hdr := "--flat\r\nContent-Type: text/plain\r\n\r\n"
	body := max(size/n-len(hdr)-2, 1)
	pad := filler(body)
	for range n {
		b.WriteString(hdr)
		b.Write(pad)
		b.WriteString("\r\n")
	}
	b.WriteString("--flat--\r\n")
	return b.Bytes()
}

// flatOf is a multipart/mixed of n parts with the given header and each
// bytes of 8-bit Cyrillic text, so that enmime's character-set detection
// works hard on every part.
func flatOf(n, each int, header string) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="of"`) + "\r\n")
	body := charsetText(each)
	body = body[bytes.Index(body, []byte("\r\n\r\n"))+4:]
	for range n {
		b.WriteString("--of\r\n" + header + "\r\n\r\n")
		b.Write(body)
		b.WriteString("\r\n")
	}
	b.WriteString("--of--\r\n")
	return b.Bytes()
}

// bigThenTiny is a multipart/mixed of big text parts of each bytes
// followed by tiny ones: the most enmime copies when it joins text parts.
func bigThenTiny(big, each, tiny int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="bt"`) + "\r\n")
	for range big {
		b.WriteString("--bt\r\nContent-Type: text/plain\r\n\r\n")
		b.Write(filler(each))
		b.WriteString("\r\n")
	}
	for range tiny {
		b.WriteString("--bt\r\nContent-Type: text/plain\r\n\r\nx\r\n")
	}
	b.WriteString("--bt--\r\n")
	return b.Bytes()
}

// deepClosed nests depth multipart/mixed parts, each closed, with a text
// part of bottom bytes at the deepest level.
func deepClosed(depth, bottom int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="d0"`) + "\r\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--d%d\r\nContent-Type: text/plain\r\n\r\nlevel %d\r\n", i-1, i)
		fmt.Fprintf(&b, "--d%d\r\nContent-Type: multipart/mixed; boundary=\"d%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--d%d\r\nContent-Type: text/plain\r\n\r\n", depth-1)
	b.Write(filler(bottom))
	b.WriteString("\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--d%d--\r\n", i)
	}
	return b.Bytes()
}

// deepUnclosed nests depth multipart/mixed parts that are never closed, the
// shape that makes enmime take time exponential in the depth.
func deepUnclosed(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("From: dana@example.test\r\nTo: accord@example.test\r\nMessage-ID: <deep@mail.example.test>\r\nMIME-Version: 1.0\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
	return b.Bytes()
}

// hugeText is a single-part text/plain message of about size bytes of
// body in the given transfer encoding.
func hugeText(encoding string, size int) []byte {
	var body []byte
	switch encoding {
	case "base64":
		body = b64(filler(size * 3 / 4))
	case "quoted-printable":
		// Text with '=' and accents, so the encoding does some work.
		line := []byte("Caf\xc3\xa9 = cr\xc3\xa8me br\xc3\xbbl\xc3\xa9e, na\xc3\xafve fa\xc3\xa7ade; 1+1=2, x=y.\r\n")
		raw := bytes.Repeat(line, size/len(line)/2+1)
		body = qp(raw)
	default:
		body = filler(size)
	}
	return append([]byte(topHeader("text/plain; charset=utf-8", "Content-Transfer-Encoding: "+encoding)+"\r\n"), body...)
}

// hugeAlternative is a text+HTML alternative where both parts are about
// size/2 bytes, base64.
func hugeAlternative(size int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/alternative; boundary="alt"`) + "\r\n")
	b.WriteString("--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.Write(b64(filler(size * 3 / 8)))
	b.WriteString("--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.Write(b64(htmlTinyTags(size * 3 / 8)))
	b.WriteString("--alt--\r\n")
	return b.Bytes()
}

// htmlNested is an HTML document of about size bytes of deeply nested
// elements.
func htmlNested(size int) []byte {
	var b bytes.Buffer
	b.WriteString("<html><body>")
	open := []byte("<div><blockquote><span>")
	closing := []byte("</span></blockquote></div>")
	n := size / (len(open) + len(closing) + 2)
	for range n {
		b.Write(open)
		b.WriteString("x\n")
	}
	for range n {
		b.Write(closing)
	}
	b.WriteString("</body></html>")
	return b.Bytes()
}

// htmlTinyTags is an HTML document of about size bytes made of millions of
// tiny elements.
func htmlTinyTags(size int) []byte {
	var b bytes.Buffer
	b.WriteString("<html><body><p>Yes, Tuesday works.</p>\n")
	unit := []byte("<b>a</b><i></i><br>\n")
	for b.Len() < size {
		b.Write(unit)
	}
	b.WriteString("</body></html>")
	return b.Bytes()
}

// hugeHTML wraps markup as a single-part text/html message.
func hugeHTML(markup []byte) []byte {
	return append([]byte(topHeader("text/html; charset=utf-8", "Content-Transfer-Encoding: 8bit")+"\r\n"), markup...)
}

// manyHeaders is a short message with n extra header fields.
func manyHeaders(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "X-Trace-%d: relay%d.example.net accepted the message for delivery\r\n", i, i)
	}
	b.WriteString(topHeader("text/plain") + "\r\nYes, Tuesday works.\r\n")
	return b.Bytes()
}

// longHeaderLine is a short message whose Subject is one line of about n
// bytes of encoded words.
func longHeaderLine(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Subject: ")
	b.Write(bytes.Repeat([]byte("=?utf-8?q?caf=C3=A9?= "), (n-11)/22))
	b.WriteString("\r\n" + strings.Replace(topHeader("text/plain"), "Subject:", "X-Old-Subject:", 1) + "\r\nYes, Tuesday works.\r\n")
	return b.Bytes()
}

// deepClosedParts nests depth closed multipart/mixed parts with n text
// parts of each bytes at the deepest level.
func deepClosedParts(depth, n, each int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="d0"`) + "\r\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--d%d\r\nContent-Type: multipart/mixed; boundary=\"d%d\"\r\n\r\n", i-1, i)
	}
	pad := filler(each)
	for range n {
		fmt.Fprintf(&b, "--d%d\r\nContent-Type: text/plain\r\n\r\n", depth-1)
		b.Write(pad)
		b.WriteString("\r\n")
	}
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--d%d--\r\n", i)
	}
	return b.Bytes()
}

// lookalikes is a two-part message whose first part holds lines that look
// like delimiters of its boundary without being one, about size bytes.
func lookalikes(size int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="look"`) + "\r\n--look\r\nContent-Type: text/plain\r\n\r\nYes, Tuesday works.\r\n")
	lines := []string{"--lookx\r\n", "--loo\r\n", "-- look\r\n", "--look-\r\n", "--looking\r\n", "--Look\r\n"}
	for i := 0; b.Len() < size; i++ {
		b.WriteString(lines[i%len(lines)])
	}
	b.WriteString("\r\n--look\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--look--\r\n")
	return b.Bytes()
}

// nestedRFC822 is a message/rfc822 inside a message/rfc822, levels deep.
func nestedRFC822(levels int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader("message/rfc822") + "\r\n")
	for i := range levels {
		fmt.Fprintf(&b, "Message-ID: <level%d@example.test>\r\nContent-Type: message/rfc822\r\n\r\n", i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nthe bottom\r\n")
	return b.Bytes()
}

// nestedForwards is a multipart/mixed holding a message/rfc822 that is a
// multipart/mixed holding a message/rfc822, levels deep, all closed.
func nestedForwards(levels int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="f0"`) + "\r\n")
	for i := range levels {
		fmt.Fprintf(&b, "--f%d\r\nContent-Type: text/plain\r\n\r\nForwarded %d\r\n", i, i)
		fmt.Fprintf(&b, "--f%d\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <fw%d@example.test>\r\n", i, i)
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"f%d\"\r\n\r\n", i+1)
	}
	fmt.Fprintf(&b, "--f%d\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n", levels)
	for i := levels; i >= 0; i-- {
		fmt.Fprintf(&b, "--f%d--\r\n", i)
	}
	return b.Bytes()
}

// charsetText is a single-part text/plain message of size bytes of 8-bit
// Cyrillic text labelled with a charset that makes enmime run its
// character-set detection over the whole body.
func charsetText(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	body := make([]byte, 0, size)
	for len(body) < size {
		w := 2 + r.IntN(8)
		for range w {
			body = append(body, byte(0xc0+r.IntN(32)))
		}
		body = append(body, ' ')
		if r.IntN(12) == 0 {
			body = append(body, '\r', '\n')
		}
	}
	return append([]byte(topHeader("text/plain; charset=x-unknown-cyrillic", "Content-Transfer-Encoding: 8bit")+"\r\n"), body...)
}

// bigAttachment is a short reply with one image attachment of about size
// bytes, base64: an ordinary reply with a photo.
func bigAttachment(size int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="att"`) + "\r\n")
	b.WriteString("--att\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYes, Tuesday works. Photo attached.\r\n")
	b.WriteString("--att\r\nContent-Type: image/jpeg; name=\"photo.jpg\"\r\nContent-Disposition: attachment; filename=\"photo.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	r := rand.New(rand.NewPCG(3, 4))
	img := make([]byte, size*3/4)
	for i := range img {
		img[i] = byte(r.Uint32())
	}
	b.Write(b64(img))
	b.WriteString("--att--\r\n")
	return b.Bytes()
}

// shortLines is a text part nested two deep holding size bytes of unit
// repeated: the shortest lines make the most work per byte for Check.
func shortLines(unit string, size int) []byte {
	head := topHeader(`multipart/mixed; boundary=a`) + "\r\n--a\r\nContent-Type: multipart/mixed; boundary=ab\r\n\r\n" +
		"--ab\r\nContent-Type: text/plain\r\n\r\n"
	return append([]byte(head), bytes.Repeat([]byte(unit), size/len(unit))...)
}
