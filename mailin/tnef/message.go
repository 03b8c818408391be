package tnef

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// Message is what a TNEF stream says about the message it wraps. Strings
// are valid UTF-8 without NULs, times are UTC in the years 1601 to 9999;
// what the stream does not carry is left zero.
type Message struct {
	// Class is the message class, from PidTagMessageClass, else from
	// attMessageClass with its legacy name mapped to the MAPI one: e.g.
	// "IPM.Schedule.Meeting.Resp.Pos" for "IPM.Microsoft Schedule.MtgRespP".
	Class   string
	Subject string // PidTagSubject, else attSubject

	// UID is the iCalendar UID of the meeting, from PidLidCleanGlobalObjectId
	// or PidLidGlobalObjectId: the UID itself when the meeting came from
	// iCalendar (the object id then holds it after a "vCal-Uid" marker),
	// else the object id with its occurrence date cleared, in upper-case
	// hex, as Outlook writes it in a UID. An object id that is not in
	// Outlook's layout but is all printable ASCII, as Windows Mobile
	// writes, is the UID as it stands.
	UID string
	// RecurrenceID is the original start of the one occurrence a message
	// is about, zero when it is about the series or a single meeting. The
	// date comes from PidLidGlobalObjectId, the time from
	// PidLidExceptionReplaceTime; without it, from the time of day of
	// Start (in UTC, so that a meeting near midnight may be a day out), or
	// midnight when there is no Start either.
	RecurrenceID time.Time
	// Start and End are the meeting's, from PidLidAppointmentStartWhole
	// and PidLidAppointmentEndWhole, else PidTagStartDate and
	// PidTagEndDate, else attDateStart and attDateEnd (read as UTC, though
	// Outlook may write them in the sender's local time).
	Start, End time.Time

	// From is the sender's SMTP address: PidTagSenderSmtpAddress, else
	// PidTagSentRepresentingSmtpAddress, else the sender's or the
	// represented sender's email address or attFrom's, when it is an SMTP
	// address.
	From string
	// Body is the plain-text body, PidTagBody else attBody; often empty,
	// as Outlook may send only compressed RTF, which is not read.
	Body string

	// BadChecksums counts attributes whose checksum did not match; they
	// were read all the same.
	BadChecksums int
	// Skipped counts property lists that broke off before their end (a
	// length or count past their attribute, a type of unknown size): the
	// properties before the fault were read, the rest skipped.
	Skipped int
}

// Kind is what a message is to a meeting.
type Kind int

// Kinds of message, by message class.
const (
	NotMeeting      Kind = iota // any other class, IPM.Appointment among them
	MeetingRequest              // IPM.Schedule.Meeting.Request
	MeetingResponse             // IPM.Schedule.Meeting.Resp.Pos, .Neg or .Tent
	MeetingCancel               // IPM.Schedule.Meeting.Canceled
)

func (k Kind) String() string {
	switch k {
	case MeetingRequest:
		return "request"
	case MeetingResponse:
		return "response"
	case MeetingCancel:
		return "cancel"
	}
	return "not a meeting"
}

// Meeting message classes ([MS-OXOCAL]).
const (
	classRequest   = "IPM.Schedule.Meeting.Request"
	classAccepted  = "IPM.Schedule.Meeting.Resp.Pos"
	classDeclined  = "IPM.Schedule.Meeting.Resp.Neg"
	classTentative = "IPM.Schedule.Meeting.Resp.Tent"
	classCanceled  = "IPM.Schedule.Meeting.Canceled"
)

// Kind says whether the message is a meeting request, response or
// cancellation. A class derived from one of them (with a further
// ".suffix") is of its kind, as MAPI classes go.
func (m *Message) Kind() Kind {
	switch {
	case isClass(m.Class, classRequest):
		return MeetingRequest
	case isClass(m.Class, classAccepted), isClass(m.Class, classDeclined), isClass(m.Class, classTentative):
		return MeetingResponse
	case isClass(m.Class, classCanceled):
		return MeetingCancel
	}
	return NotMeeting
}

// Meeting reports whether the message is a meeting request, response or
// cancellation: not an appointment, a note, a task or anything else.
func (m *Message) Meeting() bool { return m.Kind() != NotMeeting }

// Response is the iCalendar PARTSTAT a meeting response gives: ACCEPTED,
// DECLINED or TENTATIVE; "" for any other message.
func (m *Message) Response() string {
	switch {
	case isClass(m.Class, classAccepted):
		return "ACCEPTED"
	case isClass(m.Class, classDeclined):
		return "DECLINED"
	case isClass(m.Class, classTentative):
		return "TENTATIVE"
	}
	return ""
}

// isClass reports whether class is base or derived from it. Message
// classes compare without regard to case.
func isClass(class, base string) bool {
	if len(class) < len(base) || !strings.EqualFold(class[:len(base)], base) {
		return false
	}
	return len(class) == len(base) || class[len(base)] == '.'
}

// legacyClasses maps the message class names TNEF writes in
// attMessageClass to the MAPI ones ([MS-OXTNEF], attMessageClass).
var legacyClasses = map[string]string{
	"IPM.MICROSOFT SCHEDULE.MTGREQ":   classRequest,
	"IPM.MICROSOFT SCHEDULE.MTGRESPP": classAccepted,
	"IPM.MICROSOFT SCHEDULE.MTGRESPN": classDeclined,
	"IPM.MICROSOFT SCHEDULE.MTGRESPA": classTentative,
	"IPM.MICROSOFT SCHEDULE.MTGCNCL":  classCanceled,
	"IPM.MICROSOFT MAIL.NOTE":         "IPM.Note",
	"IPM.MICROSOFT MAIL.READ RECEIPT": "Report.IPM.Note.IPNRN",
	"IPM.MICROSOFT MAIL.NON-DELIVERY": "Report.IPM.Note.NDR",
}

// stream gathers a stream's message attributes and kept properties as Read
// meets them; message makes the Message once all are in.
type stream struct {
	class, subject, body, from []byte // 8-bit attribute data
	start, end                 time.Time
	codepage                   uint32 // from attOemCodepage; 0 when absent
	props                      map[propKey]value
	badChecksums, skipped      int
}

// attribute takes in one message attribute.
func (s *stream) attribute(id uint32, data []byte) {
	switch id {
	case attMessageClass:
		s.class = data
	case attSubject:
		s.subject = data
	case attBody:
		s.body = data
	case attFrom:
		s.from = data
	case attDateStart:
		s.start = dtr(data)
	case attDateEnd:
		s.end = dtr(data)
	case attOemCodepage:
		if len(data) >= 4 {
			s.codepage = binary.LittleEndian.Uint32(data)
		}
	case attMsgProps:
		err := readProps(data, func(k propKey, v value) {
			if s.props == nil {
				s.props = make(map[propKey]value, len(used))
			}
			s.props[k] = v
		})
		if err != nil {
			s.skipped++
		}
	}
}

// prop is a kept property, and whether there is one.
func (s *stream) prop(k propKey) (value, bool) {
	v, ok := s.props[k]
	return v, ok
}

// message makes the Message.
func (s *stream) message() *Message {
	m := &Message{BadChecksums: s.badChecksums, Skipped: s.skipped}
	cp := s.codepage
	if v, ok := s.prop(tagged(pidTagMessageCodepage)); cp == 0 && ok && len(v.data) == 4 {
		cp = binary.LittleEndian.Uint32(v.data)
	}
	str := func(id uint16) string {
		if v, ok := s.prop(tagged(id)); ok {
			return v.text(cp)
		}
		return ""
	}
	when := func(k propKey) time.Time {
		if v, ok := s.prop(k); ok {
			return filetime(v.data)
		}
		return time.Time{}
	}

	if m.Class = str(pidTagMessageClass); m.Class == "" {
		m.Class = string8(s.class, cp)
		if c, ok := legacyClasses[strings.ToUpper(m.Class)]; ok {
			m.Class = c
		}
	}
	if m.Subject = str(pidTagSubject); m.Subject == "" {
		m.Subject = string8(s.subject, cp)
	}
	if m.Body = str(pidTagBody); m.Body == "" {
		m.Body = string8(s.body, cp)
	}
	m.From = s.sender(str, cp)

	m.Start = firstTime(when(named(psetidAppointment, lidAppointmentStartWhole)), when(tagged(pidTagStartDate)), s.start)
	m.End = firstTime(when(named(psetidAppointment, lidAppointmentEndWhole)), when(tagged(pidTagEndDate)), s.end)

	goid, hasGOID := s.prop(named(psetidMeeting, lidGlobalObjectID))
	if clean, ok := s.prop(named(psetidMeeting, lidCleanGlobalObjectID)); ok {
		m.UID = objectUID(clean.data)
	}
	if m.UID == "" && hasGOID {
		m.UID = objectUID(goid.data)
	}
	if hasGOID {
		if day, ok := objectDate(goid.data); ok {
			m.RecurrenceID = occurrence(day, when(named(psetidAppointment, lidExceptionReplaceTime)), m.Start)
		}
	}
	return m
}

// sender is Message.From; str reads a string property.
func (s *stream) sender(str func(uint16) string, cp uint32) string {
	for _, id := range []uint16{pidTagSenderSmtpAddress, pidTagSentRepresentingSmtpAddress} {
		if a := smtpAddress(str(id)); a != "" {
			return a
		}
	}
	// An email address is SMTP when its address type says so, or looks
	// like one when there is no address type.
	for _, p := range [][2]uint16{
		{pidTagSenderAddressType, pidTagSenderEmailAddress},
		{pidTagSentRepresentingAddressType, pidTagSentRepresentingEmailAddress},
	} {
		if t := str(p[0]); t == "" || strings.EqualFold(t, "SMTP") {
			if a := smtpAddress(str(p[1])); a != "" {
				return a
			}
		}
	}
	return trpAddress(s.from, cp)
}

// firstTime is the first of ts that is not zero.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// objectClass opens every object id Outlook writes in
// PidLidGlobalObjectId ([MS-OXOCAL]): its class id.
var objectClass = []byte{0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08}

// vCalMarker opens the data of an object id Outlook made from an
// iCalendar UID, which follows it up to a NUL.
var vCalMarker = []byte("vCal-Uid\x01\x00\x00\x00")

// An object id in Outlook's layout: the class id (16 octets), the year
// (big-endian), month and day of one occurrence (all zero for the
// series), the creation time (8), 8 reserved octets, the data's size
// (little-endian uint32) and the data.
const (
	objectDateAt = 16
	objectSizeAt = 36
	objectDataAt = 40
)

// isObjectID reports whether b is laid out as Outlook's object ids are.
func isObjectID(b []byte) bool {
	return len(b) >= objectDataAt && string(b[:len(objectClass)]) == string(objectClass)
}

// objectUID is the iCalendar UID an object id stands for; see Message.UID.
func objectUID(b []byte) string {
	if !isObjectID(b) {
		for _, c := range b {
			if c < 0x21 || c > 0x7E {
				return strings.ToUpper(hex.EncodeToString(b))
			}
		}
		return string(b)
	}
	size := binary.LittleEndian.Uint32(b[objectSizeAt:])
	data := b[objectDataAt:]
	if uint64(size) < uint64(len(data)) {
		data = data[:size]
	}
	if len(data) > len(vCalMarker) && string(data[:len(vCalMarker)]) == string(vCalMarker) {
		if uid := clean(string(data[len(vCalMarker):])); uid != "" {
			return uid
		}
	}
	// The UID of the series: the id with the occurrence date cleared.
	series := make([]byte, len(b))
	copy(series, b)
	clear(series[objectDateAt : objectDateAt+4])
	return strings.ToUpper(hex.EncodeToString(series))
}

// objectDate is the date of the occurrence an object id names; ok is
// false for the series, an id not in Outlook's layout, or a date that
// does not exist (see validDate).
func objectDate(b []byte) (day time.Time, ok bool) {
	if !isObjectID(b) {
		return time.Time{}, false
	}
	return validDate(int(binary.BigEndian.Uint16(b[objectDateAt:])), int(b[objectDateAt+2]), int(b[objectDateAt+3]))
}

// occurrence is the original start of the occurrence on the given day:
// replaced, the exception's PidLidExceptionReplaceTime, when there is
// one; else the day at start's time of day.
func occurrence(day, replaced, start time.Time) time.Time {
	if !replaced.IsZero() {
		return replaced
	}
	h, m, s := start.Clock()
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(start.Nanosecond()))
}
