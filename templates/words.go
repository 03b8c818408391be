package templates

import (
	"embed"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"accord/conversation"
)

//go:embed words/*.tmpl
var wordFiles embed.FS

var wordSets = parseLanguages(wordFiles, "words/*.tmpl", func(lang, pattern string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("words").Funcs(texttemplate.FuncMap{"join": strings.Join}).ParseFS(wordFiles, pattern))
})

// And joins names in lang: "Dana and Sam", "Ana, Ben and Cy"; a single
// name alone.
func And(lang string, names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return word(lang, "and", struct {
		Init []string
		Last string
	}{names[:len(names)-1], names[len(names)-1]})
}

// word executes the phrase name of words/ with data. The phrases are
// fixed and a test runs each, so one that fails is a slip caught before
// release; should it happen, the name itself is said rather than nothing.
func word(lang, name string, data any) string {
	var b strings.Builder
	if err := wordSets.of(lang).ExecuteTemplate(&b, name, data); err != nil {
		if s, ok := data.(string); ok {
			return s
		}
		return ""
	}
	return b.String()
}

// PartnerCalled is what a question calls the reader's partner: their first
// name, or words for a partner whose name has none.
func PartnerCalled(lang, name string) string {
	if first := conversation.FirstName(name); first != "" {
		return first
	}
	return word(lang, "partner-unnamed", nil)
}

// Described names the partner for the reader of a mail, with what they are
// to the reader: "Sam, who reports to you", "Dana, your manager", or just
// the first name between peers. readerRole is the reader's role.
func Described(lang string, readerRole conversation.Role, first string) string {
	switch readerRole {
	case conversation.RoleLead:
		return word(lang, "described-report", first)
	case conversation.RoleReport:
		return word(lang, "described-lead", first)
	}
	return word(lang, "described-peer", first)
}

// LengthWords writes a meeting's length in lang: "45 minutes", "1 hour",
// "1 hour 30 minutes", with the language's plural forms (from CLDR).
func LengthWords(lang string, d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	count := func(name string, n int) string {
		return word(lang, name, struct {
			N      int
			Plural string
		}{n, pluralOf(lang, n)})
	}
	switch {
	case h > 0 && m > 0:
		return word(lang, "hours-minutes", struct{ Hours, Minutes string }{count("hours", h), count("minutes", m)})
	case h > 0:
		return count("hours", h)
	default:
		return count("minutes", m)
	}
}

// pluralOf is the CLDR plural category of n in lang: "one", "other"…
func pluralOf(lang string, n int) string {
	return strings.ToLower(CalendarOf(lang).CardinalPluralRule(float64(n), 0).String())
}

// ScheduleWords says a schedule in lang for a confirmation, always with a
// 24-hour time so that a guessed afternoon hour shows: "every other
// Thursday at 14:30 for 45 minutes".
func ScheduleWords(lang string, s conversation.Schedule) string {
	return word(lang, "schedule", struct {
		Every            int
		Weekday, At, For string
	}{s.Every, WeekdayName(lang, s.Weekday), s.At.String(), LengthWords(lang, s.Length)})
}

// ReviewOn names a review by its number and date: "Review 2, 5 July 2027".
func ReviewOn(lang string, number int, date string) string {
	return word(lang, "review-on", struct {
		Number int
		Date   string
	}{number, date})
}

// Count writes a number with its noun, singular for one: "1 sample",
// "3 samples". Nouns with an irregular plural give it after a slash:
// "reply/replies".
func Count(n int, noun string) string {
	one, many, irregular := strings.Cut(noun, "/")
	if !irregular {
		many = one + "s"
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Suggest returns the candidate closest to what the operator typed, for a
// "did you mean", or "" when none is close enough to be a slip of the
// fingers. Case is ignored.
func Suggest(typed string, candidates []string) string {
	typed = strings.ToLower(typed)
	best, bestDist := "", 0
	for _, c := range candidates {
		d := conversation.EditDistance(typed, strings.ToLower(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	// One slip in a short word, two in a longer one, three in a long key;
	// beyond that the "suggestion" is a guess.
	limit := 1
	switch n := len([]rune(typed)); {
	case n > 12:
		limit = 3
	case n > 4:
		limit = 2
	}
	if best == "" || bestDist > limit || bestDist == len([]rune(typed)) {
		return ""
	}
	return best
}

// YesNo writes a flag for the operator: yes or no.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
