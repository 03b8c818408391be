package templates

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"accord/conversation"
)

// The words a person or an operator reads about what they wrote: each
// problem the domain finds, through the template that words it. The
// domain's tests check which problem it finds; these check the sentence.

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestEveryProblemWorded renders every problem code the domain declares:
// each has its template, and each says something on one line.
func TestEveryProblemWorded(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "../conversation/problem.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []conversation.ProblemCode
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "ProblemCode" {
				continue
			}
			for _, val := range v.Values {
				code, err := strconv.Unquote(val.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, conversation.ProblemCode(code))
			}
		}
	}
	if len(codes) < 50 {
		t.Fatalf("found %d problem codes in conversation/problem.go; is the file where the test looks?", len(codes))
	}
	sample := conversation.Problem{Input: "someday", Date: conversation.Date{Year: 2027, Month: time.March, Day: 28},
		Suggest: conversation.Date{Year: 2027, Month: time.April, Day: 4}, At: 9 * 60, From: 2 * 60, To: 3 * 60,
		Zone: "Europe/Berlin", Weekday: time.Tuesday, Want: time.Thursday, Length: 4 * time.Hour,
		Days: []time.Weekday{time.Monday, time.Friday}, Times: []conversation.ClockTime{600, 840},
		Lengths: []time.Duration{30 * time.Minute, time.Hour}, Name: "Sam"}
	seen := map[string]conversation.ProblemCode{}
	for _, code := range codes {
		p := sample
		p.Code = code
		text, err := ProblemText(p)
		if err != nil {
			t.Errorf("%s: %v", code, err)
			continue
		}
		if strings.TrimSpace(text) == "" || strings.ContainsAny(text, "\r\n") || strings.Contains(text, "<no value>") {
			t.Errorf("%s: worded as %q, want one line of words", code, text)
		}
		if other, ok := seen[text]; ok {
			t.Errorf("%s and %s are worded the same: %q", code, other, text)
		}
		seen[text] = code
	}
	if _, err := ProblemText(conversation.Problem{Code: "no-such-problem"}); err == nil {
		t.Error("a problem without a template was worded")
	}
}

// TestErrorText words the domain's errors and passes others through.
func TestErrorText(t *testing.T) {
	t.Parallel()
	_, err := conversation.ParseSchedule("Tuesdays")
	if got, want := ErrorText(fmt.Errorf("set: %w", err)), "At what time on Tuesdays? Reply with something like: Tuesdays at 10:00"; got != want {
		t.Errorf("ErrorText(wrapped schedule error) = %q, want %q", got, want)
	}
	if got := ErrorText(errors.New("plain")); got != "plain" {
		t.Errorf("ErrorText(plain error) = %q", got)
	}
}

func TestParseCheckinCommandErrors(t *testing.T) {
	t.Parallel()
	loc := zone(t, "Europe/Berlin")
	now := time.Date(2027, 2, 3, 9, 0, 0, 0, loc)
	tests := []struct {
		in      string
		context bool
		want    string
	}{
		{"skip 2027-01-09", false, "Saturday 9 January 2027 has already passed. Name a day still ahead, like 2027-02-10."},
		{"skip Jan 20", false, "Wednesday 20 January 2027 has already passed. Name a day still ahead, like 2027-02-10."},
		{"skip 2028-05-01", false, "Monday 1 May 2028 is more than a year away. Name a day within the next twelve months."},
		{"skip 2027-02-30", false, "2027-02-30 is not a date. Write it like 2027-02-09 or 9 February."},
		{"skip Feb 30", false, "feb 30 is not a date. Write it like 2027-02-09 or 9 February."},
		{"skip 9/2", false, "Is 9/2 day/month or month/day? Write the date like 2027-02-09 or 9 February."},
		{"skip the week after next", false, "We understood skip, but not which check-in. Reply skip this week, skip next week, or skip with a date, like skip 2027-02-09."},
		{"skip whenever", true, "We understood skip, but not which check-in. Reply skip this week, skip next week, or skip with a date, like skip 2027-02-09."},
		{"skip check-ins", false, "Skip one check-in or end them all? Reply skip this week, skip next week, or skip with a date, like skip 2027-02-09. To end them, reply cancel check-ins."},

		{"move to Thursday at 25:00", false, "25:00 is not a time of day. Write it like 10:00 or 14:30."},
		{"move to Thursday at 23:00", false, "23:00 is outside working hours, so we did not set it. Write the time you mean, like 10:00 or 15:30."},
		{"move to Thursday or Friday", false, "Thursday or Friday? One day, please: check-ins are weekly."},
		{"move to Thursday for an hour", false, "A single check-in keeps its usual length. To change the length of all of them, reply move all to Thursdays 14:00 for 45 minutes."},
		{"move this week to every other Thursday", false, "To change how often you meet, move them all: reply move all to every other Wednesday at 9:00."},
		{"move 2027-02-09 to Wednesday 2027-02-11 15:00", false, "2027-02-11 is a Thursday, not a Wednesday. Which did you mean?"},
		{"move 2027-02-09 to 2027-02-01 15:00", false, "Monday 1 February 2027 has already passed. Name a day still ahead, like 2027-02-10."},
		{"move to today 8:00", false, "08:00 today has already passed. Pick a later time."},
		{"move to 2027-02-11 and 2027-02-12", false, "Which day? Name one day to move to."},
		{"move all to 2027-02-11 10:00", false, "All check-ins move to a day of the week, not a date. Reply something like: move all to Wednesdays 9:00."},
		{"move all to monthly on Tuesdays", false, `Check-ins happen every week or every other week, so we cannot set them up "monthly". Reply with something like: every other Tuesday at 10:00`},
		{"move the week after next to Thursday", false, "We understood move, but not which check-in. Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},
		{"move to Berlin", true, "We could not find a day or a time to move to. Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},
		{"move the check-in to somewhere nice", false, "We could not find a day or a time to move to. Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},
		{"move", true, "Move it to when? Reply move to Thursday 14:00 to move the next check-in, or move all to Wednesdays 9:00 to move them all."},

		{"pause check-ins", false, "Until when? Reply pause check-ins until 2027-03-01, or pause check-ins 2 weeks."},
		{"pause", true, "Until when? Reply pause check-ins until 2027-03-01, or pause check-ins 2 weeks."},
		{"pause check-ins until someday", false, `We could not read "someday" as a date. Write it like pause check-ins until 2027-03-01.`},
		{"pause check-ins until 2027-02-03", false, "Wednesday 3 February 2027 is not in the future. Pick a later day to start again."},
		{"pause check-ins until 2027-01-15", false, "Friday 15 January 2027 is not in the future. Pick a later day to start again."},
		{"pause check-ins until 2029-01-01", false, "A pause can last up to a year; pick a nearer date than Monday 1 January 2029."},
		{"pause check-ins for 60 weeks", false, "A pause can last from 1 day to 52 weeks."},
		{"pause check-ins because of holidays", false, "We understood pause, but not the rest. Reply pause check-ins until 2027-03-01, or pause check-ins 2 weeks."},

		{"cancel the check-in", false, "Cancel one check-in or all of them? Reply skip this week to drop one, or cancel check-ins to end them all."},
		{"stop the meeting", false, "Stop one check-in or all of them? Reply skip this week to drop one, or stop check-ins to end them all."},
		{"cancel my subscription", true, "We understood cancel, but not the rest. Reply cancel check-ins to end them, or cancel this week to drop one."},
		{"cancel 2027-01-01", false, "Friday 1 January 2027 has already passed. Name a day still ahead, like 2027-02-10."},
	}
	for _, tt := range tests {
		got, err := conversation.ParseCheckinCommand(tt.in, now, loc, tt.context)
		var ce *conversation.CommandError
		if !errors.As(err, &ce) {
			t.Errorf("ParseCheckinCommand(%q, context %v) = %+v, %v, want *conversation.CommandError %q", tt.in, tt.context, got, err, tt.want)
			continue
		}
		if got := ErrorText(ce); got != tt.want {
			t.Errorf("ParseCheckinCommand(%q, context %v) error = %q, want %q", tt.in, tt.context, got, tt.want)
		}
	}
}

func TestParseScheduleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "Which day and time? Reply with something like: Tuesdays at 10:00"},
		{"sounds good", "Which day and time? Reply with something like: Tuesdays at 10:00"},
		{"at 10", "Which day? Reply with something like: Tuesdays at 10:00"},
		{"Tuesdays", "At what time on Tuesdays? Reply with something like: Tuesdays at 10:00"},
		{"Tuesdays for an hour", "At what time on Tuesdays? Reply with something like: Tuesdays at 10:00"},
		{"Tuesday or Thursday at 10", "Tuesday or Thursday? One day, please: check-ins are weekly."},
		{"Mon, Tue or Wed at 10", "Monday, Tuesday or Wednesday? One day, please: check-ins are weekly."},
		{"Tuesdays at 10 or 14:00", "10:00 or 14:00? One time, please."},
		{"Tuesdays at 10 for 30 minutes or an hour", "30 minutes or 1 hour? One length, please."},
		{"Tuesday 25:00", "25:00 is not a time of day. Write it like 10:00 or 14:30."},
		{"Tuesday 10:75", "10:75 is not a time of day. Write it like 10:00 or 14:30."},
		{"Tuesday at 14pm", "14pm is not a time of day. Write it like 10:00 or 14:30."},
		{"Tuesday at 23:00", "23:00 is outside working hours, so we did not set it. Write the time you mean, like 10:00 or 15:30."},
		{"Tuesday at 3 Uhr", "03:00 is outside working hours, so we did not set it. Did you mean 15:00? Write the time you mean, like 10:00 or 15:30."},
		{"Tuesday 05:30", "05:30 is outside working hours, so we did not set it. Did you mean 17:30? Write the time you mean, like 10:00 or 15:30."},
		{"Tuesday at 11pm", "23:00 is outside working hours, so we did not set it. Write the time you mean, like 10:00 or 15:30."},
		{"Tuesdays at 10:00 for 10 minutes", "Check-ins last from 15 minutes to 3 hours; 10 minutes is too short."},
		{"Tuesdays at 10 for 4 hours", "Check-ins last from 15 minutes to 3 hours; 4 hours is too long."},
		{"Tuesdays 9-5", "Check-ins last from 15 minutes to 3 hours; 8 hours is too long."},
		{"Tuesdays 14:00-13:00", "14:00 to 13:00 ends before it starts. Write the start and the length, like: Tuesdays at 10:00 for 1 hour."},
		{"monthly on Tuesdays at 10", `Check-ins happen every week or every other week, so we cannot set them up "monthly". Reply with something like: every other Tuesday at 10:00`},
		{"every 3 weeks on Tuesday at 10", `Check-ins happen every week or every other week, so we cannot set them up "every 3 weeks". Reply with something like: every other Tuesday at 10:00`},
		{"every other week, Tuesdays at 10, weekly", "Every week or every other week? Please name one."},
		// The compact form is literal about the hour but still checked.
		{"tue 24:00 30m weekly", "24:00 is not a time of day. Write it like 10:00 or 14:30."},
		{"tue 10:00 4h weekly", "Check-ins last from 15 minutes to 3 hours; 4 hours is too long."},
	}
	for _, tt := range tests {
		s, err := conversation.ParseSchedule(tt.in)
		var se *conversation.ScheduleError
		if !errors.As(err, &se) {
			t.Errorf("ParseSchedule(%q) = %v, %v, want *conversation.ScheduleError %q", tt.in, s, err, tt.want)
			continue
		}
		if got := ErrorText(se); got != tt.want {
			t.Errorf("ParseSchedule(%q) error = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	t.Parallel()
	ok := conversation.Schedule{Weekday: time.Tuesday, At: 10 * 60, Length: 30 * time.Minute, Every: 1}
	tests := []struct {
		name string
		edit func(*conversation.Schedule)
		want string // "" for valid
	}{
		{"valid", func(*conversation.Schedule) {}, ""},
		{"shortest", func(s *conversation.Schedule) { s.Length = 15 * time.Minute }, ""},
		{"longest", func(s *conversation.Schedule) { s.Length = 3 * time.Hour }, ""},
		{"night hour is the operator's call", func(s *conversation.Schedule) { s.At = 2 * 60 }, ""},
		{"too short", func(s *conversation.Schedule) { s.Length = 14 * time.Minute }, "Check-ins last from 15 minutes to 3 hours; 14 minutes is too short."},
		{"too long", func(s *conversation.Schedule) { s.Length = 3*time.Hour + time.Minute }, "Check-ins last from 15 minutes to 3 hours; 3 hours 1 minute is too long."},
		{"seconds", func(s *conversation.Schedule) { s.Length = 30*time.Minute + time.Second }, "Check-ins last whole minutes, not 30m1s."},
		{"every 0", func(s *conversation.Schedule) { s.Every = 0 }, "Check-ins happen every week or every other week."},
		{"every 3", func(s *conversation.Schedule) { s.Every = 3 }, "Check-ins happen every week or every other week."},
		{"time", func(s *conversation.Schedule) { s.At = 24 * 60 }, "The check-in time must lie between 00:00 and 23:59."},
		{"weekday", func(s *conversation.Schedule) { s.Weekday = 7 }, "The check-in day is not a day of the week."},
	}
	for _, tt := range tests {
		s := ok
		tt.edit(&s)
		err := s.Validate()
		got := ""
		if err != nil {
			got = ErrorText(err)
		}
		if got != tt.want {
			t.Errorf("%s: %#v.Validate() = %q, want %q", tt.name, s, got, tt.want)
		}
	}
}

func TestScheduleCheckTimes(t *testing.T) {
	t.Parallel()
	const year = 365 * 24 * time.Hour
	tests := []struct {
		name    string
		zone    string
		spec    string
		after   time.Time // in UTC; the series starts at the first slot after it
		horizon time.Duration
		want    string // "" for no error
		on      conversation.Date
	}{
		{
			"start in the spring gap", "Europe/Berlin", "sun 02:30 30m weekly", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), year,
			"On Sunday 28 March 2027 clocks in Europe/Berlin jump from 02:00 to 03:00, so 02:30 does not exist that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.March, Day: 28},
		},
		{
			"start in the autumn overlap", "Europe/Berlin", "sun 02:30 30m weekly", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), year,
			"On Sunday 31 October 2027 clocks in Europe/Berlin go back from 03:00 to 02:00, so 02:30 happens twice that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.October, Day: 31},
		},
		{
			"end in the gap", "Europe/Berlin", "sun 01:30 1h weekly", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), year,
			"On Sunday 28 March 2027 clocks in Europe/Berlin jump from 02:00 to 03:00, so the check-in would end at 02:30, which does not exist that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.March, Day: 28},
		},
		{
			"end in the overlap", "Europe/Berlin", "sun 01:45 30m weekly", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), year,
			"On Sunday 31 October 2027 clocks in Europe/Berlin go back from 03:00 to 02:00, so the check-in would end at 02:15, which happens twice that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.October, Day: 31},
		},
		{
			"New York gap", "America/New_York", "sun 02:15 30m weekly", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), year,
			"On Sunday 14 March 2027 clocks in America/New_York jump from 02:00 to 03:00, so 02:15 does not exist that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.March, Day: 14},
		},
		{
			"New York overlap", "America/New_York", "sun 01:30 30m weekly", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), year,
			"On Sunday 7 November 2027 clocks in America/New_York go back from 02:00 to 01:00, so 01:30 happens twice that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.November, Day: 7},
		},
		{
			"Sydney overlap", "Australia/Sydney", "sun 02:30 30m weekly", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), year,
			"On Sunday 4 April 2027 clocks in Australia/Sydney go back from 03:00 to 02:00, so 02:30 happens twice that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.April, Day: 4},
		},
		{
			"biweekly series that misses the change day", "Europe/Berlin", "sun 02:30 30m biweekly", time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), 4 * 7 * 24 * time.Hour,
			"", conversation.Date{},
		},
		{
			"biweekly series that lands on it", "Europe/Berlin", "sun 02:30 30m biweekly", time.Date(2027, 3, 8, 0, 0, 0, 0, time.UTC), 4 * 7 * 24 * time.Hour,
			"On Sunday 28 March 2027 clocks in Europe/Berlin jump from 02:00 to 03:00, so 02:30 does not exist that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.March, Day: 28},
		},
		{"horizon ends before the change", "Europe/Berlin", "sun 02:30 30m weekly", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), 14 * 24 * time.Hour, "", conversation.Date{}},
		{"zero horizon checks the first only", "Europe/Berlin", "sun 02:30 30m weekly", time.Date(2027, 3, 27, 0, 0, 0, 0, time.UTC), 0,
			"On Sunday 28 March 2027 clocks in Europe/Berlin jump from 02:00 to 03:00, so 02:30 does not exist that day. Pick another time.",
			conversation.Date{Year: 2027, Month: time.March, Day: 28},
		},
		{"office hours are safe", "Europe/Berlin", "sun 10:00 30m weekly", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 2 * year, "", conversation.Date{}},
		{"no daylight saving time", "Asia/Kolkata", "sun 02:30 30m weekly", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 2 * year, "", conversation.Date{}},
		{"other weekday than the change", "Europe/Berlin", "mon 02:30 30m weekly", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 2 * year, "", conversation.Date{}},
	}
	for _, tt := range tests {
		loc := zone(t, tt.zone)
		s, err := conversation.ParseSchedule(tt.spec)
		if err != nil {
			t.Fatalf("conversation.ParseSchedule(%q): %v", tt.spec, err)
		}
		first := s.First(tt.after, loc)
		err = s.CheckTimes(first, loc, tt.horizon)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %q.CheckTimes(%v) = %v, want nil", tt.name, tt.spec, first, err)
			}
			continue
		}
		var se *conversation.ScheduleError
		if !errors.As(err, &se) {
			t.Errorf("%s: %q.CheckTimes(%v) = %v, want *conversation.ScheduleError", tt.name, tt.spec, first, err)
			continue
		}
		if got := ErrorText(se); got != tt.want || se.Problem.Date != tt.on {
			t.Errorf("%s: %q.CheckTimes(%v) = %q on %v, want %q on %v", tt.name, tt.spec, first, got, se.Problem.Date, tt.want, tt.on)
		}
	}
}

func TestScheduleWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    conversation.Schedule
		want string
	}{
		{conversation.Schedule{Weekday: time.Tuesday, At: 10 * 60, Length: 30 * time.Minute, Every: 1}, "every Tuesday at 10:00 for 30 minutes"},
		{conversation.Schedule{Weekday: time.Thursday, At: 14*60 + 30, Length: 45 * time.Minute, Every: 2}, "every other Thursday at 14:30 for 45 minutes"},
		{conversation.Schedule{Weekday: time.Monday, At: 9 * 60, Length: time.Hour, Every: 1}, "every Monday at 09:00 for 1 hour"},
		{conversation.Schedule{Weekday: time.Friday, At: 15 * 60, Length: 90 * time.Minute, Every: 1}, "every Friday at 15:00 for 1 hour 30 minutes"},
		{conversation.Schedule{Weekday: time.Friday, At: 15 * 60, Length: 2*time.Hour + time.Minute, Every: 2}, "every other Friday at 15:00 for 2 hours 1 minute"},
	}
	for _, tt := range tests {
		if got := ScheduleWords("en", tt.s); got != tt.want {
			t.Errorf("ScheduleWords(%#v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// TestQuestionSetValidate words what Validate finds in a question set, as
// an operator reads it.
func TestQuestionSetValidate(t *testing.T) {
	t.Parallel()
	q := func(id string) conversation.Question {
		return conversation.Question{ID: id, Theme: "T", Title: "Title?", Text: "Ask {partner}?"}
	}
	tests := []struct {
		name string
		edit func(s *conversation.QuestionSet)
		want []string // substrings of the errors, in order
	}{
		{"valid", func(s *conversation.QuestionSet) {}, nil},
		{"missing name and version", func(s *conversation.QuestionSet) { s.Name, s.Version = "", 0 }, []string{"set.name: is missing", "set.version"}},
		{"no questions", func(s *conversation.QuestionSet) { s.Questions = nil }, []string{"has no questions"}},
		{"missing id", func(s *conversation.QuestionSet) { s.Questions[1].ID = "" }, []string{"question 2, id: is missing"}},
		{"duplicate id", func(s *conversation.QuestionSet) { s.Questions[2].ID = "a" }, []string{`question 3, id: "a" is already used by question 1`}},
		{"bad id", func(s *conversation.QuestionSet) { s.Questions[0].ID = "What Works" }, []string{"question 1, id"}},
		{"no wording for a role", func(s *conversation.QuestionSet) {
			s.Questions[0].Text = ""
			s.Questions[0].Wording = map[conversation.Role]string{conversation.RoleLead: "x", conversation.RoleReport: "y"}
		}, []string{"question 1, peer: is missing"}},
		{"unknown placeholder", func(s *conversation.QuestionSet) { s.Questions[0].Text = "Hi {name}" }, []string{"unknown placeholder {name}"}},
		{"long title", func(s *conversation.QuestionSet) { s.Questions[0].Title = strings.Repeat("x", 61) }, []string{"61 characters"}},
		{"bad section", func(s *conversation.QuestionSet) { s.Questions[0].Section = "extras" }, []string{`section: "extras"`}},
		{"missing theme", func(s *conversation.QuestionSet) { s.Questions[0].Theme = " " }, []string{"theme: is missing"}},
		{"review questions", func(s *conversation.QuestionSet) {
			r := q("learned")
			r.Theme = ""
			s.Review = []conversation.Question{r, q("team")}
		}, nil},
		{"review uses the rating id", func(s *conversation.QuestionSet) { s.Review = []conversation.Question{q("rating")} }, []string{`review question 1, id: "rating" is the rating`}},
		{"review uses a commitment id", func(s *conversation.QuestionSet) { s.Review = []conversation.Question{q("commit-q2")} }, []string{"review question 1, id: ids starting with"}},
		{"review duplicate id", func(s *conversation.QuestionSet) { s.Review = []conversation.Question{q("a"), q("a")} }, []string{`review question 2, id: "a" is already used by question 1`}},
		{"review with a section", func(s *conversation.QuestionSet) {
			r := q("learned")
			r.Section = conversation.SectionCommitments
			s.Review = []conversation.Question{r}
		}, []string{"review question 1, section"}},
		{"review without wording", func(s *conversation.QuestionSet) {
			r := q("learned")
			r.Text, r.Title = "", ""
			s.Review = []conversation.Question{r}
		}, []string{"review question 1, title", "review question 1, lead", "review question 1, report", "review question 1, peer"}},
		{"review too long", func(s *conversation.QuestionSet) {
			for i := range conversation.MaxReviewQuestions + 1 {
				s.Review = append(s.Review, q(fmt.Sprintf("r%d", i)))
			}
		}, []string{"set.review: has 9 questions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &conversation.QuestionSet{Name: "ours", Version: 1, Questions: []conversation.Question{q("a"), q("b"), q("c")}}
			tt.edit(s)
			errs := s.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("Validate() = %v, want %d errors", errs, len(tt.want))
			}
			for i, w := range tt.want {
				if got := ErrorText(errs[i]); !strings.Contains(got, w) {
					t.Errorf("error %d = %q, want it to contain %q", i, got, w)
				}
			}
		})
	}
}
