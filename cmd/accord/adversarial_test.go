package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver

	"accord/mailout/mailtest"
	"accord/store/storetest"
)

// TestAdversarial drives the accord binary on the test bed (PostgreSQL,
// Dovecot, Postfix) the way an attacker, a careless auto-responder and a
// bad day in operations treat it, one service per scenario, all at once,
// and prints what it measured. Figures are reported, not asserted: what
// is asserted is that nothing is lost, doubled, silenced or looped.
func TestAdversarial(t *testing.T) {
	t.Parallel()
	bin := buildAccord(t)
	var mu sync.Mutex
	var figures []string
	report := func(t *testing.T, format string, args ...any) {
		line := fmt.Sprintf("%-18s ", t.Name()[len("TestAdversarial/"):]) + fmt.Sprintf(format, args...)
		t.Log(line)
		mu.Lock()
		figures = append(figures, line)
		mu.Unlock()
	}
	t.Cleanup(func() {
		sort.Strings(figures)
		fmt.Printf("\nAdversarial suite, figures measured on this machine:\n  %s\n\n", strings.Join(figures, "\n  "))
	})
	for _, sc := range []struct {
		name string
		run  func(t *testing.T, bin string, report func(*testing.T, string, ...any))
	}{
		{"forged-bounce", advForgedBounce},
		{"echo-bot", advEchoBot},
		{"message-id", advMessageID},
		{"part-bomb", advPartBomb},
		{"smtp-outage", advSMTPOutage},
		{"database-outage", advDatabaseOutage},
		{"kill-restart", advKillRestart},
		{"three-instances", advThreeInstances},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, bin, report)
		})
	}
}

// adv is one scenario's service: its mailbox, its people's mailbox (each
// person an address people+name@), its own database, and the binary's
// environment.
type adv struct {
	t      *testing.T
	bin    string
	svc    mailtest.Account
	people mailtest.Account
	dbURL  string
	db     *sql.DB
	env    []string
}

func newAdv(t *testing.T, bin, name string) *adv {
	t.Helper()
	a := &adv{t: t, bin: bin, svc: mailtest.TestbedAccount(t, "accord-adv-"+name), people: mailtest.TestbedAccount(t, "adv-"+name)}
	for _, f := range []string{"INBOX", "Processed", "Quarantine"} {
		a.svc.ClearFolder(t, f)
	}
	a.people.Clear(t)
	a.dbURL = storetest.PostgresURL(t)
	db, err := sql.Open("postgres", a.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a.db = db
	a.env = append(testbedEnv(t, a.svc, a.dbURL), "ACCORD_INSTANCE_NAME=adv-"+name)
	runBinary(t, bin, a.env, "migrate")
	return a
}

// person is the address of someone in the scenario.
func (a *adv) person(name string) string {
	local, domain, _ := strings.Cut(a.people.Address, "@")
	return local + "+" + name + "@" + domain
}

// pair enrols two people of the scenario (or any addresses given whole).
func (a *adv) pair(lead, report string) {
	a.t.Helper()
	addr := func(s string) string {
		if strings.Contains(s, "@") {
			return s
		}
		return a.person(s)
	}
	runBinary(a.t, a.bin, a.env, "pair", "add", "--lead", "Lead <"+addr(lead)+">", "--report", "Report <"+addr(report)+">", "--tz", "Europe/Berlin")
}

// pairs enrols n pairs, lN and rN, in one import.
func (a *adv) pairs(n int) {
	a.t.Helper()
	var csv strings.Builder
	csv.WriteString("lead_name,lead_email,report_name,report_email\n")
	for i := range n {
		fmt.Fprintf(&csv, "Lead %d,%s,Report %d,%s\n", i, a.person(fmt.Sprint("l", i)), i, a.person(fmt.Sprint("r", i)))
	}
	path := filepath.Join(a.t.TempDir(), "pairs.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		a.t.Fatal(err)
	}
	runBinary(a.t, a.bin, a.env, "import", path)
}

// serve starts accord serve with extra environment and waits until it
// listens (not until it is ready: some scenarios start it into trouble).
func (a *adv) serve(extra ...string) *process {
	a.t.Helper()
	return startProcess(a.t, a.bin, append(slices.Clone(a.env), extra...), "serve")
}

// count runs a COUNT query.
func (a *adv) count(query string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.db.QueryRow(query, args...).Scan(&n); err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// outcomes counts the inbound log by outcome.
func (a *adv) outcomes() map[string]int {
	a.t.Helper()
	rows, err := a.db.Query(`SELECT outcome, COUNT(*) FROM inbound_log GROUP BY outcome`)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			a.t.Fatal(err)
		}
		out[o] = n
	}
	return out
}

// final counts inbound messages with a final outcome.
func (a *adv) final() int {
	return a.count(`SELECT COUNT(*) FROM inbound_log WHERE outcome <> 'pending'`)
}

// mailTo returns the messages in the people's mailbox addressed to addr.
func (a *adv) mailTo(addr string) [][]byte {
	a.t.Helper()
	var out [][]byte
	for _, raw := range a.people.Inbox(a.t) {
		if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
			if to, err := mail.ParseAddress(m.Header.Get("To")); err == nil && strings.EqualFold(to.Address, addr) {
				out = append(out, raw)
			}
		}
	}
	return out
}

// waitMail waits until addr has at least n messages and returns them.
func (a *adv) waitMail(addr string, n int, within time.Duration) [][]byte {
	a.t.Helper()
	var got [][]byte
	waitEvery(a.t, within, 200*time.Millisecond, fmt.Sprintf("%d mails to %s", n, addr), func() bool {
		got = a.mailTo(addr)
		return len(got) >= n
	})
	return got
}

// send hands a message to Postfix.
func (a *adv) send(from, to string, raw []byte) {
	a.t.Helper()
	if err := smtp.SendMail(a.svc.SMTPAddr, nil, from, []string{to}, raw); err != nil {
		a.t.Fatalf("Postfix refused mail from %s to %s: %v", from, to, err)
	}
}

// reply is what a person writes back to a mail from Accord, sent to its
// Reply-To through Postfix. id, when set, is the reply's Message-ID.
func (a *adv) reply(got []byte, text, id string) {
	a.t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(got))
	if err != nil {
		a.t.Fatal(err)
	}
	me, err1 := mail.ParseAddress(m.Header.Get("To"))
	rt, err2 := mail.ParseAddress(m.Header.Get("Reply-To"))
	if err2 != nil {
		rt, err2 = mail.ParseAddress(m.Header.Get("From"))
	}
	if err1 != nil || err2 != nil {
		a.t.Fatalf("a mail from Accord lacks To or Reply-To: %v %v", err1, err2)
	}
	a.send(me.Address, rt.Address, replyBytes(me.Address, rt.Address, m.Header.Get("Subject"), m.Header.Get("Message-Id"), text, id))
}

var advSeq struct {
	sync.Mutex
	n int
}

func replyBytes(from, to, subject, parent, text, id string) []byte {
	if id == "" {
		advSeq.Lock()
		advSeq.n++
		id = fmt.Sprintf("<adv-%d-%d@example.test>", advSeq.n, time.Now().UnixNano())
		advSeq.Unlock()
	}
	return fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: %s\r\nIn-Reply-To: %s\r\nReferences: %s\r\nDate: %s\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nOn a weekday, Accord <%s> wrote:\r\n> Reply to this email with your answer.\r\n",
		from, to, subject, id, parent, parent, time.Now().Format(time.RFC1123Z), text, to)
}

// answers counts the answers stored for an address.
func (a *adv) answers(addr string) int {
	return a.count(`SELECT COUNT(*) FROM answers an JOIN participants pt ON pt.id = an.participant_id
		JOIN people pe ON pe.id = pt.person_id WHERE pe.email = $1`, strings.ToLower(addr))
}

// ids runs a query that returns ids.
func (a *adv) ids(query string) []int64 {
	a.t.Helper()
	rows, err := a.db.Query(query)
	if err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			a.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// errorLines counts ERROR lines in a process's log.
func errorLines(p *process) int { return strings.Count(p.stderr.String(), "level=ERROR") }

// advForgedBounce: forged delivery reports about a person, sent by anyone,
// change nothing; the real report Postfix writes when a mailbox is gone,
// which comes back to the message's own envelope sender, marks that
// address bouncing.
func advForgedBounce(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "bounce")
	kim := a.person("kim")
	a.pair(kim, "gone@example.test")
	p := a.serve()
	welcome := a.waitMail(kim, 1, time.Minute)[0]
	var goneWelcome string
	waitEvery(t, time.Minute, 200*time.Millisecond, "the bounced welcome to be reported", func() bool {
		goneWelcome = ""
		a.db.QueryRow(`SELECT message_id FROM outbox WHERE recipient = 'gone@example.test' AND state = 'failed' AND last_error LIKE 'bounced%'`).Scan(&goneWelcome)
		return goneWelcome != ""
	})
	forged := []struct{ to, rcpt, original string }{
		{a.svc.Address, kim, ""},
		{a.svc.Address, kim, "<made-up@example.test>"},
		{a.svc.Address, kim, goneWelcome},
		{strings.Replace(a.svc.Address, "@", "+b-aaaaaaaaaaaaaaaaaaaaaaaaaa@", 1), kim, ""},
		{strings.Replace(a.svc.Address, "@", "+b-aaaaaaaaaaaaaaaaaaaaaaaaaa@", 1), kim, "<made-up-too@example.test>"},
	}
	before := a.final()
	for i, f := range forged {
		raw := fmt.Appendf(nil, "From: Mail Delivery System <MAILER-DAEMON@mx.elsewhere.example>\r\nTo: %s\r\nSubject: Undelivered Mail Returned to Sender\r\n"+
			"Message-ID: <forged-%d-%d@mx.elsewhere.example>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: multipart/report; report-type=delivery-status; boundary=\"f\"\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\nGone.\r\n"+
			"--f\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.elsewhere.example\r\n\r\nFinal-Recipient: rfc822; %s\r\n"+
			"Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n"+
			"--f\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Accord <%s>\r\nTo: %s\r\nMessage-ID: %s\r\n\r\n--f--\r\n",
			f.to, i, time.Now().UnixNano(), f.rcpt, a.svc.Address, f.rcpt, f.original)
		a.send("", f.to, raw)
	}
	waitEvery(t, time.Minute, 200*time.Millisecond, "the forged reports to be recorded", func() bool { return a.final() >= before+len(forged) })
	counted := a.count(`SELECT COUNT(*) FROM people WHERE email = $1 AND (hard_bounces > 0 OR bouncing_since IS NOT NULL)`, kim)
	unmatched := a.count(`SELECT COUNT(*) FROM inbound_log WHERE outcome = 'unmatched-bounce'`)
	if counted != 0 {
		t.Errorf("forged reports counted against %s", kim)
	}
	if gone := a.count(`SELECT COUNT(*) FROM people WHERE email = 'gone@example.test' AND bouncing_since IS NOT NULL`); gone != 1 {
		t.Errorf("the real report did not mark gone@ bouncing")
	}
	// Kim is not silenced: her reply gets her next question.
	a.reply(welcome, "We already trust each other with hard calls.", "")
	a.waitMail(kim, 2, time.Minute)
	report(t, "forged reports %d: %d counted, %d recorded as unmatched; the real Postfix report matched by its envelope and marked gone@ bouncing; %s still gets mail",
		len(forged), counted, unmatched, kim)
	p.terminate()
}

// advEchoBot: two auto-responders without any header answer every mail
// they get for as long as mail comes: one with the same words every time,
// one whose words change. Neither loops.
func advEchoBot(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "echo")
	same, changing := a.person("same"), a.person("changing")
	a.pair(same, "sam")
	a.pair(changing, "lee")
	p := a.serve()
	const canned = "Thank you for your message. I am away from the office until 4 January with no access to email. For anything urgent please call the front desk."
	bots := []struct {
		addr string
		text func(n int) string
	}{
		{same, func(int) string { return canned }},
		{changing, func(n int) string {
			return fmt.Sprintf("Auto-acknowledgement %d: we received your message and will get back to you.", n)
		}},
	}
	received := make([]int, len(bots))
	var wg sync.WaitGroup
	for i, b := range bots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answered := 0
			last := time.Now()
			// Answer every new mail until none has come for 20 s.
			for time.Since(last) < 20*time.Second {
				got := a.mailTo(b.addr)
				for ; answered < len(got); answered++ {
					a.reply(got[answered], b.text(answered), "")
					last = time.Now()
				}
				time.Sleep(300 * time.Millisecond)
			}
			received[i] = answered
		}()
	}
	wg.Wait()
	stored := []int{a.answers(same), a.answers(changing)}
	paused := a.count(`SELECT COUNT(*) FROM participants pt JOIN people pe ON pe.id = pt.person_id WHERE pe.email = $1 AND pt.status = 'paused'`, same)
	held := a.count(`SELECT COUNT(*) FROM outbox WHERE last_error LIKE 'not sent:%'`)
	if stored[0] > 1 || paused != 1 {
		t.Errorf("the same-words bot had %d replies stored and is paused %d times; want at most 1 stored, paused", stored[0], paused)
	}
	// Mail after the welcome, which any person gets.
	received[0]--
	received[1]--
	if received[0] > 3 {
		t.Errorf("the same-words bot got %d mails after its welcome, want at most 3", received[0])
	}
	// A person answering every question gets 16 mails after the welcome
	// (15 questions and the note that all is done); the budget lets at
	// most 4 notices go beyond that.
	if received[1] > 16+4 {
		t.Errorf("the changing-words bot got %d mails after its welcome, want at most 20", received[1])
	}
	if n := p.metric("accord_auto_responders_total"); n != 1 {
		t.Errorf("accord_auto_responders_total = %v, want 1", n)
	}
	report(t, "same-words bot: %d mails after its welcome, %d reply stored, paused; changing-words bot: %d mails, %d stored, %d mails held back by the budget (a person answering everything gets 16)",
		received[0], stored[0], received[1], stored[1], held)
	p.terminate()
}

// advMessageID: a stranger who sends a mail under someone's future
// Message-ID first decides nothing about the real reply.
func advMessageID(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "mid")
	kim := a.person("kim")
	a.pair(kim, "lee")
	p := a.serve()
	welcome := a.waitMail(kim, 1, time.Minute)[0]
	id := fmt.Sprintf("<taken-%d@example.test>", time.Now().UnixNano())
	stranger := fmt.Appendf(nil, "From: mallory@elsewhere.example\r\nTo: %s\r\nSubject: hello\r\nMessage-ID: %s\r\n\r\nI was here first.\r\n", a.svc.Address, id)
	a.send("mallory@elsewhere.example", a.svc.Address, stranger)
	waitEvery(t, time.Minute, 200*time.Millisecond, "the stranger's mail to be recorded", func() bool { return a.final() >= 1 })
	m, _ := mail.ReadMessage(bytes.NewReader(welcome))
	rt, _ := mail.ParseAddress(m.Header.Get("Reply-To"))
	a.send(kim, rt.Address, replyBytes(kim, rt.Address, m.Header.Get("Subject"), m.Header.Get("Message-Id"), "The real answer, under the same Message-ID.", id))
	waitEvery(t, time.Minute, 200*time.Millisecond, "the real reply to be recorded", func() bool { return a.final() >= 2 })
	o := a.outcomes()
	if o["answer"] != 1 || o["quarantined"] != 0 || a.answers(kim) != 1 {
		t.Errorf("outcomes %v, %d answers stored; want the stranger rejected and the real reply stored", o, a.answers(kim))
	}
	report(t, "a stranger's mail under a participant's future Message-ID: %d rejected; the real reply: %d answer stored, %d quarantined", o["rejected"], a.answers(kim), o["quarantined"])
	p.terminate()
}

// advPartBomb: a message of 120,000 tiny parts, under the size limit, gets
// its outcome promptly and costs little memory; the next reply flows.
func advPartBomb(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "bomb")
	kim := a.person("kim")
	a.pair(kim, "lee")
	p := a.serve()
	welcome := a.waitMail(kim, 1, time.Minute)[0]
	m, _ := mail.ReadMessage(bytes.NewReader(welcome))
	rt, _ := mail.ParseAddress(m.Header.Get("Reply-To"))
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <bomb-%d@example.test>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n", kim, rt.Address, m.Header.Get("Subject"), time.Now().UnixNano())
	for range 120_000 {
		b.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
	}
	b.WriteString("--x--\r\n")
	heap0 := p.metric("go_memstats_heap_inuse_bytes")
	peak := heap0
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if v := p.metric("go_memstats_heap_inuse_bytes"); v > peak {
				peak = v
			}
		}
	}()
	a.send(kim, rt.Address, b.Bytes())
	accepted := time.Now()
	waitEvery(t, 2*time.Minute, 20*time.Millisecond, "the part bomb's outcome", func() bool { return a.final() >= 1 })
	took := time.Since(accepted)
	close(stop)
	<-sampled
	var outcome, detail string
	a.db.QueryRow(`SELECT outcome, detail FROM inbound_log ORDER BY id LIMIT 1`).Scan(&outcome, &detail)
	a.reply(welcome, "A normal answer after the bomb.", "")
	waitEvery(t, time.Minute, 200*time.Millisecond, "the next reply", func() bool { return a.answers(kim) == 1 })
	report(t, "%d KB of 120,000 parts: %s (%s) %.1f s after Postfix took it, including Dovecot's delivery; heap in use peaked %.0f MB above idle; the next reply was stored",
		b.Len()>>10, outcome, detail, took.Seconds(), (peak-heap0)/(1<<20))
	p.terminate()
}

// advSMTPOutage: Postfix goes away for 20 s with 100 mails waiting: /readyz
// says SMTP is not ready, the outage is logged once, and every mail goes
// out within seconds of its return.
func advSMTPOutage(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "smtp")
	px := newProxy(t, a.svc.SMTPAddr)
	p := a.serve("ACCORD_SMTP_URL=smtp://" + px.addr())
	waitEvery(t, time.Minute, 50*time.Millisecond, "serve to be ready", func() bool { code, _ := p.get("/readyz"); return code == http.StatusOK })
	px.setDown(true)
	down := time.Now()
	a.pairs(50)
	var notReady time.Duration
	waitEvery(t, time.Minute, 50*time.Millisecond, "/readyz to say smtp is not ready", func() bool {
		code, body := p.get("/readyz")
		if code == http.StatusServiceUnavailable && strings.Contains(body, "cannot connect") {
			notReady = time.Since(down)
			return true
		}
		return false
	})
	for time.Since(down) < 20*time.Second {
		time.Sleep(200 * time.Millisecond)
	}
	errorsDuring := errorLines(p)
	attempts := a.count(`SELECT COALESCE(SUM(attempts), 0) FROM outbox`)
	px.setDown(false)
	back := time.Now()
	var first time.Duration
	waitEvery(t, 2*time.Minute, 50*time.Millisecond, "the 100 welcomes to be sent", func() bool {
		sent := a.count(`SELECT COUNT(*) FROM outbox WHERE state = 'sent'`)
		if sent > 0 && first == 0 {
			first = time.Since(back)
		}
		return sent >= 100
	})
	all := time.Since(back)
	waitEvery(t, time.Minute, 50*time.Millisecond, "/readyz to recover", func() bool { code, _ := p.get("/readyz"); return code == http.StatusOK })
	if attempts != 0 {
		t.Errorf("the outage used up %d delivery attempts, want none", attempts)
	}
	report(t, "Postfix away 20 s with 100 mails queued: /readyz said smtp not ready after %.1f s; %d ERROR lines in the log during the outage; attempts used %d; first mail out %.1f s after Postfix came back, all 100 after %.1f s",
		notReady.Seconds(), errorsDuring, attempts, first.Seconds(), all.Seconds())
	p.terminate()
}

// advDatabaseOutage: PostgreSQL goes away for 20 s while a reply waits,
// then the mailbox server does: each outage is logged when it starts and
// ends, and the reply that waited is stored within seconds of the return.
func advDatabaseOutage(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "db")
	kim := a.person("kim")
	a.pair(kim, "lee")
	host := strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(a.dbURL, "postgres://"), "/", 2)[0], "postgres@")
	db := newProxy(t, host)
	imapProxy := newProxy(t, a.svc.IMAPAddr)
	p := a.serve("ACCORD_DATABASE_URL="+strings.Replace(a.dbURL, host, db.addr(), 1),
		fmt.Sprintf("ACCORD_IMAP_URL=imap+starttls://%s@%s/INBOX", a.svc.Address, imapProxy.addr()))
	welcome := a.waitMail(kim, 1, time.Minute)[0]
	waitEvery(t, time.Minute, 50*time.Millisecond, "serve to be ready", func() bool { code, _ := p.get("/readyz"); return code == http.StatusOK })
	outage := func(px *proxy, got []byte, text string, stored int) (logged int, resumed time.Duration) {
		before := errorLines(p) + strings.Count(p.stderr.String(), "level=WARN")
		px.setDown(true)
		down := time.Now()
		a.reply(got, text, "")
		for time.Since(down) < 20*time.Second {
			time.Sleep(200 * time.Millisecond)
		}
		logged = errorLines(p) + strings.Count(p.stderr.String(), "level=WARN") - before
		px.setDown(false)
		back := time.Now()
		waitEvery(t, time.Minute, 50*time.Millisecond, "the reply to be stored after the outage", func() bool { return a.answers(kim) == stored })
		return logged, time.Since(back)
	}
	dbLogged, dbResumed := outage(db, welcome, "Written while the database was away.", 1)
	question := a.waitMail(kim, 2, time.Minute)[1]
	imapLogged, imapResumed := outage(imapProxy, question, "Written while the mailbox server was away.", 2)
	report(t, "PostgreSQL away 20 s: %d WARN and ERROR lines, the reply that waited stored %.1f s after its return; IMAP away 20 s: %d lines, the reply stored %.1f s after",
		dbLogged, dbResumed.Seconds(), imapLogged, imapResumed.Seconds())
	p.terminate()
}

// advKillRestart: serve is killed with SIGKILL while it drains 200 replies
// and started again under its instance name: it takes back what it held
// at once; nothing is lost or stored twice.
func advKillRestart(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "kill")
	a.pairs(25)
	p := a.serve()
	var welcomes [][]byte
	waitEvery(t, 2*time.Minute, 200*time.Millisecond, "the 50 welcomes", func() bool { welcomes = a.people.Inbox(t); return len(welcomes) >= 50 })
	p.terminate()
	leads := map[string][]byte{}
	for _, w := range welcomes {
		m, _ := mail.ReadMessage(bytes.NewReader(w))
		if to, err := mail.ParseAddress(m.Header.Get("To")); err == nil && strings.Contains(to.Address, "+l") {
			leads[to.Address] = w
		}
	}
	const replies = 200
	n := 0
	for n < replies {
		for _, w := range leads {
			if n == replies {
				break
			}
			a.reply(w, fmt.Sprintf("Answer number %d, corrected as I go.", n), "")
			n++
		}
	}
	waitEvery(t, 2*time.Minute, 200*time.Millisecond, "the replies to reach the mailbox", func() bool { return a.svc.Count(t) >= replies })
	kills := 0
	var restart []time.Duration
	for kills < 3 {
		p = a.serve()
		target := a.final() + 40
		waitEvery(t, 2*time.Minute, 10*time.Millisecond, "some replies to be handled", func() bool { return a.final() >= min(target, replies) })
		if a.final() >= replies {
			p.terminate()
			break
		}
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
		kills++
		// What the dead process held: messages it had claimed and jobs
		// it was running, each under a lease of five minutes.
		held := a.ids(`SELECT id FROM inbound_log WHERE outcome = 'pending' AND locked_until IS NOT NULL
			UNION ALL SELECT -id FROM jobs WHERE state = 'running'`)
		started := time.Now()
		p = a.serve()
		waitEvery(t, 2*time.Minute, 20*time.Millisecond, "the work held at the kill to be done", func() bool {
			for _, id := range held {
				q := `SELECT COUNT(*) FROM inbound_log WHERE id = $1 AND outcome = 'pending'`
				if id < 0 {
					q, id = `SELECT COUNT(*) FROM jobs WHERE id = $1 AND state = 'running'`, -id
				}
				if a.count(q, id) > 0 {
					return false
				}
			}
			return true
		})
		restart = append(restart, time.Since(started))
		t.Logf("kill %d: %d messages and jobs were held by the killed process; done %.1f s after the restart", kills, len(held), time.Since(started).Seconds())
		p.terminate()
	}
	p = a.serve()
	waitEvery(t, 3*time.Minute, 200*time.Millisecond, "every reply to be handled", func() bool { return a.final() >= replies })
	p.terminate()
	o := a.outcomes()
	stored := a.count(`SELECT COUNT(*) FROM answers`)
	distinct := a.count(`SELECT COUNT(DISTINCT body) FROM answers`)
	if o["answer"] != replies || stored != replies || distinct != replies {
		t.Errorf("after %d kills: outcomes %v, %d answers (%d distinct); want %d of each", kills, o, stored, distinct, replies)
	}
	report(t, "%d replies, %d kill -9s: lost 0, duplicated %d; in-flight work done %s after each restart", replies, kills, stored-distinct, durations(restart))
}

// advThreeInstances: three instances share the database and the mailbox:
// 1,000 replies give 1,000 answers, and one copy of each in Processed.
func advThreeInstances(t *testing.T, bin string, report func(*testing.T, string, ...any)) {
	a := newAdv(t, bin, "multi")
	a.pairs(25)
	p := a.serve()
	var welcomes [][]byte
	waitEvery(t, 2*time.Minute, 200*time.Millisecond, "the 50 welcomes", func() bool { welcomes = a.people.Inbox(t); return len(welcomes) >= 50 })
	p.terminate()
	c := a.svc.Dial(t, nil)
	const replies = 1000
	for i := range replies {
		w := welcomes[i%len(welcomes)]
		m, _ := mail.ReadMessage(bytes.NewReader(w))
		me, _ := mail.ParseAddress(m.Header.Get("To"))
		rt, _ := mail.ParseAddress(m.Header.Get("Reply-To"))
		raw := replyBytes(me.Address, rt.Address, m.Header.Get("Subject"), m.Header.Get("Message-Id"), fmt.Sprintf("Answer number %d.", i), "")
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	var ps []*process
	for i := range 3 {
		ps = append(ps, a.serve(fmt.Sprintf("ACCORD_INSTANCE_NAME=adv-multi-%d", i)))
	}
	waitEvery(t, 5*time.Minute, 200*time.Millisecond, "1,000 outcomes", func() bool { return a.final() >= replies })
	took := time.Since(start)
	var moved [][]byte
	waitEvery(t, 3*time.Minute, 500*time.Millisecond, "the replies to be moved to Processed", func() bool {
		moved = folder(t, a.svc, "Processed")
		return len(moved) >= replies
	})
	reconnects := 0.0
	for _, p := range ps {
		reconnects += p.metric("accord_imap_reconnects_total")
		p.terminate()
	}
	copies := map[string]int{}
	for _, m := range moved {
		copies[string(advMsgID.Find(m))]++
	}
	doubled := 0
	for _, n := range copies {
		if n > 1 {
			doubled += n - 1
		}
	}
	stored := a.count(`SELECT COUNT(*) FROM answers`)
	if stored != replies || len(moved) != replies || doubled != 0 || reconnects != 0 {
		t.Errorf("%d answers, %d messages in Processed (%d extra copies), %v reconnects; want %d, %d, 0, 0", stored, len(moved), doubled, reconnects, replies, replies)
	}
	report(t, "3 instances, %d replies: %d answers, %d in Processed with %d extra copies, %v reconnects; drained in %.1f s", replies, stored, len(moved), doubled, reconnects, took.Seconds())
}

var advMsgID = regexp.MustCompile(`(?i)\nMessage-ID: *(<[^>\r\n]+>)`)

// folder reads every message of one of a's folders.
func folder(t *testing.T, a mailtest.Account, name string) [][]byte {
	t.Helper()
	c := a.Dial(t, nil)
	defer c.Close()
	if _, err := c.Select(name, nil).Wait(); err != nil {
		return nil
	}
	return mailtest.ReadFolder(t, c, name, a.Address)
}

func durations(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%.1f s", d.Seconds()))
	}
	if len(s) == 0 {
		return "(no kill landed mid-drain)"
	}
	return strings.Join(s, ", ")
}

// proxy forwards TCP connections to a server on loopback and can play an
// outage: while down, it ends every connection, open or new, at once.
type proxy struct {
	t      *testing.T
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	px := &proxy{t: t, ln: ln, target: target, conns: map[net.Conn]bool{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go px.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done; px.setDown(true) })
	return px
}

func (px *proxy) addr() string { return px.ln.Addr().String() }

func (px *proxy) serve(c net.Conn) {
	px.mu.Lock()
	if px.down {
		px.mu.Unlock()
		c.Close()
		return
	}
	px.mu.Unlock()
	up, err := net.Dial("tcp", px.target)
	if err != nil {
		c.Close()
		return
	}
	px.mu.Lock()
	if px.down {
		px.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	px.conns[c], px.conns[up] = true, true
	px.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
	px.mu.Lock()
	delete(px.conns, c)
	delete(px.conns, up)
	px.mu.Unlock()
}

// setDown starts or ends an outage.
func (px *proxy) setDown(down bool) {
	px.mu.Lock()
	defer px.mu.Unlock()
	px.down = down
	if down {
		for c := range px.conns {
			c.Close()
		}
		clear(px.conns)
	}
}
