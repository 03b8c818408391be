package sandbox_test

import (
	"fmt"
	"net/smtp"
	"slices"

	"accord/internal/sandbox"
)

// A sandbox on free ports takes mail for anyone and files it in a mailbox
// per address, a plus address in its mailbox; every mailbox signs in over
// IMAP with Password.
func ExampleStart() {
	sb, err := sandbox.Start(sandbox.Options{Delivered: func(from string, to []string, _ []byte) {
		fmt.Println("delivered from", from, "to", to)
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	sb.Ensure("accord@example.com")
	msg := []byte("From: dana@example.com\r\nSubject: hello\r\n\r\nHello.\r\n")
	if err := smtp.SendMail(sb.SMTPAddr, nil, "dana@example.com", []string{"accord+token@example.com", "sam@example.com"}, msg); err != nil {
		fmt.Println(err)
		return
	}
	boxes := sb.Mailboxes()
	slices.Sort(boxes)
	fmt.Println(boxes)
	// Output:
	// delivered from dana@example.com to [accord+token@example.com sam@example.com]
	// [accord@example.com sam@example.com]
}
