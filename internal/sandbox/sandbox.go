// Package sandbox is the mail system of sandbox mode: an IMAP server and
// an SMTP server inside the process, on 127.0.0.1, with a mailbox for the
// service and one for every person. Whatever the SMTP server is given it
// files into those mailboxes; it never relays, so nothing leaves the
// machine. accord serve runs one when no mail server is configured, and
// the demo runs one for its simulated people.
package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"accord/mailin/memimap"
	"accord/templates"
)

// Server is a running sandbox: its two servers and their mailboxes.
type Server struct {
	// IMAPAddr and SMTPAddr are where the servers listen, host:port.
	IMAPAddr string
	SMTPAddr string
	// Password is the one password of every mailbox, for the user to
	// sign in with.
	Password string
	// PasswordFile is where the password is kept between runs, if
	// anywhere.
	PasswordFile string

	mem       *memimap.Server
	imap      *imapserver.Server
	smtp      *smtp.Server
	lns       []net.Listener
	wg        sync.WaitGroup
	delivered func(from string, to []string, raw []byte)

	mu    sync.Mutex
	users map[string]*imapmemserver.User
}

// Options are how a sandbox starts; the zero value picks free ports and a
// password for this run only.
type Options struct {
	// IMAPPort and SMTPPort are the loopback ports to listen on; 0 picks
	// a free one.
	IMAPPort, SMTPPort int
	// Password is the password of every mailbox; empty makes a new one.
	// KeptPassword gives one that stays the same from run to run.
	Password string
	// PasswordFile, when set, is where Password is kept, to tell the
	// user.
	PasswordFile string
	// Delivered, when set, hears of every message the SMTP server took
	// in, after it is filed and before the server answers: the demo
	// reads its people's mail this way.
	Delivered func(from string, to []string, raw []byte)
}

// Start listens on the ports of opts and serves until Close.
func Start(opts Options) (*Server, error) {
	if opts.Password == "" {
		opts.Password = newPassword()
	}
	sb := &Server{Password: opts.Password, PasswordFile: opts.PasswordFile, delivered: opts.Delivered,
		mem: memimap.New(), users: map[string]*imapmemserver.User{}}
	imapPort, smtpPort := opts.IMAPPort, opts.SMTPPort
	imapLn, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", imapPort))
	if err != nil {
		return nil, templates.OperatorError("sandbox.imap-listen", templates.Args{"Port": imapPort}, errors.Unwrap(err))
	}
	smtpLn, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", smtpPort))
	if err != nil {
		imapLn.Close()
		return nil, templates.OperatorError("sandbox.smtp-listen", templates.Args{"Port": smtpPort}, errors.Unwrap(err))
	}
	sb.lns = []net.Listener{imapLn, smtpLn}
	sb.IMAPAddr, sb.SMTPAddr = imapLn.Addr().String(), smtpLn.Addr().String()
	quiet := log.New(io.Discard, "", 0)
	sb.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return sb.mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       quiet,
	})
	sb.smtp = smtp.NewServer(smtpBackend{sb})
	sb.smtp.Domain = "accord-sandbox"
	sb.smtp.AllowInsecureAuth = true
	sb.smtp.MaxMessageBytes = 50 << 20
	sb.smtp.ReadTimeout, sb.smtp.WriteTimeout = time.Minute, time.Minute
	sb.smtp.ErrorLog = quiet
	sb.wg.Add(2)
	go func() { defer sb.wg.Done(); sb.imap.Serve(imapLn) }()
	go func() { defer sb.wg.Done(); sb.smtp.Serve(smtpLn) }()
	return sb, nil
}

// newPassword is a password for this run only.
func newPassword() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// PasswordFileName is the file the sandbox keeps its password in, beside
// the data: a mail client set up once keeps working after a restart.
const PasswordFileName = "accord-sandbox-password"

// KeptPassword reads the sandbox's password from PasswordFileName in dir,
// creating it (owner only) the first time, and returns it with the
// file's path. A file others may read is made private, with a warning to
// logger.
func KeptPassword(dir string, logger *slog.Logger) (password, path string, err error) {
	path = filepath.Join(dir, PasswordFileName)
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	for range 2 {
		b, err := os.ReadFile(path)
		if err == nil {
			if pw := strings.TrimSpace(string(b)); pw != "" && !strings.ContainsFunc(pw, unicode.IsSpace) {
				if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
					if err := os.Chmod(path, 0o600); err != nil {
						return "", "", fmt.Errorf("%s: %w", templates.Operator("sandbox.password.shared", templates.Args{"File": path}), err)
					}
					logger.Warn(templates.Operator("sandbox.password.made-private", nil), "file", path)
				}
				return pw, path, nil
			}
			// Empty or mangled: start afresh.
			if err := os.Remove(path); err != nil {
				return "", "", fmt.Errorf("%s: %w", templates.Operator("sandbox.password.unusable", templates.Args{"File": path}), err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("sandbox password: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue // another process wrote it first: read theirs
		}
		if err != nil {
			return "", "", fmt.Errorf("sandbox password: %w", err)
		}
		pw := newPassword()
		_, werr := fmt.Fprintln(f, pw)
		if err := errors.Join(werr, f.Close()); err != nil {
			os.Remove(path)
			return "", "", fmt.Errorf("sandbox password: %w", err)
		}
		return pw, path, nil
	}
	return "", "", errors.New(templates.Operator("sandbox.password.changing", templates.Args{"File": path}))
}

// Close stops both servers.
func (sb *Server) Close() {
	sb.imap.Close()
	sb.smtp.Close()
	for _, ln := range sb.lns {
		ln.Close()
	}
	sb.wg.Wait()
}

// MailboxOf folds an address to its mailbox: lowercased, any +tag
// removed, as a plus-addressing mail server does.
func MailboxOf(addr string) string {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

// Ensure creates the mailbox for an address, with the folders Accord
// uses, unless it has one.
func (sb *Server) Ensure(addr string) { sb.mailbox(addr) }

// mailbox is the mailbox of an address, created when it has none.
func (sb *Server) mailbox(addr string) *imapmemserver.User {
	name := MailboxOf(addr)
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if u := sb.users[name]; u != nil {
		return u
	}
	u := sb.mem.NewUser(name, sb.Password)
	for _, f := range []string{"Processed", "Quarantine"} {
		u.Create(f, nil)
	}
	sb.users[name] = u
	return u
}

// Mailboxes lists the addresses that have a mailbox.
func (sb *Server) Mailboxes() []string {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	var out []string
	for name := range sb.users {
		out = append(out, name)
	}
	return out
}

// deliver files a message into each recipient's INBOX.
func (sb *Server) deliver(from string, to []string, raw []byte) error {
	for _, rcpt := range to {
		u := sb.mailbox(rcpt)
		if _, err := u.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()}); err != nil {
			return fmt.Errorf("%s: %w", templates.Operator("sandbox.deliver", templates.Args{"To": rcpt}), err)
		}
	}
	if sb.delivered != nil {
		sb.delivered(from, to, raw)
	}
	return nil
}

type literal struct {
	*bytes.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// The SMTP server's backend and sessions, checked to fit go-smtp.
var (
	_ smtp.Backend = smtpBackend{}
	_ smtp.Session = (*smtpSession)(nil)
)

type smtpBackend struct{ sb *Server }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{sb: b.sb}, nil
}

// smtpSession takes mail for any address without authentication: only this
// machine can connect.
type smtpSession struct {
	sb   *Server
	from string
	to   []string
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return s.sb.deliver(s.from, s.to, raw)
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }
