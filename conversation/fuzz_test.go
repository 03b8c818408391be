package conversation

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Lord Howe and the others, whatever the machine has
	"unicode/utf8"
)

// Fuzz targets for every parser that reads what a stranger wrote in a
// reply. Each checks more than "no panic": an outcome is a result or an
// error, never both; the same text always reads the same; errors are of
// the documented kinds and say something; results lie within the ranges
// the doc comments promise.

// maxFuzzInput bounds what a target reads: replies are short, and the
// TestParse…Long tests below cover inputs longer than any reply.
const maxFuzzInput = 64 << 10

// maxMessage bounds what a problem quotes of what the person wrote: a
// little of it, never the whole reply back.
const maxMessage = 1 << 10

// isLine reports whether a message is valid UTF-8 without control
// characters: what it quotes of the reply is escaped.
func isLine(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// fuzzZones are the zones a target reads a reply in: two with hour-long
// summer time on either side of the Atlantic, Lord Howe whose clocks move
// by half an hour, and UTC.
var fuzzZones = []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"}

// fuzzNows are the instants a target reads a reply at: the table tests'
// own, a minute from each zone's clock changes in 2027, a day 365 days
// before Berlin's clocks go back, the turn of a year and a leap day.
var fuzzNows = []time.Time{
	time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC),  // TestParseCommand
	time.Date(2027, 2, 3, 8, 0, 0, 0, time.UTC),    // checkinNow
	time.Date(2027, 3, 28, 0, 59, 0, 0, time.UTC),  // Berlin springs forward at 01:00 UTC
	time.Date(2027, 3, 28, 1, 1, 0, 0, time.UTC),   //
	time.Date(2027, 10, 31, 0, 59, 0, 0, time.UTC), // Berlin falls back at 01:00 UTC
	time.Date(2027, 10, 31, 1, 1, 0, 0, time.UTC),  //
	time.Date(2027, 3, 14, 6, 59, 0, 0, time.UTC),  // New York springs forward at 07:00 UTC
	time.Date(2027, 11, 7, 5, 59, 0, 0, time.UTC),  // New York falls back at 06:00 UTC
	time.Date(2027, 4, 3, 14, 59, 0, 0, time.UTC),  // Lord Howe falls back half an hour at 15:00 UTC
	time.Date(2027, 10, 2, 15, 31, 0, 0, time.UTC), // Lord Howe springs forward at 15:30 UTC
	time.Date(2027, 10, 30, 10, 0, 0, 0, time.UTC), // 365 days before 2028-10-29, when Berlin falls back
	time.Date(2027, 12, 31, 23, 30, 0, 0, time.UTC),
	time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC),
}

// fuzzClock picks the instant and zone a reply is read at from one byte.
func fuzzClock(tb testing.TB, sel byte) (time.Time, *time.Location) {
	tb.Helper()
	loc := mustLoc(tb, fuzzZones[int(sel)%len(fuzzZones)])
	return fuzzNows[int(sel)/len(fuzzZones)%len(fuzzNows)], loc
}

// hostileSeeds are inputs meant to break tokenizers rather than to read
// as anything: long numbers, digits from other scripts, direction marks,
// NULs, lone carriage returns, long lines and long runs of one token, and
// invalid UTF-8.
func hostileSeeds() []string {
	return []string{
		"pause 99999999999999999999 weeks",
		"pause -1 days",
		"pause ٢ weeks",                 // Arabic-Indic digit
		"pause ２ weeks",                 // fullwidth digit
		"skip ٢٠٢٧-٠٢-٠٩",               // an ISO date in Arabic-Indic digits
		"\u200fpause 2 weeks\u200f",     // right-to-left marks
		"\u202eskip this week\u202c",    // right-to-left override
		"pause\x00 2 weeks",             // NUL
		"skip\x00",                      //
		"pause 2 weeks\rskip this week", // a carriage return without a line feed
		"Tuesdays\rat 10\r",             //
		"\xff\xfe\xfd",                  // invalid UTF-8
		"skip \xc0\xaf",                 // overlong encoding of '/'
		"Tuesdays at 10\xe2\x80",        // a cut multi-byte character
		"İ K ſ ß ﬃ",                     // case mappings that change length
		"tue 10:00 2251799813685249h weekly",
		"Tuesdays at 10 for 9007199254741022m",
		"Tuesdays at 10 for 99999999999999999999 hours",
		"Tuesdays at 10 for 2562047.8 hours",
		"Tuesday 99999999999999999999:00",
		"skip 99999999999999999999-02-09",
		"skip 0000-01-01",
		"skip 9999-12-31",
		"move to 9999-12-31 23:59",
		"pause until 0000-01-01",
		"pause until 9999-12-31",
		"5555555555555555555555555555",
		"4" + strings.Repeat(".", 1000),
		"pause until " + strings.Repeat("2027-01-05", 1000),
		"pause check-ins until " + strings.Repeat("someday ", 500),
		strings.Repeat("a", 16<<10),
		strings.Repeat("9", 16<<10),
		strings.Repeat("pause ", 2000),
		strings.Repeat("skip this week ", 1000),
		strings.Repeat("Tuesdays at 10 ", 1000),
		strings.Repeat("for an hour and a half ", 500),
		strings.Repeat("every other ", 1000),
		"move " + strings.Repeat("to ", 3000) + "Thursday",
		strings.Repeat("\n", 4000),
		strings.Repeat("\u200f", 4000),
	}
}

// sameOutcome reports whether two calls returned the same thing. Errors
// compare by type and message, since %#v would print their addresses.
func sameOutcome(a, b []any) bool {
	show := func(vs []any) string {
		var out []string
		for _, v := range vs {
			if err, ok := v.(error); ok {
				out = append(out, fmt.Sprintf("%T %s", err, err))
			} else {
				out = append(out, fmt.Sprintf("%#v", v))
			}
		}
		return strings.Join(out, "\n")
	}
	return show(a) == show(b)
}

// shown quotes s for a failure message, cut short: an input can be
// tens of kilobytes.
func shown(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%q… (%d octets)", s[:200], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// isASCII reports whether case folding of s is plain: outside ASCII,
// upper-casing can change a word (ı becomes I), so a check that the case
// does not matter would be unfair.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkProblem checks a problem found in a reply: it has a code, and
// what it quotes of the reply is a little of it, on one line.
func checkProblem(t *testing.T, call string, p Problem) {
	t.Helper()
	if p.Code == "" || len(p.Input) > maxMessage || !isLine(p.Input) {
		t.Fatalf("%s: problem %v, want a code and at most %d octets of input on one line", call, p, maxMessage)
	}
}

// checkCommandErr checks an error from a command parser: ErrNotCommand,
// or a *CommandError naming its problem.
func checkCommandErr(t *testing.T, call string, err error) {
	t.Helper()
	var ce *CommandError
	switch {
	case errors.Is(err, ErrNotCommand):
	case errors.As(err, &ce):
		checkProblem(t, call, ce.Problem)
	default:
		t.Fatalf("%s: error %T %v, want ErrNotCommand or *CommandError", call, err, err)
	}
}

// FuzzParseCommand reads questionnaire commands at the instants and in the
// zones of fuzzClock.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"skip", "  SKIP \n", "Stop.", "unsubscribe", "Help", "resume", "Export",
		"export my answers please", "pause", "pause 2 weeks", "Pause for 3 days",
		"pause 1w", "pause until 2027-01-05", "pause until 2025-01-05",
		"pause until next tuesday", "pause until 2029-01-05", "pause 0 days",
		"pause whenever", "", "skip this one, I need to think",
		"Help is what we need from each other", "We should stop meeting on Fridays",
		"pause 365 days", "pause 52 weeks", "pause 53 weeks", "pause 366 d",
		"pause until 2028-10-29", "pause till 2027-03-28", "unpause!", "?",
		"paus 2 weeks", "stp", "Pause for 2 weeks please.", "please skip this one",
		"I'm away until the 20th", "pause until January 5", "pause until the 31st",
		"Actually I meant that for question 3, sorry.", "resmue", "Can I skip?",
		"Agreement", "send me our agreement", "language de", "Langue : français", "language klingon",
		"pause til \x00", "pause until \x07 2027-01-05", "skip\x1b", "language \x00",
		// In French, German and Spanish, and mixed with English.
		"passer", "Passer cette question", "passer celle-ci, merci", "pause 2 semaines",
		"Pause pendant deux semaines, s'il vous plaît.", "mettre en pause une semaine",
		"pause jusqu'au 5 janvier", "pause jusqu’à lundi", "reprendre", "arrêter", "Arreter svp",
		"aide", "exporter", "annuler", "annuler ma dernière réponse", "Accord", "notre accord",
		"überspringen", "Diese Frage überspringen.", "pause 2 Wochen", "Pause für 3 Tage",
		"pause bis 5. Januar", "Pause bis zum 5. Januar, danke", "2 Wochen pausieren",
		"zwei Wochen pausieren, bitte", "fortsetzen", "Weiter", "Stopp bitte!", "beenden", "Hilfe",
		"exportieren", "rückgängig", "rueckgaengig machen", "meine letzte Antwort rückgängig machen",
		"unsere Vereinbarung bitte", "saltar", "Saltar esta pregunta", "pausa 2 semanas",
		"pausar dos semanas, por favor", "pausa hasta el 5 de enero", "reanudar", "continuar",
		"parar", "detener, gracias", "¿Ayuda?", "exportar", "deshacer", "nuestro acuerdo, gracias",
		"pause for 2 Wochen", "please pausa 2 semanas", "skip esta pregunta", "stop, gracias",
		"pause 0 semaines", "pausa hasta el 35 de enero", "pause bis 5. Januar 2020",
		"langue : français, merci", "D'accord.",
		"Passer plus de temps ensemble nous aiderait.", "Pause ist wichtig für uns beide.",
		"Saltar de un tema a otro nos cuesta.", "Reprendre confiance prend du temps.",
		"Die Pause am Mittag hilft uns.", "Weiter so, das klappt gut.",
	} {
		for sel := range byte(len(fuzzZones) * len(fuzzNows)) {
			f.Add(s, sel)
		}
	}
	for _, s := range hostileSeeds() {
		f.Add(s, byte(0))
	}
	f.Fuzz(func(t *testing.T, text string, sel byte) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		now, loc := fuzzClock(t, sel)
		checkParseCommand(t, text, now, loc)
	})
}

// checkParseCommand holds ParseCommand to its doc comment.
func checkParseCommand(t *testing.T, text string, now time.Time, loc *time.Location) {
	t.Helper()
	call := fmt.Sprintf("ParseCommand(%s, %v, %v)", shown(text), now, loc)
	c, err := ParseCommand(text, now, loc)
	c2, err2 := ParseCommand(text, now, loc)
	if !sameOutcome([]any{c, err}, []any{c2, err2}) {
		t.Fatalf("%s is not deterministic: %+v, %v then %+v, %v", call, c, err, c2, err2)
	}
	if isASCII(text) {
		if cu, erru := ParseCommand(strings.ToUpper(text), now, loc); !sameOutcome([]any{c, err}, []any{cu, erru}) {
			t.Fatalf("%s = %+v, %v, but in upper case %+v, %v", call, c, err, cu, erru)
		}
	}
	if err != nil {
		if c != (Command{}) {
			t.Fatalf("%s = %+v with error %v, want a zero Command", call, c, err)
		}
		var nm *NearMiss
		var aside *Aside
		switch {
		case errors.As(err, &nm):
			// What we ask "did you mean" about must itself be a command.
			_, serr := ParseCommand(nm.Suggestion, now, loc)
			var ce *CommandError
			if serr != nil && !errors.As(serr, &ce) {
				t.Fatalf("%s suggests %q, which reads as %v", call, nm.Suggestion, serr)
			}
		case errors.As(err, &aside):
		default:
			checkCommandErr(t, call, err)
		}
		return
	}
	if (c.Language != "") != (c.Kind == CmdLanguage) || c.Language != "" && !slices.Contains(Languages, c.Language) {
		t.Fatalf("%s = %+v: a language command, and only one, names a language Accord writes", call, c)
	}
	switch c.Kind {
	case CmdSkip, CmdResume, CmdStop, CmdHelp, CmdExport, CmdUndo, CmdAgreement, CmdLanguage:
		if !c.Until.IsZero() {
			t.Fatalf("%s = %+v: only a pause has an end", call, c)
		}
	case CmdPause:
		if c.Until.IsZero() {
			break
		}
		if !c.Until.After(now) || c.Until.Sub(now) > MaxPause {
			t.Fatalf("%s = %+v: a pause ends after now and within MaxPause (%v later)", call, c, c.Until.Sub(now))
		}
		if c.Until.Location().String() != loc.String() {
			t.Fatalf("%s = %+v: until is in %v, want %v", call, c, c.Until.Location(), loc)
		}
	default:
		t.Fatalf("%s = %+v: unknown kind with no error", call, c)
	}
}

// FuzzParseCheckinCommand reads check-in commands at the instants and in
// the zones of fuzzClock, with and without the check-in context.
func FuzzParseCheckinCommand(f *testing.F) {
	type seed struct {
		in      string
		context bool
	}
	seeds := []seed{
		{"skip this week", false}, {"Skip this week.", false}, {"SKIP NEXT WEEK!", false},
		{"skip this week's check-in", false}, {"skip 2027-02-09", false}, {"skip Feb 9", false},
		{"skip February 9th", false}, {"skip 9 February", false}, {"skip the 9th of February 2027", false},
		{"skip the check-in on 9.2.2027", false}, {"skip 9. Februar", false}, {"skip 9 février", false},
		{"skip 9 de febrero", false}, {"skip today", false}, {"skip tomorrow", false},
		{"skip Tuesday", false}, {"skip Wednesday", false}, {"skip Jan 2", false},
		{"skip the next check-in", false}, {"skip", true}, {"cancel this week", false},
		{"cancel the meeting on Feb 9", false},
		{"move to Thursday 14:00", false}, {"move this week to Thursday at 2pm", false},
		{"move 2027-02-09 to 2027-02-11 15:00", false}, {"Move Feb 9 to Thursday Feb 11 at 3", false},
		{"move the check-in to tomorrow 10:30", false}, {"reschedule next week to Friday", false},
		{"move it to 3pm", false}, {"change this week to Thursday 9:00", false},
		{"move all to Wednesdays 9:00", false}, {"move the series to every other Wednesday at 9", false},
		{"change to Wednesdays at 9", false}, {"move all check-ins to Thursday 14:00 for 45 minutes", false},
		{"move our 1:1s to Mondays", false}, {"change the time to 15:00", false},
		{"move to Wednesdays at 9", false},
		{"pause check-ins until 2027-03-01", false}, {"Pause the check-ins until March 1.", false},
		{"pause our 1:1s till 1 March", false}, {"pause one-on-ones until 2027-03-01", false},
		{"pause meetings until 2027-03-01", false}, {"pause checkins for 2 weeks", false},
		{"pause until 2027-03-01", true}, {"pause 10 days", true},
		{"cancel", true}, {"cancel check-ins", false}, {"Cancel the series!", false},
		{"cancel all our meetings", false}, {"stop check-ins", false}, {"stop the weekly check-ins", false},
		{"resume check-ins", false}, {"unpause the meetings", false}, {"resume", true},
		// TestParseCheckinCommandNotCommand.
		{"", false}, {"   ", true}, {"skip", false}, {"pause", false}, {"pause until 2027-03-01", false},
		{"pause 2 weeks", false}, {"resume", false}, {"cancel", false}, {"stop", false}, {"stop", true},
		{"help", true}, {"skip this question", false}, {"move fast and break things", false},
		{"Move to Berlin, that is my dream", false}, {"cancel my subscription", false},
		{"stop interrupting each other", false}, {"resume writing", false}, {"Tuesdays at 10", false},
		{"We should meet on Tuesdays at 10.", true},
		// TestParseCheckinCommandErrors.
		{"skip 2027-01-09", false}, {"skip Jan 20", false}, {"skip 2028-05-01", false},
		{"skip 2027-02-30", false}, {"skip Feb 30", false}, {"skip 9/2", false},
		{"skip the week after next", false}, {"skip whenever", true}, {"skip check-ins", false},
		{"move to Thursday at 25:00", false}, {"move to Thursday at 23:00", false},
		{"move to Thursday or Friday", false}, {"move to Thursday for an hour", false},
		{"move this week to every other Thursday", false},
		{"move 2027-02-09 to Wednesday 2027-02-11 15:00", false},
		{"move 2027-02-09 to 2027-02-01 15:00", false}, {"move to today 8:00", false},
		{"move to 2027-02-11 and 2027-02-12", false}, {"move all to 2027-02-11 10:00", false},
		{"move all to monthly on Tuesdays", false}, {"move the week after next to Thursday", false},
		{"move to Berlin", true}, {"move the check-in to somewhere nice", false}, {"move", true},
		{"pause check-ins", false}, {"pause", true}, {"pause check-ins until someday", false},
		{"pause check-ins until 2027-02-03", false}, {"pause check-ins until 2027-01-15", false},
		{"pause check-ins until 2029-01-01", false}, {"pause check-ins for 60 weeks", false},
		{"pause check-ins because of holidays", false},
		{"cancel the check-in", false}, {"stop the meeting", false}, {"cancel my subscription", true},
		{"cancel 2027-01-01", false},
		// TestCheckinCommandSpanAndNewStart.
		{"move to Monday", false}, {"move to Sunday at 11", false}, {"move next week to Friday 9:30", false},
		{"move 2027-02-09 to 2027-02-16 15:00", false}, {"move Feb 9 to Feb 10", false},
		// Around the clock changes and the ends of the year.
		{"move to today 2:30", true}, {"move to tomorrow 2:30am", true}, {"skip Feb 29", true},
		{"pause check-ins for 52 weeks", false}, {"pause 365 days", true}, {"skip Dec 31", true},
		{"move to 2028-02-29 at 10", true}, {"skip 31.12.2027", true},
		// The questionnaire's skip outside check-in mail.
		{"skip this one", false}, {"skip it", false}, {"skip next", false},
		// In French, German and Spanish, and mixed with English.
		{"passer cette semaine", false}, {"passer la semaine prochaine", false},
		{"Passer le 9 février", false}, {"passer le point du 9 février", false},
		{"déplacer à jeudi 14h", false}, {"déplacer au jeudi 14:00", false},
		{"déplacer le 9 février à jeudi 14h", false}, {"tout déplacer au mercredi 9h", false},
		{"déplacer tous les points au mercredi 9h", false}, {"pause des points jusqu'au 1er mars", false},
		{"pause des points 2 semaines", false}, {"mettre en pause les points pendant 2 semaines", false},
		{"reprendre les points", false}, {"annuler les points", false}, {"annuler cette semaine", false},
		{"arrêter les points", false}, {"passer", true}, {"annuler", true}, {"reprendre", true},
		{"pause jusqu'au 1er mars", true},
		{"diese Woche überspringen", false}, {"nächste Woche überspringen", false},
		{"am 9. Februar überspringen", false}, {"diese Woche ausfallen lassen", false},
		{"verschieben auf Donnerstag 14 Uhr", false}, {"auf Donnerstag 14 Uhr verschieben", false},
		{"alle auf Mittwoch 9 Uhr verschieben", false}, {"Check-ins bis 1. März pausieren", false},
		{"Check-ins pausieren bis 1. März", false}, {"Check-ins 2 Wochen pausieren", false},
		{"Check-ins fortsetzen", false}, {"Check-ins absagen", false}, {"diese Woche absagen", false},
		{"Check-ins beenden", false}, {"überspringen", true}, {"bis 1. März pausieren", true},
		{"saltar esta semana", false}, {"saltar la próxima semana", false},
		{"saltar la semana que viene", false}, {"saltar el 9 de febrero", false},
		{"mover al jueves 14:00", false}, {"mover al jueves a las 14:00", false},
		{"mover todas al miércoles 9:00", false}, {"pausar las reuniones hasta el 1 de marzo", false},
		{"pausar las reuniones 2 semanas", false}, {"reanudar las reuniones", false},
		{"cancelar las reuniones", false}, {"cancelar esta semana", false},
		{"parar las reuniones, por favor", false}, {"saltar", true}, {"pausa hasta el 1 de marzo", true},
		{"skip diese Woche", false}, {"skip la semaine prochaine", false},
		{"pause check-ins 2 semanas", false}, {"cancel las reuniones", false},
		{"resume les points", false}, {"pause the check-ins bis 1. März", false},
		{"passer le 9 janvier", false}, {"pause des points jusqu'au 30 février", false},
		{"passer les points", false}, {"mover todas al 11 de febrero 10:00", false},
		{"Passer en revue le budget", true}, {"Pause ist wichtig für uns beide.", true},
		{"Verschieben wir das Thema Budget", true}, {"Mover el proyecto adelante", true},
	}
	for _, s := range seeds {
		for sel := range byte(len(fuzzZones) * 3) {
			f.Add(s.in, sel, s.context)
		}
	}
	for _, s := range hostileSeeds() {
		f.Add(s, byte(5), true)
	}
	f.Fuzz(func(t *testing.T, text string, sel byte, checkinContext bool) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		now, loc := fuzzClock(t, sel)
		checkParseCheckinCommand(t, text, now, loc, checkinContext)
	})
}

// checkParseCheckinCommand holds ParseCheckinCommand to its doc comment
// and to those of CheckinCommand and MoveTarget.
func checkParseCheckinCommand(t *testing.T, text string, now time.Time, loc *time.Location, checkinContext bool) {
	t.Helper()
	call := fmt.Sprintf("ParseCheckinCommand(%s, %v, %v, %v)", shown(text), now, loc, checkinContext)
	c, err := ParseCheckinCommand(text, now, loc, checkinContext)
	c2, err2 := ParseCheckinCommand(text, now, loc, checkinContext)
	if !sameOutcome([]any{c, err}, []any{c2, err2}) {
		t.Fatalf("%s is not deterministic: %+v, %v then %+v, %v", call, c, err, c2, err2)
	}
	if isASCII(text) {
		if cu, erru := ParseCheckinCommand(strings.ToUpper(text), now, loc, checkinContext); !sameOutcome([]any{c, err}, []any{cu, erru}) {
			t.Fatalf("%s = %+v, %v, but in upper case %+v, %v", call, c, err, cu, erru)
		}
	}
	if err != nil {
		checkCommandErr(t, call, err)
		if c != (CheckinCommand{}) {
			t.Fatalf("%s = %+v with error %v, want a zero CheckinCommand", call, c, err)
		}
		return
	}

	// Without the context, a command claimed here must be claimed the same
	// way with it, and must not also be a questionnaire command.
	if !checkinContext {
		if cc, err := ParseCheckinCommand(text, now, loc, true); err != nil || cc != c {
			t.Fatalf("%s = %+v, but with the check-in context %+v, %v", call, c, cc, err)
		}
		if qc, err := ParseCommand(text, now, loc); err == nil {
			t.Fatalf("%s = %+v, and ParseCommand claims it too: %+v", call, c, qc)
		}
	}

	today := DateOf(now, loc)
	yearOn := dateAddYear(today)
	within := func(d Date) bool { return !dateBefore(d, today) && !dateBefore(yearOn, d) }
	fail := func(why string) {
		t.Helper()
		t.Fatalf("%s = %+v: %s (today is %v)", call, c, why, today)
	}
	zero := CheckinCommand{Kind: c.Kind}
	switch c.Kind {
	case CheckinCmdSkip, CheckinCmdMoveOne:
		switch {
		case c.Week:
			if c.Date != mondayOf(today) && c.Date != dateAddDays(mondayOf(today), 7) {
				fail("a week is this week or next, named by its Monday")
			}
		case !c.Date.IsZero() && !within(c.Date):
			fail("the meeting's day is not between today and a year from now")
		}
		if from, to := c.Span(loc); !c.Date.IsZero() && !from.Before(to) {
			fail(fmt.Sprintf("Span = %v, %v is empty", from, to))
		}
		zero.Date, zero.Week = c.Date, c.Week
		if c.Kind == CheckinCmdMoveOne {
			zero.To = c.To
		}
	case CheckinCmdMoveSeries:
		r := c.Series
		if r.Given == 0 {
			fail("a series move names no part of the schedule")
		}
		if r.Given.Has(GivenTime) && (r.Schedule.At < EarliestCheckin || r.Schedule.At > LatestCheckin) {
			fail("the new time is outside working hours")
		}
		old := Schedule{Weekday: time.Tuesday, At: 10 * 60, Length: DefaultCheckinLength, Every: 1}
		if err := r.Over(old).Validate(); err != nil {
			fail(fmt.Sprintf("Series.Over(%v) = %v, which does not validate: %v", old, r.Over(old), err))
		}
		zero.Series = c.Series
	case CheckinCmdPause:
		if !dateBefore(today, c.Until) || !within(c.Until) {
			fail("a pause ends after today and within a year")
		}
		zero.Until = c.Until
	case CheckinCmdCancel, CheckinCmdResume:
	default:
		fail("unknown kind with no error")
	}
	if c != zero {
		fail("fields set that the kind does not use")
	}
	if c.Kind != CheckinCmdMoveOne {
		return
	}
	to := c.To
	switch {
	case to.Date.IsZero() && !to.HasWeekday && !to.HasTime:
		fail("a move names neither a day nor a time")
	case !to.Date.IsZero() && !within(to.Date):
		fail("the new day is not between today and a year from now")
	case to.HasTime && (to.At < EarliestCheckin || to.At > LatestCheckin):
		fail("the new time is outside working hours")
	case !to.HasTime && (to.At != 0 || to.HourAssumed):
		fail("a time is set without HasTime")
	case !to.HasWeekday && to.Weekday != 0, to.Weekday < time.Sunday || to.Weekday > time.Saturday:
		fail("a weekday is set without HasWeekday, or is no weekday")
	case to.Date == today && to.HasTime && !to.At.on(now, loc).After(now):
		fail("the new time today has passed")
	}
	_ = c.NewStart(now, loc) // must not panic for any target
}

// FuzzParseSchedule reads schedules in the compact form and as phrases.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{
		// TestParseSchedule.
		"tue 10:00 30m weekly", "thu 14:30 45m biweekly", "TUE 10:00 1h30m weekly", "mon 9:00 1h",
		"Tuesdays at 10", "Tuesday 10am", "Mondays 9am", "every Monday at 9:30am",
		"every other Thursday 14:30 for 45 minutes", "every second Friday at 3pm for an hour",
		"Wednesdays 16:00, 1 hour", "fortnightly on Tuesdays at 11",
		"every 2 weeks on wednesday 13:15 for half an hour", "weekly on Fridays at noon",
		"tuesday 10.30", "Tue 10h30", "Thursday at 2:30 pm for 90 min", "Thursday 2 p.m.",
		"Tuesday 10 a.m. for 1.5 hours", "Tuesdays at 10 o'clock", "bi-weekly Tuesday 9:00 1h30m",
		"Tuesdays at 3", "Tuesdays at 6:30am", "Tuesdays at 12", "Friday 12pm",
		"Mondays 1 hour and a half at 10", "Mondays at 10 for 1 hour 15 minutes", "Tuesdays 10-11",
		"Tuesdays 2-3pm", "Tuesday 10:00 – 11:30", "Tuesdays from 14:00 to 14:45",
		"Let's do Tuesdays at 10, thanks!",
		"Hi both, how about every other Thursday at 14:30? It works for 2 people I think. Cheers",
		"dienstags um 10 Uhr", "Dienstag 10 Uhr 30", "jeden zweiten Donnerstag um 14:30",
		"Donnerstag 14 Uhr für eine Stunde", "MITTWOCHS um 9 Uhr, eine halbe Stunde",
		"alle zwei Wochen am Montag um 11", "le mardi à 10h", "le mardi a 10h",
		"tous les jeudis à 14h30", "un jeudi sur deux à 15h", "mardi 10h pendant une heure et demie",
		"Mercredi à midi", "los martes a las 10", "cada dos jueves a las 4",
		"miércoles a las 9 durante una hora", "dinsdag om 10 uur", "om de week op dinsdag om 10 uur",
		"martedì alle 10", "martedi alle 10 per un'ora", "terça às 10h", "terças-feiras às 14h",
		"quinzenalmente, sexta às 9h",
		// TestParseScheduleErrors.
		"", "sounds good", "at 10", "Tuesdays", "Tuesdays for an hour", "Tuesday or Thursday at 10",
		"Mon, Tue or Wed at 10", "Tuesdays at 10 or 14:00", "Tuesdays at 10 for 30 minutes or an hour",
		"Tuesday 25:00", "Tuesday 10:75", "Tuesday at 14pm", "Tuesday at 23:00", "Tuesday at 3 Uhr",
		"Tuesday 05:30", "Tuesday at 11pm", "Tuesdays at 10:00 for 10 minutes",
		"Tuesdays at 10 for 4 hours", "Tuesdays 9-5", "Tuesdays 14:00-13:00", "monthly on Tuesdays at 10",
		"every 3 weeks on Tuesday at 10", "every other week, Tuesdays at 10, weekly",
		"tue 24:00 30m weekly", "tue 10:00 4h weekly",
		// TestScheduleSpecRoundTrip and TestScheduleReadingOver.
		"mon 09:00 1h weekly", "wed 08:05 1h30m biweekly", "sat 12:00 3h weekly",
		"sun 02:30 15m weekly", "fri 23:45 2h biweekly", "Wednesdays at 9", "every Wednesday at 9",
		"Wednesdays at 9 for an hour",
	} {
		f.Add(s)
	}
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		checkParseSchedule(t, text)
	})
}

// checkParseSchedule holds ParseSchedule and ReadSchedule to their doc
// comments: a schedule comes back valid, a phrase names a weekday and a
// time in working hours, and Spec writes what reads back the same.
func checkParseSchedule(t *testing.T, text string) {
	t.Helper()
	call := fmt.Sprintf("ParseSchedule(%s)", shown(text))
	s, err := ParseSchedule(text)
	s2, err2 := ParseSchedule(text)
	if !sameOutcome([]any{s, err}, []any{s2, err2}) {
		t.Fatalf("%s is not deterministic: %v, %v then %v, %v", call, s, err, s2, err2)
	}
	r, rerr := ReadSchedule(text)
	if r.Schedule != s || fmt.Sprint(rerr) != fmt.Sprint(err) {
		t.Fatalf("%s = %v, %v but ReadSchedule = %v, %v", call, s, err, r.Schedule, rerr)
	}
	if isASCII(text) {
		if su, erru := ParseSchedule(strings.ToUpper(text)); !sameOutcome([]any{s, err}, []any{su, erru}) {
			t.Fatalf("%s = %v, %v, but in upper case %v, %v", call, s, err, su, erru)
		}
	}
	if err != nil {
		var se *ScheduleError
		if !errors.As(err, &se) {
			t.Fatalf("%s: error %T %.2000q, want a *ScheduleError", call, err, err)
		}
		checkProblem(t, call, se.Problem)
		if s != (Schedule{}) || r != (ScheduleReading{}) {
			t.Fatalf("%s = %v (reading %+v) with error %v, want zero values", call, s, r, err)
		}
		return
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("%s = %#v, which does not validate: %v", call, s, err)
	}
	if !r.Given.Has(GivenWeekday | GivenTime) {
		t.Fatalf("%s = %v read with given %04b, want at least a weekday and a time", call, s, r.Given)
	}
	spec := s.Spec()
	if back, err := ParseSchedule(spec); err != nil || back != s {
		t.Fatalf("%s = %#v, whose Spec %q reads back as %#v, %v", call, s, spec, back, err)
	}
	if m := specMatch(text); m != nil {
		// The compact form is taken literally: the length is the one written.
		h, _ := strconv.ParseFloat("0"+m[4], 64)
		mi, _ := strconv.ParseFloat("0"+m[5], 64)
		if written := h*60 + mi; s.Length.Minutes() != written {
			t.Fatalf("%s = %v, but %s h %s m were written", call, s, m[4], m[5])
		}
	} else if s.At < EarliestCheckin || s.At > LatestCheckin {
		t.Fatalf("%s = %v: a phrase's time must lie in working hours", call, s)
	}
	if r.HourAssumed && !r.Given.Has(GivenTime) {
		t.Fatalf("%s: HourAssumed without a time", call)
	}
}

// specMatch returns the parts of text when it is in the compact form,
// which is taken literally and at any hour.
func specMatch(text string) []string {
	m := specPattern.FindStringSubmatch(strings.Join(strings.Fields(strings.ToLower(text)), " "))
	if m == nil || m[4] == "" && m[5] == "" {
		return nil
	}
	return m
}

// FuzzParseRating reads replies to the review's rating question.
func FuzzParseRating(f *testing.F) {
	for _, s := range []string{
		"4", " 5. ", "3/5", "2 out of 5 – rough quarter", "Four, better than before",
		"1\n\nWe barely met.", "4th time lucky", "6", "0", "3.5", "about 4", "",
		"7", "great", "10/10", " 3.5 ", "5/5", "2 out of 5.", "five!", "FIVE of 5",
		"3 — fine", "05", "4,0", "4)", "3/10",
		"quatre", "3 sur 5", "Fünf", "fuenf", "2 von 5", "cuatro", "3 de 5", "Un peu", "vierzig",
	} {
		f.Add(s)
	}
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		checkParseRating(t, text)
	})
}

// checkParseRating holds ParseRating to its doc comment: a score from 1
// to 5 and the comment that follows it, or ErrRating.
func checkParseRating(t *testing.T, text string) {
	t.Helper()
	call := fmt.Sprintf("ParseRating(%s)", shown(text))
	score, comment, err := ParseRating(text)
	score2, comment2, err2 := ParseRating(text)
	if !sameOutcome([]any{score, comment, err}, []any{score2, comment2, err2}) {
		t.Fatalf("%s is not deterministic: %d, %q, %v then %d, %q, %v", call, score, comment, err, score2, comment2, err2)
	}
	if isASCII(text) {
		if su, _, erru := ParseRating(strings.ToUpper(text)); su != score || (erru == nil) != (err == nil) {
			t.Fatalf("%s = %d, %v, but in upper case %d, %v", call, score, err, su, erru)
		}
	}
	if err != nil {
		if !errors.Is(err, ErrRating) || err.Error() == "" {
			t.Fatalf("%s: error %v, want ErrRating", call, err)
		}
		if score != 0 || comment != "" {
			t.Fatalf("%s = %d, %q with error %v, want zero values", call, score, comment, err)
		}
		return
	}
	if score < 1 || score > 5 {
		t.Fatalf("%s = %d, want a score from 1 to 5", call, score)
	}
	if comment != strings.TrimSpace(comment) || !strings.HasSuffix(strings.TrimSpace(text), comment) {
		t.Fatalf("%s comment = %q, want the trimmed end of the reply", call, comment)
	}
}

// FuzzParseDate reads dates and clock times as ParseDate and
// ParseClockTime take them.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2027-01-05", "2025-01-05", "2029-01-05", "2028-02-29", "2027-02-29", "2027-02-30",
		"0000-01-01", "9999-12-31", "2027-1-5", "2027-13-01", "2027-00-10", "27-01-05",
		"2027-01-05T10:00", " 2027-01-05", "next tuesday",
		"08:00", "20:30", " 7:05 ", "24:00", "noon", "00:00", "23:59", "7:5", "07:60", "-1:00",
		"12:00pm", "\t08:00\n",
	} {
		f.Add(s)
	}
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		checkParseDate(t, text)
		checkParseClockTime(t, text)
	})
}

// checkParseDate holds ParseDate to its form: what it reads, String writes
// back as it was, and UnmarshalText agrees.
func checkParseDate(t *testing.T, text string) {
	t.Helper()
	call := fmt.Sprintf("ParseDate(%s)", shown(text))
	d, err := ParseDate(text)
	d2, err2 := ParseDate(text)
	if !sameOutcome([]any{d, err}, []any{d2, err2}) {
		t.Fatalf("%s is not deterministic: %v, %v then %v, %v", call, d, err, d2, err2)
	}
	var u Date
	uerr := u.UnmarshalText([]byte(text))
	if err != nil {
		if err.Error() == "" || d != (Date{}) {
			t.Fatalf("%s = %v, %q, want a zero Date and a message", call, d, err)
		}
		if text != "" && uerr == nil {
			t.Fatalf("%s failed but UnmarshalText read %v", call, u)
		}
		return
	}
	if uerr != nil || u != d {
		t.Fatalf("%s = %v but UnmarshalText = %v, %v", call, d, u, uerr)
	}
	if d.IsZero() || d.String() != text {
		t.Fatalf("%s = %v, which writes back as %q", call, d, d.String())
	}
	if got := DateOf(d.Start(time.UTC), time.UTC); got != d {
		t.Fatalf("%s = %v, whose day starts on %v", call, d, got)
	}
	if b, err := d.MarshalText(); err != nil || string(b) != text {
		t.Fatalf("%s = %v, which marshals as %q, %v", call, d, b, err)
	}
}

// checkParseClockTime holds ParseClockTime to its form: a time of day
// that String writes back in a form read as the same time.
func checkParseClockTime(t *testing.T, text string) {
	t.Helper()
	call := fmt.Sprintf("ParseClockTime(%s)", shown(text))
	c, err := ParseClockTime(text)
	c2, err2 := ParseClockTime(text)
	if !sameOutcome([]any{c, err}, []any{c2, err2}) {
		t.Fatalf("%s is not deterministic: %v, %v then %v, %v", call, c, err, c2, err2)
	}
	if err != nil {
		if err.Error() == "" || c != 0 {
			t.Fatalf("%s = %d, %q, want 0 and a message", call, int(c), err)
		}
		return
	}
	if c < 0 || c >= 24*60 {
		t.Fatalf("%s = %d minutes, want a time of day", call, int(c))
	}
	if back, err := ParseClockTime(c.String()); err != nil || back != c {
		t.Fatalf("%s = %v, which reads back as %v, %v", call, c, back, err)
	}
}

// longSize is the length of the Long tests' inputs: more than the 200 KiB
// of a reply that package reply reads, so more than any parser here can
// ever be handed from mail.
const longSize = 256 << 10

// longText repeats tok to longSize.
func longText(tok string) string {
	return strings.Repeat(tok, longSize/len(tok)+1)
}

// countingText writes token(0), token(1), … after prefix until longSize:
// a long run of tokens that all differ, which defeats any deduplication.
func countingText(prefix string, token func(i int) string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; b.Len() < longSize; i++ {
		b.WriteString(token(i))
	}
	return b.String()
}

// minutesFrom15 counts lengths from 15 minutes up.
func minutesFrom15(i int) string { return fmt.Sprintf("%dm ", 15+i) }

// outcome says what a parser made of a text in one string: the kind it
// read, or the error's message.
func outcome(kind any, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(kind)
}

// The Long tests feed each parser longSize of text and check the outcome;
// the test binary's timeout is what catches a parser gone quadratic. The
// regular expressions cost about a microsecond a byte (ten under the race
// detector), so each keeps to the cases that matter.

func TestParseCommandLong(t *testing.T) {
	t.Parallel()
	now, loc := fuzzClock(t, 0)
	for _, tc := range []struct{ in, want string }{
		{longText("pause "), "pause-unclear"},
		{"pause " + longText("9") + " weeks", "pause-unclear"},
		{"pause until " + longText("2027-01-05"), `pause-date input="2027-01-052027-01-052027-01-052027-01-05…"`},
		{longText("skip\u200f "), "not a command"},
		{longText("\n") + "skip" + longText("\r"), "skip"},
	} {
		c, err := ParseCommand(tc.in, now, loc)
		if got := outcome(c.Kind, err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("ParseCommand(%d octets of %q…) = %.200s, want %q", len(tc.in), tc.in[:20], got, tc.want)
		}
	}
}

func TestParseCheckinCommandLong(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	for _, tc := range []struct{ in, want string }{
		{"skip " + longText("this week "), "checkin-skip-unclear"},
		{"move " + longText("Feb 9 ") + "to Thursday", "checkin-move-which"},
		{"pause check-ins until " + longText("2027-03-01 "), `checkin-pause-date input="2027-03-01 2027-03-01 2027-03-01 2027-03…"`},
	} {
		c, err := ParseCheckinCommand(tc.in, now, loc, true)
		if got := outcome(c.Kind, err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("ParseCheckinCommand(%d octets of %q…) = %.200s, want %q", len(tc.in), tc.in[:20], got, tc.want)
		}
	}
}

func TestParseScheduleLong(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{longText("Tuesdays at 10 for an hour "), "tue 10:00 1h weekly"},
		{countingText("Tuesday at 10 ", minutesFrom15), "several-lengths length=15m0s length=16m0s length=17m0s length=18m0s length=19m0s"},
		{"Tuesdays at 10 for " + longText("9") + " minutes", "length-absurd"},
	} {
		s, err := ParseSchedule(tc.in)
		if got := outcome(s, err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("ParseSchedule(%d octets of %q…) = %.200s, want %q", len(tc.in), tc.in[:20], got, tc.want)
		}
	}
}

func TestParseRatingLong(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		score int
	}{
		{"4 " + longText("good quarter "), 4},
		{longText("5"), 0},
		{"3" + longText("."), 3},
	} {
		if score, _, _ := ParseRating(tc.in); score != tc.score {
			t.Errorf("ParseRating(%d octets of %q…) = %d, want %d", len(tc.in), tc.in[:20], score, tc.score)
		}
	}
}

func TestParseDateLong(t *testing.T) {
	t.Parallel()
	for _, in := range []string{longText("2027-01-05"), longText("0"), "2027-01-05" + longText(" ")} {
		if d, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%d octets of %q…) = %v, want an error", len(in), in[:20], d)
		}
		if c, err := ParseClockTime(in); err == nil {
			t.Errorf("ParseClockTime(%d octets of %q…) = %v, want an error", len(in), in[:20], c)
		}
	}
	if c, err := ParseClockTime(longText(" ") + "08:00" + longText("\t")); err != nil || c != 8*60 {
		t.Errorf("ParseClockTime(08:00 in a long run of blanks) = %v, %v, want 08:00", c, err)
	}
}

// TestParseScheduleHugeNumbers pins what fuzzing found: a long run of
// digits overflowed the length, which wrapped round to a negative length
// or even to one that passed the checks.
func TestParseScheduleHugeNumbers(t *testing.T) {
	t.Parallel()
	const far = "length-absurd"
	for _, in := range []string{
		"tue 10:00 2251799813685249h weekly", // 2⁵¹+1 hours wrap to 1 hour
		"tue 10:00 " + strconv.Itoa(1<<53+30) + "m weekly",
		"Tuesdays at 10 for 9007199254741022m", // 2⁵³+30 minutes wrap to 30 minutes
		"Tuesdays at 10 for 9007199254741022 minutes",
		"Tuesdays at 10 for 99999999999999999999 hours",
		"Tuesdays at 10 for 2562047.8 hours",
		"Tuesdays at 10 for 1 hour and 99999999999999999999 minutes",
		"Tuesdays at 10 for 1000 hours",
	} {
		s, err := ParseSchedule(in)
		if err == nil || err.Error() != far {
			t.Errorf("ParseSchedule(%q) = %v, %v, want %q", in, s, err, far)
		}
	}
}

// TestParseCommandPauseAcrossClockChange pins what fuzzing found: 365
// calendar days that hold the autumn clock change last an hour (half an
// hour on Lord Howe) longer than MaxPause.
func TestParseCommandPauseAcrossClockChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone string
		now  time.Time
	}{
		{"Europe/Berlin", time.Date(2027, 10, 30, 10, 0, 0, 0, time.UTC)},
		{"America/New_York", time.Date(2027, 11, 6, 12, 0, 0, 0, time.UTC)},
		{"Australia/Lord_Howe", time.Date(2027, 4, 3, 12, 0, 0, 0, time.UTC)},
	} {
		loc := mustLoc(t, tc.zone)
		c, err := ParseCommand("pause 365 days", tc.now, loc)
		if err != nil || c.Until.Sub(tc.now) > MaxPause || c.Until.Sub(tc.now) < MaxPause-time.Hour {
			t.Errorf("ParseCommand(pause 365 days, %v, %s) = %v (%v later), %v, want within MaxPause", tc.now, tc.zone, c.Until, c.Until.Sub(tc.now), err)
		}
	}
}

// FuzzParseRewrites reads replies that may rewrite agreement topics
// ("change 7: …").
func FuzzParseRewrites(f *testing.F) {
	for _, s := range []string{
		"change 7: We say what bothers us within a day.", "Change #7 - new", "change theme 12 — x",
		"change 3:\nbelow\nchange 5: other", "4 — fine\n\nchange 3: words", "change 3", "change 0: zero",
		"change 1234: no", "We should change 2 things: a and b", "change 2027-02-09 to Thursday",
		"- change 2: listed", "change 3: a\r\nb\rc", "change no.3: x", "change\t#\t3\t:\tx",
		"modifier 7 : x", "Changer le point 7 - x", "ändern Punkt 7: x", "cambiar el punto 7 — x", "Modifier 3 choses",
	} {
		f.Add(s)
	}
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		call := fmt.Sprintf("ParseRewrites(%s)", shown(text))
		rest, rws, ok := ParseRewrites(text)
		rest2, rws2, ok2 := ParseRewrites(text)
		if rest != rest2 || ok != ok2 || fmt.Sprint(rws) != fmt.Sprint(rws2) {
			t.Fatalf("%s is not deterministic", call)
		}
		if !ok {
			if rest != text || rws != nil {
				t.Fatalf("%s = %q, %+v without a rewrite, want the text back", call, rest, rws)
			}
			return
		}
		if len(rws) == 0 {
			t.Fatalf("%s found a rewrite but returned none", call)
		}
		if rest != strings.TrimSpace(rest) {
			t.Fatalf("%s = rest %q, not trimmed", call, rest)
		}
		if _, _, again := ParseRewrites(rest); again {
			t.Fatalf("%s left a rewrite in the rest %q", call, rest)
		}
		for _, rw := range rws {
			if rw.Number < 0 || rw.Number > 999 {
				t.Fatalf("%s = number %d, want three digits at most", call, rw.Number)
			}
			if rw.Text != strings.TrimSpace(rw.Text) {
				t.Fatalf("%s = words %q, not trimmed", call, rw.Text)
			}
		}
		if isASCII(text) {
			_, up, okUp := ParseRewrites(strings.ToUpper(text))
			if okUp != ok || len(up) != len(rws) {
				t.Fatalf("%s = %+v, but in upper case %+v", call, rws, up)
			}
			for i := range up {
				if up[i].Number != rws[i].Number {
					t.Fatalf("%s = %+v, but in upper case %+v", call, rws, up)
				}
			}
		}
	})
}

// FuzzHandleReply hands arbitrary words, over the routes mailin can give
// them, to a partnership under way and to one with an agreement: nothing
// panics, a reply with no error has an outcome, and a reply held back,
// refused or unreadable reaches no one but its writer.
func FuzzHandleReply(f *testing.F) {
	for _, s := range []string{
		"We meet on Tuesdays.", "pause 2 weeks", "paus 2 weeks", "stop", "skip this week", "move to Thursday 14:00",
		"agree all", "change 2: we meet weekly", "4 — good quarter", "Tuesdays at 10", "resume", "", "help",
		"Actually I meant that for question 3, sorry.", "1 yes, 2 partly", "undo",
		"pause 2 semaines", "diese Woche überspringen", "mover al jueves 14:00", "annuler",
		"Pause ist wichtig für uns beide.", "Passer en revue le budget", "¿Ayuda?",
		"d'accord 1-3", "tout d'accord", "modifier 2 : nous", "ändern 2: wir", "cambiar 2: nos", "1 oui, 2 en partie",
		"alle ja", "todos sí", "Oui, je pense que oui.", "quatre, mieux",
	} {
		for sel := range byte(16) {
			f.Add(s, sel)
		}
	}
	f.Fuzz(func(t *testing.T, text string, sel byte) {
		if len(text) > maxFuzzInput {
			t.Skip()
		}
		var p *Partnership
		if sel&1 == 0 {
			p = pair(t, 3, noQuiet(), t0)
			p.Enroll(t0)
		} else {
			p = finishedPair(t, 3)
		}
		r := Reply{Text: text, ToAgreement: sel&2 != 0, Checkin: sel&4 != 0, EchoSince: t0}
		if sel&8 != 0 {
			r.QuestionID = "q2"
		}
		if sel&16 != 0 {
			r.Purpose = MsgScheduleAsk
		}
		if sel&32 != 0 {
			r.Draft = &DraftRound{Round: 1}
		}
		me, partner := p.Participants[0], p.Participants[1]
		o, msgs, err := p.HandleReply(me.ID, r, t0.Add(24*time.Hour))
		if err == nil && o.Kind == "" {
			t.Fatalf("HandleReply(%s) = no outcome, no error", shown(text))
		}
		for _, m := range msgs {
			if m.To != me && m.To != partner {
				t.Fatalf("HandleReply(%s) wrote to %v, who is not in the partnership", shown(text), m.To)
			}
		}
		switch o.Kind {
		case OutcomeHeld, OutcomeRejected, OutcomeUnreadable:
			if got := kindsTo(msgs, partner); len(got) > 0 {
				t.Fatalf("HandleReply(%s) = %s %q, and the partner hears %v", shown(text), o.Kind, o.Detail, got)
			}
		}
	})
}
