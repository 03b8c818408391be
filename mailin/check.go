package mailin

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/emersion/go-imap/v2"
)

// MailboxReport is what CheckMailbox found out about the service mailbox.
type MailboxReport struct {
	// SignIn says how Accord signed in, such as "AUTHENTICATE XOAUTH2".
	SignIn string
	// Idle, Move and UIDPlus say whether the server has the capabilities
	// Accord works best with: it polls without IDLE and flags handled
	// mail instead of moving it without MOVE.
	Idle, Move, UIDPlus bool
	Messages            uint32
	// Folders lists the folders for handled mail, with "created" or
	// "found" for each.
	Folders map[string]string
}

// CheckMailbox does what the poller does before it reads mail, without
// reading any: connect, sign in, open the mailbox, and find or create the
// folders for handled mail. The error says which step failed and why.
func CheckMailbox(ctx context.Context, cfg IMAPConfig, tlsConfig *tls.Config, log *slog.Logger) (MailboxReport, error) {
	p := &Poller{Config: cfg, TLS: tlsConfig, Logger: log, Processor: &Processor{}}
	p.defaults()
	var r MailboxReport
	cn, err := p.dial(make(chan struct{}, 1))
	if err != nil {
		return r, err
	}
	defer cn.c.Close()
	if r.SignIn, err = p.login(cn); err != nil {
		return r, err
	}
	var sel *imap.SelectData
	if err := cn.do(func() (err error) { sel, err = cn.c.Select(p.Config.Mailbox, nil).Wait(); return err }); err != nil {
		return r, fmt.Errorf("open mailbox %q: %w", p.Config.Mailbox, err)
	}
	caps := cn.c.Caps()
	r.Idle, r.Move, r.UIDPlus, r.Messages = caps.Has(imap.CapIdle), caps.Has(imap.CapMove), caps.Has(imap.CapUIDPlus), sel.NumMessages
	r.Folders = map[string]string{}
	for _, name := range []string{p.Config.Processed, p.Config.Quarantine} {
		if name == "" {
			continue
		}
		exists := false
		if err := cn.do(func() error {
			list, err := cn.c.List("", name, nil).Collect()
			exists = len(list) > 0
			return err
		}); err != nil {
			return r, fmt.Errorf("look for folder %q: %w", name, err)
		}
		if exists {
			r.Folders[name] = "found"
			continue
		}
		if err := p.ensureMailbox(cn, name); err != nil {
			return r, err
		}
		r.Folders[name] = "created"
	}
	cn.do(cn.c.Logout().Wait)
	return r, nil
}

// WaitForMessage signs in and waits until a message with the given
// Message-ID is in the mailbox, for the plus-addressing check; then it
// deletes it. It returns how long that took.
func WaitForMessage(ctx context.Context, cfg IMAPConfig, tlsConfig *tls.Config, messageID string, within time.Duration) (time.Duration, error) {
	p := &Poller{Config: cfg, TLS: tlsConfig, Processor: &Processor{}}
	p.defaults()
	cn, err := p.dial(make(chan struct{}, 1))
	if err != nil {
		return 0, err
	}
	defer cn.c.Close()
	if _, err := p.login(cn); err != nil {
		return 0, err
	}
	start := time.Now()
	crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: messageID}}}
	// A running Accord may take the message in first (as its own mail
	// come back) and move it to the processed folder.
	folders := []string{p.Config.Mailbox}
	if p.Config.Processed != "" {
		folders = append(folders, p.Config.Processed)
	}
	for {
		for _, folder := range folders {
			if err := cn.do(func() error { _, err := cn.c.Select(folder, nil).Wait(); return err }); err != nil {
				continue // a processed folder that is not there yet
			}
			var res *imap.SearchData
			if err := cn.do(func() (err error) { res, err = cn.c.UIDSearch(crit, nil).Wait(); return err }); err != nil {
				return 0, fmt.Errorf("search %s: %w", folder, err)
			}
			if uids := res.AllUIDs(); len(uids) > 0 {
				took := time.Since(start)
				set := imap.UIDSetNum(uids...)
				if err := cn.do(cn.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close); err == nil &&
					cn.c.Caps().Has(imap.CapUIDPlus) {
					cn.do(cn.c.UIDExpunge(set).Close)
				}
				return took, nil
			}
		}
		if time.Since(start) > within {
			return 0, fmt.Errorf("it did not arrive within %s", within)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
