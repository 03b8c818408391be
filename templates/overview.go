package templates

// Overview is a week of a person who takes part in several partnerships:
// where each stands, and its check-ins. It holds progress only, never
// anything anyone wrote.
type Overview struct {
	// Week is the week's Monday in words ("11 January").
	Week string
	// Count is how many partnerships there are, WaitingOnYou how many of
	// them wait on the recipient.
	Count, WaitingOnYou int
	// Lines has one entry per partnership, those waiting on the
	// recipient first.
	Lines []OverviewLine
}

// OverviewLine is one partnership in a weekly overview.
type OverviewLine struct {
	// Partner is the partner's full name (a lead may have two Sams),
	// First their first name; Role is the recipient's own role: lead,
	// report or peer.
	Partner, First string
	Role           string
	// Stage says whose turn it is: answering, waiting-on-you,
	// waiting-on-partner, both-done, draft-waiting-on-you,
	// draft-waiting-on-partner or agreed; DraftRound is the drafting
	// round under way.
	Stage      string
	DraftRound int
	// Review is the number of the review under way, 0 for the first
	// questions; Mine and Theirs count the answers of each, of Total.
	Review              int
	Mine, Theirs, Total int
	// Version is the agreement in place, 0 before the first; NextReview
	// the day it is looked at again, in words.
	Version    int
	NextReview string
	// Paused and PartnerPaused say who is taking a break; the Until
	// fields say until when, in words (empty: until they resume).
	Paused             bool
	PausedUntil        string
	PartnerPaused      bool
	PartnerPausedUntil string
	// Checkins is where the check-ins stand: none, on, paused or
	// cancelled; CheckinsUntil is when a pause of them ends.
	Checkins      string
	CheckinsUntil string
	// Meetings are the week's check-ins in the recipient's time.
	Meetings []OverviewMeeting
}

// OverviewMeeting is one check-in of the week.
type OverviewMeeting struct {
	// When is the meeting's time in words ("Tuesday 12 January at
	// 10:00"); Was the time a moved meeting left.
	When, Was string
	// Status is on, moved, skipped or cancelled (by a pause).
	Status string
}
