package templates

import (
	"embed"
	"fmt"
	"reflect"
	"strings"
	texttemplate "text/template"
)

// Operator text is what accord's commands, its configuration checks, the
// running service and the demo say to whoever runs Accord: usage texts,
// what a command did, why it could not, and the sentences of the log.
// Each message is a define of operator/LANG/*.tmpl, one file per command
// or part, named "command.what" ("pair.add.enrolled", "pair.usage"). Operators
// read English; another language is a folder beside operator/en with the
// same defines.

//go:embed operator/*/*.tmpl
var operatorFiles embed.FS

var operatorSets = parseLanguages(operatorFiles, "operator/*/*.tmpl", func(lang, pattern string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("operator").Option("missingkey=error").Funcs(texttemplate.FuncMap{
		"count": func(n any, noun string) string { return Count(intOf(n), noun) },
		"yesNo": func(b any) string { yes, _ := b.(bool); return YesNo(yes) },
	}).ParseFS(operatorFiles, pattern))
})

// intOf is a count of any integer type, as the operator texts are given
// lengths, IDs and database counts alike.
func intOf(n any) int {
	switch v := reflect.ValueOf(n); {
	case v.CanInt():
		return int(v.Int())
	case v.CanUint():
		return int(v.Uint())
	}
	return 0
}

// Args are the values an operator text shows, by the names its template
// gives them: templates.Args{"ID": id}. A test holds every call's names
// to those its template reads, so call sites give them as a literal.
type Args map[string]any

// Operator is the operator text name, in English, with args. Every name
// given as a literal in cmd/ and internal/ is rendered by a test against
// its define, so a missing or broken one is caught before release; should
// it happen anyway, the text is the name and the values rather than
// nothing.
func Operator(name string, args Args) string {
	return operatorText(DefaultLanguage, name, args)
}

// OperatorOf is the text of key in a family of operator texts kept by
// key, such as the help of each setting ("setting.pacing.quiet_start"):
// the define family+"."+key, and whether there is one.
func OperatorOf(family, key string, args Args) (string, bool) {
	name := family + "." + key
	if operatorSets.of(DefaultLanguage).Lookup(name) == nil {
		return "", false
	}
	return operatorText(DefaultLanguage, name, args), true
}

// OperatorError is an error worded by the operator text name, whose
// template shows err where it reads .Err: for a sentence that goes on
// after the error. errors.Is and errors.As see err through it.
func OperatorError(name string, args Args, err error) error {
	all := Args{"Err": err}
	for k, v := range args {
		all[k] = v
	}
	return &operatorError{text: Operator(name, all), err: err}
}

type operatorError struct {
	text string
	err  error
}

func (e *operatorError) Error() string { return e.text }
func (e *operatorError) Unwrap() error { return e.err }

func operatorText(lang, name string, args Args) string {
	var b strings.Builder
	var data any
	if args != nil {
		data = map[string]any(args)
	}
	if err := operatorSets.of(lang).ExecuteTemplate(&b, name, data); err != nil {
		if len(args) == 0 {
			return name
		}
		return fmt.Sprintf("%s %v", name, map[string]any(args))
	}
	return b.String()
}
