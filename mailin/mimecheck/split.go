package mimecheck

import (
	"bytes"
	"strings"
)

// Node is one part of a message: its header, with the blank line that
// ends it, and its body; the body of a multipart is its children.
type Node struct {
	Header, Body []byte
	// Boundary is set on a multipart, whose parts are Children.
	Boundary string
	Children []*Node
}

// Split reads the part structure of a message as Trim leaves it, so that
// each part can be handed to enmime on its own: enmime reads a multipart
// byte by byte, once for each level of nesting, and that was most of the
// time a whole message took. ok is false, and the message is for enmime to
// read whole, whenever Split cannot vouch that enmime would see the same
// parts: a part without a Content-Type (enmime's default differs between
// a message and a part), a Content-Type that does not parse, a multipart
// without a boundary or without its close delimiter, a part of another
// type with a boundary parameter, a part holding an enclosing multipart's
// boundary anywhere (real mail never does), anything between a multipart's
// header and its first delimiter, and nesting Trim did not follow.
func Split(raw []byte, l Limits) (root *Node, ok bool) {
	l = l.orDefault()
	hEnd := headerEnd(raw, 0, len(raw))
	root = &Node{Header: raw[:hEnd]}
	ct, found := firstField(raw, 0, hEnd, "content-type", l.MaxHeaderBytes)
	if !found || len(bytes.TrimSpace(ct)) == 0 {
		// A message without a Content-Type is text/plain, to enmime too.
		root.Body = raw[hEnd:]
		return root, true
	}
	mtype, params, err := parseType(ct)
	if err != nil {
		return nil, false
	}
	if !strings.HasPrefix(mtype, "multipart/") {
		root.Body = raw[hEnd:]
		return root, true
	}
	if root.Boundary = params["boundary"]; root.Boundary == "" {
		return nil, false
	}
	s := splitter{trimmer: trimmer{data: raw, l: l}}
	if !s.children(root, hEnd, len(raw), 1) {
		return nil, false
	}
	return root, true
}

type splitter struct {
	trimmer
	// dashes are "--" and the boundary of each multipart the split is in.
	dashes [][]byte
}

// clean reports whether b holds none of the enclosing multiparts'
// boundaries: enmime's reading of a part that does, even where no
// delimiter can be (within a line), may end it early.
func (s *splitter) clean(b []byte) bool {
	for _, dash := range s.dashes {
		if bytes.Contains(b, dash) {
			return false
		}
	}
	return true
}

// children reads the parts of multipart n from its body [from, end).
func (s *splitter) children(n *Node, from, end, depth int) bool {
	data := s.data
	dash := []byte("--" + n.Boundary)
	s.dashes = append(s.dashes, dash)
	defer func() { s.dashes = s.dashes[:len(s.dashes)-1] }()
	d, ok := s.nextDelimiter(from, end, dash)
	if !ok || d.start != from || !plainDelimiter(data[d.start+len(dash):d.end], d.close) {
		return false
	}
	for !d.close {
		start := d.end
		next, more := s.nextDelimiter(start, end, dash)
		if !more || !plainDelimiter(data[next.start+len(dash):next.end], next.close) {
			return false
		}
		// The line break before a delimiter belongs to it.
		brk := next.start
		if brk > start && data[brk-1] == '\n' {
			brk--
			if brk > start && data[brk-1] == '\r' {
				brk--
			}
		}
		child, ok := s.part(start, brk, depth)
		if !ok {
			return false
		}
		n.Children = append(n.Children, child)
		d = next
	}
	// What follows the close delimiter, up to the end of n, is an
	// epilogue; Trim leaves none.
	return d.end == end
}

// part reads one part, [start, brk).
func (s *splitter) part(start, brk, depth int) (*Node, bool) {
	data := s.data
	hEnd := headerEnd(data, start, brk)
	ct, found := firstField(data, start, hEnd, "content-type", s.l.MaxHeaderBytes)
	if !found || len(bytes.TrimSpace(ct)) == 0 {
		return nil, false
	}
	mtype, params, err := parseType(ct)
	if err != nil {
		return nil, false
	}
	n := &Node{Header: data[start:hEnd]}
	if !s.clean(n.Header) {
		return nil, false
	}
	b := params["boundary"]
	switch {
	case b == "" && !strings.HasPrefix(mtype, "multipart/"):
		n.Body = data[hEnd:brk]
		return n, s.clean(n.Body)
	case b == "" || !strings.HasPrefix(mtype, "multipart/") || depth >= s.l.MaxDepth:
		// Read whole: enmime reads a part of any type with a boundary
		// as a multipart (text/plain and text/html aside), but a message
		// only when it says multipart.
		return nil, false
	}
	n.Boundary = b
	return n, s.children(n, hEnd, brk, depth+1)
}

// plainDelimiter reports whether rest, what follows "--" and the boundary
// on a delimiter line, is what real mail writes there: a line break after
// spaces or tabs, or for the close delimiter "--" and a line break or the
// end. enmime reads anything else after a close delimiter as part of what
// follows.
func plainDelimiter(rest []byte, close bool) bool {
	if close {
		rest = rest[2:]
		return len(rest) == 0 || string(rest) == "\n" || string(rest) == "\r\n"
	}
	rest = bytes.TrimLeft(rest, " \t")
	return string(rest) == "\n" || string(rest) == "\r\n"
}
