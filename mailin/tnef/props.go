package tnef

import "fmt"

// MAPI property types ([MS-OXCDATA] section 2.11.1): the low 16 bits of a
// property tag.
const (
	ptShort    = 0x0002
	ptLong     = 0x0003
	ptFloat    = 0x0004
	ptDouble   = 0x0005
	ptCurrency = 0x0006
	ptAppTime  = 0x0007
	ptError    = 0x000A
	ptBoolean  = 0x000B
	ptObject   = 0x000D
	ptI8       = 0x0014
	ptString8  = 0x001E
	ptUnicode  = 0x001F
	ptSystime  = 0x0040
	ptCLSID    = 0x0048
	ptSvrEID   = 0x00FB
	ptBinary   = 0x0102

	// ptMultiple marks a multi-valued type: PT_MV_LONG is 0x1003.
	ptMultiple = 0x1000
)

// fixedSize is the size of one value of a fixed-size type, before the
// padding to 4 octets; ok is false for a variable-size or unknown type.
func fixedSize(typ uint16) (size uint32, ok bool) {
	switch typ {
	case ptShort, ptBoolean:
		return 2, true
	case ptLong, ptFloat, ptError:
		return 4, true
	case ptDouble, ptCurrency, ptAppTime, ptI8, ptSystime:
		return 8, true
	case ptCLSID:
		return 16, true
	}
	return 0, false
}

// variableSize reports whether values of typ are written as a length and
// that many octets.
func variableSize(typ uint16) bool {
	switch typ {
	case ptString8, ptUnicode, ptBinary, ptObject, ptSvrEID:
		return true
	}
	return false
}

// namedBase is the first id of the named properties: in a property list,
// the tag of a property with an id at or above it is followed by its name.
const namedBase = 0x8000

// Kinds of property name.
const (
	nameLID    = 0 // a numeric long id (LID)
	nameString = 1 // a UTF-16LE string
)

// guid is a property set as it is written: a Windows GUID in its memory
// layout, the first three fields little-endian.
type guid [16]byte

// Property sets of the named properties Read uses.
var (
	// psetidMeeting is {6ED8DA90-450B-101B-98DA-00AA003F1305}.
	psetidMeeting = guid{0x90, 0xDA, 0xD8, 0x6E, 0x0B, 0x45, 0x1B, 0x10, 0x98, 0xDA, 0x00, 0xAA, 0x00, 0x3F, 0x13, 0x05}
	// psetidAppointment is {00062002-0000-0000-C000-000000000046}.
	psetidAppointment = guid{0x02, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
)

// propKey names a property: by id below namedBase, else by property set
// and LID. Properties named by a string are read past but never kept, as
// Read uses none.
type propKey struct {
	id  uint16 // zero for a named property
	set guid
	lid uint32
}

func tagged(id uint16) propKey           { return propKey{id: id} }
func named(set guid, lid uint32) propKey { return propKey{set: set, lid: lid} }

// Property ids ([MS-OXPROPS]) and LIDs ([MS-OXOCAL]) of what Read uses.
const (
	pidTagMessageClass                 = 0x001A
	pidTagSubject                      = 0x0037
	pidTagStartDate                    = 0x0060
	pidTagEndDate                      = 0x0061
	pidTagSentRepresentingAddressType  = 0x0064
	pidTagSentRepresentingEmailAddress = 0x0065
	pidTagSenderAddressType            = 0x0C1E
	pidTagSenderEmailAddress           = 0x0C1F
	pidTagBody                         = 0x1000
	pidTagMessageCodepage              = 0x3FFD
	pidTagSenderSmtpAddress            = 0x5D01
	pidTagSentRepresentingSmtpAddress  = 0x5D02

	lidGlobalObjectID        = 0x0003 // PSETID_Meeting
	lidCleanGlobalObjectID   = 0x0023 // PSETID_Meeting
	lidAppointmentStartWhole = 0x820D // PSETID_Appointment
	lidAppointmentEndWhole   = 0x820E // PSETID_Appointment
	lidExceptionReplaceTime  = 0x8228 // PSETID_Appointment
)

// valueKind is what a kept property's value is read as.
type valueKind int

const (
	asString valueKind = iota + 1 // PT_STRING8 or PT_UNICODE
	asTime                        // PT_SYSTIME
	asBinary                      // PT_BINARY
	asLong                        // PT_LONG
)

// accepts reports whether a single value of type typ can be read as k.
func (k valueKind) accepts(typ uint16) bool {
	switch k {
	case asString:
		return typ == ptString8 || typ == ptUnicode
	case asTime:
		return typ == ptSystime
	case asBinary:
		return typ == ptBinary
	case asLong:
		return typ == ptLong
	}
	return false
}

// used lists the properties a Message is made of, and how each is read.
var used = map[propKey]valueKind{
	tagged(pidTagMessageClass):                 asString,
	tagged(pidTagSubject):                      asString,
	tagged(pidTagStartDate):                    asTime,
	tagged(pidTagEndDate):                      asTime,
	tagged(pidTagSentRepresentingAddressType):  asString,
	tagged(pidTagSentRepresentingEmailAddress): asString,
	tagged(pidTagSenderAddressType):            asString,
	tagged(pidTagSenderEmailAddress):           asString,
	tagged(pidTagBody):                         asString,
	tagged(pidTagMessageCodepage):              asLong,
	tagged(pidTagSenderSmtpAddress):            asString,
	tagged(pidTagSentRepresentingSmtpAddress):  asString,

	named(psetidMeeting, lidGlobalObjectID):            asBinary,
	named(psetidMeeting, lidCleanGlobalObjectID):       asBinary,
	named(psetidAppointment, lidAppointmentStartWhole): asTime,
	named(psetidAppointment, lidAppointmentEndWhole):   asTime,
	named(psetidAppointment, lidExceptionReplaceTime):  asTime,
}

// value is a kept property's single value, with its type.
type value struct {
	typ  uint16
	data []byte
}

// readProps reads a property list, the data of attMsgProps: a count, then
// each property's tag, its name when it is a named property, and its
// values. It calls keep for each single-valued property that used lists
// with a value of a type it accepts; values are slices of b. On a
// malformed list it stops at the fault and says where; the properties
// before it have been kept.
//
// Every property takes at least 4 octets and every value at least 4, so
// that counts are bounded by what remains and the loop by len(b).
func readProps(b []byte, keep func(propKey, value)) error {
	d := decoder{b: b}
	count, ok := d.uint32()
	if !ok {
		return fmt.Errorf("property count: %w", ErrTruncated)
	}
	if uint64(count) > uint64(d.len()/4) {
		return fmt.Errorf("%d properties in %d octets: %w", count, d.len(), ErrMalformed)
	}
	for i := range count {
		at := d.off
		if err := d.property(keep); err != nil {
			return fmt.Errorf("property %d of %d at offset %d: %w", i+1, count, at, err)
		}
	}
	return nil
}

// property reads one property of a list; see readProps.
func (d *decoder) property(keep func(propKey, value)) error {
	typ, ok1 := d.uint16()
	id, ok2 := d.uint16()
	if !ok1 || !ok2 {
		return fmt.Errorf("tag: %w", ErrTruncated)
	}
	key, byString := propKey{id: id}, false
	if id >= namedBase {
		set, ok1 := d.bytes(16)
		kind, ok2 := d.uint32()
		if !ok1 || !ok2 {
			return fmt.Errorf("name of %#04x: %w", id, ErrTruncated)
		}
		key = propKey{set: guid(set)}
		switch kind {
		case nameLID:
			lid, ok := d.uint32()
			if !ok {
				return fmt.Errorf("LID of %#04x: %w", id, ErrTruncated)
			}
			key.lid = lid
		case nameString:
			n, ok := d.uint32()
			if !ok {
				return fmt.Errorf("name of %#04x: %w", id, ErrTruncated)
			}
			if _, ok := d.bytes(n); !ok {
				return fmt.Errorf("name of %#04x: %d octets, %d left: %w", id, n, d.len(), ErrTruncated)
			}
			d.pad(n)
			byString = true
		default:
			return fmt.Errorf("name of %#04x: kind %d: %w", id, kind, ErrMalformed)
		}
	}

	base, multiple := typ&^ptMultiple, typ&ptMultiple != 0
	// Variable-size values always have a count, even single-valued ones;
	// fixed-size ones only when multi-valued.
	count := uint32(1)
	if multiple || variableSize(base) {
		n, ok := d.uint32()
		if !ok {
			return fmt.Errorf("value count of %#04x: %w", id, ErrTruncated)
		}
		if uint64(n) > uint64(d.len()/4) {
			return fmt.Errorf("%d values of %#04x in %d octets: %w", n, id, d.len(), ErrMalformed)
		}
		count = n
	}
	size, fixed := fixedSize(base)
	if !fixed && !variableSize(base) {
		return fmt.Errorf("type %#04x of %#04x: %w", typ, id, ErrMalformed)
	}
	var first []byte
	for i := range count {
		n := size
		if !fixed {
			var ok bool
			if n, ok = d.uint32(); !ok {
				return fmt.Errorf("length of value %d of %#04x: %w", i+1, id, ErrTruncated)
			}
		}
		v, ok := d.bytes(n)
		if !ok {
			return fmt.Errorf("value %d of %#04x: %d octets, %d left: %w", i+1, id, n, d.len(), ErrTruncated)
		}
		d.pad(n)
		if i == 0 {
			first = v
		}
	}
	if !multiple && count == 1 && !byString {
		if k, ok := used[key]; ok && k.accepts(typ) {
			keep(key, value{typ: typ, data: first})
		}
	}
	return nil
}
