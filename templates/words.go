package templates

import (
	"fmt"
	"strconv"
	"time"

	"accord/conversation"
)

// LengthWords writes a meeting's length: "45 minutes", "1 hour", "1 hour
// 30 minutes".
func LengthWords(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case h > 0 && m > 0:
		return plural(h, "hour") + " " + plural(m, "minute")
	case h > 0:
		return plural(h, "hour")
	default:
		return plural(m, "minute")
	}
}

// ScheduleWords says a schedule for a confirmation, always with a 24-hour
// time so that a guessed afternoon hour shows: "every other Thursday at
// 14:30 for 45 minutes".
func ScheduleWords(s conversation.Schedule) string {
	every := "every"
	if s.Every == 2 {
		every = "every other"
	}
	return fmt.Sprintf("%s %s at %s for %s", every, s.Weekday, s.At, LengthWords(s.Length))
}
