package conversation

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ClockTime is a time of day in minutes after midnight, local to a person.
type ClockTime int

// ParseClockTime reads "HH:MM" (24-hour).
func ParseClockTime(s string) (ClockTime, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 08:00 or 20:30", s)
	}
	return ClockTime(t.Hour()*60 + t.Minute()), nil
}

func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// on returns the instant at this clock time on the calendar day of t in loc.
func (c ClockTime) on(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, int(c)/60, int(c)%60, 0, 0, loc)
}

// QuietHours is when a person should not receive mail that asks something of
// them: every night from Start to End, and all day on the listed weekdays.
// Start == End means no nightly quiet time.
type QuietHours struct {
	Start ClockTime
	End   ClockTime
	Days  []time.Weekday
}

// DefaultQuietHours is 20:00–08:00 on working days and all weekend.
var DefaultQuietHours = QuietHours{
	Start: 20 * 60,
	End:   8 * 60,
	Days:  []time.Weekday{time.Saturday, time.Sunday},
}

// Validate rejects quiet hours that leave no time to send at all.
func (q QuietHours) Validate() error {
	if q.Start < 0 || q.Start >= 24*60 || q.End < 0 || q.End >= 24*60 {
		return rulesError(RuleQuietHours, 0, "quiet hours must lie between 00:00 and 23:59")
	}
	days := make(map[time.Weekday]bool)
	for _, d := range q.Days {
		days[d] = true
	}
	if len(days) >= 7 {
		return rulesError(RuleQuietDays, 0, "quiet days cover the whole week, so nothing could ever be sent")
	}
	return nil
}

func (q QuietHours) quietDay(d time.Weekday) bool {
	for _, w := range q.Days {
		if w == d {
			return true
		}
	}
	return false
}

// Contains reports whether t falls in quiet time in loc.
func (q QuietHours) Contains(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	if q.quietDay(lt.Weekday()) {
		return true
	}
	m := ClockTime(lt.Hour()*60 + lt.Minute())
	switch {
	case q.Start == q.End:
		return false
	case q.Start > q.End: // spans midnight, e.g. 20:00–08:00
		return m >= q.Start || m < q.End
	default: // e.g. 12:00–13:00
		return m >= q.Start && m < q.End
	}
}

// NextAllowed returns t itself when it is outside quiet time, else the first
// instant after t when quiet time is over, computed in local wall-clock time
// so it stays right across daylight-saving changes.
func (q QuietHours) NextAllowed(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	// Each step lands on the end of a quiet stretch or the start of a day, so
	// a week and a bit of steps always reaches an allowed time for quiet
	// hours that passed Validate.
	for range 32 {
		if !q.Contains(lt, loc) {
			return lt
		}
		y, mo, d := lt.Date()
		m := ClockTime(lt.Hour()*60 + lt.Minute())
		switch {
		case q.quietDay(lt.Weekday()):
			lt = time.Date(y, mo, d+1, 0, 0, 0, 0, loc)
		case q.Start > q.End && m >= q.Start:
			lt = time.Date(y, mo, d+1, int(q.End)/60, int(q.End)%60, 0, 0, loc)
		default:
			lt = q.End.on(lt, loc)
		}
	}
	return lt
}

// Rules are the pacing settings an operator can change. The zero value is
// not useful; start from [DefaultRules].
type Rules struct {
	// Quiet applies to every person unless they have their own.
	Quiet QuietHours
	// Reminders lists, in days, how long to wait before each reminder,
	// counted from the question (for the first) or the previous reminder.
	// After the last one Accord stays quiet until the person writes.
	Reminders []int
	// ReviewEvery is the time from an agreement to its review, and between
	// reviews.
	ReviewEvery time.Duration
	// ReviewWait is how long a review waits for answers before it closes
	// with what there is.
	ReviewWait time.Duration
	// Checkins times the mail around each check-in.
	Checkins CheckinRules
	// RevealGrace is how long a new answer waits before the partner may
	// see it, so that an undo in that time means they never do. Zero
	// shows answers at once.
	RevealGrace time.Duration
}

// The limits Rules.Validate holds the rules to. Settings that offer a
// rule in units of their own (days, hours, minutes) check against these
// through Validate, and word a RulesError with them.
const (
	// MinReminderDays is the shortest wait before a reminder.
	MinReminderDays = 1
	// MinReviewEvery is the shortest time between reviews.
	MinReviewEvery = 7 * 24 * time.Hour
	// MinReviewWait is the shortest time a review waits for answers.
	MinReviewWait = 24 * time.Hour
	// MaxRevealGrace is the longest RevealGrace an operator may set.
	MaxRevealGrace = 2 * time.Hour
	// MinPrepBefore and MaxPrepBefore bound CheckinRules.PrepBefore.
	MinPrepBefore = 2 * time.Hour
	MaxPrepBefore = 7 * 24 * time.Hour
	// MinAgendaBefore is the shortest CheckinRules.AgendaBefore; it must
	// also be shorter than PrepBefore.
	MinAgendaBefore = 5 * time.Minute
	// MaxFollowUpAfter is the longest CheckinRules.FollowUpAfter.
	MaxFollowUpAfter = 24 * time.Hour
)

// Rule names one of the rules Validate holds the pacing settings to, so
// that whoever set them can be told which setting to change.
type Rule string

// The rules, each with the settings it reads.
const (
	RuleQuietHours    Rule = "quiet-hours"     // Quiet.Start and Quiet.End lie within a day
	RuleQuietDays     Rule = "quiet-days"      // Quiet.Days leave a day to send on
	RuleReminder      Rule = "reminder"        // each of Reminders is at least MinReminderDays
	RuleReviewEvery   Rule = "review-every"    // ReviewEvery is at least MinReviewEvery
	RuleReviewWait    Rule = "review-wait"     // ReviewWait is at least MinReviewWait and shorter than ReviewEvery
	RuleRevealGrace   Rule = "reveal-grace"    // RevealGrace is 0 to MaxRevealGrace
	RulePrepBefore    Rule = "prep-before"     // Checkins.PrepBefore is MinPrepBefore to MaxPrepBefore
	RuleAgendaBefore  Rule = "agenda-before"   // Checkins.AgendaBefore is at least MinAgendaBefore and shorter than PrepBefore
	RuleFollowUpAfter Rule = "follow-up-after" // Checkins.FollowUpAfter is 0 to MaxFollowUpAfter
)

// RulesError is a pacing setting that breaks a rule: Rule says which, and
// for RuleReminder, Index which reminder (from 0). The check-in rules are
// also ErrCheckinRules.
type RulesError struct {
	Rule  Rule
	Index int
	msg   string
}

func (e *RulesError) Error() string { return e.msg }

// Unwrap is ErrCheckinRules for the rules of check-in timing.
func (e *RulesError) Unwrap() error {
	switch e.Rule {
	case RulePrepBefore, RuleAgendaBefore, RuleFollowUpAfter:
		return ErrCheckinRules
	}
	return nil
}

// rulesError is a *RulesError for rule; its text says what the rule wants.
func rulesError(rule Rule, index int, format string, args ...any) *RulesError {
	e := &RulesError{Rule: rule, Index: index, msg: fmt.Sprintf(format, args...)}
	if errors.Is(e, ErrCheckinRules) {
		e.msg = ErrCheckinRules.Error() + ": " + e.msg
	}
	return e
}

// DefaultRules: quiet evenings and weekends, reminders after 3 and 3 more
// days, first review 13 weeks after the agreement.
func DefaultRules() Rules {
	return Rules{
		Quiet:       DefaultQuietHours,
		Reminders:   []int{3, 3},
		ReviewEvery: 13 * 7 * 24 * time.Hour,
		ReviewWait:  14 * 24 * time.Hour,
		Checkins:    DefaultCheckinRules,
		RevealGrace: 10 * time.Minute,
	}
}

// Validate checks the rules an operator configured. It reports every
// rule broken, each a *RulesError, joined into one error.
func (r Rules) Validate() error {
	var errs []error
	bad := func(e *RulesError) { errs = append(errs, e) }
	if err := r.Quiet.Validate(); err != nil {
		errs = append(errs, err)
	}
	for i, d := range r.Reminders {
		if d < MinReminderDays {
			bad(rulesError(RuleReminder, i, "reminder %d: wait at least %d day, got %d", i+1, MinReminderDays, d))
		}
	}
	if r.ReviewEvery < MinReviewEvery {
		bad(rulesError(RuleReviewEvery, 0, "reviews must be at least a week apart, got %s", r.ReviewEvery))
	}
	if r.ReviewWait < MinReviewWait || r.ReviewWait >= r.ReviewEvery {
		bad(rulesError(RuleReviewWait, 0, "a review must wait at least a day for answers and close before the next is due, got %s", r.ReviewWait))
	}
	if r.RevealGrace < 0 || r.RevealGrace > MaxRevealGrace {
		bad(rulesError(RuleRevealGrace, 0, "hold new answers back from the partner for 0 to %s, got %s", MaxRevealGrace, r.RevealGrace))
	}
	c := r.Checkins
	if c.PrepBefore < MinPrepBefore || c.PrepBefore > MaxPrepBefore {
		bad(rulesError(RulePrepBefore, 0, "ask for the prep 2 hours to 7 days before, got %s", c.PrepBefore))
	}
	if c.AgendaBefore < MinAgendaBefore || c.AgendaBefore >= c.PrepBefore {
		bad(rulesError(RuleAgendaBefore, 0, "send the agenda at least 5 minutes before a check-in and after the prep, got %s", c.AgendaBefore))
	}
	if c.FollowUpAfter < 0 || c.FollowUpAfter > MaxFollowUpAfter {
		bad(rulesError(RuleFollowUpAfter, 0, "ask for the follow-up within a day of a check-in, got %s", c.FollowUpAfter))
	}
	return errors.Join(errs...)
}

// LastAllowedBefore is t when it is outside quiet hours in loc, else the
// latest earlier moment that is, looking back at most three days in
// quarter hours; failing that, t.
func (q QuietHours) LastAllowedBefore(t time.Time, loc *time.Location) time.Time {
	if !q.Contains(t, loc) {
		return t
	}
	start := t.Truncate(15 * time.Minute)
	for c := start; t.Sub(c) <= 72*time.Hour; c = c.Add(-15 * time.Minute) {
		if !q.Contains(c, loc) {
			return c
		}
	}
	return t
}

// addDays moves t by n calendar days in loc, keeping the local time of day.
func addDays(t time.Time, n int, loc *time.Location) time.Time {
	return t.In(loc).AddDate(0, 0, n)
}
