// Package tnef reads what a TNEF stream says about the message it wraps:
// the winmail.dat attachment (media type application/ms-tnef) that Outlook
// and Exchange send, sometimes with an empty text body and no
// text/calendar part, so that a calendar answer is only in there. The
// format is Microsoft's [MS-OXTNEF]; the properties are named as in
// [MS-OXPROPS] and, for meetings, [MS-OXOCAL].
//
// [Read] gives a [Message]: the message class (the legacy TNEF names such
// as "IPM.Microsoft Schedule.MtgRespP" mapped to the MAPI ones such as
// "IPM.Schedule.Meeting.Resp.Pos"), the subject, the sender's SMTP
// address, the plain-text body and, for meeting messages and
// appointments, the iCalendar UID, the occurrence a message is about and
// the meeting's start and end. [Message.Kind] and [Message.Response] say
// what a meeting message is.
//
// What it leaves out: attachments (their attributes are checked for
// length and skipped), embedded messages (PT_OBJECT values are skipped, so
// nothing nests and there is no depth to bound), the compressed RTF body,
// the recipient table, recurrence patterns and time zone definitions, and
// every property and attribute not named above. It reads; it does not
// write.
//
// The stream comes from strangers, so reading is bounded: a stream over
// [MaxSize] is refused, and every count and length is checked against the
// bytes that remain before it is used, so that a short or lying stream
// gives an error (see [ErrTruncated], [ErrMalformed]), never a panic, a
// loop without end or an allocation larger than the input. Only the
// properties the Message is made of are kept. What real writers get wrong
// is tolerated and counted: an attribute whose checksum does not match is
// read all the same ([Message.BadChecksums]), and a property list that
// breaks off inside its attribute keeps the properties before the break
// ([Message.Skipped]). Strings in 8-bit code pages are decoded from the
// code page the stream names (attOemCodepage, else PidTagMessageCodepage),
// Windows-1252 when it names none or one this package does not know.
//
// [MS-OXTNEF]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxtnef
// [MS-OXPROPS]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxprops
// [MS-OXOCAL]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxocal
package tnef
