package conversation

import "time"

// MessageKind names a mail Accord means to send. Rendering is not done here:
// a message says what to tell whom, templates say how.
type MessageKind string

// The kinds of outbound message.
const (
	// MsgWelcome explains how Accord works and asks the first question.
	MsgWelcome MessageKind = "welcome"
	// MsgQuestion asks the next question (or asks again after a pause).
	MsgQuestion MessageKind = "question"
	// MsgReminder gently repeats an unanswered question.
	MsgReminder MessageKind = "reminder"
	// MsgWaiting tells a person who has answered everything that their
	// partner is still going.
	MsgWaiting MessageKind = "waiting"
	// MsgDraft shows the drafting round's statements to one of the two,
	// to agree to, change, drop or add to by reply (see Draft).
	MsgDraft MessageKind = "draft"
	// MsgAgreement carries an agreement version.
	MsgAgreement MessageKind = "agreement"
	// MsgReceipt echoes an answer that no other mail is about to carry.
	MsgReceipt MessageKind = "receipt"
	// MsgAck confirms a command (see the message's Notes).
	MsgAck MessageKind = "ack"
	// MsgHelp explains the reply commands and where the person stands.
	MsgHelp MessageKind = "help"
	// MsgPartnerLeft tells a person, politely, that their partner stopped.
	MsgPartnerLeft MessageKind = "partner-left"
	// MsgEnded tells a person the operator closed the partnership.
	MsgEnded MessageKind = "ended"
	// MsgScheduleAsk asks the lead when the pair should meet.
	MsgScheduleAsk MessageKind = "schedule-ask"
	// MsgCalendar carries a check-in invitation, update or cancellation.
	MsgCalendar MessageKind = "calendar"
	// MsgPrep asks a person to prepare for the next check-in.
	MsgPrep MessageKind = "prep"
	// MsgAgenda is the shared agenda, an hour before a check-in.
	MsgAgenda MessageKind = "agenda"
	// MsgFollowUp asks for the decisions and action items of a check-in.
	MsgFollowUp MessageKind = "follow-up"
	// MsgDeclined tells a person their partner declined a check-in.
	MsgDeclined MessageKind = "declined"
	// MsgReviewOpen opens a periodic review: the current agreement and the
	// first review question.
	MsgReviewOpen MessageKind = "review"
	// MsgDigest sums up a quarter once its review has built a new version.
	MsgDigest MessageKind = "digest"
	// MsgExport carries the partnership's agreement history as an
	// attachment.
	MsgExport MessageKind = "export"
)

// NoteKind is an acknowledgement that rides along with a message.
type NoteKind string

// The notes.
const (
	NoteSkipped  NoteKind = "skipped"
	NotePaused   NoteKind = "paused"
	NoteResumed  NoteKind = "resumed"
	NoteStopped  NoteKind = "stopped"
	NoteNotPause NoteKind = "not-paused"
	// NoteUnclear explains that a reply could not be acted on; Problem
	// says why.
	NoteUnclear NoteKind = "unclear"
	// NoteLanguage confirms that Accord writes to the person in their
	// new language, the language of the mail it rides on.
	NoteLanguage NoteKind = "language"
	// NoteKept confirms a reply was kept for the next review of the agreement.
	NoteKept NoteKind = "kept"
	// NotePrepKept and NoteFollowUpKept thank a person for their check-in
	// notes.
	NotePrepKept     NoteKind = "prep-kept"
	NoteFollowUpKept NoteKind = "follow-up-kept"
	// NoteAutoPaused tells a person that Accord paused itself for them
	// because their replies looked like an auto-responder's.
	NoteAutoPaused NoteKind = "auto-paused"
	// NoteDidYouMean asks whether a reply that reads like a mistyped
	// command meant the command in Text; nothing of it was kept.
	NoteDidYouMean NoteKind = "did-you-mean"
	// NoteAside says a short note about another reply was not kept as an
	// answer.
	NoteAside NoteKind = "aside"
	// NoteEarlier says an answer went to an earlier question than the
	// current one, and which answer it replaced (Previous), if any.
	NoteEarlier NoteKind = "earlier"
	// NoteUndone confirms an undo: Answer was taken back, Previous stands
	// again, Seen says whether the partner had seen it already, Reopened
	// that the question is the current one again.
	NoteUndone NoteKind = "undone"
	// NoteNothingToUndo answers an undo with nothing left to take back.
	NoteNothingToUndo NoteKind = "nothing-to-undo"
	// NoteUndoTooLate answers an undo of an answer an agreement holds.
	NoteUndoTooLate NoteKind = "undo-too-late"
	// NoteStopAsked asks a person who replied stop to confirm it by Until.
	NoteStopAsked NoteKind = "stop-asked"
	// NoteRejoined welcomes back a person who left; NotePartnerBack tells
	// their partner.
	NoteRejoined    NoteKind = "rejoined"
	NotePartnerBack NoteKind = "partner-back"
	// NotePartnerPaused tells a person their partner is taking a break,
	// until Until (zero: until they come back).
	NotePartnerPaused NoteKind = "partner-paused"
	// NoteClash refuses a check-in time that overlaps another check-in of
	// one of the two (see Clash).
	NoteClash NoteKind = "clash"
	// NoteOffHours refuses a check-in time outside someone's working
	// hours (see OffHours).
	NoteOffHours NoteKind = "off-hours"
	// NoteRewritten confirms a rewrite (see Partnership.Rewrite): Answer
	// holds the new words, Previous the ones they replace.
	NoteRewritten NoteKind = "rewritten"
	// NoteRewriteUnknown, NoteRewriteEmpty and NoteRewriteClosed refuse a
	// reply with rewrites (see RewriteError): no topic has Number, no
	// words followed it, or no review is open.
	NoteRewriteUnknown NoteKind = "rewrite-unknown"
	NoteRewriteEmpty   NoteKind = "rewrite-empty"
	NoteRewriteClosed  NoteKind = "rewrite-closed"
	// NoteDraftNoted confirms a reply to a draft round that waits for the
	// partner's: Number statements still need the person's word, Draft
	// is the round.
	NoteDraftNoted NoteKind = "draft-noted"
	// NoteDraftUnclear refuses a reply to a draft that cannot be carried
	// out (see DraftError); nothing of it was recorded.
	NoteDraftUnclear NoteKind = "draft-unclear"
	// NoteDraftOldRound refuses a reply to the mail of round Number when
	// the draft has moved on to a newer round (Draft), whose numbers
	// differ; NoteDraftClosed one that came after drafting ended.
	NoteDraftOldRound NoteKind = "draft-old-round"
	NoteDraftClosed   NoteKind = "draft-closed"
	// NoteNoAgreementYet answers a request for the agreement before
	// there is one.
	NoteNoAgreementYet NoteKind = "no-agreement-yet"
	// NoteKeptUnclear refuses a reply to "did we keep this?" (see
	// KeptError); nothing of it was recorded.
	NoteKeptUnclear NoteKind = "kept-unclear"
)

// Note acknowledges something the person (or the operator) did.
type Note struct {
	Kind NoteKind
	// Until is the end of a pause (zero for an open-ended one), the last
	// moment to confirm a stop, or to come back after one.
	Until time.Time
	// ByOperator marks changes the organiser made rather than the person.
	ByOperator bool
	// Text is the command a did-you-mean note suggests.
	Text string
	// Problem is why an unclear note's reply could not be acted on.
	Problem *Problem
	// Answer is the answer a note about answers is about; Previous the
	// person's earlier answer to the same question, if any.
	Answer, Previous *Answer
	// Seen marks an undone answer the partner had already seen.
	Seen bool
	// Reopened marks an undo that made the question the current one
	// again.
	Reopened bool
	// Clash is the clash a clash note is about, OffHours the meeting an
	// off-hours note refuses.
	Clash    *Clash
	OffHours *OffHours
	// Number is the agreement topic a refused rewrite named, or how many
	// statements of a draft still need the person's word.
	Number int
	// Draft is the drafting round a draft note is about; DraftError what
	// was wrong with a refused reply to it.
	Draft      *Draft
	DraftError *DraftReplyError
	// KeptError is what was wrong with a refused reply to "did we keep
	// this?".
	KeptError *KeptError
}

// Message is one mail to one participant, as the domain sees it.
type Message struct {
	Kind MessageKind
	To   *Participant
	// At is when the message was composed.
	At time.Time
	// Prompt is the question a welcome, question or reminder asks; replies
	// to the mail are routed back to it.
	Prompt *Prompt
	// Reminder is 1 for the first reminder, 2 for the second, and so on.
	Reminder int
	// Resent marks a question that went out before, sent again after a pause.
	Resent bool
	Notes  []Note
	// Receipts echo the recipient's own recorded answers.
	Receipts []*Answer
	// UndoGrace is how much of the newest receipt's grace is left when
	// the message is composed: an undo within it means the partner never
	// sees that answer. Zero when none is left.
	UndoGrace time.Duration
	// Reveals are the partner's answers the recipient may now see.
	Reveals   []*Answer
	Agreement *Agreement
	// Calendar is the invitation, update or cancellation a check-in
	// message carries.
	Calendar *CalendarChange
	// Occurrence is the meeting a prep, agenda, follow-up or decline is
	// about.
	Occurrence *Occurrence
	// Priorities marks a prep that also asks about the coming months.
	Priorities bool
	// From is the partner whose action the message reports (a decline).
	From *Participant
	// RejoinBy is, on a partner-left message, until when the partner who
	// left may still come back.
	RejoinBy time.Time
	// Review is the review a review question, waiting note or digest
	// belongs to.
	Review *Review
	// Digest is what a digest reports.
	Digest *Digest
	// Draft is the drafting round a draft message shows.
	Draft *Draft
	// OnDemand marks an agreement sent again because the person asked
	// for it, rather than a new version.
	OnDemand bool
}
