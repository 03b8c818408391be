package mailout

import (
	"bytes"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/templates"

	"accord/mailout/mailtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// sampleTime is a Tuesday morning in Berlin.
var sampleTime = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func testIdentity() Identity {
	return Identity{Name: "Accord", Address: "accord@example.com", Separator: "+", Support: "If you would like to talk to someone, write to people-team@example.com."}
}

// fixedRenderer numbers its Message-IDs, so output is deterministic.
func fixedRenderer() *Renderer {
	var n atomic.Int64
	return &Renderer{Identity: testIdentity(), NewMessageID: func() string {
		return fmt.Sprintf("<msg-%d@example.com>", n.Add(1))
	}}
}

func samples(t testing.TB) []Sample { return samplesIn(t, templates.DefaultLanguage) }

// samplesIn is every sample with both people reading lang.
func samplesIn(t testing.TB, lang string) []Sample {
	t.Helper()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := SamplesIn(lang, set, sampleTime, fixedRenderer())
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

var boundaryPattern = regexp.MustCompile(`boundary="?([0-9A-Za-z'()+_,./:=?-]+)"?`)

// normalise replaces the random MIME boundaries with stable names.
func normalise(raw []byte) []byte {
	out := raw
	for i, m := range boundaryPattern.FindAllSubmatch(raw, -1) {
		out = bytes.ReplaceAll(out, m[1], []byte(fmt.Sprintf("BOUNDARY-%d", i+1)))
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	mailtest.Golden(t, name, got, *update)
}

// TestGolden renders every sample in every language Accord writes and
// compares the whole message, and its decoded text and HTML parts for
// easy review, with testdata/golden (English) and testdata/golden/<lang>.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range templates.Languages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			goldenIn(t, lang)
		})
	}
}

func goldenIn(t *testing.T, lang string) {
	dir := ""
	if lang != templates.DefaultLanguage {
		dir = lang + "/"
	}
	r := fixedRenderer()
	seen := map[string]bool{}
	for _, s := range samplesIn(t, lang) {
		seen[s.Kind] = true
		id, raw, err := r.Render(s.Letter)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		raw = normalise(raw)
		golden(t, dir+s.Name+".eml", raw)
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: re-parse: %v", s.Name, err)
		}
		if len(env.Errors) > 0 {
			t.Errorf("%s: MIME problems: %v", s.Name, env.Errors)
		}
		if env.GetHeader("Message-Id") != id {
			t.Errorf("%s: Message-ID %q, want %q", s.Name, env.GetHeader("Message-Id"), id)
		}
		golden(t, dir+s.Name+".txt", []byte(env.Text))
		golden(t, dir+s.Name+".html", []byte(env.HTML))
	}
	for _, k := range templates.MailKinds {
		if !seen[k] {
			t.Errorf("no sample of %s mail", k)
		}
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	ss := samples(t)
	r := fixedRenderer()
	byName := map[string]Sample{}
	for _, s := range ss {
		byName[s.Name] = s
	}
	q := byName["question-with-receipt"].Letter
	q.References = []string{"<msg-1@example.com>", "<msg-2@example.com>"}
	q.InReplyTo = "<msg-2@example.com>"
	_, raw, err := r.Render(q)
	if err != nil {
		t.Fatal(err)
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"From":                     `"Accord" <accord@example.com>`,
		"To":                       `"Dana Lee" <dana@example.com>`,
		"Reply-To":                 "<accord+sampletokensampletokensamp@example.com>",
		"Subject":                  "[Accord · Sam] 2/16 — What do we value in each other?",
		"In-Reply-To":              "<msg-2@example.com>",
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
		"List-Unsubscribe":         "<mailto:accord+sampletokensampletokensamp@example.com?subject=stop>",
	}
	for k, v := range want {
		if got := env.GetHeader(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := strings.Fields(env.GetHeader("References")); !slices.Equal(got, q.References) {
		t.Errorf("References = %q, want %q", got, q.References)
	}
	if d, err := env.Date(); err != nil || !d.Equal(sampleTime) {
		t.Errorf("Date = %v (%v), want %v", d, err, sampleTime)
	}
	// Mail that asks nothing has no reply token: replies go to the
	// service address itself.
	_, raw, err = r.Render(byName["ack-paused"].Letter)
	if err != nil {
		t.Fatal(err)
	}
	env, _ = enmime.ReadEnvelope(bytes.NewReader(raw))
	if env.GetHeader("Reply-To") != "" || env.GetHeader("List-Unsubscribe") != "<mailto:accord@example.com?subject=stop>" {
		t.Errorf("ack: Reply-To %q, List-Unsubscribe %q", env.GetHeader("Reply-To"), env.GetHeader("List-Unsubscribe"))
	}
}

func TestThreadReferencesAreBounded(t *testing.T) {
	t.Parallel()
	var ids []string
	for i := range 100_000 {
		ids = append(ids, fmt.Sprintf("<m%d@example.com>", i))
	}
	got := threadReferences(ids, "<parent@example.com>")
	if len(got) != maxReferences || got[0] != "<m0@example.com>" || got[len(got)-1] != "<parent@example.com>" || got[len(got)-2] != "<m99999@example.com>" {
		t.Errorf("threadReferences kept %d ids, %q … %q; want %d: the root, the newest, the parent", len(got), got[0], got[len(got)-1], maxReferences)
	}
}

func BenchmarkThreadReferences(b *testing.B) {
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("<m%d@example.com>", i)
	}
	for b.Loop() {
		threadReferences(ids, "<parent@example.com>")
	}
}

// TestHeaderInjection (F32): names, subjects and an inbound Message-ID
// carrying CR/LF cannot add headers to what we send.
func TestHeaderInjection(t *testing.T) {
	t.Parallel()
	r := fixedRenderer()
	clean := samples(t)[2].Letter // a question with a receipt and a Reply-To
	clean.References = []string{"<ok@example.com>"}
	_, cleanRaw, err := r.Render(clean)
	if err != nil {
		t.Fatal(err)
	}
	cleanEnv, err := enmime.ReadEnvelope(bytes.NewReader(cleanRaw))
	if err != nil {
		t.Fatal(err)
	}
	evil := clean
	evil.ToName = "Dana\r\nBcc: thief@example.net"
	evil.View.Recipient.First = "Dana\r\nBcc: thief@example.net"
	q := *evil.View.Question
	q.Title = "Values?\r\nBcc: thief@example.net\r\nX-Evil: 1"
	evil.View.Question = &q
	evil.View.Partner.Name = "Sam\nCc: thief@example.net"
	evil.InReplyTo = "<abc@example.com>\r\nBcc: thief@example.net"
	evil.References = []string{"<abc@example.com>\r\nBcc: thief@example.net", "<ok@example.com>"}
	_, raw, err := r.Render(evil)
	if err != nil {
		t.Fatalf("Render with hostile names and ids: %v", err)
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, want := env.GetHeaderKeys(), cleanEnv.GetHeaderKeys()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("headers after injection attempts = %q, want %q", got, want)
	}
	header, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	if lower := strings.ToLower(header); strings.Contains(lower, "\nbcc:") || strings.Contains(lower, "\ncc:") || strings.Contains(lower, "\nx-evil") {
		t.Errorf("an injected header line reached the header block:\n%s", header)
	}
	if tos, _ := env.AddressList("To"); len(tos) != 1 || tos[0].Address != "dana@example.com" {
		t.Errorf("To = %v, want only dana@example.com", tos)
	}
	if refs := strings.Fields(env.GetHeader("References")); !slices.Equal(refs, []string{"<ok@example.com>"}) {
		t.Errorf("References = %q, want only the well-formed id", refs)
	}
	if got := env.GetHeader("In-Reply-To"); got != "" {
		t.Errorf("In-Reply-To = %q, want the malformed id dropped", got)
	}

	// Reply tokens are ours, but one that could break Reply-To is refused
	// outright rather than rendered.
	bad := clean
	bad.Token = "tok\r\nBcc: thief@example.net"
	if _, _, err := r.Render(bad); err == nil {
		t.Error("a reply token with CR/LF was rendered")
	}
}

// TestSamplesWithOwnReview renders the review samples for a set that brings
// its own reflections: they are asked, answered and shown in version 2.
func TestSamplesWithOwnReview(t *testing.T) {
	t.Parallel()
	set, err := templates.DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	set.Review = []conversation.Question{{
		ID: "learned", Title: "What did we learn this quarter?",
		Text: "What did you learn this quarter about working with {partner}?",
	}}
	ss, err := Samples(set, sampleTime, fixedRenderer())
	if err != nil {
		t.Fatalf("Samples with the set's own review: %v", err)
	}
	texts := map[string]string{}
	r := fixedRenderer()
	for _, s := range ss {
		_, raw, err := r.Render(s.Letter)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		texts[s.Name] = env.Text
	}
	// The lead rated; the next question asks whether they kept each
	// statement of their signed agreement (the set's reflection follows).
	if got := texts["question-review"]; !strings.Contains(got, "Did we keep what we agreed?") {
		t.Errorf("the question after the rating does not ask whether they kept their statements:\n%s", got)
	}
	if got := texts["agreement-v2"]; !strings.Contains(got, "What did we learn this quarter?") || strings.Contains(got, "How are your needs changing?") {
		t.Errorf("version 2's review section does not hold the set's reflection alone:\n%s", got)
	}
}

// TestDisplayNames: names people really have, quotes, backslashes, commas
// and letters beyond ASCII among them, reach the To and From headers
// intact, encoded as RFC 5322 quoted-strings or RFC 2047 words.
func TestDisplayNames(t *testing.T) {
	t.Parallel()
	names := []string{`Dana "DJ" Lee`, `Dana "DJ Lee`, `"`, `Dana\`, `Lee, Dana`, `O'Brien (Ops)`, `Zoë "Z" Ñúñez`, `Sam <Sammy> Ortiz`, `李 小龙`}
	for _, name := range names {
		r := fixedRenderer()
		r.Identity.Name = name + " via Accord"
		l := samples(t)[0].Letter
		l.ToName = name
		_, raw, err := r.Render(l)
		if err != nil {
			t.Errorf("Render(to %q) failed: %v", name, err)
			continue
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if tos, err := env.AddressList("To"); err != nil || len(tos) != 1 || tos[0].Name != name || tos[0].Address != l.ToAddress {
			t.Errorf("Render(to %q): To = %v (%v), want that name and %s", name, tos, err, l.ToAddress)
		}
		if froms, err := env.AddressList("From"); err != nil || len(froms) != 1 || froms[0].Name != name+" via Accord" {
			t.Errorf("Render(from %q): From = %v (%v), want that name", name+" via Accord", froms, err)
		}
	}
}
