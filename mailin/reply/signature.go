package reply

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tailWindow bounds how many lines from the end the signature rules look at.
const tailWindow = 60

var (
	// dashName is a one-line sign-off such as "-Dana" or "-- Dana Lee".
	dashName = regexp.MustCompile(`^(?:-|–|—|~)\p{Lu}[\p{L}.'’\-]*(?:\s\p{Lu}[\p{L}.'’\-]*){0,2}$|^(?:-{1,2}|–|—|~)\s?\p{Lu}[\p{L}.'’\-]*(?:\s\p{Lu}[\p{L}.'’\-]*){1,2}$|^--\p{L}{2,20}$`)

	// nameConnectors may appear in lower case inside a name or job title.
	nameConnectors = map[string]bool{
		"of": true, "at": true, "and": true, "the": true, "for": true, "de": true,
		"van": true, "der": true, "den": true, "du": true, "la": true, "le": true,
		"von": true, "und": true, "y": true, "e": true, "et": true, "di": true,
		"da": true, "del": true, "des": true, "&": true, "|": true, "@": true,
		"-": true, "–": true, "—": true, "/": true, "·": true, "•": true, "bin": true,
		"ter": true, "ten": true, "op": true,
	}
)

// stripTail removes, from the end of the reply, what people and their mail
// programs append under the message: sign-off formulas with the name under
// them, contact blocks, legal and antivirus notices, list footers and rule
// lines, and a trailing quoted block. It repeats until nothing changes.
func stripTail(lines []line) []line {
	for iter := 0; iter < 40; iter++ {
		lines = trimBlank(lines)
		if len(lines) == 0 {
			return lines
		}
		before := len(lines)
		lines = dropTrailingQuote(lines)
		lines = dropFooterParagraph(lines)
		lines = dropClosing(lines)
		lines = dropDashName(lines)
		lines = dropContactBlock(lines)
		lines = dropTrailingRule(lines)
		if len(lines) == before {
			break
		}
	}
	return trimBlank(lines)
}

func trimBlank(lines []line) []line {
	for len(lines) > 0 && lines[len(lines)-1].blank {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && lines[0].blank {
		lines = lines[1:]
	}
	return lines
}

// lastParagraph returns the index where the final paragraph starts.
func lastParagraph(lines []line) int {
	i := len(lines) - 1
	for i > 0 && !lines[i-1].blank {
		i--
	}
	return i
}

// dropTrailingQuote removes a ">" quoted block that ends the reply: text
// quoted below the answer is the earlier message.
func dropTrailingQuote(lines []line) []line {
	i := len(lines)
	for i > 0 && (lines[i-1].quoted || lines[i-1].blank) {
		i--
	}
	if i == len(lines) || i == 0 {
		return lines
	}
	return lines[:i]
}

// dropFooterParagraph removes a final paragraph that is a list footer, a
// notification footer or a legal or antivirus notice.
func dropFooterParagraph(lines []line) []line {
	start := lastParagraph(lines)
	if start == 0 {
		return lines
	}
	for _, l := range lines[start:] {
		if l.code {
			return lines
		}
	}
	if len(lines)-start > 30 {
		return lines
	}
	if isFooterParagraph(lines[start:]) {
		return dropNameParagraph(lines[:start])
	}
	return lines
}

// dropNameParagraph removes a last paragraph made only of name-like lines
// (a name and a job title), which stands above a notice as part of the
// signature. The first paragraph is never removed.
func dropNameParagraph(lines []line) []line {
	lines = trimBlank(lines)
	start := lastParagraph(lines)
	if start == 0 || len(lines)-start > 4 {
		return lines
	}
	for _, l := range lines[start:] {
		if l.quoted || l.code || classify(l.norm) == sigNone {
			return lines
		}
	}
	return lines[:start]
}

// dropClosing removes a formula such as "Best regards," standing on its own
// line, together with the few short lines (the name, a title) under it.
func dropClosing(lines []line) []line {
	lo := len(lines) - tailWindow
	if lo < 0 {
		lo = 0
	}
	after := 0
	for i := len(lines) - 1; i >= lo; i-- {
		l := lines[i]
		if l.blank {
			continue
		}
		if l.code || l.quoted {
			return lines
		}
		if isClosing(l.norm) {
			// A closing word that is all there is may be the answer.
			if after == 0 && prevContent(lines, i) < 0 {
				return lines
			}
			return lines[:i]
		}
		after++
		if after > 5 || wordCount(l.norm) > 6 || len(l.norm) > 60 {
			return lines
		}
	}
	return lines
}

// dropDashName removes a final "-Name" sign-off line.
func dropDashName(lines []line) []line {
	last := len(lines) - 1
	if last < 0 || lines[last].code {
		return lines
	}
	s := strings.Trim(lines[last].norm, "*_")
	if len(s) <= 40 && dashName.MatchString(s) {
		return lines[:last]
	}
	return lines
}

// dropTrailingRule removes a final rule line ("-----", "_____").
func dropTrailingRule(lines []line) []line {
	last := len(lines) - 1
	if last < 0 || lines[last].code {
		return lines
	}
	if ruleRe.MatchString(lines[last].norm) || lines[last].norm == "—" {
		return lines[:last]
	}
	return lines
}

// sigClass says how a line reads in a signature.
type sigClass int

const (
	sigNone   sigClass = iota // ordinary writing
	sigWeak                   // could be a name, a title or an address
	sigStrong                 // a phone number, an address, a link
)

// dropContactBlock removes a contact block that ends the reply: a run of
// short lines with at least one name-like line and one phone number, email
// address or link. The first paragraph of the reply is only removed when it
// holds contact details itself, so a one-word answer above a signature
// survives.
func dropContactBlock(lines []line) []line {
	lo := len(lines) - tailWindow
	if lo < 0 {
		lo = 0
	}
	start := len(lines)
	for i := len(lines) - 1; i >= lo; i-- {
		l := lines[i]
		if l.blank {
			continue
		}
		if l.code || l.quoted || classify(l.norm) == sigNone {
			break
		}
		start = i
	}
	if start == len(lines) {
		return lines
	}
	// Protect the first paragraph unless it is contact details itself.
	first := 0
	for first < len(lines) && lines[first].blank {
		first++
	}
	if start <= first {
		end := first
		strong := false
		for end < len(lines) && !lines[end].blank {
			if classify(lines[end].norm) == sigStrong {
				strong = true
			}
			end++
		}
		if !strong {
			start = end
		}
	}
	// A lone word above the block is more likely an answer ("Yes") or a
	// sign-off than part of the signature.
	if start < len(lines) && classify(lines[start].norm) != sigStrong &&
		wordCount(lines[start].norm) == 1 &&
		(start+1 >= len(lines) || lines[start+1].blank) {
		start++
	}
	// What introduces a list ("Call me:") is followed by content.
	if p := prevContent(lines, start); p >= 0 && introducesList(lines[p].norm) {
		return lines
	}
	strong, names := 0, 0
	kinds := map[string]bool{}
	for _, l := range lines[start:] {
		if l.blank {
			continue
		}
		switch classify(l.norm) {
		case sigStrong:
			strong++
			for _, k := range contactKinds(l.norm) {
				kinds[k] = true
			}
		case sigWeak:
			names++
		}
	}
	personal := kinds["email"] || kinds["phone"]
	if strong == 0 || (names == 0 && !(personal && len(kinds) >= 2)) {
		return lines
	}
	return lines[:start]
}

// introducesList reports a line of words ending in a colon ("Call me:").
func introducesList(s string) bool {
	s = strings.TrimRight(s, " ")
	if !endsWithColon(s) {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(strings.TrimRight(s, ":："), " "))
	return unicode.IsLetter(r)
}

// prevContent returns the index of the last non-blank line before i, or -1.
func prevContent(lines []line, i int) int {
	for i--; i >= 0; i-- {
		if !lines[i].blank {
			return i
		}
	}
	return -1
}

// contactKinds lists the kinds of contact details on a line.
func contactKinds(s string) []string {
	var kinds []string
	if hasAddress(s) {
		kinds = append(kinds, "email")
	}
	if isPhone(s) {
		kinds = append(kinds, "phone")
	}
	if urlRe.MatchString(s) {
		kinds = append(kinds, "url")
	}
	if contactLabel.MatchString(strings.Trim(s, "*_ ")) {
		kinds = append(kinds, "label")
	}
	return kinds
}

// classify tells whether a line reads like part of a signature.
func classify(s string) sigClass {
	s = strings.TrimSpace(s)
	if s == "" {
		return sigNone
	}
	if len(s) > 120 {
		return sigNone
	}
	words := strings.Fields(s)
	if strings.HasPrefix(s, "[image:") || strings.HasPrefix(s, "[cid:") {
		return sigWeak
	}
	if len(words) <= 12 {
		// contactLabel needs a "." or ":" after its label, urlRe a "." or
		// "://": lines without them are spared the expressions.
		if hasAddress(s) || strings.ContainsAny(s, ".:") && contactLabel.MatchString(strings.Trim(s, "*_ ")) || isPhone(s) {
			return sigStrong
		}
		if len(words) <= 6 && (strings.Contains(s, ".") || strings.Contains(s, "://")) && urlRe.MatchString(s) {
			return sigStrong
		}
	}
	if ruleRe.MatchString(s) || s == "—" {
		return sigWeak
	}
	if len(words) == 1 && strings.ContainsAny(s, "=/>") {
		return sigWeak
	}
	if strings.Contains(s, " | ") && len(words) <= 14 {
		return sigWeak
	}
	if nameLike(s) {
		return sigWeak
	}
	return sigNone
}

// isPhone reports a telephone number: seven digits or more that are not a
// date.
func isPhone(s string) bool {
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if digits < 7 {
		// No match can hold seven: spare the expression.
		return false
	}
	for _, m := range phoneRe.FindAllString(s, 4) {
		digits := 0
		for _, r := range m {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits >= 7 && !numericDate.MatchString(m) {
			return true
		}
		if digits >= 7 && strings.Count(m, " ") >= 2 {
			return true
		}
	}
	return false
}

// nameLike reports a short line of capitalised words, as names, job titles,
// company names and postal addresses are written.
func nameLike(s string) bool {
	s = strings.Trim(s, "*_ ")
	if len(s) > 60 || s == "" {
		return false
	}
	words := strings.Fields(s)
	if len(words) > 6 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune(".?:;,", last) && !strings.HasSuffix(s, ".D.") {
		return false
	}
	letters := false
	for _, w := range words {
		w = strings.Trim(w, "*_()[]\"'")
		if w == "" || nameConnectors[strings.ToLower(w)] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r) || unicode.IsDigit(r):
			letters = letters || strings.IndexFunc(w, unicode.IsLetter) >= 0
		case unicode.IsLetter(r):
			return false
		}
	}
	return letters
}
