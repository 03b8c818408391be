package conversation

import (
	"slices"
	"testing"
	"time"
)

// graced is a pair without quiet hours whose new answers wait ten
// minutes before the partner may see them.
func graced(t *testing.T, n int) *Partnership {
	t.Helper()
	r := noQuiet()
	r.RevealGrace = 10 * time.Minute
	p := pair(t, n, r, t0)
	p.Enroll(t0)
	return p
}

func noteOf(msgs []Message, pt *Participant, kind NoteKind) (Note, bool) {
	for _, m := range msgs {
		if m.To != pt {
			continue
		}
		for _, n := range m.Notes {
			if n.Kind == kind {
				return n, true
			}
		}
	}
	return Note{}, false
}

// TestRevealWaitsOutTheGrace: a new answer reaches the partner only once
// its grace has passed, so that an undo in time means they never see it.
func TestRevealWaitsOutTheGrace(t *testing.T) {
	t.Parallel()
	p := graced(t, 3)
	lead, report := p.Participants[0], p.Participants[1]
	must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1", t0))
	// The report answers two minutes later, inside the grace of the
	// lead's answer: it is held back.
	m := only(t, must[[]Message](t)(p.Answer(report.ID, "q1", "Report on q1", t0.Add(2*time.Minute))), report)
	if len(m.Reveals) != 0 {
		t.Errorf("the report saw %q two minutes after the lead answered", texts(m.Reveals))
	}
	// After the grace, the next mail carries it.
	m = only(t, must[[]Message](t)(p.Answer(report.ID, "q2", "Report on q2", t0.Add(11*time.Minute))), report)
	if got := texts(m.Reveals); !slices.Equal(got, []string{"Lead on q1"}) {
		t.Errorf("report reveals after the grace = %q, want the lead's q1 answer", got)
	}
	if a := p.LatestAnswer(lead.ID, "q1"); !a.SeenAt.Equal(t0.Add(11 * time.Minute)) {
		t.Errorf("SeenAt of the lead's answer = %v, want when it went out", a.SeenAt)
	}
}

// TestUndo walks undo as people use it: taking back a correction (the
// earlier answer stands again), a first answer the partner never saw, one
// they had seen, twice in a row, and after the agreement holds it.
func TestUndo(t *testing.T) {
	t.Parallel()
	p := graced(t, 3)
	lead, report := p.Participants[0], p.Participants[1]
	must[[]Message](t)(p.Answer(report.ID, "q1", "Report on q1", t0))

	// A first answer, undone within the grace: the report never sees
	// it, and the lead does not see the report's either.
	at := t0.Add(20 * time.Minute)
	must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1, too hasty", at))
	if len(report.Reveals) != 1 {
		t.Fatalf("report has %d reveals pending, want the lead's answer waiting", len(report.Reveals))
	}
	msgs := must[[]Message](t)(p.Undo(lead.ID, at.Add(3*time.Minute)))
	n, ok := noteOf(msgs, lead, NoteUndone)
	if !ok || n.Answer.Text != "Lead on q1, too hasty" || n.Previous != nil || n.Seen {
		t.Fatalf("undo note = %+v (found %v), want the hasty answer, no previous, unseen", n, ok)
	}
	if len(report.Reveals) != 0 || p.LatestAnswer(lead.ID, "q1") != nil {
		t.Errorf("after undo: report reveals %d, lead's q1 answer %v; want none of either", len(report.Reveals), p.LatestAnswer(lead.ID, "q1"))
	}
	// q2 had already gone out, so q1 counts as skipped until answered.
	if pr := lead.Prompt("q1"); pr.State != PromptSkipped || n.Reopened {
		t.Errorf("q1 is %s (reopened %v), want skipped: q2 was already asked", pr.State, n.Reopened)
	}
	for _, m := range msgs {
		if m.To == report {
			t.Errorf("the report got %s on the lead's undo", m.Kind)
		}
	}

	// Twice in a row: nothing more is taken back.
	msgs = must[[]Message](t)(p.Undo(lead.ID, at.Add(4*time.Minute)))
	if _, ok := noteOf(msgs, lead, NoteNothingToUndo); !ok {
		t.Errorf("second undo: %v, want nothing to undo", kinds(msgs))
	}

	// A correction to q1, seen by the report, then undone: the report
	// is told nothing, and the lead learns they had seen it.
	at = at.Add(time.Hour)
	must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1", at))
	must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1, reworded", at.Add(time.Minute)))
	must[[]Message](t)(p.Answer(report.ID, "q2", "Report on q2", at.Add(30*time.Minute))) // carries both
	msgs = must[[]Message](t)(p.Undo(lead.ID, at.Add(31*time.Minute)))
	n, _ = noteOf(msgs, lead, NoteUndone)
	if n.Previous == nil || n.Previous.Text != "Lead on q1" || !n.Seen {
		t.Errorf("undo of a seen correction: note %+v, want the earlier answer standing and seen", n)
	}
	if got := p.LatestAnswer(lead.ID, "q1").Text; got != "Lead on q1" {
		t.Errorf("q1 now reads %q, want the earlier answer", got)
	}
}

// TestUndoTheLastAnswer: the last answer waits out its grace before the
// agreement is built; undone in time, the question is the current one
// again and no agreement is built until it is answered.
func TestUndoTheLastAnswer(t *testing.T) {
	t.Parallel()
	p := graced(t, 3)
	lead, report := p.Participants[0], p.Participants[1]
	for _, q := range []string{"q1", "q2", "q3"} {
		must[[]Message](t)(p.Answer(report.ID, q, "Report on "+q, t0))
	}
	must[[]Message](t)(p.Answer(lead.ID, "q1", "Lead on q1", t0))
	must[[]Message](t)(p.Answer(lead.ID, "q2", "Lead on q2", t0))
	last := t0.Add(time.Hour)
	must[[]Message](t)(p.Answer(lead.ID, "q3", "Lead on q3, sent too soon", last))
	if p.Draft != nil || p.LatestAgreement() != nil {
		t.Fatal("the agreement was drafted inside the last answer's grace")
	}
	if got := p.NextWake(last); !got.Equal(last.Add(10 * time.Minute)) {
		t.Errorf("NextWake = %v, want the end of the grace", got)
	}
	msgs := must[[]Message](t)(p.Undo(lead.ID, last.Add(5*time.Minute)))
	n, _ := noteOf(msgs, lead, NoteUndone)
	m := only(t, msgs, lead)
	if !n.Reopened || m.Kind != MsgQuestion || m.Prompt.QuestionID != "q3" {
		t.Fatalf("undo of the last answer: %s with %+v, want q3 asked again with a reopened note", m.Kind, n)
	}
	p.Wake(last.Add(time.Hour))
	if p.Draft != nil || p.LatestAgreement() != nil {
		t.Fatal("an agreement was drafted without the lead's last answer")
	}
	at := last.Add(2 * time.Hour)
	must[[]Message](t)(p.Answer(lead.ID, "q3", "Lead on q3", at))
	msgs = p.Wake(at.Add(10 * time.Minute))
	if !p.DraftOpen() || !slices.Equal(kindsTo(msgs, report), []MessageKind{MsgDraft}) {
		t.Fatalf("no draft after the grace: %v", kinds(msgs))
	}
	// Now the draft is built from it: too late to undo.
	msgs = must[[]Message](t)(p.Undo(lead.ID, at.Add(11*time.Minute)))
	if _, ok := noteOf(msgs, lead, NoteUndoTooLate); !ok || p.LatestAnswer(lead.ID, "q3") == nil {
		t.Errorf("undo after the agreement: %v, want too late and the answer kept", kinds(msgs))
	}
}

// TestPauseTellsThePartner: a pause names the day the person really hears
// from Accord again (not a Saturday), and the partner is told of the
// break without a reason; a partner on a break of their own is not.
func TestPauseTellsThePartner(t *testing.T) {
	t.Parallel()
	now := berlinTime(t, 2027, 1, 13, 10, 0) // a Wednesday
	p := pair(t, 3, DefaultRules(), now)
	p.Enroll(now)
	lead, report := p.Participants[0], p.Participants[1]
	saturday := berlinTime(t, 2027, 1, 16, 0, 0)
	msgs := must[[]Message](t)(p.Pause(lead.ID, saturday, now))
	n, _ := noteOf(msgs, lead, NotePaused)
	if want := berlinTime(t, 2027, 1, 18, 8, 0); !n.Until.Equal(want) || !lead.PausedUntil.Equal(want) {
		t.Errorf("a pause until Saturday ends %v (note %v), want Monday 08:00", lead.PausedUntil, n.Until)
	}
	told, ok := noteOf(msgs, report, NotePartnerPaused)
	if !ok || !told.Until.Equal(lead.PausedUntil) || told.Text != "" {
		t.Errorf("the report was told %+v (found %v), want the break and its end, no reason", told, ok)
	}
	// The report pauses too: the lead, away, hears nothing of it.
	msgs = must[[]Message](t)(p.Pause(report.ID, time.Time{}, now.Add(time.Hour)))
	if _, ok := noteOf(msgs, lead, NotePartnerPaused); ok {
		t.Errorf("the lead, on a break, was told of the report's: %v", kinds(msgs))
	}
}
