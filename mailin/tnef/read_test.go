package tnef

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// psPublicStrings is PS_PUBLIC_STRINGS, a property set Read uses nothing
// from: {00020329-0000-0000-C000-000000000046}.
var psPublicStrings = guid{0x29, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

func utc(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
}

// read reads a stream that must be readable.
func read(t *testing.T, data []byte) *Message {
	t.Helper()
	m, err := Read(data)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return m
}

// TestReadReply reads the answer Outlook sends when someone accepts one
// occurrence of an invitation that came as iCalendar: the shape Accord
// must understand.
func TestReadReply(t *testing.T) {
	t.Parallel()
	start, end := utc(2025, time.March, 4, 8, 30), utc(2025, time.March, 4, 9, 0)
	data := newStream().
		msg(attOemCodepage, le32(nil, 1252, 0)).
		msg(attMessageClass, []byte("IPM.Microsoft Schedule.MtgRespP\x00")).
		msg(attSubject, []byte("Accepted: Weekly check-in\x00")).
		props(
			prop(tagOf(ptUnicode, pidTagSenderSmtpAddress), unicodeValue("ana@example.org")),
			prop(byLID(ptSystime, psetidAppointment, lidAppointmentStartWhole), systime(start)),
			prop(byLID(ptSystime, psetidAppointment, lidAppointmentEndWhole), systime(end)),
			prop(byLID(ptSystime, psetidAppointment, lidExceptionReplaceTime), systime(start)),
			prop(byLID(ptBinary, psetidMeeting, lidGlobalObjectID), variable(objectID(2025, time.March, 4, vCalData("c1f3@accord.example")))),
			prop(byLID(ptBinary, psetidMeeting, lidCleanGlobalObjectID), variable(objectID(0, 0, 0, vCalData("c1f3@accord.example")))),
		).
		attr(levelAttachment, 0x00069002, make([]byte, 14)).
		bytes()
	got := read(t, data)
	want := Message{
		Class:        "IPM.Schedule.Meeting.Resp.Pos",
		Subject:      "Accepted: Weekly check-in",
		UID:          "c1f3@accord.example",
		RecurrenceID: start,
		Start:        start,
		End:          end,
		From:         "ana@example.org",
	}
	if !sameMessage(got, &want) || got.BadChecksums != 0 || got.Skipped != 0 {
		t.Errorf("Read = %+v, want %+v", *got, want)
	}
	if got.Kind() != MeetingResponse || !got.Meeting() || got.Response() != "ACCEPTED" {
		t.Errorf("Kind, Meeting, Response = %v, %v, %q, want response, true, ACCEPTED", got.Kind(), got.Meeting(), got.Response())
	}
}

// sameMessage reports whether a and b have the same fields, counts aside.
func sameMessage(a, b *Message) bool {
	return a.Class == b.Class && a.Subject == b.Subject && a.UID == b.UID &&
		a.RecurrenceID.Equal(b.RecurrenceID) && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
		a.From == b.From && a.Body == b.Body
}

func TestClass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attClass, propClass string // attMessageClass, PidTagMessageClass
		class               string
		kind                Kind
		response            string
	}{
		{"IPM.Microsoft Schedule.MtgReq", "", classRequest, MeetingRequest, ""},
		{"IPM.Microsoft Schedule.MtgRespP", "", classAccepted, MeetingResponse, "ACCEPTED"},
		{"IPM.Microsoft Schedule.MtgRespN", "", classDeclined, MeetingResponse, "DECLINED"},
		{"IPM.Microsoft Schedule.MtgRespA", "", classTentative, MeetingResponse, "TENTATIVE"},
		{"IPM.Microsoft Schedule.MtgCncl", "", classCanceled, MeetingCancel, ""},
		{"ipm.microsoft schedule.mtgrespn", "", classDeclined, MeetingResponse, "DECLINED"},
		{"IPM.Microsoft Mail.Note", "", "IPM.Note", NotMeeting, ""},
		{"IPM.Appointment", "", "IPM.Appointment", NotMeeting, ""},
		{"IPM.TaskRequest", "", "IPM.TaskRequest", NotMeeting, ""},
		{"IPM.Schedule.Meeting.Resp.Tent", "", classTentative, MeetingResponse, "TENTATIVE"},
		// The MAPI property wins over the attribute.
		{"IPM.Microsoft Schedule.MtgReq", "IPM.Schedule.Meeting.Resp.Neg", classDeclined, MeetingResponse, "DECLINED"},
		{"", "ipm.schedule.meeting.canceled", "ipm.schedule.meeting.canceled", MeetingCancel, ""},
		// Derived classes are of their base's kind; look-alikes are not.
		{"", "IPM.Schedule.Meeting.Request.Custom", "IPM.Schedule.Meeting.Request.Custom", MeetingRequest, ""},
		{"", "IPM.Schedule.Meeting.Resp.Pos.X", "IPM.Schedule.Meeting.Resp.Pos.X", MeetingResponse, "ACCEPTED"},
		{"", "IPM.Schedule.Meeting.RequestX", "IPM.Schedule.Meeting.RequestX", NotMeeting, ""},
		{"", "IPM.Schedule.Meeting.Notification.Forward", "IPM.Schedule.Meeting.Notification.Forward", NotMeeting, ""},
		{"", "IPM.Schedule.Meeting.Resp", "IPM.Schedule.Meeting.Resp", NotMeeting, ""},
		{"", "", "", NotMeeting, ""},
	}
	for _, tt := range tests {
		s := newStream()
		if tt.attClass != "" {
			s.msg(attMessageClass, []byte(tt.attClass+"\x00"))
		}
		if tt.propClass != "" {
			s.props(prop(tagOf(ptString8, pidTagMessageClass), str8(tt.propClass)))
		}
		m := read(t, s.bytes())
		if m.Class != tt.class || m.Kind() != tt.kind || m.Meeting() != (tt.kind != NotMeeting) || m.Response() != tt.response {
			t.Errorf("Read(%q, %q): Class, Kind, Meeting, Response = %q, %v, %v, %q, want %q, %v, %v, %q",
				tt.attClass, tt.propClass, m.Class, m.Kind(), m.Meeting(), m.Response(),
				tt.class, tt.kind, tt.kind != NotMeeting, tt.response)
		}
	}
}

// TestNamedProperties: a named property is the one with the right
// property set and LID; properties named by string, in any set, are read
// past, whatever the length of their name.
func TestNamedProperties(t *testing.T) {
	t.Parallel()
	goid := func(uid string) []byte { return variable(objectID(0, 0, 0, vCalData(uid))) }
	tests := []struct {
		name  string
		props [][]byte
		uid   string
	}{
		{"by LID", [][]byte{
			prop(byLID(ptBinary, psetidMeeting, lidGlobalObjectID), goid("right")),
		}, "right"},
		{"LID in another set", [][]byte{
			prop(byLID(ptBinary, psPublicStrings, lidGlobalObjectID), goid("wrong set")),
		}, ""},
		{"another LID in the set", [][]byte{
			prop(byLID(ptBinary, psetidMeeting, 0x0004), goid("wrong LID")),
		}, ""},
		{"unnamed id equal to the LID", [][]byte{
			prop(tagOf(ptBinary, lidGlobalObjectID), goid("unnamed")),
		}, ""},
		{"by string, then by LID", [][]byte{
			prop(byName(ptUnicode, psPublicStrings, "x-odd"), unicodeValue("v")),
			prop(byName(ptBinary, psetidMeeting, "GlobalObjectId"), goid("by string")),
			prop(byName(ptLong, psetidMeeting, ""), long(7)),
			prop(byLID(ptBinary, psetidMeeting, lidGlobalObjectID), goid("after strings")),
		}, "after strings"},
		{"clean id before the id", [][]byte{
			prop(byLID(ptBinary, psetidMeeting, lidGlobalObjectID), goid("global")),
			prop(byLID(ptBinary, psetidMeeting, lidCleanGlobalObjectID), goid("clean")),
		}, "clean"},
		{"wrong type", [][]byte{
			prop(byLID(ptUnicode, psetidMeeting, lidGlobalObjectID), unicodeValue("not binary")),
		}, ""},
	}
	for _, tt := range tests {
		m := read(t, newStream().props(tt.props...).bytes())
		if m.UID != tt.uid || m.Skipped != 0 {
			t.Errorf("%s: UID, Skipped = %q, %d, want %q, 0", tt.name, m.UID, m.Skipped, tt.uid)
		}
	}
}

// TestMultiValued: multi-valued properties of every size are read past,
// and a multi-valued property is never taken for a single-valued one.
func TestMultiValued(t *testing.T) {
	t.Parallel()
	data := newStream().
		msg(attSubject, []byte("from the attribute\x00")).
		props(
			prop(tagOf(ptMultiple|ptShort, 0x6000), multiple(short(1), short(2), short(3))),
			prop(tagOf(ptMultiple|ptLong, 0x6001), multiple(long(1), long(2))),
			prop(tagOf(ptMultiple|ptSystime, 0x6002), multiple(systime(utc(2020, 1, 1, 0, 0)))),
			prop(tagOf(ptMultiple|ptCLSID, 0x6003), multiple(psetidMeeting[:], psPublicStrings[:])),
			prop(tagOf(ptMultiple|ptString8, 0x6004), variable([]byte("a\x00"), []byte("bcdef\x00"))),
			prop(tagOf(ptMultiple|ptUnicode, pidTagSubject), variable(utf16le("multi\x00"), utf16le("valued\x00"))),
			prop(tagOf(ptMultiple|ptBinary, 0x6005), variable(nil, []byte{1}, []byte{1, 2, 3, 4, 5})),
			prop(byLID(ptMultiple|ptUnicode, psPublicStrings, 9), variable()),
			prop(tagOf(ptBinary, 0x6006), variable([]byte{1, 2}, []byte{3})), // two values for one
			prop(tagOf(ptBoolean, 0x6007), fixed(short(1))),
			prop(tagOf(ptDouble, 0x6008), fixed(make([]byte, 8))),
			prop(tagOf(ptObject, 0x6009), variable(make([]byte, 21))),
			prop(tagOf(ptUnicode, pidTagBody), unicodeValue("after them")),
		).bytes()
	m := read(t, data)
	if m.Subject != "from the attribute" || m.Body != "after them" || m.Skipped != 0 {
		t.Errorf("Subject, Body, Skipped = %q, %q, %d, want %q, %q, 0", m.Subject, m.Body, m.Skipped, "from the attribute", "after them")
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		oem      []byte // attOemCodepage; nil for none
		codepage []byte // PidTagMessageCodepage; nil for none
		subject  []byte // PidTagSubject, a PT_STRING8 or, with unicode, PT_UNICODE
		unicode  bool
		want     string
	}{
		{"Windows-1252 by default", nil, nil, []byte("Zugesagt: Caf\xe9 \x96 \x80\x00"), false, "Zugesagt: Café – €"},
		{"Windows-1252 named", le32(nil, 1252, 0), nil, []byte("Zugesagt: Caf\xe9 \x96 \x80\x00"), false, "Zugesagt: Café – €"},
		{"Windows-1251 from attOemCodepage", le32(nil, 1251, 0), nil, []byte("\xcf\xf0\xe8\xed\xff\xf2\xee\x00"), false, "Принято"},
		{"Windows-1251 from PidTagMessageCodepage", nil, long(1251), []byte("\xcf\xf0\xe8\xed\xff\xf2\xee\x00"), false, "Принято"},
		{"attOemCodepage first", le32(nil, 1252, 0), long(1251), []byte("\xe9\x00"), false, "é"},
		{"Shift JIS", le32(nil, 932, 0), nil, []byte("\x8f\xb3\x91\xf8\x00"), false, "承諾"},
		{"UTF-8", le32(nil, 65001, 0), nil, []byte("Zusage für Ana\x00"), false, "Zusage für Ana"},
		{"invalid UTF-8", le32(nil, 65001, 0), nil, []byte("a\xffb\x00"), false, "a\uFFFDb"},
		{"unknown code page", le32(nil, 4242, 0), nil, []byte("\xe9\x00"), false, "é"},
		{"short attOemCodepage", []byte{0xE3, 0x04}, nil, []byte("\xe9\x00"), false, "é"},
		{"no NUL", nil, nil, []byte("plain"), false, "plain"},
		{"up to the NUL", nil, nil, []byte("one\x00two\x00"), false, "one"},
		{"Unicode", le32(nil, 1251, 0), nil, utf16le("Zugesagt: Café 😀\x00"), true, "Zugesagt: Café 😀"},
		{"Unicode, lone surrogate", nil, nil, append(utf16le("a"), 0x00, 0xD8, 'b', 0, 0, 0), true, "a\uFFFDb"},
		{"Unicode, odd length", nil, nil, append(utf16le("ab"), 'c'), true, "ab"},
	}
	for _, tt := range tests {
		s := newStream()
		if tt.oem != nil {
			s.msg(attOemCodepage, tt.oem)
		}
		typ := uint16(ptString8)
		if tt.unicode {
			typ = ptUnicode
		}
		ps := [][]byte{prop(tagOf(typ, pidTagSubject), variable(tt.subject))}
		if tt.codepage != nil {
			ps = append(ps, prop(tagOf(ptLong, pidTagMessageCodepage), tt.codepage))
		}
		m := read(t, s.props(ps...).bytes())
		if m.Subject != tt.want {
			t.Errorf("%s: Subject = %q, want %q", tt.name, m.Subject, tt.want)
		}
	}
}

// TestAttributeStrings: the 8-bit attributes are decoded in the stream's
// code page too, and give way to the properties.
func TestAttributeStrings(t *testing.T) {
	t.Parallel()
	m := read(t, newStream().
		msg(attOemCodepage, le32(nil, 1250, 0)).
		msg(attSubject, []byte("P\xf8ijato\x00")).
		msg(attBody, []byte("D\xeckuji")).
		bytes())
	if m.Subject != "Přijato" || m.Body != "Děkuji" {
		t.Errorf("Subject, Body = %q, %q, want Přijato, Děkuji", m.Subject, m.Body)
	}
	m = read(t, newStream().
		msg(attSubject, []byte("attribute\x00")).
		msg(attBody, []byte("attribute\x00")).
		props(
			prop(tagOf(ptUnicode, pidTagSubject), unicodeValue("property")),
			prop(tagOf(ptString8, pidTagBody), str8("property")),
		).bytes())
	if m.Subject != "property" || m.Body != "property" {
		t.Errorf("Subject, Body = %q, %q, want the properties'", m.Subject, m.Body)
	}
}

func TestTimes(t *testing.T) {
	t.Parallel()
	whole, date, att := utc(2025, 1, 2, 10, 0), utc(2025, 1, 3, 10, 0), utc(2025, 1, 4, 10, 0)
	tests := []struct {
		name  string
		props [][]byte
		dtr   []byte
		want  time.Time
	}{
		{"start whole first", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), systime(date)),
			prop(byLID(ptSystime, psetidAppointment, lidAppointmentStartWhole), systime(whole)),
		}, dtrValue(2025, 1, 4, 10, 0, 0), whole},
		{"then PidTagStartDate", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), systime(date)),
		}, dtrValue(2025, 1, 4, 10, 0, 0), date},
		{"then attDateStart", nil, dtrValue(2025, 1, 4, 10, 0, 0), att},
		{"zero FILETIME is none", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), systime(time.Time{})),
		}, dtrValue(2025, 1, 4, 10, 0, 0), att},
		{"sub-second FILETIME", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), systime(date.Add(1234567800))),
		}, nil, date.Add(1234567800)},
		{"1601", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), systime(time.Date(1601, 1, 1, 0, 0, 0, 100, time.UTC))),
		}, nil, time.Date(1601, 1, 1, 0, 0, 0, 100, time.UTC)},
		{"largest FILETIME", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), fixed([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})),
		}, nil, time.Time{}},
		{"last FILETIME of 9999", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), systime(time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC))),
		}, nil, time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)},
		{"first FILETIME of 10000", [][]byte{
			prop(tagOf(ptSystime, pidTagStartDate), systime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))),
		}, dtrValue(2025, 1, 4, 10, 0, 0), att},
		{"DTR with February 30", nil, dtrValue(2025, 2, 30, 10, 0, 0), time.Time{}},
		{"DTR with hour 24", nil, dtrValue(2025, 2, 3, 24, 0, 0), time.Time{}},
		{"DTR before 1601", nil, dtrValue(1600, 2, 3, 10, 0, 0), time.Time{}},
		{"DTR after 9999", nil, dtrValue(65535, 2, 3, 10, 0, 0), time.Time{}},
		{"DTR in 9999", nil, dtrValue(9999, 12, 31, 23, 59, 59), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"DTR short", nil, dtrValue(2025, 2, 3, 10, 0, 0)[:10], time.Time{}},
	}
	for _, tt := range tests {
		s := newStream()
		if tt.dtr != nil {
			s.msg(attDateStart, tt.dtr).msg(attDateEnd, tt.dtr)
		}
		m := read(t, s.props(tt.props...).bytes())
		if !m.Start.Equal(tt.want) {
			t.Errorf("%s: Start = %v, want %v", tt.name, m.Start, tt.want)
		}
		if tt.props == nil && !m.End.Equal(tt.want) {
			t.Errorf("%s: End = %v, want %v", tt.name, m.End, tt.want)
		}
	}
}

func TestUIDAndOccurrence(t *testing.T) {
	t.Parallel()
	start := utc(2025, 3, 4, 8, 30)
	opaque := objectID(2025, 3, 4, []byte{0xAB, 0xCD})
	tests := []struct {
		name       string
		goid       []byte // PidLidGlobalObjectId; nil for none
		clean      []byte // PidLidCleanGlobalObjectId; nil for none
		replaced   time.Time
		uid        string
		recurrence time.Time
	}{
		{"vCal series", objectID(0, 0, 0, vCalData("a@b")), nil, time.Time{}, "a@b", time.Time{}},
		{"vCal occurrence, replace time", objectID(2025, 3, 4, vCalData("a@b")), nil, utc(2025, 3, 4, 7, 0), "a@b", utc(2025, 3, 4, 7, 0)},
		{"vCal occurrence, start's time", objectID(2025, 3, 4, vCalData("a@b")), nil, time.Time{}, "a@b", utc(2025, 3, 4, 8, 30)},
		{"clean id only: no occurrence", nil, objectID(0, 0, 0, vCalData("a@b")), time.Time{}, "a@b", time.Time{}},
		{"Outlook's own id, date cleared", opaque, nil, time.Time{},
			"040000008200E00074C5B7101A82E00800000000" + strings.Repeat("0", 32) + "02000000ABCD", utc(2025, 3, 4, 8, 30)},
		{"vCal without a UID", objectID(0, 0, 0, vCalData("")), nil, time.Time{},
			"040000008200E00074C5B7101A82E00800000000" + strings.Repeat("0", 32) + "0D0000007643616C2D5569640100000000", time.Time{}},
		{"size past the end", append(objectID(0, 0, 0, nil)[:36], 0xFF, 0xFF, 0, 0, 'v', 'C', 'a', 'l', '-', 'U', 'i', 'd', 1, 0, 0, 0, 'x', '@', 'y'), nil, time.Time{}, "x@y", time.Time{}},
		{"February 30", objectID(2025, 2, 30, vCalData("a@b")), nil, time.Time{}, "a@b", time.Time{}},
		{"month 13", objectID(2025, 13, 1, vCalData("a@b")), nil, time.Time{}, "a@b", time.Time{}},
		{"year 65535", objectID(65535, 10, 23, vCalData("a@b")), nil, time.Time{}, "a@b", time.Time{}},
		{"year 1600", objectID(1600, 10, 23, vCalData("a@b")), nil, time.Time{}, "a@b", time.Time{}},
		{"printable, not Outlook's layout", []byte("7be74ded-0000@example"), nil, time.Time{}, "7be74ded-0000@example", time.Time{}},
		{"binary, not Outlook's layout", []byte{0x01, 'a', 0xFF}, nil, time.Time{}, "0161FF", time.Time{}},
		{"short, with the class id", objectClass, nil, time.Time{}, "040000008200E00074C5B7101A82E008", time.Time{}},
		{"empty", []byte{}, nil, time.Time{}, "", time.Time{}},
	}
	for _, tt := range tests {
		ps := [][]byte{prop(byLID(ptSystime, psetidAppointment, lidAppointmentStartWhole), systime(start))}
		if tt.goid != nil {
			ps = append(ps, prop(byLID(ptBinary, psetidMeeting, lidGlobalObjectID), variable(tt.goid)))
		}
		if tt.clean != nil {
			ps = append(ps, prop(byLID(ptBinary, psetidMeeting, lidCleanGlobalObjectID), variable(tt.clean)))
		}
		if !tt.replaced.IsZero() {
			ps = append(ps, prop(byLID(ptSystime, psetidAppointment, lidExceptionReplaceTime), systime(tt.replaced)))
		}
		m := read(t, newStream().props(ps...).bytes())
		if m.UID != tt.uid || !m.RecurrenceID.Equal(tt.recurrence) {
			t.Errorf("%s: UID, RecurrenceID = %q, %v, want %q, %v", tt.name, m.UID, m.RecurrenceID, tt.uid, tt.recurrence)
		}
	}
}

func TestFrom(t *testing.T) {
	t.Parallel()
	uni := func(id uint16, s string) []byte { return prop(tagOf(ptUnicode, id), unicodeValue(s)) }
	// attFrom as Outlook writes it: a one-off TRP, the display name, the
	// address, and an empty TRP to end.
	trp := func(name, addr string) []byte {
		b := short(4)
		b = append(b, short(uint16(8+len(name)+1+len(addr)+1+8))...)
		b = append(b, short(uint16(len(name)+1))...)
		b = append(b, short(uint16(len(addr)+1))...)
		b = append(b, name+"\x00"...)
		if (len(name)+1)%2 == 1 {
			b = append(b, 0)
		}
		b = append(b, addr+"\x00"...)
		return append(b, make([]byte, 8)...)
	}
	tests := []struct {
		name  string
		props [][]byte
		from  []byte // attFrom; nil for none
		want  string
	}{
		{"sender SMTP", [][]byte{uni(pidTagSentRepresentingSmtpAddress, "rep@example.org"), uni(pidTagSenderSmtpAddress, "ana@example.org")}, nil, "ana@example.org"},
		{"represented SMTP", [][]byte{uni(pidTagSentRepresentingSmtpAddress, "rep@example.org"), uni(pidTagSenderEmailAddress, "x@example.org")}, nil, "rep@example.org"},
		{"sender email, SMTP type", [][]byte{uni(pidTagSenderAddressType, "SMTP"), uni(pidTagSenderEmailAddress, "ana@example.org")}, nil, "ana@example.org"},
		{"sender email, no type", [][]byte{uni(pidTagSenderEmailAddress, "SMTP:ana@example.org")}, nil, "ana@example.org"},
		{"sender email, EX type", [][]byte{uni(pidTagSenderAddressType, "EX"), uni(pidTagSenderEmailAddress, "ana@example.org")}, nil, ""},
		{"Exchange DN", [][]byte{uni(pidTagSenderEmailAddress, "/O=EXAMPLE/OU=FIRST/CN=RECIPIENTS/CN=ANA")}, nil, ""},
		{"represented email", [][]byte{uni(pidTagSenderEmailAddress, "/O=EXAMPLE/CN=ANA"), uni(pidTagSentRepresentingAddressType, "SMTP"), uni(pidTagSentRepresentingEmailAddress, "rep@example.org")}, nil, "rep@example.org"},
		{"display name in the SMTP property", [][]byte{uni(pidTagSenderSmtpAddress, "Ana <ana@example.org>")}, nil, ""},
		{"two @", [][]byte{uni(pidTagSenderSmtpAddress, "a@b@example.org")}, nil, ""},
		{"no domain", [][]byte{uni(pidTagSenderSmtpAddress, "ana@")}, nil, ""},
		{"space", [][]byte{uni(pidTagSenderSmtpAddress, "ana @example.org")}, nil, ""},
		{"prefix twice", [][]byte{uni(pidTagSenderSmtpAddress, "SMTP:SMTP:ana@example.org")}, nil, ""},
		{"attFrom", nil, trp("Ana Lima", "SMTP:ana@example.org"), "ana@example.org"},
		{"attFrom, even name", nil, trp("Ana Lim", "smtp:ana@example.org"), "ana@example.org"},
		{"attFrom, EX", nil, trp("Ana", "EX:/O=EXAMPLE/CN=ANA"), ""},
		{"attFrom, short", nil, trp("Ana", "SMTP:ana@example.org")[:12], ""},
		{"attFrom, header only", nil, []byte{4, 0, 8}, ""},
		{"property before attFrom", [][]byte{uni(pidTagSenderSmtpAddress, "ana@example.org")}, trp("Rep", "SMTP:rep@example.org"), "ana@example.org"},
	}
	for _, tt := range tests {
		s := newStream()
		if tt.from != nil {
			s.msg(attFrom, tt.from)
		}
		m := read(t, s.props(tt.props...).bytes())
		if m.From != tt.want {
			t.Errorf("%s: From = %q, want %q", tt.name, m.From, tt.want)
		}
	}
}

// TestAttachmentsSkipped: the attributes of an attachment, properties
// among them, say nothing about the message.
func TestAttachmentsSkipped(t *testing.T) {
	t.Parallel()
	m := read(t, newStream().
		msg(attMessageClass, []byte("IPM.Microsoft Mail.Note\x00")).
		attr(levelAttachment, 0x00069002, make([]byte, 14)).
		attr(levelAttachment, attMessageClass, []byte("IPM.Microsoft Schedule.MtgReq\x00")).
		attr(levelAttachment, 0x00069005, propList(prop(tagOf(ptUnicode, pidTagSubject), unicodeValue("attached")))).
		attr(levelAttachment, attMsgProps, propList(prop(tagOf(ptUnicode, pidTagSubject), unicodeValue("attached")))).
		bytes())
	if m.Class != "IPM.Note" || m.Subject != "" {
		t.Errorf("Class, Subject = %q, %q, want IPM.Note and none", m.Class, m.Subject)
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	ok := newStream().msg(attMessageClass, []byte("IPM.Note\x00")).bytes()
	// An attribute header whose length is 0xFFFFFFF0, then three octets.
	huge := append(newStream().bytes(), levelMessage, 0x03, 0x90, 0x06, 0x00, 0xF0, 0xFF, 0xFF, 0xFF, 1, 2, 3)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrSignature},
		{"three octets", []byte{0x78, 0x9F, 0x3E}, ErrSignature},
		{"wrong signature", append([]byte{0x78, 0x9F, 0x3E, 0x23}, ok[4:]...), ErrSignature},
		{"big-endian signature", append([]byte{0x22, 0x3E, 0x9F, 0x78}, ok[4:]...), ErrSignature},
		{"a MIME message", []byte("Content-Type: application/ms-tnef\r\n\r\neJ8+IgcQAQaQ"), ErrSignature},
		{"no key", ok[:5], ErrTruncated},
		{"short attribute header", ok[:6+8], ErrTruncated},
		{"lying length", ok[:len(ok)-3], ErrTruncated},
		{"no checksum", ok[:len(ok)-2], ErrTruncated},
		{"half a checksum", ok[:len(ok)-1], ErrTruncated},
		{"trailing octet", append(append([]byte(nil), ok...), 0), ErrTruncated},
		{"length near 4 GiB", huge, ErrTruncated},
		{"unknown level", newStream().attr(3, attMessageClass, []byte("IPM.Note\x00")).bytes(), ErrMalformed},
		{"too large", append(append([]byte(nil), ok...), make([]byte, MaxSize)...), ErrTooLarge},
	}
	for _, tt := range tests {
		m, err := Read(tt.data)
		if !errors.Is(err, tt.want) || m != nil {
			t.Errorf("%s: Read = %v, %v, want nil, %v", tt.name, m, err, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "tnef: ") {
			t.Errorf("%s: error %q does not start with \"tnef: \"", tt.name, err)
		}
	}
}

// TestTolerated: what real writers get wrong is read around and counted.
func TestTolerated(t *testing.T) {
	t.Parallel()
	subject := prop(tagOf(ptUnicode, pidTagSubject), unicodeValue("kept"))
	broken := func(rest ...byte) []byte {
		return append(le32(nil, 3), append(subject, rest...)...)
	}
	tests := []struct {
		name          string
		data          []byte
		badChecksums  int
		skipped       int
		subject, body string
	}{
		{"bad checksum", newStream().attrSum(levelMessage, attSubject, []byte("still read\x00"), 1).bytes(), 1, 0, "still read", ""},
		{"bad checksums", newStream().
			attrSum(levelMessage, attSubject, []byte("a\x00"), 0).
			attrSum(levelAttachment, 0x00069002, []byte{1}, 0).bytes(), 2, 0, "a", ""},
		{"count past the end", newStream().msg(attMsgProps, append(le32(nil, 1000), subject...)).bytes(), 0, 1, "", ""},
		{"no count", newStream().msg(attMsgProps, []byte{1, 0}).bytes(), 0, 1, "", ""},
		{"property cut in its tag", newStream().msg(attMsgProps, broken(0x1F, 0x00)).bytes(), 0, 1, "kept", ""},
		{"value length past the end", newStream().msg(attMsgProps, broken(0x1F, 0x00, 0x00, 0x10, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 'x', 0, 0, 0)).bytes(), 0, 1, "kept", ""},
		{"value count past the end", newStream().msg(attMsgProps, broken(0x03, 0x10, 0x00, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0)).bytes(), 0, 1, "kept", ""},
		{"unknown type", newStream().msg(attMsgProps, broken(0x99, 0x00, 0x00, 0x10, 0, 0, 0, 0)).bytes(), 0, 1, "kept", ""},
		{"unknown name kind", newStream().msg(attMsgProps, broken(append(append([]byte{0x03, 0x00, 0x00, 0x80}, psetidMeeting[:]...), 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0)...)).bytes(), 0, 1, "kept", ""},
		{"string name past the end", newStream().msg(attMsgProps, broken(append(append([]byte{0x03, 0x00, 0x00, 0x80}, psetidMeeting[:]...), 1, 0, 0, 0, 0xFF, 0, 0, 0, 'a', 0)...)).bytes(), 0, 1, "kept", ""},
		{"fixed value cut", newStream().msg(attMsgProps, broken(0x40, 0x00, 0x60, 0x00, 1, 2, 3)).bytes(), 0, 1, "kept", ""},
		{"padding cut", newStream().msg(attMsgProps, propList(subject, prop(tagOf(ptBoolean, 0x0063), short(1)))).bytes(), 0, 0, "kept", ""},
		{"later list still read", newStream().
			msg(attMsgProps, broken(0x99, 0x99)).
			props(prop(tagOf(ptUnicode, pidTagBody), unicodeValue("later"))).bytes(), 0, 1, "kept", "later"},
	}
	for _, tt := range tests {
		m := read(t, tt.data)
		if m.BadChecksums != tt.badChecksums || m.Skipped != tt.skipped || m.Subject != tt.subject || m.Body != tt.body {
			t.Errorf("%s: BadChecksums, Skipped, Subject, Body = %d, %d, %q, %q, want %d, %d, %q, %q",
				tt.name, m.BadChecksums, m.Skipped, m.Subject, m.Body, tt.badChecksums, tt.skipped, tt.subject, tt.body)
		}
	}
}

// TestReadLarge: a stream of MaxSize octets, most of them an attachment,
// is read, and quickly.
func TestReadLarge(t *testing.T) {
	t.Parallel()
	s := newStream().msg(attMessageClass, []byte("IPM.Microsoft Schedule.MtgRespN\x00"))
	head := len(s.bytes())
	s.attr(levelAttachment, 0x0006800F, bytes.Repeat([]byte{0xA5}, MaxSize-head-11))
	data := s.bytes()
	if len(data) != MaxSize {
		t.Fatalf("built %d octets, want %d", len(data), MaxSize)
	}
	m := read(t, data)
	if m.Response() != "DECLINED" {
		t.Errorf("Response = %q, want DECLINED", m.Response())
	}
}

// TestManyProperties: a list of a million tiny properties is read through
// without keeping them.
func TestManyProperties(t *testing.T) {
	t.Parallel()
	const n = 1 << 20
	list := le32(nil, n+1)
	list = append(list, bytes.Repeat([]byte{0x03, 0x00, 0x01, 0x60, 0, 0, 0, 0}, n)...)
	list = append(list, prop(tagOf(ptUnicode, pidTagSubject), unicodeValue("last"))...)
	m := read(t, newStream().msg(attMsgProps, list).bytes())
	if m.Subject != "last" || m.Skipped != 0 {
		t.Errorf("Subject, Skipped = %q, %d, want last, 0", m.Subject, m.Skipped)
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[Kind]string{NotMeeting: "not a meeting", MeetingRequest: "request", MeetingResponse: "response", MeetingCancel: "cancel", Kind(9): "not a meeting"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
