package mailin

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"accord/mailout/mailauth"
	"accord/store"
)

// Fetched is one message as the poller took it from the mailbox.
type Fetched struct {
	Key          store.InboundKey
	Size         int64
	InternalDate time.Time
	// Raw is the whole message, or only its header when TooLarge.
	Raw      []byte
	TooLarge bool
}

// headerLimit is as much of a message as header reads: a header block
// longer than that is refused before parsing anyway (see mimeLimits), and
// reading a 25 MB Subject line would cost a hundred MB.
const headerLimit = 1 << 20

// headerFirst drops blank or whitespace-only lines in front of a message's
// header block, which some gateways and archives write: mail clients read
// past them, and read so, the first header would otherwise end the header
// block and the rest be taken for the body. A message that has no header
// field after them is returned as it is. Every reader of a message here
// (header, body, parseMessage) starts with it; the message is kept as
// fetched.
func headerFirst(raw []byte) []byte {
	rest := raw
	for {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok || len(bytes.Trim(line, " \t\r")) != 0 {
			break
		}
		rest = after
	}
	if len(rest) == len(raw) || !startsWithField(rest) {
		return raw
	}
	return rest
}

// startsWithField reports whether raw begins with a header field: a name
// of printable ASCII without spaces, then a colon.
func startsWithField(raw []byte) bool {
	for i, c := range raw[:min(len(raw), 1000)] {
		switch {
		case c == ':':
			return i > 0
		case c <= ' ' || c > '~':
			return false
		}
	}
	return false
}

// header reads the header block of a message, tolerating junk: whatever
// cannot be read is simply missing.
func header(raw []byte) textproto.MIMEHeader {
	raw = headerFirst(raw)
	raw = raw[:min(len(raw), headerLimit)]
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	h, _ := r.ReadMIMEHeader()
	if h == nil {
		h = textproto.MIMEHeader{}
	}
	return h
}

// body returns what follows the header block.
func body(raw []byte) []byte {
	raw = headerFirst(raw)
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 {
			return raw[i+len(sep):]
		}
	}
	return nil
}

func sum(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// identity works out how the inbound log recognises a message: by its
// sender and Message-ID, or by a hash of what its author wrote (sender,
// date, subject, body) when it has none, so the same mail delivered twice
// with different trace headers is still one message. The sender is part
// of the key so that a stranger who sends a mail under someone else's
// future Message-ID does not make theirs look like a copy.
func identity(raw []byte) (key, messageID, rawSHA, contentSHA string) {
	h := header(raw)
	rawSHA = sum(raw)
	contentSHA = sum([]byte(h.Get("From")), []byte(h.Get("Date")), []byte(h.Get("Subject")), body(raw))
	messageID = firstMessageID(h.Get("Message-Id"))
	key = fromAddress(h) + " " + messageID
	if messageID == "" {
		key = "content:" + contentSHA
	}
	return key, messageID, rawSHA, contentSHA
}

var msgIDPattern = regexp.MustCompile(`<[^<>\s]{1,250}@[^<>\s]{1,250}>`)

// firstMessageID returns the first well-formed id in a header value.
func firstMessageID(v string) string {
	return msgIDPattern.FindString(v)
}

// maxReferenceIDs bounds how many ids of In-Reply-To and References are
// looked at: the newest ones are the ones that matter, and a header with
// 100,000 ids must not cost 100,000 lookups.
const maxReferenceIDs = 20

// referencedIDs lists In-Reply-To first, then References newest first,
// without repeats, at most maxReferenceIDs of them. It scans only the end
// of an overlong References header.
func referencedIDs(h textproto.MIMEHeader) []string {
	var ids []string
	add := func(id string) {
		for _, have := range ids {
			if have == id {
				return
			}
		}
		if len(ids) < maxReferenceIDs {
			ids = append(ids, id)
		}
	}
	for _, id := range msgIDPattern.FindAllString(h.Get("In-Reply-To"), maxReferenceIDs) {
		add(id)
	}
	refs := h.Get("References")
	if len(refs) > 64*maxReferenceIDs*8 {
		refs = refs[len(refs)-64*maxReferenceIDs*8:]
	}
	found := msgIDPattern.FindAllString(refs, -1)
	for i := len(found) - 1; i >= 0 && len(ids) < maxReferenceIDs; i-- {
		add(found[i])
	}
	return ids
}

// fromAddress is the single address in From, lowercased; "" when there is
// none or more than one.
func fromAddress(h textproto.MIMEHeader) string {
	list, err := mail.ParseAddressList(h.Get("From"))
	if err != nil || len(list) != 1 {
		return ""
	}
	return strings.ToLower(list[0].Address)
}

// recipientAddresses collects every address the message was sent to,
// including the envelope recipients MTAs record.
func recipientAddresses(h textproto.MIMEHeader) []string {
	var out []string
	for _, field := range []string{"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range h.Values(field) {
			if list, err := mail.ParseAddressList(v); err == nil {
				for _, a := range list {
					out = append(out, strings.ToLower(a.Address))
				}
				continue
			}
			// Delivered-To and friends are often bare addresses that
			// ParseAddressList accepts; anything else is skipped.
			if a, err := mail.ParseAddress(strings.TrimSpace(v)); err == nil {
				out = append(out, strings.ToLower(a.Address))
			}
		}
	}
	return out
}

// IMAPConfig says how to reach the service mailbox.
type IMAPConfig struct {
	Host string
	Port int
	// Security is "tls" (imaps://), "starttls" (imap+starttls://) or
	// "none" (imap://).
	Security string
	Username string
	Password string
	// Auth is "login" (LOGIN, the default) or "plain" (AUTHENTICATE PLAIN).
	Auth string
	// Tokens, when set, signs in with an OAuth 2.0 access token instead
	// of the password, by Mechanism (XOAUTH2 or OAUTHBEARER; empty picks
	// what the server offers).
	Tokens    *mailauth.Tokens
	Mechanism mailauth.Mechanism
	// Mailbox is read for replies; default INBOX.
	Mailbox string
	// Processed receives handled mail when the server can MOVE; empty
	// means handled mail is only flagged.
	Processed string
	// Quarantine receives mail that could not be handled.
	Quarantine string
}

// ParseIMAPURL reads imaps://user@host:993/INBOX, imap+starttls://user@host:143
// or imap://user@host:143. The path, when given, names the mailbox.
func ParseIMAPURL(raw string) (IMAPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return IMAPConfig{}, fmt.Errorf("%q is not an IMAP URL like imaps://accord@mail.example.com:993", raw)
	}
	c := IMAPConfig{Mailbox: "INBOX", Processed: "Processed", Quarantine: "Quarantine", Auth: "login"}
	switch u.Scheme {
	case "imaps":
		c.Security, c.Port = "tls", 993
	case "imap+starttls":
		c.Security, c.Port = "starttls", 143
	case "imap":
		c.Security, c.Port = "none", 143
	default:
		return IMAPConfig{}, fmt.Errorf("IMAP URL scheme %q: use imaps:// (TLS), imap+starttls:// or imap:// (no encryption)", u.Scheme)
	}
	c.Host = u.Hostname()
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return IMAPConfig{}, fmt.Errorf("IMAP URL port %q is not a port number", p)
		}
	}
	if u.User == nil || u.User.Username() == "" {
		return IMAPConfig{}, fmt.Errorf("IMAP URL %q names no user; write imaps://USER@%s", raw, u.Host)
	}
	c.Username = u.User.Username()
	c.Password, _ = u.User.Password()
	if mbox := strings.Trim(u.Path, "/"); mbox != "" {
		c.Mailbox = mbox
	}
	switch a := u.Query().Get("auth"); a {
	case "", "login":
	case "plain":
		c.Auth = "plain"
	default:
		return IMAPConfig{}, fmt.Errorf("IMAP URL auth=%q: use login or plain", a)
	}
	return c, nil
}

// Address is host:port.
func (c IMAPConfig) Address() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }

// Redacted is the mailbox as a URL without the password, for logs and
// for the operator.
func (c IMAPConfig) Redacted() string {
	scheme := map[string]string{"tls": "imaps", "starttls": "imap+starttls", "none": "imap"}[c.Security]
	return fmt.Sprintf("%s://%s@%s/%s", scheme, c.Username, c.Address(), c.Mailbox)
}

// ExtractReply returns the words a person wrote in a whole message, read
// exactly as the processor reads a reply (parseMessage, then replyText),
// for tools that show what Accord would keep. An error says the message
// could not be read as MIME or its text could not be decoded.
func ExtractReply(raw []byte) (string, error) {
	env, err := parseMessage(raw)
	if err != nil {
		return "", fmt.Errorf("mailin: read message: %w", err)
	}
	text, unreadable := replyText(env)
	if unreadable != "" {
		return "", fmt.Errorf("mailin: %s", unreadable)
	}
	return text, nil
}
