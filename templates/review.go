package templates

import (
	"embed"
	"fmt"
	"strings"
	texttemplate "text/template"
)

//go:embed review/*.tmpl
var reviewFiles embed.FS

var reviewSets = parseLanguages(reviewFiles, "review/*.tmpl", func(lang, pattern string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("review").ParseFS(reviewFiles, pattern))
})

// ReviewAsk is what the words of a review's own question name.
type ReviewAsk struct {
	// Lang is the language of the words (see Languages).
	Lang string
	// ID is the question's id within the review: rating, developing,
	// brings, needs, keep-change-add, or commit for a commitment.
	ID string
	// Partner is the partner's first name; Topic the title of the
	// commitment a commit question is about.
	Partner, Topic string
}

// ReviewQuestion words a question every review asks whatever the question
// set (see review/en.tmpl): its title, its text and why it is asked (may
// be empty). ok is false for an id it has no words for.
func ReviewQuestion(a ReviewAsk) (title, text, why string, ok bool, err error) {
	reviewTemplates := reviewSets.of(a.Lang)
	if reviewTemplates.Lookup(a.ID+".title") == nil {
		return "", "", "", false, nil
	}
	word := func(part string) (string, error) {
		if reviewTemplates.Lookup(a.ID+"."+part) == nil {
			return "", nil
		}
		var b strings.Builder
		if err := reviewTemplates.ExecuteTemplate(&b, a.ID+"."+part, a); err != nil {
			return "", fmt.Errorf("templates: review question %s: %w", a.ID, err)
		}
		return oneLine(b.String()), nil
	}
	if title, err = word("title"); err == nil {
		if text, err = word("text"); err == nil {
			why, err = word("why")
		}
	}
	return title, text, why, err == nil, err
}
