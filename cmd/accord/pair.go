package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"accord/conversation"
	"accord/internal/config"
	"accord/store"
	"accord/templates"
)

const pairUsage = `
Usage:
  accord pair add --lead "Name <email>" --report "Name <email>" [--peer] [--tz ZONE] [--lang LANG] [--questions FILE] [--checkin "tue 10:00 30m weekly"]
  accord pair list [--status STATUS] [--limit N] [--after ID]
  accord pair show ID
  accord pair pause ID [--until 2027-01-05 | --for 2w]
  accord pair resume ID
  accord pair end ID [--reason TEXT]
  accord pair forget ID [--confirm ID]

add enrols two people and queues both welcomes (each sent when the person's
quiet hours allow). With --peer the two are peers and --lead/--report simply
name them. --tz sets both time zones; --lead-tz and --report-tz set one.
--lang sets the language both read (en, fr, de or es; people.default_language
when none is given, and a person already enrolled keeps theirs);
--lead-lang and --report-lang set one. Each can change theirs later by
replying language and the code.
list and show report progress and dates, never what anyone wrote; list
shows 50 partnerships at a time (--limit) and ends with the command for
the next page (--after the last ID shown).
pause stops questions and reminders to both people (until a date, for a
while, or until resume); end closes the partnership and tells both.
forget erases a partnership and everything it holds (answers, agreement
versions, check-ins, mail, raw copies of replies) and the two people unless
they are in another partnership. It cannot be undone: without --confirm
repeating the ID it only says what would go.`

func runPair(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(a.stdout, strings.TrimSpace(pairUsage))
		if len(args) == 0 {
			return usagef("pair needs a subcommand: add, list, show, pause, resume, end or forget")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "add":
		return pairAdd(ctx, a, rest)
	case "list":
		return pairList(ctx, a, rest)
	case "show":
		return pairShow(ctx, a, rest)
	case "pause":
		return pairPause(ctx, a, rest)
	case "resume", "end":
		return pairResumeEnd(ctx, a, sub, rest)
	case "forget":
		return pairForget(ctx, a, rest)
	}
	return usagef("unknown pair subcommand %q; %s", sub, pairHint(sub, rest))
}

// pairSubcommands are the words after accord pair.
var pairSubcommands = []string{"add", "list", "show", "pause", "resume", "end", "forget"}

// pairHint is the rest of an "unknown pair subcommand" line: the command
// meant when it is one of accord's own (accord pair import is accord
// import), or the subcommand a slip away.
func pairHint(sub string, rest []string) string {
	for _, c := range commands {
		if c.name == sub && c.name != "pair" && c.name != "help" {
			return fmt.Sprintf("did you mean %s?", strings.Join(append([]string{"accord", sub}, rest...), " "))
		}
	}
	if s := templates.Suggest(sub, pairSubcommands); s != "" {
		return fmt.Sprintf("did you mean accord pair %s?", s)
	}
	return "use " + strings.Join(pairSubcommands[:len(pairSubcommands)-1], ", ") + " or " + pairSubcommands[len(pairSubcommands)-1]
}

// parsePerson reads "Name <email>".
func parsePerson(flagName, v string) (store.EnrollPerson, error) {
	if strings.TrimSpace(v) == "" {
		return store.EnrollPerson{}, usagef("--%s is required, like --%s \"Dana Lee <dana@example.com>\"", flagName, flagName)
	}
	addr, err := mail.ParseAddress(v)
	if err != nil {
		return store.EnrollPerson{}, usagef("--%s %q: not a name and address like \"Dana Lee <dana@example.com>\"", flagName, v)
	}
	if strings.TrimSpace(addr.Name) == "" {
		return store.EnrollPerson{}, usagef("--%s %q: add the person's name, like \"Dana Lee <%s>\"", flagName, v, addr.Address)
	}
	return store.EnrollPerson{Name: strings.TrimSpace(addr.Name), Email: addr.Address}, nil
}

// questionSet returns the set named by path, the configured file, or the
// built-in default.
func (a *app) questionSet(path string) (*conversation.QuestionSet, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	if path == "" {
		path = cfg.Questions.File
	}
	return templates.LoadQuestionSet(path)
}

func pairAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags("pair add", pairUsage)
	lead := fs.String("lead", "", `the lead (or first peer), "Name <email>"`)
	report := fs.String("report", "", `the report (or second peer), "Name <email>"`)
	peer := fs.Bool("peer", false, "the two are peers rather than lead and report")
	tz := fs.String("tz", "", "IANA time zone for both people, e.g. Europe/Berlin")
	leadTZ := fs.String("lead-tz", "", "time zone of the lead (overrides --tz)")
	reportTZ := fs.String("report-tz", "", "time zone of the report (overrides --tz)")
	lang := fs.String("lang", "", "language both people read: en, fr, de or es")
	leadLang := fs.String("lead-lang", "", "language of the lead (overrides --lang)")
	reportLang := fs.String("report-lang", "", "language of the report (overrides --lang)")
	questions := fs.String("questions", "", "question set file (default: configured or built-in)")
	checkin := fs.String("checkin", "", `weekly check-ins from the agreement on, in the lead's zone: "tue 10:00 30m weekly"`)
	if err := parse(fs, args); err != nil {
		return err
	}
	var sched *conversation.Schedule
	if *checkin != "" {
		s, err := conversation.ParseSchedule(*checkin)
		if err != nil {
			return usagef("--checkin %q: %s", *checkin, templates.ErrorText(err))
		}
		sched = &s
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	e := store.Enrollment{Kind: conversation.KindLeadReport}
	if *peer {
		e.Kind = conversation.KindPeer
	}
	var err error
	if e.A, err = parsePerson("lead", *lead); err != nil {
		return err
	}
	if e.B, err = parsePerson("report", *report); err != nil {
		return err
	}
	for _, z := range []struct{ flag, zone string }{{"tz", *tz}, {"lead-tz", *leadTZ}, {"report-tz", *reportTZ}} {
		if z.zone == "" {
			continue
		}
		if err := config.CheckZone(z.zone); err != nil {
			return fmt.Errorf("--%s: %w", z.flag, err)
		}
	}
	e.A.TimeZone, e.B.TimeZone = firstOf(*leadTZ, *tz), firstOf(*reportTZ, *tz)
	for _, l := range []struct{ flag, lang string }{{"lang", *lang}, {"lead-lang", *leadLang}, {"report-lang", *reportLang}} {
		if err := checkLanguage(l.lang); err != nil {
			return usagef("--%s %s", l.flag, err)
		}
	}
	e.A.Language, e.B.Language = firstOf(*leadLang, *lang), firstOf(*reportLang, *lang)
	if e.Set, err = a.questionSet(*questions); err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckEnrollment(e); err != nil {
		return err
	}
	id, err := st.Enroll(ctx, e)
	if err != nil {
		return err
	}
	if sched != nil {
		if _, err := st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
			return p.ScheduleCheckins(*sched, now)
		}); err != nil {
			return fmt.Errorf("partnership %d is enrolled, but its check-ins could not be set: %w", id, err)
		}
	}
	p, err := st.Load(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Enrolled partnership %d (%s), %s from %s v%d:\n", id, p.Kind, templates.Count(p.Set.Len(), "question"), p.Set.Name, p.Set.Version)
	for _, pt := range p.Participants {
		when := "queued now"
		if !pt.NextSendAt.IsZero() {
			when = "queued for " + localTime(pt.NextSendAt, pt.Person.Location) + " (quiet hours)"
		}
		fmt.Fprintf(a.stdout, "  %-6s %s <%s>, %s: welcome %s\n", pt.Role, pt.Person.Name, pt.Person.Email, pt.Person.Location, when)
	}
	if a.cfg.Mail.Address == config.DefaultServiceAddress {
		fmt.Fprintf(a.stdout, "Note: mail.address is not set, so this mail says it comes from %s. Set it to your service mailbox before enrolling real people.\n", config.DefaultServiceAddress)
	}
	return nil
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func localTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2006-01-02 15:04 MST")
}

// pairListLimit is how many partnerships accord pair list shows at once
// unless told otherwise.
const pairListLimit = 50

func pairList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("pair list", pairUsage)
	status := fs.String("status", "", "only partnerships with this status: enrolled, answering, drafting, agreement, reviewing, ended")
	limit := fs.Int("limit", pairListLimit, "show at most this many partnerships; 0 shows all")
	after := fs.Int64("after", 0, "show the partnerships after this ID (the next page)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch conversation.Status(*status) {
	case "", conversation.StatusEnrolled, conversation.StatusAnswering, conversation.StatusDrafting, conversation.StatusAgreement,
		conversation.StatusReviewing, conversation.StatusEnded:
	default:
		return usagef("--status %q: use enrolled, answering, drafting, agreement, reviewing or ended", *status)
	}
	if *limit < 0 {
		return usagef("--limit %d: give a number of partnerships, or 0 for all", *limit)
	}
	if *after < 0 {
		return usagef("--after %d: give the last ID of the page before", *after)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var list []store.PartnershipSummary
	if *limit == 0 && *after == 0 {
		list, err = st.ListPartnerships(ctx, *status)
	} else {
		// One more than the page shows says whether another follows.
		page := *limit + 1
		if *limit == 0 {
			page = math.MaxInt32
		}
		list, err = st.ListPartnershipsAfter(ctx, *status, *after, page)
	}
	if err != nil {
		return err
	}
	switch {
	case len(list) == 0 && *after > 0:
		fmt.Fprintf(a.stdout, "No partnerships after ID %d.\n", *after)
		return nil
	case len(list) == 0:
		fmt.Fprintln(a.stdout, "No partnerships yet. Enrol one with: accord pair add --lead \"Name <email>\" --report \"Name <email>\"")
		return nil
	}
	more := *limit > 0 && len(list) > *limit
	if more {
		list = list[:*limit]
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tPERSON\tPROGRESS\tPERSON\tPROGRESS\tAGREEMENT\tCREATED")
	for _, s := range list {
		agreement := "-"
		if s.AgreementVersion.Valid {
			agreement = "v" + strconv.FormatInt(s.AgreementVersion.Int64, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Kind, s.Status,
			personCell(s.A), progressCell(s.A, s.Questions), personCell(s.B), progressCell(s.B, s.Questions),
			agreement, s.CreatedAt.Format(time.DateOnly))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more {
		next := []string{"accord", "pair", "list", "--after", strconv.FormatInt(list[len(list)-1].ID, 10)}
		if *status != "" {
			next = append(next, "--status", *status)
		}
		if *limit != pairListLimit {
			next = append(next, "--limit", strconv.Itoa(*limit))
		}
		fmt.Fprintf(a.stdout, "More follow; the next %d: %s\n", *limit, strings.Join(next, " "))
	}
	return nil
}

func personCell(p store.PersonProgress) string {
	return fmt.Sprintf("%s <%s> (%s)", p.Name, p.Email, p.Role)
}

func progressCell(p store.PersonProgress, total int) string {
	s := fmt.Sprintf("%d/%d", min(p.Position, total), total)
	if p.Status != string(conversation.ParticipantActive) {
		s += " " + p.Status
	}
	return s
}

// partnershipID reads the ID argument of a pair subcommand.
func partnershipID(args []string) (int64, error) {
	if len(args) != 1 {
		return 0, usagef("give exactly one partnership ID (see accord pair list)")
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("%q is not a partnership ID; IDs are the numbers in accord pair list", args[0])
	}
	return id, nil
}

// explain turns store and domain errors about a partnership into sentences.
func explain(id int64, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("there is no partnership %d (see accord pair list)", id)
	case errors.Is(err, conversation.ErrEnded):
		return fmt.Errorf("partnership %d has already ended", id)
	case errors.Is(err, conversation.ErrNotPaused):
		return fmt.Errorf("nobody in partnership %d is paused", id)
	case errors.Is(err, conversation.ErrPastDate):
		return fmt.Errorf("the pause must end in the future")
	}
	return err
}

func pairShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags("pair show", pairUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := partnershipID(fs.Args())
	if err != nil {
		return err
	}
	st, p, err := a.loadPartnership(ctx, id)
	if err != nil {
		return err
	}
	defer st.Close()
	mail, err := st.MailCounts(ctx, id)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Partnership %d\t%s, %s\n", p.ID, p.Kind, p.Status)
	fmt.Fprintf(w, "Created\t%s\n", p.CreatedAt.UTC().Format("2006-01-02 15:04 MST"))
	if !p.EndedAt.IsZero() {
		fmt.Fprintf(w, "Ended\t%s (%s)\n", p.EndedAt.UTC().Format("2006-01-02 15:04 MST"), p.EndReason)
	}
	fmt.Fprintf(w, "Questions\t%s v%d, %s\n", p.Set.Name, p.Set.Version, templates.Count(p.Set.Len(), "question"))
	for _, pt := range p.Participants {
		loc := pt.Person.Location
		answered, skipped := 0, 0
		for _, pr := range pt.Prompts {
			switch {
			case pr.Position >= p.Set.Len():
			case pr.State == conversation.PromptAnswered:
				answered++
			case pr.State == conversation.PromptSkipped:
				skipped++
			}
		}
		fmt.Fprintf(w, "\n%s <%s>, %s, %s\n", pt.Person.Name, pt.Person.Email, pt.Role, loc)
		status := string(pt.Status)
		if pt.Status == conversation.ParticipantPaused {
			status = "paused until they resume"
			if !pt.PausedUntil.IsZero() {
				status = "paused until " + localTime(pt.PausedUntil, loc)
			}
		}
		fmt.Fprintf(w, "  status\t%s\n", status)
		fmt.Fprintf(w, "  progress\t%d answered, %d skipped of %d\n", answered, skipped, p.Set.Len())
		if !pt.LastSeenAt.IsZero() {
			fmt.Fprintf(w, "  last wrote\t%s\n", localTime(pt.LastSeenAt, loc))
		}
		bounce, err := st.BounceOf(ctx, pt.Person.Email)
		if err != nil {
			return err
		}
		switch {
		case bounce.Bouncing():
			fmt.Fprintf(w, "  mail\tBOUNCING since %s, nothing is sent (%s); after fixing the address: accord unbounce %s\n", bounce.Since.Time.UTC().Format(time.DateOnly), bounce.Last, pt.Person.Email)
		case bounce.HardBounces > 0:
			fmt.Fprintf(w, "  mail\t%s, last: %s\n", templates.Count(bounce.HardBounces, "permanent failure"), bounce.Last)
		}
		fmt.Fprintf(w, "  next\t%s\n", nextFor(p, pt))
	}
	fmt.Fprintln(w)
	if ag := p.LatestAgreement(); ag != nil {
		fmt.Fprintf(w, "Agreement\tversion %d of %s; review on %s\n", ag.Version, ag.Created.UTC().Format(time.DateOnly), ag.ReviewOn)
		if r := p.CurrentReview(); r != nil && r.Open() {
			fmt.Fprintf(w, "Review\t%d, opened %s; closes with what there is on %s\n", r.Number,
				r.OpenedAt.UTC().Format(time.DateOnly), r.OpenedAt.Add(p.Rules.ReviewWait).UTC().Format(time.DateOnly))
		}
	} else {
		fmt.Fprintf(w, "Agreement\tnone yet\n")
	}
	fmt.Fprintf(w, "Mail\t%d queued, %d sent, %d failed\n", mail.Queued, mail.Sent, mail.Failed)
	if mail.LastFailure != "" {
		fmt.Fprintf(w, "Last failure\t%s\n", mail.LastFailure)
	}
	return w.Flush()
}

// reviewNext says where a participant is in the open review.
func reviewNext(p *conversation.Partnership, pt *conversation.Participant) string {
	loc := pt.Person.Location
	r := p.CurrentReview()
	n, total := pt.Position-r.Start+1, len(r.Questions)
	switch {
	case pt.Position >= r.End():
		return fmt.Sprintf("done with review %d; waiting for their partner", r.Number)
	case !pt.NextSendAt.IsZero():
		return fmt.Sprintf("review %d, question %d of %d on %s", r.Number, n, total, localTime(pt.NextSendAt, loc))
	}
	if pr := pt.Current(); pr != nil {
		return fmt.Sprintf("answer to review %d, question %d of %d, sent %s", r.Number, n, total, localTime(pr.SentAt, loc))
	}
	return fmt.Sprintf("review %d, question %d of %d", r.Number, n, total)
}

// nextFor says in words what happens next for a participant.
func nextFor(p *conversation.Partnership, pt *conversation.Participant) string {
	loc := pt.Person.Location
	switch {
	case p.Status == conversation.StatusEnded || pt.Status == conversation.ParticipantLeft:
		return "nothing; the partnership has ended"
	case pt.Status == conversation.ParticipantPaused && pt.PausedUntil.IsZero():
		return "nothing until they reply resume"
	case pt.Status == conversation.ParticipantPaused:
		return "resumes " + localTime(pt.PausedUntil, loc)
	case !pt.NextSendAt.IsZero() && len(pt.Prompts) == 0:
		return "the welcome with question 1 on " + localTime(pt.NextSendAt, loc)
	case p.Status == conversation.StatusReviewing:
		return reviewNext(p, pt)
	case !pt.NextSendAt.IsZero() && !pt.Finished(p.Set):
		return fmt.Sprintf("question %d of %d on %s", pt.Position+1, p.Set.Len(), localTime(pt.NextSendAt, loc))
	case !pt.NextSendAt.IsZero():
		return "the agreement on " + localTime(pt.NextSendAt, loc)
	case pt.Finished(p.Set) && p.LatestAgreement() == nil:
		return "done; waiting for their partner to finish"
	case pt.Finished(p.Set):
		return "nothing; they have the agreement"
	}
	if pr := pt.Current(); pr != nil {
		if due := p.NextReminder(pt); !due.IsZero() {
			return fmt.Sprintf("answer to question %d, sent %s; reminder %d on %s", pr.Position+1, localTime(pr.SentAt, loc), pr.Reminders+1, localTime(due, loc))
		}
		return fmt.Sprintf("answer to question %d, sent %s; reminders used up, waiting for them to write", pr.Position+1, localTime(pr.SentAt, loc))
	}
	return "nothing scheduled"
}

var durationPattern = regexp.MustCompile(`^(\d{1,3})\s*(d|days?|w|weeks?)$`)

// parseFor reads a pause length such as 10d, 2w or "3 weeks" in days. The
// longest is the domain's, conversation.MaxPause, as for a pause asked
// for by mail.
func parseFor(s string) (int, error) {
	m := durationPattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, usagef("--for %q: use days or weeks, like 10d or 2w", s)
	}
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(m[2], "w") {
		n *= 7
	}
	if n < 1 || time.Duration(n)*24*time.Hour > conversation.MaxPause {
		return 0, usagef("--for %q: a pause lasts from 1 day to 52 weeks", s)
	}
	return n, nil
}

func pairPause(ctx context.Context, a *app, args []string) error {
	fs := a.flags("pair pause", pairUsage)
	until := fs.String("until", "", "resume by itself on this date (YYYY-MM-DD, in the lead's time zone)")
	forLen := fs.String("for", "", "resume by itself after this long, e.g. 10d or 2w")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	id, err := partnershipID(fs.Args())
	if err != nil {
		return err
	}
	if *until != "" && *forLen != "" {
		return usagef("use --until or --for, not both")
	}
	var date conversation.Date
	days := 0
	if *until != "" {
		if date, err = conversation.ParseDate(*until); err != nil {
			return usagef("--until: %v", err)
		}
	}
	if *forLen != "" {
		if days, err = parseFor(*forLen); err != nil {
			return err
		}
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var end time.Time
	_, err = st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		switch {
		case !date.IsZero():
			end = date.Start(p.Lead().Person.Location)
		case days > 0:
			end = now.AddDate(0, 0, days)
		}
		return p.PauseAll(end, now)
	})
	if err != nil {
		return explain(id, err)
	}
	if end.IsZero() {
		fmt.Fprintf(a.stdout, "Paused partnership %d until you resume it (accord pair resume %d). Both people are told.\n", id, id)
	} else {
		fmt.Fprintf(a.stdout, "Paused partnership %d until %s. Both people are told.\n", id, end.UTC().Format("2006-01-02 15:04 MST"))
	}
	return nil
}

func pairResumeEnd(ctx context.Context, a *app, sub string, args []string) error {
	fs := a.flags("pair "+sub, pairUsage)
	reason := fs.String("reason", "", "why it ended, kept for the operator (end only)")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	id, err := partnershipID(fs.Args())
	if err != nil {
		return err
	}
	if sub == "resume" && *reason != "" {
		return usagef("--reason goes with end, not resume")
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.Apply(ctx, id, func(p *conversation.Partnership, now time.Time) ([]conversation.Message, error) {
		if sub == "resume" {
			return p.ResumeAll(now)
		}
		r := "ended by the operator"
		if *reason != "" {
			r += ": " + *reason
		}
		return p.End(r, now)
	})
	if err != nil {
		return explain(id, err)
	}
	if sub == "resume" {
		fmt.Fprintf(a.stdout, "Resumed partnership %d; open questions are sent again when each person's quiet hours allow.\n", id)
	} else {
		fmt.Fprintf(a.stdout, "Ended partnership %d. Both people are told; nothing more is sent.\n", id)
	}
	return nil
}

// reorder moves flags in front of positional arguments, so both
// "pause 3 --for 2w" and "pause --for 2w 3" work.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if strings.HasPrefix(arg, "-") && len(arg) > 1 {
			flags = append(flags, arg)
			if !strings.Contains(arg, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && arg != "-h" && arg != "--help" {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, arg)
	}
	return append(flags, pos...)
}

func pairForget(ctx context.Context, a *app, args []string) error {
	fs := a.flags("pair forget", pairUsage)
	confirm := fs.Int64("confirm", 0, "the partnership ID again, to erase it for good")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	id, err := partnershipID(fs.Args())
	if err != nil {
		return err
	}
	st, p, err := a.loadPartnership(ctx, id)
	if err != nil {
		return err
	}
	defer st.Close()
	if *confirm != id {
		if *confirm != 0 {
			return usagef("--confirm %d does not match partnership %d; nothing was erased", *confirm, id)
		}
		fmt.Fprintf(a.stdout, "Partnership %d (%s, %s) holds %s, %s, %s and %s of %s and %s.\n",
			id, p.Kind, p.Status, templates.Count(len(p.Answers), "answer"), templates.Count(len(p.Agreements), "agreement version"),
			templates.Count(len(p.Amendments), "amendment"), templates.Count(len(p.CheckinNotes), "check-in note"),
			p.Participants[0].Person.Email, p.Participants[1].Person.Email)
		fmt.Fprintf(a.stdout, "Nothing was erased. To erase all of it for good, run: accord pair forget %d --confirm %d\n", id, id)
		return nil
	}
	f, err := st.Forget(ctx, id)
	if err != nil {
		return explain(id, err)
	}
	fmt.Fprintf(a.stdout, "Erased partnership %d with its answers, agreements, check-ins and mail; %s erased", id, templates.Count(f.People, "person/people"))
	switch {
	case f.Kept == 1:
		fmt.Fprint(a.stdout, ", 1 kept because they are in another partnership")
	case f.Kept > 1:
		fmt.Fprintf(a.stdout, ", %d kept because they are in other partnerships", f.Kept)
	}
	fmt.Fprintln(a.stdout, ".")
	return nil
}

// loadPartnership opens the store and reads a partnership for display;
// the caller closes the store.
func (a *app) loadPartnership(ctx context.Context, id int64) (*store.Store, *conversation.Partnership, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := st.Load(ctx, id)
	if err != nil {
		st.Close()
		return nil, nil, explain(id, err)
	}
	return st, p, nil
}

// checkLanguage accepts a language Accord writes, or none.
func checkLanguage(lang string) error {
	if lang == "" || slices.Contains(templates.Languages(), lang) {
		return nil
	}
	return fmt.Errorf("%q: Accord writes in %s", lang, strings.Join(templates.Languages(), ", "))
}
