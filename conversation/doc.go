// Package conversation is Accord's domain: partnerships between two people,
// the question set they answer, prompts, answers, the reveal-after-both rule,
// pacing and reminders in each person's time zone, and the partnership
// agreement built from their answers.
//
// The package is pure. It does no I/O, imports no other Accord package and
// never reads the wall clock: every operation takes the current time as a
// value and returns the outbound [Message] values it causes, which adapters
// turn into stored jobs and rendered mail. A [Partnership] is an aggregate: an
// adapter loads it, calls one operation, and saves it together with the
// messages in one transaction.
package conversation
