package demo

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"accord/conversation"
	"accord/templates"
)

// TestScriptEveryLanguage checks the pair have words in every language
// Accord writes, under every key English has, with as many answers,
// notes and review answers.
func TestScriptEveryLanguage(t *testing.T) {
	t.Parallel()
	en := scripts[templates.DefaultLanguage]
	if en == nil {
		t.Fatal("no people/en.toml")
	}
	for _, lang := range templates.Languages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			sc := scripts[lang]
			if sc == nil {
				t.Fatalf("no people/%s.toml", lang)
			}
			sameShape(t, "", reflect.ValueOf(*en), reflect.ValueOf(*sc))
		})
	}
	if len(scripts) != len(templates.Languages()) {
		t.Errorf("%d people files for %d languages", len(scripts), len(templates.Languages()))
	}
}

// sameShape reports a key of got that is empty, or a list whose length
// differs from want's.
func sameShape(t *testing.T, key string, want, got reflect.Value) {
	t.Helper()
	switch want.Kind() {
	case reflect.Struct:
		for i := range want.NumField() {
			f := want.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			sameShape(t, strings.TrimPrefix(key+"."+name, "."), want.Field(i), got.Field(i))
		}
	case reflect.Slice:
		if got.Len() != want.Len() {
			t.Errorf("%s has %d entries, want %d as in English", key, got.Len(), want.Len())
		}
		for i := range got.Len() {
			sameShape(t, key+"["+strconv.Itoa(i)+"]", want.Index(min(i, want.Len()-1)), got.Index(i))
		}
	case reflect.String:
		if strings.TrimSpace(got.String()) == "" {
			t.Errorf("%s is missing or empty", key)
		}
	}
}

// TestScriptReads checks, in every language, that the pair's commands
// read as the commands the story needs and that nothing else they write
// reads as a command.
func TestScriptReads(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, time.March, 22, 18, 30, 0, 0, time.UTC) // a Monday
	for lang, sc := range scripts {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			d, s := sc.Dana, sc.Sam
			for _, tc := range []struct {
				text string
				loc  *time.Location
				want conversation.CommandKind
			}{
				{s.Commands.Skip, ny, conversation.CmdSkip},
				{s.Commands.Pause, ny, conversation.CmdPause},
				{s.Commands.Resume, ny, conversation.CmdResume},
				{s.Commands.Stop, ny, conversation.CmdStop},
				{d.Commands.Undo, berlin, conversation.CmdUndo},
			} {
				if c, err := conversation.ParseCommand(tc.text, now, tc.loc); err != nil || c.Kind != tc.want {
					t.Errorf("ParseCommand(%q) = %v, %v, want %s", tc.text, c.Kind, err, tc.want)
				}
			}
			if c, _ := conversation.ParseCommand(s.Commands.Pause, now, ny); !c.Until.Equal(now.AddDate(0, 0, 7)) {
				t.Errorf("ParseCommand(%q) pauses until %v, want a week", s.Commands.Pause, c.Until)
			}
			// The slip is asked about ("did you mean"), not carried out
			// nor taken for an answer.
			if _, err := conversation.ParseCommand(s.Commands.Slip, now, ny); !errors.As(err, new(*conversation.NearMiss)) {
				t.Errorf("ParseCommand(%q) = %v, want a near miss", s.Commands.Slip, err)
			}
			if c, err := conversation.ParseCheckinCommand(d.Commands.SkipWeek, now, berlin, true); err != nil || c.Kind != conversation.CheckinCmdSkip {
				t.Errorf("ParseCheckinCommand(%q) = %v, %v, want skip", d.Commands.SkipWeek, c.Kind, err)
			}
			c, err := conversation.ParseCheckinCommand(s.Commands.Move, now, ny, true)
			if err != nil || c.Kind != conversation.CheckinCmdMoveOne {
				t.Errorf("ParseCheckinCommand(%q) = %v, %v, want move-one", s.Commands.Move, c.Kind, err)
			} else if at := c.NewStart(time.Date(2027, time.March, 23, 10, 0, 0, 0, ny), ny); at.Weekday() != time.Thursday || at.Hour() != 10 {
				t.Errorf("ParseCheckinCommand(%q) moves to %v, want Thursday 10:00", s.Commands.Move, at)
			}
			for i, want := range []string{"tue 10:00 30m weekly", "tue 15:00 30m weekly"} {
				if sched, err := conversation.ParseSchedule(d.Schedule[i]); err != nil || sched.Spec() != want {
					t.Errorf("ParseSchedule(%q) = %v, %v, want %s", d.Schedule[i], sched, err, want)
				}
			}

			// The drafts: Dana rewords the statement she finds and adds
			// one; both agree to all.
			if !strings.HasPrefix(d.Answers[14], d.Draft.Find) {
				t.Errorf("draft.find %q does not start Dana's answer 15", d.Draft.Find)
			}
			r, err := conversation.ParseDraftReply(strings.ReplaceAll(d.Draft.Reply, "{n}", "10"))
			if kinds := draftKinds(r); err != nil || kinds != "agree change add" || r.Commands[1].Numbers[0] != 10 {
				t.Errorf("ParseDraftReply(%q) = %s, %v, want agree all, change 10, add", d.Draft.Reply, kinds, err)
			}
			for _, text := range []string{d.Commands.AgreeAll, s.Commands.AgreeAll} {
				if r, err := conversation.ParseDraftReply(text); err != nil || draftKinds(r) != "agree" || !r.Commands[0].All {
					t.Errorf("ParseDraftReply(%q) = %v, %v, want agree all", text, r, err)
				}
			}

			// The review: a rating of 4, and every statement of the
			// 18 of version 1 rated.
			for _, review := range [][]string{d.Review, s.Review} {
				if n, _, err := conversation.ParseRating(review[0]); err != nil || n != 4 {
					t.Errorf("ParseRating(%q) = %d, %v, want 4", review[0], n, err)
				}
				if _, err := conversation.ParseKept(review[1], 18); err != nil {
					t.Errorf("ParseKept(%q, 18): %v", review[1], err)
				}
			}

			// Everything else they write is words, not commands.
			var words []string
			words = append(words, d.Answers...)
			words = append(words, s.Answers...)
			words = append(words, d.HalfAnswer)
			words = append(words, d.Review[2:6]...)
			words = append(words, s.Review[2:6]...)
			for _, w := range words {
				if c, err := conversation.ParseCommand(w, now, berlin); !errors.Is(err, conversation.ErrNotCommand) {
					t.Errorf("ParseCommand(%q) = %v, %v, want an answer", w, c.Kind, err)
				}
			}
			notes := append(append(append([]string{}, d.Prep...), d.FollowUp...), s.Prep...)
			for _, w := range notes {
				if c, err := conversation.ParseCheckinCommand(w, now, berlin, true); !errors.Is(err, conversation.ErrNotCommand) {
					t.Errorf("ParseCheckinCommand(%q) = %v, %v, want a note", w, c.Kind, err)
				}
				if c, err := conversation.ParseCommand(w, now, berlin); err == nil {
					t.Errorf("ParseCommand(%q) = %v, want a note", w, c.Kind)
				}
			}
		})
	}
}

func draftKinds(r conversation.DraftReply) string {
	var ks []string
	for _, c := range r.Commands {
		ks = append(ks, string(c.Kind))
	}
	return strings.Join(ks, " ")
}

// TestClientFill checks the attribution lines and dates mail clients
// write in each language.
func TestClientFill(t *testing.T) {
	t.Parallel()
	at := time.Date(2027, time.March, 1, 8, 30, 0, 0, time.UTC)
	from := "accord@example.com"
	for _, tc := range []struct {
		lang, layout, want string
	}{
		{"en", "gmail_quote", "On Mon, 1 Mar 2027 at 08:30, Accord <accord@example.com> wrote:"},
		{"en", "thunderbird_quote", "On 01/03/2027 08:30, Accord wrote:"},
		{"en", "outlook_date", "Monday, March 1, 2027 8:30 AM"},
		{"fr", "gmail_quote", "Le lun. 1 mars 2027 à 08:30, Accord <accord@example.com> a écrit :"},
		{"fr", "apple_quote", "Le 1 mars 2027 à 08:30, Accord <accord@example.com> a écrit :"},
		{"fr", "outlook_date", "lundi 1 mars 2027 08:30"},
		{"de", "gmail_quote", "Am Mo., 1. März 2027 um 08:30 Uhr schrieb Accord <accord@example.com>:"},
		{"de", "thunderbird_quote", "Am 01.03.27 um 08:30 schrieb Accord:"},
		{"de", "outlook_date", "Montag, 1. März 2027 08:30"},
		{"es", "apple_quote", "El 1 mar. 2027, a las 8:30, Accord <accord@example.com> escribió:"},
		{"es", "thunderbird_quote", "El 1/3/27 a las 8:30, Accord escribió:"},
		{"es", "outlook_date", "lunes, 1 de marzo de 2027 8:30"},
	} {
		c := &scripts[tc.lang].Client
		layout := map[string]string{"gmail_quote": c.GmailQuote, "apple_quote": c.AppleQuote,
			"thunderbird_quote": c.ThunderbirdQuote, "outlook_date": c.OutlookDate}[tc.layout]
		if got := c.fill(layout, tc.lang, at, "Accord", from); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.lang, tc.layout, got, tc.want)
		}
	}
}
