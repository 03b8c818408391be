package tnef

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"accord/internal/corpus"
)

// fuzzSeeds are the corpus's TNEF streams when the corpus is there, and
// small streams built here: each shape the unit tests read, and some
// broken ones.
func fuzzSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	if _, ok := corpus.Find("calendar", "ACCORD_CALENDAR_CORPUS"); ok {
		for _, s := range tnefCorpus(tb, false) {
			seeds = append(seeds, s.data)
		}
	}
	start := utc(2025, 3, 4, 8, 30)
	reply := newStream().
		msg(attOemCodepage, le32(nil, 1252, 0)).
		msg(attMessageClass, []byte("IPM.Microsoft Schedule.MtgRespA\x00")).
		msg(attSubject, []byte("Mit Vorbehalt: Caf\xe9\x00")).
		msg(attDateStart, dtrValue(2025, 3, 4, 8, 30, 0)).
		msg(attFrom, []byte("\x04\x00\x1e\x00\x02\x00\x0e\x00A\x00SMTP:a@b.c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")).
		props(
			prop(tagOf(ptUnicode, pidTagSenderSmtpAddress), unicodeValue("ana@example.org")),
			prop(byName(ptUnicode, psPublicStrings, "x-odd"), unicodeValue("v")),
			prop(tagOf(ptMultiple|ptShort, 0x6000), multiple(short(1), short(2), short(3))),
			prop(byLID(ptSystime, psetidAppointment, lidAppointmentStartWhole), systime(start)),
			prop(byLID(ptBinary, psetidMeeting, lidGlobalObjectID), variable(objectID(2025, 3, 4, vCalData("c1f3@accord.example")))),
		).
		attr(levelAttachment, 0x00069005, propList(prop(tagOf(ptObject, 0x3701), variable(make([]byte, 20))))).
		bytes()
	seeds = append(seeds,
		reply,
		reply[:len(reply)/2],
		newStream().bytes(),
		newStream().props(prop(byLID(ptBinary, psetidMeeting, lidCleanGlobalObjectID), variable(objectID(0, 0, 0, []byte{1, 2, 3})))).bytes(),
		newStream().msg(attMsgProps, append(le32(nil, 2), 0x99, 0x00, 0x01, 0x00)).bytes(),
		newStream().attrSum(levelMessage, attMessageClass, []byte("IPM.Microsoft Schedule.MtgCncl\x00"), 0).bytes(),
		encode(&Message{Class: classRequest, UID: "x@y", Start: start, End: start.Add(time.Hour), RecurrenceID: start, Body: "Hi", From: "a@b.c"}),
		[]byte("not TNEF at all"),
	)
	return seeds
}

// FuzzRead holds Read to what the package comment promises on any input:
// no panic; a message or an error, never both; errors that start with
// "tnef: "; strings that are valid UTF-8 without NULs; times in UTC
// within the years 1601 to 9999; a Response only
// for a response and a Kind that agrees with Meeting; and a message that
// reads back the same when written again as a stream (see encode), so
// that nothing Read gives depends on how it was written.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(data)
		if (m == nil) == (err == nil) {
			t.Fatalf("Read = %v, %v: want a message or an error", m, err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tnef: ") {
				t.Fatalf("error %q does not start with \"tnef: \"", err)
			}
			return
		}
		for _, s := range []string{m.Class, m.Subject, m.UID, m.From, m.Body} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("Read gave %q: not UTF-8 without NULs", s)
			}
		}
		for _, tm := range []time.Time{m.Start, m.End, m.RecurrenceID} {
			if !tm.IsZero() && (tm.Year() < 1601 || tm.Year() > 9999 || tm.Location() != time.UTC) {
				t.Fatalf("Read gave the time %v: not UTC within 1601 to 9999", tm)
			}
		}
		if m.Meeting() != (m.Kind() != NotMeeting) {
			t.Fatalf("Meeting() = %v with Kind() = %v", m.Meeting(), m.Kind())
		}
		if r := m.Response(); (r != "") != (m.Kind() == MeetingResponse) {
			t.Fatalf("Response() = %q for class %q (%v)", r, m.Class, m.Kind())
		}
		if !m.RecurrenceID.IsZero() && m.UID == "" {
			t.Fatalf("RecurrenceID %v without a UID", m.RecurrenceID)
		}
		again, err := Read(encode(m))
		if err != nil {
			t.Fatalf("Read(encode(%+v)): %v", *m, err)
		}
		if !sameMessage(again, m) {
			t.Fatalf("Read(encode(m)) = %+v\nwant %+v", *again, *m)
		}
	})
}
