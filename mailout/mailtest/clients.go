package mailtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// How the real clients are set up, found by running them on Debian 12
// (mutt 2.2.12 built with GnuTLS, s-nail 14.9.24 built with OpenSSL, tmux
// 3.3a) against the test bed:
//
//   - mutt's ssl_force_tls (on by default) applies to every connection, so
//     on its own it makes mutt send STARTTLS to the plain SMTP port, which
//     Postfix answers with "502 5.5.1 command not implemented". Two
//     account-hooks give each protocol its own setting: every connection
//     first gets ssl_force_tls=yes, and then connections to smtp:// get
//     ssl_force_tls=no and ssl_starttls=no. IMAP therefore always runs over
//     STARTTLS (Dovecot logs "TLS" for the login) and SMTP stays plain.
//   - Debian's mutt is built with GnuTLS. It trusts CA certificates put in
//     certificate_file, as OpenSSL builds do, so certificate_file names a
//     copy of the CA (ssl_ca_certificates_file works too but exists only in
//     GnuTLS builds, and mutt 2.2 has no ifdef to guard it). With a wrong CA
//     mutt stops at its "(r)eject, accept (o)nce" certificate screen, which
//     fails the test here rather than being accepted.
//   - s-nail checks the certificate's DNS names only, not its IP addresses:
//     connecting to 127.0.0.1 fails with "TLS certificate does not match".
//     The test bed's certificate also names localhost, so s-nail is pointed
//     at localhost when the account's IMAP host is 127.0.0.1.
//   - s-nail writes an unsent message to ~/dead.letter of the passwd entry,
//     not of $HOME, so DEAD is set into the temporary directory.
//   - mutt shows "Mail sent." after sending, but not reliably: when another
//     session expunges from the same INBOX (parallel tests cleaning up),
//     mutt redraws the index and the line is gone within milliseconds. That
//     mutt has left the compose menu tells as much, since it stays there
//     when sending fails. Nor is the \Answered flag a sign: in one of
//     forty parallel runs with such expunges it never reached the server,
//     although the reply went out.
//   - Both helpers first wait, over IMAP, for the message to be in the
//     INBOX, so the client finds it when it opens the mailbox.
//   - mutt's sleep_time (1 s by default) pauses after informational
//     messages; at 0 a reply takes about 0.3 s instead of 2.3 s.

// clientTimeout bounds one client run, from starting it to its exit.
const clientTimeout = 60 * time.Second

// arrivalTimeout bounds the wait for the message to reply to.
const arrivalTimeout = 30 * time.Second

// Account is a person's mailbox on the test bed, as a mail client sees it.
type Account struct {
	// Address is the mail address, dana@example.test; it is also the
	// IMAP login.
	Address string
	// Name is the display name the clients put in From:, such as "Dana".
	Name     string
	Password string
	// IMAPAddr is host:port of the IMAP server, which offers STARTTLS.
	IMAPAddr string
	// SMTPAddr is host:port of an SMTP server that takes the account's mail
	// in plain text, without STARTTLS or AUTH.
	SMTPAddr string
	// CAFile is a PEM file with the CA the IMAP server's certificate
	// chains to.
	CAFile string
}

// TestbedAccount returns user's mailbox ("dana" for dana@example.test) on
// the test bed that scripts/testbed started. It skips the test when the
// test bed's environment is not set, and fails it instead when CI is "true".
func TestbedAccount(t testing.TB, user string) Account {
	t.Helper()
	if user == "" || strings.Contains(user, "@") {
		t.Fatalf("mailtest: TestbedAccount(%q): want a bare user name such as \"dana\"", user)
	}
	var missing []string
	for _, k := range []string{"ACCORD_TEST_IMAP_ADDR", "ACCORD_TEST_SMTP_ADDR", "ACCORD_TEST_TLS_CA"} {
		if os.Getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("mailtest: %s not set; start the test bed with: scripts/testbed up && eval \"$(scripts/testbed env)\"", strings.Join(missing, ", "))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true, so this fails instead of skipping)")
		}
		t.Skip(msg)
	}
	name := []rune(user)
	name[0] = unicode.ToUpper(name[0])
	return Account{
		Address:  user + "@" + envOr("ACCORD_TEST_MAIL_DOMAIN", "example.test"),
		Name:     string(name),
		Password: envOr("ACCORD_TEST_MAIL_PASSWORD", "testpass"),
		IMAPAddr: os.Getenv("ACCORD_TEST_IMAP_ADDR"),
		SMTPAddr: os.Getenv("ACCORD_TEST_SMTP_ADDR"),
		CAFile:   os.Getenv("ACCORD_TEST_TLS_CA"),
	}
}

// Posting says where a reply's own text goes relative to the quoted original.
type Posting int

const (
	// TopPosted puts the text above the quote, as most people reply.
	TopPosted Posting = iota
	// BottomPosted puts the text below the quote.
	BottomPosted
)

// String names the posting style ("top" or "bottom"), for subtest names.
func (p Posting) String() string {
	if p == BottomPosted {
		return "bottom"
	}
	return "top"
}

// MuttReply answers, as a person at a terminal would, the newest message
// (by Date) in a's INBOX whose subject contains subject: it runs mutt in a
// detached tmux session, limits the index to that subject, presses r,
// lets an editor script put text above or below mutt's attribution and
// quote (separated from them by one blank line), presses y, and returns
// once mutt has sent the reply and quit. mutt sends it itself over SMTP,
// to the Reply-To address when the message has one (else to its sender),
// with In-Reply-To, References and "Re: ". Each call has its own HOME,
// muttrc and tmux server; the test fails, showing mutt's screen, when a
// step goes wrong or the whole takes longer than a minute.
func MuttReply(t testing.TB, a Account, subject, text string, how Posting) {
	t.Helper()
	needPrograms(t, "mutt", "tmux")
	awaitSubject(t, a, subject)

	dir := t.TempDir()
	ca, err := os.ReadFile(a.CAFile)
	if err != nil {
		t.Fatalf("mailtest: read CA: %v", err)
	}
	writeFile(t, filepath.Join(dir, "ca.pem"), ca, 0o600)
	writeFile(t, filepath.Join(dir, "reply.txt"), []byte(replyText(text)), 0o600)
	writeFile(t, filepath.Join(dir, "editor"), []byte(muttEditor(dir, how)), 0o700)
	writeFile(t, filepath.Join(dir, "muttrc"), []byte(muttConfig(a, dir)), 0o600)
	writeFile(t, filepath.Join(dir, "run"), []byte(fmt.Sprintf(`#!/bin/sh
# Starts mutt with nothing but the files in this directory.
cd %[1]s || exit 1
HOME=%[1]s LC_ALL=C.UTF-8 LANG=C.UTF-8
export HOME LC_ALL LANG
unset MAIL MAILDIR EMAIL EDITOR VISUAL TMUX
mutt -n -F %[2]s 2>%[3]s
echo "%[4]s $?]"
exec sleep 3600
`, shQuote(dir), shQuote(filepath.Join(dir, "muttrc")), shQuote(filepath.Join(dir, "mutt.stderr")), muttExited)), 0o700)

	start := time.Now()
	s := startTmux(t, dir, "mutt", shQuote(filepath.Join(dir, "run")))
	s.deadline = start.Add(clientTimeout)
	s.fatal = muttFailures

	s.waitFor("the index", func(sc string) bool { return strings.Contains(sc, muttIndexMark) })
	s.send("l")
	s.waitFor("the limit prompt", func(sc string) bool { return strings.Contains(sc, "Limit to messages matching:") })
	s.typeText("~s " + muttQuote(subjectRegexp(subject)))
	s.send("Enter")
	s.waitFor("the index limited to the subject", func(sc string) bool { return muttLimited.MatchString(sc) })
	// With sort=date the newest match is the last entry.
	s.typeText("*")
	s.typeText("r")
	s.waitFor("the compose menu", func(sc string) bool { return strings.Contains(sc, muttComposeMark) })
	if _, err := os.Stat(filepath.Join(dir, "edited")); err != nil {
		s.failf("the editor script did not run")
	}
	s.typeText("y")
	// mutt sends before it leaves the compose menu, and stays there when
	// sending fails. "Mail sent." is not always to be seen: when another
	// session changes the mailbox, mutt redraws the index and clears it.
	s.waitFor("mutt to send the reply", func(sc string) bool {
		return strings.Contains(sc, "Mail sent.") || !strings.Contains(sc, muttComposeMark) && strings.Contains(sc, muttIndexMark)
	})
	sent := time.Since(start)
	s.fatal = nil
	s.typeText("q")
	sc := s.waitFor("mutt to quit", func(sc string) bool { return strings.Contains(sc, muttExited) })
	if !strings.Contains(sc, muttExited+" 0]") {
		s.failf("mutt exited with an error after sending")
	}
	t.Logf("mailtest: mutt sent the reply to %q as %s in %s", subject, a.Address, sent.Round(time.Millisecond))
}

// Markers that mutt's status lines are set to show, so that the screen
// can be read without depending on mutt's default layout.
const (
	muttIndexMark   = "ACCORD-MUTT-INDEX"
	muttComposeMark = "ACCORD-MUTT-COMPOSE"
	muttExited      = "[mutt exited with status"
)

// muttLimited matches the index status line once a limit is in force and
// shows at least one message.
var muttLimited = regexp.MustCompile(`\[limited shown=[1-9][0-9]*\]`)

// muttFailures are screen texts that mean mutt cannot go on.
var muttFailures = []string{
	muttExited,
	"Certificate check",
	"Could not connect",
	"Login failed",
	"Authentication failed",
	"No messages matched criteria",
	"Aborted unmodified message",
	"Error running",
	"SMTP session failed",
	"Error sending message",
	"Press any key to continue",
}

// muttConfig is the whole muttrc for one reply.
func muttConfig(a Account, dir string) string {
	imapURL := (&url.URL{Scheme: "imap", User: url.User(a.Address), Host: a.IMAPAddr, Path: "/INBOX"}).String()
	smtpURL := (&url.URL{Scheme: "smtp", Host: a.SMTPAddr, Path: "/"}).String()
	domain := a.Address[strings.LastIndex(a.Address, "@")+1:]
	var b strings.Builder
	set := func(name, value string) { fmt.Fprintf(&b, "set %s=%s\n", name, muttQuote(value)) }
	b.WriteString("# muttrc written by mailtest.MuttReply for one reply.\n")
	set("folder", imapURL)
	set("spoolfile", imapURL)
	set("imap_pass", a.Password)
	set("smtp_url", smtpURL)
	b.WriteString(`# TLS: STARTTLS required for IMAP; plain text for the SMTP port, which
# offers no STARTTLS. The hooks run before every connection.
account-hook . 'set ssl_starttls=yes ssl_force_tls=yes'
account-hook '^smtp://' 'set ssl_starttls=no ssl_force_tls=no'
set ssl_starttls=yes ssl_force_tls=yes ssl_verify_host=yes
`)
	// CA certificates in certificate_file are trusted by GnuTLS and OpenSSL
	// builds alike (ssl_ca_certificates_file exists only in the former).
	set("certificate_file", filepath.Join(dir, "ca.pem"))
	set("from", a.Address)
	set("realname", a.Name)
	set("hostname", domain)
	set("editor", shQuote(filepath.Join(dir, "editor")))
	set("tmpdir", dir)
	set("header_cache", "")
	set("message_cachedir", "")
	set("record", "")
	set("signature", "")
	set("status_format", muttIndexMark+" %f [msgs=%m]%?V?[limited shown=%M]? --")
	set("compose_format", muttComposeMark+" %l --")
	b.WriteString(`set use_from=yes reply_to=yes include=yes fast_reply=yes
set edit_headers=no autoedit=no askcc=no askbcc=no
set copy=no postpone=no abort_unmodified=yes quit=yes move=no
set sort=date sidebar_visible=no help=yes wait_key=no beep=no sleep_time=0
set charset=utf-8 send_charset=us-ascii:utf-8
set mail_check=1 timeout=1 imap_check_subscribed=no
`)
	return b.String()
}

// muttEditor is the $editor script: it adds reply.txt to the draft mutt
// hands it, above or below what mutt wrote there, with one blank line
// between, and leaves a mark that it ran.
func muttEditor(dir string, how Posting) string {
	reply := shQuote(filepath.Join(dir, "reply.txt"))
	body := `{ cat ` + reply + `; echo; cat "$1"; }`
	if how == BottomPosted {
		body = `{ sed -e '$a\' "$1"; echo; cat ` + reply + `; }`
	}
	return `#!/bin/sh
# mutt's editor for mailtest.MuttReply: types the reply into the draft.
set -e
before=$(stat -c %Y "$1")
` + body + ` >"$1.new"
cat "$1.new" >"$1"
rm -f "$1.new"
# mutt takes a draft whose modification time did not change for one not
# edited, and file times come from a coarse clock that can still show the
# draft's second. Setting the time a second back makes the change certain
# without putting the file in the future, which mutt would question.
touch -d "@$((before - 1))" "$1"
: >` + shQuote(filepath.Join(dir, "edited")) + "\n"
}

// subjectRegexp is an extended regular expression that matches s
// literally: ASCII punctuation goes into a bracket expression (backslash
// is literal there in POSIX), and the few characters a bracket cannot
// hold are escaped.
func subjectRegexp(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ']':
			b.WriteString("[]]")
		case r == '^':
			b.WriteString(`\^`)
		case r < unicode.MaxASCII && (unicode.IsPunct(r) || unicode.IsSymbol(r)):
			b.WriteString("[" + string(r) + "]")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// muttQuote quotes s as one muttrc token: nothing is special inside single
// quotes, and a single quote is closed, escaped and reopened as in sh.
func muttQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// shQuote quotes s for sh (and for s-nail, which follows sh's rules).
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// SNailReply answers the same message as MuttReply would, with s-nail in
// batch mode (-#): it opens a's INBOX over IMAP with STARTTLS, picks the
// newest (by Date) message whose subject contains subject, and replies
// with text above or below s-nail's quote ("Name <addr> wrote:" and
// TAB-indented lines), separated from it by one blank line. s-nail
// itself sends the reply over SMTP to the Reply-To address when there is
// one, and sets In-Reply-To, References and "Re: ". With a Reply-To it
// writes to that address alone, as mutt does; without one, s-nail's reply
// also copies the message's other recipients (except a itself), where
// mutt's r answers the sender only. It returns once s-nail has handed the
// reply to the SMTP server and exited.
func SNailReply(t testing.TB, a Account, subject, text string, how Posting) {
	t.Helper()
	needPrograms(t, "s-nail")
	awaitSubject(t, a, subject)

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mailrc"), []byte(snailConfig(a, dir)), 0o600)
	host, port, err := net.SplitHostPort(a.IMAPAddr)
	if err != nil {
		t.Fatalf("mailtest: IMAP address %q: %v", a.IMAPAddr, err)
	}
	if host == "127.0.0.1" {
		host = "localhost" // s-nail matches only DNS names in the certificate
	}
	folder := "imap://" + net.JoinHostPort(host, port) + "/INBOX"

	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	// -#: batch mode, commands from stdin; -:u: read only ~/.mailrc (MAILRC).
	cmd := exec.CommandContext(ctx, "s-nail", "-#", "-:u", "-f", folder)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "MAILRC=" + filepath.Join(dir, "mailrc"), "LC_ALL=C.UTF-8", "LANG=C.UTF-8"}
	cmd.Stdin = strings.NewReader(snailScript(subject, text, how))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("mailtest: s-nail did not finish within %s; its output:\n%s", clientTimeout, out.String())
	}
	if err != nil || !strings.Contains(out.String(), snailSent) {
		t.Fatalf("mailtest: s-nail failed to reply to %q: %v; its output:\n%s", subject, err, out.String())
	}
	t.Logf("mailtest: s-nail sent the reply to %q as %s in %s", subject, a.Address, took.Round(time.Millisecond))
}

// snailSent is echoed by the batch script after the reply went out; with
// errexit s-nail never gets there when sending fails.
const snailSent = "ACCORD-SNAIL-SENT"

// snailConfig is the whole resource file for one s-nail run.
func snailConfig(a Account, dir string) string {
	domain := a.Address[strings.LastIndex(a.Address, "@")+1:]
	from := a.Address
	if a.Name != "" {
		from = a.Name + " <" + a.Address + ">"
	}
	var b strings.Builder
	set := func(name, value string) { fmt.Fprintf(&b, "set %s=%s\n", name, shQuote(value)) }
	b.WriteString("# s-nail resource file written by mailtest.SNailReply for one reply.\nset v15-compat\n")
	b.WriteString("# IMAP: STARTTLS, certificate checked against this CA only.\nset imap-use-starttls tls-verify=strict tls-ca-no-defaults\n")
	set("tls-ca-file", a.CAFile)
	set("user", a.Address)
	set("password", a.Password)
	b.WriteString("# SMTP: the built-in client, plain text (no smtp-use-starttls), no AUTH.\n")
	set("mta", "smtp://"+a.SMTPAddr)
	b.WriteString("set smtp-auth=none\n")
	set("from", from)
	set("hostname", domain)
	set("DEAD", filepath.Join(dir, "dead.letter"))
	b.WriteString(`set ttycharset=utf-8 sendcharsets=utf-8
set reply-to-honour=yes markanswered toplines=1
`)
	return b.String()
}

// snailScript is what s-nail reads on stdin: find the message, reply to it
// with the text and the quote in the wanted order, send, quit.
func snailScript(subject, text string, how Posting) string {
	eot := "ACCORD_EOT_" + randomHex(6)
	spec := `(subject "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(subject) + `")`
	// ~r - 'EOT' pastes lines verbatim (no tilde escapes), up to EOT.
	paste := "~r - '" + eot + "'\n" + replyText(text) + eot + "\n"
	body := paste + "\n~Q\n"
	if how == BottomPosted {
		body = "~Q\n\n" + paste
	}
	return "set errexit\n" +
		"sort date\n" +
		// top prints the matches in date order, leaving the newest as "dot".
		"top " + shQuote(spec) + "\n" +
		"reply .\n" +
		body +
		"~.\n" +
		"echo " + snailSent + "\n" +
		"quit\n"
}

// replyText is text as a client should write it: Unix line ends and
// exactly one final newline.
func replyText(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.TrimRight(text, "\n") + "\n"
}

// awaitSubject waits until a message whose subject contains subject is in
// a's INBOX, so that the client finds it when it opens the mailbox.
func awaitSubject(t testing.TB, a Account, subject string) {
	t.Helper()
	c, err := dialAccount(a)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("mailtest: select INBOX of %s: %v", a.Address, err)
	}
	crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}
	deadline := time.Now().Add(arrivalTimeout)
	for {
		res, err := c.UIDSearch(crit, nil).Wait()
		if err != nil {
			t.Fatalf("mailtest: search INBOX of %s: %v", a.Address, err)
		}
		if len(res.AllUIDs()) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: no message with subject %q reached %s's INBOX within %s", subject, a.Address, arrivalTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dialAccount logs in to a's IMAP server over STARTTLS, trusting only
// a.CAFile.
func dialAccount(a Account) (*imapclient.Client, error) { return dialAccountWith(a, nil) }

func dialAccountWith(a Account, h *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	pem, err := os.ReadFile(a.CAFile)
	if err != nil {
		return nil, fmt.Errorf("read CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", a.CAFile)
	}
	host, _, err := net.SplitHostPort(a.IMAPAddr)
	if err != nil {
		return nil, fmt.Errorf("IMAP address %q: %w", a.IMAPAddr, err)
	}
	c, err := imapclient.DialStartTLS(a.IMAPAddr, &imapclient.Options{
		TLSConfig:             &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12},
		UnilateralDataHandler: h,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", a.IMAPAddr, err)
	}
	if err := c.Login(a.Address, a.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in as %s: %w", a.Address, err)
	}
	return c, nil
}

// needPrograms skips the test when a program is missing, or fails it when
// CI is "true".
func needPrograms(t testing.TB, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("mailtest: %s not installed (Debian: apt-get install %s)", strings.Join(missing, ", "), strings.Join(missing, " "))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true, so this fails instead of skipping)")
	}
	t.Skip(msg)
}

func writeFile(t testing.TB, name string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(name, data, mode); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// tmuxSession is a program running in a detached tmux session on a tmux
// server of its own (-S, with the socket in a fresh directory), so that
// nothing the test does can touch anyone else's sessions, and the server
// goes away with the session.
type tmuxSession struct {
	t        testing.TB
	socket   string
	name     string
	dir      string
	deadline time.Time
	// fatal lists screen texts after which waiting is pointless.
	fatal []string
}

// startTmux runs command (a line for sh) in a new 200x50 tmux session and
// kills the session when the test ends.
func startTmux(t testing.TB, dir, name, command string) *tmuxSession {
	t.Helper()
	// Not in dir: a socket path must stay short (108 bytes), and tmux 3.3
	// leaves the socket file behind when its server exits.
	sockDir, err := os.MkdirTemp("", "accord-tmux-")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	s := &tmuxSession{t: t, socket: filepath.Join(sockDir, "s"), name: name, dir: dir, deadline: time.Now().Add(clientTimeout)}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	if _, err := s.tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", command); err != nil {
		t.Fatalf("mailtest: start tmux: %v", err)
	}
	t.Cleanup(func() { s.tmux("kill-session", "-t", name) })
	return s
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	cmd := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TMUX=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("tmux %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// screen is what the session's window shows now.
func (s *tmuxSession) screen() string {
	out, err := s.tmux("capture-pane", "-p", "-t", s.name)
	if err != nil {
		return fmt.Sprintf("(no screen: %v)", err)
	}
	return out
}

// send presses keys given by tmux name ("Enter", "C-c").
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	if _, err := s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...); err != nil {
		s.failf("%v", err)
	}
}

// typeText types text literally.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	if _, err := s.tmux("send-keys", "-t", s.name, "-l", text); err != nil {
		s.failf("%v", err)
	}
}

// waitFor polls the screen until done holds and returns it; it fails the
// test when a fatal text shows or the deadline passes.
func (s *tmuxSession) waitFor(what string, done func(screen string) bool) string {
	s.t.Helper()
	for {
		sc := s.screen()
		if done(sc) {
			return sc
		}
		for _, f := range s.fatal {
			if strings.Contains(sc, f) {
				s.failf("waiting for %s, the screen shows %q", what, f)
			}
		}
		if time.Now().After(s.deadline) {
			s.failf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// failf fails the test with the screen and the program's stderr attached.
func (s *tmuxSession) failf(format string, args ...any) {
	s.t.Helper()
	msg := fmt.Sprintf(format, args...)
	stderr, _ := os.ReadFile(filepath.Join(s.dir, s.name+".stderr"))
	s.t.Fatalf("mailtest: %s: %s\n--- screen ---\n%s\n--- stderr ---\n%s", s.name, msg, strings.TrimRight(s.screen(), "\n"), bytes.TrimSpace(stderr))
}

// Clear deletes every message in a's INBOX, for a test that owns the
// mailbox and starts from an empty one.
func (a Account) Clear(t testing.TB) {
	t.Helper()
	a.ClearFolder(t, "INBOX")
}

// ClearFolder deletes every message in one of a's folders; a folder that
// does not exist is left alone.
func (a Account) ClearFolder(t testing.TB, folder string) {
	t.Helper()
	c, err := dialAccount(a)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	defer c.Close()
	sel, err := c.Select(folder, nil).Wait()
	if err != nil && folder != "INBOX" {
		return
	}
	if err != nil {
		t.Fatalf("mailtest: select INBOX of %s: %v", a.Address, err)
	}
	if sel.NumMessages == 0 {
		return
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatalf("mailtest: clear %s of %s: %v", folder, a.Address, err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatalf("mailtest: clear %s of %s: %v", folder, a.Address, err)
	}
}

// Inbox returns every message in a's INBOX, in the order they arrived,
// without marking them read.
func (a Account) Inbox(t testing.TB) [][]byte {
	t.Helper()
	c, err := dialAccount(a)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	defer c.Close()
	return ReadInbox(t, c, a.Address)
}

// ReadInbox returns every message in the INBOX of c, a logged-in client,
// in the order they arrived, without marking them read. who names the
// mailbox in errors.
func ReadInbox(t testing.TB, c *imapclient.Client, who string) [][]byte {
	t.Helper()
	return ReadFolder(t, c, "INBOX", who)
}

// ReadFolder returns every message in one folder of c, a logged-in
// client, in the order they arrived, without marking them read.
func ReadFolder(t testing.TB, c *imapclient.Client, folder, who string) [][]byte {
	t.Helper()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("mailtest: select %s of %s: %v", folder, who, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatalf("mailtest: read %s of %s: %v", folder, who, err)
	}
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		for _, b := range m.BodySection {
			out = append(out, b.Bytes)
		}
	}
	return out
}

// Dial logs in to a's IMAP server over STARTTLS, trusting only the test
// bed's CA, and closes the connection when the test ends. h, when not nil,
// hears what the server says unasked (new mail while idling).
func (a Account) Dial(t testing.TB, h *imapclient.UnilateralDataHandler) *imapclient.Client {
	t.Helper()
	c, err := dialAccountWith(a, h)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Count returns how many messages are in a's INBOX.
func (a Account) Count(t testing.TB) int {
	t.Helper()
	c, err := dialAccount(a)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	defer c.Close()
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || st.NumMessages == nil {
		t.Fatalf("mailtest: status of %s's INBOX: %v", a.Address, err)
	}
	return int(*st.NumMessages)
}
