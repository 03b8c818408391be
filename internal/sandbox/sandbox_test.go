package sandbox

import (
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"

	"accord/mailout/mailtest"
)

func TestSandboxPasswordIsKept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before string // file content before; "-" for no file
		mode   os.FileMode
		same   bool // the password read is the one that was there
	}{
		{"first run", "-", 0, false},
		{"kept", "0123456789abcdef\n", 0o600, true},
		{"kept and made private", "0123456789abcdef\n", 0o644, true},
		{"empty is replaced", "", 0o600, false},
		{"mangled is replaced", "two words\n", 0o600, false},
	}
	log := slog.New(slog.DiscardHandler)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, PasswordFileName)
			if tt.before != "-" {
				if err := os.WriteFile(path, []byte(tt.before), tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			pw, got, err := KeptPassword(dir, log)
			if err != nil {
				t.Fatal(err)
			}
			if got != path {
				t.Errorf("KeptPassword(%s) keeps it in %s, want %s", dir, got, path)
			}
			if tt.same && pw != "0123456789abcdef" {
				t.Errorf("KeptPassword = %q, want the kept 0123456789abcdef", pw)
			}
			if len(pw) < 16 {
				t.Errorf("KeptPassword = %q, want at least 16 characters", pw)
			}
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, %v; want 0600", path, fi.Mode().Perm(), err)
			}
			again, _, err := KeptPassword(dir, log)
			if err != nil || again != pw {
				t.Errorf("second KeptPassword = %q, %v; want %q again", again, err, pw)
			}
		})
	}
}

func TestMailboxOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"accord+abc123@localhost":    "accord@localhost",
		"<Dana.Lee@Example.com>":     "dana.lee@example.com",
		"sam@example.com":            "sam@example.com",
		"not-an-address":             "not-an-address",
		"a+b+c@example.com":          "a@example.com",
		" accord+TOKEN@example.org ": "accord@example.org",
	} {
		if got := MailboxOf(in); got != want {
			t.Errorf("MailboxOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDelivery: mail given to the SMTP server lands in each recipient's
// INBOX, plus address or not, where IMAP reads it with the one password;
// Delivered hears of it, and every address that got mail has a mailbox.
func TestDelivery(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var heard []string
	sb, err := Start(Options{Delivered: func(from string, to []string, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, from+" → "+strings.Join(to, ", "))
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if len(sb.Password) < 16 {
		t.Errorf("Start gave the password %q, want a new one of at least 16 characters", sb.Password)
	}
	sb.Ensure("accord@example.com")
	raw := "From: dana@example.com\r\nTo: accord+tok@example.com\r\nSubject: hi\r\nMessage-ID: <1@example.com>\r\n\r\nHello.\r\n"
	if err := smtp.SendMail(sb.SMTPAddr, nil, "dana@example.com", []string{"accord+tok@example.com", "Sam@Example.com"}, []byte(raw)); err != nil {
		t.Fatalf("the sandbox refused the mail: %v", err)
	}
	mu.Lock()
	if want := []string{"dana@example.com → accord+tok@example.com, Sam@Example.com"}; !slices.Equal(heard, want) {
		t.Errorf("Delivered heard %q, want %q", heard, want)
	}
	mu.Unlock()
	boxes := sb.Mailboxes()
	slices.Sort(boxes)
	if want := []string{"accord@example.com", "sam@example.com"}; !slices.Equal(boxes, want) {
		t.Errorf("Mailboxes() = %q, want %q", boxes, want)
	}
	c, err := imapclient.DialInsecure(sb.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("accord@example.com", sb.Password).Wait(); err != nil {
		t.Fatalf("log in to the service mailbox: %v", err)
	}
	if got := mailtest.ReadInbox(t, c, "accord@example.com"); len(got) != 1 || !strings.Contains(string(got[0]), "Hello.") {
		t.Errorf("the service INBOX holds %d messages, want the one sent", len(got))
	}
}

// TestStartPortInUse: a port that is taken is refused, naming the setting
// that picks another.
func TestStartPortInUse(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{IMAPPort: port}, "sandbox.imap_port"},
		{Options{SMTPPort: port}, "sandbox.smtp_port"},
	} {
		sb, err := Start(tc.opts)
		if err == nil {
			sb.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start(%+v) = %v, want an error naming %s", tc.opts, err, tc.want)
		}
	}
}
