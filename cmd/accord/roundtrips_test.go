package main

import (
	"database/sql"
	"fmt"
	"net/mail"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"accord/store/storetest"
)

// Per reply, in a burst of replies, the most PostgreSQL may be asked,
// counted from the reply's arrival to its next question accepted by the
// mail server and every job and mark after it: the claim of the reply,
// the one transaction that reads it, records the answer and queues the
// next question, and the mark that it was sent.
const (
	maxRoundTripsPerReply = 12
	maxCommitsPerReply    = 3
)

// TestRoundTripsPerReply runs serve on PostgreSQL behind a proxy that
// counts the protocol's round trips and commits, answers the first
// question of many partnerships in a burst, and holds what each reply cost
// the database, from its arrival to the next question accepted by the mail
// server and every job and mark after it, to a bound: the cost cannot
// creep back up unnoticed.
func TestRoundTripsPerReply(t *testing.T) {
	t.Parallel()
	const pairs = 30
	direct := storetest.PostgresURL(t)
	wire := storetest.NewWire(t, direct)
	c := newCLI(t)
	c.env["ACCORD_DATABASE_URL"] = wire.URL
	c.write("accord.toml", sandboxConfig)
	var csv strings.Builder
	csv.WriteString("lead_name,lead_email,report_name,report_email\n")
	for i := range pairs {
		fmt.Fprintf(&csv, "Lead %d,lead%d@example.com,Report %d,report%d@example.com\n", i, i, i, i)
	}
	c.ok("migrate")
	c.ok("import", c.write("pairs.csv", csv.String()))

	db, err := sql.Open("postgres", direct)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) int {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Everything that follows a reply is finished: its mail sent and
	// marked, every job that is due done.
	settled := func(sent int) bool {
		return count(`SELECT COUNT(*) FROM outbox WHERE state = 'sent'`) >= sent &&
			count(`SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'available' AND run_at <= now())`) == 0 &&
			count(`SELECT COUNT(*) FROM inbound_log WHERE outcome = 'pending'`) == 0
	}

	s := c.serve()
	var smtpAddr, imapAddr, pass string
	eventually(t, time.Minute, "the sandbox banner", func() bool {
		out := s.stdout.String()
		if m := bannerPass.FindStringSubmatch(out); m != nil {
			imapAddr, smtpAddr, pass = bannerIMAP.FindStringSubmatch(out)[1], bannerSMTP.FindStringSubmatch(out)[1], m[1]
			return true
		}
		return false
	})
	eventually(t, time.Minute, "the welcomes to be sent", func() bool { return settled(2 * pairs) })

	var replies [][]byte
	var senders []string
	for i := range pairs {
		lead := fmt.Sprintf("lead%d@example.com", i)
		msgs := inbox(t, imapAddr, lead, pass)
		if len(msgs) != 1 {
			t.Fatalf("%s has %d mails, want the welcome", lead, len(msgs))
		}
		w := msgs[0]
		rt, err := mail.ParseAddress(w.Header.Get("Reply-To"))
		if err != nil {
			t.Fatalf("welcome to %s: Reply-To: %v", lead, err)
		}
		replies = append(replies, fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <burst-%d@example.com>\r\n"+
			"In-Reply-To: %s\r\nDate: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"We say what worries us early, in a few words.\r\n\r\nOn Monday, Accord wrote:\r\n> the question\r\n",
			lead, rt.Address, w.Header.Get("Subject"), i, w.Header.Get("Message-Id"), time.Now().Format(time.RFC1123Z)))
		senders = append(senders, lead)
	}

	before := wire.Counts()
	for i, r := range replies {
		to, _ := mail.ParseAddress(strings.TrimPrefix(strings.Split(string(r), "\r\n")[1], "To: "))
		if err := smtp.SendMail(smtpAddr, nil, senders[i], []string{to.Address}, r); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 2*time.Minute, "every reply answered and its next question sent", func() bool {
		return count(`SELECT COUNT(*) FROM inbound_log WHERE outcome = 'answer'`) == pairs && settled(3*pairs)
	})
	d := wire.Counts().Sub(before)
	// Workers looking for due jobs and finding none cost the server per
	// second, not per reply: they are reported, not counted.
	perTrips, perCommits := float64(d.RoundTrips-d.Idle)/pairs, float64(d.Commits-d.Idle)/pairs
	t.Logf("%d replies: %.1f round trips and %.1f commits (%.1f of them only reads) per reply, besides %d empty looks for jobs; %d new connections; most run:\n%s",
		pairs, perTrips, perCommits, float64(d.Reads)/pairs, d.Idle, d.Connections, d.Top(12))
	if perTrips > maxRoundTripsPerReply {
		t.Errorf("%.1f round trips to PostgreSQL per reply, want at most %v", perTrips, maxRoundTripsPerReply)
	}
	if perCommits > maxCommitsPerReply {
		t.Errorf("%.1f commits per reply, want at most %v", perCommits, maxCommitsPerReply)
	}
	if d.Rollbacks > 0 {
		t.Errorf("%d transactions rolled back during a burst of plain answers", d.Rollbacks)
	}
}
