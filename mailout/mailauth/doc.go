// Package mailauth signs Accord in to its mailbox the way company mail
// servers require: with an OAuth 2.0 access token (SASL XOAUTH2, or
// OAUTHBEARER of RFC 7628) for IMAP and SMTP alike, or with a password.
//
// Tokens come from a [Source]: an application's client credentials
// (Microsoft 365 service mailboxes), a refresh token a person granted once
// with accord mail login (Microsoft 365 or Google mailboxes signed in as
// their user), or a Google service account with domain-wide delegation.
// The grants are golang.org/x/oauth2's. [Tokens] holds the current access
// token for the poller and the outbox together, replaces it before it
// expires or as soon as a server refuses it, and saves a refresh token
// the server rotated; when the grant is gone it says so in words an
// operator can act on ("run accord mail login again"). Nothing here logs
// or prints a token or a secret.
package mailauth
