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

var pairUsage = templates.Operator("pair.usage", nil)

func runPair(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(a.stdout, strings.TrimSpace(pairUsage))
		if len(args) == 0 {
			return usage(templates.Operator("pair.needs-subcommand", nil))
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
	return usage(templates.Operator("pair.unknown-subcommand", templates.Args{"Sub": sub, "Hint": pairHint(sub, rest)}))
}

// pairSubcommands are the words after accord pair.
var pairSubcommands = []string{"add", "list", "show", "pause", "resume", "end", "forget"}

// pairHint is the rest of an "unknown pair subcommand" line: the command
// meant when it is one of accord's own (accord pair import is accord
// import), or the subcommand a slip away.
func pairHint(sub string, rest []string) string {
	for _, c := range commands {
		if c.name == sub && c.name != "pair" && c.name != "help" {
			return templates.Operator("pair.hint.command", templates.Args{"Command": strings.Join(append([]string{"accord", sub}, rest...), " ")})
		}
	}
	if s := templates.Suggest(sub, pairSubcommands); s != "" {
		return templates.Operator("pair.hint.subcommand", templates.Args{"Sub": s})
	}
	return templates.Operator("pair.hint.list", templates.Args{"Init": strings.Join(pairSubcommands[:len(pairSubcommands)-1], ", "), "Last": pairSubcommands[len(pairSubcommands)-1]})
}

// parsePerson reads "Name <email>".
func parsePerson(flagName, v string) (store.EnrollPerson, error) {
	if strings.TrimSpace(v) == "" {
		return store.EnrollPerson{}, usage(templates.Operator("pair.person.required", templates.Args{"Flag": flagName}))
	}
	addr, err := mail.ParseAddress(v)
	if err != nil {
		return store.EnrollPerson{}, usage(templates.Operator("pair.person.unreadable", templates.Args{"Flag": flagName, "Value": v}))
	}
	if strings.TrimSpace(addr.Name) == "" {
		return store.EnrollPerson{}, usage(templates.Operator("pair.person.unnamed", templates.Args{"Flag": flagName, "Value": v, "Address": addr.Address}))
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
	lead := fs.String("lead", "", templates.Operator("pair.add.flag.lead", nil))
	report := fs.String("report", "", templates.Operator("pair.add.flag.report", nil))
	peer := fs.Bool("peer", false, templates.Operator("pair.add.flag.peer", nil))
	tz := fs.String("tz", "", templates.Operator("pair.add.flag.tz", nil))
	leadTZ := fs.String("lead-tz", "", templates.Operator("pair.add.flag.lead-tz", nil))
	reportTZ := fs.String("report-tz", "", templates.Operator("pair.add.flag.report-tz", nil))
	lang := fs.String("lang", "", templates.Operator("pair.add.flag.lang", nil))
	leadLang := fs.String("lead-lang", "", templates.Operator("pair.add.flag.lead-lang", nil))
	reportLang := fs.String("report-lang", "", templates.Operator("pair.add.flag.report-lang", nil))
	questions := fs.String("questions", "", templates.Operator("pair.add.flag.questions", nil))
	checkin := fs.String("checkin", "", templates.Operator("pair.add.flag.checkin", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	var sched *conversation.Schedule
	if *checkin != "" {
		s, err := conversation.ParseSchedule(*checkin)
		if err != nil {
			return usage(templates.Operator("pair.add.checkin", templates.Args{"Checkin": *checkin, "Problem": templates.ErrorText(err)}))
		}
		sched = &s
	}
	if fs.NArg() > 0 {
		return usage(templates.Operator("pair.unexpected-argument", templates.Args{"Arg": fs.Arg(0)}))
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
			return usage(fmt.Sprintf("--%s %s", l.flag, err))
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
			return fmt.Errorf("%s: %w", templates.Operator("pair.add.checkins-not-set", templates.Args{"ID": id}), err)
		}
	}
	p, err := st.Load(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, templates.Operator("pair.add.enrolled", templates.Args{"ID": id, "Kind": p.Kind, "Questions": p.Set.Len(), "Set": p.Set.Name, "Version": p.Set.Version}))
	for _, pt := range p.Participants {
		when := templates.Operator("pair.add.queued-now", nil)
		if !pt.NextSendAt.IsZero() {
			when = templates.Operator("pair.add.queued-for", templates.Args{"Time": localTime(pt.NextSendAt, pt.Person.Location)})
		}
		fmt.Fprintln(a.stdout, templates.Operator("pair.add.welcome", templates.Args{"Role": pt.Role, "Name": pt.Person.Name, "Email": pt.Person.Email, "Zone": pt.Person.Location, "When": when}))
	}
	if a.cfg.Mail.Address == config.DefaultServiceAddress {
		fmt.Fprintln(a.stdout, templates.Operator("pair.add.default-address", templates.Args{"Address": config.DefaultServiceAddress}))
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
	status := fs.String("status", "", templates.Operator("pair.list.flag.status", nil))
	limit := fs.Int("limit", pairListLimit, templates.Operator("pair.list.flag.limit", nil))
	after := fs.Int64("after", 0, templates.Operator("pair.list.flag.after", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	switch conversation.Status(*status) {
	case "", conversation.StatusEnrolled, conversation.StatusAnswering, conversation.StatusDrafting, conversation.StatusAgreement,
		conversation.StatusReviewing, conversation.StatusEnded:
	default:
		return usage(templates.Operator("pair.list.bad-status", templates.Args{"Status": *status}))
	}
	if *limit < 0 {
		return usage(templates.Operator("pair.list.bad-limit", templates.Args{"Limit": *limit}))
	}
	if *after < 0 {
		return usage(templates.Operator("pair.list.bad-after", templates.Args{"After": *after}))
	}
	if fs.NArg() > 0 {
		return usage(templates.Operator("pair.unexpected-argument", templates.Args{"Arg": fs.Arg(0)}))
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
		fmt.Fprintln(a.stdout, templates.Operator("pair.list.none-after", templates.Args{"After": *after}))
		return nil
	case len(list) == 0:
		fmt.Fprintln(a.stdout, templates.Operator("pair.list.none", nil))
		return nil
	}
	more := *limit > 0 && len(list) > *limit
	if more {
		list = list[:*limit]
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, templates.Operator("pair.list.header", nil))
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
		fmt.Fprintln(a.stdout, templates.Operator("pair.list.more", templates.Args{"Limit": *limit, "Command": strings.Join(next, " ")}))
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
		return 0, usage(templates.Operator("pair.id.one", nil))
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id < 1 {
		return 0, usage(templates.Operator("pair.id.bad", templates.Args{"Arg": args[0]}))
	}
	return id, nil
}

// explain turns store and domain errors about a partnership into sentences.
func explain(id int64, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errors.New(templates.Operator("pair.not-found", templates.Args{"ID": id}))
	case errors.Is(err, conversation.ErrEnded):
		return errors.New(templates.Operator("pair.already-ended", templates.Args{"ID": id}))
	case errors.Is(err, conversation.ErrNotPaused):
		return errors.New(templates.Operator("pair.not-paused", templates.Args{"ID": id}))
	case errors.Is(err, conversation.ErrPastDate):
		return errors.New(templates.Operator("pair.past-date", nil))
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
	fmt.Fprintln(w, templates.Operator("pair.show.partnership", templates.Args{"ID": p.ID, "Kind": p.Kind, "Status": p.Status}))
	fmt.Fprintln(w, templates.Operator("pair.show.created", templates.Args{"Time": p.CreatedAt.UTC().Format("2006-01-02 15:04 MST")}))
	if !p.EndedAt.IsZero() {
		fmt.Fprintln(w, templates.Operator("pair.show.ended", templates.Args{"Time": p.EndedAt.UTC().Format("2006-01-02 15:04 MST"), "Reason": p.EndReason}))
	}
	fmt.Fprintln(w, templates.Operator("pair.show.questions", templates.Args{"Set": p.Set.Name, "Version": p.Set.Version, "Questions": p.Set.Len()}))
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
		fmt.Fprintf(w, "\n%s\n", templates.Operator("pair.show.person", templates.Args{"Name": pt.Person.Name, "Email": pt.Person.Email, "Role": pt.Role, "Zone": loc}))
		status := string(pt.Status)
		if pt.Status == conversation.ParticipantPaused {
			status = templates.Operator("pair.show.paused", nil)
			if !pt.PausedUntil.IsZero() {
				status = templates.Operator("pair.show.paused-until", templates.Args{"Time": localTime(pt.PausedUntil, loc)})
			}
		}
		fmt.Fprintln(w, templates.Operator("pair.show.status", templates.Args{"Status": status}))
		fmt.Fprintln(w, templates.Operator("pair.show.progress", templates.Args{"Answered": answered, "Skipped": skipped, "Questions": p.Set.Len()}))
		if !pt.LastSeenAt.IsZero() {
			fmt.Fprintln(w, templates.Operator("pair.show.last-wrote", templates.Args{"Time": localTime(pt.LastSeenAt, loc)}))
		}
		bounce, err := st.BounceOf(ctx, pt.Person.Email)
		if err != nil {
			return err
		}
		switch {
		case bounce.Bouncing():
			fmt.Fprintln(w, templates.Operator("pair.show.bouncing", templates.Args{"Since": bounce.Since.Time.UTC().Format(time.DateOnly), "Last": bounce.Last, "Email": pt.Person.Email}))
		case bounce.HardBounces > 0:
			fmt.Fprintln(w, templates.Operator("pair.show.bounces", templates.Args{"Bounces": bounce.HardBounces, "Last": bounce.Last}))
		}
		fmt.Fprintln(w, templates.Operator("pair.show.next", templates.Args{"Next": nextFor(p, pt)}))
	}
	fmt.Fprintln(w)
	if ag := p.LatestAgreement(); ag != nil {
		fmt.Fprintln(w, templates.Operator("pair.show.agreement", templates.Args{"Version": ag.Version, "Created": ag.Created.UTC().Format(time.DateOnly), "ReviewOn": ag.ReviewOn}))
		if r := p.CurrentReview(); r != nil && r.Open() {
			fmt.Fprintln(w, templates.Operator("pair.show.review", templates.Args{"Number": r.Number,
				"Opened": r.OpenedAt.UTC().Format(time.DateOnly), "Closes": r.OpenedAt.Add(p.Rules.ReviewWait).UTC().Format(time.DateOnly)}))
		}
	} else {
		fmt.Fprintln(w, templates.Operator("pair.show.no-agreement", nil))
	}
	fmt.Fprintln(w, templates.Operator("pair.show.mail", templates.Args{"Queued": mail.Queued, "Sent": mail.Sent, "Failed": mail.Failed}))
	if mail.LastFailure != "" {
		fmt.Fprintln(w, templates.Operator("pair.show.last-failure", templates.Args{"Failure": mail.LastFailure}))
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
		return templates.Operator("pair.next.review-done", templates.Args{"Review": r.Number})
	case !pt.NextSendAt.IsZero():
		return templates.Operator("pair.next.review-question", templates.Args{"Review": r.Number, "Number": n, "Questions": total, "Time": localTime(pt.NextSendAt, loc)})
	}
	if pr := pt.Current(); pr != nil {
		return templates.Operator("pair.next.review-answer", templates.Args{"Review": r.Number, "Number": n, "Questions": total, "Sent": localTime(pr.SentAt, loc)})
	}
	return templates.Operator("pair.next.review-position", templates.Args{"Review": r.Number, "Number": n, "Questions": total})
}

// nextFor says in words what happens next for a participant.
func nextFor(p *conversation.Partnership, pt *conversation.Participant) string {
	loc := pt.Person.Location
	switch {
	case p.Status == conversation.StatusEnded || pt.Status == conversation.ParticipantLeft:
		return templates.Operator("pair.next.ended", nil)
	case pt.Status == conversation.ParticipantPaused && pt.PausedUntil.IsZero():
		return templates.Operator("pair.next.paused", nil)
	case pt.Status == conversation.ParticipantPaused:
		return templates.Operator("pair.next.resumes", templates.Args{"Time": localTime(pt.PausedUntil, loc)})
	case !pt.NextSendAt.IsZero() && len(pt.Prompts) == 0:
		return templates.Operator("pair.next.welcome", templates.Args{"Time": localTime(pt.NextSendAt, loc)})
	case p.Status == conversation.StatusReviewing:
		return reviewNext(p, pt)
	case !pt.NextSendAt.IsZero() && !pt.Finished(p.Set):
		return templates.Operator("pair.next.question", templates.Args{"Number": pt.Position + 1, "Questions": p.Set.Len(), "Time": localTime(pt.NextSendAt, loc)})
	case !pt.NextSendAt.IsZero():
		return templates.Operator("pair.next.agreement", templates.Args{"Time": localTime(pt.NextSendAt, loc)})
	case pt.Finished(p.Set) && p.LatestAgreement() == nil:
		return templates.Operator("pair.next.waiting", nil)
	case pt.Finished(p.Set):
		return templates.Operator("pair.next.done", nil)
	}
	if pr := pt.Current(); pr != nil {
		if due := p.NextReminder(pt); !due.IsZero() {
			return templates.Operator("pair.next.reminder", templates.Args{"Number": pr.Position + 1, "Sent": localTime(pr.SentAt, loc), "Reminder": pr.Reminders + 1, "Due": localTime(due, loc)})
		}
		return templates.Operator("pair.next.reminders-used", templates.Args{"Number": pr.Position + 1, "Sent": localTime(pr.SentAt, loc)})
	}
	return templates.Operator("pair.next.nothing", nil)
}

var durationPattern = regexp.MustCompile(`^(\d{1,3})\s*(d|days?|w|weeks?)$`)

// parseFor reads a pause length such as 10d, 2w or "3 weeks" in days. The
// longest is the domain's, conversation.MaxPause, as for a pause asked
// for by mail.
func parseFor(s string) (int, error) {
	m := durationPattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, usage(templates.Operator("pair.pause.for-unit", templates.Args{"For": s}))
	}
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(m[2], "w") {
		n *= 7
	}
	if n < 1 || time.Duration(n)*24*time.Hour > conversation.MaxPause {
		return 0, usage(templates.Operator("pair.pause.for-range", templates.Args{"For": s}))
	}
	return n, nil
}

func pairPause(ctx context.Context, a *app, args []string) error {
	fs := a.flags("pair pause", pairUsage)
	until := fs.String("until", "", templates.Operator("pair.pause.flag.until", nil))
	forLen := fs.String("for", "", templates.Operator("pair.pause.flag.for", nil))
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	id, err := partnershipID(fs.Args())
	if err != nil {
		return err
	}
	if *until != "" && *forLen != "" {
		return usage(templates.Operator("pair.pause.both", nil))
	}
	var date conversation.Date
	days := 0
	if *until != "" {
		if date, err = conversation.ParseDate(*until); err != nil {
			return usage(templates.Operator("pair.pause.until", templates.Args{"Problem": err}))
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
		fmt.Fprintln(a.stdout, templates.Operator("pair.paused", templates.Args{"ID": id}))
	} else {
		fmt.Fprintln(a.stdout, templates.Operator("pair.paused-until", templates.Args{"ID": id, "Time": end.UTC().Format("2006-01-02 15:04 MST")}))
	}
	return nil
}

func pairResumeEnd(ctx context.Context, a *app, sub string, args []string) error {
	fs := a.flags("pair "+sub, pairUsage)
	reason := fs.String("reason", "", templates.Operator("pair.end.flag.reason", nil))
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	id, err := partnershipID(fs.Args())
	if err != nil {
		return err
	}
	if sub == "resume" && *reason != "" {
		return usage(templates.Operator("pair.end.reason-with-resume", nil))
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
		return p.End(templates.Operator("pair.end.reason", templates.Args{"Reason": *reason}), now)
	})
	if err != nil {
		return explain(id, err)
	}
	if sub == "resume" {
		fmt.Fprintln(a.stdout, templates.Operator("pair.resumed", templates.Args{"ID": id}))
	} else {
		fmt.Fprintln(a.stdout, templates.Operator("pair.ended", templates.Args{"ID": id}))
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
	confirm := fs.Int64("confirm", 0, templates.Operator("pair.forget.flag.confirm", nil))
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
			return usage(templates.Operator("pair.forget.mismatch", templates.Args{"Confirm": *confirm, "ID": id}))
		}
		fmt.Fprintln(a.stdout, templates.Operator("pair.forget.holds", templates.Args{"ID": id, "Kind": p.Kind, "Status": p.Status,
			"Answers": len(p.Answers), "Agreements": len(p.Agreements), "Amendments": len(p.Amendments), "Notes": len(p.CheckinNotes),
			"A": p.Participants[0].Person.Email, "B": p.Participants[1].Person.Email}))
		fmt.Fprintln(a.stdout, templates.Operator("pair.forget.how", templates.Args{"ID": id}))
		return nil
	}
	f, err := st.Forget(ctx, id)
	if err != nil {
		return explain(id, err)
	}
	fmt.Fprintln(a.stdout, templates.Operator("pair.forgotten", templates.Args{"ID": id, "People": f.People, "Kept": f.Kept}))
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
	return errors.New(templates.Operator("pair.language", templates.Args{"Lang": lang, "Languages": strings.Join(templates.Languages(), ", ")}))
}
