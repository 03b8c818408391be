// Package mailin reads replies from the service mailbox and turns each one
// into exactly one recorded outcome.
//
// [Poller] keeps up with an IMAP mailbox (IDLE where offered, polling
// otherwise), fetches everything above the mailbox's checkpoint without
// marking it read, and acknowledges a message on the server (moving it to a
// Processed folder, or flagging it) only after its outcome is committed.
// [Processor] claims each message in the inbound log, whose unique keys
// make several pollers and repeated fetches safe, then classifies it
// (package classify), works out who wrote it and what it answers from the
// reply token, our Message-IDs or the sender (checking the From address
// every time), extracts what the person wrote (package reply), and applies
// it to their partnership in the same transaction that records the
// outcome. Mail that keeps failing is quarantined; the rest carries on.
package mailin
