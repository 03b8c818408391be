package ical

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Limits on what [Parse] reads. A calendar reply is a few kilobytes; these
// leave room for any honest object and refuse the rest early.
const (
	MaxSize  = 1 << 20 // octets
	MaxLines = 10000   // physical lines
	MaxDepth = 8       // nested components, VCALENDAR counting as one
)

// Component is a BEGIN/END block, such as VCALENDAR, VEVENT or VTIMEZONE.
type Component struct {
	Name       string       // upper-case, e.g. "VEVENT"
	Line       int          // line of its BEGIN
	Props      []*Property  // properties in the order written
	Components []*Component // nested components in the order written
	// Skipped counts the content lines Parse left out because they are
	// outside the grammar (set on the VCALENDAR only); see [Parse].
	Skipped int
}

// Property is one content line: a name, parameters and a raw value.
type Property struct {
	Name   string              // upper-case, e.g. "DTSTART"
	Params map[string][]string // upper-case names; quotes removed
	Value  string              // as written, unescaped only by Text
	Line   int                 // line where it starts, for error messages
}

// Param returns the first value of the named parameter, or "".
func (p *Property) Param(name string) string {
	if v := p.Params[strings.ToUpper(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Text returns the value decoded as TEXT (RFC 5545 section 3.3.11).
func (p *Property) Text() string {
	return unescapeText(p.Value)
}

// Prop returns the first property with the given name, or nil.
func (c *Component) Prop(name string) *Property {
	name = strings.ToUpper(name)
	for _, p := range c.Props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// PropsNamed returns every property with the given name.
func (c *Component) PropsNamed(name string) []*Property {
	name = strings.ToUpper(name)
	var out []*Property
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// Children returns the nested components with the given name.
func (c *Component) Children(name string) []*Component {
	name = strings.ToUpper(name)
	var out []*Component
	for _, s := range c.Components {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// Parse reads one iCalendar object and returns its VCALENDAR. It accepts
// CRLF or bare LF line ends and folds continued with a space or a tab,
// and refuses input beyond [MaxSize], [MaxLines] or [MaxDepth].
//
// What we write is strict; what we read is not. Real clients write lines
// outside the grammar — Outlook for Mac an X-ENTOURAGE_UUID, Lotus Notes an
// X-LOTUS-CHILD_UID (underscores are not allowed in a name), an Android
// client raw line breaks inside a DESCRIPTION — and rejecting the whole
// object for one of them would lose a real answer. Such a content line is
// left out and counted in the VCALENDAR's Skipped; its neighbours (METHOD,
// UID, ATTENDEE, DTSTART…) are read as usual. The structure is still
// checked: components must nest and close, and the object must be a
// VCALENDAR.
func Parse(data []byte) (*Component, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("ical: object of %d octets exceeds the limit of %d", len(data), MaxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if n := bytes.Count(data, []byte("\n")); n > MaxLines {
		return nil, fmt.Errorf("ical: %d lines exceed the limit of %d", n, MaxLines)
	}
	lines, skipped := unfold(string(data))

	var root *Component
	var stack []*Component
	for _, l := range lines {
		p, err := parseLine(l.text, l.num)
		if err != nil {
			if begins(l.text) {
				return nil, err
			}
			skipped++
			continue
		}
		switch p.Name {
		case "BEGIN":
			name := strings.ToUpper(strings.TrimSpace(p.Value))
			if !isName(name) {
				return nil, fmt.Errorf("ical: line %d: BEGIN of %q, which is no component name", l.num, clip(p.Value))
			}
			if root != nil && len(stack) == 0 {
				return nil, fmt.Errorf("ical: line %d: BEGIN:%s after the end of %s", l.num, clip(name), clip(root.Name))
			}
			if len(stack) == MaxDepth {
				return nil, fmt.Errorf("ical: line %d: components nested deeper than %d", l.num, MaxDepth)
			}
			c := &Component{Name: name, Line: l.num}
			if len(stack) == 0 {
				root = c
			} else {
				top := stack[len(stack)-1]
				top.Components = append(top.Components, c)
			}
			stack = append(stack, c)
		case "END":
			name := strings.ToUpper(strings.TrimSpace(p.Value))
			if len(stack) == 0 {
				return nil, fmt.Errorf("ical: line %d: END:%s without BEGIN", l.num, shown(name))
			}
			top := stack[len(stack)-1]
			if name != top.Name {
				return nil, fmt.Errorf("ical: line %d: END:%s closes %s begun on line %d", l.num, shown(name), clip(top.Name), top.Line)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				if root == nil {
					// Text before the object, such as a mail
					// client's preamble.
					skipped++
					continue
				}
				return nil, fmt.Errorf("ical: line %d: property %s outside any component", l.num, clip(p.Name))
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	switch {
	case root == nil:
		return nil, errors.New("ical: no component found (empty or not iCalendar)")
	case len(stack) > 0:
		top := stack[len(stack)-1]
		return nil, fmt.Errorf("ical: truncated: %s begun on line %d is never ended", clip(top.Name), top.Line)
	case root.Name != "VCALENDAR":
		return nil, fmt.Errorf("ical: line %d: object is a %s, not a VCALENDAR", root.Line, clip(root.Name))
	}
	root.Skipped = skipped
	return root, nil
}

// begins reports whether a content line opens or closes a component: such
// a line is never skipped, since the structure depends on it.
func begins(s string) bool {
	name, _, _ := strings.Cut(s, ":")
	name, _, _ = strings.Cut(name, ";")
	name = strings.ToUpper(strings.TrimSpace(name))
	return name == "BEGIN" || name == "END"
}

// logicalLine is an unfolded content line and the line it started on.
type logicalLine struct {
	text string
	num  int
}

// unfold joins folded lines (RFC 5545 section 3.1) and drops empty ones,
// which some clients leave at the end. A continuation with nothing before
// it is dropped and counted in skipped.
func unfold(s string) (out []logicalLine, skipped int) {
	var cur strings.Builder
	start := 0
	flush := func() {
		if start > 0 {
			out = append(out, logicalLine{text: cur.String(), num: start})
		}
		cur.Reset()
		start = 0
	}
	for i, raw := range strings.Split(s, "\n") {
		num := i + 1
		raw = strings.TrimSuffix(raw, "\r")
		if raw != "" && (raw[0] == ' ' || raw[0] == '\t') {
			if start == 0 {
				skipped++
				continue
			}
			cur.WriteString(raw[1:])
			continue
		}
		flush()
		if raw == "" {
			continue
		}
		cur.WriteString(raw)
		start = num
	}
	flush()
	return out, skipped
}

// parseLine splits a content line into name, parameters and value.
func parseLine(s string, num int) (*Property, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("ical: line %d: "+format, append([]any{num}, args...)...)
	}
	i := strings.IndexAny(s, ";:")
	if i < 0 {
		return nil, bad("no colon in %q", clip(s))
	}
	p := &Property{Name: strings.ToUpper(s[:i]), Line: num}
	if !isName(p.Name) {
		return nil, bad("%q is no property name", clip(s[:i]))
	}
	s = s[i:]
	for s[0] == ';' {
		s = s[1:]
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return nil, bad("%s: parameter without '='", clip(p.Name))
		}
		name := strings.ToUpper(s[:eq])
		if !isName(name) {
			return nil, bad("%s: %q is no parameter name", clip(p.Name), clip(s[:eq]))
		}
		s = s[eq+1:]
		for {
			var v string
			if s != "" && s[0] == '"' {
				end := strings.IndexByte(s[1:], '"')
				if end < 0 {
					return nil, bad("%s: parameter %s has an unterminated quote", clip(p.Name), clip(name))
				}
				v, s = s[1:1+end], s[2+end:]
			} else {
				end := strings.IndexAny(s, ";:,")
				if end < 0 {
					return nil, bad("%s: no colon after the parameters", clip(p.Name))
				}
				v, s = s[:end], s[end:]
			}
			if p.Params == nil {
				p.Params = make(map[string][]string)
			}
			p.Params[name] = append(p.Params[name], v)
			if s == "" || s[0] != ',' {
				break
			}
			s = s[1:]
		}
		if s == "" {
			return nil, bad("%s: no colon after the parameters", clip(p.Name))
		}
		if s[0] != ';' && s[0] != ':' {
			return nil, bad("%s: unexpected %q after parameter %s", clip(p.Name), s[:1], clip(name))
		}
	}
	p.Value = s[1:]
	return p, nil
}

// isName reports whether s is an iana-token or x-name: letters, digits and
// dashes, at least one.
func isName(s string) bool {
	return s != "" && isToken(s)
}

// shown is a name for an error message: as it is when it is one, else
// clipped and quoted, so that no control character reaches a log.
func shown(s string) string {
	if isName(s) {
		return clip(s)
	}
	return strconv.Quote(clip(s))
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
