// Package mailin will read replies from the service mailbox: an IMAP poller
// that fetches new mail without marking it read, MIME parsing, sorting
// human replies from auto-replies, bounces and calendar replies, extracting
// the words a person actually wrote, and routing each reply by its token to
// the prompt and person it answers. Nothing lives here yet; the storage it
// needs (reply tokens, the inbound log) is in package store.
package mailin
