package conversation

import (
	"errors"
	"testing"
	"time"
)

// TestHandleReply reads replies the way mailin hands them over and checks
// what each turned out to be, who hears back, and that the partner sees
// nothing of what was not meant for them.
func TestHandleReply(t *testing.T) {
	t.Parallel()
	at := t0.Add(time.Hour)
	started := func(t *testing.T) *Partnership {
		p := pair(t, 3, noQuiet(), t0)
		p.Enroll(t0)
		return p
	}
	tests := []struct {
		name     string
		p        func(*testing.T) *Partnership
		reply    Reply
		kind     OutcomeKind
		detail   string
		problem  ProblemCode // "" for none
		mailKind MessageKind // what the person hears back; "" for nothing
	}{
		{"answer to the current question", started, Reply{Text: "We meet on Tuesdays."}, OutcomeAnswer, "question q1", "", ""},
		{"answer to the question replied to", started, Reply{Text: "Weekly.", QuestionID: "q1"}, OutcomeAnswer, "question q1", "", ""},
		{"command", started, Reply{Text: "pause 2 weeks"}, OutcomeCommand, "pause", "", MsgAck},
		{"command that cannot be used", started, Reply{Text: "pause because of holidays"}, OutcomeCommand, "unclear", ProblemPauseUnclear, MsgHelp},
		{"a slip of a command", started, Reply{Text: "paus 2 weeks"}, OutcomeHeld, `did you mean: pause 2 weeks`, "", MsgHelp},
		{"no words", started, Reply{}, OutcomeUnreadable, "no words found outside quotes and signatures", "", ""},
		{"one-click unsubscribe", started, Reply{Unsubscribe: true}, OutcomeCommand, "stop (list-unsubscribe)", "", ""},
		{"words for the agreement", func(t *testing.T) *Partnership { return finishedPair(t, 3) },
			Reply{Text: "Could we add a monthly walk?", ToAgreement: true}, OutcomeAnswer, "kept for the agreement review", "", MsgAck},
		{"a check-in command before there are check-ins", started, Reply{Text: "skip this week", Checkin: true},
			OutcomeCommand, "check-in skip", "", MsgHelp},
		{"a schedule the lead cannot mean", started, Reply{Text: "Tuesdays", Checkin: true, Purpose: MsgScheduleAsk},
			OutcomeCommand, "unclear schedule", ProblemWhichTime, MsgScheduleAsk},
		{"a reply to an old draft round", func(t *testing.T) *Partnership { return finishedPair(t, 3) },
			Reply{Text: "agree all", Draft: &DraftRound{Round: 1}}, OutcomeRejected, "draft: a reply after drafting ended", "", MsgHelp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.p(t)
			me, partner := p.Participants[0], p.Participants[1]
			o, msgs, err := p.HandleReply(me.ID, tt.reply, at)
			if err != nil {
				t.Fatalf("HandleReply = %v", err)
			}
			if o.Kind != tt.kind || o.Detail != tt.detail {
				t.Errorf("outcome %s %q, want %s %q", o.Kind, o.Detail, tt.kind, tt.detail)
			}
			switch {
			case tt.problem == "" && o.Problem != nil:
				t.Errorf("outcome names the problem %v, want none", o.Problem)
			case tt.problem != "" && (o.Problem == nil || o.Problem.Code != tt.problem):
				t.Errorf("outcome names the problem %v, want %s", o.Problem, tt.problem)
			}
			if tt.mailKind != "" {
				if got := kindsTo(msgs, me); len(got) == 0 || got[0] != tt.mailKind {
					t.Errorf("the person hears %v, want %s first", got, tt.mailKind)
				}
			}
			// A reply that was held, refused or not understood is the
			// person's alone: the partner hears nothing of it.
			if o.Kind != OutcomeAnswer && (o.Kind != OutcomeCommand || o.Problem != nil || tt.mailKind == MsgHelp) {
				if got := kindsTo(msgs, partner); len(got) != 0 {
					t.Errorf("the partner hears %v of a reply meant for no one but us", got)
				}
			}
		})
	}
}

// TestHandleReplyAfterLeaving: someone who left is not answered, unless
// they come back with resume.
func TestHandleReplyAfterLeaving(t *testing.T) {
	t.Parallel()
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	me := p.Participants[0]
	must[[]Message](t)(p.StopNow(me.ID, t0.Add(time.Minute)))
	if _, _, err := p.HandleReply(me.ID, Reply{Text: "Here is my answer."}, t0.Add(time.Hour)); !errors.Is(err, ErrLeft) {
		t.Errorf("a reply after leaving = %v, want ErrLeft", err)
	}
	o, _, err := p.HandleReply(me.ID, Reply{Text: "resume"}, t0.Add(2*time.Hour))
	if err != nil || o.Kind != OutcomeCommand || o.Detail != "resume after leaving" {
		t.Errorf("resume after leaving = %+v, %v", o, err)
	}
}

// TestLanguageCommand: "language de", in any of the languages Accord reads,
// changes the language the person is written to, and says so in it; a
// language Accord does not write is explained, and changes nothing.
func TestLanguageCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, want string
		problem    ProblemCode
	}{
		{"language de", "de", ""},
		{"Langue : français", "fr", ""},
		{"Sprache Deutsch", "de", ""},
		{"idioma español", "es", ""},
		{"language english", "en", ""},
		{"language klingon", "", ProblemLanguageUnknown},
		{"language", "", ProblemLanguageUnknown},
	} {
		p := pair(t, 3, noQuiet(), t0)
		p.Enroll(t0)
		me := p.Participants[0]
		o, msgs, err := p.HandleReply(me.ID, Reply{Text: tc.text}, t0.Add(time.Hour))
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if me.Person.Language != tc.want {
			t.Errorf("%q: language %q, want %q", tc.text, me.Person.Language, tc.want)
		}
		switch m := only(t, msgs, me); {
		case tc.problem == "" && (o.Kind != OutcomeCommand || m.Kind != MsgAck || m.Notes[0].Kind != NoteLanguage):
			t.Errorf("%q: %s %q, mail %s %v; want a command confirmed", tc.text, o.Kind, o.Detail, m.Kind, m.Notes)
		case tc.problem != "" && (o.Problem == nil || o.Problem.Code != tc.problem || m.Kind != MsgHelp):
			t.Errorf("%q: %s %q (%v), mail %s; want %s explained", tc.text, o.Kind, o.Detail, o.Problem, m.Kind, tc.problem)
		}
	}
	// Answers that start with the word are answers.
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	if o, _, _ := p.HandleReply(p.Participants[0].ID, Reply{Text: "Language matters: we say what we mean."}, t0.Add(time.Hour)); o.Kind != OutcomeAnswer {
		t.Errorf("an answer starting with language = %s %q", o.Kind, o.Detail)
	}
}
