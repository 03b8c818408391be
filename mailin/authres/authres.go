// Package authres reads the Authentication-Results header field of RFC 8601,
// in which a receiving mail server records its SPF, DKIM and DMARC verdicts.
//
// mailin acts on the DMARC verdict of its own server, so this parser is a
// tokenizer that follows the grammar of RFC 8601 section 2.2 rather than a
// split on ";" and "=": a ";" or "=" inside a comment or a quoted string is
// data, and nothing inside one can ever be read as a method or a result.
//
// It is liberal where real servers are known to deviate and strict where a
// wrong reading could change a verdict:
//
//   - Unknown methods, results and property types are kept as written
//     (RFC 8601 sections 2.7.6 and 2.7.7 allow extensions).
//   - A field that starts with a method, with no authserv-id, as Microsoft
//     365 writes it, is read with an empty [Header.AuthServID]. An empty id
//     never names a server, so such a field should never be trusted.
//   - A trailing ";" and empty results between two ";" are ignored.
//   - A property without a type, such as Microsoft's "action=none", is kept
//     as a [Prop] with an empty Type.
//   - A property may have an empty value ("smtp.mailfrom=" at the end of a
//     result), and an unquoted value may hold characters that RFC 2045
//     tokens exclude ("=", "/", "@", ":"), as DKIM's header.b and addresses
//     do.
//   - Whitespace may be bare CR or LF as well as folded CRLF.
//   - A "\" in an unquoted value is kept as written when the next byte
//     could be in the value too ("smtp.auth=DOMAIN\user").
//   - Anything else unreadable among the properties of a result ends that
//     result's properties: its method and result, already read, are kept,
//     and reading resumes at the next ";" outside comments and quoted
//     strings. A ")" outside a comment, a "\" before whitespace, a
//     delimiter or the end, or an unterminated comment or quoted string
//     cannot be skipped safely and fails the whole field.
//
// A malformed authserv-id, version, method or result fails the whole field:
// callers should treat an error as "no verdict". Input is bounded by
// [MaxLength] and comment nesting by [MaxCommentDepth], and parsing takes
// time linear in the input.
package authres

import (
	"errors"
	"fmt"
	"strings"
)

// MaxLength bounds the work one header field can cause; no real
// Authentication-Results field comes near it.
const MaxLength = 64 * 1024

// MaxCommentDepth bounds comment nesting, which RFC 5322 leaves unbounded,
// so that a hostile field cannot make the parser keep deep state.
const MaxCommentDepth = 32

// maxNumberDigits keeps version numbers well inside an int.
const maxNumberDigits = 9

// ErrMalformed is wrapped by every error Parse returns, so callers can tell
// an unreadable field (no verdict) from other failures with errors.Is.
var ErrMalformed = errors.New("authres: malformed Authentication-Results")

// Header is one parsed Authentication-Results field: who wrote it and what
// it found.
type Header struct {
	AuthServID string   // as written, case preserved, "" when absent; compare with strings.EqualFold
	Version    int      // authres-version, 1 when absent; only 1 is defined, so distrust others
	Results    []Result // empty for "none"
}

// Result is one resinfo: the verdict of one authentication method.
type Result struct {
	Method  string // lower case, e.g. "dmarc", "spf", "dkim"
	Version int    // method version after "/", 1 when absent
	Result  string // lower case, e.g. "pass", "fail", "none"
	Reason  string // the reason= value, unquoted, if any
	Props   []Prop
}

// Prop is one property of a result, such as header.from, which tells which
// identity the method checked.
type Prop struct {
	Type     string // lower case: smtp, header, body, policy, ...; "" for a property written without one
	Property string // lower case: mailfrom, from, d, ...
	Value    string // unquoted value; a quoted local-part before "@" keeps its quotes
}

// Lookup returns the result of the first resinfo with this method
// (case-insensitive), "" when absent, which is what a policy check needs.
func (h Header) Lookup(method string) string {
	for _, r := range h.Results {
		if strings.EqualFold(r.Method, method) {
			return r.Result
		}
	}
	return ""
}

// Prop returns the value of the first property ptype.property
// (case-insensitive), "" when absent, so callers can see which identity a
// verdict is about (header.from for DMARC).
func (r Result) Prop(ptype, property string) string {
	for _, p := range r.Props {
		if strings.EqualFold(p.Type, ptype) && strings.EqualFold(p.Property, property) {
			return p.Value
		}
	}
	return ""
}

// Parse reads the value of one Authentication-Results header field (without
// the field name), as defined in RFC 8601 section 2.2.
func Parse(value string) (Header, error) {
	if len(value) > MaxLength {
		return Header{}, fmt.Errorf("%w: %d bytes, more than the %d allowed", ErrMalformed, len(value), MaxLength)
	}
	p := &parser{s: value}
	h, err := p.header()
	if err != nil {
		return Header{}, err
	}
	return h, nil
}

// parser holds the input and the read position; it only moves forward,
// except for two bounded look-aheads in header, so parsing is linear.
type parser struct {
	s string
	i int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", ErrMalformed, fmt.Sprintf(format, args...), p.i)
}

func (p *parser) eof() bool { return p.i >= len(p.s) }

func (p *parser) peek(c byte) bool { return p.i < len(p.s) && p.s[p.i] == c }

// header reads, per RFC 8601 section 2.2:
//
//	authres-header-field = "Authentication-Results:" authres-payload
//	authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
//	                  ( no-result / 1*resinfo ) [CFWS] CRLF
//	authserv-id = value
//	authres-version = 1*DIGIT [CFWS]
//	no-result = [CFWS] ";" [CFWS] "none"
func (p *parser) header() (Header, error) {
	h := Header{Version: 1}
	if err := p.cfws(); err != nil {
		return Header{}, err
	}
	if p.eof() {
		return Header{}, p.errorf("empty field")
	}

	// Microsoft 365 leaves out the authserv-id and starts with a
	// methodspec. An authserv-id is never followed by "=" or "/" (a token
	// cannot hold them, RFC 2045 section 5.1), so a keyword followed by one
	// of them can only be a method.
	start := p.i
	if p.keyword() != "" {
		if err := p.cfws(); err != nil {
			return Header{}, err
		}
		if p.peek('=') || p.peek('/') {
			p.i = start
			results, err := p.resinfos(false)
			if err != nil {
				return Header{}, err
			}
			h.Results = results
			return h, nil
		}
	}
	p.i = start

	// RFC 8601 section 2.5: the authserv-id names the server that did the
	// checks; an empty one names none and could be confused with absence.
	id, err := p.value()
	if err != nil {
		return Header{}, err
	}
	if id == "" {
		return Header{}, p.errorf("missing authserv-id")
	}
	h.AuthServID = id
	if err := p.cfws(); err != nil {
		return Header{}, err
	}
	if p.i < len(p.s) && isDigit(p.s[p.i]) {
		v, err := p.number()
		if err != nil {
			return Header{}, err
		}
		h.Version = v
		if err := p.cfws(); err != nil {
			return Header{}, err
		}
	}
	if !p.peek(';') {
		return Header{}, p.errorf("expected \";\" after authserv-id")
	}

	// no-result: "; none", tolerating a trailing ";". A method may itself
	// be called "none", which a following "=" or "/" gives away.
	semi := p.i
	p.i++
	if err := p.cfws(); err != nil {
		return Header{}, err
	}
	if strings.EqualFold(p.keyword(), "none") {
		if err := p.cfws(); err != nil {
			return Header{}, err
		}
		if !p.peek('=') && !p.peek('/') {
			if p.peek(';') {
				p.i++
				if err := p.cfws(); err != nil {
					return Header{}, err
				}
			}
			if !p.eof() {
				return Header{}, p.errorf("unexpected text after \"none\"")
			}
			return h, nil
		}
	}
	p.i = semi

	results, err := p.resinfos(true)
	if err != nil {
		return Header{}, err
	}
	h.Results = results
	return h, nil
}

// resinfos reads 1*resinfo up to the end of the field, where
//
//	resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
//
// (RFC 8601 section 2.2). When semicolon is false the first resinfo has no
// leading ";" (a field without authserv-id). Empty resinfos (";;") and a
// trailing ";" are tolerated.
func (p *parser) resinfos(semicolon bool) ([]Result, error) {
	var results []Result
	if !semicolon {
		r, err := p.resinfo()
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	for {
		if err := p.cfws(); err != nil {
			return nil, err
		}
		if p.eof() {
			break
		}
		if !p.peek(';') {
			return nil, p.errorf("expected \";\"")
		}
		p.i++
		if err := p.cfws(); err != nil {
			return nil, err
		}
		if p.eof() || p.peek(';') {
			continue
		}
		r, err := p.resinfo()
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		return nil, p.errorf("no results")
	}
	return results, nil
}

// resinfo reads one resinfo after its ";" and leaves the position at the
// next ";" or at the end. Its methodspec must be well formed:
//
//	methodspec = [CFWS] method [CFWS] "=" [CFWS] result
//	method = Keyword [ [CFWS] "/" [CFWS] method-version ]
//	method-version = 1*DIGIT [CFWS]
//	result = Keyword
//
// (RFC 8601 section 2.2).
func (p *parser) resinfo() (Result, error) {
	r := Result{Version: 1}
	if err := p.cfws(); err != nil {
		return Result{}, err
	}
	r.Method = strings.ToLower(p.keyword())
	if r.Method == "" {
		return Result{}, p.errorf("expected a method")
	}
	if err := p.cfws(); err != nil {
		return Result{}, err
	}
	if p.peek('/') {
		p.i++
		if err := p.cfws(); err != nil {
			return Result{}, err
		}
		v, err := p.number()
		if err != nil {
			return Result{}, err
		}
		r.Version = v
		if err := p.cfws(); err != nil {
			return Result{}, err
		}
	}
	if !p.peek('=') {
		return Result{}, p.errorf("expected \"=\" after method %q", r.Method)
	}
	p.i++
	if err := p.cfws(); err != nil {
		return Result{}, err
	}
	r.Result = strings.ToLower(p.keyword())
	if r.Result == "" {
		return Result{}, p.errorf("expected a result for method %q", r.Method)
	}
	// The result must end where the grammar lets it end, so that
	// "dmarc=pass@x" or "dmarc=pass\"...\"" is not read as a pass.
	if !p.eof() && !p.peek(';') && !p.peek('(') && !isWSP(p.s[p.i]) {
		return Result{}, p.errorf("unexpected %q after result of method %q", p.s[p.i], r.Method)
	}
	if err := p.props(&r); err != nil {
		return Result{}, err
	}
	return r, nil
}

// props reads the optional reasonspec and the propspecs of r, stopping at
// the next ";" or at the end. On a property it cannot read it keeps what it
// has and skips to the next ";" (see the package documentation).
func (p *parser) props(r *Result) error {
	first := true
	for {
		if err := p.cfws(); err != nil {
			return err
		}
		if p.eof() || p.peek(';') {
			return nil
		}
		ok, err := p.prop(r, first)
		if err != nil {
			return err
		}
		if !ok {
			return p.resync()
		}
		first = false
	}
}

// prop reads one reasonspec or propspec into r:
//
//	reasonspec = "reason" [CFWS] "=" [CFWS] value
//	propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
//
// (RFC 8601 section 2.2). "reason" counts as the reasonspec only right
// after the result, where the grammar puts it. It reports false, without
// error, for text that is not a property.
func (p *parser) prop(r *Result, first bool) (bool, error) {
	name := strings.ToLower(p.keyword())
	if name == "" {
		return false, nil
	}
	if err := p.cfws(); err != nil {
		return false, err
	}
	switch {
	case p.peek('.'):
		p.i++
		if err := p.cfws(); err != nil {
			return false, err
		}
		property := strings.ToLower(p.keyword())
		if property == "" {
			return false, nil
		}
		if err := p.cfws(); err != nil {
			return false, err
		}
		if !p.peek('=') {
			return false, nil
		}
		p.i++
		v, ok, err := p.pvalue()
		if !ok || err != nil {
			return false, err
		}
		r.Props = append(r.Props, Prop{Type: name, Property: property, Value: v})
	case p.peek('='):
		p.i++
		v, ok, err := p.pvalue()
		if !ok || err != nil {
			return false, err
		}
		if first && name == "reason" {
			r.Reason = v
		} else {
			// Not in the grammar, but written by Microsoft 365
			// ("action=none"); kept so callers can see it.
			r.Props = append(r.Props, Prop{Property: name, Value: v})
		}
	default:
		return false, nil
	}
	return true, nil
}

// pvalue reads a property value (and a reason value, for which the same
// leniency is harmless):
//
//	pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
//
// (RFC 8601 section 2.2). A quoted-string is unquoted; a quoted-string
// followed by "@" is the local-part of an address and is kept as written,
// quotes included, so the address stays an address. An unquoted value runs
// up to whitespace, a comment, ";", or a quote. An empty value is allowed
// only at the end of the result. It reports false for anything else.
func (p *parser) pvalue() (string, bool, error) {
	if err := p.cfws(); err != nil {
		return "", false, err
	}
	if p.peek('"') {
		start := p.i
		s, err := p.quoted()
		if err != nil {
			return "", false, err
		}
		if !p.peek('@') {
			return s, true, nil
		}
		raw := p.s[start:p.i]
		p.i++
		domain := p.run()
		if domain == "" {
			return "", false, nil
		}
		return raw + "@" + domain, true, nil
	}
	if v := p.run(); v != "" {
		return v, true, nil
	}
	return "", p.eof() || p.peek(';'), nil
}

// resync skips the rest of an unreadable result up to the next ";" that is
// outside comments and quoted strings. A ")" or a quoted-pair has no
// meaning outside a comment or a quoted string, so the field's structure
// is unknown and the whole field fails rather than risk a wrong reading.
func (p *parser) resync() error {
	for !p.eof() {
		switch p.s[p.i] {
		case ';':
			return nil
		case '"':
			if _, err := p.quoted(); err != nil {
				return err
			}
		case '(':
			if err := p.comment(); err != nil {
				return err
			}
		case '\\':
			if !p.literalBackslash() {
				return p.errorf("stray %q", p.s[p.i])
			}
			p.i += 2
		case ')':
			return p.errorf("stray %q", p.s[p.i])
		default:
			p.i++
		}
	}
	return nil
}

// cfws skips comments and folding whitespace (RFC 5322 section 3.2.2).
// Bare CR and LF count as whitespace too.
func (p *parser) cfws() error {
	for !p.eof() {
		switch c := p.s[p.i]; {
		case isWSP(c):
			p.i++
		case c == '(':
			if err := p.comment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// comment skips one comment, with nested comments and quoted-pairs
// (RFC 5322 section 3.2.2):
//
//	comment = "(" *([FWS] ccontent) [FWS] ")"
//	ccontent = ctext / quoted-pair / comment
//
// ctext is read liberally as any byte but "(", ")" and "\", since only
// those three change where the comment ends.
func (p *parser) comment() error {
	start := p.i
	depth := 0
	for !p.eof() {
		switch p.s[p.i] {
		case '(':
			depth++
			if depth > MaxCommentDepth {
				return p.errorf("comments nested deeper than %d", MaxCommentDepth)
			}
		case ')':
			depth--
			if depth == 0 {
				p.i++
				return nil
			}
		case '\\':
			p.i++
		}
		p.i++
	}
	p.i = start
	return p.errorf("unterminated comment")
}

// quoted reads a quoted-string and returns its content with quoted-pairs
// resolved (RFC 5322 section 3.2.4):
//
//	quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]
//	qcontent = qtext / quoted-pair
//	quoted-pair = "\" (VCHAR / WSP)
//
// The CR and LF of folding whitespace are not part of the content (RFC
// 5322 section 3.2.4). qtext and the quoted character are read liberally
// as any byte, which keeps UTF-8 (RFC 6532 section 3.2).
func (p *parser) quoted() (string, error) {
	start := p.i
	p.i++ // the opening DQUOTE
	var b strings.Builder
	for !p.eof() {
		switch c := p.s[p.i]; c {
		case '"':
			p.i++
			return b.String(), nil
		case '\\':
			if p.i+1 >= len(p.s) {
				p.i = start
				return "", p.errorf("unterminated quoted-string")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case '\r', '\n':
			p.i++
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	p.i = start
	return "", p.errorf("unterminated quoted-string")
}

// value reads a value as RFC 2045 section 5.1 defines it (used by RFC 8601
// section 2.2 for the authserv-id):
//
//	value = token / quoted-string
//	token = 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>
//
// Bytes above 127 are accepted in tokens for internationalized names
// (RFC 8616 section 3).
func (p *parser) value() (string, error) {
	if p.peek('"') {
		return p.quoted()
	}
	start := p.i
	for p.i < len(p.s) && isTokenByte(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i], nil
}

// keyword reads a Keyword (RFC 8601 section 2.2, an Ldh-str of RFC 5321
// section 4.1.2), liberally allowing "_" and any order of its characters.
func (p *parser) keyword() string {
	start := p.i
	for p.i < len(p.s) && isKeywordByte(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// run reads an unquoted property value: anything up to whitespace, a
// control character, a comment, a quote, ";" or a "\" that is not
// literalBackslash. That covers tokens,
// dot-atoms, addresses and base64 (header.b) alike, and stops at every
// byte that could start a comment, a quoted string or the next resinfo.
func (p *parser) run() string {
	start := p.i
	for p.i < len(p.s) {
		switch {
		case isRunByte(p.s[p.i]):
			p.i++
		case p.literalBackslash():
			p.i += 2
		default:
			return p.s[start:p.i]
		}
	}
	return p.s[start:p.i]
}

// literalBackslash reports a "\" outside quotes followed by a byte that
// could be in an unquoted value, as in an smtp.auth of "DOMAIN\user".
// Whether or not the server meant it as a quoted-pair, it cannot change
// where the value ends, so it is kept as written. A "\" before anything
// else could, and is not accepted.
func (p *parser) literalBackslash() bool {
	return p.peek('\\') && p.i+1 < len(p.s) && isRunByte(p.s[p.i+1])
}

// number reads 1*DIGIT as an int, refusing more digits than an int holds.
func (p *parser) number() (int, error) {
	start := p.i
	n := 0
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		if p.i-start == maxNumberDigits {
			return 0, p.errorf("version number too long")
		}
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i == start {
		return 0, p.errorf("expected a version number")
	}
	return n, nil
}

// isWSP reports whitespace, including the CR and LF of folding
// (RFC 5322 section 3.2.2) and, liberally, bare ones.
func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isKeywordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || c == '_'
}

// isTokenByte reports the characters of an RFC 2045 section 5.1 token,
// plus bytes above 127.
func isTokenByte(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return false
	}
	return !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
}

func isRunByte(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return false
	}
	return !strings.ContainsRune(`()";\`, rune(c))
}
