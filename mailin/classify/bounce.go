package classify

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// bounce recognises delivery reports: standard ones by their
// message/delivery-status part, others by sender, X-Failed-Recipients or
// subject. A status part counts when it sits in a multipart/report, when
// it is the whole message, or when the message looks like a bounce
// otherwise too, so that a person forwarding a bounce inline (the status
// part then rides in their multipart/mixed) is not taken for the report
// itself.
func (m *message) bounce() (Result, bool) {
	var status, headers []byte
	var sawStatus, statusInReport, sawReport, sawReturned bool
	for _, p := range m.parts {
		ct, params := contentType(p)
		switch ct {
		case "message/delivery-status", "message/global-delivery-status":
			if !sawStatus {
				// No mail client sends a bare status part as a message of
				// its own; some mail systems do.
				status, sawStatus, statusInReport = p.Content, true, underReport(p) || p == m.env.Root
			}
		case "multipart/report":
			if t := token(params["report-type"]); t == "delivery-status" || t == "global-delivery-status" {
				sawReport = true
			}
		case "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
			sawReturned = true
			if headers == nil {
				headers = p.Content
			}
		}
	}
	evidence := m.bounceEvidence(sawReturned)

	if sawStatus && (statusInReport || evidence != "" || m.nullReturnPath()) {
		d := parseDeliveryStatus(status)
		d.OriginalMessageID = m.originalID(headers, d.OriginalMessageID)
		reason := "bounce: delivery status report"
		if len(d.Failures) == 0 {
			// An empty or unreadable status part: fall back on the text.
			d.Failures, d.Permanent = m.digFailures()
		}
		if len(d.Failures) == 0 {
			reason = "bounce: delivery status report without failures"
		}
		return Result{Kind: Bounce, Reason: reason, DSN: &d}, true
	}
	if sawReport {
		evidence = "bounce: delivery report without a status part"
	}
	if evidence == "" {
		return Result{}, false
	}
	d := DSN{OriginalMessageID: m.originalID(headers, "")}
	d.Failures, d.Permanent = m.digFailures()
	return Result{Kind: Bounce, Reason: evidence, DSN: &d}, true
}

// bounceEvidence returns the reason a message without a usable status
// part is still a bounce, or "". returned says whether the message
// carries a returned message or its headers as a part of their own.
func (m *message) bounceEvidence(returned bool) string {
	switch {
	case isBounceSender(m.fromName, m.fromAddr):
		return "bounce: sent by a mail system"
	case m.header("X-Failed-Recipients") != "":
		return "bounce: X-Failed-Recipients"
	}
	if mk := bounceSubject(m.subject); mk != "" {
		return "bounce: subject starts with " + quote(mk)
	}
	// Some providers send their reports from a no-reply mailbox under a
	// subject of their own. Such a sender is machine mail anyway; the
	// returned message and a sentence saying it was not delivered make it
	// a report about our mail rather than a notification.
	if returned && isNoReply(m.fromAddr) &&
		containsAny(strings.ToLower(explanation(limit(m.env.Text, maxText))), undeliveredPhrases) {
		return "bounce: returned message from a no-reply sender"
	}
	return ""
}

// undeliveredPhrases say, in a report's own words, that mail was not
// delivered.
var undeliveredPhrases = []string{
	"could not be delivered", "couldn't be delivered", "was not delivered",
	"wasn't delivered", "undeliverable", "unable to deliver", "delivery failed",
	"delivery has failed", "failed to deliver",
}

// underReport reports whether a part is inside a multipart/report.
func underReport(p *enmime.Part) bool {
	for q, n := p.Parent, 0; q != nil && n < 100; q, n = q.Parent, n+1 {
		if strings.EqualFold(q.ContentType, "multipart/report") {
			return true
		}
	}
	return false
}

// originalID finds the Message-ID of the mail that bounced: in a returned
// message or header part, else the one the report named, else in a copy
// of the headers quoted in the body text.
func (m *message) originalID(headers []byte, fromReport string) string {
	if id := messageID(headerField(headers, "message-id")); id != "" {
		return id
	}
	if fromReport != "" {
		return fromReport
	}
	return quotedID(limit(m.env.Text, maxText))
}

// parseDeliveryStatus reads a message/delivery-status body (RFC 3464): a
// per-message block of fields, then one block per recipient.
func parseDeliveryStatus(data []byte) DSN {
	var d DSN
	for _, block := range fieldBlocks(limitBytes(data, maxPart)) {
		if id := block["x-original-message-id"]; id != "" && d.OriginalMessageID == "" {
			d.OriginalMessageID = messageID(id)
		}
		rcpt := addressField(block["original-recipient"])
		if rcpt == "" {
			rcpt = addressField(block["final-recipient"])
		}
		action := strings.ToLower(token(block["action"]))
		if rcpt == "" && action == "" && block["status"] == "" {
			continue // the per-message block
		}
		f := Failure{
			Recipient:  rcpt,
			Action:     action,
			Status:     statusField(block["status"]),
			Diagnostic: diagnosticField(block["diagnostic-code"]),
		}
		if f.Status == "" {
			f.Status = enhancedStatus(f.Diagnostic)
		}
		class := statusClass(f.Status, f.Diagnostic)
		switch {
		case action == "failed" || action == "delayed":
		case action == "" && (class == '4' || class == '5'):
			f.Action = "failed"
			if class == '4' {
				f.Action = "delayed"
			}
		default:
			continue // delivered, relayed, expanded
		}
		if class == '5' || (class == 0 && f.Action == "failed") {
			d.Permanent = true
		}
		if len(d.Failures) < maxFailures {
			d.Failures = append(d.Failures, f)
		}
	}
	return d
}

// fieldBlocks splits header-like text into blocks at blank lines; each
// block maps lower-case field names to their first, unfolded value. It
// accepts anything: lines without a colon are skipped.
func fieldBlocks(data []byte) []map[string]string {
	var blocks []map[string]string
	cur := map[string]string{}
	last := "" // the field continuation lines belong to
	var value strings.Builder
	commit := func() {
		if last != "" {
			cur[last] = value.String()
		}
		last = ""
		value.Reset()
	}
	flush := func() {
		commit()
		if len(cur) > 0 {
			blocks = append(blocks, cur)
			cur = map[string]string{}
		}
	}
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		trimmed := bytes.TrimSpace(line)
		switch {
		case len(trimmed) == 0:
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if last != "" && value.Len() < maxPart {
				value.WriteByte(' ')
				value.Write(trimmed)
			}
		default:
			commit()
			name, v, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				continue
			}
			key := strings.ToLower(string(bytes.TrimSpace(name)))
			if _, dup := cur[key]; dup {
				continue
			}
			last = key
			value.Write(bytes.TrimSpace(v))
		}
	}
	flush()
	return blocks
}

// headerField returns the first value of a header in a header block (the
// start of a returned message or a text/rfc822-headers part).
func headerField(data []byte, name string) string {
	data = bytes.TrimLeft(limitBytes(data, maxPart), "\r\n")
	if end := bytes.Index(data, []byte("\n\r\n")); end >= 0 {
		data = data[:end]
	}
	if end := bytes.Index(data, []byte("\n\n")); end >= 0 {
		data = data[:end]
	}
	blocks := fieldBlocks(data)
	if len(blocks) == 0 {
		return ""
	}
	return blocks[0][name]
}

// quotedMessageID matches a Message-ID header copied into body text,
// possibly indented or quoted with '>', its value possibly on the next line.
var quotedMessageID = regexp.MustCompile(`(?im)^[ \t>]*message-id:[ \t]*(?:\r?\n[ \t>]*)?(<[^<>\s]{1,500}>|[^<>\s]+@[^<>\s]+)`)

// quotedID finds the Message-ID of a message whose headers were copied into
// the text of a bounce.
func quotedID(text string) string {
	if s := quotedMessageID.FindStringSubmatch(text); s != nil {
		return messageID(s[1])
	}
	return ""
}

// lineStart returns the index of the start of the line holding byte i.
func lineStart(s string, i int) int {
	return strings.LastIndexByte(s[:i], '\n') + 1
}

// addressField strips the address type ("rfc822;", "utf-8;") and angle
// brackets from a Final-Recipient or Original-Recipient value.
func addressField(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		v = after
	}
	v = strings.TrimSpace(v)
	if f := strings.Fields(v); len(f) > 0 {
		v = f[0]
	}
	return limit(strings.Trim(v, "<>"), 320)
}

var (
	statusAtStart = regexp.MustCompile(`^\s*([245]\.\d{1,3}\.\d{1,3})`)
	// enhancedCode is an RFC 3463 code not embedded in a longer dotted
	// number such as a version.
	enhancedCode = regexp.MustCompile(`(?:^|[^\d.])([45]\.\d{1,3}\.\d{1,3})(?:[^\d.]|\.(?:[^\d]|$)|$)`)
	// replyCode is a three-digit SMTP failure code where servers put one.
	replyCode = regexp.MustCompile(`(?m)(?:^|[\s#'"(:\[])([45][0-5]\d)(?:[ -]|$)`)
)

// statusField reads the code at the start of a Status field, which may be
// followed by a comment: "5.2.2 (mailbox full)".
func statusField(v string) string {
	if s := statusAtStart.FindStringSubmatch(v); s != nil {
		return s[1]
	}
	return ""
}

// enhancedStatus finds a 4.x.x or 5.x.x code anywhere in s.
func enhancedStatus(s string) string {
	if s := enhancedCode.FindStringSubmatch(s); s != nil {
		return s[1]
	}
	return ""
}

// statusClass returns '2', '4' or '5' from the status code, else from an
// SMTP reply code in the diagnostic, else 0.
func statusClass(status, diagnostic string) byte {
	if status != "" {
		return status[0]
	}
	if s := replyCode.FindStringSubmatch(diagnostic); s != nil {
		return s[1][0]
	}
	return 0
}

// replyPrefix is the code a multi-line SMTP reply repeats on every line,
// as in "550-5.1.1 ".
var replyPrefix = regexp.MustCompile(`(?:^|\s)([245]\d\d)[ -](?:([245]\.\d{1,3}\.\d{1,3})\s)?`)

// diagnosticField drops the diagnostic type ("smtp;", "X-Postfix;"), puts
// the text on one line and drops the codes a multi-line SMTP reply repeats
// after the first.
func diagnosticField(v string) string {
	if before, after, ok := strings.Cut(v, ";"); ok && len(before) <= 16 && !strings.ContainsAny(before, " <@") {
		v = after
	}
	v = oneLine(v, 4*maxDiagnostic)
	locs := replyPrefix.FindAllStringSubmatchIndex(v, 20)
	if len(locs) < 2 || locs[0][0] != 0 {
		return oneLine(v, maxDiagnostic)
	}
	code := func(l []int, g int) string {
		if l[2*g] < 0 {
			return ""
		}
		return v[l[2*g]:l[2*g+1]]
	}
	var b strings.Builder
	prev := 0
	for _, l := range locs[1:] {
		if code(l, 1) != code(locs[0], 1) || code(l, 2) != code(locs[0], 2) {
			continue
		}
		b.WriteString(v[prev:l[0]])
		b.WriteByte(' ')
		prev = l[1]
	}
	b.WriteString(v[prev:])
	return oneLine(b.String(), maxDiagnostic)
}

// isBounceSender reports whether the From looks like a mail system rather
// than a person. The local part is compared without its separators, since
// mail systems write "mailer-daemon", "MAILER_DAEMON", "post_master"…
func isBounceSender(name, addr string) bool {
	local := localPart(addr)
	switch separators.Replace(local) {
	case "mailerdaemon", "maildaemon", "postmaster":
		return true
	}
	if strings.HasPrefix(local, "microsoftexchange") && len(local) > len("microsoftexchange") {
		// Exchange's system mailbox, MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e.
		return true
	}
	switch name {
	case "mail delivery system", "mail delivery subsystem", "mail delivery service",
		"mailer-daemon", "mailer daemon", "mail administrator", "postmaster":
		return true
	}
	return false
}

// separators are dropped from a local part before comparing it.
var separators = strings.NewReplacer("-", "", "_", "", ".", "")

// bounceSubjects open the subjects of non-delivery reports, folded (see
// fold). They are matched at the start of the subject only.
var bounceSubjects = []string{
	"undelivered mail returned to sender",
	"undeliverable",
	"undelivered mail",
	"mail delivery failed",
	"mail delivery failure",
	"delivery status notification (failure)",
	"delivery status notification (delay)",
	"delivery status notification (failed)",
	"delivery failure",
	"delivery has failed",
	"failure notice",
	"returned mail",
	"mail system error",
	"delayed mail",
	"message delayed",
	"message not delivered",
	"nondeliverable mail",
	"non remis",    // French Exchange
	"non-remis",    // French
	"unzustellbar", // German Exchange
	"nicht zustellbar",
	"no se puede entregar", // Spanish Exchange
	"no entregado",
	"non recapitabile",        // Italian Exchange
	"onbestelbaar",            // Dutch Exchange
	"nao e possivel entregar", // Portuguese Exchange
	"kan inte levereras",      // Swedish Exchange
	"kan ikke leveres",        // Danish/Norwegian Exchange
	"ei voida toimittaa",      // Finnish Exchange
	"nie mozna dostarczyc",    // Polish Exchange
	"nedoruceno",              // Czech
	"nelze dorucit",           // Czech Exchange
	"не доставлено",           // Russian
	"недоставленное сообщение",
	"配信不能",             // Japanese Exchange
	"无法投递",             // Chinese Exchange
	"배달 못 함",           // Korean Exchange
	"teslim edilemedi", // Turkish Exchange
}

// bounceSubject returns the marker a folded subject starts with, or "".
func bounceSubject(subject string) string {
	for _, mk := range bounceSubjects {
		if hasPhrase(subject, mk) {
			return mk
		}
	}
	return ""
}

// copyMarkers start the copy of the returned message in a plain-text
// bounce; what follows is the original, not the explanation.
var copyMarkers = []string{
	"this is a copy of the message",
	"below this line is a copy of the message",
	"original message follows",
	"original message headers",
	"----- original message -----",
	"-----original message-----",
	"------ original message ------",
	"the header of the original message",
	"unsent message below",
}

var headerLine = regexp.MustCompile(`(?mi)^(?:return-path|received|dkim-signature|message-id):`)

// explanation returns the part of a bounce's text before the copy of the
// returned message.
func explanation(text string) string {
	lower := strings.ToLower(text)
	end := len(text)
	for _, mk := range copyMarkers {
		if i := strings.Index(lower, mk); i >= 0 && i < end {
			end = lineStart(lower, i)
		}
	}
	if loc := headerLine.FindStringIndex(text[:end]); loc != nil {
		end = loc[0]
	}
	return text[:end]
}

var (
	rcptTo       = regexp.MustCompile(`(?i)RCPT TO:\s*<([^<>\s]+@[^<>\s]+)>`)
	bracketLine  = regexp.MustCompile(`(?m)^[ \t]*<([^<>\s]+@[^<>\s]+)>`)
	bareLine     = regexp.MustCompile(`(?m)^[ \t]*([^<>\s@:;,"'()]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})[ \t]*:?[ \t]*\r?$`)
	anyAddress   = regexp.MustCompile(`[A-Za-z0-9._%+='-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	delayPhrases = []string{
		"delayed", "delay ", "not yet been delivered", "will retry", "will be retried",
		"still trying", "still being retried", "temporary failure", "temporarily",
		"will keep trying", "will continue trying",
	}
	permanentPhrases = []string{
		"permanent error", "permanent failure", "permanent fatal", "permanently",
		"user unknown", "unknown user", "no such user", "does not exist",
		"doesn't exist", "address rejected", "recipient not found",
		"mailbox unavailable", "unrouteable address", "no mailbox here",
		"not listed in", // Domino: "not listed in Domino Directory"
	}
	// gaveUpPhrases say the mail system has stopped trying: a temporary
	// failure that went on too long, reported as failed, not delayed.
	// Delay warnings speak of what will happen ("will give up", Postfix's
	// "could not be delivered for more than 4 hours"), so every phrase
	// here is in the past or present.
	gaveUpPhrases = []string{
		"cannot send message for",          // sendmail: "Cannot send message for 5 days"
		"retry timeout exceeded",           // Exim
		"in the queue too long",            // qmail
		"given up", "giving up", "gave up", // qmail and others
	}
)

// digFailures reads a non-standard bounce's text for who failed and why.
// Each recipient gets the status found nearest after its address, or the
// first status in the whole explanation.
func (m *message) digFailures() ([]Failure, bool) {
	text := explanation(limit(m.env.Text, maxText))
	rcpts := m.bouncedRecipients(text)
	lower := strings.ToLower(text)

	globalStatus, globalDiag := statusIn(text)
	gaveUp := containsAny(lower, gaveUpPhrases) || containsAny(m.subject, gaveUpPhrases)
	delayed := !gaveUp && (containsAny(lower, delayPhrases) || strings.Contains(m.subject, "delay"))
	permanentWords := containsAny(lower, permanentPhrases)

	build := func(rcpt, status, diag string) Failure {
		f := Failure{Recipient: rcpt, Status: status, Diagnostic: diag, Action: "failed"}
		switch class := statusClass(status, diag); {
		case class == '4' && !gaveUp, class == 0 && delayed && !permanentWords:
			f.Action = "delayed"
		}
		return f
	}
	var failures []Failure
	for i, r := range rcpts {
		status, diag := globalStatus, globalDiag
		if at := strings.Index(lower, strings.ToLower(r)); at >= 0 {
			end := min(len(text), at+1000)
			if i+1 < len(rcpts) {
				if next := strings.Index(lower[at+len(r):], strings.ToLower(rcpts[i+1])); next >= 0 {
					end = min(end, at+len(r)+next)
				}
			}
			if s, d := statusIn(text[at:end]); s != "" || d != "" {
				status, diag = s, d
			}
		}
		failures = append(failures, build(r, status, diag))
	}
	if len(failures) == 0 && (globalStatus != "" || globalDiag != "") {
		failures = append(failures, build("", globalStatus, globalDiag))
	}

	permanent := false
	for _, f := range failures {
		class := statusClass(f.Status, f.Diagnostic)
		if class == '5' || (class == 0 && f.Action == "failed" && permanentWords) {
			permanent = true
		}
	}
	if len(failures) == 0 && permanentWords && !delayed {
		permanent = true
	}
	return failures, permanent
}

// bouncedRecipients names the recipients of a non-standard bounce:
// X-Failed-Recipients if present, else the first kind of evidence that
// finds any — an RCPT TO in a transcript, a "<address>:" line, an address
// alone on a line, any address — leaving out our own, the sender's and the
// bounce's addressees.
func (m *message) bouncedRecipients(text string) []string {
	addressees := m.addressees()
	skip := func(a string) bool {
		local := localPart(a)
		return m.isService(a) || canonAddress(a) == canonAddress(m.fromAddr) ||
			local == "mailer-daemon" || local == "postmaster" || addressees[canonAddress(a)]
	}
	var out []string
	add := func(a string) {
		a = strings.TrimRight(strings.Trim(a, "<>"), ".,;:")
		if a == "" || skip(a) || len(out) >= maxFailures {
			return
		}
		for _, o := range out {
			if strings.EqualFold(o, a) {
				return
			}
		}
		out = append(out, a)
	}
	if xf := m.header("X-Failed-Recipients"); xf != "" {
		for a := range strings.SplitSeq(limit(xf, 8192), ",") {
			add(strings.TrimSpace(a))
		}
		if len(out) > 0 {
			return out
		}
	}
	for _, re := range []*regexp.Regexp{rcptTo, bracketLine, bareLine} {
		for _, s := range re.FindAllStringSubmatch(text, maxFailures) {
			add(s[1])
		}
		if len(out) > 0 {
			return out
		}
	}
	for _, a := range anyAddress.FindAllString(text, maxFailures) {
		add(a)
		if len(out) > 0 {
			return out
		}
	}
	return out
}

// addressees returns the bounce's own To and Cc addresses, canonical: that
// is us, the sender of the mail that bounced, not a failed recipient.
func (m *message) addressees() map[string]bool {
	set := make(map[string]bool)
	for _, h := range []string{"To", "Cc"} {
		list, err := enmime.ParseAddressList(limit(m.env.GetHeader(h), 64<<10))
		if err != nil {
			continue
		}
		for _, x := range list {
			if x != nil {
				set[canonAddress(x.Address)] = true
			}
		}
	}
	return set
}

// statusIn finds the failure status in text: an enhanced code, else an
// SMTP reply code, with the line it is on as the diagnostic.
func statusIn(text string) (status, diagnostic string) {
	if loc := enhancedCode.FindStringSubmatchIndex(text); loc != nil {
		return text[loc[2]:loc[3]], lineAround(text, loc[2])
	}
	if loc := replyCode.FindStringSubmatchIndex(text); loc != nil {
		return "", lineAround(text, loc[2])
	}
	return "", ""
}

// lineAround returns the line of text holding byte i, on one line.
func lineAround(text string, i int) string {
	start := lineStart(text, i)
	end := strings.IndexByte(text[i:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += i
	}
	return oneLine(text[start:end], maxDiagnostic)
}

// containsAny reports whether s contains any of phrases.
func containsAny(s string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// quote wraps a fixed marker in double quotes for a Reason.
func quote(s string) string { return `"` + s + `"` }
