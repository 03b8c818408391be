package mimecheck

import (
	"bytes"
	"fmt"
	"strings"
)

// The messages here are shaped like what real clients send, built from
// scratch: structure, header fields and encodings as those clients write
// them, with made-up content.

// calendarReply is an iTIP REPLY (RFC 5546) accepting an invitation.
const calendarReply = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n" +
	"BEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=Dana:mailto:dana@example.test\r\n" +
	"UID:accord-checkin-42@accord.example.test\r\nDTSTAMP:20250602T090000Z\r\nSEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// binary returns n bytes that look like a compressed file.
func binary(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

// normalReply is an ordinary reply: text and HTML alternatives of a few
// KB, quoting the question.
func normalReply() []byte {
	return []byte(topHeader(`multipart/alternative; boundary="000000000000a1b2c3"`) + "\r\n" +
		"--000000000000a1b2c3\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"We talk more openly now than in spring; Tuesdays work best for me.\r\n\r\n" +
		"On Mon, 2 Jun 2025 at 08:00, Accord <accord+r1@example.test> wrote:\r\n" +
		"> What changed in how you two talk since the last review?\r\n> Reply to this email with a few words.\r\n" +
		string(filler(1500)) +
		"\r\n--000000000000a1b2c3\r\nContent-Type: text/html; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<div dir=3D\"ltr\">We talk more openly now than in spring; Tuesdays work best for me.</div><br>" +
		"<div class=3D\"gmail_quote\"><div dir=3D\"ltr\" class=3D\"gmail_attr\">On Mon, 2 Jun 2025 at 08:00, Accord " +
		"&lt;accord+r1@example.test&gt; wrote:<br></div><blockquote class=3D\"gmail_quote\">What changed in how you two " +
		"talk since the last review?<br>Reply to this email with a few words.</blockquote></div>\r\n" +
		"--000000000000a1b2c3--\r\n")
}

// gmailInlineImage is a Gmail-like reply: text and HTML alternatives
// inside multipart/related with the inline image the HTML shows.
func gmailInlineImage() []byte {
	return []byte(topHeader(`multipart/related; boundary="000000000000b2c3d4e5f6"`, "References: <q3@accord.example.test>") + "\r\n" +
		"--000000000000b2c3d4e5f6\r\nContent-Type: multipart/alternative; boundary=\"000000000000a1b2c3d4e5\"\r\n\r\n" +
		"--000000000000a1b2c3d4e5\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n" +
		"We talk more openly now. Here is us last weekend:\r\n[image: beach.jpg]\r\n\r\n" +
		"On Mon, 2 Jun 2025 at 08:00, Accord <accord+r1@example.test> wrote:\r\n> What changed since the last review?\r\n\r\n" +
		"--000000000000a1b2c3d4e5\r\nContent-Type: text/html; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<div dir=3D\"ltr\">We talk more openly now. Here is us last weekend:<div><img src=3D\"cid:ii_m1\" alt=3D\"bea=\r\n" +
		"ch.jpg\" width=3D\"540\"></div></div><br><div class=3D\"gmail_quote\"><blockquote class=3D\"gmail_quote\">" +
		"What changed since the last review?</blockquote></div>\r\n\r\n" +
		"--000000000000a1b2c3d4e5--\r\n" +
		"--000000000000b2c3d4e5f6\r\nContent-Type: image/jpeg; name=\"beach.jpg\"\r\nContent-Disposition: inline; filename=\"beach.jpg\"\r\n" +
		"Content-Transfer-Encoding: base64\r\nContent-ID: <ii_m1>\r\nX-Attachment-Id: ii_m1\r\n\r\n" +
		string(b64(binary(60<<10, 1))) +
		"--000000000000b2c3d4e5f6--\r\n")
}

// outlookICS is an Outlook-like calendar reply: the text and HTML
// alternatives, and the reply as an .ics attachment of a generic type.
func outlookICS() []byte {
	return []byte(topHeader("multipart/mixed;\r\n\tboundary=\"_002_DB9PR10MB5xyz_\"", "Thread-Topic: Accepted: Check-in", "x-ms-has-attach: yes") + "\r\n" +
		"--_002_DB9PR10MB5xyz_\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"_000_DB9PR10MB5xyz_\"\r\n\r\n" +
		"--_000_DB9PR10MB5xyz_\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Accepted.\r\n\r\n" +
		"--_000_DB9PR10MB5xyz_\r\nContent-Type: text/html; charset=\"us-ascii\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<html><head><meta http-equiv=3D\"Content-Type\" content=3D\"text/html; charset=3Dus-ascii\"></head>" +
		"<body><p class=3D\"MsoNormal\">Accepted.</p></body></html>\r\n\r\n" +
		"--_000_DB9PR10MB5xyz_--\r\n\r\n" +
		"--_002_DB9PR10MB5xyz_\r\nContent-Type: application/octet-stream; name=\"invite.ics\"\r\n" +
		"Content-Description: invite.ics\r\nContent-Disposition: attachment; filename=\"invite.ics\"; size=412;\r\n" +
		"\tcreation-date=\"Mon, 02 Jun 2025 09:00:00 GMT\";\r\n\tmodification-date=\"Mon, 02 Jun 2025 09:00:00 GMT\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" +
		string(b64([]byte(calendarReply))) + "\r\n" +
		"--_002_DB9PR10MB5xyz_--\r\n")
}

// exchangeTNEF is an Exchange acceptance whose answer is only in a
// winmail.dat: an empty text body, then a TNEF stream holding the meeting
// response's message class (the one attribute classify needs), as a
// generic type named winmail.dat or as application/ms-tnef.
func exchangeTNEF(generic bool) []byte {
	class := []byte("IPM.Microsoft Schedule.MtgRespP\x00")
	stream := []byte{0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00, 0x01, 0x08, 0x80, 0x07, 0x00}
	stream = append(stream, byte(len(class)), 0, 0, 0)
	stream = append(stream, class...)
	var sum uint16
	for _, c := range class {
		sum += uint16(c)
	}
	stream = append(stream, byte(sum), byte(sum>>8))
	ct := "application/ms-tnef; name=\"winmail.dat\""
	if generic {
		ct = "application/octet-stream; name=\"winmail.dat\""
	}
	return []byte(topHeader("multipart/mixed;\r\n\tboundary=\"_tnef_\"", "Thread-Topic: Accepted: Check-in") + "\r\n" +
		"--_tnef_\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\n\r\n" +
		"--_tnef_\r\nContent-Type: " + ct + "\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + string(b64(stream)) + "\r\n--_tnef_--\r\n")
}

// outlookEncodedICS is outlookICS with the file name only in RFC 2231 and
// RFC 2047 forms.
func outlookEncodedICS() []byte {
	s := string(outlookICS())
	s = strings.Replace(s, `name="invite.ics"`, `name="=?utf-8?B?aW52aXRlLmljcw==?="`, 1)
	s = strings.Replace(s, `filename="invite.ics"; size=412;`, `filename*0*=utf-8''invite%2E; filename*1=i; filename*2=cs;`, 1)
	s = strings.Replace(s, "Content-Description: invite.ics\r\n", "", 1)
	return []byte(s)
}

// googleCalendar is a Google Calendar-like reply: text/calendar inside
// the alternative, and the same data as an application/ics attachment.
func googleCalendar() []byte {
	return []byte(topHeader(`multipart/mixed; boundary="000000000000c0ffee"`, "Sender: Google Calendar <calendar-notification@google.com>") + "\r\n" +
		"--000000000000c0ffee\r\nContent-Type: multipart/alternative; boundary=\"000000000000c0ffed\"\r\n\r\n" +
		"--000000000000c0ffed\r\nContent-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\r\n\r\nDana has accepted this invitation.\r\n" +
		"--000000000000c0ffed\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=REPLY\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
		calendarReply +
		"--000000000000c0ffed--\r\n" +
		"--000000000000c0ffee\r\nContent-Type: application/ics; name=\"invite.ics\"\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + string(b64([]byte(calendarReply))) +
		"--000000000000c0ffee--\r\n")
}

// postfixDSN is a Postfix-like delivery status notification returning the
// whole original, itself a multipart message.
func postfixDSN() []byte {
	return []byte("From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\nTo: accord@example.test\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-Id: <dsn1@mx.example.test>\r\nAuto-Submitted: auto-replied\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"8A2C1C0F3.1717318800/mx.example.test\"\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n" +
		"--8A2C1C0F3.1717318800/mx.example.test\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
		"This is the mail system at host mx.example.test.\r\n\r\nI'm sorry to have to inform you that your message could not\r\n" +
		"be delivered to one or more recipients.\r\n\r\n<sam@example.net>: host mx.example.net said: 550 5.1.1 User unknown\r\n\r\n" +
		"--8A2C1C0F3.1717318800/mx.example.test\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; mx.example.test\r\nX-Postfix-Queue-ID: 8A2C1C0F3\r\nArrival-Date: Mon,  2 Jun 2025 09:00:00 +0000 (UTC)\r\n\r\n" +
		"Final-Recipient: rfc822; sam@example.net\r\nOriginal-Recipient: rfc822;sam@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Remote-MTA: dns; mx.example.net\r\nDiagnostic-Code: smtp; 550 5.1.1 <sam@example.net>: Recipient address rejected: User unknown\r\n\r\n" +
		"--8A2C1C0F3.1717318800/mx.example.test\r\nContent-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n\r\n" +
		"From: Accord <accord@example.test>\r\nTo: sam@example.net\r\nSubject: [Accord] 3/16\r\nMessage-ID: <q3@accord.example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"accord-q3\"\r\n\r\n" +
		"--accord-q3\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhat changed since the last review?\r\n" +
		"--accord-q3\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>What changed since the last review?</p>\r\n" +
		"--accord-q3--\r\n\r\n" +
		"--8A2C1C0F3.1717318800/mx.example.test--\r\n")
}

// exchangeNDR is an Exchange-like report returning only the headers, and
// the original cut short so that its multipart never closes.
func exchangeNDR() []byte {
	return []byte("From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.test>\r\nTo: accord@example.test\r\n" +
		"Subject: Undeliverable: [Accord] 3/16\r\nMessage-ID: <ndr1@example.test>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"_000_ndr_\"\r\n\r\n" +
		"--_000_ndr_\r\nContent-Type: multipart/alternative; boundary=\"_001_ndr_\"\r\n\r\n" +
		"--_001_ndr_\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\nYour message to sam@example.net couldn't be delivered.\r\n\r\n" +
		"--_001_ndr_\r\nContent-Type: text/html; charset=\"us-ascii\"\r\n\r\n<p>Your message to sam@example.net couldn't be delivered.</p>\r\n\r\n" +
		"--_001_ndr_--\r\n\r\n" +
		"--_000_ndr_\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns;EX1.example.test\r\n\r\n" +
		"Final-recipient: RFC822; sam@example.net\r\nAction: failed\r\nStatus: 5.4.1\r\n\r\n" +
		"--_000_ndr_\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Accord <accord@example.test>\r\nTo: sam@example.net\r\n" +
		"Subject: [Accord] 3/16\r\nMessage-ID: <q3@accord.example.test>\r\nContent-Type: multipart/alternative; boundary=\"cut-short\"\r\n\r\n" +
		"--_000_ndr_\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <q3@accord.example.test>\r\n" +
		"Content-Type: multipart/mixed; boundary=\"orig-outer\"\r\n\r\n--orig-outer\r\n" +
		"Content-Type: multipart/alternative; boundary=\"orig-inner\"\r\n\r\n--orig-inner\r\nContent-Type: text/plain\r\n\r\nWhat chan\r\n" +
		"--_000_ndr_--\r\n")
}

// readReceipt is a message disposition notification (RFC 8098).
func readReceipt() []byte {
	return []byte(topHeader(`multipart/report; report-type=disposition-notification; boundary="mdn"`) + "\r\n" +
		"--mdn\r\nContent-Type: text/plain\r\n\r\nThe message was displayed.\r\n" +
		"--mdn\r\nContent-Type: message/disposition-notification\r\n\r\nReporting-UA: mail.example.test\r\n" +
		"Final-Recipient: rfc822;dana@example.test\r\nOriginal-Message-ID: <q3@accord.example.test>\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n\r\n" +
		"--mdn--\r\n")
}

// abuseReport is an ARF feedback report (RFC 5965).
func abuseReport() []byte {
	return []byte(topHeader(`multipart/report; report-type=feedback-report; boundary="arf"`) + "\r\n" +
		"--arf\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n" +
		"--arf\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: Example-FBL/1.0\r\nVersion: 1\r\n\r\n" +
		"--arf\r\nContent-Type: message/rfc822\r\n\r\nFrom: Accord <accord@example.test>\r\nMessage-ID: <q3@accord.example.test>\r\n\r\nWhat changed?\r\n" +
		"--arf--\r\n")
}

// forwardWithAttachments forwards a message as an attachment, with a PDF,
// a spreadsheet and a photo.
func forwardWithAttachments() []byte {
	return []byte(topHeader(`multipart/mixed; boundary="Apple-Mail=_5E7F-AB12"`) + "\r\n" +
		"--Apple-Mail=_5E7F-AB12\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/plain;\r\n\tcharset=us-ascii\r\n\r\n" +
		"Here is what we agreed last time, and the notes.\r\n\r\n" +
		"--Apple-Mail=_5E7F-AB12\r\nContent-Disposition: attachment;\r\n\tfilename=notes.pdf\r\nContent-Type: application/pdf;\r\n\tname=\"notes.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + string(b64(binary(300<<10, 2))) + "\r\n" +
		"--Apple-Mail=_5E7F-AB12\r\nContent-Disposition: attachment; filename=\"plan.xlsx\"\r\n" +
		"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=\"plan.xlsx\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + string(b64(binary(120<<10, 3))) + "\r\n" +
		"--Apple-Mail=_5E7F-AB12\r\nContent-Disposition: attachment; filename=\"Our agreement.eml\"\r\nContent-Type: message/rfc822; name=\"Our agreement.eml\"\r\n\r\n" +
		"From: Accord <accord@example.test>\r\nTo: dana@example.test\r\nSubject: [Accord] Your agreement\r\nMessage-ID: <agree1@accord.example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"accord-agree\"\r\n\r\n" +
		"--accord-agree\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYou agreed to talk every Tuesday.\r\n" +
		"--accord-agree\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>You agreed to talk every Tuesday.</p>\r\n" +
		"--accord-agree--\r\n\r\n" +
		"--Apple-Mail=_5E7F-AB12\r\nContent-Disposition: inline; filename=IMG_0042.HEIC\r\nContent-Type: image/heic; name=\"IMG_0042.HEIC\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + string(b64(binary(900<<10, 4))) + "\r\n" +
		"--Apple-Mail=_5E7F-AB12--\r\n")
}

// manyAttachments is a short text with n small attachments.
func manyAttachments(n int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="many"`) + "\r\n--many\r\nContent-Type: text/plain\r\n\r\nAll the receipts, as promised.\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--many\r\nContent-Type: image/png; name=\"r%d.png\"\r\nContent-Disposition: attachment; filename=\"r%d.png\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", i, i)
		b.Write(b64(binary(2<<10, byte(i))))
	}
	b.WriteString("--many--\r\n")
	return b.Bytes()
}

// lfOnly is a message with bare LF line ends, as some gateways deliver.
func lfOnly() []byte { return bytes.ReplaceAll(gmailInlineImage(), []byte("\r\n"), []byte("\n")) }

// plainReply is a single-part plain-text reply.
func plainReply() []byte {
	return []byte(topHeader("text/plain; charset=utf-8; format=flowed") + "Content-Transfer-Encoding: 8bit\r\n\r\n" +
		"Skip\r\n\r\nOn Mon, 2 Jun 2025, Accord wrote:\r\n> Reply skip to pass.\r\n")
}

// forwardedWithBigAttachments attaches n forwarded messages, each holding
// a PDF of size bytes two multiparts deep.
func forwardedWithBigAttachments(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString(topHeader(`multipart/mixed; boundary="outer"`) + "\r\n--outer\r\nContent-Type: text/plain\r\n\r\nThe threads you asked for.\r\n")
	pdf := b64(binary(size, 9))
	for i := range n {
		fmt.Fprintf(&b, "--outer\r\nContent-Type: message/rfc822\r\n\r\nFrom: sam@example.test\r\nMessage-ID: <fw%d@example.test>\r\n"+
			"Content-Type: multipart/mixed; boundary=\"f%d-a\"\r\n\r\n--f%d-a\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"+
			"--f%d-a\r\nContent-Type: multipart/mixed; boundary=\"f%d-b\"\r\n\r\n--f%d-b\r\nContent-Type: application/pdf\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", i, i, i, i, i, i)
		b.Write(pdf)
		fmt.Fprintf(&b, "--f%d-b--\r\n--f%d-a--\r\n", i, i)
	}
	b.WriteString("--outer--\r\n")
	return b.Bytes()
}
