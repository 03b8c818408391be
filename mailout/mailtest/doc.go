// Package mailtest provides test doubles for Accord's mail adapters: a
// scripted, recording SMTP server and (separately) a headless-browser check
// for HTML mail.
package mailtest
