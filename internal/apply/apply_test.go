package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"accord/conversation"
)

// fakeTx records what the step asks of persistence, in order.
type fakeTx struct {
	now      time.Time
	p        *conversation.Partnership
	calls    []string
	takeErr  error
	dispErr  error
	links    bool
	disp     []Outgoing
	wokenFor time.Time
}

func (f *fakeTx) Now() time.Time { return f.now }

func (f *fakeTx) Take(_ context.Context, id int64) (*conversation.Partnership, error) {
	f.calls = append(f.calls, fmt.Sprintf("take %d", id))
	if f.takeErr != nil {
		return nil, f.takeErr
	}
	return f.p, nil
}

func (f *fakeTx) Save(context.Context, *conversation.Partnership, time.Time) error {
	f.calls = append(f.calls, "save")
	return nil
}

func (f *fakeTx) ClaimPeriodic(_ context.Context, _ *conversation.Partnership, m conversation.Message, _ time.Time) error {
	f.calls = append(f.calls, "claim "+string(m.Kind))
	return nil
}

func (f *fakeTx) MintReplyToken(_ context.Context, promptID, participantID int64, _ time.Time) (string, error) {
	f.calls = append(f.calls, fmt.Sprintf("reply token %d for %d", promptID, participantID))
	return fmt.Sprintf("r%d", promptID), nil
}

func (f *fakeTx) MintCheckinToken(_ context.Context, participantID int64, o *conversation.Occurrence, purpose string, _ time.Time) (string, error) {
	f.calls = append(f.calls, fmt.Sprintf("check-in token %s for %d (occurrence %t)", purpose, participantID, o != nil))
	return "c-" + purpose, nil
}

func (f *fakeTx) MintLink(_ context.Context, participantID int64, now time.Time) (string, time.Time, error) {
	f.calls = append(f.calls, fmt.Sprintf("link for %d", participantID))
	if !f.links {
		return "", time.Time{}, nil
	}
	return "l", now.Add(time.Hour), nil
}

func (f *fakeTx) Dispatch(_ context.Context, _ *conversation.Partnership, out []Outgoing) error {
	f.calls = append(f.calls, fmt.Sprintf("dispatch %d", len(out)))
	f.disp = out
	return f.dispErr
}

func (f *fakeTx) WakeAt(_ context.Context, id int64, at time.Time) error {
	f.calls = append(f.calls, fmt.Sprintf("wake %d", id))
	f.wokenFor = at
	return nil
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func pair(t *testing.T) *conversation.Partnership {
	t.Helper()
	set := &conversation.QuestionSet{Name: "t", Version: 1}
	for i := range 3 {
		set.Questions = append(set.Questions, conversation.Question{
			ID: fmt.Sprintf("q%d", i), Theme: "T", Title: "Q", Section: conversation.SectionThemes,
			Wording: map[conversation.Role]string{conversation.RoleLead: "a", conversation.RoleReport: "b", conversation.RolePeer: "c"},
		})
	}
	p, err := conversation.NewPartnership(conversation.KindLeadReport,
		conversation.Person{ID: 1, Name: "Ana", Email: "ana@example.com", Location: time.UTC},
		conversation.Person{ID: 2, Name: "Ben", Email: "ben@example.com", Location: time.UTC},
		set, conversation.DefaultRules(), t0)
	if err != nil {
		t.Fatal(err)
	}
	p.ID = 9
	for i, pt := range p.Participants {
		pt.ID = int64(i + 11)
	}
	return p
}

// TestSettleTokens checks what each kind of message gets minted: a reply
// token for a question, a check-in token for check-in mail, a draft's
// purpose for draft mail and for an agreement sent for signing, a link for
// every agreement, nothing for mail that asks nothing.
func TestSettleTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		msg     func(p *conversation.Partnership) conversation.Message
		signing bool
		links   bool
		want    []string
		token   string
		link    string
	}{{
		name: "question",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgQuestion, To: p.Participants[0], Prompt: &conversation.Prompt{ID: 7}}
		},
		want:  []string{"claim question", "reply token 7 for 11"},
		token: "r7",
	}, {
		name: "schedule question",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgScheduleAsk, To: p.Participants[0]}
		},
		want:  []string{"claim schedule-ask", "check-in token schedule-ask for 11 (occurrence false)"},
		token: "c-schedule-ask",
	}, {
		name: "follow-up of a meeting",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgFollowUp, To: p.Participants[1], Occurrence: &conversation.Occurrence{ID: 4}}
		},
		want:  []string{"claim follow-up", "check-in token follow-up for 12 (occurrence true)"},
		token: "c-follow-up",
	}, {
		name: "draft round",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgDraft, To: p.Participants[1], Draft: &conversation.Draft{Review: 1, Round: 2}}
		},
		want:  []string{"claim draft", "check-in token draft-1-2 for 12 (occurrence false)"},
		token: "c-draft-1-2",
	}, {
		name: "agreement, links on",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgAgreement, To: p.Participants[0]}
		},
		links: true,
		want:  []string{"claim agreement", "link for 11"},
		link:  "l",
	}, {
		name: "agreement, links off",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgAgreement, To: p.Participants[0]}
		},
		want: []string{"claim agreement", "link for 11"},
	}, {
		name: "agreement sent for signing",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgAgreement, To: p.Participants[0]}
		},
		signing: true,
		want:    []string{"claim agreement", "check-in token draft-0-3 for 11 (occurrence false)", "link for 11"},
		token:   "c-draft-0-3",
	}, {
		name: "notice that asks nothing",
		msg: func(p *conversation.Partnership) conversation.Message {
			return conversation.Message{Kind: conversation.MsgWelcome, To: p.Participants[1]}
		},
		want: []string{"claim welcome"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := pair(t)
			if tt.signing {
				p.Draft = &conversation.Draft{Round: 3, Signing: true}
			}
			tx := &fakeTx{now: t0, links: tt.links}
			if err := Settle(context.Background(), tx, p, []conversation.Message{tt.msg(p)}, t0); err != nil {
				t.Fatal(err)
			}
			want := append(append([]string{"save"}, tt.want...), "dispatch 1")
			if got := tx.calls; !slices.Equal(got, want) {
				t.Errorf("calls\n got %q\nwant %q", got, want)
			}
			if len(tx.disp) != 1 || tx.disp[0].ReplyToken != tt.token || tx.disp[0].Link != tt.link {
				t.Errorf("dispatched %+v, want token %q link %q", tx.disp, tt.token, tt.link)
			}
		})
	}
}

// TestRun checks the order of the step and that a failure at each stage
// stops what follows it.
func TestRun(t *testing.T) {
	t.Parallel()
	errOp := errors.New("refused")
	errGone := errors.New("gone")
	errMail := errors.New("outbox full")
	tests := []struct {
		name             string
		op               Op
		takeErr, dispErr error
		wantErr          error
		want             []string
		wake             bool
	}{{
		name: "enrolment: save, a token per first question, dispatch, wake",
		op: func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Enroll(now), nil
		},
		want: []string{"take 9", "save", "claim welcome", "reply token 0 for 11", "claim welcome", "reply token 0 for 12", "dispatch 2", "wake 9"},
		wake: true,
	}, {
		name: "nothing to send",
		op: func(*conversation.Partnership, time.Time) ([]conversation.Message, error) {
			return nil, nil
		},
		want: []string{"take 9", "save"},
	}, {
		name:    "operation refused: nothing saved",
		op:      func(*conversation.Partnership, time.Time) ([]conversation.Message, error) { return nil, errOp },
		wantErr: errOp,
		want:    []string{"take 9"},
	}, {
		name:    "partnership missing",
		op:      func(*conversation.Partnership, time.Time) ([]conversation.Message, error) { return nil, nil },
		takeErr: errGone,
		wantErr: errGone,
		want:    []string{"take 9"},
	}, {
		name: "dispatch fails: no wake",
		op: func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.Enroll(now), nil
		},
		dispErr: errMail,
		wantErr: errMail,
		want:    []string{"take 9", "save", "claim welcome", "reply token 0 for 11", "claim welcome", "reply token 0 for 12", "dispatch 2"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tx := &fakeTx{now: t0, p: pair(t), takeErr: tt.takeErr, dispErr: tt.dispErr}
			_, err := Run(context.Background(), tx, 9, tt.op)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(tx.calls, tt.want) {
				t.Errorf("calls\n got %q\nwant %q", tx.calls, tt.want)
			}
			if woken := !tx.wokenFor.IsZero(); woken != tt.wake {
				t.Errorf("woken %t (at %v), want %t", woken, tx.wokenFor, tt.wake)
			} else if woken && tx.wokenFor != tx.p.NextWake(t0) {
				t.Errorf("woken at %v, want the partnership's next wake %v", tx.wokenFor, tx.p.NextWake(t0))
			}
		})
	}
}

func TestDraftPurpose(t *testing.T) {
	t.Parallel()
	for _, d := range []conversation.Draft{{Review: 0, Round: 1}, {Review: 3, Round: 12}} {
		review, round, ok := DraftRoundOf(DraftPurpose(&d))
		if !ok || review != d.Review || round != d.Round {
			t.Errorf("DraftRoundOf(DraftPurpose(%+v)) = %d, %d, %t", d, review, round, ok)
		}
	}
	for _, purpose := range []string{"", "schedule-ask", "draft-", "draft-1", "draft-x-1", "draft-1-0", "draft--1-2"} {
		if _, _, ok := DraftRoundOf(purpose); ok {
			t.Errorf("DraftRoundOf(%q) is a draft", purpose)
		}
	}
}
