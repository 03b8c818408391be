package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/internal/config"
	"accord/store"
)

// runDemo runs the demo into dir as accord demo --out dir does, with the
// default configuration, and returns what it printed.
func runDemo(t *testing.T, dir string) string {
	t.Helper()
	var out bytes.Buffer
	if err := Run(context.Background(), config.Default(), Options{Dir: dir, Out: &out}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	return out.String()
}

func TestDemo(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	out := runDemo(t, dir)

	for _, want := range []string{
		"Nothing leaves this machine",
		"Accord → Dana    welcome",
		"Accord → Sam     welcome",
		"out-of-office auto-reply",
		"recorded: auto-reply: ignored",
		"answer in HTML only",
		"answer, bottom-posted below the quote",
		"recorded: command: skip",
		"recorded: held: did you mean: pause 1 week",
		`Did you mean "pause 1 week"?`,
		"recorded: command: pause",
		"recorded: command: undo",
		"Paused until",
		"recorded: command: resume",
		"Accord → Dana    reminder",
		"Accord → Dana    draft        Your draft agreement — round 1 of 3",
		`reply to the draft: "agree all / change `,
		"recorded: answer: draft round 1: agree all; change ",
		"Accord → Dana    ack          Noted: your reply to the draft",
		"Accord → Sam     draft        Your draft agreement — round 2 of 3",
		"recorded: answer: draft round 2: agree all",
		"Accord → Sam     agreement    Your signed partnership agreement (version 1)",
		"agreement version 1 written",
		"Accord → Dana    schedule-ask",
		"recorded: command: check-in schedule out of hours",
		"recorded: command: check-in schedule tue 15:00 30m weekly",
		"accepts the invitation in Thunderbird",
		"accepts the invitation in Outlook",
		"recorded: calendar-reply: accepted series",
		"Accord → Sam     prep",
		"Accord → Dana    agenda",
		"Accord → Dana    follow-up",
		"recorded: follow-up for the meeting of",
		"recorded: command: check-in move-one",
		"Check-in with Sam moved to Thursday 25 March",
		"recorded: command: check-in skip",
		"No check-in on Thursday 25 March at 15:00",
		"No check-in on Thursday 25 March at 10:00",
		"Leave Accord? Reply stop to confirm",
		"You have left",
		"Your check-ins with Sam have ended",
		"Sam has stepped out",
		"Accord → Dana    review       Review 1/8",
		"recorded: answer to review 1/8, kept word for word",
		"Accord → Dana    question     Review 2/8 — Did we keep what we agreed?",
		"recorded: answer to review 2/8, kept word for word",
		"Accord → Sam     draft        Your agreement to sign again — round 1 of 3",
		"Accord → Dana    agreement    Your signed partnership agreement (version 2)",
		"agreement version 2 written",
		"Accord → Sam     digest       Your quarter together — review 1",
		"agreement version 2 after one review, 3 check-ins held",
		"Done in",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if strings.Contains(out, "NOT as typed") {
		t.Errorf("an answer was not recorded as typed:\n%s", out)
	}
	if saved, err := os.ReadFile(filepath.Join(dir, "transcript.txt")); err != nil || string(saved) != out {
		t.Errorf("transcript.txt differs from what was printed (err %v)", err)
	}

	// Every message is a numbered, parseable mail, in order, and each kind
	// the issue promises is there.
	files := emlFiles(t, dir)
	name := regexp.MustCompile(`^(\d{4})-(dana|sam|accord)-([a-z-]+)\.eml$`)
	kinds := map[string]int{}
	for i, f := range files {
		m := name.FindStringSubmatch(f)
		if m == nil {
			t.Fatalf("file %q is not NNNN-<recipient>-<kind>.eml", f)
		}
		if want := fmt.Sprintf("%04d", i+1); m[1] != want {
			t.Errorf("file %s is numbered %s", want, m[1])
		}
		kinds[m[2]+"-"+m[3]]++
		raw, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil || env.GetHeader("Message-Id") == "" || env.GetHeader("From") == "" {
			t.Errorf("%s: not a complete message (err %v)", f, err)
		}
	}
	for k, n := range map[string]int{
		"dana-welcome": 1, "sam-welcome": 1, "dana-agreement": 2, "sam-agreement": 2,
		"accord-auto-reply": 1, "accord-skip": 2, "accord-pause": 1, "accord-resume": 1, "accord-answer": 63,
		"accord-paus": 1, "sam-help": 1, "accord-undo": 1, "accord-stop": 2, "dana-partner-left": 1,
		"dana-schedule-ask": 2, "dana-calendar": 4, "sam-calendar": 4, "accord-calendar-reply": 2, "accord-move": 1,
		"dana-agenda": 3, "sam-agenda": 3, "dana-follow-up": 3, "dana-ended": 0, "sam-ended": 0,
		"dana-review": 1, "sam-review": 1, "dana-digest": 1, "sam-digest": 1,
		"dana-draft": 3, "sam-draft": 3, "accord-draft-reply": 5,
	} {
		if kinds[k] != n {
			t.Errorf("%d %s messages, want %d (all: %v)", kinds[k], k, n, kinds)
		}
	}

	// The agreement holds what both people typed, and Sam's skipped
	// question shows as passed on.
	en := scripts["en"]
	md, err := os.ReadFile(filepath.Join(dir, "agreement-v1.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range en.Dana.Answers {
		if !strings.Contains(string(md), a) {
			t.Errorf("agreement lacks Dana's answer %d", i+1)
		}
	}
	for i, a := range en.Sam.Answers {
		if got := strings.Contains(string(md), a); got != (i != 3) {
			t.Errorf("agreement has Sam's answer %d: %v, want %v", i+1, got, i != 3)
		}
	}
	if n := strings.Count(string(md), "passed on this one"); n != 1 {
		t.Errorf("agreement shows %d passed questions, want 1", n)
	}
	// Version 1 is signed by both, with Dana's change and addition from
	// the first round, which Sam agreed to in the second.
	signed := regexp.MustCompile(`\*\*Agreed by Dana Lee on \w+day \d+ \w+ 2027 and Sam Ortiz on \w+day \d+ \w+ 2027\.\*\*`)
	for _, want := range []string{"## We agree", "I protect your focus time and back your decisions in public. *(Dana)*",
		"### Added while drafting", "We tell each other the same day when a date starts to slip. *(Dana)*", "## Our answers in full"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("agreement-v1.md lacks %q", want)
		}
	}
	if !signed.Match(md) {
		t.Errorf("agreement-v1.md is not signed by both:\n%s", md)
	}
	page, err := os.ReadFile(filepath.Join(dir, "agreement-v1.html"))
	if err != nil || !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) || !bytes.Contains(page, []byte("Fairness and curiosity.")) {
		t.Errorf("agreement-v1.html is not the agreement page (err %v)", err)
	}

	// The review built version 2: what changed, then the dated review.
	v2, err := os.ReadFile(filepath.Join(dir, "agreement-v2.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"version 2", "after review 1", "## What changed in this version",
		"  - now: I will hold a monthly hour on your growth.", "## Review 1,", "**Sam:** 4 of 5 — Better than I expected", en.Dana.Review[2],
		"**Agreed by Dana Lee on Monday 12 April 2027 and Sam Ortiz on Saturday 10 April 2027.**"} {
		if !strings.Contains(string(v2), want) {
			t.Errorf("agreement-v2.md lacks %q", want)
		}
	}
	checkDemoZones(t, dir, files)

	// Each agenda has that week's notes, and from the second on the
	// action items of the meeting before: no two weeks read the same.
	var agendas []string
	for _, f := range files {
		if strings.HasSuffix(f, "-dana-agenda.eml") {
			// Words only: quoted notes are wrapped behind "|".
			words := slices.DeleteFunc(strings.Fields(readEML(t, dir, f).Text), func(w string) bool { return w == "|" })
			agendas = append(agendas, strings.Join(words, " "))
		}
	}
	for i, a := range agendas {
		for j := range i {
			if a == agendas[j] {
				t.Errorf("agendas %d and %d are the same", j+1, i+1)
			}
		}
	}
	for i, want := range []string{en.Sam.Prep[0], en.Sam.Prep[3], en.Sam.Prep[4]} {
		if i < len(agendas) && !strings.Contains(agendas[i], strings.Join(strings.Fields(want), " ")) {
			t.Errorf("agenda %d lacks Sam's notes of that week %q", i+1, want)
		}
	}
	for i, items := range en.Dana.FollowUp[:2] {
		for _, want := range strings.Split(items, "\n") {
			if i+1 < len(agendas) && !strings.Contains(agendas[i+1], strings.Join(strings.Fields(want), " ")) {
				t.Errorf("agenda %d lacks the action item of the meeting before, %q", i+2, want)
			}
		}
	}

	// The digest draws the ratings in both parts.
	for _, f := range files {
		if !strings.HasSuffix(f, "-digest.eml") {
			continue
		}
		env := readEML(t, dir, f)
		if !strings.Contains(env.Text, "████░  4/5") || !strings.Contains(env.HTML, "width:80%") || !strings.Contains(env.Text, "3 held, 1 skipped, 0 declined") ||
			!strings.Contains(strings.Join(strings.Fields(env.Text), " "), "Review 1, 12 April 2027: 33 kept, 2 partly, 1 not kept (36 ratings from you both)") {
			t.Errorf("%s: the digest lacks the rating chart or the check-in count:\n%s", f, env.Text)
		}
	}

	// The database agrees with the transcript.
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "accord.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	counts, err := st.InboundCounts(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.InboundAnswer] != 66 || counts[store.InboundAutoReply] != 1 || counts[store.InboundCommand] != 10 ||
		counts[store.InboundCalendar] != 2 || counts[store.InboundHeld] != 1 || len(counts) != 5 {
		t.Errorf("inbound outcomes %v, want 66 answers (31 questions, one undone, 5 replies to drafts, 16 review answers, 13 check-in notes), 1 auto-reply, 10 commands, 1 held, 2 calendar replies", counts)
	}

	// A second run replaces the first one's files.
	runDemo(t, dir)
	if again := emlFiles(t, dir); !slices.Equal(again, files) {
		for i := range min(len(again), len(files)) {
			if again[i] != files[i] {
				t.Errorf("second run: file %d is %s, first run had %s", i+1, again[i], files[i])
				break
			}
		}
		t.Errorf("second run left %d message files, want the %d of a fresh run", len(again), len(files))
	}
}

// Dates and times as the mail writes them: "Tuesday 16 March at 15:00",
// "every Tuesday at 09:00", and the partner's time "(10:00 for Sam)".
var (
	meetingDate  = regexp.MustCompile(`\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) (\d{1,2} [A-Z][a-z]+(?: \d{4})?) at (\d{2}:\d{2})\b`)
	meetingEvery = regexp.MustCompile(`\bevery (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) at (\d{2}:\d{2})\b`)
	partnerTime  = regexp.MustCompile(`\((\d{2}:\d{2}) for (Dana|Sam)[);]`)
)

// checkDemoZones reads every mail to Dana (Berlin) and Sam (New York) and
// checks each meeting time it names is a real meeting in the recipient's
// own zone, and each partner's time in the partner's. The pair meets on
// Tuesdays at 15:00 Berlin time, which is 09:00 or 10:00 in New York as
// the clocks change, and Sam moved one meeting to Thursday 25 March at
// 10:00 his time. Dana's first proposal, Tuesday 16 March at 10:00 her
// time, is named once when it is refused.
func checkDemoZones(t *testing.T, dir string, files []string) {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	zones := map[string]*time.Location{"dana": berlin, "sam": ny, "Dana": berlin, "Sam": ny}
	var meetings []time.Time
	for d := time.Date(2027, 3, 2, 15, 0, 0, 0, berlin); d.Month() < 6; d = d.AddDate(0, 0, 7) {
		meetings = append(meetings, d)
	}
	meetings = append(meetings, time.Date(2027, 3, 25, 10, 0, 0, 0, ny))
	refused := time.Date(2027, 3, 16, 10, 0, 0, 0, berlin)
	isMeeting := func(t time.Time) bool {
		return slices.ContainsFunc(meetings, t.Equal)
	}
	// clockOf says whether some meeting is at that clock time (and
	// weekday, if given) in loc.
	clockOf := func(clock, weekday string, loc *time.Location) bool {
		return slices.ContainsFunc(meetings, func(m time.Time) bool {
			l := m.In(loc)
			return l.Format("15:04") == clock && (weekday == "" || l.Weekday().String() == weekday)
		})
	}
	checked := 0
	for _, f := range files {
		parts := strings.SplitN(f, "-", 3)
		loc := zones[parts[1]]
		if loc == nil {
			continue
		}
		env := readEML(t, dir, f)
		text := env.GetHeader("Subject") + "\n" + strings.Join(strings.Fields(env.Text), " ")
		for _, m := range meetingDate.FindAllStringSubmatch(text, -1) {
			day := m[2]
			if strings.Count(day, " ") == 1 {
				day += " 2027"
			}
			at, err := time.ParseInLocation("Monday 2 January 2006 15:04", m[1]+" "+day+" "+m[3], loc)
			checked++
			switch {
			case err != nil:
				t.Errorf("%s: %q is not a date: %v", f, m[0], err)
			case !isMeeting(at) && !(at.Equal(refused) && strings.Contains(f, "schedule-ask")):
				t.Errorf("%s: %q is no meeting in %s's own time zone (%s)", f, m[0], parts[1], loc)
			}
		}
		for _, m := range meetingEvery.FindAllStringSubmatch(text, -1) {
			checked++
			if !clockOf(m[2], m[1], loc) {
				t.Errorf("%s: %q is not when the pair meets in %s's time zone", f, m[0], parts[1])
			}
		}
		for _, m := range partnerTime.FindAllStringSubmatch(text, -1) {
			checked++
			if !clockOf(m[1], "", zones[m[2]]) {
				t.Errorf("%s: %q is not a meeting time in %s's zone", f, m[0], m[2])
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d meeting times found in the mail to Dana and Sam; the check reads nothing", checked)
	}
}

// readEML parses one message file of the demo.
func readEML(t *testing.T, dir, name string) *enmime.Envelope {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return env
}

func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

func TestDemoPersonAwake(t *testing.T) {
	t.Parallel()
	dana, _, err := samplePair("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"2027-03-01T09:00:00Z", "2027-03-01T09:00:00Z"}, // 10:00 in Berlin
		{"2027-03-01T22:30:00Z", "2027-03-02T06:30:00Z"}, // 23:30: next morning 07:30
		{"2027-03-01T05:00:00Z", "2027-03-01T06:30:00Z"}, // 06:00: later that morning
	} {
		in, _ := time.Parse(time.RFC3339, tc.in)
		if got := dana.awake(in).Format(time.RFC3339); got != tc.want {
			t.Errorf("awake(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestDemoInEveryLanguage tells the same story in each language Accord
// writes: the same messages to the same people, reaching version 2 after
// the review, with every mail in the pair's language.
func TestDemoInEveryLanguage(t *testing.T) {
	t.Parallel()
	greeting := map[string]string{"fr": "Bonjour Dana", "de": "Hallo Dana", "es": "Hola, Dana"}
	for _, lang := range []string{"fr", "de", "es"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "demo")
			var out bytes.Buffer
			if err := Run(context.Background(), config.Default(), Options{Dir: dir, Out: &out, Lang: lang}); err != nil {
				t.Fatalf("demo --lang %s: %v\n%s", lang, err, out.String())
			}
			if !strings.Contains(out.String(), "199 messages, agreement version 2 after one review") {
				t.Errorf("demo --lang %s did not tell the whole story:\n%s", lang, tail(out.String(), 20))
			}
			welcome, err := filepath.Glob(filepath.Join(dir, "*-dana-welcome.eml"))
			if err != nil || len(welcome) != 1 {
				t.Fatalf("demo --lang %s: welcome files %v, %v", lang, welcome, err)
			}
			raw, err := os.ReadFile(welcome[0])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(raw, []byte(greeting[lang])) {
				t.Errorf("demo --lang %s: Dana's welcome does not greet her with %q", lang, greeting[lang])
			}
			checkPeopleWords(t, dir, lang)
		})
	}
}

// checkPeopleWords checks the pair wrote in lang, as people do: the
// agreement holds their answers, Dana's reworded statement and the one
// she added, and none of their English words; the first agenda holds
// Sam's notes, and version 2 what the review brought.
func checkPeopleWords(t *testing.T, dir, lang string) {
	t.Helper()
	sc, en := scripts[lang], scripts["en"]
	draft, err := conversation.ParseDraftReply(strings.ReplaceAll(sc.Dana.Draft.Reply, "{n}", "10"))
	if err != nil || len(draft.Commands) != 3 {
		t.Fatalf("Dana's reply to the draft in %s: %v, %v", lang, draft, err)
	}
	v1, err := os.ReadFile(filepath.Join(dir, "agreement-v1.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{sc.Dana.Answers[0], sc.Sam.Answers[7],
		"10. " + draft.Commands[1].Text + " *(Dana)*", "18. " + draft.Commands[2].Text + " *(Dana)*"} {
		if !strings.Contains(string(v1), want) {
			t.Errorf("demo --lang %s: agreement-v1.md lacks %q", lang, want)
		}
	}
	for _, english := range []string{en.Dana.Answers[0], en.Sam.Answers[7]} {
		if strings.Contains(string(v1), english) {
			t.Errorf("demo --lang %s: agreement-v1.md holds the English %q", lang, english)
		}
	}
	v2, err := os.ReadFile(filepath.Join(dir, "agreement-v2.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(v2), sc.Dana.Review[2]) {
		t.Errorf("demo --lang %s: agreement-v2.md lacks Dana's look back %q", lang, sc.Dana.Review[2])
	}
	agendas, err := filepath.Glob(filepath.Join(dir, "*-dana-agenda.eml"))
	if err != nil || len(agendas) == 0 {
		t.Fatalf("demo --lang %s: agendas %v, %v", lang, agendas, err)
	}
	words := slices.DeleteFunc(strings.Fields(readEML(t, dir, filepath.Base(agendas[0])).Text), func(w string) bool { return w == "|" })
	if want := strings.Join(strings.Fields(sc.Sam.Prep[0]), " "); !strings.Contains(strings.Join(words, " "), want) {
		t.Errorf("demo --lang %s: the first agenda lacks Sam's notes %q", lang, want)
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
