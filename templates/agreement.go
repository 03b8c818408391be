package templates

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed doc/*/*.tmpl
var docFiles embed.FS

// docSet is the document templates of one language: Markdown and web
// pages.
type docSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

var docSets = parseLanguages(docFiles, "doc/*/*.md.tmpl", func(lang, pattern string) docSet {
	return docSet{
		text: texttemplate.Must(texttemplate.New("doc").Funcs(texttemplate.FuncMap{
			"add":          func(a, b int) int { return a + b },
			"quoteMD":      quoteMarkdown,
			"inlineMD":     inlineMarkdown,
			"numbered":     numbered,
			"sectionTitle": sectionHeading,
			"dict":         dict,
		}).ParseFS(docFiles, pattern)),
		html: htmltemplate.Must(htmltemplate.New("doc").Funcs(htmltemplate.FuncMap{
			"add":          func(a, b int) int { return a + b },
			"numbered":     numbered,
			"sectionTitle": sectionHeading,
			"dict":         dict,
			"cmd":          shownCommand,
			"draftCmd":     shownCommand,
			"keptCmd":      shownCommand,
			"rewriteCmd":   shownCommand,
		}).ParseFS(docFiles, strings.Replace(pattern, ".md.", ".html.", 1))),
	}
})

// AgreementMarkdown renders an agreement version as a Markdown document,
// for keeping or sharing outside mail.
func AgreementMarkdown(a *Agreement) (string, error) {
	var b bytes.Buffer
	if err := docSets.of(a.Lang).text.ExecuteTemplate(&b, "agreement.md", a); err != nil {
		return "", fmt.Errorf("templates: agreement markdown: %w", err)
	}
	return strings.TrimSpace(blankRuns.ReplaceAllString(b.String(), "\n\n")) + "\n", nil
}

// AgreementHTML renders an agreement version as a standalone web page.
func AgreementHTML(a *Agreement) (string, error) {
	var b bytes.Buffer
	if err := docSets.of(a.Lang).html.ExecuteTemplate(&b, "agreement.html", a); err != nil {
		return "", fmt.Errorf("templates: agreement page: %w", err)
	}
	return b.String(), nil
}

// Export is what an export holds, for ExportMarkdown: the agreement
// versions and the draft already rendered, the person's answers quoted.
type Export struct {
	Lang                 string
	Partner, Name, Email string
	// NoAgreement is set before the first agreement.
	NoAgreement bool
	// Draft is the draft under way, in Markdown; empty when there is none.
	Draft string
	// Versions are the agreement versions in Markdown, newest first, their
	// headings a level down.
	Versions []string
	Answers  []ExportAnswer
}

// ExportAnswer is one of the person's answers: the question's title, the
// date in words and the words as a Markdown quote.
type ExportAnswer struct {
	Title, Date, Quoted string
}

// ExportMarkdown renders a person's export: every agreement version, then
// everything they answered.
func ExportMarkdown(e *Export) (string, error) {
	var b bytes.Buffer
	if err := docSets.of(e.Lang).text.ExecuteTemplate(&b, "export.md", e); err != nil {
		return "", fmt.Errorf("templates: export: %w", err)
	}
	return b.String(), nil
}

// DraftMarkdown renders the draft under way as a Markdown section, for an
// export.
func DraftMarkdown(d *Draft) (string, error) {
	var b bytes.Buffer
	if err := docSets.of(d.Lang).text.ExecuteTemplate(&b, "draft.md", d); err != nil {
		return "", fmt.Errorf("templates: draft markdown: %w", err)
	}
	return strings.TrimSpace(blankRuns.ReplaceAllString(b.String(), "\n\n")) + "\n", nil
}

// AgreementPage is a person's own read-only page of their agreement:
// the current version, and the earlier ones newest first.
type AgreementPage struct {
	// Lang is the language of the page (see Languages).
	Lang    string
	Service string
	// For names the person the page is for; Until is when its link
	// expires, in words.
	For, Until string
	Current    *Agreement
	Earlier    []*Agreement
}

// RenderAgreementPage renders a person's agreement page.
func RenderAgreementPage(p AgreementPage) ([]byte, error) {
	var b bytes.Buffer
	if err := docSets.of(p.Lang).html.ExecuteTemplate(&b, "agreement-page.html", p); err != nil {
		return nil, fmt.Errorf("templates: agreement page: %w", err)
	}
	return b.Bytes(), nil
}

// LinkGonePage answers a link that opens no agreement: Expired tells an
// expired link from one never issued or taken back.
type LinkGonePage struct {
	Lang    string
	Service string
	Expired bool
}

// RenderLinkGonePage renders the page for a link that opens nothing.
func RenderLinkGonePage(p LinkGonePage) ([]byte, error) {
	var b bytes.Buffer
	if err := docSets.of(p.Lang).html.ExecuteTemplate(&b, "link-gone.html", p); err != nil {
		return nil, fmt.Errorf("templates: link page: %w", err)
	}
	return b.Bytes(), nil
}

// inlineMarkdown escapes what Markdown would read as formatting or HTML
// in someone's words set within a line, so they show as written.
func inlineMarkdown(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_[]<>#|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// quoteMarkdown sets someone's words in a Markdown block quote; characters
// that Markdown would read as formatting at the start of a line are
// escaped so their words show as written, and so is every "<", so nothing
// they wrote becomes HTML in a Markdown viewer.
func quoteMarkdown(s string) string {
	s = strings.ReplaceAll(s, "<", `\<`)
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	for i, l := range lines {
		if t := strings.TrimLeft(l, " "); t != "" && strings.ContainsRune("#>*-+=|`", rune(t[0])) {
			l = `\` + t
		}
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}
