package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"accord/conversation"
	"accord/mailin"
	"accord/mailout"
	"accord/mailout/mailauth"
	"accord/store"
	"accord/templates"
)

// Config is everything an operator can set, in the shape of accord.toml.
// Each field can be overridden by an environment variable named after its
// section and key: pacing.quiet_start is ACCORD_PACING_QUIET_START. Fields
// marked secret can also be read from a file named by the same variable with
// _FILE appended.
type Config struct {
	Database struct {
		URL string `toml:"url" secret:"true" help:"sqlite:PATH (embedded) or postgres://user@host:5432/dbname"`
	} `toml:"database"`
	Log struct {
		Level  string `toml:"level" help:"debug, info, warn or error"`
		Format string `toml:"format" help:"text or json"`
	} `toml:"log"`
	People struct {
		DefaultTimeZone string `toml:"default_time_zone" help:"IANA zone for people enrolled without one"`
	} `toml:"people"`
	Pacing struct {
		QuietStart       string   `toml:"quiet_start" help:"no questions or reminders from this local time..."`
		QuietEnd         string   `toml:"quiet_end" help:"...until this local time"`
		QuietDays        []string `toml:"quiet_days" help:"whole days without questions or reminders"`
		Reminders        []int    `toml:"reminders" help:"days before each reminder; then silence until the person writes"`
		ReviewEveryWeeks int      `toml:"review_every_weeks" help:"weeks from an agreement to its review, and between reviews"`
		ReviewWaitDays   int      `toml:"review_wait_days" help:"days a review waits for both people before it closes with what there is"`
		ReplyTokenDays   int      `toml:"reply_token_days" help:"days a reply address keeps working; 0 for ever"`
		UndoMinutes      int      `toml:"undo_minutes" help:"minutes a new answer waits before the partner may see it: an undo within them and they never do"`
		WeeklyOverview   bool     `toml:"weekly_overview" help:"on Monday mornings, people in two or more partnerships get one short overview of where each stands (progress only, never what anyone wrote)"`
	} `toml:"pacing"`
	Checkins struct {
		PrepHoursBefore      int  `toml:"prep_hours_before" help:"hours before a check-in each person is asked to prepare (earlier when that is quiet time)"`
		AgendaMinutesBefore  int  `toml:"agenda_minutes_before" help:"minutes before a check-in both get the agenda"`
		FollowUpMinutesAfter int  `toml:"follow_up_minutes_after" help:"minutes after a check-in the lead is asked for decisions and action items"`
		FollowUpBoth         bool `toml:"follow_up_both" help:"ask both people for decisions and action items, not only the lead"`
		PrioritiesEvery      int  `toml:"priorities_every" help:"the prep asks about priorities for the coming months at the first check-in and every this many after"`
	} `toml:"checkins"`
	Questions struct {
		File string `toml:"file" help:"question set file; empty for the built-in set"`
	} `toml:"questions"`
	Mail struct {
		Address       string `toml:"address" help:"the service mailbox people reply to"`
		Name          string `toml:"name" help:"display name on every mail"`
		PlusSeparator string `toml:"plus_separator" help:"joins mailbox and reply token: accord+TOKEN@…"`
		Support       string `toml:"support" help:"optional sentence pointing people to someone to talk to"`
		Provider      string `toml:"provider" help:"microsoft or google: fills in the mail servers and sign-in of that provider; empty for any other"`
	} `toml:"mail"`
	OAuth struct {
		Grant             string   `toml:"grant" help:"sign in with OAuth 2.0: app (client credentials), login (a person's grant, from accord mail login) or service-account (Google); empty for passwords"`
		Tenant            string   `toml:"tenant" help:"Microsoft 365: the directory (tenant) id or domain"`
		ClientID          string   `toml:"client_id" help:"the application (client) id registered with the provider"`
		ClientSecret      string   `toml:"client_secret" secret:"true" help:"the application's secret; better from ACCORD_OAUTH_CLIENT_SECRET(_FILE)"`
		ClientCertificate string   `toml:"client_certificate" help:"instead of a secret (grant app): path of a PEM file with the application's certificate and RSA key"`
		ServiceAccountKey string   `toml:"service_account_key" help:"Google: path of the service account's JSON key file (keep it readable by Accord alone)"`
		TokenURL          string   `toml:"token_url" help:"token endpoint; set by mail.provider, needed for any other provider"`
		DeviceURL         string   `toml:"device_url" help:"device authorization endpoint for accord mail login (RFC 8628); set by mail.provider"`
		AuthURL           string   `toml:"auth_url" help:"authorization endpoint for accord mail login where there is no device flow (Google); set by mail.provider"`
		Scopes            []string `toml:"scopes" help:"scopes asked for; set by mail.provider and oauth.grant"`
		TokenFile         string   `toml:"token_file" help:"keep the login's refresh token in this file (owner-only) instead of the database"`
	} `toml:"oauth"`
	IMAP struct {
		URL              string `toml:"url" secret:"true" help:"imaps://user@host:993/INBOX, imap+starttls://user@host:143 or imap://…"`
		Password         string `toml:"password" secret:"true" help:"IMAP password; better from ACCORD_IMAP_PASSWORD(_FILE)"`
		Auth             string `toml:"auth" help:"password, xoauth2 or oauthbearer; empty: OAuth (the best the server offers) when oauth.grant is set, else the password"`
		ProcessedFolder  string `toml:"processed_folder" help:"handled mail is moved here (flagged when the server cannot MOVE)"`
		QuarantineFolder string `toml:"quarantine_folder" help:"mail that kept failing is moved here"`
		MaxMessageMB     int    `toml:"max_message_mb" help:"larger mail is not read; the sender gets a notice"`
		PollSeconds      int    `toml:"poll_seconds" help:"wait between checks when the server has no IDLE"`
		BatchSize        int    `toml:"batch_size" help:"messages read from the mailbox at once; the next batch is read while one is processed"`
	} `toml:"imap"`
	Inbound struct {
		AuthServID           string `toml:"authserv_id" help:"your mail server's id in Authentication-Results; empty ignores that header"`
		RequireDMARCPass     bool   `toml:"require_dmarc_pass" help:"reject replies your server did not verify with DMARC"`
		NotifyUnknownSenders bool   `toml:"notify_unknown_senders" help:"tell strangers once a day that their mail was not matched"`
		MaxAttempts          int    `toml:"max_attempts" help:"failed tries before a message is quarantined"`
		Workers              int    `toml:"workers" help:"replies processed at once (one sender's always in order); SQLite takes them one by one anyway"`
		RetentionDays        int    `toml:"retention_days" help:"days the raw copy of a processed reply is kept for reprocessing; a daily job drops older ones"`
		ReplyBudget          int    `toml:"reply_budget" help:"most mails that go to one address in 24 hours because mail came in (next questions, receipts, notices); more are recorded, not sent"`
		NoticeBudget         int    `toml:"notice_budget" help:"of those, most notices (help, could not read, unknown sender…)"`
		EchoWindowHours      int    `toml:"echo_window_hours" help:"the same words for another question within this many hours mark an auto-responder: nothing is kept and the person is paused"`
	} `toml:"inbound"`
	Instance struct {
		Name string `toml:"name" help:"this process's name among the instances sharing the database (default: the host name); a restart under the same name takes back its unfinished work at once"`
	} `toml:"instance"`
	HTTP struct {
		Listen    string `toml:"listen" help:"address for /healthz, /readyz and /metrics; keep it on loopback or a private network"`
		PublicURL string `toml:"public_url" help:"https address at which people reach /unsubscribe/ and /agreement/ on http.listen: one-click unsubscribe (RFC 8058), and each person's own page of their agreement; empty offers only the mailto unsubscribe and no page"`
		LinkDays  int    `toml:"link_days" help:"days a link to a person's agreement page keeps working (with http.public_url)"`
		Debug     bool   `toml:"debug" help:"serve Go's profiles (net/http/pprof) under /debug/pprof/; only with http.listen on a loopback address"`
	} `toml:"http"`
	Sandbox struct {
		IMAPPort int `toml:"imap_port" help:"IMAP port of the built-in mail server in sandbox mode (0 picks one)"`
		SMTPPort int `toml:"smtp_port" help:"SMTP port of the built-in mail server in sandbox mode (0 picks one)"`
	} `toml:"sandbox"`
	SMTP struct {
		URL              string `toml:"url" secret:"true" help:"smtps://user@host:465, smtp+starttls://user@host:587 or smtp://host:25"`
		Password         string `toml:"password" secret:"true" help:"SMTP password; better from ACCORD_SMTP_PASSWORD(_FILE)"`
		Auth             string `toml:"auth" help:"password (plain or login to pick the mechanism), xoauth2 or oauthbearer; empty: OAuth (the best the server offers) when oauth.grant is set, else the password"`
		Connections      int    `toml:"connections" help:"SMTP connections (and messages) at once"`
		GiveUpAfterHours int    `toml:"give_up_after_hours" help:"stop retrying a message after this long"`
		BounceAfter      int    `toml:"bounce_after" help:"permanent failures before an address counts as bouncing"`
		VERP             bool   `toml:"verp" help:"send each message from its own bounce address (accord+b-TOKEN@…) so delivery reports are matched to it; off by itself when the server refuses that"`
	} `toml:"smtp"`

	// sources says where each key's value came from, for `config check`.
	sources map[string]string
	// lines has the line in the file of each key whose value came from it.
	lines map[string]int
	// file is the config file read, if any.
	file string
}

// defaultServiceAddress is only good for trying Accord out: real mail needs
// a mailbox of your own.
const defaultServiceAddress = "accord@localhost"

func defaultConfig() *Config {
	c := &Config{}
	c.Database.URL = "sqlite:accord.db"
	c.Log.Level, c.Log.Format = "info", "text"
	c.People.DefaultTimeZone = "UTC"
	c.Pacing.QuietStart, c.Pacing.QuietEnd = "20:00", "08:00"
	c.Pacing.QuietDays = []string{"sat", "sun"}
	c.Pacing.Reminders = []int{3, 3}
	c.Pacing.ReviewEveryWeeks = 13
	c.Pacing.ReviewWaitDays = 14
	c.Pacing.UndoMinutes = 10
	c.Pacing.WeeklyOverview = true
	c.Checkins.PrepHoursBefore, c.Checkins.AgendaMinutesBefore, c.Checkins.FollowUpMinutesAfter = 24, 60, 30
	c.Checkins.PrioritiesEvery = 6
	c.Pacing.ReplyTokenDays = 365
	c.HTTP.LinkDays = 90
	c.Mail.Address, c.Mail.Name, c.Mail.PlusSeparator = defaultServiceAddress, "Accord", "+"
	c.SMTP.Connections = 2
	c.IMAP.ProcessedFolder, c.IMAP.QuarantineFolder = "Processed", "Quarantine"
	c.IMAP.MaxMessageMB, c.IMAP.PollSeconds, c.IMAP.BatchSize = 25, 30, 100
	c.Inbound.MaxAttempts, c.Inbound.Workers = 5, 4
	c.Inbound.RetentionDays = 30
	c.Inbound.ReplyBudget, c.Inbound.NoticeBudget, c.Inbound.EchoWindowHours = 24, 4, 72
	c.SMTP.VERP = true
	c.HTTP.Listen = "127.0.0.1:8025"
	c.Instance.Name = defaultInstanceName()
	c.Sandbox.IMAPPort, c.Sandbox.SMTPPort = 1143, 1025
	c.SMTP.GiveUpAfterHours, c.SMTP.BounceAfter = 72, 3
	return c
}

// defaultInstanceName is the host name: one instance per machine needs no
// setting, and one that restarts there finds its unfinished work again.
func defaultInstanceName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "accord"
}

// ConfigError lists every problem found in the configuration.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string {
	if len(e.Problems) == 1 {
		return "configuration: " + e.Problems[0]
	}
	return fmt.Sprintf("configuration: %s:\n  %s", templates.Count(len(e.Problems), "problem"), strings.Join(e.Problems, "\n  "))
}

// problem is one thing wrong with the configuration; line is its line in
// the file, 0 when it did not come from there.
type problem struct {
	line int
	text string
}

// configError sorts the problems by line, those from the file first, and
// returns them as one error, or nil when there are none.
func configError(ps []problem) error {
	if len(ps) == 0 {
		return nil
	}
	slices.SortStableFunc(ps, func(a, b problem) int {
		switch {
		case a.line == b.line:
			return 0
		case a.line == 0:
			return 1
		case b.line == 0:
			return -1
		}
		return cmp.Compare(a.line, b.line)
	})
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = p.text
	}
	return &ConfigError{texts}
}

// loadConfig reads defaults, then the file (path, or accord.toml when
// present and path is empty), then the environment, and validates the
// result. Every problem found is reported at once, those in the file with
// their line.
func loadConfig(path string, env func(string) string) (*Config, error) {
	c := defaultConfig()
	c.sources, c.lines = map[string]string{}, map[string]int{}
	explicit := path != ""
	if path == "" {
		path = "accord.toml"
	}
	var problems []problem
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		c.file = path
		ps, err := c.decode(path, data)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
	case errors.Is(err, os.ErrNotExist) && !explicit:
	default:
		return nil, fmt.Errorf("configuration: cannot read %s: %w", path, err)
	}
	c.eachField(func(key, envName string, f reflect.Value, tag reflect.StructTag) {
		if v := env(envName); v != "" {
			if err := setField(f, v); err != nil {
				problems = append(problems, problem{text: fmt.Sprintf("%s=%q: %v", envName, v, err)})
			}
			c.sources[key] = envName
			delete(c.lines, key)
		}
		if tag.Get("secret") == "true" {
			if file := env(envName + "_FILE"); file != "" {
				b, err := os.ReadFile(file)
				if err != nil {
					problems = append(problems, problem{text: fmt.Sprintf("%s_FILE: cannot read %s: %v", envName, file, err)})
					return
				}
				f.SetString(strings.TrimSpace(string(b)))
				c.sources[key] = envName + "_FILE"
				delete(c.lines, key)
			}
		}
	})
	c.applyProvider()
	problems = append(problems, c.validate(len(problems) == 0)...)
	if err := configError(problems); err != nil {
		return nil, err
	}
	return c, nil
}

// eachField calls fn for every setting with its dotted key and variable name.
func (c *Config) eachField(fn func(key, env string, f reflect.Value, tag reflect.StructTag)) {
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		section := sf.Tag.Get("toml")
		if section == "" {
			continue
		}
		sv := v.Field(i)
		for j := range sv.NumField() {
			kf := sv.Type().Field(j)
			key := kf.Tag.Get("toml")
			env := "ACCORD_" + strings.ToUpper(section+"_"+key)
			fn(section+"."+key, env, sv.Field(j), kf.Tag)
		}
	}
}

// setField parses an environment value into a setting.
func setField(f reflect.Value, v string) error {
	switch f.Kind() {
	case reflect.String:
		f.SetString(v)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not true or false")
		}
		f.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not a whole number")
		}
		f.SetInt(int64(n))
	case reflect.Slice:
		parts := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
		s := reflect.MakeSlice(f.Type(), len(parts), len(parts))
		for i, p := range parts {
			if err := setField(s.Index(i), p); err != nil {
				return err
			}
		}
		f.Set(s)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// validate checks every setting and returns all its problems; whole, when
// nothing else was wrong, adds the checks of the settings taken together.
func (c *Config) validate(whole bool) []problem {
	var ps []problem
	bad := func(key, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if line, ok := c.lines[key]; ok {
			ps = append(ps, problem{line, fmt.Sprintf("%s:%d: %s: %s", c.file, line, key, msg)})
			return
		}
		where := c.sources[key]
		if where == "" {
			where = "default"
		}
		ps = append(ps, problem{text: fmt.Sprintf("%s (%s): %s", key, where, msg)})
	}
	u := c.Database.URL
	if !strings.HasPrefix(u, "sqlite:") && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("database.url", "%q is neither sqlite:PATH nor postgres://…", store.Redact(u))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if c.People.DefaultTimeZone == "" {
		bad("people.default_time_zone", "is empty; use an IANA name such as Europe/Berlin")
	} else if err := checkZone(c.People.DefaultTimeZone); err != nil {
		bad("people.default_time_zone", "%v", err)
	}
	if _, err := conversation.ParseClockTime(c.Pacing.QuietStart); err != nil {
		bad("pacing.quiet_start", "%v", err)
	}
	if _, err := conversation.ParseClockTime(c.Pacing.QuietEnd); err != nil {
		bad("pacing.quiet_end", "%v", err)
	}
	for _, d := range c.Pacing.QuietDays {
		if _, ok := weekdays[strings.ToLower(d)]; !ok {
			bad("pacing.quiet_days", "%q is not a day; use mon, tue, wed, thu, fri, sat, sun", d)
		}
	}
	for _, d := range c.Pacing.Reminders {
		if d < 1 || d > 60 {
			bad("pacing.reminders", "%d days: each wait must be between 1 and 60 days", d)
		}
	}
	if len(c.Pacing.Reminders) > 5 {
		bad("pacing.reminders", "%d reminders is pushy; use at most 5", len(c.Pacing.Reminders))
	}
	if c.Pacing.ReviewEveryWeeks < 1 || c.Pacing.ReviewEveryWeeks > 104 {
		bad("pacing.review_every_weeks", "%d: use between 1 and 104 weeks", c.Pacing.ReviewEveryWeeks)
	}
	if limit := int(conversation.MaxRevealGrace / time.Minute); c.Pacing.UndoMinutes < 0 || c.Pacing.UndoMinutes > limit {
		bad("pacing.undo_minutes", "%d: use between 0 (answers are shown at once) and %d minutes", c.Pacing.UndoMinutes, limit)
	}
	if c.Pacing.ReviewWaitDays < 1 || c.Pacing.ReviewWaitDays >= c.Pacing.ReviewEveryWeeks*7 {
		bad("pacing.review_wait_days", "%d: use at least 1 day, and fewer days than there are between reviews (%d)", c.Pacing.ReviewWaitDays, c.Pacing.ReviewEveryWeeks*7)
	}
	if c.Pacing.ReplyTokenDays < 0 {
		bad("pacing.reply_token_days", "%d: use 0 (never expire) or more days", c.Pacing.ReplyTokenDays)
	}
	var ie *mailout.IdentityError
	if err := c.Identity().Validate(); errors.As(err, &ie) {
		key := map[string]string{"address": "mail.address", "separator": "mail.plus_separator", "name": "mail.name"}[ie.Field]
		bad(key, "%v", ie)
	}
	if c.SMTP.URL != "" {
		if _, err := mailout.ParseSMTPURL(c.SMTP.URL); err != nil {
			bad("smtp.url", "%v", err)
		}
	}
	if c.IMAP.URL != "" {
		if _, err := mailin.ParseIMAPURL(c.IMAP.URL); err != nil {
			bad("imap.url", "%v", err)
		}
	}
	if c.IMAP.MaxMessageMB < 1 || c.IMAP.MaxMessageMB > 200 {
		bad("imap.max_message_mb", "%d: use 1 to 200", c.IMAP.MaxMessageMB)
	}
	if c.IMAP.PollSeconds < 5 || c.IMAP.PollSeconds > 3600 {
		bad("imap.poll_seconds", "%d: use 5 to 3600", c.IMAP.PollSeconds)
	}
	if c.IMAP.BatchSize < 1 || c.IMAP.BatchSize > 1000 {
		bad("imap.batch_size", "%d: use 1 to 1000", c.IMAP.BatchSize)
	}
	if c.Inbound.MaxAttempts < 1 || c.Inbound.MaxAttempts > 100 {
		bad("inbound.max_attempts", "%d: use 1 to 100", c.Inbound.MaxAttempts)
	}
	if c.Inbound.RequireDMARCPass && c.Inbound.AuthServID == "" {
		bad("inbound.require_dmarc_pass", "needs inbound.authserv_id: say which server's verdict to trust")
	}
	if c.Inbound.RetentionDays < 1 || c.Inbound.RetentionDays > 3650 {
		bad("inbound.retention_days", "%d: use 1 to 3650 days", c.Inbound.RetentionDays)
	}
	if c.Inbound.Workers < 1 || c.Inbound.Workers > 64 {
		bad("inbound.workers", "%d: use 1 to 64", c.Inbound.Workers)
	}
	if c.Inbound.ReplyBudget < 1 || c.Inbound.ReplyBudget > 1000 {
		bad("inbound.reply_budget", "%d: use 1 to 1000 mails a day; a person answering every question needs about 20", c.Inbound.ReplyBudget)
	}
	if c.Inbound.NoticeBudget < 1 || c.Inbound.NoticeBudget > c.Inbound.ReplyBudget {
		bad("inbound.notice_budget", "%d: use 1 to inbound.reply_budget (%d)", c.Inbound.NoticeBudget, c.Inbound.ReplyBudget)
	}
	if c.Inbound.EchoWindowHours < 1 || c.Inbound.EchoWindowHours > 24*60 {
		bad("inbound.echo_window_hours", "%d: use 1 to 1440 hours", c.Inbound.EchoWindowHours)
	}
	if n := c.Instance.Name; n == "" || len(n) > 100 || strings.ContainsAny(n, "@\x00\r\n") {
		bad("instance.name", "%q: use a short name without @, such as the host name", n)
	}
	if c.HTTP.PublicURL != "" {
		u, err := url.Parse(c.HTTP.PublicURL)
		loopback := err == nil && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback())
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || !(u.Scheme == "https" || (u.Scheme == "http" && loopback)) {
			bad("http.public_url", "%q: use an https address without query, like https://accord.example.com", c.HTTP.PublicURL)
		}
	}
	if c.HTTP.LinkDays < 1 || c.HTTP.LinkDays > 366 {
		bad("http.link_days", "%d: use 1 to 366 days", c.HTTP.LinkDays)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		bad("http.listen", "%q is not host:port, like 127.0.0.1:8025", c.HTTP.Listen)
	} else if c.HTTP.Debug && !loopbackListen(c.HTTP.Listen) {
		bad("http.debug", "profiles show the process's memory and must stay on this machine: set http.listen to a loopback address such as 127.0.0.1:8025 (now %q), or turn http.debug off", c.HTTP.Listen)
	}
	for _, p := range []struct {
		key  string
		port int
	}{{"sandbox.imap_port", c.Sandbox.IMAPPort}, {"sandbox.smtp_port", c.Sandbox.SMTPPort}} {
		if p.port < 0 || p.port > 65535 {
			bad(p.key, "%d is not a port number", p.port)
		}
	}
	switch c.SMTP.Auth {
	case "", "plain", "login", "password":
	case "xoauth2", "oauthbearer":
		if c.OAuth.Grant == "" {
			bad("smtp.auth", "%q needs oauth.grant: say where the access tokens come from", c.SMTP.Auth)
		}
	default:
		bad("smtp.auth", "%q: use password (or plain, login), xoauth2 or oauthbearer", c.SMTP.Auth)
	}
	c.validateOAuth(bad)
	if c.SMTP.Connections < 1 || c.SMTP.Connections > 32 {
		bad("smtp.connections", "%d: use 1 to 32", c.SMTP.Connections)
	}
	if c.SMTP.GiveUpAfterHours < 1 {
		bad("smtp.give_up_after_hours", "%d: use at least 1 hour", c.SMTP.GiveUpAfterHours)
	}
	if c.SMTP.BounceAfter < 1 {
		bad("smtp.bounce_after", "%d: use at least 1", c.SMTP.BounceAfter)
	}
	if c.Checkins.PrioritiesEvery < 0 {
		bad("checkins.priorities_every", "%d: use 0 (never) or more", c.Checkins.PrioritiesEvery)
	}
	if h := c.Checkins.PrepHoursBefore; h < 2 || h > 7*24 {
		bad("checkins.prep_hours_before", "%d: use 2 to 168 hours", h)
	}
	if m := c.Checkins.AgendaMinutesBefore; m < 5 || m >= c.Checkins.PrepHoursBefore*60 {
		bad("checkins.agenda_minutes_before", "%d: use at least 5 minutes, and less than the prep's %d hours", m, c.Checkins.PrepHoursBefore)
	}
	if m := c.Checkins.FollowUpMinutesAfter; m < 0 || m > 24*60 {
		bad("checkins.follow_up_minutes_after", "%d: use 0 to 1440 minutes", m)
	}
	if whole && len(ps) == 0 {
		if err := c.Rules().Validate(); err != nil {
			section := "pacing"
			if errors.Is(err, conversation.ErrCheckinRules) {
				section = "checkins"
			}
			bad(section, "%v", err)
		}
	}
	return ps
}

// loopbackListen says whether a listen address (host:port) takes
// connections from this machine only: a loopback IP or localhost. An empty
// host listens on every interface.
func loopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Rules converts the pacing settings for the domain. Only call it on a
// validated config.
func (c *Config) Rules() conversation.Rules {
	start, _ := conversation.ParseClockTime(c.Pacing.QuietStart)
	end, _ := conversation.ParseClockTime(c.Pacing.QuietEnd)
	r := conversation.Rules{
		Quiet:       conversation.QuietHours{Start: start, End: end},
		Reminders:   append([]int{}, c.Pacing.Reminders...),
		ReviewEvery: time.Duration(c.Pacing.ReviewEveryWeeks) * 7 * 24 * time.Hour,
		ReviewWait:  time.Duration(c.Pacing.ReviewWaitDays) * 24 * time.Hour,
		RevealGrace: time.Duration(c.Pacing.UndoMinutes) * time.Minute,
		Checkins: conversation.CheckinRules{
			PrepBefore:      time.Duration(c.Checkins.PrepHoursBefore) * time.Hour,
			AgendaBefore:    time.Duration(c.Checkins.AgendaMinutesBefore) * time.Minute,
			FollowUpAfter:   time.Duration(c.Checkins.FollowUpMinutesAfter) * time.Minute,
			FollowUpBoth:    c.Checkins.FollowUpBoth,
			PrioritiesEvery: c.Checkins.PrioritiesEvery,
			FirstAfter:      conversation.DefaultCheckinRules.FirstAfter,
		},
	}
	for _, d := range c.Pacing.QuietDays {
		r.Quiet.Days = append(r.Quiet.Days, weekdays[strings.ToLower(d)])
	}
	return r
}

// Identity is who the mail comes from.
func (c *Config) Identity() mailout.Identity {
	id := mailout.Identity{Name: c.Mail.Name, Address: c.Mail.Address, Separator: c.Mail.PlusSeparator, Support: c.Mail.Support}
	if c.HTTP.PublicURL != "" {
		id.UnsubscribeURL = strings.TrimRight(c.HTTP.PublicURL, "/") + UnsubscribePath
		id.AgreementURL = strings.TrimRight(c.HTTP.PublicURL, "/") + AgreementPath
	}
	return id
}

// sandboxMode says whether no mail server is configured, so serve runs its
// own.
func (c *Config) sandboxMode() bool { return c.IMAP.URL == "" && c.SMTP.URL == "" }

// SMTPConfig is the outgoing server, or an error when none is configured.
func (c *Config) SMTPConfig() (mailout.SMTPConfig, error) {
	if c.SMTP.URL == "" {
		return mailout.SMTPConfig{}, errors.New("no SMTP server configured: set smtp.url (or ACCORD_SMTP_URL), e.g. smtps://accord@mail.example.com:465")
	}
	sc, err := mailout.ParseSMTPURL(c.SMTP.URL)
	if err != nil {
		return mailout.SMTPConfig{}, err
	}
	if c.SMTP.Password != "" {
		sc.Password = c.SMTP.Password
	}
	if sc.Auth == "" {
		sc.Auth = c.SMTP.Auth
	}
	switch sc.Auth {
	case "xoauth2", "oauthbearer":
		sc.Mechanism = mailauth.Mechanism(sc.Auth)
	}
	sc.Connections = c.SMTP.Connections
	return sc, nil
}

// IMAPConfig is the service mailbox, or an error when none is configured.
func (c *Config) IMAPConfig() (mailin.IMAPConfig, error) {
	if c.IMAP.URL == "" {
		return mailin.IMAPConfig{}, errors.New("no mailbox configured: set imap.url (or ACCORD_IMAP_URL), e.g. imaps://accord@mail.example.com:993/INBOX")
	}
	ic, err := mailin.ParseIMAPURL(c.IMAP.URL)
	if err != nil {
		return mailin.IMAPConfig{}, err
	}
	if c.IMAP.Password != "" {
		ic.Password = c.IMAP.Password
	}
	ic.Processed, ic.Quarantine = c.IMAP.ProcessedFolder, c.IMAP.QuarantineFolder
	if c.OAuth.Grant != "" && c.IMAP.Auth != "password" {
		ic.Mechanism, _ = mailauth.ParseMechanism(c.IMAP.Auth)
	}
	return ic, nil
}

// write prints the effective configuration as TOML, secrets masked, each
// value annotated with where it came from.
func (c *Config) write(w io.Writer) {
	if c.file != "" {
		fmt.Fprintf(w, "# configuration file: %s\n", c.file)
	} else {
		fmt.Fprintln(w, "# no configuration file; defaults and environment only")
	}
	section := ""
	c.eachField(func(key, env string, f reflect.Value, tag reflect.StructTag) {
		sec, name, _ := strings.Cut(key, ".")
		if sec != section {
			fmt.Fprintf(w, "\n[%s]\n", sec)
			section = sec
		}
		val := f.Interface()
		if tag.Get("secret") == "true" {
			val = redactSecret(key, f.String())
		}
		b, _ := toml.Marshal(map[string]any{name: val})
		src := c.sources[key]
		if src == "" {
			src = "default"
		}
		fmt.Fprintf(w, "%-40s # %s; %s (%s)\n", strings.TrimSpace(string(b)), tag.Get("help"), src, env)
	})
}

// redactSecret masks a secret for display: passwords entirely, URLs down to
// everything but their password.
func redactSecret(key, v string) string {
	switch {
	case v == "":
		return ""
	case strings.HasSuffix(key, "password"), strings.HasSuffix(key, "secret"):
		return "xxxxx"
	}
	return store.Redact(v)
}
