package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"accord/conversation"
	"accord/internal/apply"
)

// The simulation drives a lead in Berlin and a report in New York through
// the whole default question set on a fake clock, through the store and its
// job worker, the way production runs it: mail jobs are "delivered" to a
// simulated person, who replies through the reply token after a delay.
//
// The timeline starts on Monday 8 March 2027, so the report's reminders
// cross New York's change to daylight time (14 March) and the lead's cross
// Berlin's (28 March). It then runs for a year of quarterly reviews, across
// both autumn and spring clock changes, to May 2028.

type simMail struct {
	at time.Time
	MailJob
}

type simPerson struct {
	name    string
	loc     *time.Location
	id      int64
	inbox   []simMail
	replied map[string]time.Time // question id → first answer (a skip shows nothing)
	// react decides what to do with a mail: zero delay means ignore it.
	react func(m simMail) (delay time.Duration, reply string)
}

type simEvent struct {
	at time.Time
	do func()
}

type simulation struct {
	t      *testing.T
	ctx    context.Context
	st     *Store
	clock  *fakeClock
	people map[int64]*simPerson
	events []simEvent
	log    []string
	// until ends the run: nothing due later is done.
	until time.Time
}

func (s *simulation) schedule(at time.Time, do func()) {
	s.events = append(s.events, simEvent{at, do})
}

// deliver is the mail job handler: the message reaches its recipient now.
func (s *simulation) deliver(_ context.Context, j Job) error {
	var m simMail
	if err := json.Unmarshal(j.Payload, &m.MailJob); err != nil {
		return err
	}
	m.at = s.clock.Now()
	p := s.people[m.ParticipantID]
	p.inbox = append(p.inbox, m)
	s.log = append(s.log, fmt.Sprintf("%s  → %-6s %-12s q%-2d rem=%d notes=%v", m.at.In(p.loc).Format("Mon 01-02 15:04 MST"), p.name, m.Kind, m.Number, m.Reminder, m.Notes))
	if delay, reply := p.react(m); delay > 0 {
		token := m.ReplyToken
		s.schedule(m.at.Add(delay), func() { s.reply(p, token, reply) })
	}
	return nil
}

// reply is the person writing back through a mail's reply token.
func (s *simulation) reply(p *simPerson, token, text string) {
	s.t.Helper()
	target, err := s.st.ResolveToken(s.ctx, token)
	if err != nil {
		s.t.Fatalf("%s replies with token %q: %v", p.name, token, err)
	}
	if target.ParticipantID != p.id || target.Email != p.name+"@example.test" {
		s.t.Fatalf("token of %s resolved to participant %d <%s>", p.name, target.ParticipantID, target.Email)
	}
	now := s.clock.Now()
	s.log = append(s.log, fmt.Sprintf("%s  ← %-6s %q to %s", now.In(p.loc).Format("Mon 01-02 15:04 MST"), p.name, text, target.QuestionID))
	_, err = s.st.Apply(s.ctx, target.PartnershipID, func(pp *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		if _, _, ok := apply.DraftRoundOf(target.Purpose); ok {
			if !conversationDraftOpen(pp, target.Purpose) {
				return nil, nil // signed meanwhile; mailin answers such a reply with the reason
			}
			reply, err := conversation.ParseDraftReply(text)
			if err != nil {
				return nil, err
			}
			return pp.ReplyToDraft(target.ParticipantID, reply, now)
		}
		cmd, err := conversation.ParseCommand(text, now, p.loc)
		switch {
		case err == conversation.ErrNotCommand:
			if _, seen := p.replied[target.QuestionID]; !seen {
				p.replied[target.QuestionID] = now
			}
			return pp.Answer(target.ParticipantID, target.QuestionID, text, now)
		case err != nil:
			return nil, err
		case cmd.Kind == conversation.CmdSkip:
			return pp.Skip(target.ParticipantID, target.QuestionID, now)
		case cmd.Kind == conversation.CmdPause:
			return pp.Pause(target.ParticipantID, cmd.Until, now)
		case cmd.Kind == conversation.CmdResume:
			return pp.Resume(target.ParticipantID, now)
		}
		return nil, fmt.Errorf("simulation does not send %s", cmd.Kind)
	})
	if err != nil {
		s.t.Fatalf("%s: %q: %v", p.name, text, err)
	}
}

// run processes jobs and replies in time order until nothing is left.
func (s *simulation) run(w *Worker) {
	for range 5000 {
		next, err := s.st.NextJobAt(s.ctx)
		if err != nil {
			s.t.Fatal(err)
		}
		slices.SortStableFunc(s.events, func(a, b simEvent) int { return a.at.Compare(b.at) })
		if len(s.events) == 0 && (next.IsZero() || next.After(s.until)) {
			return
		}
		if len(s.events) > 0 && (next.IsZero() || s.events[0].at.Before(next)) {
			ev := s.events[0]
			s.events = s.events[1:]
			if ev.at.After(s.clock.Now()) {
				s.clock.Set(ev.at)
			}
			ev.do()
			continue
		}
		if next.After(s.clock.Now()) {
			s.clock.Set(next)
		}
		if _, err := w.RunDue(s.ctx); err != nil {
			s.t.Fatal(err)
		}
	}
	s.t.Fatal("simulation did not settle")
}

func asks(m simMail) bool {
	return m.Kind == conversation.MsgWelcome || m.Kind == conversation.MsgQuestion || m.Kind == conversation.MsgReminder || m.Kind == conversation.MsgReviewOpen
}

// reviewReply is how a simulated person answers a review question: a
// rating, keep for commitments (or, in the first review, the lead adds
// one), words for the rest.
func reviewReply(name string, m simMail) (string, bool) {
	number, _, _ := strings.Cut(strings.TrimPrefix(m.QuestionID, "review"), "-")
	switch part, topic := conversation.ReviewPartOf(m.QuestionID); {
	case part == "":
		return "", false
	case part == conversation.PartRating && name == "dana":
		return number + " – better each quarter", true
	case part == conversation.PartRating:
		return "4", true
	case topic == "commitments" && name == "dana" && number == "1":
		return "dana on q15\nI share my plans for the week on Mondays.", true
	case part == conversation.PartCommitment:
		return "keep", true
	case part == conversation.PartKept && name == "sam":
		return "all yes, 1 partly", true
	case part == conversation.PartKept:
		return "all yes", true
	}
	return name + " on " + m.QuestionID, true
}

func TestSimulation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		ny, _ := time.LoadLocation("America/New_York")
		start := time.Date(2027, 3, 8, 9, 0, 0, 0, berlin) // Monday
		clock := newClock(start)
		st := openStore(t, url, Options{Clock: clock})
		set := defaultSet(t)
		sim := &simulation{t: t, ctx: ctx, st: st, clock: clock, people: map[int64]*simPerson{}, until: time.Date(2028, 5, 1, 0, 0, 0, 0, berlin)}

		id := ok(st.Enroll(ctx, Enrollment{
			Kind: conversation.KindLeadReport,
			A:    EnrollPerson{Name: "dana", Email: "dana@example.test", TimeZone: "Europe/Berlin"},
			B:    EnrollPerson{Name: "sam", Email: "sam@example.test", TimeZone: "America/New_York"},
			Set:  set,
		}))(t)
		p := ok(st.Load(ctx, id))(t)

		dana := &simPerson{name: "dana", loc: berlin, id: p.Participants[0].ID, replied: map[string]time.Time{}}
		sam := &simPerson{name: "sam", loc: ny, id: p.Participants[1].ID, replied: map[string]time.Time{}}
		sim.people[dana.id], sim.people[sam.id] = dana, sam

		danaDrafts := 0
		dana.react = func(m simMail) (time.Duration, string) {
			if m.Kind == conversation.MsgDraft {
				// The first round: she agrees and adds a statement; later
				// rounds, and each review's, she signs as they stand.
				if danaDrafts++; danaDrafts > 1 || m.Reminder > 0 {
					return 3 * time.Hour, "agree all"
				}
				return 3 * time.Hour, "agree all\nadd: We write a short note after each review."
			}
			if reply, ok := reviewReply("dana", m); ok {
				if m.Reminder > 0 {
					return 0, ""
				}
				return 3 * time.Hour, reply
			}
			switch {
			case !asks(m):
				return 0, ""
			case m.Number == 4 && m.Reminder == 0:
				// Dana is away for two and a half weeks: both reminders
				// come and go, then Accord stays quiet until she answers
				// on Thursday 25 March at 10:00.
				return time.Date(2027, 3, 25, 10, 0, 0, 0, berlin).Sub(m.at), "dana on q4"
			case m.Number == 4:
				return 0, ""
			case m.Number == 5 && m.Reminder < 2:
				return 0, "" // Dana lets question 5 wait until the second reminder.
			case m.Number == 9:
				// Answers, then corrects herself a day later.
				sim.schedule(m.at.Add(26*time.Hour), func() { sim.reply(dana, m.ReplyToken, "dana on q9, second thoughts") })
				return 2 * time.Hour, "dana on q9"
			}
			return 2 * time.Hour, fmt.Sprintf("dana on q%d", m.Number)
		}
		pausedAt := time.Time{}
		sam.react = func(m simMail) (time.Duration, string) {
			if m.Kind == conversation.MsgDraft {
				return 5 * time.Hour, "agree all" // every round, as it stands
			}
			if reply, ok := reviewReply("sam", m); ok {
				// Sam lets the second review pass unanswered.
				if m.Reminder > 0 || strings.HasPrefix(m.QuestionID, "review2-") {
					return 0, ""
				}
				return 26 * time.Hour, reply
			}
			switch {
			case !asks(m):
				return 0, ""
			case m.Number == 1:
				// Sam answers the welcome on Friday at 10:30.
				return time.Date(2027, 3, 12, 10, 30, 0, 0, ny).Sub(m.at), "sam on q1"
			case m.Number == 2 && m.Reminder == 0:
				return 0, "" // Sam answers question 2 only once reminded.
			case m.Number == 3:
				return time.Hour, "skip"
			case m.Number == 7 && !m.Resent:
				sim.schedule(m.at.Add(time.Hour), func() { pausedAt = clock.Now() })
				sim.schedule(m.at.Add(5*24*time.Hour), func() { sim.reply(sam, m.ReplyToken, "resume") })
				return time.Hour, "pause"
			}
			return time.Hour, fmt.Sprintf("sam on q%d", m.Number)
		}

		w := &Worker{Store: st, Name: "sim", Handlers: map[string]Handler{KindMail: sim.deliver, KindWake: st.Wake}}
		sim.run(w)
		if testing.Verbose() {
			t.Log("timeline:\n" + strings.Join(sim.log, "\n"))
		}

		final := ok(st.Load(ctx, id))(t)
		if final.Status != conversation.StatusAgreement {
			t.Fatalf("final status = %s, want agreement", final.Status)
		}
		checkReviews(t, final, dana, sam)
		// Version 1 was drafted in two rounds: Dana's addition in the
		// first, Sam's agreement to it in the second, then signed by both.
		v1 := final.Agreements[0]
		added := slices.ContainsFunc(v1.Statements, func(s conversation.AgreedStatement) bool {
			return s.Text == "We write a short note after each review." && s.Name == "dana"
		})
		if !v1.Signed() || !added {
			t.Errorf("version 1: signed %v, Dana's addition %v; want both signed with it", v1.Signed(), added)
		}
		// Each review asked whether they kept each statement, and its
		// statements were signed again.
		for _, ag := range final.Agreements[1:] {
			c := conversation.CountKept(ag.Review)
			if !ag.Signed() || len(ag.Review.Kept) != len(v1.Statements) || c.Ratings != 2*len(v1.Statements) || c.Yes == 0 {
				t.Errorf("version %d: signed %v, kept %+v of %d statements", ag.Version, ag.Signed(), c, len(v1.Statements))
			}
		}
		if last := ok(st.LatestDraft(ctx, id))(t); last.Review != 4 || last.Closed.IsZero() {
			t.Errorf("the last draft is of review %d, closed at %v; want review 4's, signed", last.Review, last.Closed)
		}
		answers := map[int64]*conversation.Answer{}
		for _, a := range final.Answers {
			answers[a.ID] = a
		}
		quiet := conversation.DefaultQuietHours

		for _, person := range []*simPerson{dana, sam} {
			partner := sam
			if person == sam {
				partner = dana
			}
			shown := map[int64]int{}
			sawAgreement := false
			for _, m := range person.inbox {
				// Nothing that asks something arrives in quiet hours.
				if asks(m) && quiet.Contains(m.at, person.loc) {
					t.Errorf("%s got %s q%d at %s, inside quiet hours", person.name, m.Kind, m.Number, m.at.In(person.loc))
				}
				// A partner answer is only shown after the person
				// answered that question themselves; skipping shows
				// nothing.
				for _, aid := range m.Reveals {
					shown[aid]++
					a := answers[aid]
					if a == nil || a.ParticipantID != partner.id {
						t.Errorf("%s was shown answer %d, which is not %s's", person.name, aid, partner.name)
						continue
					}
					if at, ok := person.replied[a.QuestionID]; !ok || at.After(m.at) {
						t.Errorf("%s saw %s's answer to %s at %s before responding to it", person.name, partner.name, a.QuestionID, m.at)
					}
				}
				if m.Kind == conversation.MsgAgreement && m.Agreement == 1 {
					sawAgreement = true
				}
			}
			if !sawAgreement {
				t.Errorf("%s never received agreement v1", person.name)
			}
			for aid, n := range shown {
				if n > 1 {
					t.Errorf("%s was shown answer %d %d times, want once", person.name, aid, n)
				}
			}
			if len(shown) == 0 {
				t.Errorf("%s was never shown a partner answer", person.name)
			}
		}

		// Sam's question 2 went out on Friday 10:30 EST; three days later
		// the clocks have changed and the reminder comes at 10:30 EDT.
		checkReminders(t, sam, 2, []string{"Mon 03-15 10:30 EDT"})
		// Dana's question 4: a reminder after three days, a second three
		// days later (Sunday is quiet, so Monday 08:00), then silence.
		checkReminders(t, dana, 4, []string{"Thu 03-11 15:00 CET", "Mon 03-15 08:00 CET"})
		// Dana's question 5 went out on Thursday 25 March 10:00 CET; three
		// days later is the Sunday Berlin changes clocks, so the reminder
		// waits for Monday 08:00, now CEST; the second comes three days on.
		checkReminders(t, dana, 5, []string{"Mon 03-29 08:00 CEST", "Thu 04-01 08:00 CEST"})

		// Sam paused on question 7 and resumed on a Saturday: the resume is
		// confirmed at once, the question comes again on Monday morning, and
		// nothing else reached Sam in between.
		resumed := slices.IndexFunc(sam.inbox, func(m simMail) bool {
			return slices.ContainsFunc(m.Notes, func(n conversation.Note) bool { return n.Kind == conversation.NoteResumed })
		})
		if pausedAt.IsZero() || resumed < 0 || resumed+1 >= len(sam.inbox) {
			t.Fatalf("pause at %s, resume mail index %d: the pause was not exercised", pausedAt, resumed)
		}
		for _, m := range sam.inbox {
			if m.at.After(pausedAt) && m.at.Before(sam.inbox[resumed].at) && m.Kind != conversation.MsgAck {
				t.Errorf("sam got %s q%d at %s while paused", m.Kind, m.Number, m.at.In(ny))
			}
		}
		if r := sam.inbox[resumed]; r.Kind != conversation.MsgAck || r.at.In(ny).Weekday() != time.Saturday {
			t.Errorf("resume confirmed by %s on %s, want an acknowledgement on Saturday", r.Kind, r.at.In(ny).Weekday())
		}
		r := sam.inbox[resumed+1]
		if got := r.at.In(ny).Format("Mon 01-02 15:04 MST"); r.Kind != conversation.MsgQuestion || r.Number != 7 || !r.Resent || got != "Mon 03-22 08:00 EDT" {
			t.Errorf("after resume sam got %s q%d resent=%v at %s, want question 7 again on Mon 03-22 08:00 EDT", r.Kind, r.Number, r.Resent, got)
		}

		// The agreement holds both latest answers for every theme.
		ag := final.Agreements[0]
		if ag.Version != 1 || ag.Previous != 0 {
			t.Errorf("agreement version %d (previous %d), want 1", ag.Version, ag.Previous)
		}
		var topics []conversation.Topic
		for _, th := range ag.Themes {
			topics = append(topics, th.Topics...)
		}
		topics = append(append(topics, ag.Commitments...), ag.Accountability...)
		if len(topics) != set.Len() {
			t.Errorf("agreement has %d topics, want %d", len(topics), set.Len())
		}
		for _, tp := range topics {
			n := set.Index(tp.QuestionID) + 1
			wantDana, wantSam := fmt.Sprintf("dana on q%d", n), fmt.Sprintf("sam on q%d", n)
			if n == 9 {
				wantDana = "dana on q9, second thoughts"
			}
			got := tp.Entries
			if len(got) != 2 || got[0].Role != conversation.RoleLead || got[0].Text != wantDana {
				t.Errorf("agreement %s lead entry = %+v, want %q", tp.QuestionID, got, wantDana)
			}
			switch {
			case n == 3 && !got[1].Skipped:
				t.Errorf("agreement %s report entry = %+v, want skipped", tp.QuestionID, got[1])
			case n != 3 && got[1].Text != wantSam:
				t.Errorf("agreement %s report entry = %+v, want %q", tp.QuestionID, got[1], wantSam)
			}
		}
		if ag.Commitments[0].QuestionID != "commitments" || ag.Accountability[0].QuestionID != "accountability" {
			t.Errorf("agreement sections: commitments %s, accountability %s", ag.Commitments[0].QuestionID, ag.Accountability[0].QuestionID)
		}
		// Both of Dana's answers to question 9 are kept.
		var q9 []string
		for _, a := range final.Answers {
			if a.ParticipantID == dana.id && a.QuestionID == set.Questions[8].ID {
				q9 = append(q9, a.Text)
			}
		}
		if !slices.Equal(q9, []string{"dana on q9", "dana on q9, second thoughts"}) {
			t.Errorf("Dana's answers to q9 = %q, want both kept", q9)
		}
		// What is left is the wake-up for the fifth review, on its date.
		next, _ := st.NextJobAt(ctx)
		if want := final.ReviewStartsAt(final.Participants[0], final.LatestAgreement().ReviewOn); !next.Equal(want) {
			t.Errorf("next job due at %s, want the fifth review at %s", next, want)
		}
	})
}

// checkReviews follows four quarterly reviews: each person gets exactly
// one invitation and one digest per review, invitations at 10:00 local time
// on the review date (or the next working morning) whatever the clocks
// did, and a new agreement version from each review.
func checkReviews(t *testing.T, final *conversation.Partnership, people ...*simPerson) {
	t.Helper()
	if got := len(final.Reviews); got != 4 || final.LatestAgreement().Version != 5 {
		t.Fatalf("a year on: %d reviews, agreement v%d; want 4 reviews and v5", got, final.LatestAgreement().Version)
	}
	for _, pr := range people {
		invites, digests := map[int]int{}, map[int]int{}
		for _, m := range pr.inbox {
			switch m.Kind {
			case conversation.MsgReviewOpen:
				n, _, _ := strings.Cut(strings.TrimPrefix(m.QuestionID, "review"), "-")
				var num int
				fmt.Sscan(n, &num)
				invites[num]++
				due := final.Agreements[num-1].ReviewOn
				local := m.at.In(pr.loc)
				onDue := conversation.DateOf(m.at, pr.loc) == due
				if onDue && local.Hour() != 10 || !onDue && local.Hour() != 8 {
					t.Errorf("%s got review %d at %s; due %s", pr.name, num, local.Format("Mon 2006-01-02 15:04 MST"), due)
				}
			case conversation.MsgDigest:
				digests[m.Agreement-1]++
			}
		}
		for n := 1; n <= 4; n++ {
			if invites[n] != 1 || digests[n] != 1 {
				t.Errorf("%s: review %d invitations %d, digests %d; want one of each", pr.name, n, invites[n], digests[n])
			}
		}
	}
	v2, v3 := final.Agreements[1], final.Agreements[2]
	if len(v2.Changes) != 1 || v2.Changes[0].Kind != conversation.ChangeAdded || v2.Changes[0].After != "I share my plans for the week on Mondays." {
		t.Errorf("v2 changes = %+v, want Dana's added commitment", v2.Changes)
	}
	if !v3.Review.Partial || len(v3.Review.Missing) != 1 || v3.Review.Missing[0] != "sam" || v3.Review.Ratings[1].Score != 0 {
		t.Errorf("review 2 = %+v, want partial without sam", v3.Review)
	}
	if got := final.Agreements[4].Review.Ratings[0]; got.Score != 4 || got.Comment != "better each quarter" {
		t.Errorf("review 4 rating of dana = %+v", got)
	}
}

// checkReminders compares the local delivery times of a person's reminders
// for one question with the times worked out by hand.
func checkReminders(t *testing.T, p *simPerson, number int, want []string) {
	t.Helper()
	var got []string
	for _, m := range p.inbox {
		if m.Kind == conversation.MsgReminder && m.Number == number {
			got = append(got, m.at.In(p.loc).Format("Mon 01-02 15:04 MST"))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s's reminders for question %d arrived %q, want %q", p.name, number, got, want)
	}
}

// conversationDraftOpen reports whether the round a draft token was
// minted for is still open.
func conversationDraftOpen(p *conversation.Partnership, purpose string) bool {
	review, round, ok := apply.DraftRoundOf(purpose)
	return ok && p.DraftOpen() && review == p.Draft.Review && round == p.Draft.Round
}
