package tnef

import (
	"encoding/binary"
	"time"
	"unicode/utf16"
)

// Builders of TNEF streams for the tests: what an honest writer puts out,
// and, through the lower-level pieces, what no honest writer does.

// newStream starts a TNEF stream: the signature and a key.
func newStream() *streamBuilder {
	return &streamBuilder{b: le32(nil, signature, 0x0001)[:6]}
}

type streamBuilder struct{ b []byte }

// attr appends an attribute with its right checksum.
func (s *streamBuilder) attr(level byte, id uint32, data []byte) *streamBuilder {
	return s.attrSum(level, id, data, checksum(data))
}

// attrSum appends an attribute with the given checksum.
func (s *streamBuilder) attrSum(level byte, id uint32, data []byte, sum uint16) *streamBuilder {
	s.b = append(s.b, level)
	s.b = le32(s.b, id, uint32(len(data)))
	s.b = append(s.b, data...)
	s.b = binary.LittleEndian.AppendUint16(s.b, sum)
	return s
}

// msg appends a message attribute.
func (s *streamBuilder) msg(id uint32, data []byte) *streamBuilder {
	return s.attr(levelMessage, id, data)
}

// props appends attMsgProps with the given properties (see prop).
func (s *streamBuilder) props(props ...[]byte) *streamBuilder {
	return s.msg(attMsgProps, propList(props...))
}

func (s *streamBuilder) bytes() []byte { return s.b }

// le32 appends little-endian uint32s.
func le32(b []byte, vs ...uint32) []byte {
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// padded appends data and the padding to a multiple of 4 octets.
func padded(b, data []byte) []byte {
	b = append(b, data...)
	return append(b, make([]byte, -len(data)&3)...)
}

// propList is a property list: the count, then the properties.
func propList(props ...[]byte) []byte {
	b := le32(nil, uint32(len(props)))
	for _, p := range props {
		b = append(b, p...)
	}
	return b
}

// prop is one property: a tag (tagOf, byLID, byName) and a value.
func prop(tag, value []byte) []byte { return append(append([]byte(nil), tag...), value...) }

// tagOf is the tag of an unnamed property.
func tagOf(typ, id uint16) []byte {
	return binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, typ), id)
}

// byLID is the tag and name of a property named by LID.
func byLID(typ uint16, set guid, lid uint32) []byte {
	b := append(tagOf(typ, 0x8000), set[:]...)
	return le32(b, nameLID, lid)
}

// byName is the tag and name of a property named by string.
func byName(typ uint16, set guid, name string) []byte {
	b := append(tagOf(typ, 0x8001), set[:]...)
	n := utf16le(name + "\x00")
	b = le32(b, nameString, uint32(len(n)))
	return padded(b, n)
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// Values, as they follow a tag.

func long(v uint32) []byte  { return le32(nil, v) }
func short(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

func systime(t time.Time) []byte {
	var ft uint64
	if !t.IsZero() {
		ft = uint64(t.Unix()-filetimeEpoch)*1e7 + uint64(t.Nanosecond()/100)
	}
	return binary.LittleEndian.AppendUint64(nil, ft)
}

// fixed is a fixed-size value padded to 4 octets.
func fixed(v []byte) []byte { return padded(nil, v) }

// multiple is a multi-valued fixed-size value: the count, then each value
// padded to 4 octets.
func multiple(vs ...[]byte) []byte {
	b := le32(nil, uint32(len(vs)))
	for _, v := range vs {
		b = padded(b, v)
	}
	return b
}

// variable is a variable-size value, single or multi: the count, then
// each value's length and octets, padded.
func variable(vs ...[]byte) []byte {
	b := le32(nil, uint32(len(vs)))
	for _, v := range vs {
		b = le32(b, uint32(len(v)))
		b = padded(b, v)
	}
	return b
}

// str8 is a PT_STRING8 value, NUL-terminated.
func str8(s string) []byte { return variable([]byte(s + "\x00")) }

// unicodeValue is a PT_UNICODE value, NUL-terminated.
func unicodeValue(s string) []byte { return variable(utf16le(s + "\x00")) }

// objectID is an object id in Outlook's layout with the date of one
// occurrence (zero for the series) and data.
func objectID(year int, month time.Month, day int, data []byte) []byte {
	b := append([]byte(nil), objectClass...)
	b = binary.BigEndian.AppendUint16(b, uint16(year))
	b = append(b, byte(month), byte(day))
	b = append(b, make([]byte, 16)...) // creation time, reserved
	b = le32(b, uint32(len(data)))
	return append(b, data...)
}

// vCalData is the data of an object id made from an iCalendar UID.
func vCalData(uid string) []byte {
	return append(append(append([]byte(nil), vCalMarker...), uid...), 0)
}

// dtrValue is a DTR structure.
func dtrValue(year, month, day, hour, minute, second int) []byte {
	var b []byte
	for _, v := range []int{year, month, day, hour, minute, second, 0} {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// encode writes m as a TNEF stream that Read gives back as m: every field
// in the property that comes first for it.
func encode(m *Message) []byte {
	var ps [][]byte
	text := func(id uint16, s string) {
		if s != "" {
			ps = append(ps, prop(tagOf(ptUnicode, id), unicodeValue(s)))
		}
	}
	when := func(lid uint32, t time.Time) {
		if !t.IsZero() {
			ps = append(ps, prop(byLID(ptSystime, psetidAppointment, lid), systime(t)))
		}
	}
	text(pidTagMessageClass, m.Class)
	text(pidTagSubject, m.Subject)
	text(pidTagBody, m.Body)
	text(pidTagSenderSmtpAddress, m.From)
	when(lidAppointmentStartWhole, m.Start)
	when(lidAppointmentEndWhole, m.End)
	when(lidExceptionReplaceTime, m.RecurrenceID)
	if m.UID != "" {
		var year, day int
		var month time.Month
		if !m.RecurrenceID.IsZero() {
			year, month, day = m.RecurrenceID.Date()
		}
		ps = append(ps, prop(byLID(ptBinary, psetidMeeting, lidGlobalObjectID), variable(objectID(year, month, day, vCalData(m.UID)))))
	}
	return newStream().props(ps...).bytes()
}
