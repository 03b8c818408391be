package templates

import (
	"embed"
	"errors"
	"fmt"
	"reflect"
	"strings"
	texttemplate "text/template"
	"time"

	"accord/conversation"
)

//go:embed problems/*.tmpl
var problemFiles embed.FS

var problemSets = parseLanguages(problemFiles, "problems/*.tmpl", func(lang, pattern string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("problems").Funcs(map[string]any{
		"longDate":   func(d conversation.Date) string { return dateWords(lang, d) },
		"duration":   func(d time.Duration) string { return LengthWords(lang, d) },
		"weekday":    func(d time.Weekday) string { return WeekdayName(lang, d) },
		"orList":     func(items any) string { return orList(lang, items) },
		"cmd":        shownCommand,
		"draftCmd":   shownCommand,
		"keptCmd":    shownCommand,
		"rewriteCmd": shownCommand,
		"checkinCmd": shownCommand,
	}).ParseFS(problemFiles, pattern))
})

// ProblemText says why something could not be used as written, in words
// for whoever wrote it, in English: the operator's language.
func ProblemText(p conversation.Problem) (string, error) { return ProblemTextIn(DefaultLanguage, p) }

// ProblemTextIn says why something could not be used as written, in words
// for whoever wrote it, in lang: the template named by the problem's code.
func ProblemTextIn(lang string, p conversation.Problem) (string, error) {
	problemTemplates := problemSets.of(lang)
	if problemTemplates.Lookup(string(p.Code)) == nil {
		return "", fmt.Errorf("templates: no words for the problem %q", p.Code)
	}
	var b strings.Builder
	if err := problemTemplates.ExecuteTemplate(&b, string(p.Code), p); err != nil {
		return "", fmt.Errorf("templates: problem %s: %w", p.Code, err)
	}
	return b.String(), nil
}

// ErrorText is err in words for a person or an operator: the words for
// its problem when it is a *conversation.CommandError,
// *conversation.ScheduleError or conversation.FieldError, else err's own
// message.
func ErrorText(err error) string {
	var p *conversation.Problem
	if ce, ok := errors.AsType[*conversation.CommandError](err); ok {
		p = &ce.Problem
	} else if se, ok := errors.AsType[*conversation.ScheduleError](err); ok {
		p = &se.Problem
	}
	if fe, ok := errors.AsType[conversation.FieldError](err); ok && p == nil {
		text, terr := ProblemText(fe.Problem)
		if terr != nil {
			return err.Error()
		}
		switch {
		case fe.Question < 0:
			return fmt.Sprintf("set.%s: %s", fe.Field, text)
		case fe.Review:
			return fmt.Sprintf("review question %d, %s: %s", fe.Question+1, fe.Field, text)
		}
		return fmt.Sprintf("question %d, %s: %s", fe.Question+1, fe.Field, text)
	}
	if p == nil {
		return err.Error()
	}
	text, terr := ProblemText(*p)
	if terr != nil {
		return err.Error()
	}
	return text
}

// orList joins alternatives in lang as "A or B", "A, B or C": weekdays
// by name, times of day as they print, lengths in words.
func orList(lang string, items any) string {
	v := reflect.ValueOf(items)
	if v.Kind() != reflect.Slice {
		return fmt.Sprint(items)
	}
	names := make([]string, v.Len())
	for i := range names {
		switch x := v.Index(i).Interface().(type) {
		case time.Duration:
			names[i] = LengthWords(lang, x)
		case time.Weekday:
			names[i] = WeekdayName(lang, x)
		default:
			names[i] = fmt.Sprint(x)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return word(lang, "or", struct {
		Init []string
		Last string
	}{names[:len(names)-1], names[len(names)-1]})
}
