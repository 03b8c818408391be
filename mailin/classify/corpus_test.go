package classify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"accord/internal/corpus"
)

// The automatic-mail corpus is real machine mail (bounces from many mail
// systems, auto-replies, feedback reports, a read receipt, a list post)
// kept outside the repository, in shared/corpus/automatic beside the repo
// root: the files are other projects' test data under their own licences,
// so they are read in place and never copied here. Its SOURCES.md says
// where each one comes from.

// corpusParser reads mail the way the mailin poller does.
var corpusParser = enmime.NewParser(enmime.DisableTextConversion(true), enmime.MultipartWOBoundaryAsSinglePart(true))

// corpusOptions are what mailin passes in production, less IsOurs: the
// corpus answers mail we never sent.
var corpusOptions = Options{ServiceAddresses: testOptions.ServiceAddresses}

// automaticEntry is one line of the corpus's manifest.jsonl.
type automaticEntry struct {
	File string `json:"file"`
	// Kind is the file-name kind: bounce-hard, bounce-soft, autoreply,
	// list or system.
	Kind string `json:"kind"`
	// Expected is bounce, autoreply, system or list.
	Expected string `json:"expected"`
	// FailedRecipient is the recipient a bounce names in a machine-readable
	// field (DSN or X-Failed-Recipients); empty when it names none.
	FailedRecipient string `json:"failed_recipient"`
	// Status is the x.y.z code of a bounce, from the DSN or else the first
	// in the text (Notes says which); empty when there is none.
	Status string `json:"status"`
	// AllFailedRecipients lists every recipient the report names as
	// failed, when it names more than one.
	AllFailedRecipients []string `json:"all_failed_recipients"`
	SourceSystem        string   `json:"source_system"`
	Notes               string   `json:"notes"`
}

// statusFromDSN reports whether the manifest read the status from a DSN
// field rather than from the text, so that it must match exactly.
func (e automaticEntry) statusFromDSN() bool {
	return strings.Contains(e.Notes, "(dsn-fields")
}

// automaticDir finds the corpus, skipping the test when it is missing,
// except under CI (CI=true), where a missing corpus is a failure.
func automaticDir(tb testing.TB) string {
	tb.Helper()
	return corpus.Dir(tb, "automatic", "ACCORD_AUTOMATIC_CORPUS", corpus.Required())
}

// automaticMessage is a corpus file with its manifest entry.
type automaticMessage struct {
	automaticEntry
	raw []byte
}

// automaticCorpus reads the manifest and every file it lists.
func automaticCorpus(tb testing.TB) []automaticMessage {
	tb.Helper()
	dir := automaticDir(tb)
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []automaticMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var e automaticEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatalf("manifest.jsonl: %v", err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, automaticMessage{automaticEntry: e, raw: raw})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read manifest.jsonl: %v", err)
	}
	if len(out) == 0 {
		tb.Fatal("manifest.jsonl lists no files")
	}
	return out
}

// parseLikeMailin parses raw mail with the poller's parser settings.
func parseLikeMailin(tb testing.TB, name string, raw []byte) *enmime.Envelope {
	tb.Helper()
	env, err := corpusParser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("ReadEnvelope(%s): %v", name, err)
	}
	return env
}

// corpusKinds overrides the manifest for files whose right kind is not the
// one their expected field maps to.
var corpusKinds = map[string]Kind{
	// fml's answer to a post from someone who is not a member of the list.
	// It has no status part, no mail-system sender, no report subject and
	// no X-Failed-Recipients; what it does have are list headers
	// (List-Subscribe, Mailing-List). Read as a bounce, its text would
	// yield the list's control address as the failed recipient. As list
	// mail it is recorded and ignored, which is all a bounce without a
	// recipient would get.
	"bounce-hard__fml__lhost-fml-02.eml": AutoReply,
}

// bodyLost are files whose body enmime drops: their multipart/report
// declares a boundary that no line of the body uses (SOURCES.md notes the
// damage to rhost-google-02), so the envelope holds the headers and
// nothing else. Classify must still call them bounces, with no failures to
// act on; their recipient and status cannot be checked.
var bodyLost = map[string]bool{
	"bounce-hard__rhost_google__rhost-google-02.eml": true,
	"bounce-hard__rfc3464__rfc3464-04.eml":           true,
}

// wantKind maps a manifest's expected field to the kind Classify must give.
func wantKind(e automaticEntry) Kind {
	if k, ok := corpusKinds[e.File]; ok {
		return k
	}
	if e.Expected == "bounce" {
		return Bounce
	}
	return AutoReply
}

// failureFor returns the DSN failure that names rcpt, case-insensitively.
func failureFor(d *DSN, rcpt string) (Failure, bool) {
	for _, f := range d.Failures {
		if strings.EqualFold(strings.TrimSpace(f.Recipient), rcpt) {
			return f, true
		}
	}
	return Failure{}, false
}

// corpusTally counts how the classifier did over the corpus.
type corpusTally struct {
	mu                                sync.Mutex
	files                             int
	bounces, bouncesOK                int
	rcpts, rcptsOK                    int
	statuses, statusesOK, statusExact int
	unreadable, byDesign              int
	humans, wrong                     []string
}

func TestAutomaticCorpus(t *testing.T) {
	t.Parallel()
	corpus := automaticCorpus(t)
	var tally corpusTally
	t.Run("files", func(t *testing.T) {
		for _, m := range corpus {
			t.Run(m.File, func(t *testing.T) {
				t.Parallel()
				env := parseLikeMailin(t, m.File, m.raw)
				r := Classify(env, corpusOptions)
				checkResult(t, m.File, r)
				tally.mu.Lock()
				defer tally.mu.Unlock()
				checkCorpusResult(t, m.automaticEntry, env, r, &tally)
			})
		}
	})
	t.Logf("%d files; bounces recognised %d/%d; recipients matched %d/%d; statuses matched %d/%d (%d exact); "+
		"%d bounces with a body enmime drops; %d files of another kind by design (corpusKinds); human %d %v; wrong kind %d %v",
		tally.files, tally.bouncesOK, tally.bounces, tally.rcptsOK, tally.rcpts,
		tally.statusesOK, tally.statuses, tally.statusExact, tally.unreadable, tally.byDesign,
		len(tally.humans), tally.humans, len(tally.wrong), tally.wrong)
}

// checkCorpusResult asserts what the manifest says of one file and counts
// the outcome; the caller holds tally.mu.
func checkCorpusResult(t *testing.T, e automaticEntry, env *enmime.Envelope, r Result, tally *corpusTally) {
	t.Helper()
	tally.files++
	if e.Expected == "bounce" {
		tally.bounces++
		if e.FailedRecipient != "" {
			tally.rcpts++
		}
		if e.Status != "" {
			tally.statuses++
		}
	}
	if r.Kind == Human {
		tally.humans = append(tally.humans, e.File)
		t.Errorf("Classify(%s) = %v (%s), want machine mail", e.File, r.Kind, r.Reason)
		return
	}
	if want := wantKind(e); r.Kind != want {
		tally.wrong = append(tally.wrong, e.File)
		t.Errorf("Classify(%s) = %v (%s), want %v", e.File, r.Kind, r.Reason, want)
		return
	}
	if _, ok := corpusKinds[e.File]; ok {
		tally.byDesign++
	}
	if r.Kind != Bounce {
		return
	}
	tally.bouncesOK++
	d := r.DSN
	if bodyLost[e.File] {
		tally.unreadable++
		if env.Root == nil || env.Root.FirstChild != nil || env.Text != "" {
			t.Errorf("ReadEnvelope(%s) kept the body; drop it from bodyLost", e.File)
		}
		if len(d.Failures) > 0 {
			t.Errorf("Classify(%s).DSN.Failures = %+v, want none from a message without a body", e.File, d.Failures)
		}
		return
	}
	if e.FailedRecipient != "" {
		if _, ok := failureFor(d, e.FailedRecipient); ok {
			tally.rcptsOK++
		} else {
			t.Errorf("Classify(%s).DSN.Failures = %+v, want one for %s", e.File, d.Failures, e.FailedRecipient)
		}
	}
	for _, rcpt := range e.AllFailedRecipients {
		if _, ok := failureFor(d, rcpt); !ok {
			t.Errorf("Classify(%s).DSN.Failures = %+v, want one for %s too", e.File, d.Failures, rcpt)
		}
	}
	if e.Status != "" {
		got := reportedStatus(d, e.FailedRecipient)
		switch {
		case got == e.Status:
			tally.statusesOK++
			tally.statusExact++
		case e.statusFromDSN():
			t.Errorf("Classify(%s) status = %q, want %q", e.File, got, e.Status)
		case got != "" && got[0] == e.Status[0]:
			tally.statusesOK++
		default:
			t.Errorf("Classify(%s) status = %q, want class %c (%s)", e.File, got, e.Status[0], e.Status)
		}
		// A hard 5.x.x report is permanent. A 4.x.x one is not, even when
		// the sender gave up (two files say "Action: failed" with a 4.x.x
		// status): the address may work tomorrow.
		if permanent := e.Status[0] == '5'; d.Permanent != permanent {
			t.Errorf("Classify(%s).DSN.Permanent = %v, want %v for status %s", e.File, d.Permanent, permanent, e.Status)
		}
	}
	// A delay warning reports its recipients delayed; a hard bounce reports
	// them failed, also when it gave up on a temporary error.
	wantAction := "failed"
	if e.Kind == "bounce-soft" {
		wantAction = "delayed"
	}
	for _, f := range d.Failures {
		if f.Action != wantAction {
			t.Errorf("Classify(%s) failure %+v, want action %q", e.File, f, wantAction)
		}
	}
}

// reportedStatus returns the status the DSN gives rcpt, or the first
// failure's when rcpt is empty or not found. A failure with no enhanced
// code but an SMTP reply code is reported by its class alone, as "5" or
// "4".
func reportedStatus(d *DSN, rcpt string) string {
	f, ok := failureFor(d, rcpt)
	if !ok || rcpt == "" {
		if len(d.Failures) == 0 {
			return ""
		}
		f = d.Failures[0]
	}
	if f.Status != "" {
		return f.Status
	}
	if c := statusClass("", f.Diagnostic); c != 0 {
		return string(c)
	}
	return ""
}

// Ways a person forwards a message from their mail client.
const (
	forwardBanner   = "banner"   // the text under a forwarded-message banner (Gmail, Thunderbird)
	forwardQuoted   = "quoted"   // the text quoted with "> " under an attribution line
	forwardAttached = "attached" // the whole message as a message/rfc822 attachment (Outlook)
)

// forwarded wraps a message the way a person forwards it: a fresh message
// from them, with a "Fwd:" subject and a line of their own, carrying the
// original in the given style. Inline, what the reader saw of a report,
// its status fields and returned headers included, comes along as text.
func forwarded(t testing.TB, name string, raw []byte, style string) []byte {
	t.Helper()
	env := parseLikeMailin(t, name, raw)
	subject := oneLine(env.GetHeader("Subject"), 200)
	headers := []string{
		"From: Dana Lee <dana@example.org>",
		"To: Accord <partners@accord.example.com>",
		"Subject: Fwd: " + subject,
		"Date: Wed, 14 May 2025 09:30:00 +0200",
		"Message-ID: <fwd." + separators.Replace(name) + "@example.org>",
		"MIME-Version: 1.0",
	}
	const note = "Hi, my mail to you bounced, see below. Is there a better address?\n\nDana\n\n"
	crlf := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	}
	if style == forwardAttached {
		const boundary = "=_fwd_4f1c2a9e7b3d"
		body := "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + crlf(note) +
			"\r\n--" + boundary + "\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"bounce.eml\"\r\n\r\n" +
			string(raw) + "\r\n--" + boundary + "--\r\n"
		return rawMessage(body, append(headers, `Content-Type: multipart/mixed; boundary="`+boundary+`"`)...)
	}

	var shown strings.Builder
	shown.WriteString(env.Text)
	if env.Text == "" {
		shown.WriteString(env.HTML)
	}
	for _, p := range walkParts(env) {
		if ct, _ := contentType(p); strings.HasPrefix(ct, "message/") || ct == "text/rfc822-headers" {
			shown.WriteString("\n")
			shown.Write(p.Content)
		}
	}
	var b strings.Builder
	b.WriteString(note)
	if style == forwardQuoted {
		fmt.Fprintf(&b, "On %s, %s wrote:\n", oneLine(env.GetHeader("Date"), 100), oneLine(env.GetHeader("From"), 200))
		for l := range strings.SplitSeq(strings.ReplaceAll(shown.String(), "\r\n", "\n"), "\n") {
			b.WriteString("> " + l + "\n")
		}
	} else {
		fmt.Fprintf(&b, "---------- Forwarded message ---------\nFrom: %s\nDate: %s\nSubject: %s\nTo: %s\n\n",
			oneLine(env.GetHeader("From"), 200), oneLine(env.GetHeader("Date"), 100), subject, oneLine(env.GetHeader("To"), 200))
		b.WriteString(shown.String())
	}
	return rawMessage(crlf(b.String()), append(headers,
		"Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit")...)
}

// TestAutomaticCorpusForwarded checks that a person forwarding a real
// bounce, inline or attached, is not taken for the bounce itself.
func TestAutomaticCorpusForwarded(t *testing.T) {
	t.Parallel()
	for _, m := range automaticCorpus(t) {
		if m.Expected != "bounce" {
			continue
		}
		for _, style := range []string{forwardBanner, forwardQuoted, forwardAttached} {
			name := m.File + "/" + style
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r := Classify(parseLikeMailin(t, name, forwarded(t, m.File, m.raw, style)), corpusOptions)
				checkResult(t, name, r)
				if r.Kind != Human {
					t.Errorf("Classify(%s) = %v (%s), want %v", name, r.Kind, r.Reason, Human)
				}
			})
		}
	}
}
