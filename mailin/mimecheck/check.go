package mimecheck

import (
	"bytes"
	"slices"
)

// maxClosable is the longest boundary whose close delimiter Check trusts
// to end a multipart: enmime looks for delimiters through a 4096-byte
// bufio peek, so it never sees longer ones, and Check keeps such a
// multipart open for good.
const maxClosable = 4000

// Check scans raw once, in time linear in its length and without
// allocating per byte, and returns an *Error naming the first limit of l
// that raw is over, or nil. Zero fields of l take their defaults.
//
// It counts as a part every delimiter or close-delimiter line (RFC 2046
// section 5.1.1: "--" boundary, then transport padding or "--") of a
// boundary declared earlier and not yet closed, at every position where
// enmime checks for one, plus one for each declaration; depth is the
// number of declared multiparts not closed when another is declared. A
// Content-Type field declares a boundary wherever it stands, in a header
// or not: when unsure whether something is a part, Check counts it.
func Check(raw []byte, l Limits) error {
	c := checker{data: raw, l: l.orDefault(), parts: 1, lastCand: -1, inTop: true}
	return c.run()
}

// declaration is a boundary declared by a Content-Type field.
type declaration struct {
	boundary []byte
	// closable is set once the header holding the declaration has ended:
	// only then is enmime reading the multipart's body.
	closable bool
}

type checker struct {
	data  []byte
	l     Limits
	parts int
	// open are the declarations not yet closed, oldest first.
	open    []declaration
	pending int // how many of open are not closable yet
	// lastCand is the last position tried as a delimiter, so that no
	// position is counted twice.
	lastCand int
	inTop    bool // still in the top-level header
}

func (c *checker) run() error {
	data := c.data
	n := len(data)
	for i := 0; i < n; {
		if !c.inTop && c.pending == 0 {
			// Empty lines matter only to end a header; skip them fast.
		skip:
			for i < n {
				switch {
				case data[i] == '\n':
					i++
				case data[i] == '\r' && i+1 < n && data[i+1] == '\n':
					i += 2
				default:
					break skip
				}
			}
			if i == n {
				break
			}
		}
		end := nextLF(data, i)
		next := min(end+1, n)
		if i > 0 && len(c.open) > 0 && (data[i] == '-' || i+1 < n && data[i+1] == '-') {
			// enmime looks for a delimiter just after each LF, and one
			// byte later (boundaryReader.Read peeks and uses bytes.Index).
			if err := c.candidates(i, i+1); err != nil {
				return err
			}
		}
		if c.inTop || end-i < 2 || data[i]|0x20 == 'c' {
			if err := c.line(i, end, next); err != nil {
				return err
			}
		}
		// After a CR it looks two and three bytes on, assuming an LF
		// follows even when none does. For the CR of a CR LF these are
		// the places looked at after the LF.
		crEnd := end
		if end < n && end > i && data[end-1] == '\r' {
			crEnd = end - 1
		}
		for k := i; k < crEnd && len(c.open) > 0; {
			r := bytes.IndexByte(data[k:crEnd], '\r')
			if r < 0 {
				break
			}
			if err := c.candidates(k+r+2, k+r+3); err != nil {
				return err
			}
			k += r + 1
		}
		i = next
	}
	return nil
}

// nextLF returns the index of the first LF in data from i on, or
// len(data). It looks at a few bytes itself before calling IndexByte, which
// costs more than that on the short lines a hostile message is made of.
func nextLF(data []byte, i int) int {
	stop := min(i+16, len(data))
	for k := i; k < stop; k++ {
		if data[k] == '\n' {
			return k
		}
	}
	if j := bytes.IndexByte(data[stop:], '\n'); j >= 0 {
		return stop + j
	}
	return len(data)
}

// candidates tries the two places p < q where a delimiter may start.
func (c *checker) candidates(p, q int) error {
	data := c.data
	if len(c.open) == 0 || p >= len(data) {
		return nil
	}
	if data[p] == '-' {
		if err := c.candidate(p); err != nil {
			return err
		}
	}
	if q < len(data) && data[q] == '-' {
		return c.candidate(q)
	}
	return nil
}

// line handles what a line may mean as part of a header: the end of a
// header block, or a Content-Type field. run calls it only for lines that
// can be either, or in the top-level header.
func (c *checker) line(i, end, next int) error {
	line := c.data[i:end]
	if n := len(line); n > 0 && line[n-1] == '\r' && end < len(c.data) {
		line = line[:n-1]
	}
	if c.inTop && next > c.l.MaxHeaderBytes {
		return &Error{What: HeaderTooLong, Max: c.l.MaxHeaderBytes}
	}
	if len(line) == 0 {
		c.inTop = false
		if c.pending > 0 {
			for k := range c.open {
				c.open[k].closable = true
			}
			c.pending = 0
		}
		return nil
	}
	if line[0]|0x20 == 'c' && isField(line, "content-type", true) {
		return c.declare(i)
	}
	return nil
}

// declare reads the Content-Type field starting at i and records the
// boundary it declares, if any.
func (c *checker) declare(i int) error {
	data := c.data
	// Only a value naming the parameter can declare a boundary, and the
	// word cannot straddle a line break: enmime joins lines with a space.
	has := false
	for k := i; k < len(data) && !has; {
		line, next := lineAt(data, k, len(data))
		if k > i {
			if kind, _ := classifyLine(line); kind == lineEnd || kind == lineField {
				break
			}
		}
		has = containsFold(line, "boundary")
		k = next
	}
	if !has {
		return nil
	}
	// Each declaration may also start a part in its preamble, where
	// enmime accepts a delimiter anywhere in a line; counting it bounds the
	// parameter parsing too.
	c.parts++
	if c.parts > c.l.MaxParts {
		return &Error{What: TooManyParts, Max: c.l.MaxParts}
	}
	v, ok := fieldValue(data, i, len(data), maxContentType)
	if !ok {
		return &Error{What: ContentTypeTooLong, Max: maxContentType}
	}
	_, params, _ := parseType(v)
	b := params["boundary"]
	if b == "" {
		return nil
	}
	c.open = append(c.open, declaration{boundary: []byte(b)})
	c.pending++
	if len(c.open) > c.l.MaxDepth {
		return &Error{What: TooDeep, Max: c.l.MaxDepth}
	}
	return nil
}

// candidate counts a part if a delimiter of an open boundary starts at p,
// and closes the boundary if it is a close delimiter at the start of a
// line.
func (c *checker) candidate(p int) error {
	if p <= c.lastCand {
		return nil
	}
	c.lastCand = p
	data := c.data
	if p+2 > len(data) || data[p] != '-' || data[p+1] != '-' || len(c.open) == 0 {
		return nil
	}
	rest := data[p+2:]
	counted := false
	var closed []byte
	for k := len(c.open) - 1; k >= 0; k-- {
		b := c.open[k].boundary
		if len(rest) < len(b) || rest[0] != b[0] || rest[len(b)-1] != b[len(b)-1] {
			continue
		}
		// enmime wants white space after a delimiter, "--" after a close
		// delimiter; at the end of the message, count what could be one.
		after := rest[len(b):]
		closing := len(after) >= 2 && after[0] == '-' && after[1] == '-'
		if !closing && len(after) > 0 && !isSpace(after[0]) && (len(after) > 1 || after[0] != '-') {
			continue
		}
		if !bytes.Equal(rest[:len(b)], b) {
			continue
		}
		if !counted {
			counted = true
			c.parts++
			if c.parts > c.l.MaxParts {
				return &Error{What: TooManyParts, Max: c.l.MaxParts}
			}
		}
		// enmime ends a multipart at "--" boundary "--" after an LF in
		// its body; with the same boundary declared twice, the latest
		// closes first, which keeps Check's count of open ones at least
		// enmime's.
		if closing && c.open[k].closable &&
			len(b) <= maxClosable && (p == 0 || data[p-1] == '\n') && !bytes.Equal(closed, b) {
			closed = b
			c.open = slices.Delete(c.open, k, k+1)
		}
	}
	return nil
}

// isSpace is unicode.IsSpace on a single byte, which is what enmime's
// boundary reader accepts after a delimiter.
func isSpace(c byte) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}
