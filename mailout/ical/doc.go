// Package ical writes and reads the iCalendar objects (RFC 5545) that
// Accord exchanges as iMIP invitations (RFC 6047, RFC 5546).
//
// Writing is deliberately narrow: a [Calendar] holds one METHOD, one time
// zone and the events of a single series (the series itself, an override of
// one occurrence, or a cancellation), and [Calendar.Encode] turns it into
// the shape that Outlook, Gmail, Apple Calendar and Thunderbird all accept:
// CRLF line ends, lines folded at 75 octets on character boundaries, TEXT
// escaped, parameter values quoted, local times with a TZID (DTEND rather
// than DURATION, in DTSTART's zone, which smaller parsers handle), and one
// VTIMEZONE built from Go's tzdata in the form Outlook needs: a STANDARD
// and, where the zone has summer time, a DAYLIGHT observance, each starting
// in 1970 with a yearly RRULE. A VTIMEZONE whose rules would not reproduce
// the zone's real changes, for the year of the first event and the ten
// after it, is never written: Encode fails instead.
//
// Reading is for the answers that come back. [Parse] turns any iCalendar
// object into a tree of [Component] values, within fixed limits on size,
// line count and nesting, and [ParseReply] extracts the iTIP REPLY fields
// that matter for matching an answer to an invitation. Reading is lenient
// where writing is strict: a content line outside the grammar is skipped
// and counted, not fatal. Reading never panics, whatever the input; the
// package's fuzz test holds it to that.
package ical
