package mailout

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"accord/templates"
)

// Identity is who Accord's mail comes from.
type Identity struct {
	// Name is the display name, such as "Accord".
	Name string
	// Address is the service mailbox, such as accord@example.com.
	Address string
	// Separator joins the mailbox and a reply token in a plus address:
	// accord+TOKEN@example.com. Usually "+".
	Separator string
	// Support is an optional sentence pointing people to someone to talk
	// to, shown in help and when a partnership ends.
	Support string
	// UnsubscribeURL, when set, is the public https address one-click
	// unsubscribes (RFC 8058) are posted to, a reply token appended:
	// https://accord.example.com/unsubscribe/. Empty offers only the
	// mailto unsubscribe.
	UnsubscribeURL string
	// AgreementURL, when set, is the public https address of the
	// agreement pages, a link token appended:
	// https://accord.example.com/agreement/.
	AgreementURL string
}

// IdentityError names the identity field that is wrong.
type IdentityError struct {
	Field string // address, separator or name
	Err   error
}

func (e *IdentityError) Error() string { return e.Err.Error() }

// Validate checks the identity an operator configured.
func (id Identity) Validate() error {
	a, err := mail.ParseAddress(id.Address)
	if err != nil || a.Address != id.Address || !strings.Contains(id.Address, "@") {
		return &IdentityError{"address", fmt.Errorf("%q is not a valid address for the service mailbox", id.Address)}
	}
	if id.Separator == "" || strings.ContainsAny(id.Separator, "@ \t\r\n\"<>()[],;:\\") {
		return &IdentityError{"separator", fmt.Errorf("plus separator %q cannot be used in an address; use + or -", id.Separator)}
	}
	if oneLine(id.Name) == "" {
		return &IdentityError{"name", errors.New("the service needs a display name")}
	}
	return nil
}

// ReplyAddress is the service address carrying a reply token.
func (id Identity) ReplyAddress(token string) string {
	local, domain, _ := strings.Cut(id.Address, "@")
	return local + id.Separator + token + "@" + domain
}

// bouncePrefix starts the plus part of the per-message envelope senders,
// which reply tokens never do.
const bouncePrefix = "b-"

// BounceAddress is the envelope sender of one outbound message: the
// service address with the message's bounce token as its plus part, so a
// delivery report about it comes back to the service mailbox (every plus
// address does) and names the message it is about (VERP).
func (id Identity) BounceAddress(token string) string {
	return id.ReplyAddress(bouncePrefix + token)
}

// BounceToken reads the bounce token from a service plus address made by
// BounceAddress; ok is false for any other address.
func (id Identity) BounceToken(address string) (token string, ok bool) {
	tag, ok := id.PlusTag(address)
	if !ok || !strings.HasPrefix(tag, bouncePrefix) || len(tag) == len(bouncePrefix) {
		return "", false
	}
	return tag[len(bouncePrefix):], true
}

// PlusTag returns what follows the separator in a plus address of the
// service mailbox, lower case; ok is false for any other address.
func (id Identity) PlusTag(address string) (tag string, ok bool) {
	local, domain, _ := strings.Cut(strings.ToLower(id.Address), "@")
	l, d, found := strings.Cut(strings.ToLower(strings.TrimSpace(address)), "@")
	prefix := local + strings.ToLower(id.Separator)
	if !found || d != domain || id.Separator == "" || !strings.HasPrefix(l, prefix) || len(l) == len(prefix) {
		return "", false
	}
	return l[len(prefix):], true
}

func (id Identity) domain() string {
	_, domain, _ := strings.Cut(id.Address, "@")
	return domain
}

// Letter is one mail to render: its templates view plus the envelope.
type Letter struct {
	ToName, ToAddress string
	// Token is the reply token for Reply-To; empty for mail that asks
	// nothing, whose replies go to the plain service address.
	Token string
	// InReplyTo and References thread the mail; ids not shaped like a
	// Message-ID are dropped.
	InReplyTo  string
	References []string
	Date       time.Time
	View       templates.View
	// Calendar, when set, is an iCalendar object sent as the last
	// alternative with its iTIP method (REQUEST or CANCEL).
	Calendar       []byte
	CalendarMethod string
	// Attachment, when set, is a file sent after the body (an export).
	Attachment *Attachment
}

// Attachment is a file that goes with a mail.
type Attachment struct {
	Name        string
	ContentType string
	Content     []byte
}

// Renderer turns letters into MIME messages.
type Renderer struct {
	Identity Identity
	// NewMessageID returns a fresh Message-ID with angle brackets. Nil
	// means random ids in the service's domain; tests pin them.
	NewMessageID func() string
}

// MessageID returns a new Message-ID in the service's domain.
func (r *Renderer) MessageID() string {
	if r.NewMessageID != nil {
		return r.NewMessageID()
	}
	b := make([]byte, 16)
	rand.Read(b)
	return "<" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)) + "@" + r.Identity.domain() + ">"
}

// maxReferences bounds the References header: the thread's first message
// and the most recent ones are enough for every client to thread.
const maxReferences = 12

// The attachment copy of an invitation's calendar: its file name and media
// type, as Google Calendar writes them.
const (
	InviteFileName    = "invite.ics"
	InviteContentType = "application/ics"
)

// Render builds the message and returns its Message-ID and bytes.
func (r *Renderer) Render(l Letter) (string, []byte, error) {
	l.View.Service = oneLine(r.Identity.Name)
	l.View.Address = r.Identity.Address
	l.View.Support = r.Identity.Support
	content, err := templates.RenderMail(l.View)
	if err != nil {
		return "", nil, err
	}
	id := r.MessageID()
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	// Display names go in as they are: net/mail writes them as an RFC 5322
	// quoted-string, or RFC 2047 encoded words when they are not ASCII, so
	// "Dana "DJ" Lee" or a backslash in a name is kept, not lost or fatal.
	from, err := mailbox(oneLine(r.Identity.Name), r.Identity.Address)
	if err != nil {
		return "", nil, fmt.Errorf("mailout: from: %w", err)
	}
	to, err := mailbox(oneLine(l.ToName), l.ToAddress)
	if err != nil {
		return "", nil, fmt.Errorf("mailout: to: %w", err)
	}
	m.FromMailAddress(from)
	m.ToMailAddress(to)
	unsubscribe := r.Identity.Address
	if l.Token != "" {
		unsubscribe = r.Identity.ReplyAddress(l.Token)
		if err := m.ReplyTo(unsubscribe); err != nil {
			return "", nil, fmt.Errorf("mailout: reply-to: %w", err)
		}
	}
	m.Subject(content.Subject)
	m.SetMessageIDWithValue(strings.Trim(id, "<>"))
	m.SetDateWithValue(l.Date)
	// Generic headers are written sorted and folded at spaces, so the bytes
	// are the same every time and long References stay within line limits.
	if parent := messageID(l.InReplyTo); parent != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, parent)
	}
	if refs := threadReferences(l.References, l.InReplyTo); len(refs) > 0 {
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	// Loop prevention (RFC 3834 and Exchange): no autoresponder should
	// answer a machine, and a person's "stop" unsubscribes.
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetGenHeader(gomail.Header("X-Auto-Response-Suppress"), "All")
	if r.Identity.UnsubscribeURL != "" && l.Token != "" {
		// One click in the mail program posts List-Unsubscribe=One-Click
		// to the https address (RFC 8058); the mailto stays for programs
		// that only send mail.
		m.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+r.Identity.UnsubscribeURL+l.Token+">, <mailto:"+unsubscribe+"?subject=stop>")
		m.SetGenHeader(gomail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
	} else {
		m.SetGenHeader(gomail.HeaderListUnsubscribe, "<mailto:"+unsubscribe+"?subject=stop>")
	}
	m.SetBodyString(gomail.TypeTextPlain, content.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, content.HTML)
	if len(l.Calendar) > 0 {
		// iMIP: the calendar is the last alternative, its method also in
		// the Content-Type; base64 keeps CRLF and non-ASCII intact.
		m.AddAlternativeString(gomail.ContentType("text/calendar; method="+l.CalendarMethod), string(l.Calendar),
			gomail.WithPartEncoding(gomail.EncodingB64))
		// The same bytes again as an invite.ics attachment, as Google
		// sends them: some clients (Nextcloud Mail, Mailspring, some
		// phones) look only at attachments. The message becomes
		// multipart/mixed around the alternative.
		m.AttachReadSeeker(InviteFileName, bytes.NewReader(l.Calendar),
			gomail.WithFileContentType(gomail.ContentType(InviteContentType)), gomail.WithFileEncoding(gomail.EncodingB64))
	}
	if a := l.Attachment; a != nil {
		m.AttachReadSeeker(oneLine(a.Name), bytes.NewReader(a.Content),
			gomail.WithFileContentType(gomail.ContentType(a.ContentType)), gomail.WithFileEncoding(gomail.EncodingB64))
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return "", nil, fmt.Errorf("mailout: write message: %w", err)
	}
	return id, b.Bytes(), nil
}

// mailbox checks an address and pairs it with a display name.
func mailbox(name, address string) (*mail.Address, error) {
	a, err := mail.ParseAddress(address)
	if err != nil || a.Address != address {
		return nil, fmt.Errorf("%q is not a plain email address", address)
	}
	return &mail.Address{Name: name, Address: address}, nil
}

// messageIDPattern is a Message-ID as we accept it for threading: one
// id-left@id-right in angle brackets, with nothing that could break a header.
var messageIDPattern = regexp.MustCompile(`^<[!-;=?-~]{1,250}@[!-;=?-~]{1,250}>$`)

// messageID returns s when it is a well-formed Message-ID, else "".
func messageID(s string) string {
	s = strings.TrimSpace(s)
	if !messageIDPattern.MatchString(s) {
		return ""
	}
	return s
}

// threadReferences keeps the thread's root and its latest ids, plus the
// parent, dropping anything malformed and any repeats. It looks at no more
// than maxReferences of them, however long the thread.
func threadReferences(refs []string, parent string) []string {
	if len(refs) > maxReferences {
		refs = append([]string{refs[0]}, refs[len(refs)-maxReferences+1:]...)
	}
	var ids []string
	add := func(s string) {
		if id := messageID(s); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, r := range refs {
		add(r)
	}
	add(parent)
	if len(ids) > maxReferences {
		ids = append(ids[:1], ids[len(ids)-maxReferences+1:]...)
	}
	return ids
}

var controlChars = regexp.MustCompile(`[\x00-\x1f\x7f]+`)

// oneLine makes text safe for a header: CR, LF and other control
// characters become spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(controlChars.ReplaceAllString(s, " ")), " ")
}
