// Package memimap serves mailboxes from memory for the sandbox and the
// tests, on go-imap's in-memory server, with one correction: IDLE also
// reports mail that arrived just before it began.
//
// The in-memory server queues news of a change for each session and flushes
// it after each command, or during IDLE when a later change comes. Mail
// appended between the end of a command and the start of IDLE would stay
// queued until the next change to the mailbox, and a client waiting in IDLE
// would not hear of it. Here IDLE flushes the queue when it starts and
// every few milliseconds while it lasts.
package memimap

import (
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// recheck bounds how late news of mail that raced IDLE can be.
const recheck = 50 * time.Millisecond

// Server holds the users and hands out sessions for connections.
type Server struct {
	mu    sync.Mutex
	users map[string]*imapmemserver.User
	// refuseMoves is how many MOVE commands are still to be refused.
	refuseMoves int
}

// RefuseMoves makes the next n MOVE commands fail with NO [EXPUNGEISSUED]
// and move nothing, as Dovecot answers a session that asks to move mail
// another session has just expunged.
func (s *Server) RefuseMoves(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseMoves = n
}

// Move moves messages, unless the server was told to refuse it.
func (sess *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	sess.srv.mu.Lock()
	refuse := sess.srv.refuseMoves > 0
	if refuse {
		sess.srv.refuseMoves--
	}
	sess.srv.mu.Unlock()
	if refuse {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: "EXPUNGEISSUED", Text: "Some of the requested messages no longer exist"}
	}
	return sess.UserSession.Move(w, numSet, dest)
}

// New returns a server without users.
func New() *Server {
	return &Server{users: map[string]*imapmemserver.User{}}
}

// NewUser adds a user with an empty INBOX.
func (s *Server) NewUser(username, password string) *imapmemserver.User {
	u := imapmemserver.NewUser(username, password)
	u.Create("INBOX", nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[username] = u
	return u
}

// NewSession returns a session for a new connection.
func (s *Server) NewSession() imapserver.Session {
	return &session{srv: s}
}

// session is a connection: logged out until Login sets UserSession.
type session struct {
	*imapmemserver.UserSession
	srv *Server
}

// Login checks the user's password and opens their mailboxes.
func (sess *session) Login(username, password string) error {
	sess.srv.mu.Lock()
	u := sess.srv.users[username]
	sess.srv.mu.Unlock()
	if u == nil {
		return imapserver.ErrAuthFailed
	}
	if err := u.Login(username, password); err != nil {
		return err
	}
	sess.UserSession = imapmemserver.NewUserSession(u)
	return nil
}

// Idle waits for changes like the in-memory session does, but flushes the
// queued news before each wait and restarts the wait regularly, so nothing
// queued before it began stays unreported.
func (sess *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	for {
		if err := sess.Poll(w, true); err != nil {
			return err
		}
		pause := make(chan struct{})
		done := make(chan error, 1)
		go func() { done <- sess.UserSession.Idle(w, pause) }()
		select {
		case <-stop:
			close(pause)
			return <-done
		case err := <-done:
			return err
		case <-time.After(recheck):
			close(pause)
			if err := <-done; err != nil {
				return err
			}
		}
	}
}
