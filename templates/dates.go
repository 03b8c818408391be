package templates

import (
	"strconv"
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/es"
	"github.com/go-playground/locales/fr"

	"accord/conversation"
)

// calendars give each language's names of the days and months, from the
// Unicode CLDR data the locales module is generated from.
var calendars = map[string]locales.Translator{"en": en.New(), "fr": fr.New(), "de": de.New(), "es": es.New()}

// moment is a time taken apart for the phrases that write it (see
// words/<language>.tmpl): the weekday and month in words, the day, the
// year and the time of day as numbers.
type moment struct {
	Weekday, Day, Month, Year, Time string
}

// CalendarOf is lang's calendar: the names of its days and months, from
// CLDR; English's for a language without one.
func CalendarOf(lang string) locales.Translator {
	if c := calendars[Language(lang)]; c != nil {
		return c
	}
	return calendars[DefaultLanguage]
}

func momentIn(lang string, t time.Time) moment {
	c := CalendarOf(lang)
	return moment{Weekday: c.WeekdayWide(t.Weekday()), Day: strconv.Itoa(t.Day()), Month: c.MonthWide(t.Month()),
		Year: strconv.Itoa(t.Year()), Time: t.Format("15:04")}
}

// LongDate writes a day in lang the way people say it: "Tuesday 5 January
// 2027", "mardi 5 janvier 2027". t is read in its own location.
func LongDate(lang string, t time.Time) string { return word(lang, "long-date", momentIn(lang, t)) }

// DayMonth writes a day without its weekday or year: "5 January".
func DayMonth(lang string, t time.Time) string { return word(lang, "day-month", momentIn(lang, t)) }

// DayMonthYear writes a day without its weekday: "5 January 2027".
func DayMonthYear(lang string, t time.Time) string {
	return word(lang, "day-month-year", momentIn(lang, t))
}

// Meeting writes when a meeting starts: "Tuesday 16 March at 10:00".
func Meeting(lang string, t time.Time) string { return word(lang, "meeting", momentIn(lang, t)) }

// When writes a moment as the end of a sentence: "on Monday 23 November
// at 08:00".
func When(lang string, t time.Time) string { return word(lang, "when", momentIn(lang, t)) }

// WeekdayTime writes a weekday and a time of day: "Thursday 14:00".
func WeekdayTime(lang string, t time.Time) string {
	return word(lang, "weekday-time", momentIn(lang, t))
}

// WeekdayName is a day of the week in lang: "Tuesday", "mardi".
func WeekdayName(lang string, d time.Weekday) string {
	return CalendarOf(lang).WeekdayWide(d)
}

// dateWords is LongDate for a calendar day of the domain.
func dateWords(lang string, d conversation.Date) string { return LongDate(lang, d.Start(time.UTC)) }
