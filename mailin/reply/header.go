package reply

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// attribution reports whether an attribution line ("On <date>, <name>
// wrote:" and its many relatives) starts at line i, and the index of its
// last line: clients wrap long ones over two or three lines.
func attribution(lines []line, i int) (int, bool) {
	first := lines[i].norm
	if len(first) > maxHeaderLen || lines[i].quoted {
		return 0, false
	}
	single := isAttribution(first, quotedAfter(lines, i))
	if single && (endsWithColon(first) || dashFramed.MatchString(first)) {
		return i, true
	}
	if !mayStartHeader(first) {
		if single {
			return i, true
		}
		return 0, false
	}
	// Join up to four following lines. A blank line may sit inside only
	// when the first line opens with a lead word ("On …").
	lead := leadWord.MatchString(trimLead(first))
	joined := first
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		l := lines[j]
		if l.code || isMarker(l.norm) {
			break
		}
		if l.blank {
			if !lead {
				break
			}
			continue
		}
		// Gmail may push the closing "> wrote:" or ">:" of a wrapped
		// address to a line of its own; anything else quoted is content.
		if l.quoted && len(l.norm) > 12 {
			break
		}
		// A line that opens an attribution of its own is not a
		// continuation: the header starts there instead.
		if mayStartHeader(l.norm) && leadWord.MatchString(trimLead(l.norm)) {
			break
		}
		joined += " " + l.norm
		if len(joined) > maxHeaderLen {
			break
		}
		if isAttribution(joined, quotedAfter(lines, j)) {
			// Gmail may leave the verb on a short quoted line of its
			// own ("> wrote:"); it belongs to the header.
			if k := nextContent(lines, j+1); k < len(lines) && k <= j+2 && lines[k].quoted &&
				len(lines[k].norm) <= 12 && endsWithColon(lines[k].norm) {
				return k, true
			}
			return j, true
		}
	}
	if single {
		return i, true
	}
	return 0, false
}

// quotedAfter reports whether the first non-blank line after i is quoted.
func quotedAfter(lines []line, i int) bool {
	k := nextContent(lines, i+1)
	return k < len(lines) && lines[k].quoted
}

// mayStartHeader reports whether s can be the first line of a wrapped
// attribution: it opens with a lead word, a date, or carries a date, and
// it does not end like a sentence.
func mayStartHeader(s string) bool {
	t := trimLead(s)
	if t == "" || strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?") {
		return false
	}
	if leadWord.MatchString(t) {
		return hasDate(t) || hasAddress(t)
	}
	r, _ := utf8.DecodeRuneInString(t)
	if unicode.IsDigit(r) {
		return true
	}
	return hasDate(t) && wordCount(t) <= 14
}

// trimLead removes the dashes, bullets and emphasis that some clients put
// before an attribution.
func trimLead(s string) string {
	return strings.TrimLeft(s, " -–—*_>•")
}

// isAttribution decides whether s, a whole (possibly joined) line, is an
// attribution. quoteFollows tells whether a ">" quoted block comes next,
// which is strong evidence on its own.
func isAttribution(s string, quoteFollows bool) bool {
	if len(s) > maxHeaderLen || len(s) < 6 {
		return false
	}
	t := trimLead(s)
	// Every way a line is an attribution below needs it to end with a
	// verb or a colon, or a quote to follow it: most lines do neither and
	// are told apart here, before the costlier date and address patterns.
	verb := endsWithVerb(t)
	if !verb && !quoteFollows && !endsWithColon(t) {
		return false
	}
	// A bare year is a date only in a line that opens like an attribution.
	lead := leadWord.MatchString(t)
	date, addr := hasExactDate(t) || (lead && hasDate(t)), hasAddress(t)
	words := wordCount(t)
	if words > 45 {
		return false
	}
	if verb {
		switch {
		case dashFramed.MatchString(s), date || addr:
			return true
		case quoteFollows:
			return endsWithColon(t) || lead
		}
		return false
	}
	if lead && date && endsWithColon(t) && attributionVerb.MatchString(t) {
		return true
	}
	if (date || addr) && endsWithColon(t) && attributionVerbThenDate.MatchString(t) {
		return true
	}
	if date && endsWithColon(t) && writtenBy.MatchString(t) {
		return true
	}
	// Any short line with a date or an address that ends in a colon right
	// above a quoted block introduces it, whatever the language.
	if (date || addr) && quoteFollows && words <= 25 && endsWithColon(t) {
		return true
	}
	// "<date> <name> <address>:" with no verb at all, as Gmail writes it
	// in several locales; without the colon only when a quote follows.
	if date && words <= 30 && endsWithAddress.MatchString(tail(t, 120)) {
		return endsWithColon(t) || quoteFollows
	}
	return false
}

// sharedLineAttribution splits a line that holds reply text followed by an
// attribution ("Sounds good On Wed, 4 Apr 2012, Bob wrote:") and returns
// the reply part.
func sharedLineAttribution(s string) (string, bool) {
	if len(s) > 2*maxHeaderLen || !endsWithVerb(s) {
		return "", false
	}
	for _, loc := range shareLineLead.FindAllStringIndex(s, 4) {
		start := loc[0]
		if start == 0 {
			continue
		}
		rest := strings.TrimLeft(s[start:], " -")
		if !isAttribution(rest, false) || !(hasDate(rest) || hasAddress(rest)) {
			continue
		}
		prefix := strings.TrimRight(s[:start], " -–—")
		if strings.TrimSpace(prefix) == "" {
			return "", false
		}
		return prefix, true
	}
	return "", false
}

// fieldBlock reports whether a header block ("From: … / Sent: … / To: … /
// Subject: …" or a translation) starts at line i, and its last line.
func fieldBlock(lines []line, i int) (int, bool) {
	cat, _ := fieldLine(lines[i].norm)
	found := map[byte]bool{}
	if cat == 0 {
		// Some clients run the whole block into one line.
		if len(lines[i].norm) > maxHeaderLen {
			return 0, false
		}
		inl := inlineFields(lines[i].norm)
		if len(inl) >= 3 && (inl['f'] || inl['d']) {
			return i, true
		}
		return 0, false
	}
	evidence := false
	last, cont := i, 0
	for j := i; j < len(lines) && j < i+16; j++ {
		l := lines[j]
		if l.blank || l.quoted || l.code {
			break
		}
		c, value := fieldLine(l.norm)
		if c != 0 {
			found[c] = true
			if len(value) <= maxHeaderLen {
				for k := range inlineFields(value) {
					found[k] = true
				}
			}
			cont = 0
			if hasAddress(value) || hasDate(value) {
				evidence = true
			}
			last = j
			continue
		}
		// A wrapped value continues on the next line.
		cont++
		if cont > 2 || len(l.norm) > 200 {
			break
		}
		if hasAddress(l.norm) {
			evidence = true
		}
	}
	if len(found) < 2 || !(found['f'] || found['d']) {
		return 0, false
	}
	if len(found) >= 3 || evidence {
		return last, true
	}
	return 0, false
}
