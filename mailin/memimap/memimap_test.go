package memimap

import (
	"bytes"
	"io"
	"log"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
)

type literal struct {
	*bytes.Reader
}

func (l literal) Size() int64 { return l.Reader.Size() }

// TestIdleReportsMailThatArrivedBeforeIt appends a message after SELECT
// has finished and before IDLE begins: the client must still hear of it
// while idling. Mail that arrives during IDLE must be reported too.
func TestIdleReportsMailThatArrivedBeforeIt(t *testing.T) {
	t.Parallel()
	mem := New()
	user := mem.NewUser("accord", "secret")
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	exists := make(chan uint32, 10)
	c, err := imapclient.DialInsecure(ln.Addr().String(), &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					exists <- *d.NumMessages
				}
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("accord", "wrong").Wait(); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	if err := c.Login("accord", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	add := func() {
		raw := []byte("From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
		if _, err := user.Append("INBOX", literal{bytes.NewReader(raw)}, &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	add() // between commands: queued for the session
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	expect := func(n uint32) {
		t.Helper()
		select {
		case got := <-exists:
			if got != n {
				t.Errorf("EXISTS %d, want %d", got, n)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no EXISTS %d while idling", n)
		}
	}
	expect(1)
	add() // during IDLE
	expect(2)
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}
