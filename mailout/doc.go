// Package mailout writes and delivers Accord's mail.
//
// [Dispatcher] renders the messages a state change causes, through the
// templates package and go-mail, and stores them in the outbox inside the
// transaction of the change, each with its own Message-ID, threaded per
// person and phase, and carrying the headers that keep autoresponders out.
// [Outbox] delivers stored messages over SMTP through [Sender], which keeps
// a few go-mail connections open and classifies every failure: temporary
// ones are retried with growing delays, permanent ones recorded (and
// counted against the address), and a refused login stops sending until it
// works again. The bytes sent are always the bytes first rendered.
package mailout
