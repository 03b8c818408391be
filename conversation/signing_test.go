package conversation

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// signingAnswers are what the lead and the report answer in the signing
// tests, by question of testSet(3): q2 asks for commitments and q3 for
// accountability, so their sentences become the draft's statements.
var signingAnswers = map[Role]map[string]string{
	RoleLead: {
		"q1": "Lead on q1",
		"q2": "I protect your focus time. I back you in public.",
		"q3": "We name a slip within a week.",
	},
	RoleReport: {
		"q1": "Report on q1",
		"q2": "I tell you early when I am stuck.",
		"q3": "I ask you how it went after each release.",
	},
}

// signingStatements are the draft's first round from signingAnswers, in
// order, with who wrote each.
var signingStatements = []struct {
	role Role
	text string
}{
	{RoleLead, "I protect your focus time."},
	{RoleLead, "I back you in public."},
	{RoleReport, "I tell you early when I am stuck."},
	{RoleLead, "We name a slip within a week."},
	{RoleReport, "I ask you how it went after each release."},
}

// draftingPair is a pair without quiet hours (reminders after 3 and 3
// more days, a ten-minute grace) whose two people have answered every
// question of testSet(3); it wakes the partnership once the last answer's
// grace has passed, checks that both got round 1 of the draft, and
// returns the partnership with when drafting started.
func draftingPair(t *testing.T) (*Partnership, time.Time) {
	t.Helper()
	r := noQuiet()
	r.RevealGrace = 10 * time.Minute
	r.Reminders = []int{3, 3}
	p := pair(t, 3, r, t0)
	p.Enroll(t0)
	now := t0
	for _, pt := range p.Participants {
		for _, q := range p.Set.Questions {
			now = now.Add(time.Minute)
			if _, err := p.Answer(pt.ID, q.ID, signingAnswers[pt.Role][q.ID], now); err != nil {
				t.Fatalf("%s answers %s: %v", pt.Person.Name, q.ID, err)
			}
		}
	}
	if p.Draft != nil || p.LatestAgreement() != nil {
		t.Fatal("drafting began inside the last answer's grace")
	}
	start := p.NextWake(now)
	if want := now.Add(r.RevealGrace); !start.Equal(want) {
		t.Fatalf("NextWake after the last answer = %v, want the end of its grace %v", start, want)
	}
	msgs := p.Wake(start)
	if p.Status != StatusDrafting || !p.DraftOpen() {
		t.Fatalf("after the grace: status %s, draft open %v; want drafting", p.Status, p.DraftOpen())
	}
	for _, pt := range p.Participants {
		m := only(t, msgs, pt)
		if m.Kind != MsgDraft || m.Draft != p.Draft || m.Draft.Round != 1 {
			t.Fatalf("%s got %s (draft %p, round %d), want MsgDraft of round 1 (%p)", pt.Person.Name, m.Kind, m.Draft, roundOf(m.Draft), p.Draft)
		}
	}
	var got []string
	for _, s := range p.Draft.Statements {
		got = append(got, s.Text)
	}
	var want []string
	for _, s := range signingStatements {
		want = append(want, s.text)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("round 1 statements = %q, want %q", got, want)
	}
	return p, start
}

// roundOf is d's round, or 0 for no draft.
func roundOf(d *Draft) int {
	if d == nil {
		return 0
	}
	return d.Round
}

// replyDraft parses text as pt's reply to the open draft and hands it to
// ReplyToDraft at now.
func replyDraft(t *testing.T, p *Partnership, pt *Participant, text string, now time.Time) []Message {
	t.Helper()
	r, err := ParseDraftReply(text)
	if err != nil {
		t.Fatalf("ParseDraftReply(%q) = %v", text, err)
	}
	msgs, err := p.ReplyToDraft(pt.ID, r, now)
	if err != nil {
		t.Fatalf("%s replies %q: %v", pt.Person.Name, text, err)
	}
	return msgs
}

// mailOf returns the one message of kind to pt, failing when there is not
// exactly one.
func mailOf(t *testing.T, msgs []Message, pt *Participant, kind MessageKind) Message {
	t.Helper()
	var found []Message
	for _, m := range msgs {
		if m.To == pt && m.Kind == kind {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s messages to %s: got %d (all: %v), want 1", kind, pt.Person.Name, len(found), kinds(msgs))
	}
	return found[0]
}

// agreedTexts lists an agreement's statements as "number role: text".
func agreedTexts(ss []AgreedStatement) []string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%d %s: %s", s.Number, s.Role, s.Text))
	}
	return out
}

// lapsedPair is a draftingPair whose lead agreed to everything in round 1
// an hour after it began, while the report stayed silent through every
// reminder until the round lapsed: version 1 went out unsigned by the
// report. It returns the partnership, when the lead replied and when the
// round lapsed.
func lapsedPair(t *testing.T) (p *Partnership, leadAt, lapsedAt time.Time) {
	t.Helper()
	p, start := draftingPair(t)
	lead, report := p.Participants[0], p.Participants[1]
	leadAt = start.Add(time.Hour)
	replyDraft(t, p, lead, "agree all", leadAt)
	rs := p.Rules.Reminders
	nudged := start
	for i := range rs {
		at := p.NextWake(leadAt)
		if want := addDays(nudged, rs[i], report.Person.Location); !at.Equal(want) {
			t.Fatalf("reminder %d due %v, want %d days after the last nudge (%v)", i+1, at, rs[i], want)
		}
		msgs := p.Wake(at)
		m := only(t, msgs, report)
		if m.Kind != MsgDraft || m.Reminder != i+1 || m.Draft != p.Draft {
			t.Fatalf("at %v the report got %s with reminder %d, want MsgDraft reminder %d of the open round", at, m.Kind, m.Reminder, i+1)
		}
		if ks := kindsTo(msgs, lead); len(ks) != 0 {
			t.Fatalf("reminder %d: the lead, who replied, got %v", i+1, ks)
		}
		nudged = at
	}
	lapsedAt = p.NextWake(nudged)
	if want := addDays(nudged, rs[len(rs)-1], report.Person.Location); !lapsedAt.Equal(want) {
		t.Fatalf("lapse due %v, want %d days after the last reminder (%v)", lapsedAt, rs[len(rs)-1], want)
	}
	msgs := p.Wake(lapsedAt)
	for _, pt := range p.Participants {
		m := mailOf(t, msgs, pt, MsgAgreement)
		if m.Agreement == nil || m.Agreement.Version != 1 {
			t.Fatalf("at the lapse %s got agreement %+v, want version 1", pt.Person.Name, m.Agreement)
		}
		if ks := kindsTo(msgs, pt); slices.Contains(ks, MsgDraft) {
			t.Fatalf("at the lapse %s got %v, want no more draft mail", pt.Person.Name, ks)
		}
	}
	return p, leadAt, lapsedAt
}

// TestDraftSignedAfterAChangeAndAnAdd walks a draft from its first round
// to a signed version 1: the lead changes a statement and adds one, and
// hears their word is noted while the report has not replied; the
// report's reply opens round 2 for both with the new words and the
// addition; the report's agreement then completes round 2 alone (the lead
// owes nothing in it), and version 1 is signed, each signature dated by
// that person's last reply.
func TestDraftSignedAfterAChangeAndAnAdd(t *testing.T) {
	t.Parallel()
	p, start := draftingPair(t)
	lead, report := p.Participants[0], p.Participants[1]

	leadAt := start.Add(time.Hour)
	msgs := replyDraft(t, p, lead, "agree all\nchange 1: I keep your mornings free of meetings.\nadd: We share the week's priorities on Monday.", leadAt)
	m := only(t, msgs, lead)
	if m.Kind != MsgAck {
		t.Errorf("the lead got %s for a reply that waits for the report, want %s", m.Kind, MsgAck)
	}
	var noted *Note
	for i := range m.Notes {
		if m.Notes[i].Kind == NoteDraftNoted {
			noted = &m.Notes[i]
		}
	}
	if noted == nil || noted.Draft != p.Draft {
		t.Errorf("the lead's %s carries notes %+v, want a %s note about the open round", m.Kind, m.Notes, NoteDraftNoted)
	}
	if ks := kindsTo(msgs, report); len(ks) != 0 {
		t.Errorf("the report got %v on the lead's reply, want nothing", ks)
	}
	if p.Draft.Round != 1 || !p.Draft.Responded(lead.ID) || p.Draft.Responded(report.ID) {
		t.Errorf("after the lead's reply: round %d, lead responded %v, report responded %v; want round 1, true, false",
			p.Draft.Round, p.Draft.Responded(lead.ID), p.Draft.Responded(report.ID))
	}

	reportAt := leadAt.Add(2 * time.Hour)
	msgs = replyDraft(t, p, report, "agree all", reportAt)
	for _, pt := range p.Participants {
		m := only(t, msgs, pt)
		if m.Kind != MsgDraft || m.Draft == nil || m.Draft.Round != 2 {
			t.Fatalf("%s got %s of round %d, want MsgDraft of round 2", pt.Person.Name, m.Kind, roundOf(m.Draft))
		}
	}
	d := p.Draft
	if len(p.EndedRounds) == 0 || p.EndedRounds[len(p.EndedRounds)-1].Round != 1 {
		t.Errorf("EndedRounds = %d rounds, want round 1 among them", len(p.EndedRounds))
	}
	type stmt struct {
		author int64
		text   string
	}
	var got []stmt
	for _, s := range d.Statements {
		got = append(got, stmt{s.AuthorID, s.Text})
	}
	want := []stmt{
		{lead.ID, "I keep your mornings free of meetings."},
		{lead.ID, "I back you in public."},
		{report.ID, "I tell you early when I am stuck."},
		{lead.ID, "We name a slip within a week."},
		{report.ID, "I ask you how it went after each release."},
		{lead.ID, "We share the week's priorities on Monday."},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("round 2 statements = %+v, want %+v", got, want)
	}
	if open := d.OpenFor(lead.ID); len(open) != 0 {
		t.Errorf("round 2 OpenFor(lead) = %v, want empty: the lead agrees to all of it", open)
	}
	if open := d.OpenFor(report.ID); !slices.Equal(open, []int{1, 6}) {
		t.Errorf("round 2 OpenFor(report) = %v, want [1 6]: the changed words and the addition", open)
	}

	signedAt := reportAt.Add(24 * time.Hour)
	msgs = replyDraft(t, p, report, "agree all", signedAt)
	ag := p.LatestAgreement()
	if ag == nil || ag.Version != 1 {
		t.Fatalf("after the report agreed to round 2: latest agreement %+v, want version 1", ag)
	}
	if !ag.Signed() {
		t.Errorf("version 1 Signed() = false (signatures %+v), want true", ag.Signatures)
	}
	wantTexts := []string{
		"1 lead: I keep your mornings free of meetings.",
		"2 lead: I back you in public.",
		"3 report: I tell you early when I am stuck.",
		"4 lead: We name a slip within a week.",
		"5 report: I ask you how it went after each release.",
		"6 lead: We share the week's priorities on Monday.",
	}
	if got := agreedTexts(ag.Statements); !slices.Equal(got, wantTexts) {
		t.Errorf("version 1 statements = %q, want %q", got, wantTexts)
	}
	if ag.StillOpen != 0 {
		t.Errorf("version 1 StillOpen = %d, want 0", ag.StillOpen)
	}
	if len(ag.Signatures) != 2 {
		t.Fatalf("version 1 has %d signatures, want 2", len(ag.Signatures))
	}
	for i, want := range []time.Time{leadAt, signedAt} {
		if s := ag.Signatures[i]; !s.At.Equal(want) || s.Role != p.Participants[i].Role {
			t.Errorf("signature %d = %s at %v, want %s at %v (their last reply)", i, s.Role, s.At, p.Participants[i].Role, want)
		}
	}
	if p.Status != StatusAgreement {
		t.Errorf("status = %s, want %s", p.Status, StatusAgreement)
	}
	if p.DraftOpen() {
		t.Error("DraftOpen() = true after version 1 was signed, want false")
	}
	for _, pt := range p.Participants {
		if m := mailOf(t, msgs, pt, MsgAgreement); m.Agreement != ag {
			t.Errorf("%s got agreement %+v, want version 1", pt.Person.Name, m.Agreement)
		}
		if ks := kindsTo(msgs, pt); slices.Contains(ks, MsgDraft) {
			t.Errorf("%s got %v with the signed version, want no draft mail", pt.Person.Name, ks)
		}
	}
}

// TestDraftReminderThenUnsignedThenLateSignature: a report who says
// nothing to round 1 gets each reminder of the rules in turn; when they
// have run out, version 1 goes to both as it stands, signed by the lead
// alone, and the draft stays open for signing. A late "agree all" from the
// report then signs it as version 2, keeping version 1's review date.
func TestDraftReminderThenUnsignedThenLateSignature(t *testing.T) {
	t.Parallel()
	p, leadAt, lapsedAt := lapsedPair(t)
	lead, report := p.Participants[0], p.Participants[1]

	v1 := p.LatestAgreement()
	if v1.Signed() {
		t.Errorf("version 1 at the lapse Signed() = true, want false: the report never replied")
	}
	if len(v1.Signatures) != 2 || !v1.Signatures[0].At.Equal(leadAt) || !v1.Signatures[1].At.IsZero() {
		t.Fatalf("version 1 signatures = %+v, want the lead's at %v and the report's unsigned", v1.Signatures, leadAt)
	}
	if len(v1.Statements) != len(signingStatements) {
		t.Errorf("version 1 has %d statements, want the %d as they stood", len(v1.Statements), len(signingStatements))
	}
	if p.Status != StatusAgreement {
		t.Errorf("status at the lapse = %s, want %s", p.Status, StatusAgreement)
	}
	if !p.DraftOpen() || !p.Draft.Signing {
		t.Fatalf("at the lapse DraftOpen() = %v, Signing = %v; want an open signing round", p.DraftOpen(), p.Draft != nil && p.Draft.Signing)
	}

	lateAt := lapsedAt.Add(30 * 24 * time.Hour)
	msgs := replyDraft(t, p, report, "agree all", lateAt)
	v2 := p.LatestAgreement()
	if v2 == v1 || v2.Version != 2 || v2.Previous != 1 {
		t.Fatalf("after the late signature the latest is version %d (previous %d), want version 2 following 1", v2.Version, v2.Previous)
	}
	if !v2.Signed() {
		t.Errorf("version 2 Signed() = false (signatures %+v), want true", v2.Signatures)
	}
	if len(v2.Signatures) == 2 && (!v2.Signatures[0].At.Equal(leadAt) || !v2.Signatures[1].At.Equal(lateAt)) {
		t.Errorf("version 2 signatures = %+v, want the lead's at %v and the report's at %v", v2.Signatures, leadAt, lateAt)
	}
	if v2.ReviewOn != v1.ReviewOn {
		t.Errorf("version 2 ReviewOn = %s, want version 1's %s", v2.ReviewOn, v1.ReviewOn)
	}
	if got, want := agreedTexts(v2.Statements), agreedTexts(v1.Statements); !slices.Equal(got, want) {
		t.Errorf("version 2 statements = %q, want version 1's %q", got, want)
	}
	if p.DraftOpen() {
		t.Error("DraftOpen() = true after the late signature, want false")
	}
	for _, pt := range []*Participant{lead, report} {
		if m := mailOf(t, msgs, pt, MsgAgreement); m.Agreement != v2 {
			t.Errorf("%s got agreement version %d, want 2", pt.Person.Name, m.Agreement.Version)
		}
	}
}

// TestDraftRoundCapSigns: two people who keep changing the same statement
// never settle; after MaxDraftRounds rounds version 1 is signed with only
// the statements both agreed to, counts the one still open, and no
// further round is sent.
func TestDraftRoundCapSigns(t *testing.T) {
	t.Parallel()
	p, start := draftingPair(t)
	lead, report := p.Participants[0], p.Participants[1]
	now := start

	// Round 1: the lead changes 1; the report agrees to the old words.
	now = now.Add(time.Hour)
	replyDraft(t, p, lead, "agree all\nchange 1: I keep Monday mornings free.", now)
	now = now.Add(time.Hour)
	replyDraft(t, p, report, "agree all", now)
	// Round 2: only the report owes a word, and changes 1 again.
	if p.Draft.Round != 2 {
		t.Fatalf("after round 1: round %d, want 2", p.Draft.Round)
	}
	now = now.Add(time.Hour)
	replyDraft(t, p, report, "agree all\nchange 1: I keep Tuesday mornings free.", now)
	// Round 3, the last: only the lead owes a word, and changes 1 again.
	if p.Draft.Round != MaxDraftRounds {
		t.Fatalf("after round 2: round %d, want %d", p.Draft.Round, MaxDraftRounds)
	}
	if p.Draft.Statements[0].AuthorID != report.ID || p.Draft.Statements[0].Agreed != [2]bool{false, true} {
		t.Fatalf("round 3 statement 1 = %+v, want the report's words agreed by the report alone", p.Draft.Statements[0])
	}
	now = now.Add(time.Hour)
	msgs := replyDraft(t, p, lead, "agree all\nchange 1: I keep Wednesday mornings free.", now)

	if p.DraftOpen() {
		t.Fatalf("after %d rounds DraftOpen() = true (round %d), want drafting over", MaxDraftRounds, p.Draft.Round)
	}
	for _, pt := range p.Participants {
		for _, m := range msgs {
			if m.To == pt && m.Kind == MsgDraft {
				t.Errorf("%s got a round %d draft after the last round", pt.Person.Name, roundOf(m.Draft))
			}
		}
		mailOf(t, msgs, pt, MsgAgreement)
	}
	for _, m := range p.Wake(now.Add(10 * 24 * time.Hour)) {
		if m.Kind == MsgDraft {
			t.Errorf("ten days after the last round %s got a round %d draft, want none", m.To.Person.Name, roundOf(m.Draft))
		}
	}
	ag := p.LatestAgreement()
	if ag == nil || ag.Version != 1 {
		t.Fatalf("latest agreement = %+v, want version 1", ag)
	}
	want := []string{
		"1 lead: I back you in public.",
		"2 report: I tell you early when I am stuck.",
		"3 lead: We name a slip within a week.",
		"4 report: I ask you how it went after each release.",
	}
	if got := agreedTexts(ag.Statements); !slices.Equal(got, want) {
		t.Errorf("version 1 statements = %q, want only those both agreed to, %q", got, want)
	}
	if ag.StillOpen != 1 {
		t.Errorf("version 1 StillOpen = %d, want 1 (statement 1, never settled)", ag.StillOpen)
	}
	if !ag.Signed() {
		t.Errorf("version 1 Signed() = false (signatures %+v), want true: both replied to every round they owed", ag.Signatures)
	}
	if p.Status != StatusAgreement {
		t.Errorf("status = %s, want %s", p.Status, StatusAgreement)
	}
}

// TestDraftReplyErrors: a reply naming a number the draft does not have
// is a *DraftReplyError of kind DraftReplyUnknown, from Draft.Apply and
// from ReplyToDraft alike, and nothing of it is recorded; a reply when no
// draft is open is ErrNoDraft.
func TestDraftReplyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reply  string
		line   string
		number int
	}{
		{"agree 6", "agree 6", 6},
		{"agree 1-9", "agree 1-9", 6},
		{"change 7: new words", "change 7: new words", 7},
		{"drop 12", "drop 12", 12},
		{"keep 6", "keep 6", 6},
		{"agree all\ndrop 2, 8", "drop 2, 8", 8},
	}
	for _, tc := range tests {
		r, err := ParseDraftReply(tc.reply)
		if err != nil {
			t.Fatalf("ParseDraftReply(%q) = %v", tc.reply, err)
		}
		want := DraftReplyError{Kind: DraftReplyUnknown, Line: tc.line, Number: tc.number, Max: len(signingStatements)}
		check := func(how string, p *Partnership, err error) {
			t.Helper()
			var de *DraftReplyError
			if !errors.As(err, &de) || *de != want {
				t.Errorf("%s(%q) = %#v, want %#v", how, tc.reply, err, &want)
			}
			d := p.Draft
			for _, pt := range p.Participants {
				if d.Responded(pt.ID) || !d.AgreedAt[d.person(pt.ID)].IsZero() {
					t.Errorf("%s(%q): %s responded %v, agreed at %v; want nothing recorded",
						how, tc.reply, pt.Person.Name, d.Responded(pt.ID), d.AgreedAt[d.person(pt.ID)])
				}
			}
			if d.Round != 1 || !p.DraftOpen() {
				t.Errorf("%s(%q): round %d, open %v; want round 1 still open", how, tc.reply, d.Round, p.DraftOpen())
			}
		}

		p, start := draftingPair(t)
		check("Draft.Apply", p, p.Draft.Apply(p.Participants[1].ID, r, start.Add(time.Hour)))

		p, start = draftingPair(t)
		msgs, err := p.ReplyToDraft(p.Participants[0].ID, r, start.Add(time.Hour))
		check("ReplyToDraft", p, err)
		if len(msgs) != 0 {
			t.Errorf("ReplyToDraft(%q) sent %v, want nothing", tc.reply, kinds(msgs))
		}
	}

	agree := DraftReply{Commands: []DraftCommand{{Kind: DraftAgree, All: true, Line: "agree all"}}}
	// Before drafting: the two are still answering.
	p := pair(t, 3, noQuiet(), t0)
	p.Enroll(t0)
	if _, err := p.ReplyToDraft(p.Participants[0].ID, agree, t0.Add(time.Minute)); !errors.Is(err, ErrNoDraft) {
		t.Errorf("ReplyToDraft before drafting = %v, want %v", err, ErrNoDraft)
	}
	// After signing: drafting is over.
	p, start := draftingPair(t)
	signed(t, p, start.Add(time.Hour))
	if p.LatestAgreement() == nil {
		t.Fatal("no agreement after both agreed to everything")
	}
	if _, err := p.ReplyToDraft(p.Participants[1].ID, agree, start.Add(2*time.Hour)); !errors.Is(err, ErrNoDraft) {
		t.Errorf("ReplyToDraft after signing = %v, want %v", err, ErrNoDraft)
	}
}

// TestReviewClosesTheDraft: an unsigned version 1 keeps its signing round
// open only until the review opens; from then on drafting is over and a
// late "agree all" is ErrNoDraft.
func TestReviewClosesTheDraft(t *testing.T) {
	t.Parallel()
	p, _, lapsedAt := lapsedPair(t)
	if !p.DraftOpen() {
		t.Fatal("DraftOpen() = false right after the lapse, want the signing round open")
	}
	now := lapsedAt
	for i := 0; p.Status != StatusReviewing; i++ {
		if i == 50 {
			t.Fatalf("no review after %d wakes (status %s, now %v)", i, p.Status, now)
		}
		at := p.NextWake(now)
		if at.IsZero() {
			t.Fatalf("nothing scheduled at %v with status %s, want the review to come", now, p.Status)
		}
		if at.After(now) {
			now = at
		}
		p.Wake(now)
	}
	if p.DraftOpen() {
		t.Error("DraftOpen() = true once the review opened, want false")
	}
	if r := p.openReview(); r == nil || !p.Draft.Closed.Equal(r.OpenedAt) {
		t.Errorf("draft closed at %v, want when the review opened (%+v)", p.Draft.Closed, r)
	}
	agree := DraftReply{Commands: []DraftCommand{{Kind: DraftAgree, All: true, Line: "agree all"}}}
	if _, err := p.ReplyToDraft(p.Participants[1].ID, agree, now.Add(time.Hour)); !errors.Is(err, ErrNoDraft) {
		t.Errorf("a late agree all during the review = %v, want %v", err, ErrNoDraft)
	}
	if v := p.LatestAgreement(); v.Version != 1 || v.Signed() {
		t.Errorf("latest agreement = version %d signed %v, want the unsigned version 1", v.Version, v.Signed())
	}
}

// TestSendAgreement: the agreement command sends the latest version again
// (marked as asked for, the version seen unchanged), the open round while
// drafting, and before either a note that there is none yet.
func TestSendAgreement(t *testing.T) {
	t.Parallel()
	early := pair(t, 3, noQuiet(), t0)
	early.Enroll(t0)
	msgs := must[[]Message](t)(early.SendAgreement(1, t0.Add(time.Hour)))
	if m := only(t, msgs, early.Participants[0]); m.Kind != MsgHelp || len(m.Notes) != 1 || m.Notes[0].Kind != NoteNoAgreementYet {
		t.Errorf("before any draft: %s with %+v, want help with no-agreement-yet", m.Kind, m.Notes)
	}

	p, start := draftingPair(t)
	lead := p.Participants[0]
	msgs = must[[]Message](t)(p.SendAgreement(lead.ID, start.Add(time.Hour)))
	if m := only(t, msgs, lead); m.Kind != MsgDraft || !m.Resent || m.Draft != p.Draft {
		t.Errorf("while drafting: %s (resent %v), want the open round again", m.Kind, m.Resent)
	}
	signed(t, p, start.Add(2*time.Hour))
	seen := lead.AgreementSeen
	msgs = must[[]Message](t)(p.SendAgreement(lead.ID, start.Add(3*time.Hour)))
	if m := only(t, msgs, lead); m.Kind != MsgAgreement || !m.OnDemand || m.Agreement != p.LatestAgreement() || lead.AgreementSeen != seen {
		t.Errorf("after signing: %s (on demand %v, version %v), seen %d→%d; want version 1 again", m.Kind, m.OnDemand, m.Agreement, seen, lead.AgreementSeen)
	}
}
