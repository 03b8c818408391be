package reply

import "unicode"

// dateShapes reports whether s holds one of the shapes of exactDateRe (a
// numeric date, a time of day, a CJK date) and whether it holds a bare
// year as yearRe has it. It answers exactly what those regular expressions
// answer, in one pass over the runs of digits: matching them line after
// line took half the time of reading a reply. TestDateShapes holds the two
// to agreement.
func dateShapes(s string) (exact, year bool) {
	var buf [256]rune
	rs := buf[:0]
	for _, r := range s {
		rs = append(rs, r)
	}
	n := len(rs)
	digit := func(i int) bool { return i < n && unicode.IsDigit(rs[i]) }
	// space is \s of the regular expressions: ASCII white space.
	space := func(i int) bool {
		if i >= n {
			return false
		}
		switch rs[i] {
		case ' ', '\t', '\n', '\f', '\r':
			return true
		}
		return false
	}
	sep := func(i int) bool { return i < n && (rs[i] == '.' || rs[i] == '/' || rs[i] == '-') }
	runEnd := func(i int) int {
		for i < n && unicode.IsDigit(rs[i]) {
			i++
		}
		return i
	}
	skipSpace := func(i int) int {
		if space(i) {
			return i + 1
		}
		return i
	}
	// numericDate after a run of digits ending at end: \s?[./\-]\s?
	// then a run of one or two digits, \s?[./\-]\s? and a digit.
	numeric := func(end int) bool {
		p := skipSpace(end)
		if !sep(p) {
			return false
		}
		p = skipSpace(p + 1)
		if !digit(p) {
			return false
		}
		e := runEnd(p)
		if e-p > 2 {
			return false
		}
		p = skipSpace(e)
		if !sep(p) {
			return false
		}
		return digit(skipSpace(p + 1))
	}
	for i := 0; i < n; {
		if !unicode.IsDigit(rs[i]) {
			i++
			continue
		}
		// A whole run of digits: what precedes it and what follows it
		// are not digits, which the (?:^|[^\p{Nd}]) and
		// (?:[^\p{Nd}]|$) of the expressions ask for.
		start, end := i, runEnd(i)
		i = end
		if end-start == 4 && (rs[start] == '1' && rs[start+1] == '9' || rs[start] == '2' && rs[start+1] == '0') {
			year = true
		}
		switch {
		case numeric(end):
			exact = true
		case end-start <= 2 && end < n && (rs[end] == ':' || rs[end] == '：' || rs[end] == '.') && digit(end+1):
			// clockTime "9:30", dottedTime "9.30" (not "9.30.").
			if e := runEnd(end + 1); e-(end+1) == 2 && (rs[end] != '.' || e == n || rs[e] != '.') {
				exact = true
			}
		}
		if p := skipSpace(end); p < n {
			switch {
			case rs[p] == '年' || rs[p] == '月' || rs[p] == '日':
				// cjkDate "12月".
				exact = true
			case p+1 < n && (rs[p]|0x20 == 'a' || rs[p]|0x20 == 'p') && rs[p+1]|0x20 == 'm' && (p+2 == n || !unicode.IsLetter(rs[p+2])):
				// dottedTime "9 am", "10PM".
				exact = true
			}
		}
		if exact && year {
			break
		}
	}
	return exact, year
}
