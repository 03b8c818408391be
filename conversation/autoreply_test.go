package conversation

import (
	"errors"
	"testing"
	"time"
)

// TestEcho: the same words (40 characters or more, case and spacing
// aside) as an earlier answer to another question, or an earlier note on
// the agreement, within the window, mark an echo; a correction of the same
// question, words from long ago, short words and the partner's words do
// not.
func TestEcho(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	const canned = "Thank you for your message. I am away until Monday with no email."
	p := pair(t, 4, noQuiet(), now)
	p.Enroll(now)
	if _, err := p.Answer(1, "q1", canned, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Answer(1, "q2", "Not sure yet.", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Answer(2, "q1", "Sam's own words, which happen to be long enough to count.", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	p.Amendments = append(p.Amendments, &Amendment{ParticipantID: 1, Text: "Could we add a monthly walk to our routines, please?", At: now})
	since := now.Add(-time.Hour)
	for _, tc := range []struct {
		name, question, text string
		since                time.Time
		want                 bool
		earlier              string
	}{
		{"same words, another question", "q3", canned, since, true, "q1"},
		{"other case and spacing", "q3", "  THANK YOU for your message.\nI am away until Monday   with no email. ", since, true, "q1"},
		{"a correction of the same question", "q1", canned, since, false, ""},
		{"words from before the window", "q3", canned, now.Add(2 * time.Minute), false, ""},
		{"short words", "q3", "Not sure yet.", since, false, ""},
		{"the partner's words", "q3", "Sam's own words, which happen to be long enough to count.", since, false, ""},
		{"an earlier note on the agreement", "q3", "Could we add a monthly walk to our routines, please?", since, true, ""},
		{"new words", "q3", "Something I have not written before, long enough to count.", since, false, ""},
	} {
		earlier, got := p.Echo(1, tc.question, tc.text, tc.since)
		if got != tc.want || earlier != tc.earlier {
			t.Errorf("%s: Echo = %q, %v; want %q, %v", tc.name, earlier, got, tc.earlier, tc.want)
		}
	}
}

// TestPauseForAutoReplies: the person is paused and told why, once; what
// comes after gets nothing; someone who left cannot be paused.
func TestPauseForAutoReplies(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	p := pair(t, 4, noQuiet(), now)
	p.Enroll(now)
	msgs, err := p.PauseForAutoReplies(1, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	me := p.Participants[0]
	m := only(t, msgs, me)
	if m.Kind != MsgAck || len(m.Notes) != 1 || m.Notes[0].Kind != NoteAutoPaused {
		t.Errorf("the note = %s %+v, want an ack with the auto-paused note", m.Kind, m.Notes)
	}
	if me.Status != ParticipantPaused || !me.PausedUntil.IsZero() {
		t.Errorf("after PauseForAutoReplies: %s until %v, want paused until they resume", me.Status, me.PausedUntil)
	}
	if msgs, err := p.PauseForAutoReplies(1, now.Add(2*time.Minute)); err != nil || len(msgs) != 0 {
		t.Errorf("a second time: %v, %v; want nothing sent", kinds(msgs), err)
	}
	if _, err := p.StopNow(2, now.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PauseForAutoReplies(2, now.Add(4*time.Minute)); !errors.Is(err, ErrLeft) && !errors.Is(err, ErrEnded) {
		t.Errorf("after leaving: %v, want ErrLeft or ErrEnded", err)
	}
}
