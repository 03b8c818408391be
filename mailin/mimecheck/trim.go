package mimecheck

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
)

// Trim returns a copy of raw reduced to what the pipeline reads, for the
// MIME parser to read instead of raw. It keeps every header and delimiter
// line, and leaves out:
//
//   - the bodies of images, audio, video, fonts, models and application/*
//     parts other than calendars (application/ics, application/calendar,
//     and generic types such as application/octet-stream when the part
//     may be named *.ics) and Outlook's TNEF (application/ms-tnef, and a
//     generic type that may be named winmail.dat), where a meeting answer
//     may be;
//   - multipart preambles and epilogues, which enmime reads but nothing
//     uses (RFC 2046 section 5.1.1);
//   - the bodies of HTML alternatives to a text part that certainly holds
//     words (see alternative): the pipeline reads the HTML of a message
//     only when its text is blank;
//   - whatever of any other body goes past l.MaxTextBytes, cut at a line
//     break (inside a base64 body after a whole 4-character group, RFC 2045
//     section 6.8; inside a quoted-printable one before an "=XX" escape,
//     section 6.7);
//   - whole parts whose header is longer than l.MaxHeaderBytes, whole
//     text/plain parts after the 16th (attachments aside), and anything
//     once l.MaxTotalBytes have been kept;
//   - any header or body that holds a delimiter where enmime would see
//     one but real mail never has one (not at the start of a line).
//
// Text, HTML, calendar, message/* (delivery and disposition reports,
// returned messages and headers) and text/rfc822-headers parts are kept,
// up to l.MaxTextBytes each; a cut body that leaves multiparts of an
// enclosed message open gets their close delimiters. Trim reads the
// structure as real mail has it: a delimiter starts a line. Its result is
// never longer than raw and always passes Check with l; should its
// reading of a crafted message differ from enmime's so much that it would
// not, Trim returns the top-level header alone, or nothing. Zero fields of
// l take their defaults; raw is not modified.
func Trim(raw []byte, l Limits) []byte {
	l = l.orDefault()
	hEnd := headerEnd(raw, 0, len(raw))
	t := trimmer{data: raw, l: l, budget: l.MaxTotalBytes}
	t.out = make([]byte, 0, min(len(raw), hEnd+64<<10))
	t.root(hEnd)
	if Check(t.out, l) == nil {
		return t.out
	}
	if h := raw[:hEnd]; Check(h, l) == nil {
		return slices.Clone(h)
	}
	return nil
}

type trimmer struct {
	data      []byte
	l         Limits
	out       []byte
	budget    int // bytes still to keep below the top-level header
	parts     int
	textParts int // text/plain parts kept
	// dashes are "--" and the boundary of each multipart Trim is in.
	dashes [][]byte
	// rootAlternative is set when the message is multipart/alternative.
	rootAlternative bool
}

// alternative follows the parts of a multipart/alternative whose HTML
// parts may be left out: those after a first text/plain part (not an
// attachment) that certainly holds words. enmime makes that part the
// message's text when the message itself is the multipart/alternative
// (the first text/plain part in breadth-first order), and part of it
// otherwise (all text/plain parts joined), so the text is not blank and
// the HTML is never read. In a multipart/alternative nested in a message
// that is itself multipart/alternative, the text of another alternative
// may come first, and nothing is left out.
type alternative struct {
	textSeen bool // the first text/plain part has been kept
	words    bool // and certainly holds words
}

// root copies the top-level header and what it heads. Without a
// Content-Type, a message is text/plain (RFC 2045 section 5.2).
func (t *trimmer) root(hEnd int) {
	data := t.data
	t.out = append(t.out, data[:hEnd]...)
	ct, ok := firstField(data, 0, hEnd, "content-type", t.l.MaxHeaderBytes)
	mtype, params, err := parseType(ct)
	if ok && err == nil && strings.HasPrefix(mtype, "multipart/") && params["boundary"] != "" {
		t.rootAlternative = mtype == "multipart/alternative"
		t.multipart(hEnd, len(data), mtype, params["boundary"], 1)
		return
	}
	if !ok {
		mtype = "text/plain"
	}
	t.body(0, hEnd, len(data), mtype, params)
}

// delimiter is a delimiter line of a multipart.
type delimiter struct {
	start, end int // the line, with its line break
	close      bool
}

// nextDelimiter finds the next line in [from, end) that is a delimiter of
// boundary, "--" boundary followed by white space or the end of the line,
// or its close delimiter, "--" boundary "--" (RFC 2046 section 5.1.1).
func (t *trimmer) nextDelimiter(from, end int, dash []byte) (delimiter, bool) {
	data := t.data
	for pos := from; pos < end; {
		k := bytes.Index(data[pos:end], dash)
		if k < 0 {
			break
		}
		q := pos + k
		pos = q + 1
		if q != from && data[q-1] != '\n' {
			continue
		}
		after := data[q+len(dash) : end]
		d := delimiter{start: q, end: end}
		switch {
		case len(after) >= 2 && after[0] == '-' && after[1] == '-':
			d.close = true
		case len(after) == 0 || isSpace(after[0]):
		default:
			continue
		}
		if nl := bytes.IndexByte(after, '\n'); nl >= 0 {
			d.end = q + len(dash) + nl + 1
		}
		return d, true
	}
	return delimiter{}, false
}

// multipart copies the parts of a multipart body [from, end) of type
// mtype, dropping its preamble and epilogue.
func (t *trimmer) multipart(from, end int, mtype, boundary string, depth int) {
	data := t.data
	var alt *alternative
	if mtype == "multipart/alternative" && (depth == 1 || !t.rootAlternative) {
		alt = &alternative{}
	}
	dash := []byte("--" + boundary)
	t.dashes = append(t.dashes, dash)
	defer func() { t.dashes = t.dashes[:len(t.dashes)-1] }()
	d, ok := t.nextDelimiter(from, end, dash)
	for ok {
		if d.close {
			mark := len(t.out)
			t.out = append(t.out, data[d.start:d.end]...)
			if t.hides(mark, mark) {
				t.out = t.out[:mark]
			}
			return
		}
		start := d.end
		next, more := t.nextDelimiter(start, end, dash)
		stop, brk := end, end
		if more {
			// The line break before a delimiter belongs to it.
			stop, brk = next.start, next.start
			if brk > start && data[brk-1] == '\n' {
				brk--
				if brk > start && data[brk-1] == '\r' {
					brk--
				}
			}
		}
		if t.parts < t.l.MaxParts {
			t.parts++
			t.part(d, start, brk, stop, depth, alt)
		}
		d, ok = next, more
	}
}

// maxTextParts bounds the text/plain parts, other than attachments, that
// Trim keeps. enmime joins them all into one string, copying all it has
// joined so far for each part, and nothing reads past its first 200 KiB.
const maxTextParts = 16

// attachment reports whether enmime reads the part whose header is
// [start, hEnd) as an attachment (RFC 2183).
func (t *trimmer) attachment(start, hEnd int) bool {
	cd, ok := firstField(t.data, start, hEnd, "content-disposition", t.l.MaxHeaderBytes)
	if !ok {
		return false
	}
	d, _, err := parseType(cd)
	return err == nil && d == "attachment"
}

// part copies one part: its delimiter line d, its header and its body,
// which end at brk, and the line break [brk, stop) that belongs to the
// next delimiter. alt is set inside a multipart/alternative whose HTML
// may be left out.
func (t *trimmer) part(d delimiter, start, brk, stop, depth int, alt *alternative) {
	data := t.data
	hEnd := headerEnd(data, start, brk)
	head := d.end - d.start + hEnd - start
	if hEnd-start > t.l.MaxHeaderBytes || head > t.budget {
		return
	}
	// enmime reads a part with a boundary parameter as a multipart unless
	// it is text/plain or text/html, whatever its type says.
	ct, _ := firstField(data, start, hEnd, "content-type", t.l.MaxHeaderBytes)
	mtype, params, err := parseType(ct)
	b := params["boundary"]
	multipart := err == nil && b != "" && mtype != "text/plain" && mtype != "text/html" && depth < t.l.MaxDepth
	text := !multipart && mtype == "text/plain" && !t.attachment(start, hEnd)
	if text && t.textParts == maxTextParts {
		return
	}
	mark := len(t.out)
	t.out = append(t.out, data[d.start:d.end]...)
	t.out = append(t.out, data[start:hEnd]...)
	if t.hides(mark, mark) {
		t.out = t.out[:mark]
		return
	}
	if text {
		t.textParts++
	}
	t.budget -= head
	switch {
	case multipart:
		t.multipart(hEnd, brk, mtype, b, depth+1)
	case alt != nil && alt.words && mtype == "text/html" && !t.attachment(start, hEnd):
		// Never read: the text before it holds words.
	default:
		kept := t.body(start, hEnd, brk, mtype, params)
		if text && alt != nil && !alt.textSeen {
			alt.textSeen = true
			enc, _ := firstField(data, start, hEnd, "content-transfer-encoding", t.l.MaxHeaderBytes)
			alt.words = holdsWords(kept, strings.ToLower(string(bytes.TrimSpace(enc))), params["charset"])
		}
	}
	t.out = append(t.out, data[brk:stop]...)
}

// body copies as much of the body [hEnd, end) of the part whose header
// starts at start as the pipeline reads, and returns what it kept.
func (t *trimmer) body(start, hEnd, end int, mtype string, params map[string]string) []byte {
	data := t.data
	keep := 0
	if t.read(start, hEnd, mtype, params) {
		keep = min(end-hEnd, t.l.MaxTextBytes, max(t.budget, 0))
	}
	if keep < end-hEnd {
		enc, _ := firstField(data, start, hEnd, "content-transfer-encoding", t.l.MaxHeaderBytes)
		keep = cut(data[hEnd:end], keep, strings.ToLower(string(bytes.TrimSpace(enc))))
	}
	mark := len(t.out)
	t.out = append(t.out, data[hEnd:hEnd+keep]...)
	if t.hides(mark, -1) {
		t.out, keep = t.out[:mark], 0
	}
	t.budget -= keep
	if keep < end-hEnd {
		mark = len(t.out)
		t.close(data[hEnd:hEnd+keep], end-hEnd-keep)
		if t.hides(mark, -1) {
			t.out = t.out[:mark]
		}
	}
	return data[hEnd : hEnd+keep]
}

// holdsWords reports whether a text body, in the given transfer encoding
// and character set, certainly holds a character that is not white space
// once enmime has decoded it: an ASCII letter or digit, in a character set
// that keeps ASCII as it is. It may say no for a body that has words.
func holdsWords(body []byte, encoding, charset string) bool {
	charset = strings.ToLower(strings.TrimSpace(charset))
	switch {
	case charset == "", charset == "us-ascii", charset == "utf-8", charset == "utf8",
		strings.HasPrefix(charset, "iso-8859-"), strings.HasPrefix(charset, "windows-125"):
	default:
		return false
	}
	switch encoding {
	case "", "7bit", "8bit", "binary":
		return slices.ContainsFunc(body, alnum)
	case "quoted-printable":
		// RFC 2045 section 6.7: "=" starts an escape or a soft line break.
		for i := 0; i < len(body); i++ {
			if body[i] == '=' {
				i += 2
				continue
			}
			if alnum(body[i]) {
				return true
			}
		}
		return false
	case "base64":
		// enmime skips white space and "=" and decodes the rest, and
		// drops the whole body for a lone last character or some bytes
		// outside the alphabet: any such byte here means no.
		var clean []byte
		for _, c := range body {
			switch {
			case isBase64(c):
				clean = append(clean, c)
			case c == '=' || c == ' ' || c == '\t' || c == '\r' || c == '\n':
			default:
				return false
			}
		}
		if len(clean)%4 == 1 {
			return false
		}
		n := min(len(clean), 4096) / 4 * 4
		dec := make([]byte, base64.StdEncoding.DecodedLen(n))
		k, err := base64.StdEncoding.Decode(dec, clean[:n])
		return err == nil && slices.ContainsFunc(dec[:k], alnum)
	}
	return false
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// hides reports whether the copy from from on holds, where enmime looks
// for one (see Check), a delimiter of a multipart Trim is inside, other
// than the one Trim put at skip. enmime would read parts there that Trim
// does not see, and so escape the limits Trim applies to parts.
func (t *trimmer) hides(from, skip int) bool {
	out := t.out
	for j := max(from-3, 0); j < len(out); j++ {
		var p int
		switch out[j] {
		case '\n':
			p = j + 1
		case '\r':
			p = j + 2
		default:
			continue
		}
		for q := p; q <= p+1 && q < len(out); q++ {
			if q >= from && q != skip && t.delimiterAt(q) {
				return true
			}
		}
	}
	return false
}

// delimiterAt reports whether a delimiter of a multipart Trim is inside
// starts at out[q], or may once more is copied.
func (t *trimmer) delimiterAt(q int) bool {
	rest := t.out[q:]
	if len(rest) < 2 || rest[0] != '-' || rest[1] != '-' {
		return false
	}
	for _, dash := range t.dashes {
		if bytes.HasPrefix(rest, dash) {
			after := rest[len(dash):]
			if len(after) == 0 || isSpace(after[0]) || after[0] == '-' && (len(after) == 1 || after[1] == '-') {
				return true
			}
		}
	}
	return false
}

// close ends, with close delimiters, the multiparts declared and left open
// in kept, the start of a body cut short, within room bytes. Such a body
// is mostly an enclosed message (message/rfc822) whose attachment was
// cut: the parser reads it as one part, but Check would count its open
// multiparts towards the depth for ever after.
func (t *trimmer) close(kept []byte, room int) {
	c := checker{data: kept, l: Limits{MaxParts: len(kept) + 2, MaxDepth: len(kept) + 1}.orDefault(), parts: 1, lastCand: -1}
	if c.run() != nil {
		return
	}
	for k := len(c.open) - 1; k >= 0; k-- {
		b := c.open[k].boundary
		if !c.open[k].closable || len(b)+6 > room {
			continue
		}
		t.out = append(append(append(t.out, "\r\n--"...), b...), "--"...)
		room -= len(b) + 6
	}
}

// read reports whether the pipeline reads a body of this type: text (and
// so HTML and calendars), message/* (delivery reports, returned messages,
// disposition and feedback reports), calendars sent as application/*,
// anything that may be an .ics file, TNEF, and types it does not know.
func (t *trimmer) read(start, hEnd int, mtype string, params map[string]string) bool {
	switch mtype {
	case "application/ics", "application/calendar", "application/ms-tnef", "application/vnd.ms-tnef":
		return true
	case "application/octet-stream", "application/x-download", "application/download":
		return t.mayBeICS(start, hEnd, params)
	}
	top, _, _ := strings.Cut(mtype, "/")
	switch top {
	case "image", "audio", "video", "font", "model", "application":
		return false
	}
	return true
}

// mayBeICS reports whether a part of a generic type may be a file named
// *.ics, which package classify reads as a calendar, or winmail.dat, which
// it reads as TNEF: its name or file name parameter, or its header,
// mentions "ics" or "winmail" or holds an RFC 2047 encoded word that could
// hide them.
func (t *trimmer) mayBeICS(start, hEnd int, params map[string]string) bool {
	data := t.data
	head := data[start:hEnd]
	if containsFold(head, "ics") || containsFold(head, "winmail") || bytes.Contains(head, []byte("=?")) {
		return true
	}
	names := []string{params["name"], params["file"]}
	if cd, ok := firstField(data, start, hEnd, "content-disposition", t.l.MaxHeaderBytes); ok {
		if _, dp, err := parseType(cd); err == nil {
			names = append(names, dp["filename"])
		}
	}
	for _, n := range names {
		if containsFold([]byte(n), "ics") || containsFold([]byte(n), "winmail") || strings.Contains(n, "=?") {
			return true
		}
	}
	return false
}

// cut returns how much of body to keep when at most keep bytes may be:
// whole lines, or part of a first line longer than keep, without breaking
// the transfer encoding.
func cut(body []byte, keep int, encoding string) int {
	if keep >= len(body) {
		return len(body)
	}
	k := bytes.LastIndexByte(body[:keep], '\n') + 1
	if k == 0 {
		k = keep
	}
	switch encoding {
	case "base64":
		// RFC 2045 section 6.8: every 4 characters of the alphabet make 3
		// bytes; a partial group would make enmime drop the whole body.
		n := 0
		for _, c := range body[:k] {
			if isBase64(c) {
				n++
			}
		}
		for r := n % 4; r > 0 && k > 0; k-- {
			if isBase64(body[k-1]) {
				r--
			}
		}
	case "quoted-printable":
		// RFC 2045 section 6.7: "=" starts a 3-byte escape.
		if k > 0 && body[k-1] == '=' {
			k--
		} else if k > 1 && body[k-2] == '=' {
			k -= 2
		}
	}
	return k
}

func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}
