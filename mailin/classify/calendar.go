package classify

import (
	"bytes"
	"slices"
	"strings"
)

// calendarReply finds the first calendar part whose method is REPLY.
// enmime files a lone text/calendar body under Attachments, one inside
// multipart/alternative under OtherParts and an invite.ics under
// Attachments; walking the whole tree finds them all.
func (m *message) calendarReply() (Result, bool) {
	for _, p := range m.parts {
		ct, params := contentType(p)
		if !isCalendarPart(ct, p.FileName) {
			continue
		}
		where := "body"
		method := calendarMethod(p.Content)
		if method == "" {
			method, where = strings.ToUpper(strings.TrimSpace(params["method"])), "Content-Type"
		}
		if method != "REPLY" {
			continue
		}
		return Result{
			Kind:     CalendarReply,
			Reason:   "calendar: METHOD:REPLY in the " + where,
			Calendar: &Calendar{Method: method, Data: slices.Clone(p.Content)},
		}, true
	}
	return Result{}, false
}

// isCalendarPart reports whether a part holds iCalendar data: by media
// type, or by an .ics file name on a generic type.
func isCalendarPart(ct, fileName string) bool {
	switch ct {
	case "text/calendar", "text/x-vcalendar", "application/ics", "application/calendar":
		return true
	case "", "application/octet-stream", "text/plain", "application/x-download", "application/download":
		return strings.HasSuffix(strings.ToLower(strings.TrimSpace(fileName)), ".ics")
	}
	return false
}

// calendarMethod returns the value of the first METHOD property in
// iCalendar data, upper case, or "" if there is none. It unfolds
// continuation lines and ignores case and property parameters.
func calendarMethod(data []byte) string {
	data = limitBytes(data, maxCalendar)
	var cur []byte
	check := func() (string, bool) {
		name, value, ok := bytes.Cut(cur, []byte(":"))
		if !ok {
			return "", false
		}
		if i := bytes.IndexByte(name, ';'); i >= 0 {
			name = name[:i]
		}
		if !bytes.EqualFold(bytes.TrimSpace(name), []byte("METHOD")) {
			return "", false
		}
		return strings.ToUpper(string(bytes.TrimSpace(value))), true
	}
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte("\n"))
		line = bytes.TrimRight(line, "\r")
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if len(cur) < 1024 {
				cur = append(cur, line[1:]...)
			}
			continue
		}
		if v, ok := check(); ok {
			return v
		}
		cur = append(cur[:0], limitBytes(line, 1024)...)
	}
	if v, ok := check(); ok {
		return v
	}
	return ""
}
