package mailin

import "testing"

// TestIMAPConfigRedacted: the mailbox a URL names is shown as a URL again,
// with the default port and mailbox filled in and never the password.
func TestIMAPConfigRedacted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"imaps://accord@mail.example.com", "imaps://accord@mail.example.com:993/INBOX"},
		{"imap+starttls://accord:secret@mail.example.com/Accord", "imap+starttls://accord@mail.example.com:143/Accord"},
		{"imap://accord@127.0.0.1:1143/INBOX", "imap://accord@127.0.0.1:1143/INBOX"},
	} {
		c, err := ParseIMAPURL(tc.in)
		if err != nil {
			t.Fatalf("ParseIMAPURL(%q) = %v", tc.in, err)
		}
		if got := c.Redacted(); got != tc.want {
			t.Errorf("ParseIMAPURL(%q).Redacted() = %q, want %q", tc.in, got, tc.want)
		}
	}
}
