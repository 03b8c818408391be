package conversation

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of a check-in. The length bounds keep a meeting long enough to be
// worth holding and short enough to happen every week.
const (
	MinCheckinLength     = 15 * time.Minute
	MaxCheckinLength     = 3 * time.Hour
	DefaultCheckinLength = 30 * time.Minute
)

// EarliestCheckin and LatestCheckin bound the start of a check-in read from
// what a person wrote: these are workplace meetings, so a night-time hour is
// far more likely a slip than a wish.
const (
	EarliestCheckin ClockTime = 6 * 60
	LatestCheckin   ClockTime = 22 * 60
)

// maxOccurrences bounds the slots Occurrences returns and the ones
// CheckTimes looks at: about twenty years of weekly meetings.
const maxOccurrences = 1000

// Schedule is when a pair meets for check-ins: every week or every other
// week on one weekday, at a local time in the lead's zone.
type Schedule struct {
	Weekday time.Weekday
	At      ClockTime
	Length  time.Duration
	// Every is 1 for weekly meetings and 2 for every other week.
	Every int
}

// ScheduleError is a schedule that cannot be used as written; Problem
// says why, for the templates to tell whoever wrote it. For a clock
// change, Problem.Date is the day it makes the time impossible.
type ScheduleError struct{ Problem Problem }

func (e *ScheduleError) Error() string { return e.Problem.String() }

// scheduleErr is a *ScheduleError for code, with the values fill sets.
func scheduleErr(code ProblemCode, fill ...func(*Problem)) *ScheduleError {
	return &ScheduleError{Problem: problem(code, fill...).Problem}
}

// Validate checks the schedule an operator or a person set. It does not
// apply the working-hours rule of ReadSchedule: an operator may set any
// hour, and CheckTimes catches hours that clock changes make impossible.
func (s Schedule) Validate() error {
	switch {
	case s.Weekday < time.Sunday || s.Weekday > time.Saturday:
		return scheduleErr(ProblemScheduleWeekday)
	case s.At < 0 || s.At >= 24*60:
		return scheduleErr(ProblemScheduleClock)
	case s.Length%time.Minute != 0:
		return scheduleErr(ProblemScheduleMinutes, func(p *Problem) { p.Length = s.Length })
	case s.Length < MinCheckinLength || s.Length > MaxCheckinLength:
		return lengthError(s.Length)
	case s.Every != 1 && s.Every != 2:
		return scheduleErr(ProblemScheduleEvery)
	}
	return nil
}

func lengthError(d time.Duration) *ScheduleError {
	if d >= maxLengthRead {
		return scheduleErr(ProblemLengthAbsurd)
	}
	code := ProblemLengthShort
	if d > MaxCheckinLength {
		code = ProblemLengthLong
	}
	return scheduleErr(code, func(p *Problem) { p.Length = d })
}

// maxLengthRead caps a length read from text before it becomes a
// Duration. A long run of digits would otherwise overflow and wrap round,
// to a negative length or even to one that passes the checks; anything
// this long is refused as too long all the same.
const maxLengthRead = 1000 * time.Hour

// lengthOf turns a number of minutes as written into a length, rounded to
// the minute and capped at maxLengthRead.
func lengthOf(minutes float64) time.Duration {
	if !(minutes < maxLengthRead.Minutes()) {
		return maxLengthRead
	}
	return time.Duration(minutes * float64(time.Minute)).Round(time.Minute)
}

// String is the schedule's compact form (see Spec), for logs and tests;
// templates.ScheduleWords says it to people.
func (s Schedule) String() string { return s.Spec() }

// Spec writes the schedule in the compact form operators type, which
// ParseSchedule reads back: "tue 10:00 30m weekly", "thu 14:30 1h30m biweekly".
func (s Schedule) Spec() string {
	h, m := int(s.Length/time.Hour), int(s.Length%time.Hour/time.Minute)
	length := fmt.Sprintf("%dm", m)
	switch {
	case h > 0 && m > 0:
		length = fmt.Sprintf("%dh%dm", h, m)
	case h > 0:
		length = fmt.Sprintf("%dh", h)
	}
	every := "weekly"
	if s.Every == 2 {
		every = "biweekly"
	}
	day := strings.ToLower(s.Weekday.String())
	if len(day) > 3 {
		day = day[:3]
	}
	return fmt.Sprintf("%s %s %s %s", day, s.At, length, every)
}

// ScheduleFields says which parts of a schedule a phrase named, so a change
// can keep the parts it left out.
type ScheduleFields uint8

// The parts of a schedule a phrase can name.
const (
	GivenWeekday ScheduleFields = 1 << iota
	GivenTime
	GivenLength
	GivenEvery
)

// Has reports whether all of g were given.
func (f ScheduleFields) Has(g ScheduleFields) bool { return f&g == g }

// ScheduleReading is what ReadSchedule understood from a phrase.
type ScheduleReading struct {
	// Schedule has the defaults (30 minutes, weekly) where the phrase named
	// no length or frequency.
	Schedule Schedule
	Given    ScheduleFields
	// HourAssumed is set when the hour was written without am/pm or a
	// 24-hour form ("at 3", "9:30") and was read by the working-day rule:
	// 7 to 11 in the morning, 12 at noon, 1 to 6 in the afternoon. The
	// confirmation should then spell the time out.
	HourAssumed bool
	// recurring is set when the phrase itself speaks of a series: a plural
	// weekday, "every Monday" or a frequency.
	recurring bool
}

// Over applies the fields the phrase named to old: "Wednesdays at 9" keeps
// old's length and frequency.
func (r ScheduleReading) Over(old Schedule) Schedule {
	s := old
	if r.Given.Has(GivenWeekday) {
		s.Weekday = r.Schedule.Weekday
	}
	if r.Given.Has(GivenTime) {
		s.At = r.Schedule.At
	}
	if r.Given.Has(GivenLength) {
		s.Length = r.Schedule.Length
	}
	if r.Given.Has(GivenEvery) {
		s.Every = r.Schedule.Every
	}
	return s
}

// ParseSchedule reads a check-in schedule as a lead writes it in a reply or
// an operator types it; see ReadSchedule, which also says which parts were
// written and whether the hour was guessed.
func ParseSchedule(text string) (Schedule, error) {
	r, err := ReadSchedule(text)
	return r.Schedule, err
}

var specPattern = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun) (\d\d):(\d\d) (?:(\d+)h)?(?:(\d+)m)? (weekly|biweekly)$`)

// ReadSchedule reads a check-in schedule and says which parts were written.
//
// The compact form, exactly as Spec writes it ("sun 02:30 1h weekly": a
// three-letter day, a two-digit 24-hour time, a length and weekly or
// biweekly), is taken literally at any hour, so operators can set odd
// times. Anything else is read as a person's phrase, in English, German,
// French, Spanish, Dutch, Italian or Portuguese, with other words around it
// ignored: "Tuesdays at 10", "every other Thursday 14:30 for 45 minutes",
// "dienstags um 10 Uhr", "un jeudi sur deux à 14h30". A phrase must name one
// weekday and one time between 06:00 and 22:00; length defaults to 30
// minutes and frequency to weekly. Errors are *ScheduleError.
func ReadSchedule(text string) (ScheduleReading, error) {
	spec := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	if m := specPattern.FindStringSubmatch(spec); m != nil && (m[4] != "" || m[5] != "") {
		return readSpec(m)
	}
	r, err := readPhrase(phraseWords(text), false)
	if err != nil {
		return ScheduleReading{}, err
	}
	return r, nil
}

func readSpec(m []string) (ScheduleReading, error) {
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	if h > 23 || mi > 59 {
		return ScheduleReading{}, scheduleErr(ProblemNotTime, func(p *Problem) { p.Input = m[2] + ":" + m[3] })
	}
	lh, _ := strconv.Atoi(m[4])
	lm, _ := strconv.Atoi(m[5])
	s := Schedule{
		Weekday: weekdayNames[m[1]].day,
		At:      ClockTime(h*60 + mi),
		Length:  lengthOf(float64(lh)*60 + float64(lm)),
		Every:   1,
	}
	if m[6] == "biweekly" {
		s.Every = 2
	}
	if err := s.Validate(); err != nil {
		return ScheduleReading{}, err
	}
	return ScheduleReading{Schedule: s, Given: GivenWeekday | GivenTime | GivenLength | GivenEvery, recurring: true}, nil
}

// First is the first meeting that starts strictly after after: on the
// schedule's weekday at its local time in loc.
func (s Schedule) First(after time.Time, loc *time.Location) time.Time {
	lt := after.In(loc)
	y, m, d := lt.Date()
	d += (int(s.Weekday) - int(lt.Weekday()) + 7) % 7
	t := s.on(y, m, d, loc)
	if !t.After(after) {
		t = s.on(y, m, d+7, loc)
	}
	return t
}

// Next is the meeting Every weeks after prev: the calendar day 7·Every days
// after prev's local day, at the schedule's local time, so the wall clock
// stays put when daylight saving time starts or ends.
func (s Schedule) Next(prev time.Time, loc *time.Location) time.Time {
	y, m, d := prev.In(loc).Date()
	return s.on(y, m, d+7*s.every(), loc)
}

// Occurrences lists the slots of a series that starts at first and that
// fall in [from, to), in order. Slot n is on first's local day plus
// n·7·Every days, at the schedule's local time. At most 1000 slots come
// back (about twenty years of weekly meetings), so an open-ended range
// cannot run away.
func (s Schedule) Occurrences(first, from, to time.Time, loc *time.Location) []time.Time {
	if !from.Before(to) {
		return nil
	}
	step := 7 * s.every()
	y, m, d := first.In(loc).Date()
	// Jump close to from instead of walking every slot since first.
	k := 0
	if from.After(first) {
		k = max(civilDays(first.In(loc), from.In(loc))/step-1, 0)
	}
	var out []time.Time
	for ; len(out) < maxOccurrences; k++ {
		t := s.on(y, m, d+k*step, loc)
		if !t.Before(to) {
			break
		}
		if !t.Before(from) {
			out = append(out, t)
		}
	}
	return out
}

// CheckTimes refuses a series whose local start or end time does not exist
// (clocks jump past it) or happens twice (clocks go back over it) on any
// meeting from first until horizon later; a horizon of zero or less checks
// the first meeting only. The error is a *ScheduleError naming the day.
// Meetings that merely span a clock change are allowed.
func (s Schedule) CheckTimes(first time.Time, loc *time.Location, horizon time.Duration) error {
	y, m, d := first.In(loc).Date()
	step := 7 * s.every()
	end := first.Add(horizon)
	for k := range maxOccurrences {
		if k > 0 && !s.on(y, m, d+k*step, loc).Before(end) {
			break
		}
		day := time.Date(y, m, d+k*step, 0, 0, 0, 0, time.UTC)
		if err := checkWallTime(day.Add(time.Duration(s.At)*time.Minute), loc, false); err != nil {
			return err
		}
		if err := checkWallTime(day.Add(time.Duration(s.At)*time.Minute+s.Length), loc, true); err != nil {
			return err
		}
	}
	return nil
}

func (s Schedule) every() int {
	if s.Every == 2 {
		return 2
	}
	return 1
}

// on is the schedule's time on a calendar day in loc; time.Date normalises
// the day, so d may run past the end of the month.
func (s Schedule) on(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, int(s.At)/60, int(s.At)%60, 0, 0, loc)
}

// civilDays counts calendar days from a's day to b's day, each in its own
// zone.
func civilDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
}

// checkWallTime checks that the wall time w (its fields read as local to
// loc) happens exactly once in loc.
func checkWallTime(w time.Time, loc *time.Location, isEnd bool) error {
	guess := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, loc)
	// The wall time can only be reached from the offsets in force around
	// it; try each and keep the instants that really show that wall time.
	var found []time.Time
	for _, probe := range []time.Time{guess.Add(-12 * time.Hour), guess, guess.Add(12 * time.Hour)} {
		_, off := probe.Zone()
		u := time.Unix(w.Unix()-int64(off), 0).In(loc)
		if sameWallTime(u, w) && !slices.ContainsFunc(found, u.Equal) {
			found = append(found, u)
		}
	}
	if len(found) == 1 {
		return nil
	}
	at := ClockTime(w.Hour()*60 + w.Minute())
	day := Date{w.Year(), w.Month(), w.Day()}
	from, to := clockChange(guess, loc)
	code := ProblemClockTwiceEnd
	switch {
	case len(found) == 0 && !isEnd:
		code = ProblemClockGap
	case len(found) == 0:
		code = ProblemClockGapEnd
	case !isEnd:
		code = ProblemClockTwice
	}
	return scheduleErr(code, func(p *Problem) { p.Date, p.Zone, p.From, p.To, p.At = day, loc.String(), from, to, at })
}

func sameWallTime(u, w time.Time) bool {
	uy, um, ud := u.Date()
	wy, wm, wd := w.Date()
	return uy == wy && um == wm && ud == wd && u.Hour() == w.Hour() && u.Minute() == w.Minute()
}

// clockChange finds the change of UTC offset within twelve hours of t and
// returns the local time just before it and just after it: "02:00" and
// "03:00" when clocks jump forward an hour at 02:00.
func clockChange(t time.Time, loc *time.Location) (before, after ClockTime) {
	lo, hi := t.Add(-12*time.Hour), t.Add(12*time.Hour)
	_, offLo := lo.In(loc).Zone()
	_, offHi := hi.In(loc).Zone()
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if _, off := mid.In(loc).Zone(); off == offLo {
			lo = mid
		} else {
			hi = mid
		}
	}
	wall := func(off int) ClockTime {
		u := hi.UTC().Add(time.Duration(off) * time.Second)
		return ClockTime(u.Hour()*60 + u.Minute())
	}
	return wall(offLo), wall(offHi)
}

// Reading phrases. Text is lowered, stripped of accents and cut into words;
// frequency phrases are taken out first, then the words are scanned left to
// right for weekdays, lengths and times.

var (
	accentFolder = strings.NewReplacer(
		"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "ç", "c",
		"è", "e", "é", "e", "ê", "e", "ë", "e", "ì", "i", "í", "i", "î", "i", "ï", "i",
		"ñ", "n", "ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o",
		"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y",
		"ß", "ss", "œ", "oe", "æ", "ae", "’", "'", "‘", "'",
	)
	dottedMeridiem = regexp.MustCompile(`(\d)\s*([ap])\.\s*m\b\.?`)
)

// phraseWords lowers text, folds accents and splits it into words. Digits
// keep the : . , - / between them ("10:30", "1,5", "2027-02-09"); other
// punctuation separates words.
func phraseWords(text string) []string {
	s := accentFolder.Replace(strings.ToLower(text))
	s = dottedMeridiem.ReplaceAllString(s, "${1}${2}m")
	rs := []rune(s)
	isDigit := func(i int) bool { return i >= 0 && i < len(rs) && rs[i] >= '0' && rs[i] <= '9' }
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(":.,-/", r) && isDigit(i-1) && isDigit(i+1):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

type weekdayName struct {
	day    time.Weekday
	plural bool
}

// weekdayNames maps weekday words, singular and plural (a plural speaks of
// a series), in the languages ReadSchedule reads.
var weekdayNames = func() map[string]weekdayName {
	words := map[time.Weekday][2]string{
		time.Monday:    {"monday mon montag lundi lunes maandag lunedi segunda", "mondays montags lundis maandagen maandags segundas"},
		time.Tuesday:   {"tuesday tue tues dienstag mardi martes dinsdag martedi terca", "tuesdays dienstags mardis dinsdagen dinsdags tercas"},
		time.Wednesday: {"wednesday wed weds mittwoch mercredi miercoles woensdag mercoledi quarta", "wednesdays mittwochs mercredis woensdagen woensdags quartas"},
		time.Thursday:  {"thursday thu thur thurs donnerstag jeudi jueves donderdag giovedi quinta", "thursdays donnerstags jeudis donderdagen donderdags quintas"},
		time.Friday:    {"friday fri freitag vendredi viernes vrijdag venerdi sexta", "fridays freitags vendredis vrijdagen vrijdags sextas"},
		time.Saturday:  {"saturday sat samstag sonnabend samedi sabado zaterdag sabato", "saturdays samstags sonnabends samedis sabados zaterdagen zaterdags"},
		time.Sunday:    {"sunday sun sonntag dimanche domingo zondag domenica", "sundays sonntags dimanches domingos zondagen zondags"},
	}
	m := make(map[string]weekdayName)
	for day, forms := range words {
		for i, list := range forms {
			for _, w := range strings.Fields(list) {
				m[w] = weekdayName{day: day, plural: i == 1}
			}
		}
	}
	return m
}()

func wordSet(list string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

var (
	// timeIntros come before a time: "at 10", "um 10", "à 10h", "a las 10".
	timeIntros = wordSet("at around um gegen ab a vers las la alle ore as om rond from von de desde van dalle das")
	// lengthIntros come before a length: "for an hour", "pendant 1 heure".
	lengthIntros = wordSet("for fur fuer lasting during pendant durante per voor")
	// rangeWords join the start and end of a meeting: "10 to 11".
	rangeWords = wordSet("to till until bis tot a hasta alle as")
	// hourUnits always mean a length; ambiguousHours are a length or, after
	// a number, a time of day ("10 uur", "à 10 heures").
	hourUnits      = wordSet("hour hours hr hrs stunde stunden std")
	ambiguousHours = wordSet("h uur heure heures hora horas ora ore")
	minuteUnits    = wordSet("m min mins minute minutes minuten minuti minutos minuto mn")
	// timeMarkers after a number make it a 24-hour time of day.
	timeMarkers  = wordSet("uhr uur h hs heure heures hora horas")
	noonWords    = wordSet("noon midday midi mittag mittags mediodia mezzogiorno meiodia")
	halfWords    = wordSet("half halb demie demi media meia mezza mezzo")
	conjunctions = wordSet("and und et y e en")
	// everyWords before a weekday make it weekly: "every Monday".
	everyWords  = wordSet("every each jeden jedem chaque cada elke iedere ogni toda todo")
	numberWords = map[string]float64{
		"an": 1, "one": 1, "two": 2, "three": 3, "ein": 1, "eine": 1, "einer": 1, "zwei": 2, "drei": 3,
		"une": 1, "un": 1, "deux": 2, "trois": 3, "una": 1, "uno": 1, "dos": 2, "tres": 3,
		"een": 1, "twee": 2, "drie": 3, "uma": 1, "duas": 2, "due": 2, "tre": 3,
	}
)

var (
	biweeklyPattern = regexp.MustCompile(`\b(?:bi ?weekly|fortnightly|fortnight|every (?:other|second|2nd|alternate)|(?:once )?every (?:2|two) weeks?|alternate weeks|(?:jeden|jede|jedes|jedem) (?:zweiten?|2)|alle (?:2|zwei|14|vierzehn) (?:wochen|tage)|zweiwochentlich|zweiwoechentlich|(?:14|vierzehn) ?tagig|sur deux|(?:toutes|tous) les (?:deux|2) semaines|tous les (?:15|quinze) jours|(?:a )?cada (?:dos|duas|2|quince|quinze|15|segundo|otro|otra)(?: semanas| dias)?|cada segunda semana|quincenal(?:es|mente)?|om de (?:week|twee weken|2 weken|andere week)|tweewekelijkse?|(?:elke|iedere) (?:twee|2) weken|ogni (?:due|2|altro|altra|quindici|15)(?: settimane| giorni)?|settimane alterne|quindicinale|quinzenal(?:mente)?|semana sim semana nao|de (?:quinze|15) em (?:quinze|15) dias)\b`)
	weeklyPattern   = regexp.MustCompile(`\b(?:weekly|every week|each week|once a week|once per week|wochentlich|woechentlich|jede woche|jeder woche|einmal pro woche|chaque semaine|toutes les semaines|une fois par semaine|cada semana|todas las semanas|una vez por semana|semanal(?:mente)?|wekelijkse?|elke week|iedere week|ogni settimana|settimanale|settimanalmente|todas as semanas|toda semana|uma vez por semana)\b`)
	otherFrequency  = regexp.MustCompile(`\b(?:monthly|every month|each month|once a month|daily|every day|each day|twice a week|every (?:3|4|three|four|third|fourth|3rd|4th)(?: weeks?)?|monatlich|jeden monat|taglich|taeglich|jeden tag|mensuel(?:le)?|chaque mois|tous les mois|tous les jours|quotidien(?:ne)?|mensual|cada mes|todos los meses|todos los dias|cada dia|diario|maandelijkse?|elke maand|dagelijkse?|elke dag|mensile|ogni mese|ogni giorno|mensal|todo mes|todos os dias)\b`)
	timeRangeToken  = regexp.MustCompile(`^(\d{1,2}(?:[:.h]\d{2})?(?:am|pm|h)?)-(\d{1,2}(?:[:.h]\d{2})?(?:am|pm|h)?)$`)
	clockWithMin    = regexp.MustCompile(`^(\d{1,2})([:.h])(\d{2})(am|pm|h)?$`)
	clockHourOnly   = regexp.MustCompile(`^(\d{1,2})(am|pm|h|uhr)?$`)
	lengthHM        = regexp.MustCompile(`^(\d{1,2})h(\d{1,2})(m|min|mins)?$`)
	lengthH         = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)(h|hr|hrs|hour|hours|std)$`)
	lengthM         = regexp.MustCompile(`^(\d+)(m|min|mins|minute|minutes|minuten|minuti|minutos|minuto|mn)$`)
	plainNumber     = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)
	twoDigits       = regexp.MustCompile(`^\d{2}$`)
)

// clockRead is a time of day as written, before the working-day rule.
type clockRead struct {
	h, m   int
	mer    string // "am", "pm" or ""
	marker bool   // written in 24-hour form: "14h", "10 Uhr", "09:00"
	raw    string
}

// value applies am/pm and the working-day rule for hours written without
// either: 7–11 morning, 12 noon, 1–6 afternoon.
func (c clockRead) value() (t ClockTime, assumed bool, err error) {
	bad := scheduleErr(ProblemNotTime, func(p *Problem) { p.Input = c.raw })
	h := c.h
	switch {
	case c.m > 59:
		return 0, false, bad
	case c.mer != "":
		if h < 1 || h > 12 {
			return 0, false, bad
		}
		h %= 12
		if c.mer == "pm" {
			h += 12
		}
	case c.marker || h == 0 || h >= 13:
		if h > 23 {
			return 0, false, bad
		}
	case h == 12:
	case h <= 6:
		h, assumed = h+12, true
	default:
		assumed = true
	}
	return ClockTime(h*60 + c.m), assumed, nil
}

// phrase is the state of reading one schedule phrase.
type phrase struct {
	toks       []string
	days       []time.Weekday
	recurring  bool
	every      int
	everyGiven bool
	clocks     []ClockTime
	assumed    bool
	lengths    []time.Duration
}

func (p *phrase) at(i int) string {
	if i < 0 || i >= len(p.toks) {
		return ""
	}
	return p.toks[i]
}

func (p *phrase) isWeekday(i int) bool {
	w, ok := weekdayNames[p.at(i)]
	if !ok {
		return false
	}
	// Portuguese ordinals double as weekdays: "segunda semana" is the
	// second week, not Monday.
	if w.day >= time.Monday && w.day <= time.Thursday && (p.at(i+1) == "semana" || p.at(i+1) == "vez") {
		return false
	}
	return true
}

// readPhrase reads a person's schedule phrase. With partial set, missing
// weekday or time are not errors (a change names only what changes), but
// the phrase must name something.
func readPhrase(toks []string, partial bool) (ScheduleReading, error) {
	p := &phrase{}
	joined := strings.Join(toks, " ")
	if m := otherFrequency.FindString(joined); m != "" {
		return ScheduleReading{}, scheduleErr(ProblemOtherFrequency, func(p *Problem) { p.Input = m })
	}
	if biweeklyPattern.MatchString(joined) {
		p.every, p.everyGiven = 2, true
		joined = biweeklyPattern.ReplaceAllString(joined, " ")
	}
	if weeklyPattern.MatchString(joined) {
		if p.every == 2 {
			return ScheduleReading{}, scheduleErr(ProblemWhichFrequency)
		}
		p.every, p.everyGiven = 1, true
		joined = weeklyPattern.ReplaceAllString(joined, " ")
	}
	if p.everyGiven {
		p.recurring = true
	}
	for _, t := range strings.Fields(joined) {
		if m := timeRangeToken.FindStringSubmatch(t); m != nil {
			p.toks = append(p.toks, m[1], "to", m[2])
		} else {
			p.toks = append(p.toks, t)
		}
	}
	for i := 0; i < len(p.toks); {
		n, err := p.step(i)
		if err != nil {
			return ScheduleReading{}, err
		}
		i += max(n, 1)
	}
	return p.result(partial)
}

// step reads what starts at word i and returns how many words it used.
func (p *phrase) step(i int) (int, error) {
	if p.isWeekday(i) {
		w := weekdayNames[p.at(i)]
		if !slices.Contains(p.days, w.day) {
			p.days = append(p.days, w.day)
		}
		prev, prev2 := p.at(i-1), p.at(i-2)
		explicit := everyWords[prev] || (strings.Contains(" les los las as os ", " "+prev+" ") && strings.Contains(" tous todos todas ", " "+prev2+" "))
		if w.plural || explicit {
			p.recurring = true
		}
		if explicit && !p.everyGiven {
			p.every, p.everyGiven = 1, true
		}
		return 1, nil
	}
	if d, n := p.length(i); n > 0 {
		p.addLength(d)
		return n, nil
	}
	c, n, ok := p.clock(i, false)
	if !ok {
		return 1, nil
	}
	start, assumed, err := c.value()
	if err != nil {
		return 0, err
	}
	if !slices.Contains(p.clocks, start) && len(p.clocks) < maxAlternatives {
		p.clocks = append(p.clocks, start)
	}
	p.assumed = p.assumed || assumed
	// A second time right after the first ("10 to 11", "2-3pm") ends the
	// meeting, unless it reads as a length ("9:00 1h").
	j := i + n
	if rangeWords[p.at(j)] {
		j++
	}
	if _, ln := p.length(j); ln > 0 {
		return n, nil
	}
	if e, m, ok := p.clock(j, true); ok {
		if end, _, err := e.value(); err == nil {
			if end <= start {
				return 0, scheduleErr(ProblemBackwards, func(p *Problem) { p.From, p.To = start, end })
			}
			p.addLength(time.Duration(end-start) * time.Minute)
			n = j + m - i
		}
	}
	return n, nil
}

// maxAlternatives bounds the times and lengths a phrase collects: two
// already make it ambiguous, and a few are enough to name in the question
// back. Without it a long reply listing lengths costs quadratic time and
// an answer as long as the reply.
const maxAlternatives = 5

func (p *phrase) addLength(d time.Duration) {
	if !slices.Contains(p.lengths, d) && len(p.lengths) < maxAlternatives {
		p.lengths = append(p.lengths, d)
	}
}

// lengthContext decides whether a number with a unit that can also mark a
// time of day ("1h", "10 uur") is a length: after "for" it is, after "at"
// it is not, and otherwise it is when a time was already read.
func (p *phrase) lengthContext(i int) bool {
	switch prev := p.at(i - 1); {
	case lengthIntros[prev]:
		return true
	case timeIntros[prev]:
		return false
	}
	return len(p.clocks) > 0
}

func parseAmount(s string) float64 {
	v, _ := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	return v
}

// length reads a meeting length at word i: "45 minutes", "1h30", "an hour
// and a half", "half an hour", "eine halbe Stunde", "una hora y media".
func (p *phrase) length(i int) (time.Duration, int) {
	tok, next := p.at(i), p.at(i+1)
	switch {
	case tok == "half" && (next == "an" || next == "a") && (hourUnits[p.at(i+2)] || ambiguousHours[p.at(i+2)]):
		return 30 * time.Minute, 3
	case tok == "half" && (hourUnits[next] || next == "uur"),
		tok == "halbe" && (next == "stunde"),
		tok == "demi" && next == "heure",
		(tok == "media" || tok == "meia") && next == "hora",
		(tok == "mezz" || tok == "mezza") && next == "ora":
		return 30 * time.Minute, 2
	case tok == "halfuur" || tok == "mezzora":
		return 30 * time.Minute, 1
	case (tok == "anderthalb" || tok == "eineinhalb") && (next == "stunde" || next == "stunden"):
		return 90 * time.Minute, 2
	}
	if mins, n := p.minutes(i); n > 0 {
		return lengthOf(mins), n
	}
	hours, n := p.hours(i)
	if n == 0 {
		return 0, 0
	}
	total := lengthOf(hours * 60)
	// "1 hour 30 minutes", "an hour and a half", "une heure et demie".
	j := i + n
	k := j
	if conjunctions[p.at(k)] {
		k++
	}
	if hours == float64(int(hours)) {
		a := k
		if p.at(a) == "a" || p.at(a) == "an" || p.at(a) == "een" {
			a++
		}
		if halfWords[p.at(a)] && !hourUnits[p.at(a+1)] && !ambiguousHours[p.at(a+1)] {
			return total + 30*time.Minute, a + 1 - i
		}
		if mins, m := p.minutes(k); m > 0 {
			return total + lengthOf(mins), k + m - i
		}
	}
	return total, n
}

// minutes reads "30m", "45 min", "90 minutes". The number is a float so
// that a long run of digits stays large instead of wrapping round.
func (p *phrase) minutes(i int) (float64, int) {
	tok := p.at(i)
	if m := lengthM.FindStringSubmatch(tok); m != nil {
		return parseAmount(m[1]), 1
	}
	if plainNumber.MatchString(tok) && minuteUnits[p.at(i+1)] {
		return parseAmount(tok), 2
	}
	return 0, 0
}

// hours reads "1h", "1.5 hours", "an hour", "1h30" and returns hours.
func (p *phrase) hours(i int) (float64, int) {
	tok, unit := p.at(i), p.at(i+1)
	if m := lengthHM.FindStringSubmatch(tok); m != nil {
		if m[3] == "" && !p.lengthContext(i) {
			return 0, 0
		}
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		return float64(h) + float64(mi)/60, 1
	}
	if m := lengthH.FindStringSubmatch(tok); m != nil {
		if m[2] == "h" && !strings.ContainsAny(m[1], ".,") && !p.lengthContext(i) {
			return 0, 0
		}
		return parseAmount(m[1]), 1
	}
	if v, ok := numberWords[tok]; ok {
		if hourUnits[unit] || (ambiguousHours[unit] && !timeIntros[p.at(i-1)]) {
			return v, 2
		}
		return 0, 0
	}
	if plainNumber.MatchString(tok) && (hourUnits[unit] || (ambiguousHours[unit] && p.lengthContext(i))) {
		return parseAmount(tok), 2
	}
	return 0, 0
}

// clock reads a time of day at word i. A bare number ("10") counts only
// after a word that introduces a time ("at", "um", "a las"), a weekday, or
// as the end of a range.
func (p *phrase) clock(i int, rangeEnd bool) (clockRead, int, bool) {
	tok := p.at(i)
	if noonWords[tok] {
		return clockRead{h: 12, marker: true, raw: tok}, 1, true
	}
	var c clockRead
	bare := false
	digits := ""
	if m := clockWithMin.FindStringSubmatch(tok); m != nil {
		digits = m[1]
		c.h, _ = strconv.Atoi(m[1])
		c.m, _ = strconv.Atoi(m[3])
		c.marker = m[2] == "h" || m[4] == "h"
		if m[4] == "am" || m[4] == "pm" {
			c.mer = m[4]
		}
	} else if m := clockHourOnly.FindStringSubmatch(tok); m != nil {
		digits = m[1]
		c.h, _ = strconv.Atoi(m[1])
		switch m[2] {
		case "am", "pm":
			c.mer = m[2]
		case "h", "uhr":
			c.marker = true
		default:
			bare = true
		}
	} else {
		return clockRead{}, 0, false
	}
	if len(digits) == 2 && digits[0] == '0' {
		c.marker = true
	}
	n := 1
	next := p.at(i + 1)
	switch {
	case c.mer == "" && (next == "am" || next == "pm"):
		c.mer = next
		n++
	case c.mer == "" && !c.marker && timeMarkers[next]:
		c.marker = true
		n++
		// "10 Uhr 30"
		if bare && twoDigits.MatchString(p.at(i+2)) && !minuteUnits[p.at(i+3)] {
			c.m, _ = strconv.Atoi(p.at(i + 2))
			n++
		}
	case next == "o" && p.at(i+2) == "clock":
		n += 2
	}
	if bare && n == 1 {
		prev := p.at(i - 1)
		if !timeIntros[prev] && !rangeWords[prev] && !p.isWeekday(i-1) && !rangeEnd {
			return clockRead{}, 0, false
		}
	}
	c.raw = strings.Join(p.toks[i:i+n], " ")
	return c, n, true
}

// result checks what was read and makes the reading.
func (p *phrase) result(partial bool) (ScheduleReading, error) {
	switch {
	case len(p.days) > 1:
		return ScheduleReading{}, scheduleErr(ProblemSeveralDays, func(pr *Problem) { pr.Days = p.days })
	case len(p.clocks) > 1:
		return ScheduleReading{}, scheduleErr(ProblemSeveralTimes, func(pr *Problem) { pr.Times = p.clocks })
	case len(p.lengths) > 1:
		return ScheduleReading{}, scheduleErr(ProblemSeveralLengths, func(pr *Problem) { pr.Lengths = p.lengths })
	}
	r := ScheduleReading{
		Schedule:    Schedule{Length: DefaultCheckinLength, Every: 1},
		HourAssumed: p.assumed,
		recurring:   p.recurring,
	}
	if len(p.days) == 1 {
		r.Schedule.Weekday = p.days[0]
		r.Given |= GivenWeekday
	}
	if len(p.clocks) == 1 {
		at := p.clocks[0]
		if at < EarliestCheckin || at > LatestCheckin {
			return ScheduleReading{}, scheduleErr(ProblemOffHours, func(pr *Problem) {
				pr.At = at
				if later := at + 12*60; at < EarliestCheckin && later >= EarliestCheckin && later <= LatestCheckin {
					pr.Suggested, pr.Later = true, later
				}
			})
		}
		r.Schedule.At = at
		r.Given |= GivenTime
	}
	if len(p.lengths) == 1 {
		if d := p.lengths[0]; d < MinCheckinLength || d > MaxCheckinLength {
			return ScheduleReading{}, lengthError(d)
		}
		r.Schedule.Length = p.lengths[0]
		r.Given |= GivenLength
	}
	if p.everyGiven {
		r.Schedule.Every = p.every
		r.Given |= GivenEvery
	}
	switch {
	case partial && r.Given == 0:
		return ScheduleReading{}, scheduleErr(ProblemNoDayOrTime)
	case partial:
	case len(p.days) == 0 && len(p.clocks) == 0:
		return ScheduleReading{}, scheduleErr(ProblemWhichDayAndTime)
	case len(p.days) == 0:
		return ScheduleReading{}, scheduleErr(ProblemWhichDay)
	case len(p.clocks) == 0:
		return ScheduleReading{}, scheduleErr(ProblemWhichTime, func(pr *Problem) { pr.Weekday = p.days[0] })
	}
	return r, nil
}
