package classify

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// Bounds that keep Classify fast on hostile input. Nothing a rule looks for
// lies beyond them in real mail.
const (
	maxParts      = 1000      // parts visited in the MIME tree
	maxSubject    = 1000      // bytes of Subject considered
	maxText       = 64 << 10  // bytes of body text searched in a bounce
	maxPart       = 256 << 10 // bytes of a delivery-status or header part read
	maxCalendar   = 1 << 20   // bytes of a calendar part searched for METHOD
	maxReferences = 100       // Message-IDs of In-Reply-To/References asked about
	maxFailures   = 100       // recipients kept from one report
	maxDiagnostic = 300       // bytes kept of a diagnostic line
)

// walkParts returns every part of the message once, in document order: the
// tree under Root first, then anything in Attachments, Inlines and
// OtherParts that is not in it. It stops at maxParts and is safe against
// hand-built trees with cycles.
func walkParts(env *enmime.Envelope) []*enmime.Part {
	seen := make(map[*enmime.Part]bool)
	var out []*enmime.Part
	var stack []*enmime.Part
	push := func(p *enmime.Part) {
		if p != nil && !seen[p] {
			stack = append(stack, p)
		}
	}
	visit := func(root *enmime.Part) {
		push(root)
		for len(stack) > 0 && len(out) < maxParts {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, p)
			push(p.NextSibling)
			push(p.FirstChild)
		}
		stack = stack[:0]
	}
	visit(env.Root)
	for _, list := range [][]*enmime.Part{env.Attachments, env.Inlines, env.OtherParts} {
		for _, p := range list {
			if len(out) >= maxParts {
				return out
			}
			if p != nil && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// contentType returns a part's media type in lower case and its parameters,
// parsed again from the header: enmime does not fill
// Part.ContentTypeParams when it reads a message.
func contentType(p *enmime.Part) (string, map[string]string) {
	ct := strings.ToLower(p.ContentType)
	if p.Header == nil {
		return ct, nil
	}
	raw := p.Header.Get("Content-Type")
	if raw == "" {
		return ct, nil
	}
	mt, params, _, err := mediatype.Parse(limit(raw, 4096))
	if err != nil {
		return ct, nil
	}
	if ct == "" {
		ct = strings.ToLower(mt)
	}
	return ct, params
}

// fold prepares text for phrase matching: lower case, common Latin
// diacritics removed, combining marks dropped, runs of white space turned
// into one space, full-width colons made plain, ends trimmed.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		r = unicode.ToLower(r)
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var foldMap = func() map[rune]string {
	m := make(map[rune]string)
	for from, to := range map[string]string{
		"àáâãäåāăą": "a", "çćčĉċ": "c", "ďđ": "d", "èéêëēĕėęě": "e",
		"ĝğġģ": "g", "ìíîïīĭįı": "i", "ķ": "k", "ĺļľŀł": "l", "ñńņňŉ": "n",
		"òóôõöøōŏő": "o", "ŕŗř": "r", "śŝşšș": "s", "ţťŧț": "t",
		"ùúûüũūŭůűų": "u", "ýÿ": "y", "źżž": "z", "ð": "d",
		"：": ":", "，": ",", "（": "(", "）": ")", "－": "-",
	} {
		for _, r := range from {
			m[r] = to
		}
	}
	m['æ'], m['œ'], m['ß'], m['þ'] = "ae", "oe", "ss", "th"
	return m
}()

// limit cuts s to at most n bytes without splitting a UTF-8 sequence.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// limitBytes is limit for byte slices.
func limitBytes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[:n]
}

// oneLine squeezes s onto one line of at most n bytes, with control
// characters turned into spaces, so it is safe in logs and the database.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, limit(s, 4*n))
	return limit(strings.Join(strings.Fields(s), " "), n)
}

// token reduces a header value to a short run of safe characters for a
// Reason: the first word, lower case, letters, digits, '-', '_' and '.'.
func token(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 32 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			return b.String()
		}
	}
	return b.String()
}

var looseAddress = regexp.MustCompile(`[^\s<>"(),;:@]+@[^\s<>"(),;:@]+`)

// bareLocal is a From that is nothing but a local part, as some mail
// systems write "From: mailer-daemon" without a domain.
var bareLocal = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// fromAddress returns the display name and address of the first From
// mailbox. Malformed headers that net/mail rejects still yield the first
// thing that looks like an address, or a lone local part.
func fromAddress(env *enmime.Envelope) (name, addr string) {
	if list, err := env.AddressList("From"); err == nil && len(list) > 0 && list[0] != nil {
		return list[0].Name, strings.TrimSpace(list[0].Address)
	}
	raw := limit(env.GetHeader("From"), 2048)
	if a, err := mail.ParseAddress(raw); err == nil {
		return a.Name, a.Address
	}
	addr = looseAddress.FindString(raw)
	if i := strings.Index(raw, "<"); i > 0 {
		name = strings.Trim(strings.TrimSpace(raw[:i]), `"`)
	}
	if addr == "" && bareLocal.MatchString(strings.TrimSpace(raw)) {
		addr = strings.TrimSpace(raw)
	}
	return name, addr
}

// canonAddress reduces an address to the form we compare: lower case,
// without angle brackets, without a +tag, without a trailing dot in the
// domain. It returns "" for something with no '@'.
func canonAddress(a string) string {
	a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 {
		return ""
	}
	local, domain := a[:at], strings.TrimSuffix(a[at+1:], ".")
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return local + "@" + domain
}

// localPart returns the lower-case part of an address before any +tag
// and the '@'.
func localPart(addr string) string {
	c := canonAddress(addr)
	if i := strings.LastIndexByte(c, '@'); i >= 0 {
		return c[:i]
	}
	return strings.ToLower(addr)
}

var idPattern = regexp.MustCompile(`<[^<>\s]{1,500}>`)

// messageID returns the first Message-ID in s in angle brackets, adding the
// brackets to a bare id-left@id-right; "" when there is none.
func messageID(s string) string {
	s = strings.TrimSpace(limit(s, 2048))
	if id := idPattern.FindString(s); id != "" {
		return id
	}
	if f := strings.Fields(s); len(f) > 0 && strings.Contains(f[0], "@") && !strings.ContainsAny(f[0], "<>") {
		return "<" + limit(f[0], 500) + ">"
	}
	return ""
}

// messageIDs returns up to n Message-IDs (all for n < 0) found in the
// first 64 KiB of s.
func messageIDs(s string, n int) []string {
	return idPattern.FindAllString(limit(s, 64<<10), n)
}
