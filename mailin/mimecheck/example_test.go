package mimecheck_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"accord/mailin/mimecheck"
)

// The parser as mailin configures it.
var parser = enmime.NewParser(enmime.DisableTextConversion(true), enmime.MultipartWOBoundaryAsSinglePart(true))

// parseMessage refuses a message whose structure is over the limits and
// parses a trimmed copy of any other.
func parseMessage(raw []byte) (*enmime.Envelope, error) {
	if err := mimecheck.Check(raw, mimecheck.Limits{}); err != nil {
		return nil, err
	}
	return parser.ReadEnvelope(bytes.NewReader(mimecheck.Trim(raw, mimecheck.Limits{})))
}

func Example() {
	var b strings.Builder
	b.WriteString("From: dana@example.test\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n")
	for range 1000 {
		b.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n")
	}
	_, err := parseMessage([]byte(b.String()))
	fmt.Println(err)

	env, err := parseMessage([]byte("From: dana@example.test\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n" +
		"--x\r\nContent-Type: text/plain\r\n\r\nTuesday works.\r\n" +
		"--x\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQ==\r\n--x--\r\n"))
	image := env.Root.FirstChild.NextSibling
	fmt.Printf("%v %q; %s of %d bytes\n", err, env.Text, image.ContentType, len(image.Content))
	// Output:
	// the MIME structure has more than 500 parts
	// <nil> "Tuesday works."; image/jpeg of 0 bytes
}
