package reply

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// HTML returns what the person wrote in an HTML body. It uses the structure
// mail clients leave in the markup to find the quote (blockquote elements,
// Outlook's divRplyFwdMsg, appendonsend and OLK_SRC_BODY_SECTION containers,
// Yahoo's yahoo_quoted, signature containers), converts the rest to text and
// then applies the same rules as Text. Only the first 1 MiB of markup and
// 200 KiB of the resulting text are examined.
func HTML(body string) string {
	return extract(prepare(renderHTML(body, true), maxText))
}

// ToText converts an HTML body to readable plain text: block elements become
// lines and paragraphs, lists get bullets or numbers, links are written as
// "text (url)" when the target differs from the text, quoted blocks are
// prefixed with "> ", and head, style and script content is left out.
// Entities are decoded. Only the first 1 MiB of markup is examined.
func ToText(body string) string {
	return strings.TrimSpace(manyBlankLines.ReplaceAllString(prepare(renderHTML(body, false), maxText*4), "\n\n"))
}

var (
	manyBlankLines = regexp.MustCompile(`\n{3,}`)
	// noMargin matches an inline style that sets every margin to zero.
	noMargin = regexp.MustCompile(`(?:^|;)margin:0(?:px|pt|cm|in|em)?(?:;|$)`)
)

// Elements whose content is never shown.
var skipped = map[string]bool{
	"head": true, "style": true, "script": true, "title": true,
	"template": true, "noscript": true, "xml": true, "svg": true,
	"object": true, "iframe": true, "select": true, "button": true,
	"meta": true, "link": true,
}

// Elements that belong in the head; anything else ends it.
var headTags = map[string]bool{
	"html": true, "title": true, "meta": true, "link": true, "style": true,
	"script": true, "base": true, "noscript": true, "template": true,
	"xml": true,
}

// Elements that start and end a line.
var blocks = map[string]bool{
	"div": true, "section": true, "article": true, "header": true,
	"footer": true, "nav": true, "aside": true, "main": true,
	"address": true, "center": true, "form": true, "fieldset": true,
	"figure": true, "figcaption": true, "dl": true, "dt": true, "dd": true,
	"table": true, "tbody": true, "thead": true, "tfoot": true, "tr": true,
	"ul": true, "ol": true, "li": true, "blockquote": true, "pre": true,
	"hr": true, "caption": true, "details": true, "summary": true,
}

// Elements that stand apart as paragraphs, with a blank line around them.
var paragraphs = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "table": true,
}

// Elements that never have content or an end tag.
var voids = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true,
	"hr": true, "img": true, "input": true, "link": true, "meta": true,
	"param": true, "source": true, "track": true, "wbr": true,
}

// Containers that client software puts around the quoted message when it
// does not use a blockquote; everything from there on is history.
var quoteContainers = []string{
	"divrplyfwdmsg", "olk_src_body_section", "appendonsend", "yahoo_quoted",
	"protonmail_quote", "zmail_extra",
}

const (
	// maxStack bounds the nesting of open elements that is tracked.
	maxStack = 4096
	// maxLines bounds the number of rendered lines.
	maxLines = 200000
	// maxPrefix bounds the quote prefix and list indent written per line.
	maxPrefix = 4
)

// element is an open element and what it means for the rendering.
type element struct {
	tag      string
	quote    bool // a blockquote that holds quoted mail
	sig      bool
	skip     bool
	pre      bool
	list     bool
	ordered  bool
	items    int
	href     string
	linkText strings.Builder
	isLink   bool
	tight    bool // a paragraph written without margins, as a single line
}

// outLine is one line of rendered text and the blockquote depth it sits at.
type outLine struct {
	depth int
	text  strings.Builder
}

// htmlWriter turns a token stream into lines of text.
type htmlWriter struct {
	lines   []*outLine
	markers bool
	stack   []*element
	depth   int // blockquote nesting
	skip    int
	pre     int
	lists   int  // open ul and ol elements
	space   bool // a space is owed before the next word
	size    int
}

func renderHTML(body string, markers bool) string {
	if len(body) > maxHTML {
		body = body[:maxHTML]
	}
	w := &htmlWriter{markers: markers}
	z := html.NewTokenizer(strings.NewReader(body))
	z.SetMaxBuf(maxHTML * 2)
	inHead := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// The end of input, or a token too large for the buffer:
			// either way, keep what was read.
			w.closeAll()
			return w.render()
		case html.TextToken:
			if w.skip > 0 || inHead {
				continue
			}
			w.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if len(attrs) < 32 {
					attrs[string(k)] = string(v)
				}
			}
			switch tag {
			case "head":
				inHead = true
				continue
			case "body":
				inHead = false
				continue
			}
			if inHead {
				if headTags[tag] || strings.Contains(tag, ":") {
					continue
				}
				// Body content ends an unclosed head, as in browsers.
				inHead = false
			}
			w.open(tag, attrs, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "head" {
				inHead = false
				continue
			}
			if inHead {
				continue
			}
			w.close(tag)
		}
	}
}

func (w *htmlWriter) open(tag string, attrs map[string]string, selfClosing bool) {
	if w.skip > 0 && !skipped[tag] {
		if !voids[tag] && !selfClosing && len(w.stack) < maxStack {
			w.stack = append(w.stack, &element{tag: tag})
		}
		return
	}
	switch tag {
	case "br":
		w.newline()
		return
	case "hr":
		w.block(2)
		return
	case "img":
		if alt := strings.TrimSpace(attrs["alt"]); alt != "" && utf8.RuneCountInString(alt) <= 4 && !isWordy(alt) {
			w.text(alt)
		}
		return
	}
	if voids[tag] || selfClosing || len(w.stack) >= maxStack {
		return
	}
	// A block element closes an open paragraph, and a new list item an
	// open one, as HTML parsers do, so unclosed tags do not pile up.
	if len(w.stack) > 0 && w.stack[len(w.stack)-1].tag == "p" && (blocks[tag] || paragraphs[tag]) {
		w.close("p")
	}
	if tag == "li" {
		for k := len(w.stack) - 1; k >= 0 && k >= len(w.stack)-3; k-- {
			if w.stack[k].tag == tag {
				w.close(tag)
				break
			}
			if blocks[w.stack[k].tag] {
				break
			}
		}
	}
	e := &element{tag: tag}
	class := strings.ToLower(attrs["class"] + " " + attrs["id"])
	style := strings.ToLower(strings.ReplaceAll(attrs["style"], " ", ""))
	switch {
	case skipped[tag] || hidden(style):
		e.skip = true
		w.skip++
	case tag == "blockquote":
		e.quote = !strings.Contains(style, "border:none") || strings.Contains(class, "quote") || attrs["type"] == "cite"
	case tag == "pre":
		e.pre = true
	case tag == "ul" || tag == "ol":
		e.list = true
		e.ordered = tag == "ol"
	case tag == "a":
		e.isLink = true
		e.href = strings.TrimSpace(attrs["href"])
	case tag == "p":
		// Outlook and Word write every line as a margin-less paragraph.
		e.tight = strings.Contains(class, "msonormal") || noMargin.MatchString(style) ||
			(strings.Contains(style, "margin-top:0") && strings.Contains(style, "margin-bottom:0"))
	}
	if w.markers && !e.skip {
		if containsAny(class, quoteContainers) {
			w.marker(markCut)
		} else if strings.Contains(class, "signature") || attrs["data-signatureblock"] == "true" ||
			strings.Contains(strings.ToLower(attrs["data-smartmail"]), "signature") {
			e.sig = true
			w.marker(markSigStart)
		}
	}
	w.stack = append(w.stack, e)
	switch {
	case e.tight:
		w.block(1)
	case paragraphs[tag]:
		w.block(2)
	case tag == "li":
		w.block(1)
		w.listBullet()
	case blocks[tag]:
		w.block(1)
	case tag == "td" || tag == "th":
		w.space = true
	}
	if e.quote {
		w.depth++
		if l := w.cur(); l.text.Len() == 0 {
			l.depth = w.depth
		}
	}
	if e.pre {
		w.pre++
	}
	if e.list {
		w.lists++
	}
}

func (w *htmlWriter) close(tag string) {
	for k := len(w.stack) - 1; k >= 0 && k >= len(w.stack)-64; k-- {
		if w.stack[k].tag == tag {
			for len(w.stack) > k {
				w.pop()
			}
			return
		}
	}
}

func (w *htmlWriter) closeAll() {
	for len(w.stack) > 0 {
		w.pop()
	}
}

func (w *htmlWriter) pop() {
	e := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	if e.skip {
		w.skip--
		return
	}
	if w.skip > 0 {
		return
	}
	if e.isLink {
		w.linkTarget(e)
	}
	switch {
	case e.tight:
		w.block(1)
	case paragraphs[e.tag]:
		w.block(2)
	case blocks[e.tag]:
		w.block(1)
	}
	if e.quote {
		w.block(1)
		w.depth--
		if l := w.cur(); l.text.Len() == 0 {
			l.depth = w.depth
		}
	}
	if e.pre {
		w.pre--
	}
	if e.list {
		w.lists--
	}
	if e.sig {
		w.marker(markSigEnd)
	}
}

// linkTarget writes " (url)" after a link whose text does not already show
// where it points.
func (w *htmlWriter) linkTarget(e *element) {
	href := e.href
	text := strings.TrimSpace(e.linkText.String())
	if href == "" || text == "" || strings.HasPrefix(href, "#") {
		return
	}
	low := strings.ToLower(href)
	switch {
	case strings.HasPrefix(low, "mailto:"):
		href = href[len("mailto:"):]
		if i := strings.IndexByte(href, '?'); i >= 0 {
			href = href[:i]
		}
	case strings.HasPrefix(low, "http://"), strings.HasPrefix(low, "https://"), strings.HasPrefix(low, "tel:"):
	default:
		return
	}
	if href == "" || sameTarget(text, href) {
		return
	}
	w.text(" (" + href + ")")
}

// sameTarget reports whether link text and target say the same thing.
func sameTarget(text, href string) bool {
	clean := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"mailto:", "tel:", "https://", "http://", "www."} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimRight(s, "/")
	}
	t, h := clean(text), clean(href)
	return t == h || strings.Contains(t, h)
}

func (w *htmlWriter) listBullet() {
	for k := len(w.stack) - 1; k >= 0; k-- {
		if w.stack[k].list {
			l := w.stack[k]
			l.items++
			indent := strings.Repeat("  ", min(w.listDepth()-1, maxPrefix))
			if l.ordered {
				w.word(indent+itoa(l.items)+". ", true)
			} else {
				w.word(indent+"- ", true)
			}
			return
		}
	}
	w.word("- ", true)
}

func (w *htmlWriter) listDepth() int {
	return max(w.lists, 1)
}

func itoa(n int) string {
	if n <= 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// cur returns the line being written.
func (w *htmlWriter) cur() *outLine {
	if len(w.lines) == 0 {
		w.lines = append(w.lines, &outLine{depth: w.depth})
	}
	return w.lines[len(w.lines)-1]
}

// newline starts a new line.
func (w *htmlWriter) newline() {
	if len(w.lines) >= maxLines {
		return
	}
	w.lines = append(w.lines, &outLine{depth: w.depth})
	w.space = false
}

// block ends the current line; with n == 2 it also leaves a blank line.
func (w *htmlWriter) block(n int) {
	w.space = false
	if len(w.lines) == 0 {
		return
	}
	if w.cur().text.Len() > 0 {
		w.newline()
	}
	if n == 2 && len(w.lines) >= 2 && w.lines[len(w.lines)-2].text.Len() > 0 {
		w.newline()
	}
}

// marker writes a marker on a line of its own.
func (w *htmlWriter) marker(m string) {
	w.block(1)
	l := w.cur()
	l.depth = 0
	l.text.WriteString(m)
	w.newline()
}

// render serialises the lines, quoted ones prefixed with ">".
func (w *htmlWriter) render() string {
	var b strings.Builder
	for i, l := range w.lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if l.depth > 0 {
			b.WriteString(strings.Repeat(">", min(l.depth, maxPrefix)))
			if l.text.Len() > 0 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(strings.TrimRight(l.text.String(), " "))
	}
	return b.String()
}

func (w *htmlWriter) text(s string) {
	nbsp := strings.ContainsRune(s, '\u00A0')
	s = strings.Map(func(r rune) rune {
		if r >= '\uE000' && r <= '\uE002' {
			return -1
		}
		if r == '\u00A0' {
			return ' '
		}
		return r
	}, s)
	if w.pre > 0 {
		for i, part := range strings.Split(s, "\n") {
			if i > 0 {
				w.newline()
			}
			if part != "" {
				w.word(part, true)
			}
		}
		return
	}
	// A paragraph holding only a non-breaking space is how editors write
	// an empty line.
	if nbsp && strings.TrimSpace(s) == "" && len(w.lines) > 0 && w.cur().text.Len() == 0 {
		w.newline()
		return
	}
	if s != "" && isHTMLSpace(firstRune(s)) {
		w.space = true
	}
	for i, f := range strings.FieldsFunc(s, isHTMLSpace) {
		if i > 0 {
			w.space = true
		}
		w.word(f, false)
	}
	if s != "" && isHTMLSpace(lastRune(s)) {
		w.space = true
	}
}

func (w *htmlWriter) word(s string, raw bool) {
	if w.size > maxText*4 {
		return
	}
	l := w.cur()
	if l.text.Len() == 0 {
		l.depth = w.depth
	} else if w.space && !raw && !strings.HasSuffix(l.text.String(), " ") {
		l.text.WriteByte(' ')
	}
	w.space = false
	l.text.WriteString(s)
	w.size += len(s)
	for k := len(w.stack) - 1; k >= 0 && k >= len(w.stack)-16; k-- {
		if w.stack[k].isLink {
			if w.stack[k].linkText.Len() < 4096 {
				w.stack[k].linkText.WriteString(s + " ")
			}
			break
		}
	}
}

func isHTMLSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00A0'
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// isWordy reports whether alt text is a description rather than an emoji.
func isWordy(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// hidden reports an inline style that keeps an element from being shown,
// as used for preheaders and tracking content.
func hidden(style string) bool {
	return strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden") ||
		strings.Contains(style, "mso-hide:all")
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
