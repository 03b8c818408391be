package conversation

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CheckinCommandKind names a reply command about check-ins.
type CheckinCommandKind string

// The check-in reply commands: drop one meeting, move one, move the whole
// series, pause, cancel or resume the series.
const (
	CheckinCmdSkip       CheckinCommandKind = "skip"
	CheckinCmdMoveOne    CheckinCommandKind = "move-one"
	CheckinCmdMoveSeries CheckinCommandKind = "move-series"
	CheckinCmdPause      CheckinCommandKind = "pause"
	CheckinCmdCancel     CheckinCommandKind = "cancel"
	CheckinCmdResume     CheckinCommandKind = "resume"
)

// CheckinCommand is a parsed check-in reply command. Dates are calendar days
// in the zone passed to ParseCheckinCommand.
type CheckinCommand struct {
	Kind CheckinCommandKind
	// Date picks the meeting a skip or move-one is about: the meeting on
	// that day, or in that week when Week is set. Zero means the next
	// meeting that has not ended yet.
	Date Date
	// Week says Date is the Monday of a week (Monday to Sunday) and the
	// meeting meant is the one in that week, whatever its day.
	Week bool
	// To is where move-one moves the meeting.
	To MoveTarget
	// Series is the new schedule of move-series with the parts the person
	// named; Series.Over(current) is the schedule to set.
	Series ScheduleReading
	// Until ends a pause: meetings happen again from the start of that day.
	Until Date
}

// MoveTarget is the new time of one moved meeting as written. The day is
// Date when set, else Weekday (when HasWeekday) in the same Monday-to-Sunday
// week as the meeting, else the meeting's own day; the time is At when
// HasTime, else the meeting's own time.
type MoveTarget struct {
	Date       Date
	Weekday    time.Weekday
	HasWeekday bool
	At         ClockTime
	HasTime    bool
	// HourAssumed is set when At was read by the working-day rule; see
	// ScheduleReading.
	HourAssumed bool
}

// Span is the stretch of time in loc holding the meeting Date picks: the
// day, or the week when Week is set. Both are zero when Date is zero.
func (c CheckinCommand) Span(loc *time.Location) (from, to time.Time) {
	if c.Date.IsZero() {
		return time.Time{}, time.Time{}
	}
	from = c.Date.Start(loc)
	if c.Week {
		return from, from.AddDate(0, 0, 7)
	}
	return from, from.AddDate(0, 0, 1)
}

// NewStart is where move-one puts the meeting whose slot starts at original.
func (c CheckinCommand) NewStart(original time.Time, loc *time.Location) time.Time {
	lt := original.In(loc)
	day := DateOf(lt, loc)
	switch {
	case !c.To.Date.IsZero():
		day = c.To.Date
	case c.To.HasWeekday:
		day = dateAddDays(mondayOf(day), (int(c.To.Weekday)+6)%7)
	}
	at := ClockTime(lt.Hour()*60 + lt.Minute())
	if c.To.HasTime {
		at = c.To.At
	}
	return time.Date(day.Year, day.Month, day.Day, int(at)/60, int(at)%60, 0, 0, loc)
}

var (
	pluralNouns   = regexp.MustCompile(`\b(?:weekly )?(?:check ?ins|checkins|meetings|1:1s|one on ones|1 on 1s|series|sessions)\b`)
	singularNouns = regexp.MustCompile(`\b(?:weekly )?(?:check ?in|checkin|meeting|1:1|one on one|1 on 1|session)\b`)
	pauseFor      = regexp.MustCompile(`^(?:for )?(\d{1,3}) ?(day|days|d|week|weeks|wk|wks|w)$`)
	isoDate       = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	dottedDate    = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{4})$`)
	slashDate     = regexp.MustCompile(`^\d{1,2}/\d{1,2}(?:/\d{2,4})?$`)
	dayOfMonth    = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th|er|e|o|a)?$`)
	yearNumber    = regexp.MustCompile(`^\d{4}$`)
)

// fillers are words a command may carry without changing its meaning.
var fillers = wordSet("the our my s please on of")

var monthNames = func() map[string]time.Month {
	names := []string{
		"jan january januar janvier enero januari gennaio janeiro",
		"feb february februar fevrier febrero februari febbraio fevereiro",
		"mar march marz maerz mars marzo maart marco",
		"apr april avril abril aprile",
		"may mai mayo mei maggio maio",
		"jun june juni juin junio giugno junho",
		"jul july juli juillet julio luglio julho",
		"aug august aout agosto augustus",
		"sep sept september septembre septiembre settembre setembro",
		"oct october oktober octobre octubre ottobre outubro",
		"nov november novembre noviembre novembro",
		"dec december dezember decembre diciembre dicembre dezembro",
	}
	m := make(map[string]time.Month)
	for i, list := range names {
		for _, w := range strings.Fields(list) {
			m[w] = time.Month(i + 1)
		}
	}
	return m
}()

// checkinParser holds what a command is read against.
type checkinParser struct {
	now     time.Time
	loc     *time.Location
	today   Date
	context bool
}

// ParseCheckinCommand reads a reply whose whole text is a check-in command,
// in any case, with punctuation ignored:
//
//	skip this week | skip next week | skip 2027-02-09 | skip Feb 9
//	move to Thursday 14:00 | move this week to Thursday at 2pm
//	move 2027-02-09 to 2027-02-11 15:00
//	move all to Wednesdays 9:00 | change to every other Wednesday at 9
//	pause check-ins until 2027-03-01 | pause check-ins 2 weeks
//	cancel check-ins | stop check-ins | resume check-ins
//
// They may be written in French, German or Spanish, or mixed with English
// ("passer cette semaine", "auf Donnerstag 14 Uhr verschieben", "pausar
// las reuniones hasta el 1 de marzo", "skip diese Woche"; see
// commandLanguages).
//
// Commands that are also questionnaire commands count only when they name
// check-ins ("check-ins", "meetings", "1:1s", "one-on-ones", "the series")
// or when checkinContext says the mail replied to was about check-ins:
// plain "skip", "pause until …", "cancel" and "resume". Dates and "this
// week" (Monday to Sunday) are taken in loc; dates must lie between today
// and a year from now. Anything else is ErrNotCommand; a command that
// cannot be used as written is a *CommandError.
func ParseCheckinCommand(text string, now time.Time, loc *time.Location, checkinContext bool) (CheckinCommand, error) {
	joined := strings.Join(phraseWords(text), " ")
	joined = pluralNouns.ReplaceAllString(joined, "checkins")
	joined = singularNouns.ReplaceAllString(joined, "checkin")
	toks := strings.Fields(joined)
	if len(toks) == 0 {
		return CheckinCommand{}, ErrNotCommand
	}
	cp := checkinParser{now: now, loc: loc, today: DateOf(now, loc), context: checkinContext}
	c, err := cp.read(toks)
	if err == nil {
		return c, nil
	}
	readings, foreign := localReadings(toks, toks, false)
	switch lc, found, lerr := readFirst(readings, cp.read); {
	case found:
		return lc, lerr
	case foreign:
		return CheckinCommand{}, ErrNotCommand
	}
	return c, err
}

// read reads words that are a check-in command, or says ErrNotCommand.
func (cp checkinParser) read(toks []string) (CheckinCommand, error) {
	if len(toks) == 0 {
		return CheckinCommand{}, ErrNotCommand
	}
	verb, rest := toks[0], toks[1:]
	switch verb {
	case "skip":
		return cp.skip(rest)
	case "cancel":
		return cp.cancel(rest)
	case "stop", "end":
		return cp.stop(rest)
	case "resume", "unpause", "restart":
		return cp.resume(rest)
	case "pause":
		return cp.pause(rest)
	case "move", "reschedule", "change":
		return cp.move(verb, rest)
	}
	return CheckinCommand{}, ErrNotCommand
}

// nouns takes the fillers and check-in nouns out of words and says which
// nouns were there.
func nouns(words []string) (rest []string, plural, singular bool) {
	for _, w := range words {
		switch {
		case w == "checkins":
			plural = true
		case w == "checkin":
			singular = true
		case !fillers[w]:
			rest = append(rest, w)
		}
	}
	return rest, plural, singular
}

func (cp checkinParser) skip(rest []string) (CheckinCommand, error) {
	sel, plural, singular := nouns(rest)
	if len(sel) == 0 {
		switch {
		case plural:
			return CheckinCommand{}, problem(ProblemSkipWhich)
		case singular || cp.context:
			return CheckinCommand{Kind: CheckinCmdSkip}, nil
		}
		return CheckinCommand{}, ErrNotCommand
	}
	d, week, ok, err := cp.which(sel)
	switch {
	case err != nil:
		return CheckinCommand{}, err
	case ok && d.IsZero() && !plural && !singular && !cp.context:
		// "skip this one", "skip it": the questionnaire's skip, unless
		// the mail was about check-ins.
		return CheckinCommand{}, ErrNotCommand
	case ok:
		return CheckinCommand{Kind: CheckinCmdSkip, Date: d, Week: week}, nil
	case plural || singular || cp.context || cp.looksLikeWhen(sel):
		return CheckinCommand{}, problem(ProblemSkipUnclear)
	}
	return CheckinCommand{}, ErrNotCommand
}

func (cp checkinParser) cancel(rest []string) (CheckinCommand, error) {
	sel, plural, singular := nouns(rest)
	sel = slices.DeleteFunc(sel, func(w string) bool { return w == "all" })
	if len(sel) == 0 {
		switch {
		case plural:
			return CheckinCommand{Kind: CheckinCmdCancel}, nil
		case singular:
			return CheckinCommand{}, problem(ProblemCancelWhich)
		case cp.context:
			return CheckinCommand{Kind: CheckinCmdCancel}, nil
		}
		return CheckinCommand{}, ErrNotCommand
	}
	// "cancel this week" drops one meeting.
	d, week, ok, err := cp.which(sel)
	switch {
	case err != nil:
		return CheckinCommand{}, err
	case ok:
		return CheckinCommand{Kind: CheckinCmdSkip, Date: d, Week: week}, nil
	case plural || singular || cp.context || cp.looksLikeWhen(sel):
		return CheckinCommand{}, problem(ProblemCancelUnclear)
	}
	return CheckinCommand{}, ErrNotCommand
}

func (cp checkinParser) stop(rest []string) (CheckinCommand, error) {
	sel, plural, singular := nouns(rest)
	sel = slices.DeleteFunc(sel, func(w string) bool { return w == "all" })
	switch {
	case len(sel) > 0:
		return CheckinCommand{}, ErrNotCommand
	case plural:
		return CheckinCommand{Kind: CheckinCmdCancel}, nil
	case singular:
		return CheckinCommand{}, problem(ProblemStopWhich)
	}
	return CheckinCommand{}, ErrNotCommand
}

func (cp checkinParser) resume(rest []string) (CheckinCommand, error) {
	sel, plural, singular := nouns(rest)
	if len(sel) == 0 && (plural || singular || cp.context) {
		return CheckinCommand{Kind: CheckinCmdResume}, nil
	}
	return CheckinCommand{}, ErrNotCommand
}

func (cp checkinParser) pause(rest []string) (CheckinCommand, error) {
	sel, plural, singular := nouns(rest)
	if !plural && !singular && !cp.context {
		return CheckinCommand{}, ErrNotCommand
	}
	sel = slices.DeleteFunc(sel, func(w string) bool { return w == "all" })
	if len(sel) == 0 {
		return CheckinCommand{}, problem(ProblemCheckinPauseWhen)
	}
	if m := pauseFor.FindStringSubmatch(strings.Join(sel, " ")); m != nil {
		n, _ := strconv.Atoi(m[1])
		days := n
		if strings.HasPrefix(m[2], "w") {
			days = 7 * n
		}
		if days < 1 || days > 365 {
			return CheckinCommand{}, problem(ProblemPauseRange)
		}
		return CheckinCommand{Kind: CheckinCmdPause, Until: dateAddDays(cp.today, days)}, nil
	}
	if !slices.Contains([]string{"until", "till", "til"}, sel[0]) {
		return CheckinCommand{}, problem(ProblemCheckinPauseUnclear)
	}
	written := strings.Join(sel[1:], " ")
	d, n, ok, err := cp.date(sel, 1)
	if err != nil {
		return CheckinCommand{}, err
	}
	if !ok || n != len(sel)-1 {
		return CheckinCommand{}, problem(ProblemCheckinPauseDate, func(p *Problem) { p.Input = written })
	}
	switch {
	case !dateBefore(cp.today, d):
		return CheckinCommand{}, problem(ProblemCheckinPausePast, func(p *Problem) { p.Date = d })
	case dateBefore(dateAddYear(cp.today), d):
		return CheckinCommand{}, problem(ProblemCheckinPauseFar, func(p *Problem) { p.Date = d })
	}
	return CheckinCommand{Kind: CheckinCmdPause, Until: d}, nil
}

// seriesWords name the whole series in front of "to": "move all to …";
// after "change" also "change the time to …".
var (
	seriesWords       = map[string]bool{"all": true, "everything": true, "them": true, "them all": true, "all them": true}
	changeSeriesWords = map[string]bool{"": true, "time": true, "day": true, "schedule": true, "day and time": true, "time and day": true}
)

func (cp checkinParser) move(verb string, rest []string) (CheckinCommand, error) {
	i := slices.Index(rest, "to")
	if i < 0 {
		if cp.context {
			return CheckinCommand{}, problem(ProblemMoveWhen)
		}
		return CheckinCommand{}, ErrNotCommand
	}
	sel, plural, singular := nouns(rest[:i])
	mentioned := plural || singular
	left := strings.Join(sel, " ")
	var series bool
	switch {
	case plural, seriesWords[left]:
		series = true
	case singular:
	case verb == "change" && changeSeriesWords[left]:
		series = true
	}
	target, err := cp.target(rest[i+1:])
	if err != nil {
		return CheckinCommand{}, err
	}
	if target.empty() {
		if cp.context || mentioned {
			return CheckinCommand{}, problem(ProblemMoveNothing)
		}
		return CheckinCommand{}, ErrNotCommand
	}
	var d Date
	var week bool
	if !series {
		var ok bool
		d, week, ok, err = cp.which(sel)
		switch {
		case err != nil:
			return CheckinCommand{}, err
		case !ok && (cp.context || mentioned || cp.looksLikeWhen(sel)):
			return CheckinCommand{}, problem(ProblemMoveWhich)
		case !ok:
			return CheckinCommand{}, ErrNotCommand
		}
		// "move to Wednesdays at 9" speaks of a series.
		series = len(sel) == 0 && target.reading.recurring && !target.hasDate
	}
	if series {
		if target.hasDate {
			return CheckinCommand{}, problem(ProblemMoveAllToDate)
		}
		return CheckinCommand{Kind: CheckinCmdMoveSeries, Series: target.reading}, nil
	}
	return cp.moveOne(d, week, target)
}

func (cp checkinParser) moveOne(d Date, week bool, t moveTarget) (CheckinCommand, error) {
	r := t.reading
	switch {
	case r.Given.Has(GivenEvery):
		return CheckinCommand{}, problem(ProblemMoveOneEvery)
	case r.Given.Has(GivenLength):
		return CheckinCommand{}, problem(ProblemMoveOneLength)
	}
	to := MoveTarget{Date: t.date, HourAssumed: r.HourAssumed}
	if r.Given.Has(GivenTime) {
		to.At, to.HasTime = r.Schedule.At, true
	}
	if r.Given.Has(GivenWeekday) {
		if t.hasDate {
			if wd := t.date.Start(time.UTC).Weekday(); wd != r.Schedule.Weekday {
				return CheckinCommand{}, problem(ProblemWrongWeekday, func(p *Problem) { p.Date, p.Want, p.Weekday = t.date, wd, r.Schedule.Weekday })
			}
		} else {
			to.Weekday, to.HasWeekday = r.Schedule.Weekday, true
		}
	}
	if t.hasDate {
		if err := cp.checkDay(t.date); err != nil {
			return CheckinCommand{}, err
		}
		if t.date == cp.today && to.HasTime && !to.At.on(cp.now, cp.loc).After(cp.now) {
			return CheckinCommand{}, problem(ProblemTimePassed, func(p *Problem) { p.At = to.At })
		}
	}
	return CheckinCommand{Kind: CheckinCmdMoveOne, Date: d, Week: week, To: to}, nil
}

// moveTarget is what follows "to" in a move command.
type moveTarget struct {
	date    Date
	hasDate bool
	reading ScheduleReading
}

func (t moveTarget) empty() bool { return !t.hasDate && t.reading.Given == 0 }

// target reads what follows "to": an optional date (or today, tomorrow)
// and a schedule phrase for the rest.
func (cp checkinParser) target(words []string) (moveTarget, error) {
	var t moveTarget
	var rest []string
	for i := 0; i < len(words); {
		w := words[i]
		if w == "today" || w == "tomorrow" {
			if t.hasDate {
				return moveTarget{}, problem(ProblemMoveOneDay)
			}
			t.date, t.hasDate = cp.today, true
			if w == "tomorrow" {
				t.date = dateAddDays(cp.today, 1)
			}
			i++
			continue
		}
		d, n, ok, err := cp.date(words, i)
		if err != nil {
			return moveTarget{}, err
		}
		if ok {
			if t.hasDate {
				return moveTarget{}, problem(ProblemMoveOneDay)
			}
			t.date, t.hasDate = d, true
			i += n
			continue
		}
		rest = append(rest, w)
		i++
	}
	r, err := readPhrase(rest, true)
	if err != nil && slices.ContainsFunc(rest, cp.meaningful) {
		return moveTarget{}, commandOf(err)
	}
	t.reading = r
	if err != nil {
		t.reading = ScheduleReading{}
	}
	return t, nil
}

// meaningful reports whether a word left after the date could have been
// part of a time or day, so that failing to read it is worth an error.
func (cp checkinParser) meaningful(w string) bool {
	_, day := weekdayNames[w]
	return day || strings.ContainsAny(w, "0123456789") || noonWords[w]
}

// which reads which meeting a command is about: nothing or "next" for the
// next one, "this week", "next week", "today", "tomorrow", a weekday (the
// next such day, today included) or a date.
func (cp checkinParser) which(sel []string) (d Date, week, ok bool, err error) {
	switch strings.Join(sel, " ") {
	case "", "next", "next one", "it", "this one", "upcoming", "upcoming one":
		return Date{}, false, true, nil
	case "this week":
		return mondayOf(cp.today), true, true, nil
	case "next week":
		return dateAddDays(mondayOf(cp.today), 7), true, true, nil
	case "today":
		return cp.today, false, true, nil
	case "tomorrow":
		return dateAddDays(cp.today, 1), false, true, nil
	}
	if len(sel) == 1 {
		if w, isDay := weekdayNames[sel[0]]; isDay {
			wd := cp.today.Start(time.UTC).Weekday()
			return dateAddDays(cp.today, (int(w.day)-int(wd)+7)%7), false, true, nil
		}
	}
	d, n, ok, err := cp.date(sel, 0)
	if err != nil || !ok || n != len(sel) {
		return Date{}, false, false, err
	}
	if err := cp.checkDay(d); err != nil {
		return Date{}, false, false, err
	}
	return d, false, true, nil
}

// looksLikeWhen reports whether words were probably meant to say when, so
// failing to read them deserves an explanation rather than being taken as
// an answer.
func (cp checkinParser) looksLikeWhen(words []string) bool {
	for _, w := range words {
		if _, ok := monthNames[w]; ok || w == "week" || strings.ContainsAny(w, "0123456789") {
			return true
		}
		if _, ok := weekdayNames[w]; ok {
			return true
		}
	}
	return false
}

// checkDay refuses a meeting day before today or more than a year ahead.
func (cp checkinParser) checkDay(d Date) error {
	switch {
	case dateBefore(d, cp.today):
		return problem(ProblemDayPassed, func(p *Problem) { p.Date, p.Suggest = d, dateAddDays(cp.today, 7) })
	case dateBefore(dateAddYear(cp.today), d):
		return problem(ProblemDayFar, func(p *Problem) { p.Date = d })
	}
	return nil
}

// date reads a date starting at words[i]: "2027-02-09", "9.2.2027", "Feb 9",
// "February 9th 2027", "9 February", "9th of February", "9 de febrero",
// "9. Februar". Without a year it is the next such day, except that a day
// up to a month past stays in this year so that a late reply is told it
// has passed instead of reaching a year ahead. Slashed dates are refused:
// 9/2 reads differently on each side of the Atlantic.
func (cp checkinParser) date(words []string, i int) (d Date, n int, ok bool, err error) {
	at := func(j int) string {
		if j < len(words) {
			return words[j]
		}
		return ""
	}
	w := at(i)
	if m := isoDate.FindStringSubmatch(w); m != nil {
		d, err := makeDate(w, m[1], m[2], m[3])
		return d, 1, err == nil, err
	}
	if m := dottedDate.FindStringSubmatch(w); m != nil {
		d, err := makeDate(w, m[3], m[2], m[1])
		return d, 1, err == nil, err
	}
	if slashDate.MatchString(w) {
		return Date{}, 0, false, problem(ProblemSlashedDate, func(p *Problem) { p.Input = w })
	}
	var day, year string
	var month time.Month
	if mo, isMonth := monthNames[w]; isMonth {
		m := dayOfMonth.FindStringSubmatch(at(i + 1))
		if m == nil {
			return Date{}, 0, false, nil
		}
		month, day, n = mo, m[1], 2
	} else if m := dayOfMonth.FindStringSubmatch(w); m != nil {
		j := i + 1
		if at(j) == "of" || at(j) == "de" {
			j++
		}
		mo, isMonth := monthNames[at(j)]
		if !isMonth {
			return Date{}, 0, false, nil
		}
		month, day, n = mo, m[1], j+1-i
	} else {
		return Date{}, 0, false, nil
	}
	j := i + n
	if at(j) == "de" && yearNumber.MatchString(at(j+1)) {
		j++
	}
	if yearNumber.MatchString(at(j)) {
		year, n = at(j), j+1-i
	}
	written := strings.Join(words[i:i+n], " ")
	if year != "" {
		d, err := makeDate(written, year, strconv.Itoa(int(month)), day)
		return d, n, err == nil, err
	}
	d, err = makeDate(written, strconv.Itoa(cp.today.Year), strconv.Itoa(int(month)), day)
	if err != nil && !(month == time.February && day == "29") {
		return Date{}, n, false, err
	}
	if err != nil || dateBefore(dateAddDays(d, 31), cp.today) {
		d, err = makeDate(written, strconv.Itoa(cp.today.Year+1), strconv.Itoa(int(month)), day)
	}
	return d, n, err == nil, err
}

// makeDate checks that a year, month and day make a real date.
func makeDate(written, y, m, d string) (Date, error) {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if mi < 1 || mi > 12 || t.Day() != di {
		return Date{}, problem(ProblemNotDate, func(p *Problem) { p.Input = written })
	}
	return Date{yi, time.Month(mi), di}, nil
}

func dateAddDays(d Date, n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC), time.UTC)
}

func dateAddYear(d Date) Date {
	return DateOf(time.Date(d.Year+1, d.Month, d.Day, 0, 0, 0, 0, time.UTC), time.UTC)
}

func dateBefore(a, b Date) bool { return a.Start(time.UTC).Before(b.Start(time.UTC)) }

// mondayOf is the Monday of the week (Monday to Sunday) holding d.
func mondayOf(d Date) Date {
	wd := d.Start(time.UTC).Weekday()
	return dateAddDays(d, -((int(wd) + 6) % 7))
}
