package mimecheck

import "fmt"

// Limits bounds the structure and size of a message handed to the MIME
// parser. A zero field means its default; the zero Limits is
// DefaultLimits.
type Limits struct {
	// MaxParts bounds the MIME parts of a message, counted as every line
	// that could open or close a part of a declared multipart, plus one per
	// declaration (default 500). enmime's work grows with the square of the
	// part count.
	MaxParts int
	// MaxDepth bounds how deeply multiparts nest (default 8). enmime reads
	// every byte through one boundary reader per level, and unclosed nesting
	// costs it time exponential in the depth.
	MaxDepth int
	// MaxHeaderBytes bounds one header block (default 1 MiB). Check refuses
	// a message whose top-level header is longer; Trim leaves out a part
	// whose header is.
	MaxHeaderBytes int
	// MaxTextBytes is the most body bytes, still transfer-encoded, that
	// Trim keeps of any one part (default 512 KiB): more than package
	// reply reads of a text body (200 KiB) and package classify of a
	// report (256 KiB). HTML is cut below the 1 MiB reply.HTML would read,
	// which only matters when the words do not come first.
	MaxTextBytes int
	// MaxTotalBytes bounds the bytes Trim keeps below the top-level
	// header: bodies, part headers and delimiter lines (default 2 MiB, room
	// for a text and an HTML body at MaxTextBytes and the calendar or
	// report parts after them). The parser's time grows with this times
	// the depth.
	MaxTotalBytes int
}

// DefaultLimits are limits no real reply comes near: a reply has a few
// parts nested two or three deep, a header of tens of KB and a body of a
// few KB; a message with 200 attachments still passes.
func DefaultLimits() Limits {
	return Limits{
		MaxParts:       500,
		MaxDepth:       8,
		MaxHeaderBytes: 1 << 20,
		MaxTextBytes:   512 << 10,
		MaxTotalBytes:  2 << 20,
	}
}

// orDefault fills in the zero fields.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = d.MaxTextBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	return l
}

// What an Error can be about.
const (
	TooManyParts       = "parts"
	TooDeep            = "depth"
	HeaderTooLong      = "header"
	ContentTypeTooLong = "content-type"
)

// maxContentType bounds a Content-Type field that names a boundary; a
// real one is under 200 bytes, and enmime's parameter parser takes about
// 50 ns a byte on a hostile one.
const maxContentType = 4 << 10

// Error is the verdict on a message over a limit. It is permanent: the same
// message will always be refused.
type Error struct {
	// What names the limit: TooManyParts, TooDeep, HeaderTooLong or
	// ContentTypeTooLong.
	What string
	// Max is the limit's value.
	Max int
}

func (e *Error) Error() string {
	switch e.What {
	case TooManyParts:
		return fmt.Sprintf("the MIME structure has more than %d parts", e.Max)
	case TooDeep:
		return fmt.Sprintf("the MIME structure is nested too deeply to read safely (more than %d levels)", e.Max)
	case HeaderTooLong:
		return fmt.Sprintf("the message header is longer than %d bytes", e.Max)
	case ContentTypeTooLong:
		return fmt.Sprintf("a Content-Type field declaring a boundary is longer than %d bytes", e.Max)
	}
	return "the MIME structure is over a limit"
}
