package templates

import (
	"embed"
	"fmt"
	"strings"
	texttemplate "text/template"
)

//go:embed ical/*.tmpl
var icalFiles embed.FS

var icalSets = parseLanguages(icalFiles, "ical/*.tmpl", func(lang, pattern string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("ical").Funcs(texttemplate.FuncMap{"checkinCmd": shownCommand}).ParseFS(icalFiles, pattern))
})

// CalendarWords is what the words of a check-in invitation name: the two
// people's first names and the service.
type CalendarWords struct {
	// Lang is the language of the words (see Languages).
	Lang                   string
	First, Second, Service string
}

// CalendarText words a check-in invitation: its title and description.
func CalendarText(w CalendarWords) (summary, description string, err error) {
	var b strings.Builder
	for _, part := range []struct {
		name string
		out  *string
	}{{"summary", &summary}, {"description", &description}} {
		b.Reset()
		if err := icalSets.of(w.Lang).ExecuteTemplate(&b, part.name, w); err != nil {
			return "", "", fmt.Errorf("templates: calendar %s: %w", part.name, err)
		}
		*part.out = oneLine(b.String())
	}
	return summary, description, nil
}
