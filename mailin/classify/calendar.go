package classify

import (
	"bytes"
	"slices"
	"strings"

	"accord/mailin/tnef"
)

// calendarReply finds the first calendar part that answers an invitation:
// METHOD REPLY, or COUNTER (a proposal of a new time). Failing that, a
// calendar part of another method (REQUEST, CANCEL…) whose ORGANIZER is
// not us is someone else's invitation (CalendarOther). enmime files a
// lone text/calendar body under Attachments, one inside
// multipart/alternative under OtherParts and an invite.ics under
// Attachments; walking the whole tree finds them all.
func (m *message) calendarReply() (Result, bool) {
	var other *Result
	for _, p := range m.parts {
		ct, params := contentType(p)
		if isTNEFPart(ct, p.FileName) {
			// Outlook's winmail.dat: a meeting answer may be only in
			// there, behind an empty text body.
			msg, err := tnef.Read(p.Content)
			if err != nil {
				continue
			}
			switch msg.Kind() {
			case tnef.MeetingResponse:
				return Result{
					Kind:     CalendarReply,
					Reason:   "calendar: TNEF meeting response",
					Calendar: &Calendar{Method: "REPLY", TNEF: msg},
				}, true
			case tnef.MeetingRequest, tnef.MeetingCancel:
				if other == nil {
					other = &Result{Kind: CalendarOther, Reason: "calendar: TNEF meeting " + msg.Kind().String()}
				}
			}
			continue
		}
		if !isCalendarPart(ct, p.FileName) {
			continue
		}
		where := "body"
		method := strings.ToUpper(calendarProp(p.Content, "METHOD"))
		if method == "" {
			method, where = strings.ToUpper(strings.TrimSpace(params["method"])), "Content-Type"
		}
		switch {
		case method == "REPLY" || method == "COUNTER":
			return Result{
				Kind:     CalendarReply,
				Reason:   "calendar: METHOD:" + method + " in the " + where,
				Calendar: &Calendar{Method: method, Data: slices.Clone(p.Content)},
			}, true
		case other == nil && method != "" && !m.isService(mailtoAddress(calendarProp(p.Content, "ORGANIZER"))):
			other = &Result{Kind: CalendarOther, Reason: "calendar: METHOD:" + strings.ToUpper(token(method)) + " from another organizer"}
		}
	}
	if other != nil {
		return *other, true
	}
	return Result{}, false
}

// mailtoAddress is the address of a CAL-ADDRESS value ("mailto:a@b"), or
// "" when it is not a mailto: URI.
func mailtoAddress(v string) string {
	if len(v) < 7 || !strings.EqualFold(v[:7], "mailto:") {
		return ""
	}
	return strings.TrimSpace(v[7:])
}

// isTNEFPart reports whether a part is a TNEF stream: by media type, or by
// Outlook's file name on a generic type.
func isTNEFPart(ct, fileName string) bool {
	switch ct {
	case "application/ms-tnef", "application/vnd.ms-tnef":
		return true
	case "", "application/octet-stream":
		return strings.EqualFold(strings.TrimSpace(fileName), "winmail.dat")
	}
	return false
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

// calendarProp returns the value of the first property of the given
// (upper-case) name in iCalendar data, trimmed, or "" if there is none. It
// unfolds continuation lines and ignores the case of names and property
// parameters.
func calendarProp(data []byte, prop string) string {
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
		if !bytes.EqualFold(bytes.TrimSpace(name), []byte(prop)) {
			return "", false
		}
		return string(bytes.TrimSpace(value)), true
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
