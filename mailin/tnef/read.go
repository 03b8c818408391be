package tnef

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MaxSize is the largest stream [Read] accepts, in octets. A meeting
// message is a few kilobytes; the rest is room for the attachments a
// winmail.dat may also carry, which are skipped.
const MaxSize = 10 << 20

// Errors that [Read] wraps, so that a caller can tell a stream that is not
// TNEF from one that is damaged.
var (
	ErrTooLarge  = errors.New("stream larger than MaxSize")
	ErrSignature = errors.New("not a TNEF stream (no TNEF signature)")
	ErrTruncated = errors.New("truncated")
	ErrMalformed = errors.New("malformed")
)

// signature opens every TNEF stream, as a little-endian uint32.
const signature = 0x223E9F78

// Attribute levels: an attribute belongs to the message or to the
// attachment whose attributes follow attAttachRendData.
const (
	levelMessage    = 0x01
	levelAttachment = 0x02
)

// The message attributes Read uses, as written: the attribute's type in
// the high 16 bits, its id in the low 16.
const (
	attFrom         = 0x00008000 // TRP structure: display name and "SMTP:" address
	attSubject      = 0x00018004 // 8-bit string
	attDateStart    = 0x00030006 // DTR structure
	attDateEnd      = 0x00030007 // DTR structure
	attMessageClass = 0x00078008 // 8-bit string, often with a legacy class name
	attBody         = 0x0002800C // 8-bit text
	attMsgProps     = 0x00069003 // MAPI property list
	attOemCodepage  = 0x00069007 // code page of the 8-bit strings, then a secondary one
)

// Read reads a TNEF stream. It fails on a stream that is not TNEF, is
// larger than [MaxSize], or whose attributes do not fit in it; it reads
// what it can of the rest, as the package comment says.
func Read(data []byte) (*Message, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("tnef: %d octets: %w", len(data), ErrTooLarge)
	}
	d := decoder{b: data}
	if sig, ok := d.uint32(); !ok || sig != signature {
		return nil, fmt.Errorf("tnef: %w", ErrSignature)
	}
	// The legacy attachment key, which nothing needs.
	if _, ok := d.uint16(); !ok {
		return nil, fmt.Errorf("tnef: key: %w", ErrTruncated)
	}
	var s stream
	for d.len() > 0 {
		at := d.off
		level, _ := d.uint8()
		id, ok1 := d.uint32()
		n, ok2 := d.uint32()
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("tnef: attribute at offset %d: header: %w", at, ErrTruncated)
		}
		if level != levelMessage && level != levelAttachment {
			return nil, fmt.Errorf("tnef: attribute %#08x at offset %d: level %d: %w", id, at, level, ErrMalformed)
		}
		value, ok := d.bytes(n)
		if !ok {
			return nil, fmt.Errorf("tnef: attribute %#08x at offset %d: %d octets of data, %d left: %w", id, at, n, d.len(), ErrTruncated)
		}
		sum, ok := d.uint16()
		if !ok {
			return nil, fmt.Errorf("tnef: attribute %#08x at offset %d: checksum: %w", id, at, ErrTruncated)
		}
		if checksum(value) != sum {
			s.badChecksums++
		}
		if level == levelMessage {
			s.attribute(id, value)
		}
	}
	return s.message(), nil
}

// checksum is an attribute's checksum: the sum of its data octets, modulo
// 65536.
func checksum(b []byte) uint16 {
	var sum uint16
	for _, c := range b {
		sum += uint16(c)
	}
	return sum
}

// decoder reads little-endian values from b, never past its end: each
// method reports false, and reads nothing, when too few octets remain.
type decoder struct {
	b   []byte
	off int
}

// len is the number of octets left.
func (d *decoder) len() int { return len(d.b) - d.off }

func (d *decoder) uint8() (byte, bool) {
	if d.len() < 1 {
		return 0, false
	}
	d.off++
	return d.b[d.off-1], true
}

func (d *decoder) uint16() (uint16, bool) {
	b, ok := d.bytes(2)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint16(b), true
}

func (d *decoder) uint32() (uint32, bool) {
	b, ok := d.bytes(4)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b), true
}

// bytes returns the next n octets, without copying them.
func (d *decoder) bytes(n uint32) ([]byte, bool) {
	if uint64(n) > uint64(d.len()) {
		return nil, false
	}
	b := d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return b, true
}

// pad skips the padding after a value of n octets, which brings it to a
// multiple of 4. Padding cut off by the end of the data is forgiven: the
// value itself was whole.
func (d *decoder) pad(n uint32) {
	p := int(-n & 3)
	d.off += min(p, d.len())
}
