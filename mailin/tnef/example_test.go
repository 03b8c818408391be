package tnef_test

import (
	"encoding/base64"
	"fmt"
	"strings"

	"accord/mailin/tnef"
)

// A winmail.dat as an application/ms-tnef part carries it, made for this
// example in the shape Outlook gives an acceptance of one occurrence of an
// invitation that came as iCalendar.
const acceptance = `
eJ8+IgEAAQiABwAgAAAASVBNLk1pY3Jvc29mdCBTY2hlZHVsZS5NdGdSZXNwUABX
CwEDkAYA/AAAAAUAAAAeADcAAQAAABoAAABBY2NlcHRlZDogV2Vla2x5IGNoZWNr
LWluAAAAHgABXQEAAAAQAAAAYW5hQGV4YW1wbGUub3JnAEAAAIACIAYAAAAAAMAA
AAAAAABGAAAAAA2CAAAANFye34zbAUAAAIACIAYAAAAAAMAAAAAAAABGAAAAAA6C
AAAAaD7P44zbAQIBAICQ2thuC0UbEJjaAKoAPxMFAAAAAAMAAAABAAAASAAAAAQA
AACCAOAAdMW3EBqC4AgH6QMEAAAAAAAAAAAAAAAAAAAAACAAAAB2Q2FsLVVpZAEA
AABjMWYzQGFjY29yZC5leGFtcGxlAEEy`

func ExampleRead() {
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(acceptance), ""))
	if err != nil {
		panic(err)
	}
	m, err := tnef.Read(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Class)
	fmt.Println(m.Kind(), m.Response(), m.From)
	fmt.Println(m.UID, m.RecurrenceID)
	// Output:
	// IPM.Schedule.Meeting.Resp.Pos
	// response ACCEPTED ana@example.org
	// c1f3@accord.example 2025-03-04 08:30:00 +0000 UTC
}
