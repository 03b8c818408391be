package templates

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// DefaultLanguage is the language Accord writes in when a person has none,
// or one it does not write; every template exists in it.
const DefaultLanguage = "en"

// languages are the languages Accord writes in, each a two-letter ISO 639-1
// code: a language is listed once every template exists in it (a test
// checks that they do, with the same placeholders as in English).
var languages = []string{"en", "fr", "de", "es"}

// Languages lists the languages Accord writes in, English first.
func Languages() []string { return slices.Clone(languages) }

// Language returns the language Accord writes lang in: lang itself when
// it is one of Languages (in any case, with or without a region, as in
// "fr-CA"), else DefaultLanguage.
func Language(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	if slices.Contains(languages, base) {
		return base
	}
	return DefaultLanguage
}

// inLanguage is one template family in every language its files exist in.
type inLanguage[T any] map[string]T

// of returns the family's templates in lang, falling back on the default
// language.
func (m inLanguage[T]) of(lang string) T {
	if t, ok := m[Language(lang)]; ok {
		return t
	}
	return m[DefaultLanguage]
}

// parseLanguages builds a family from the files of fsys matching pattern,
// in which "*" stands for the language (as in "problems/*.tmpl" or
// "mail/*/text/*.tmpl"): parse is called once per language found, with
// the pattern for that language's files.
func parseLanguages[T any](fsys fs.FS, pattern string, parse func(lang, pattern string) T) inLanguage[T] {
	out := inLanguage[T]{}
	matches, err := fs.Glob(fsys, pattern)
	if err != nil {
		panic(err) // the patterns are constants in this package
	}
	at := strings.Count(pattern[:strings.Index(pattern, "*")], "/")
	for _, m := range matches {
		lang := strings.TrimSuffix(strings.Split(m, "/")[at], path.Ext(m))
		if _, done := out[lang]; !done {
			out[lang] = parse(lang, strings.Replace(pattern, "*", lang, 1))
		}
	}
	if _, ok := out[DefaultLanguage]; !ok {
		panic("templates: no " + DefaultLanguage + " files for " + pattern)
	}
	return out
}
