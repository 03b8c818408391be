// Package mailout will write and deliver Accord's mail: rendering the
// messages the domain asks for into MIME with go-mail, calendar invitations
// for check-ins, and the outbox worker that delivers queued mail over SMTP
// with retries. Until it lands, messages wait as "mail" jobs in package
// store.
package mailout
