package tnef

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/internal/corpus"
)

// The calendar corpus (shared/corpus/calendar beside the repository) holds
// real TNEF streams among its calendar mail: other projects' test data
// under their own licences, read in place and never copied here. Its
// SOURCES.md says where each file comes from.

// corpusEntry is one line of the corpus's manifest.jsonl.
type corpusEntry struct {
	File string `json:"file"`
	Kind string `json:"kind"` // tnef-request, tnef-reply-accepted, ...
}

// corpusStream is a TNEF stream of the corpus.
type corpusStream struct {
	corpusEntry
	data []byte
}

// tnefCorpus reads every TNEF file the manifest lists: a bare stream
// (.dat), a stream kept as base64 text (.b64), or a message carrying one
// as an application/ms-tnef part (.eml). required is whether a missing
// corpus fails rather than skips.
func tnefCorpus(tb testing.TB, required bool) []corpusStream {
	tb.Helper()
	dir := corpus.Dir(tb, "calendar", "ACCORD_CALENDAR_CORPUS", required)
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var streams []corpusStream
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e corpusEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatalf("manifest: %v", err)
		}
		if !strings.HasPrefix(e.Kind, "tnef-") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			tb.Fatal(err)
		}
		streams = append(streams, corpusStream{e, streamOf(tb, e.File, raw)})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return streams
}

// streamOf is the TNEF stream a corpus file holds.
func streamOf(tb testing.TB, name string, raw []byte) []byte {
	tb.Helper()
	switch filepath.Ext(name) {
	case ".dat":
		return raw
	case ".b64":
		data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		return data
	case ".eml":
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		for _, parts := range [][]*enmime.Part{env.Attachments, env.Inlines, env.OtherParts} {
			for _, p := range parts {
				if strings.EqualFold(p.ContentType, "application/ms-tnef") {
					return p.Content
				}
			}
		}
		tb.Fatalf("%s: no application/ms-tnef part", name)
	}
	tb.Fatalf("%s: not a TNEF file (.dat, .b64 or .eml)", name)
	return nil
}

// corpusWant is what a corpus file must read as, beyond what its kind
// requires. The values were read off the files' bytes with a separate
// dump of their attributes and properties.
type corpusWant struct {
	class, subject, uid, from string
	start, end, recurrence    time.Time
}

var corpusWants = map[string]corpusWant{
	// An all-day appointment, with no attMessageClass: the class is in
	// the properties only.
	"outlook__tnef-appointment__holiday-verdammelt.dat": {
		class: "IPM.Appointment", subject: "Pfingstmontag", from: "info@sitec-owl.de",
		start: utc(2003, 6, 8, 22, 0), end: utc(2003, 6, 9, 22, 0),
	},
	// Sender from the SMTP email address (attFrom names it too).
	"outlook__tnef-appointment__triples-verdammelt.dat": {
		class: "IPM.Appointment", subject: "Sample Summary", from: "rakhmanoff@sundance.spb.ru",
		start: utc(2003, 5, 23, 14, 0), end: utc(2003, 5, 23, 15, 0),
	},
	// The cancellation of one occurrence: the date is in the object id,
	// cleared in the UID.
	"outlook__tnef-cancel__winmobile-opush.eml": {
		class: classCanceled,
		uid:   "040000008200E00074C5B7101A82E008000000006DBB15E46333549A5D48E37D6E66ED3B10000000B4D27C2B2064547C3AB5D3B8F03C330F",
		start: utc(2010, 10, 16, 11, 0), end: utc(2010, 10, 16, 12, 0), recurrence: utc(2010, 10, 16, 11, 0),
	},
	"outlook__tnef-note__body-verdammelt.dat":     {class: "IPM.Note", subject: "Bill of Rights"},
	"outlook__tnef-note__one-file-verdammelt.dat": {class: "IPM.Note", subject: "one-file"},
	// Exchange's answer to an invitation that came as iCalendar: the UID
	// after the vCal-Uid marker.
	"outlook__tnef-reply-accepted__exchange-zugesagt-horde.eml": {
		class: classAccepted, subject: `Zugesagt: Infoveranstaltung VDI/VDE Jena "Digitalisierung Medizintechnik"`,
		uid: "20150113143519.trPhO6SrBAGURICFhR5NMg5@www.nachthell.net", from: "J.Meier@medizin.uni-leipzig.de",
		start: utc(2015, 2, 11, 23, 0), end: utc(2015, 2, 12, 23, 0),
	},
	// Windows Mobile puts the organizer's UID itself in the object id.
	"outlook__tnef-reply-accepted__winmobile-bare-opush.dat": {
		class: classAccepted,
		uid:   "5624421ab8e890e103e59b2ea3c9ad6d7a3b147601bbd799ff77a3553004032ded90b3c78cc8774af479e6fbda850d1cc12d5fee13feb11d711d42f51f1e272eb50edd4e00f9dbe5",
		start: utc(2010, 10, 5, 15, 0), end: utc(2010, 10, 5, 16, 0),
	},
	// Outlook's own meeting: its object id is the UID, in hex. Its
	// attDateStart is in the organizer's time (12:00, US Eastern).
	"outlook__tnef-request__horde-base64.b64": {
		class: classRequest,
		uid:   "040000008200E00074C5B7101A82E00800000000805A86260DFFCE010000000000000000100000006C6D150A04101E4DBEEE3BA5CF7206CC",
		start: utc(2013, 12, 23, 17, 0), end: utc(2013, 12, 23, 17, 30),
	},
	// An exception: the occurrence's date in the object id, the UID after
	// vCal-Uid.
	"outlook__tnef-request__winmobile-exception-opush.dat": {
		class: classRequest, uid: "7be74ded",
		start: utc(2010, 10, 23, 11, 0), end: utc(2010, 10, 23, 12, 0), recurrence: utc(2010, 10, 23, 11, 0),
	},
	"outlook__tnef-request__winmobile-recur-monthly-opush.eml": {
		class: classRequest,
		uid:   "040000008200E00074C5B7101A82E008000000006DBB15E46333549A5D48E37D6E66ED3B10000000517E3BEEC55BA748E858C838DE1CDC95",
		start: utc(2010, 9, 16, 11, 0), end: utc(2010, 9, 16, 12, 0),
	},
	"outlook__tnef-request__winmobile-three-attendees-opush.dat": {
		class: classRequest,
		uid:   "040000008200E00074C5B7101A82E008000000006DBB15E46333549A5D48E37D6E66ED3B1000000058B235509E354DBD7D7D95BF903299C3",
		start: utc(2010, 9, 14, 6, 0), end: utc(2010, 9, 14, 7, 0),
	},
	"outlook__tnef-request__winmobile-weekly-opush.dat": {
		class: classRequest,
		uid:   "040000008200E00074C5B7101A82E008000000006DBB15E46333549A5D48E37D6E66ED3B1000000088E298BE26F88187D35441F639991034",
		start: utc(2010, 9, 14, 22, 0), end: utc(2010, 9, 15, 22, 0),
	},
	"outlook__tnef-task__outlook2013-horde.eml": {class: "IPM.TaskRequest"},
}

// corpusKinds is what each kind of corpus file must read as.
var corpusKinds = map[string]struct {
	kind     Kind
	response string
}{
	"tnef-request":        {MeetingRequest, ""},
	"tnef-reply-accepted": {MeetingResponse, "ACCEPTED"},
	"tnef-cancel":         {MeetingCancel, ""},
	"tnef-appointment":    {NotMeeting, ""},
	"tnef-note":           {NotMeeting, ""},
	"tnef-task":           {NotMeeting, ""},
}

// TestCorpus reads every TNEF file of the calendar corpus: each meeting
// message is of its kind with a UID, each request has a start, each reply
// accepts, and the rest are not meetings; and each file gives the values
// in corpusWants.
func TestCorpus(t *testing.T) {
	t.Parallel()
	streams := tnefCorpus(t, corpus.Required())
	seen := make(map[string]bool)
	var meetings, read, uids int
	for _, s := range streams {
		seen[s.File] = true
		k, ok := corpusKinds[s.Kind]
		if !ok {
			t.Errorf("%s: kind %q has no expectation here", s.File, s.Kind)
			continue
		}
		if k.kind != NotMeeting {
			meetings++
		}
		m, err := Read(s.data)
		if err != nil {
			t.Errorf("%s: Read: %v", s.File, err)
			continue
		}
		if m.Kind() != k.kind || m.Meeting() != (k.kind != NotMeeting) || m.Response() != k.response {
			t.Errorf("%s: Kind, Meeting, Response = %v, %v, %q, want %v, %v, %q", s.File, m.Kind(), m.Meeting(), m.Response(), k.kind, k.kind != NotMeeting, k.response)
			continue
		}
		if m.BadChecksums != 0 || m.Skipped != 0 {
			t.Errorf("%s: BadChecksums, Skipped = %d, %d, want 0, 0", s.File, m.BadChecksums, m.Skipped)
		}
		if k.kind != NotMeeting {
			if m.UID == "" {
				t.Errorf("%s: no UID", s.File)
				continue
			}
			if !uidInStream(m.UID, s.data) {
				t.Errorf("%s: UID %q is neither in the stream nor its object id", s.File, m.UID)
			}
			uids++
		}
		if k.kind == MeetingRequest && m.Start.IsZero() {
			t.Errorf("%s: request without a start", s.File)
			continue
		}
		if k.kind != NotMeeting {
			read++
		}
		w, ok := corpusWants[s.File]
		if !ok {
			t.Errorf("%s: not in corpusWants", s.File)
			continue
		}
		got := Message{Class: m.Class, Subject: m.Subject, UID: m.UID, From: m.From, Start: m.Start, End: m.End, RecurrenceID: m.RecurrenceID}
		want := Message{Class: w.class, Subject: w.subject, UID: w.uid, From: w.from, Start: w.start, End: w.end, RecurrenceID: w.recurrence}
		if !sameMessage(&got, &want) {
			t.Errorf("%s: Read = %+v\nwant %+v", s.File, got, want)
		}
	}
	for name := range corpusWants {
		if !seen[name] {
			t.Errorf("%s: in corpusWants, not in the corpus", name)
		}
	}
	t.Logf("%d TNEF files; %d of %d meeting messages read with a UID (%d UIDs)", len(streams), read, meetings, uids)
}

// uidInStream reports whether uid is written in data: as it stands, or as
// the hex of an object id whose bytes, the occurrence date aside, are.
func uidInStream(uid string, data []byte) bool {
	if bytes.Contains(data, []byte(uid)) {
		return true
	}
	id, err := hex.DecodeString(uid)
	if err != nil || !isObjectID(id) {
		return false
	}
	return bytes.Contains(data, id[:objectDateAt]) && bytes.Contains(data, id[objectDateAt+4:])
}
