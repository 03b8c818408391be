// Package reply extracts the words a person wrote in an email reply: it keeps
// the new text and drops what the mail client added around it, such as the
// quoted earlier message and the line that introduces it ("On … wrote:" in
// many languages, Outlook "From:/Sent:" blocks, "Original Message" and
// forwarding separators), signatures, app footers ("Sent from my iPhone"),
// contact blocks, legal and antivirus notices and list footers.
//
// Everything is done with line-oriented rules and RE2 regular expressions,
// so the cost grows linearly with the input. Only the first 200 KiB of a
// text body (and 1 MiB of an HTML body) is examined; the rest is ignored.
// The functions never panic on malformed input.
package reply

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxText bounds the text examined by Text.
	maxText = 200 << 10
	// maxHTML bounds the markup examined by HTML and ToText.
	maxHTML = 1 << 20
	// maxHeaderLen bounds the length of a candidate quote header, in bytes.
	maxHeaderLen = 400
)

// Markers that the HTML renderer leaves in its output so the text rules can
// see what the markup said. They are private-use runes, removed from any
// input before use, so a sender cannot forge them.
const (
	markCut      = "\uE000" // a client-specific quote container starts here
	markSigStart = "\uE001" // a signature container starts here
	markSigEnd   = "\uE002" // the signature container ends here
)

// Text returns what the person wrote in a plain-text body: the reply without
// the quoted conversation, the quote header lines, signatures, footers and
// disclaimers. Only the first 200 KiB of body are examined.
func Text(body string) string {
	return extract(stripMarkers(prepare(body, maxText)))
}

// prepare cuts the input to size, makes it valid UTF-8 with LF line ends and
// drops the invisible characters that only confuse matching.
func prepare(s string, limit int) string {
	if len(s) > limit {
		s = s[:limit]
		// Do not leave half a rune at the end.
		for i := 0; i < utf8.UTFMax && len(s) > 0; i++ {
			r, size := utf8.DecodeLastRuneInString(s)
			if r != utf8.RuneError || size != 1 {
				break
			}
			s = s[:len(s)-1]
		}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\uFEFF' || r == '\u200B' || r == 0 {
			return -1
		}
		return r
	}, s)
}

// stripMarkers removes the private-use runes used as markers, so that only
// the HTML renderer can place them.
func stripMarkers(s string) string {
	if !strings.ContainsAny(s, markCut+markSigStart+markSigEnd) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '\uE000' && r <= '\uE002' {
			return -1
		}
		return r
	}, s)
}

// line is one line of the body with what the rules need to know about it.
type line struct {
	text   string // as written, trailing spaces removed
	norm   string // for matching: invisible marks dropped, spaces collapsed
	quoted bool   // starts with ">"
	blank  bool
	code   bool // inside a ``` fenced block: never treated as mail furniture
	drop   bool
}

func splitLines(s string) []line {
	raw := strings.Split(s, "\n")
	lines := make([]line, len(raw))
	fences := 0
	for i, r := range raw {
		r = strings.TrimRightFunc(r, unicode.IsSpace)
		lines[i] = line{text: r, norm: normalize(r)}
		if strings.HasPrefix(lines[i].norm, "```") {
			fences++
		}
	}
	// Mark ``` fenced blocks; a fence that is never closed opens nothing.
	inCode := false
	for i := range lines {
		l := &lines[i]
		if strings.HasPrefix(l.norm, "```") && (inCode || fences > 1) {
			l.code = true
			inCode = !inCode
			fences--
		} else {
			l.code = inCode
		}
		l.blank = l.norm == ""
		l.quoted = !l.code && strings.HasPrefix(l.norm, ">")
	}
	return lines
}

// normalize removes direction marks and other invisible characters, turns
// every kind of space into a plain one and collapses runs of them.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u200E' || r == '\u200F' || r == '\u061C' ||
			(r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') ||
			r == '\u200C' || r == '\u200D' || r == '\u2060':
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// extract applies the rules to a prepared body.
func extract(body string) string {
	lines := splitLines(body)
	end := cutQuotes(lines)
	lines = lines[:end]
	dropQuoteBlocks(lines)
	kept := make([]line, 0, len(lines))
	for _, l := range lines {
		if !l.drop {
			kept = append(kept, l)
		}
	}
	kept = stripTail(kept)
	return join(kept)
}

// join joins the kept lines, with at most one blank line in a row and no
// blank lines at either end.
func join(lines []line) string {
	var b strings.Builder
	blank := 0
	for _, l := range lines {
		if l.blank || l.text == "" {
			if b.Len() > 0 {
				blank++
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank > 0 {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(l.text)
	}
	return b.String()
}

// isContent reports whether a kept line carries the person's text: not
// blank, not quoted, not a marker and not a mere rule line.
func (l *line) isContent() bool {
	return !l.drop && !l.blank && !l.quoted && !isMarker(l.norm) && !ruleRe.MatchString(l.norm)
}

func isMarker(s string) bool {
	return s == markCut || s == markSigStart || s == markSigEnd
}

// nextContent returns the index of the first non-blank line at or after i,
// or len(lines).
func nextContent(lines []line, i int) int {
	for i < len(lines) && lines[i].blank {
		i++
	}
	return i
}

// cutQuotes walks the body from the top and returns where the reply ends.
// On the way it drops quote headers that introduce a ">" quoted block (the
// block itself is handled by dropQuoteBlocks) and headers that sit above
// the reply with nothing written before them.
func cutQuotes(lines []line) int {
	n := len(lines)
	content := false // whether the person has written anything above line i
	for i := 0; i < n; i++ {
		l := &lines[i]
		if l.blank || l.drop {
			continue
		}
		if l.code {
			content = true
			continue
		}
		switch l.norm {
		case markCut:
			l.drop = true
			if content {
				return i
			}
			continue
		case markSigStart:
			l.drop = true
			if content {
				// Drop the container up to its matching end marker.
				depth := 0
				j := i + 1
				for ; j < n; j++ {
					if lines[j].norm == markSigStart {
						depth++
					} else if lines[j].norm == markSigEnd {
						if depth == 0 {
							break
						}
						depth--
					}
				}
				for k := i + 1; k <= j && k < n; k++ {
					lines[k].drop = true
				}
				i = j
			}
			continue
		case markSigEnd:
			l.drop = true
			continue
		}
		if l.quoted {
			continue
		}
		if len(l.norm) <= 1 && l.norm != "-" {
			content = true
			continue
		}
		// Signatures and app footers end the reply.
		if isSigDelimiter(l.norm) || isMobileFooter(l.norm) || isListFooterStart(lines, i) {
			return i
		}
		// A separator such as "-----Original Message-----".
		if isSeparator(l.norm) || isReplyAbove(l.norm) {
			return ruleAbove(lines, i)
		}
		// Reply text and an attribution on the same line.
		if prefix, ok := sharedLineAttribution(l.norm); ok {
			l.text = prefix
			l.norm = normalize(prefix)
			content = true
			k := nextContent(lines, i+1)
			if k < n && lines[k].quoted {
				continue
			}
			return i + 1
		}
		j, ok := attribution(lines, i)
		if !ok {
			j, ok = fieldBlock(lines, i)
		}
		if ok {
			if r := handleHeader(lines, i, j, content); r >= 0 {
				return r
			}
			i = j
			continue
		}
		if l.isContent() {
			content = true
		}
	}
	return n
}

// handleHeader decides what a quote header spanning lines i..j means. When
// a ">" quoted block follows, only the header is dropped and the block is
// marked for removal; when text was written above, the reply ends at the
// header; otherwise the header opens the body (a reply written below an
// unquoted header) and is dropped alone. It returns the cut index or -1.
func handleHeader(lines []line, i, j int, content bool) int {
	k := nextContent(lines, j+1)
	if k < len(lines) && (lines[k].quoted || tabbed(lines[k])) {
		for x := i; x < k; x++ {
			lines[x].drop = true
		}
		if lines[k].quoted {
			markBlock(lines, k)
		} else {
			dropBlock(lines, k, tabBlockEnd(lines, k))
		}
		return -1
	}
	if content {
		return ruleAbove(lines, i)
	}
	for x := i; x <= j; x++ {
		lines[x].drop = true
	}
	return -1
}

// tabbed reports whether a line is indented with a tab, which is how
// s-nail and other mailx descendants quote (their indentprefix) instead of
// with ">". It only counts right below a quote header.
func tabbed(l line) bool { return !l.code && strings.HasPrefix(l.text, "\t") }

// tabBlockEnd returns the end of the tab-indented quote starting at k: the
// indented lines and the blank lines between them.
func tabBlockEnd(lines []line, k int) int {
	end := k
	for end < len(lines) {
		if tabbed(lines[end]) {
			end++
			continue
		}
		if m := nextContent(lines, end); lines[end].blank && m < len(lines) && tabbed(lines[m]) {
			end = m
			continue
		}
		break
	}
	return end
}

// ruleAbove moves a cut at i up over blank lines and a rule line such as
// "________________" that separates the reply from the quote.
func ruleAbove(lines []line, i int) int {
	j := i - 1
	for j >= 0 && lines[j].blank {
		j--
	}
	if j >= 0 && !lines[j].quoted && ruleRe.MatchString(lines[j].norm) && !isSigDelimiter(lines[j].norm) {
		return j
	}
	return i
}

// markBlock flags the ">" quoted block starting at k as quoted history.
func markBlock(lines []line, k int) {
	start, end := quoteBlock(lines, k)
	dropBlock(lines, start, end)
}

// dropBlock drops lines start..end-1 and the blank lines that follow, so
// that the text around a removed quote closes up as it was written around
// it.
func dropBlock(lines []line, start, end int) {
	for end < len(lines) && lines[end].blank {
		end++
	}
	for x := start; x < end; x++ {
		lines[x].drop = true
	}
}

// quoteBlock returns the extent of the quoted block that contains line k:
// quoted lines, the blank lines between them, and the odd unquoted line that
// is only the wrapped end of a long quoted line.
func quoteBlock(lines []line, k int) (int, int) {
	end := k
	for end < len(lines) {
		l := lines[end]
		switch {
		case l.quoted:
			end++
			continue
		case l.blank:
			m := nextContent(lines, end)
			if m < len(lines) && lines[m].quoted {
				end = m
				continue
			}
		case isWrapArtefact(lines, end):
			end++
			continue
		}
		break
	}
	return k, end
}

// isWrapArtefact reports whether unquoted line i sits between quoted lines
// and reads like the continuation of the long quoted line above it.
func isWrapArtefact(lines []line, i int) bool {
	if i == 0 || i+1 >= len(lines) {
		return false
	}
	prev, next := lines[i-1], lines[i+1]
	if !prev.quoted || !(next.quoted || (i+2 < len(lines) && lines[i+2].quoted && !next.blank && isWrapArtefactText(next.norm))) {
		return false
	}
	cur := lines[i].norm
	if len(prev.norm) < 40 && !strings.Contains(prev.norm, "http") &&
		!strings.Contains(cur, "http") && !strings.HasSuffix(cur, ">") {
		return false
	}
	return isWrapArtefactText(cur)
}

func isWrapArtefactText(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return !unicode.IsUpper(r)
}

// dropQuoteBlocks removes the ">" quoted blocks that are quoted history:
// those that open the body, start with a quote header, quote at several
// levels or end the body, and those in the middle that stand apart as a
// paragraph of their own (an inline reply, answering quoted points one by
// one). A quoted block written directly under a line of the person's own
// text is kept: that is formatting, as in "my notes:\n> be kind".
func dropQuoteBlocks(lines []line) {
	n := len(lines)
	last := -1 // the last line with the person's text
	for x := n - 1; x >= 0; x-- {
		if !lines[x].drop && !lines[x].blank && !lines[x].quoted {
			last = x
			break
		}
	}
	content := false
	for i := 0; i < n; i++ {
		if !lines[i].quoted {
			if lines[i].isContent() {
				content = true
			}
			continue
		}
		start, end := quoteBlock(lines, i)
		if lines[i].drop {
			// Already known to be history (it follows a quote header).
			i = end - 1
			continue
		}
		drop := !content || end > last || startsWithHeader(lines, start, end) ||
			nested(lines, start, end) || standsApart(lines, start)
		if drop {
			dropBlock(lines, start, end)
		}
		i = end - 1
	}
}

// standsApart reports whether the quoted block at start is separated from
// the text above it by a blank line, or sits under a paragraph that is
// itself glued to an earlier quote (an answer between two quoted points).
func standsApart(lines []line, start int) bool {
	if start == 0 || lines[start-1].blank {
		return true
	}
	p := start - 1
	for p > 0 && !lines[p-1].blank && !lines[p-1].quoted {
		p--
	}
	return p > 0 && lines[p-1].quoted
}

// unquote removes the ">" markers from a quoted line.
func unquote(s string) string {
	return strings.TrimSpace(strings.TrimLeft(s, "> "))
}

func startsWithHeader(lines []line, start, end int) bool {
	inner := make([]line, 0, 6)
	for x := start; x < end && len(inner) < 6; x++ {
		u := unquote(lines[x].norm)
		if u == "" {
			if len(inner) == 0 {
				continue
			}
		}
		inner = append(inner, line{text: u, norm: u, blank: u == ""})
	}
	if len(inner) == 0 {
		return false
	}
	if isSeparator(inner[0].norm) {
		return true
	}
	if _, ok := attribution(inner, 0); ok {
		return true
	}
	_, ok := fieldBlock(inner, 0)
	return ok
}

// nested reports a block of several lines that quotes at more than one
// level, as replies to replies do.
func nested(lines []line, start, end int) bool {
	deep, content := false, 0
	for x := start; x < end; x++ {
		s := lines[x].norm
		if unquote(s) != "" {
			content++
		}
		if strings.HasPrefix(s, ">>") || strings.HasPrefix(s, "> >") {
			deep = true
		}
	}
	return deep && content >= 2
}

// isSigDelimiter reports the conventional "-- " signature separator.
func isSigDelimiter(s string) bool {
	return s == "--"
}

// isListFooterStart reports a rule line followed by a mailing list footer.
func isListFooterStart(lines []line, i int) bool {
	if !strings.HasPrefix(lines[i].norm, "__") || !ruleRe.MatchString(lines[i].norm) {
		return false
	}
	seen := 0
	for j := i + 1; j < len(lines) && seen < 4; j++ {
		if lines[j].blank {
			continue
		}
		seen++
		if containsWord(lines[j].norm, footerWords) || containsWord(lines[j].norm, footerPhrases) ||
			strings.Contains(lines[j].norm, "@lists.") {
			return true
		}
	}
	return false
}
