package templates

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// sampleAgreement has the shapes the documents must handle: a theme with
// one topic and one with two (numbered each), a skipped entry, text that
// Markdown would read as formatting and text that HTML must not run; and
// the statements both signed, one added while drafting.
func sampleAgreement() *Agreement {
	return &Agreement{
		Version: 2, Date: "Tuesday 9 March 2027", ReviewOn: "Wednesday 9 June 2027", Between: "Dana Lee and Sam Ortiz",
		Themes: []Theme{
			{Title: "What already works", Topics: []Topic{{Number: 1, Title: "What already works", Entries: []Entry{
				{Name: "Dana", Text: "We talk the same day.\n# not a heading\n- not a list\n> not a quote"},
				{Name: "Sam", Text: "You give me room <script>alert(1)</script> & say what matters."},
			}}}},
			{Title: "How we work", Topics: []Topic{
				{Number: 2, Title: "Roles", Entries: []Entry{{Name: "Dana", Text: "I set direction."}, {Name: "Sam", Skipped: true}}},
				{Number: 3, Title: "Expectations", Entries: []Entry{{Name: "Dana", Text: "Tell me early."}, {Name: "Sam", Text: "Tell me why."}}},
			}},
		},
		Commitments:    []Topic{{Number: 4, Title: "Commitments", Entries: []Entry{{Name: "Dana", Text: "A second engineer by June."}}}},
		Accountability: []Topic{{Number: 5, Title: "Accountability", Entries: []Entry{{Name: "Sam", Text: "A monthly check."}}}},
		Agreed: []AgreedGroup{
			{Theme: "How we communicate", Statements: []AgreedStatement{{Number: 1, Text: "I answer within a *working* day <b>.", Author: "Dana"}}},
			{Statements: []AgreedStatement{{Number: 2, Text: "We celebrate a shipped release together.", Author: "Sam"}}},
		},
		Signed: []Signature{{Name: "Dana Lee", Date: "Monday 8 March 2027"}, {Name: "Sam Ortiz", Date: "Tuesday 9 March 2027"}},
	}
}

func TestAgreementDocuments(t *testing.T) {
	t.Parallel()
	md, err := AgreementMarkdown(sampleAgreement())
	if err != nil {
		t.Fatal(err)
	}
	page, err := AgreementHTML(sampleAgreement())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, got string }{{"agreement.md", md}, {"agreement.html", page}} {
		golden(t, tc.file, tc.got)
	}
	for _, want := range []string{"\\# not a heading", "\\- not a list", "\\> not a quote", "_passed on this one_", "## 1. What already works", "## How we work", "### 2. Roles", "## 4. What we commit to",
		"## We agree", "1. I answer within a \\*working\\* day \\<b\\>. *(Dana)*", "### Added while drafting", "2. We celebrate",
		"**Agreed by Dana Lee on Monday 8 March 2027 and Sam Ortiz on Tuesday 9 March 2027.**", "## Our answers in full"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if regexp.MustCompile(`(^|[^\\])<`).MatchString(md) {
		t.Error("Markdown lets what people wrote become HTML")
	}
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") || strings.Contains(page, "<b>") {
		t.Error("HTML does not escape what people wrote")
	}
	for _, want := range []string{"<h2>We agree</h2>", `<ol class="agreed" start="2">`, "Agreed by Dana Lee on Monday 8 March 2027 and Sam Ortiz"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestQuoteMarkdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", "> plain"},
		{"one\r\ntwo", "> one\n> two"},
		{"# h\n*b*\n1. n", "> \\# h\n> \\*b*\n> 1. n"},
		{"  - indented", "> \\- indented"},
		{"a\n\nb", "> a\n>\n> b"},
		{"<b>bold</b> & <i>", "> \\<b>bold\\</b> & \\<i>"},
	} {
		if got := quoteMarkdown(tc.in); got != tc.want {
			t.Errorf("quoteMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// golden compares output with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff\n--- got ---\n%s", name, got)
	}
}

// TestAgreementPage: a person's page shows the current version in full
// and folds the earlier ones away, runs nothing, and escapes what people
// wrote; a link that opens nothing says why and how to get a fresh one.
func TestAgreementPage(t *testing.T) {
	t.Parallel()
	v1 := sampleAgreement()
	v1.Version, v1.Date = 1, "Monday 7 December 2026"
	page, err := RenderAgreementPage(AgreementPage{Service: "Accord", For: "Sam Ortiz", Until: "Monday 7 June 2027", Current: sampleAgreement(), Earlier: []*Agreement{v1}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{"for Sam Ortiz", "works until Monday 7 June 2027", "<h2>Earlier versions</h2>", "<summary>Version 1, Monday 7 December 2026</summary>",
		`<meta name="robots" content="noindex, nofollow">`, "Agreed by Dana Lee on Monday 8 March 2027"} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(s, "<script") || !strings.Contains(s, "&lt;script&gt;") {
		t.Error("the page runs something, or does not escape what people wrote")
	}
	for _, expired := range []bool{false, true} {
		gone, err := RenderLinkGonePage(LinkGonePage{Service: "Accord", Expired: expired})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(gone), "has expired"); got != expired || !strings.Contains(string(gone), "reply <strong>agreement</strong>") {
			t.Errorf("link-gone page (expired %v) says expired %v, or no way to a fresh link", expired, got)
		}
	}
}
