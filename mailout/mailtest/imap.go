package mailtest

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"io"
	"log"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"

	"accord/mailin/memimap"
)

// IMAP is a mailbox for a test: on go-imap's in-memory server (IMAP4rev2),
// or on the Dovecot the test bed runs (IMAP4rev1 with extensions), where
// each test gets folders of its own.
type IMAP struct {
	Name     string // "memory" or "dovecot"
	Addr     string
	Security string // "none" or "starttls"
	TLS      *tls.Config
	User     string
	Password string
	// Mailbox is the test's inbox; Processed and Quarantine its folders
	// for handled mail.
	Mailbox, Processed, Quarantine string
	// Memory is the in-memory server, for tests that make it misbehave;
	// nil for Dovecot.
	Memory *memimap.Server
}

// EachIMAP runs fn against the in-memory server always, and against
// Dovecot when ACCORD_TEST_IMAP_ADDR names one (required with CI=true).
// Subtest names end in /memory and /dovecot.
func EachIMAP(t *testing.T, fn func(t *testing.T, mb *IMAP)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		fn(t, NewMemoryIMAP(t))
	})
	t.Run("dovecot", func(t *testing.T) {
		t.Parallel()
		fn(t, DovecotIMAP(t))
	})
}

// NewMemoryIMAP starts an in-memory IMAP server on 127.0.0.1 with one user,
// accord, and returns its mailbox for replies (a folder named Accord, so
// tests may delete and re-create it).
func NewMemoryIMAP(t testing.TB) *IMAP {
	t.Helper()
	return newMemoryIMAP(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
}

// NewPlainIMAP is NewMemoryIMAP speaking bare IMAP4rev1: no IDLE, no MOVE,
// as some older servers do, so clients must poll and flag.
func NewPlainIMAP(t testing.TB) *IMAP {
	t.Helper()
	return newMemoryIMAP(t, imap.CapSet{imap.CapIMAP4rev1: {}})
}

func newMemoryIMAP(t testing.TB, caps imap.CapSet) *IMAP {
	t.Helper()
	mem := memimap.New()
	user := mem.NewUser("accord", "testpass")
	user.Create("Accord", nil)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); ln.Close(); <-done })
	return &IMAP{Name: "memory", Addr: ln.Addr().String(), Security: "none", User: "accord", Password: "testpass",
		Mailbox: "Accord", Processed: "Processed", Quarantine: "Quarantine", Memory: mem}
}

// DovecotIMAP gives the test folders of its own in the test bed's Dovecot.
func DovecotIMAP(t testing.TB) *IMAP {
	t.Helper()
	addr := os.Getenv("ACCORD_TEST_IMAP_ADDR")
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but ACCORD_TEST_IMAP_ADDR is not set: the Dovecot suite must run in CI (see scripts/testbed)")
		}
		t.Skip("ACCORD_TEST_IMAP_ADDR is not set; start Dovecot with: scripts/testbed up && eval \"$(scripts/testbed env)\"")
	}
	b := make([]byte, 5)
	rand.Read(b)
	name := "t" + hex.EncodeToString(b)
	mb := &IMAP{Name: "dovecot", Addr: addr, Security: "starttls", User: "accord", Password: envOr("ACCORD_TEST_MAIL_PASSWORD", "testpass"),
		Mailbox: name, Processed: name + "-processed", Quarantine: name + "-quarantine"}
	if ca := os.Getenv("ACCORD_TEST_TLS_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatalf("mailtest: read ACCORD_TEST_TLS_CA: %v", err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		mb.TLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	} else {
		mb.Security = "none"
	}
	c := mb.Client(t)
	if err := c.Create(name, nil).Wait(); err != nil {
		t.Fatalf("mailtest: create %s: %v", name, err)
	}
	t.Cleanup(func() {
		c := mb.dial(t)
		if c == nil {
			return
		}
		defer c.Close()
		for _, m := range []string{mb.Mailbox, mb.Processed, mb.Quarantine} {
			c.Delete(m).Wait()
		}
	})
	return mb
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func (mb *IMAP) dial(t testing.TB) *imapclient.Client {
	opts := &imapclient.Options{TLSConfig: mb.TLS}
	var c *imapclient.Client
	var err error
	if mb.Security == "starttls" {
		c, err = imapclient.DialStartTLS(mb.Addr, opts)
	} else {
		c, err = imapclient.DialInsecure(mb.Addr, opts)
	}
	if err != nil {
		t.Errorf("mailtest: connect to %s: %v", mb.Addr, err)
		return nil
	}
	if err := c.Login(mb.User, mb.Password).Wait(); err != nil {
		c.Close()
		t.Errorf("mailtest: log in to %s: %v", mb.Addr, err)
		return nil
	}
	return c
}

// Client is a logged-in connection for the test's own use, closed at the
// end of the test.
func (mb *IMAP) Client(t testing.TB) *imapclient.Client {
	t.Helper()
	c := mb.dial(t)
	if c == nil {
		t.FailNow()
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Append delivers raw into a folder (the inbox when folder is "").
// Dovecot may refuse an APPEND to a mailbox just deleted and created again
// while another session has it open ("Mailbox was deleted under us"); that
// is tried again a few times.
func (mb *IMAP) Append(t testing.TB, c *imapclient.Client, folder string, raw []byte) {
	t.Helper()
	if folder == "" {
		folder = mb.Mailbox
	}
	for attempt := 1; ; attempt++ {
		err := appendOnce(c, folder, raw)
		if err == nil {
			return
		}
		if attempt == 5 || !strings.Contains(err.Error(), "deleted under us") {
			t.Fatalf("mailtest: append to %s: %v", folder, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func appendOnce(c *imapclient.Client, folder string, raw []byte) error {
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

// Stored is a message as it sits in a folder.
type Stored struct {
	UID   imap.UID
	Flags []imap.Flag
	Raw   []byte
}

// Seen reports whether the message carries \Seen.
func (m Stored) Seen() bool { return slices.Contains(m.Flags, imap.FlagSeen) }

// Messages lists a folder's messages with their flags and bytes.
func (mb *IMAP) Messages(t testing.TB, c *imapclient.Client, folder string) []Stored {
	t.Helper()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "exist") {
			return nil
		}
		t.Fatalf("mailtest: select %s: %v", folder, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	all := imap.SeqSet{}
	all.AddRange(1, 0)
	bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatalf("mailtest: fetch %s: %v", folder, err)
	}
	out := make([]Stored, 0, len(bufs))
	for _, b := range bufs {
		m := Stored{UID: b.UID, Flags: b.Flags}
		if len(b.BodySection) > 0 {
			m.Raw = bytes.Clone(b.BodySection[0].Bytes)
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Stored) int { return int(a.UID) - int(b.UID) })
	return out
}

// WaitFor polls a folder until cond holds for its messages or the timeout
// passes, and returns the last listing.
func (mb *IMAP) WaitFor(t testing.TB, c *imapclient.Client, folder string, timeout time.Duration, cond func([]Stored) bool) []Stored {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ms := mb.Messages(t, c, folder)
		if cond(ms) {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: %s: condition not met within %s (%d messages)", folder, timeout, len(ms))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
