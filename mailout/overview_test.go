package mailout

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/store"
	"accord/store/storetest"
	"accord/templates"
)

// TestOverviewWording renders overviews of one, two and three
// partnerships: the counts read right in the singular and the plural.
func TestOverviewWording(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2027, 1, 11, 0, 0, 0, 0, berlin)
	line := func(name string, stage conversation.OverviewStage) conversation.OverviewLine {
		return conversation.OverviewLine{Role: conversation.RoleLead, Partner: conversation.Person{Name: name}, Stage: stage,
			Mine: conversation.OverviewProgress{Answered: 3, Total: 16}, Theirs: conversation.OverviewProgress{Answered: 16, Total: 16},
			Checkins: conversation.CheckinsNone}
	}
	tue := monday.Add(34 * time.Hour) // Tuesday 10:00
	review := line("Sam Ortiz", conversation.StageWaitingOnPartner)
	review.Review, review.Version, review.Mine, review.Theirs = 1, 1, conversation.OverviewProgress{Answered: 7, Total: 7}, conversation.OverviewProgress{Answered: 2, Total: 7}
	review.Paused, review.PausedUntil = true, monday.AddDate(0, 0, 14)
	review.Checkins, review.CheckinsUntil = conversation.CheckinsPaused, monday.AddDate(0, 0, 14)
	review.Meetings = []conversation.OverviewMeeting{{Start: tue, Status: conversation.MeetingCancelled}}
	peer := line("Kim Novak", conversation.StageAgreed)
	peer.Role, peer.Version, peer.NextReview = conversation.RolePeer, 2, conversation.DateOf(monday.AddDate(0, 3, 0), berlin)
	peer.PartnerPaused, peer.Checkins = true, conversation.CheckinsCancelled
	report := line("Ana Ruiz", conversation.StageAgreed)
	report.Role, report.Version, report.Checkins = conversation.RoleReport, 1, conversation.CheckinsOn
	for _, tc := range []struct {
		name    string
		lines   []conversation.OverviewLine
		subject string
		text    []string
	}{
		{"breaks, a review and check-ins off", []conversation.OverviewLine{review, peer, report},
			"[Accord] Your week from 11 January: 3 partnerships", []string{
				"Waiting on Sam: you have been through all 7 review questions, and Sam has answered 2.",
				"You are taking a break from this partnership until Monday 25 January 2027.",
				"Check-ins are paused until Monday 25 January 2027.",
				"Tuesday 12 January at 10:00: off, during the break",
				"Kim Novak\n- Agreement version 2 in place; next review on Sunday 11 April 2027.",
				"Kim is taking a break for now.", "Your check-ins are cancelled.",
				"Ana Ruiz, your manager\n- Agreement version 1 in place.", "No check-in this week."}},
		{"one partnership", []conversation.OverviewLine{line("Sam Ortiz", conversation.StageAnswering)},
			"[Accord] Your week from 11 January: 1 partnership", []string{"your 1 partnership stand this week, from Monday 11 January. It shows"}},
		{"two, one waiting", []conversation.OverviewLine{line("Ana Ruiz", conversation.StageWaitingOnYou), line("Sam Ortiz", conversation.StageAnswering)},
			"[Accord] Your week from 11 January: 2 partnerships, 1 waiting on you", []string{"your 2 partnerships stand", "one of them is waiting on you.",
				"Waiting on you: Ana has been through all 16 questions, and you have answered 3.", "you have answered 3 of 16, Sam 16."}},
		{"three, two waiting", []conversation.OverviewLine{line("Ana Ruiz", conversation.StageWaitingOnYou), line("Sam Ortiz", conversation.StageWaitingOnYou), line("Kim Novak", conversation.StageBothDone)},
			"[Accord] Your week from 11 January: 3 partnerships, 2 waiting on you", []string{"your 3 partnerships stand", "2 of them are waiting on you.",
				"You have both been through every question: your agreement is on its way."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := conversation.Overview{Person: conversation.Person{ID: 1, Name: "Dana Lee", Email: "dana@example.com", Location: berlin},
				Week: conversation.WeekOf(monday, berlin), From: monday, To: monday.AddDate(0, 0, 7), Lines: tc.lines}
			v := OverviewLetter(o, monday.Add(8*time.Hour)).View
			v.Service = "Accord"
			r, err := templates.RenderMail(v)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tc.subject)
			}
			text := strings.Join(strings.Fields(r.Text), " ")
			for _, want := range tc.text {
				// Several lines are looked for as they are; one line
				// whatever its wrapping.
				if !strings.Contains(text, want) && !strings.Contains(r.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, r.Text)
				}
			}
		})
	}
}

// TestOverviewMail sends a lead's weekly overview through the store on
// every database: one mail, in her time, about both her partnerships,
// with none of her words in it, and no reply address of any partnership.
func TestOverviewMail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		clock := storetest.NewClock(time.Date(2027, 1, 6, 12, 0, 0, 0, time.UTC))
		r := &Renderer{Identity: testIdentity()}
		st, err := store.Open(ctx, url, store.Options{Clock: clock, Dispatcher: &Dispatcher{Renderer: r}})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		set, err := templates.DefaultQuestionSet()
		if err != nil {
			t.Fatal(err)
		}
		dana := store.EnrollPerson{Name: "Dana Lee", Email: "dana@example.test", TimeZone: "Europe/Berlin"}
		var ids []int64
		for _, report := range []string{"Sam Ortiz", "Ana Ruiz"} {
			first := strings.ToLower(conversation.FirstName(report))
			id, err := st.Enroll(ctx, store.Enrollment{Kind: conversation.KindLeadReport, Set: set, A: dana,
				B: store.EnrollPerson{Name: report, Email: first + "@example.test", TimeZone: "America/New_York"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		const secret = "I am thinking of leaving the team."
		if _, err := st.Apply(ctx, ids[0], func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Answer(p.Lead().ID, p.Lead().Current().QuestionID, secret, now)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.QueueOverviews(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2027, 1, 11, 7, 0, 0, 0, time.UTC)) // Monday 08:00 in Berlin
		w := &store.Worker{Store: st, Name: "test", Handlers: map[string]store.Handler{store.KindOverview: st.SendOverview(r)}}
		if n, err := w.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("RunDue = %d, %v; want Dana's overview", n, err)
		}
		found := 0
		for _, env := range mailOf(t, st, "dana@example.test") {
			if strings.Contains(env.GetHeader("Subject"), "Your week") {
				found++
				if strings.Contains(env.Text, secret) || strings.Contains(env.HTML, secret) {
					t.Errorf("the overview shows Dana's answer:\n%s", env.Text)
				}
				for _, want := range []string{"Sam Ortiz, who reports to you", "Ana Ruiz, who reports to you", "from Monday 11 January", "you have answered 1 of"} {
					if !strings.Contains(strings.Join(strings.Fields(env.Text), " "), want) {
						t.Errorf("the overview lacks %q:\n%s", want, env.Text)
					}
				}
				for k, want := range map[string]string{
					"Subject":          "[Accord] Your week from 11 January: 2 partnerships",
					"Reply-To":         "",
					"List-Unsubscribe": "<mailto:accord@example.com?subject=stop>",
					"Auto-Submitted":   "auto-generated",
				} {
					if got := env.GetHeader(k); got != want {
						t.Errorf("%s = %q, want %q", k, got, want)
					}
				}
			}
		}
		if found != 1 {
			t.Fatalf("%d overviews to Dana, want 1", found)
		}
		// Not a word of it in the stored bytes either, however encoded.
		jobs, err := st.JobsOfKind(ctx, store.KindMail)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			id, _ := store.MailJobOutboxID(j)
			m, err := st.Outbox(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != store.KindOverview {
				continue
			}
			env, err := enmime.ReadEnvelope(bytes.NewReader(m.Raw))
			if err != nil {
				t.Fatal(err)
			}
			for _, part := range []string{string(m.Raw), env.Text, env.HTML} {
				if strings.Contains(part, "thinking of leaving") {
					t.Errorf("the stored overview holds Dana's words:\n%s", part)
				}
			}
		}
	})
}
