// Package demo is accord demo: a sample pair, Dana Lee (lead, Berlin) and
// Sam Ortiz (report, New York), go from their welcome to a signed
// agreement, weeks of check-ins and a review signed again, answered by two
// simulated people the way real people write mail. Everything goes through
// the real service (the poller, the outbox, the scheduler's wake-ups) and
// a sandbox mail server inside the process, on a simulated clock, so two
// months pass in seconds and nothing leaves the machine. It prints who got
// what and what was recorded, and writes every message, each version of
// the agreement, the transcript, the database and the service's log into
// a folder. Run with Interactive it enrols the same pair in sandbox mode
// on the real clock, for a person to play both roles from a mail client.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/conversation"
	"accord/internal/config"
	"accord/internal/sandbox"
	"accord/internal/service"
	"accord/mailout"
	"accord/store"
	"accord/templates"
)

// Options are how the demo runs.
type Options struct {
	// Dir is the folder for the messages, agreements, transcript,
	// database and log; the files of an earlier demo in it are replaced,
	// nothing else is touched.
	Dir string
	// Speed is simulated hours per real second, to watch it unfold; 0
	// runs as fast as it can.
	Speed float64
	// Interactive runs the sample pair in sandbox mode on the real clock,
	// with no simulated people, until ctx ends.
	Interactive bool
	// Out is where the story is told (and, interactively, the sandbox's
	// addresses); nil discards it.
	Out io.Writer
	// Logger is the service's log when Interactive; a simulated run logs
	// to accord.log in Dir. nil discards it.
	Logger *slog.Logger
	// Lang is the language the sample pair read (see
	// templates.Languages); empty keeps people.default_language.
	Lang string
}

// Run runs the demo with cfg's pacing, questions and wording. It keeps its
// own database (in opts.Dir) and mail server whatever cfg names, and it
// reviews after four weeks unless cfg chose its own period.
func Run(ctx context.Context, cfg *config.Config, opts Options) error {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	// The demo keeps its own database and mail server whatever the
	// configuration names; pacing, questions and wording still apply.
	dc := *cfg
	dc.Database.URL = "sqlite:" + filepath.Join(opts.Dir, "accord.db")
	dc.IMAP.URL, dc.SMTP.URL = "", ""
	// One connection sends mail in the order it was queued, and one
	// worker reads replies in the order they arrived, so every run tells
	// the same story: with several workers, two people's replies at the
	// same moment could commit, and their next mail go out, either way
	// round.
	dc.SMTP.Connections = 1
	dc.Inbound.Workers = 1
	if opts.Lang != "" {
		dc.People.DefaultLanguage = opts.Lang
	}
	// Calendars want an organiser with a real domain; the sample people
	// live at example.com, and so does the demo's service.
	if dc.Mail.Address == config.DefaultServiceAddress {
		dc.Mail.Address = "accord@example.com"
	}
	// A quarter is a long time to simulate; the demo reviews after four
	// weeks unless the configuration chose its own period.
	if dc.Pacing.ReviewEveryWeeks == config.Default().Pacing.ReviewEveryWeeks {
		dc.Pacing.ReviewEveryWeeks = 4
	}
	if err := clearDir(opts.Dir); err != nil {
		return err
	}
	dana, sam, err := samplePair(dc.People.DefaultLanguage)
	if err != nil {
		return err
	}
	if opts.Interactive {
		return interactive(ctx, &dc, opts, dana, sam)
	}
	logFile, err := os.Create(filepath.Join(opts.Dir, "accord.log"))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer logFile.Close()
	transcript, err := os.Create(filepath.Join(opts.Dir, "transcript.txt"))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer transcript.Close()
	d := &demo{
		cfg: &dc, dir: opts.Dir, speed: opts.Speed,
		log:    slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo})),
		out:    io.MultiWriter(opts.Out, transcript),
		people: []*Person{dana, sam},
		clock:  &simClock{t: startAt},
		typed:  map[string]typedReply{},
		got:    map[*Person]bool{},
		digest: map[*Person]bool{},
	}
	return d.run(ctx)
}

// startAt is a Monday morning in Berlin.
var startAt = time.Date(2027, time.March, 1, 7, 30, 0, 0, time.UTC)

// writtenFiles are the files a demo writes, so an earlier run's are
// replaced.
var writtenFiles = []string{"[0-9][0-9][0-9][0-9]-*.eml", "agreement-v*.md", "agreement-v*.html",
	"transcript.txt", "accord.log", "accord.db", "accord.db-wal", "accord.db-shm", "accord.db-journal"}

// clearDir makes dir, or removes the files an earlier demo wrote there.
func clearDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, pattern := range writtenFiles {
		names, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, n := range names {
			if err := os.Remove(n); err != nil {
				return fmt.Errorf("%s: %w", templates.Operator("demo.clearing", nil), err)
			}
		}
	}
	return nil
}

// simClock is the simulated time; the demo moves it forward when nothing
// is left to do at the current moment.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// demo is one simulated run.
type demo struct {
	cfg   *config.Config
	dir   string
	speed float64
	log   *slog.Logger
	out   io.Writer
	clock *simClock

	people  []*Person
	st      *store.Store
	sb      *sandbox.Server
	mail    *service.Mail
	service string // the service's mailbox
	pid     int64

	mu       sync.Mutex
	arrived  []arrival // mail the sandbox delivered, not yet looked at
	problem  string    // an outbound result other than sent
	events   []event
	typed    map[string]typedReply // replies sent, by Message-ID
	sent     int                   // replies sent
	reported int64                 // the last inbound log row reported
	seq      int                   // files written
	got      map[*Person]bool      // who has received an agreement
	digest   map[*Person]bool      // who has received the review's digest
	versions int                   // agreement versions written
	// endAt is when the organiser ends the partnership, which cancels
	// the check-ins; ended says it happened.
	endAt    time.Time
	ended    bool
	day      string
	messages int
	wrong    int // answers not recorded as typed
}

type arrival struct {
	to  []string
	raw []byte
}

// event is a reply a person will send at a moment.
type event struct {
	at    time.Time
	who   *Person
	q     Message
	reply Reply
}

// typedReply is what a person sent, to compare with what was recorded.
type typedReply struct {
	who   *Person
	reply Reply
}

func (d *demo) printf(format string, args ...any) { fmt.Fprintf(d.out, format, args...) }

func (d *demo) run(ctx context.Context) error {
	began := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sb, err := sandbox.Start(sandbox.Options{Delivered: func(_ string, to []string, raw []byte) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.arrived = append(d.arrived, arrival{to, raw})
	}})
	if err != nil {
		return err
	}
	defer sb.Close()
	d.sb = sb
	if d.st, err = service.OpenStore(ctx, d.cfg, service.Options{Logger: d.log, Clock: d.clock}); err != nil {
		return err
	}
	defer d.st.Close()
	if err := d.enroll(ctx); err != nil {
		return err
	}
	if d.mail, err = service.BuildMail(d.cfg, d.st, sb, service.Options{Logger: d.log}); err != nil {
		return err
	}
	defer d.mail.Close()
	d.service = sandbox.MailboxOf(d.cfg.Mail.Address)
	d.mail.Outbox.OnResult = func(r string) {
		if r != "sent" {
			d.mu.Lock()
			d.problem = r
			d.mu.Unlock()
		}
	}
	polling := make(chan error, 1)
	go func() { polling <- d.mail.Poller.Run(ctx) }()
	defer func() { cancel(); <-polling }()

	scheduler := &store.Worker{Store: d.st, Name: "demo-scheduler", Handlers: map[string]store.Handler{store.KindWake: d.st.Wake}, Logger: d.log}
	mailer := d.mail.Outbox.Worker()
	d.intro()
	limit := startAt.Add(120 * 24 * time.Hour)
	for {
		if err := d.settle(ctx, scheduler, mailer); err != nil {
			return err
		}
		if d.digest[d.people[0]] && d.digest[d.people[1]] && d.ended && len(d.events) == 0 {
			break
		}
		next, err := d.next(ctx)
		if err != nil {
			return err
		}
		if next.IsZero() || next.After(limit) {
			return errors.New(templates.Operator("demo.no-digest", templates.Args{"Limit": limit.Format("2 January 2006"), "Log": filepath.Join(d.dir, "accord.log")}))
		}
		if err := d.wait(ctx, next); err != nil {
			return err
		}
		d.clock.set(next)
		if err := d.fire(ctx); err != nil {
			return err
		}
	}
	if d.wrong > 0 {
		return errors.New(templates.Operator("demo.not-as-typed", templates.Args{"Wrong": d.wrong}))
	}
	held, err := d.meetingsHeld(ctx)
	if err != nil {
		return err
	}
	d.printf("%s", templates.Operator("demo.done", templates.Args{"Seconds": time.Since(began).Seconds(),
		"Days": int(d.clock.Now().Sub(startAt).Hours()/24) + 1, "Messages": d.seq, "Version": d.versions, "Held": held}))
	d.printf("%s", templates.Operator("demo.files", templates.Args{"Dir": d.dir, "Agreement": filepath.Join(d.dir, fmt.Sprintf("agreement-v%d.md", d.versions))}))
	return nil
}

func (d *demo) enroll(ctx context.Context) (err error) {
	d.pid, err = enrollSample(ctx, d.cfg, d.st, d.people[0], d.people[1])
	return err
}

// enrollSample enrols the sample pair with the configured questions.
func enrollSample(ctx context.Context, cfg *config.Config, st *store.Store, lead, report *Person) (int64, error) {
	set, err := templates.LoadQuestionSet(cfg.Questions.File)
	if err != nil {
		return 0, err
	}
	id, err := st.Enroll(ctx, store.Enrollment{
		Kind: conversation.KindLeadReport,
		A:    store.EnrollPerson{Name: lead.Name, Email: lead.Email, TimeZone: lead.Zone},
		B:    store.EnrollPerson{Name: report.Name, Email: report.Email, TimeZone: report.Zone},
		Set:  set,
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", templates.Operator("demo.enrol", nil), err)
	}
	return id, nil
}

func (d *demo) intro() {
	dana, sam := d.people[0], d.people[1]
	d.printf("%s", templates.Operator("demo.intro", templates.Args{"Lead": dana.Name, "LeadZone": dana.Zone, "Report": sam.Name, "ReportZone": sam.Zone, "Dir": d.dir}))
}

// settle does everything due at the current moment: wakes partnerships,
// sends mail, lets the people read it and waits until the replies sent so
// far have been read and recorded.
func (d *demo) settle(ctx context.Context, scheduler, mailer *store.Worker) error {
	for {
		// Replies first, so the transcript shows what was recorded before
		// what it caused.
		recorded, err := d.recorded(ctx)
		if err != nil {
			return err
		}
		woke, err := scheduler.RunDue(ctx)
		if err != nil {
			return err
		}
		sent, err := mailer.RunDue(ctx)
		if err != nil {
			return err
		}
		if err := d.read(ctx); err != nil {
			return err
		}
		d.mu.Lock()
		problem := d.problem
		d.mu.Unlock()
		if problem != "" {
			return errors.New(templates.Operator("demo.undelivered", templates.Args{"Problem": problem, "Log": filepath.Join(d.dir, "accord.log")}))
		}
		if recorded+woke+sent > 0 {
			continue
		}
		next, err := d.st.NextJobAt(ctx)
		if err != nil {
			return err
		}
		if next.IsZero() || next.After(d.clock.Now()) {
			return nil
		}
	}
}

// next is the next moment anything happens: a job falls due or a person
// writes.
func (d *demo) next(ctx context.Context) (time.Time, error) {
	next, err := d.st.NextJobAt(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if len(d.events) > 0 && (next.IsZero() || d.events[0].at.Before(next)) {
		next = d.events[0].at
	}
	if !d.endAt.IsZero() && !d.ended && (next.IsZero() || d.endAt.Before(next)) {
		next = d.endAt
	}
	return next, nil
}

// meetingsHeld counts the check-ins that took place: started, not skipped.
func (d *demo) meetingsHeld(ctx context.Context) (int, error) {
	p, err := d.st.Load(ctx, d.pid)
	if err != nil || p.Checkin == nil {
		return 0, err
	}
	n := 0
	for _, o := range p.Checkin.Occurrences {
		if o.State != conversation.OccSkipped && !o.AgendaSentAt.IsZero() {
			n++
		}
	}
	return n, nil
}

// wait lets real time pass in proportion to simulated time when a speed
// is set, at most a few seconds per step so nights do not drag.
func (d *demo) wait(ctx context.Context, next time.Time) error {
	if d.speed == 0 {
		return nil
	}
	real := time.Duration(next.Sub(d.clock.Now()).Hours() / d.speed * float64(time.Second))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(min(real, 3*time.Second)):
		return nil
	}
}

var questionSubject = regexp.MustCompile(`(\d+)/(\d+) — `)

// read looks at the mail the sandbox delivered: files it, prints it, and
// lets the recipient decide how to answer.
func (d *demo) read(ctx context.Context) error {
	d.mu.Lock()
	arrived := d.arrived
	d.arrived = nil
	d.mu.Unlock()
	for _, m := range arrived {
		if len(m.to) == 0 || sandbox.MailboxOf(m.to[0]) == d.service {
			continue // a person's reply; filed when it was sent
		}
		who := d.person(m.to[0])
		env, err := enmime.ReadEnvelope(bytes.NewReader(m.raw))
		if err != nil {
			return fmt.Errorf("%s: %w", templates.Operator("demo.unreadable", nil), err)
		}
		q := Message{
			Subject:   env.GetHeader("Subject"),
			MessageID: strings.TrimSpace(env.GetHeader("Message-Id")),
			ReplyTo:   env.GetHeader("Reply-To"),
			Body:      env.Text,
			Received:  d.clock.Now(),
		}
		q.From = env.GetHeader("From")
		if q.ReplyTo == "" {
			q.ReplyTo = q.From
		}
		for _, part := range append(append(env.OtherParts, env.Inlines...), env.Attachments...) {
			if part.ContentType == "text/calendar" {
				q.Calendar = string(part.Content)
			}
		}
		q.Kind = "mail"
		var promptID int64
		if om, err := d.st.OutboxByMessageID(ctx, q.MessageID); err == nil {
			q.Kind, promptID = om.Kind, om.PromptID.Int64
		}
		if sm := questionSubject.FindStringSubmatch(q.Subject); sm != nil && q.Kind != "receipt" {
			q.Number, _ = strconv.Atoi(sm[1])
			// Whether it belongs to a review is what its question is,
			// whatever language its subject is in.
			q.Review = q.Kind == string(conversation.MsgReviewOpen) || d.reviewPrompt(ctx, promptID)
		}
		name := "unknown"
		if who != nil {
			name = strings.ToLower(conversation.FirstName(who.Name))
		}
		file := d.file(name, q.Kind, m.raw)
		d.line(fmt.Sprintf("Accord → %s", firstName(who, m.to[0])), fmt.Sprintf("%-12s %s", q.Kind, untagged(q.Subject)), file)
		if who == nil {
			continue
		}
		if q.Kind == string(conversation.MsgDigest) {
			d.digest[who] = true
			if d.digest[d.people[0]] && d.digest[d.people[1]] && d.endAt.IsZero() {
				// The demo pair stops two days after their digest.
				d.endAt = d.clock.Now().Add(48 * time.Hour)
			}
		}
		if q.Kind == string(conversation.MsgAgreement) {
			d.got[who] = true
			if err := d.writeAgreements(ctx); err != nil {
				return err
			}
		}
		for _, r := range who.react(q) {
			d.events = append(d.events, event{at: who.awake(q.Received.Add(r.After)), who: who, q: q, reply: r})
		}
	}
	slices.SortStableFunc(d.events, func(a, b event) int { return a.at.Compare(b.at) })
	return nil
}

// awake moves a moment in the night to the next morning: people answer
// mail between 07:30 and 22:00 where they live.
func (p *Person) awake(t time.Time) time.Time {
	lt := t.In(p.loc)
	switch {
	case lt.Hour() >= 22:
		lt = time.Date(lt.Year(), lt.Month(), lt.Day()+1, 7, 30, 0, 0, p.loc)
	case lt.Hour() < 7 || (lt.Hour() == 7 && lt.Minute() < 30):
		lt = time.Date(lt.Year(), lt.Month(), lt.Day(), 7, 30, 0, 0, p.loc)
	}
	return lt.UTC()
}

func (d *demo) person(addr string) *Person {
	for _, p := range d.people {
		if sandbox.MailboxOf(addr) == p.Email {
			return p
		}
	}
	return nil
}

func firstName(p *Person, addr string) string {
	if p == nil {
		return addr
	}
	return conversation.FirstName(p.Name)
}

// fire sends the replies that are due, and ends the partnership when its
// time has come.
func (d *demo) fire(ctx context.Context) error {
	now := d.clock.Now()
	if !d.endAt.IsZero() && !d.ended && !now.Before(d.endAt) {
		d.ended = true
		// Sam has left by now; the organiser only ends what is still
		// going.
		live := false
		if _, err := d.st.Apply(ctx, d.pid, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			if live = p.Status != conversation.StatusEnded; !live {
				return nil, nil
			}
			return p.End(templates.Operator("demo.end-reason", nil), now)
		}); err != nil {
			return fmt.Errorf("%s: %w", templates.Operator("demo.end", nil), err)
		}
		if live {
			d.line(templates.Operator("demo.organiser", nil), templates.Operator("demo.organiser-ends", nil), "")
		}
	}
	for len(d.events) > 0 && !d.events[0].at.After(now) {
		ev := d.events[0]
		d.events = d.events[1:]
		id, raw := ev.who.Compose(ev.q, ev.reply, now)
		rcpt := ev.q.ReplyTo
		if ev.reply.kind() == "calendar-reply" {
			rcpt = ev.q.From
		}
		to, err := mail.ParseAddress(rcpt)
		if err != nil {
			return fmt.Errorf("%s: %w", templates.Operator("demo.no-reply-address", templates.Args{"Name": ev.who.Name, "Address": ev.q.ReplyTo}), err)
		}
		if err := smtp.SendMail(d.sb.SMTPAddr, nil, ev.who.Email, []string{to.Address}, raw); err != nil {
			return fmt.Errorf("%s: %w", templates.Operator("demo.reply-refused", templates.Args{"Name": ev.who.Name}), err)
		}
		d.typed[id] = typedReply{who: ev.who, reply: ev.reply}
		d.sent++
		file := d.file("accord", ev.reply.kind(), raw)
		d.line(conversation.FirstName(ev.who.Name)+" → Accord", ev.reply.describe(), file)
	}
	return ctx.Err()
}

// recorded waits until every reply sent has been read from the mailbox and
// prints what became of each one not reported yet.
func (d *demo) recorded(ctx context.Context) (int, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		rows, err := d.st.InboundLog(ctx, "")
		if err != nil {
			return 0, err
		}
		done := 0
		for _, r := range rows {
			if r.Outcome != store.InboundPending {
				done++
			}
		}
		if done >= d.sent {
			n := 0
			for _, r := range rows {
				if r.ID > d.reported {
					d.reported = r.ID
					n++
					if err := d.explain(ctx, r); err != nil {
						return 0, err
					}
				}
			}
			return n, nil
		}
		if time.Now().After(deadline) {
			return 0, errors.New(templates.Operator("demo.unread", templates.Args{"Replies": d.sent - done, "Log": filepath.Join(d.dir, "accord.log")}))
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// explain prints what Accord made of a reply, and checks an answer was
// kept exactly as the person typed it.
func (d *demo) explain(ctx context.Context, r store.InboundRow) error {
	t, ok := d.typed[strings.TrimSpace(r.MessageID)]
	what := r.Outcome
	if r.Detail != "" {
		what += ": " + r.Detail
	}
	draft := strings.HasPrefix(r.Detail, "draft ")
	if r.Outcome == store.InboundAnswer && ok && !strings.HasPrefix(r.Detail, "check-in") && !draft {
		p, err := d.st.Load(ctx, d.pid)
		if err != nil {
			return err
		}
		qid := strings.TrimPrefix(r.Detail, "question ")
		where := fmt.Sprintf("%d/%d", p.Set.Index(qid)+1, p.Set.Len())
		for _, rv := range p.Reviews {
			for i, q := range rv.Questions {
				if q.ID == qid {
					where = templates.Operator("demo.review-question", templates.Args{"Number": i + 1, "Questions": len(rv.Questions)})
				}
			}
		}
		var stored string
		for _, pt := range p.Participants {
			if pt.Person.Email == t.who.Email {
				if a := p.LatestAnswer(pt.ID, qid); a != nil {
					stored = a.Text
				}
			}
		}
		if stored == t.reply.Text {
			what = templates.Operator("demo.answer-kept", templates.Args{"Where": where, "Words": len(strings.Fields(stored))})
		} else {
			d.wrong++
			what = templates.Operator("demo.answer-changed", templates.Args{"Where": where, "Stored": stored})
		}
	}
	if r.Outcome == store.InboundAnswer && ok && strings.HasPrefix(r.Detail, "check-in") {
		p, err := d.st.Load(ctx, d.pid)
		if err != nil {
			return err
		}
		what = templates.Operator("demo.note-changed", templates.Args{"Detail": r.Detail})
		kept := false
		for _, n := range p.CheckinNotes {
			if n.Text == t.reply.Text {
				what = templates.Operator("demo.note-kept", templates.Args{"Note": strings.TrimPrefix(r.Detail, "check-in "),
					"Meeting": n.Occurrence.Start.UTC().Format("Mon 2 Jan 15:04")})
				kept = true
			}
		}
		if !kept {
			d.wrong++
		}
	}
	if r.Outcome == store.InboundAutoReply {
		what = templates.Operator("demo.auto-reply", nil)
	}
	d.printf("%s%s\n", strings.Repeat(" ", 9), templates.Operator("demo.recorded", templates.Args{"What": what}))
	return nil
}

// file writes a message as the next numbered .eml.
func (d *demo) file(recipient, kind string, raw []byte) string {
	d.seq++
	name := fmt.Sprintf("%04d-%s-%s.eml", d.seq, recipient, kind)
	if err := os.WriteFile(filepath.Join(d.dir, name), raw, 0o644); err != nil {
		d.log.Error(templates.Operator("demo.log.file-unwritten", nil), "file", name, "err", err)
	}
	return name
}

// line prints one transcript line, with a heading when the day changes.
func (d *demo) line(who, what, file string) {
	now := d.clock.Now()
	if day := now.Format("Monday 2 January 2006"); day != d.day {
		d.day = day
		d.printf("\n%s\n", day)
	}
	d.printf("  %s  %-16s %-62s %s\n", now.Format("15:04"), who, clip(what, 62), file)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// writeAgreements writes every agreement version not written yet, as
// Markdown and as a web page.
func (d *demo) writeAgreements(ctx context.Context) error {
	p, err := d.st.Load(ctx, d.pid)
	if err != nil {
		return err
	}
	for _, ag := range p.Agreements {
		if ag.Version <= d.versions {
			continue
		}
		v := mailout.AgreementViewIn(p, ag, p.Lead())
		md, err := templates.AgreementMarkdown(v)
		if err != nil {
			return err
		}
		page, err := templates.AgreementHTML(v)
		if err != nil {
			return err
		}
		base := filepath.Join(d.dir, fmt.Sprintf("agreement-v%d", ag.Version))
		if err := errors.Join(os.WriteFile(base+".md", []byte(md), 0o644), os.WriteFile(base+".html", []byte(page), 0o644)); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		d.versions = ag.Version
		d.printf("%s%s\n", strings.Repeat(" ", 9), templates.Operator("demo.agreement-written", templates.Args{"Version": ag.Version, "File": base}))
	}
	return nil
}

// interactive runs the service in sandbox mode with the sample pair
// enrolled, on the real clock, for a person to play both roles.
func interactive(ctx context.Context, cfg *config.Config, opts Options, dana, sam *Person) error {
	// Without quiet hours the questions come straight away, whatever the
	// time of day.
	cfg.Pacing.QuietStart, cfg.Pacing.QuietEnd, cfg.Pacing.QuietDays = "00:00", "00:00", nil
	return service.Run(ctx, cfg, service.Options{Logger: opts.Logger, Out: opts.Out, Prepare: func(ctx context.Context, st *store.Store) error {
		if _, err := enrollSample(ctx, cfg, st, dana, sam); err != nil {
			return err
		}
		fmt.Fprint(opts.Out, templates.Operator("demo.interactive", templates.Args{"Lead": dana.Name, "LeadEmail": dana.Email, "Report": sam.Name, "ReportEmail": sam.Email}))
		return nil
	}})
}

// untagged is a subject without its leading tag, "[Accord · Sam] ".
func untagged(subject string) string {
	if strings.HasPrefix(subject, "[") {
		if _, rest, ok := strings.Cut(subject, "] "); ok {
			return rest
		}
	}
	return subject
}

// reviewPrompt reports whether the prompt a mail asked is a question of
// a review.
func (d *demo) reviewPrompt(ctx context.Context, promptID int64) bool {
	if promptID == 0 {
		return false
	}
	p, err := d.st.Load(ctx, d.pid)
	if err != nil {
		return false
	}
	for _, pt := range p.Participants {
		for _, pr := range pt.Prompts {
			if pr.ID == promptID {
				part, _ := conversation.ReviewPartOf(pr.QuestionID)
				return part != ""
			}
		}
	}
	return false
}
