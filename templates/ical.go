package templates

import (
	"embed"
	"fmt"
	"strings"
	texttemplate "text/template"
)

//go:embed ical/*.tmpl
var icalFiles embed.FS

var icalTemplates = texttemplate.Must(texttemplate.New("ical").ParseFS(icalFiles, "ical/en.tmpl"))

// CalendarWords is what the words of a check-in invitation name: the two
// people's first names and the service.
type CalendarWords struct {
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
		if err := icalTemplates.ExecuteTemplate(&b, part.name, w); err != nil {
			return "", "", fmt.Errorf("templates: calendar %s: %w", part.name, err)
		}
		*part.out = oneLine(b.String())
	}
	return summary, description, nil
}
