package conversation

import (
	"errors"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2027, 3, 24, 9, 0, 0, 0, time.UTC) // a Wednesday

func TestEnrollSendsWelcomeWithFirstQuestion(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	msgs := p.Enroll(t0)
	lead, report := p.Participants[0], p.Participants[1]
	for _, pt := range []*Participant{lead, report} {
		m := only(t, msgs, pt)
		if m.Kind != MsgWelcome || m.Prompt == nil || m.Prompt.QuestionID != "q1" {
			t.Errorf("Enroll: message to %s = %s asking %+v, want welcome asking q1", pt.Person.Name, m.Kind, m.Prompt)
		}
	}
	if p.Status != StatusAnswering {
		t.Errorf("Status = %s, want %s", p.Status, StatusAnswering)
	}
}

func TestEnrollRespectsEachPersonsQuietHours(t *testing.T) {
	t.Parallel()
	// 19:30 UTC on a Wednesday: 20:30 in Berlin (quiet), 15:30 in New York.
	now := time.Date(2027, 3, 24, 19, 30, 0, 0, time.UTC)
	p := pair(t, 3, DefaultRules(), now)
	msgs := p.Enroll(now)
	lead, report := p.Participants[0], p.Participants[1]
	if m := only(t, msgs, report); m.Kind != MsgWelcome {
		t.Errorf("report got %s, want welcome", m.Kind)
	}
	if sentTo(msgs, lead) {
		t.Fatalf("lead got mail during quiet hours: %v", kinds(msgs))
	}
	berlin := lead.Person.Location
	want := time.Date(2027, 3, 25, 8, 0, 0, 0, berlin)
	if got := p.NextWake(now); !got.Equal(want) {
		t.Errorf("NextWake() = %s, want %s", got, want)
	}
	if m := only(t, p.Wake(want), lead); m.Kind != MsgWelcome {
		t.Errorf("Wake at 08:00 Berlin sent %s to lead, want welcome", m.Kind)
	}
}

func TestRevealAfterBoth(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	lead, report := p.Participants[0], p.Participants[1]

	msgs := must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1", t0.Add(time.Minute)))
	m := only(t, msgs, lead)
	if m.Kind != MsgQuestion || m.Prompt.QuestionID != "q2" {
		t.Fatalf("after answering q1 lead got %s %+v, want question q2", m.Kind, m.Prompt)
	}
	if got := texts(m.Receipts); !slices.Equal(got, []string{"Lead on q1"}) {
		t.Errorf("receipts = %q, want the answer echoed", got)
	}
	if len(m.Reveals) != 0 {
		t.Errorf("lead saw %q before the report answered", texts(m.Reveals))
	}
	if sentTo(msgs, report) {
		t.Errorf("report got mail when the lead answered: %v", kinds(msgs))
	}

	msgs = must[[]Message](t)(p.Answer(report.ID, "q1", "Report on q1", t0.Add(2*time.Minute)))
	m = only(t, msgs, report)
	if got := texts(m.Reveals); !slices.Equal(got, []string{"Lead on q1"}) {
		t.Errorf("report reveals = %q, want the lead's q1 answer", got)
	}
	if sentTo(msgs, lead) {
		t.Errorf("the reveal to the lead was sent alone: %v", kinds(msgs))
	}

	// The lead sees the report's answer with their next mail.
	msgs = must[[]Message](t)(p.Answer(lead.ID, "q2", "Lead on q2", t0.Add(3*time.Minute)))
	m = only(t, msgs, lead)
	if got := texts(m.Reveals); !slices.Equal(got, []string{"Report on q1"}) {
		t.Errorf("lead reveals = %q, want the report's q1 answer", got)
	}
}

func TestSkipRevealsNothingAndMovesOn(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	lead, report := p.Participants[0], p.Participants[1]
	must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1", t0))

	msgs := must[[]Message](t)(p.Skip(report.ID, "q1", t0.Add(time.Minute)))
	m := only(t, msgs, report)
	if m.Kind != MsgQuestion || m.Prompt.QuestionID != "q2" {
		t.Fatalf("after skip report got %s %+v, want question q2", m.Kind, m.Prompt)
	}
	if !slices.ContainsFunc(m.Notes, func(n Note) bool { return n.Kind == NoteSkipped }) {
		t.Errorf("notes = %+v, want the skip acknowledged", m.Notes)
	}
	// Skipping is no way to read without sharing.
	if got := texts(m.Reveals); len(got) != 0 || len(report.Reveals) != 0 {
		t.Errorf("reveals after skip = %q (%d pending), want none", got, len(report.Reveals))
	}
	if _, err := p.Skip(report.ID, "q1", t0.Add(2*time.Minute)); !errors.Is(err, ErrNotCurrent) {
		t.Errorf("second Skip of q1 = %v, want ErrNotCurrent", err)
	}
	// A late answer to the skipped question is revealed to the lead, who
	// already answered it, and now shows the lead's answer to the report.
	msgs = must[[]Message](t)(p.Answer(report.ID, "q1", "Changed my mind", t0.Add(3*time.Minute)))
	if m := only(t, msgs, report); m.Kind != MsgReceipt {
		t.Errorf("late answer got %s, want a receipt", m.Kind)
	}
	if pending := lead.Reveals[len(lead.Reveals)-1]; pending.Answer.Text != "Changed my mind" || !pending.DeliveredAt.IsZero() {
		t.Errorf("lead's pending reveal = %+v, want the late answer, undelivered", pending)
	}
	if len(report.Reveals) != 1 || report.Reveals[0].Answer.Text != "Lead on q1" {
		t.Errorf("report's reveals after answering the skipped question = %+v, want the lead's answer", report.Reveals)
	}
}

// TestSkipperSeesNothingLater: a person who skipped a question is not
// shown the partner's answer when the partner answers it later either.
func TestSkipperSeesNothingLater(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	lead, report := p.Participants[0], p.Participants[1]
	must[[]Message](t)(p.Skip(report.ID, "q1", t0))
	msgs := must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1", t0.Add(time.Minute)))
	for _, m := range msgs {
		if m.To == report && len(m.Reveals) > 0 {
			t.Errorf("the report, who skipped, was shown %q", texts(m.Reveals))
		}
	}
	if len(report.Reveals) != 0 {
		t.Errorf("the report, who skipped, has %d reveals pending, want none", len(report.Reveals))
	}
}

func TestSecondAnswerKeepsHistory(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	lead := p.Participants[0]
	must[[]Message](t)(p.Answer(lead.ID, "q1", "first", t0))
	msgs := must[[]Message](t)(p.Answer(lead.ID, "q1", "second", t0.Add(time.Hour)))
	m := only(t, msgs, lead)
	if m.Kind != MsgReceipt || !slices.Equal(texts(m.Receipts), []string{"second"}) {
		t.Errorf("correction got %s with receipts %q, want a receipt of the new answer", m.Kind, texts(m.Receipts))
	}
	// The receipt says where the reply went and what it replaced.
	if n, ok := noteOf(msgs, lead, NoteEarlier); !ok || n.Answer.QuestionID != "q1" || n.Previous == nil || n.Previous.Text != "first" {
		t.Errorf("note = %+v (found %v), want q1 replacing first", n, ok)
	}
	if got := p.LatestAnswer(lead.ID, "q1").Text; got != "second" {
		t.Errorf("LatestAnswer = %q, want second", got)
	}
	if n := len(p.Answers); n != 2 {
		t.Errorf("answers kept = %d, want 2", n)
	}
	if lead.Position != 1 {
		t.Errorf("Position = %d after a correction, want 1", lead.Position)
	}
	// Answering the current question says nothing of the kind.
	msgs = must[[]Message](t)(p.Answer(lead.ID, "q2", "on q2", t0.Add(2*time.Hour)))
	if _, ok := noteOf(msgs, lead, NoteEarlier); ok {
		t.Errorf("an answer to the current question got an earlier-question note")
	}
}

func TestAnswerErrors(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	lead := p.Participants[0]
	tests := []struct {
		name    string
		id      int64
		q, text string
		want    error
	}{
		{"empty", lead.ID, "q1", "  \n ", ErrEmptyAnswer},
		{"not asked yet", lead.ID, "q3", "early", ErrNotAsked},
		{"stranger", 99, "q1", "hello", ErrUnknownParticipant},
	}
	for _, tt := range tests {
		if _, err := p.Answer(tt.id, tt.q, tt.text, t0); !errors.Is(err, tt.want) {
			t.Errorf("%s: Answer(%d, %q, %q) = %v, want %v", tt.name, tt.id, tt.q, tt.text, err, tt.want)
		}
	}
}

func TestRemindersInLocalTimeAcrossDST(t *testing.T) {
	t.Parallel()
	rules := DefaultRules()
	rules.Quiet.Days = nil // weekdays only matter for this test's dates
	// Thursday 10:00 in Berlin, three days before clocks go forward.
	berlin := mustLoc(t, "Europe/Berlin")
	sent := time.Date(2027, 3, 25, 10, 0, 0, 0, berlin)
	p := pair(t, 3, rules, sent)
	p.Enroll(sent)
	lead := p.Participants[0]

	first := p.NextReminder(lead)
	if want := time.Date(2027, 3, 28, 10, 0, 0, 0, berlin); !first.Equal(want) {
		t.Fatalf("first reminder due %s, want %s (same local time after the change)", first.In(berlin), want)
	}
	if first.Sub(sent) != 71*time.Hour {
		t.Errorf("first reminder is %s after the question, want 71h across the spring change", first.Sub(sent))
	}
	if msgs := p.Wake(first.Add(-time.Second)); sentTo(msgs, lead) {
		t.Errorf("reminder sent early: %v", kinds(msgs))
	}
	m := only(t, p.Wake(first), lead)
	if m.Kind != MsgReminder || m.Reminder != 1 {
		t.Fatalf("Wake at due time sent %s #%d, want reminder 1", m.Kind, m.Reminder)
	}
	second := p.NextReminder(lead)
	if want := time.Date(2027, 3, 31, 10, 0, 0, 0, berlin); !second.Equal(want) {
		t.Errorf("second reminder due %s, want %s", second.In(berlin), want)
	}
	only(t, p.Wake(second), lead)
	if got := p.NextReminder(lead); !got.IsZero() {
		t.Errorf("after two reminders NextReminder = %s, want silence", got)
	}
	if msgs := p.Wake(second.AddDate(0, 1, 0)); sentTo(msgs, lead) {
		t.Errorf("a month later Accord still wrote: %v", kinds(msgs))
	}
	// Writing back restarts the cadence.
	back := second.AddDate(0, 0, 10)
	must[[]Message](t)(p.Help(lead.ID, back))
	if got, want := p.NextReminder(lead), addDays(back, 3, berlin); !got.Equal(want) {
		t.Errorf("after writing back NextReminder = %s, want %s", got, want)
	}
}

func TestReminderWaitsForQuietHours(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	// Friday 19:00 in New York: three days later is Monday 19:00, allowed;
	// Thursday 21:00 would be quiet.
	sent := time.Date(2027, 3, 11, 21, 0, 0, 0, ny)
	p := pair(t, 3, DefaultRules(), sent)
	report := p.Participants[1]
	report.NextSendAt = sent.Add(-12 * time.Hour)
	only(t, p.Wake(sent), report)
	// Sunday 21:00 is quiet twice over; the DST change is that Sunday.
	if got, want := p.NextReminder(report), time.Date(2027, 3, 15, 8, 0, 0, 0, ny); !got.Equal(want) {
		t.Errorf("NextReminder = %s, want %s", got.In(ny), want)
	}
}

func TestAnswerInQuietHoursDefersNextQuestionWithReceipt(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	start := time.Date(2027, 3, 24, 10, 0, 0, 0, berlin)
	p := pair(t, 3, DefaultRules(), start)
	p.Enroll(start)
	lead := p.Participants[0]
	late := time.Date(2027, 3, 24, 22, 15, 0, 0, berlin)
	msgs := must[[]Message](t)(p.Answer(lead.ID, "q1", "late thought", late))
	if sentTo(msgs, lead) {
		t.Fatalf("mail at 22:15: %v", kinds(msgs))
	}
	morning := time.Date(2027, 3, 25, 8, 0, 0, 0, berlin)
	if got := lead.NextSendAt; !got.Equal(morning) {
		t.Errorf("NextSendAt = %s, want %s", got, morning)
	}
	m := only(t, p.Wake(morning), lead)
	if m.Kind != MsgQuestion || m.Prompt.QuestionID != "q2" || !slices.Equal(texts(m.Receipts), []string{"late thought"}) {
		t.Errorf("morning mail = %s %+v receipts %q, want q2 with the receipt", m.Kind, m.Prompt, texts(m.Receipts))
	}
}

func TestPauseAndResume(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	lead := p.Participants[0]
	until := t0.AddDate(0, 0, 14)
	msgs := must[[]Message](t)(p.Pause(lead.ID, until, t0.Add(time.Hour)))
	if m := only(t, msgs, lead); m.Kind != MsgAck || m.Notes[0].Kind != NotePaused || !m.Notes[0].Until.Equal(until) {
		t.Errorf("pause ack = %s %+v", m.Kind, m.Notes)
	}
	if msgs := p.Wake(t0.AddDate(0, 0, 7)); sentTo(msgs, lead) {
		t.Errorf("reminder while paused: %v", kinds(msgs))
	}
	if msgs := p.Wake(until.Add(-time.Minute)); sentTo(msgs, lead) || lead.Status != ParticipantPaused {
		t.Errorf("a minute before the pause ends: lead %s, sent %v", lead.Status, kinds(msgs))
	}
	m := only(t, p.Wake(until), lead)
	if m.Kind != MsgQuestion || !m.Resent || m.Prompt.QuestionID != "q1" {
		t.Errorf("at the end of the pause got %s resent=%v %+v, want q1 again", m.Kind, m.Resent, m.Prompt)
	}

	// Explicit resume, open-ended pause.
	must[[]Message](t)(p.Pause(lead.ID, time.Time{}, until.Add(time.Hour)))
	later := until.AddDate(0, 1, 0)
	if msgs := p.Wake(later); sentTo(msgs, lead) {
		t.Errorf("open-ended pause ended by itself: %v", kinds(msgs))
	}
	msgs = must[[]Message](t)(p.Resume(lead.ID, later.Add(time.Hour)))
	m = only(t, msgs, lead)
	if m.Kind != MsgQuestion || !slices.ContainsFunc(m.Notes, func(n Note) bool { return n.Kind == NoteResumed }) {
		t.Errorf("resume got %s notes %+v, want the question with a resumed note", m.Kind, m.Notes)
	}
	msgs = must[[]Message](t)(p.Resume(lead.ID, later.Add(2*time.Hour)))
	if m := only(t, msgs, lead); m.Kind != MsgAck || m.Notes[0].Kind != NoteNotPause {
		t.Errorf("resume when not paused = %s %+v", m.Kind, m.Notes)
	}
	if _, err := p.Pause(lead.ID, t0, later.Add(3*time.Hour)); !errors.Is(err, ErrPastDate) {
		t.Errorf("Pause until the past = %v, want ErrPastDate", err)
	}
}

func TestStopEndsPartnershipAndTellsPartner(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	lead, report := p.Participants[0], p.Participants[1]
	// The first stop only asks; nothing else changes and the lead hears
	// nothing.
	msgs := must[[]Message](t)(p.Stop(report.ID, t0.Add(time.Hour)))
	if m := only(t, msgs, report); m.Kind != MsgAck || m.Notes[0].Kind != NoteStopAsked || !m.Notes[0].Until.Equal(t0.Add(time.Hour+StopConfirmWithin)) {
		t.Errorf("first stop got %s %+v, want a request to confirm within a week", m.Kind, m.Notes)
	}
	if p.Status == StatusEnded || report.Status != ParticipantActive {
		t.Fatalf("after the first stop: partnership %s, report %s; want both going on", p.Status, report.Status)
	}
	// The second, within the week, is final.
	msgs = must[[]Message](t)(p.Stop(report.ID, t0.Add(2*time.Hour)))
	if m := only(t, msgs, report); m.Kind != MsgAck || m.Notes[0].Kind != NoteStopped {
		t.Errorf("leaver got %s %+v, want a stop confirmation", m.Kind, m.Notes)
	}
	if m := only(t, msgs, lead); m.Kind != MsgPartnerLeft {
		t.Errorf("partner got %s, want partner-left", m.Kind)
	}
	if p.Status != StatusEnded || report.Status != ParticipantLeft {
		t.Errorf("after stop: partnership %s, report %s", p.Status, report.Status)
	}
	if got := p.NextWake(t0.Add(time.Hour)); !got.IsZero() {
		t.Errorf("NextWake after stop = %s, want nothing scheduled", got)
	}
	if msgs := p.Wake(t0.AddDate(0, 1, 0)); len(msgs) != 0 {
		t.Errorf("Wake after stop sent %v", kinds(msgs))
	}
	if _, err := p.Answer(report.ID, "q1", "hello?", t0.Add(3*time.Hour)); !errors.Is(err, ErrLeft) {
		t.Errorf("leaver answering = %v, want ErrLeft", err)
	}
	if _, err := p.Answer(lead.ID, "q1", "hello?", t0.Add(3*time.Hour)); !errors.Is(err, ErrEnded) {
		t.Errorf("partner answering after end = %v, want ErrEnded", err)
	}
}

// TestStopRequestLapses: a stop request that is not confirmed within a
// week, or that the person follows with an answer, is forgotten: the next
// stop asks again.
func TestStopRequestLapses(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	report := p.Participants[1]
	must[[]Message](t)(p.Stop(report.ID, t0))
	msgs := must[[]Message](t)(p.Stop(report.ID, t0.Add(StopConfirmWithin+time.Minute)))
	if _, ok := noteOf(msgs, report, NoteStopAsked); !ok || p.Status == StatusEnded {
		t.Errorf("a stop a week after the first: %v, want asked again", kinds(msgs))
	}
	must[[]Message](t)(p.Answer(report.ID, "q1", "On second thought, here is my answer.", t0.Add(StopConfirmWithin+time.Hour)))
	msgs = must[[]Message](t)(p.Stop(report.ID, t0.Add(StopConfirmWithin+2*time.Hour)))
	if _, ok := noteOf(msgs, report, NoteStopAsked); !ok || p.Status == StatusEnded {
		t.Errorf("a stop after an answer: %v, want asked again", kinds(msgs))
	}
}

// TestRejoin: within 30 days of leaving, resume brings the person back
// where they stopped, with the check-ins the leaving cancelled, and the
// partner is told; later it does not.
func TestRejoin(t *testing.T) {
	t.Parallel()
	at := berlinTime(t, 2027, 1, 11, 9, 0)
	p := agreed(t, noQuiet(), "tue 10:00 30m weekly", at)
	lead, report := p.Participants[0], p.Participants[1]
	left := at.Add(time.Hour)
	must[[]Message](t)(p.StopNow(report.ID, left))
	if p.Checkin.Status != SeriesCancelled {
		t.Fatalf("leaving left the series %s", p.Checkin.Status)
	}
	back := left.Add(10 * 24 * time.Hour)
	msgs := must[[]Message](t)(p.Rejoin(report.ID, back))
	if p.Status != StatusAgreement || report.Status != ParticipantActive || p.Checkin.Status != SeriesActive {
		t.Fatalf("after rejoining: partnership %s, report %s, series %s", p.Status, report.Status, p.Checkin.Status)
	}
	if _, ok := noteOf(msgs, report, NoteRejoined); !ok {
		t.Errorf("the report was not welcomed back: %v", kinds(msgs))
	}
	if _, ok := noteOf(msgs, lead, NotePartnerBack); !ok {
		t.Errorf("the lead was not told: %v", kinds(msgs))
	}
	invites := 0
	for _, m := range msgs {
		if m.Calendar != nil && m.Calendar.Kind == CalSeries {
			invites++
		}
	}
	if invites != 2 {
		t.Errorf("%d invitations after rejoining, want one to each", invites)
	}
	// Leaving again, and a month and a day later, there is no way back.
	must[[]Message](t)(p.StopNow(report.ID, back.Add(time.Hour)))
	if _, err := p.Rejoin(report.ID, back.Add(time.Hour+RejoinWithin+24*time.Hour)); !errors.Is(err, ErrRejoinTooLate) {
		t.Errorf("rejoining after 31 days = %v, want ErrRejoinTooLate", err)
	}
	// Whom the operator ended, nobody brings back.
	q := pair(t, 3, noQuiet(), t0)
	q.Enroll(t0)
	must[[]Message](t)(q.End("operator", t0.Add(time.Hour)))
	if _, err := q.Rejoin(2, t0.Add(2*time.Hour)); !errors.Is(err, ErrEnded) {
		t.Errorf("rejoining a partnership the operator ended = %v, want ErrEnded", err)
	}
}

func TestOperatorPauseResumeEnd(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	msgs := must[[]Message](t)(p.PauseAll(time.Time{}, t0.Add(time.Hour)))
	if len(msgs) != 2 {
		t.Fatalf("PauseAll sent %v, want one note to each", kinds(msgs))
	}
	for _, pt := range p.Participants {
		if pt.Status != ParticipantPaused {
			t.Errorf("%s is %s after PauseAll", pt.Person.Name, pt.Status)
		}
	}
	msgs = must[[]Message](t)(p.ResumeAll(t0.Add(2 * time.Hour)))
	for _, pt := range p.Participants {
		if m := only(t, msgs, pt); m.Kind != MsgQuestion || !m.Resent {
			t.Errorf("ResumeAll sent %s to %s, want the open question again", m.Kind, pt.Person.Name)
		}
	}
	if _, err := p.ResumeAll(t0.Add(3 * time.Hour)); !errors.Is(err, ErrNotPaused) {
		t.Errorf("ResumeAll when nobody is paused = %v, want ErrNotPaused", err)
	}
	msgs = must[[]Message](t)(p.End("operator", t0.Add(4*time.Hour)))
	if len(msgs) != 2 || msgs[0].Kind != MsgEnded {
		t.Errorf("End sent %v, want an ended note to both", kinds(msgs))
	}
	if _, err := p.End("again", t0.Add(5*time.Hour)); !errors.Is(err, ErrEnded) {
		t.Errorf("second End = %v, want ErrEnded", err)
	}
}

func TestAgreementWhenBothFinish(t *testing.T) {
	t.Parallel()
	p := pair(t, 4, noQuiet(), t0)
	p.Enroll(t0)
	lead, report := p.Participants[0], p.Participants[1]
	now := t0
	for _, q := range []string{"q1", "q2", "q3", "q4"} {
		now = now.Add(time.Hour)
		msgs := must[[]Message](t)(p.Answer(lead.ID, q, "lead "+q, now))
		if q == "q4" {
			if m := only(t, msgs, lead); m.Kind != MsgWaiting {
				t.Errorf("lead finishing first got %s, want waiting", m.Kind)
			}
		}
	}
	for _, q := range []string{"q1", "q2", "q3"} {
		now = now.Add(time.Hour)
		must[[]Message](t)(p.Answer(report.ID, q, "report "+q, now))
	}
	if p.LatestAgreement() != nil {
		t.Fatal("agreement built before the report finished")
	}
	now = now.Add(time.Hour)
	msgs := must[[]Message](t)(p.Skip(report.ID, "q4", now))
	if m := only(t, msgs, report); m.Kind != MsgAgreement || m.Agreement.Version != 1 {
		t.Errorf("report got %s, want agreement v1", m.Kind)
	}
	// The lead, who sets the check-ins, is asked when to meet right after.
	if got := kindsTo(msgs, lead); !slices.Equal(got, []MessageKind{MsgAgreement, MsgScheduleAsk}) {
		t.Errorf("lead got %v, want the agreement and the check-in question", got)
	}
	if p.Status != StatusAgreement {
		t.Errorf("Status = %s, want agreement", p.Status)
	}
	// Nothing more happens until the review date, mid-morning for the
	// first of the two (no quiet hours here).
	review := p.LatestAgreement().ReviewOn
	if got, want := p.NextWake(now), p.ReviewStartsAt(lead, review); !got.Equal(want) {
		t.Errorf("NextWake after the agreement = %s, want the review opening %s", got, want)
	}
	// A correction after the agreement is recorded and echoed, but the
	// agreement version itself does not change.
	msgs = must[[]Message](t)(p.Answer(lead.ID, "q1", "lead q1 revised", now.Add(time.Hour)))
	if m := only(t, msgs, lead); m.Kind != MsgReceipt {
		t.Errorf("correction after agreement got %s, want receipt", m.Kind)
	}
	if got := p.Agreements[0].Themes[0].Topics[0].Entries[0].Text; got != "lead q1" {
		t.Errorf("agreement v1 changed to %q", got)
	}
}

func TestUnclearAndAmend(t *testing.T) {
	t.Parallel()
	p := finishedPair(t, 3)
	lead := p.Participants[0]
	msgs := must[[]Message](t)(p.Unclear(lead.ID, Problem{Code: ProblemPauseUnclear}, t0.AddDate(0, 1, 0)))
	if m := only(t, msgs, lead); m.Kind != MsgHelp || m.Notes[0].Kind != NoteUnclear || m.Notes[0].Problem == nil || m.Notes[0].Problem.Code != ProblemPauseUnclear {
		t.Errorf("Unclear sent %s %+v, want help with the explanation", m.Kind, m.Notes)
	}
	msgs = must[[]Message](t)(p.Amend(lead.ID, "  We should add a monthly walk.  ", t0.AddDate(0, 1, 1)))
	if m := only(t, msgs, lead); m.Kind != MsgAck || m.Notes[0].Kind != NoteKept {
		t.Errorf("Amend sent %s %+v, want an acknowledgement that it was kept", m.Kind, m.Notes)
	}
	if len(p.Amendments) != 1 || p.Amendments[0].Text != "We should add a monthly walk." || p.Amendments[0].ParticipantID != lead.ID {
		t.Errorf("amendments = %+v", p.Amendments)
	}
	if _, err := p.Amend(lead.ID, " ", t0.AddDate(0, 1, 2)); !errors.Is(err, ErrEmptyAnswer) {
		t.Errorf("empty amendment = %v, want ErrEmptyAnswer", err)
	}
}
