// Package config is what an operator can set: the Config type in the
// shape of accord.toml, its defaults, loading it from the file and the
// environment (with *_FILE secrets), showing it with secrets masked, and
// checking it. Each setting's checks are declared once, in the table of
// options.go, from small validators; where a rule belongs to the domain
// (pacing, check-in timing) the check is the domain's own, worded here in
// the setting's units. It also turns the settings into what the other
// packages take: the pacing Rules, the mail Identity, the SMTP and IMAP
// configuration and the OAuth token source.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"accord/conversation"
	"accord/mailin"
	"accord/mailout"
	"accord/mailout/mailauth"
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
		DefaultLanguage string `toml:"default_language" help:"language of people enrolled without one: en, fr, de or es"`
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

// DefaultServiceAddress is the service mailbox when none is set: only good
// for trying Accord out, since real mail needs a mailbox of your own.
const DefaultServiceAddress = "accord@localhost"

// Default is the configuration before the file and the environment: it
// runs Accord in sandbox mode on a SQLite file in the working folder.
func Default() *Config {
	c := &Config{}
	c.Database.URL = "sqlite:accord.db"
	c.Log.Level, c.Log.Format = "info", "text"
	c.People.DefaultTimeZone = "UTC"
	c.People.DefaultLanguage = "en"
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
	c.Mail.Address, c.Mail.Name, c.Mail.PlusSeparator = DefaultServiceAddress, "Accord", "+"
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

// Error lists every problem found in the configuration, so that one run
// names them all; a configuration with one cannot fix itself by waiting.
type Error struct{ Problems []string }

func (e *Error) Error() string {
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

// newError sorts the problems by line, those from the file first, and
// returns them as one *Error, or nil when there are none.
func newError(ps []problem) error {
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
	return &Error{texts}
}

// Load reads the defaults, then the file (path, or accord.toml when
// present and path is empty), then the environment through env, and
// validates the result. Every problem found is reported at once, as an
// *Error, those in the file with their line.
func Load(path string, env func(string) string) (*Config, error) {
	c := Default()
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
	problems = append(problems, c.validate()...)
	if err := newError(problems); err != nil {
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

// Rules converts the pacing settings for the domain. On a configuration
// that is not valid it gives rules that Rules.Validate refuses, never
// ones that wrapped round to look valid.
func (c *Config) Rules() conversation.Rules {
	start, _ := conversation.ParseClockTime(c.Pacing.QuietStart)
	end, _ := conversation.ParseClockTime(c.Pacing.QuietEnd)
	r := conversation.Rules{
		Quiet:       conversation.QuietHours{Start: start, End: end},
		Reminders:   append([]int{}, c.Pacing.Reminders...),
		ReviewEvery: scale(c.Pacing.ReviewEveryWeeks, week),
		ReviewWait:  scale(c.Pacing.ReviewWaitDays, day),
		RevealGrace: scale(c.Pacing.UndoMinutes, time.Minute),
		Checkins: conversation.CheckinRules{
			PrepBefore:      scale(c.Checkins.PrepHoursBefore, time.Hour),
			AgendaBefore:    scale(c.Checkins.AgendaMinutesBefore, time.Minute),
			FollowUpAfter:   scale(c.Checkins.FollowUpMinutesAfter, time.Minute),
			FollowUpBoth:    c.Checkins.FollowUpBoth,
			PrioritiesEvery: c.Checkins.PrioritiesEvery,
			FirstAfter:      conversation.DefaultCheckinRules.FirstAfter,
		},
	}
	for _, d := range c.Pacing.QuietDays {
		if wd, ok := weekdays[strings.ToLower(d)]; ok {
			r.Quiet.Days = append(r.Quiet.Days, wd)
		}
	}
	return r
}

// The units of the settings that are durations.
const (
	day  = 24 * time.Hour
	week = 7 * day
)

// scale is n units as a duration, held at the longest (or shortest)
// duration there is where n units would overflow it.
func scale(n int, unit time.Duration) time.Duration {
	switch {
	case n > 0 && time.Duration(n) > math.MaxInt64/unit:
		return math.MaxInt64
	case n < 0 && time.Duration(n) < math.MinInt64/unit:
		return math.MinInt64
	}
	return time.Duration(n) * unit
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

// The paths of http.listen that mail links to, a token after each.
// Operators who set http.public_url route them, and only them, from the
// public address to http.listen.
const (
	// UnsubscribePath is where one-click unsubscribes (RFC 8058) are
	// posted, a reply token after it.
	UnsubscribePath = "/unsubscribe/"
	// AgreementPath is where a person's own page of their agreement is
	// served, a link token after it.
	AgreementPath = "/agreement/"
)

// SandboxMode says whether no mail server is configured, so serve runs its
// own.
func (c *Config) SandboxMode() bool { return c.IMAP.URL == "" && c.SMTP.URL == "" }

// SandboxDir is where sandbox mode keeps what lasts between runs (its
// password): the folder of the SQLite database, or with PostgreSQL the
// folder of the configuration file, or else the working folder.
func (c *Config) SandboxDir() string {
	if path, ok := strings.CutPrefix(c.Database.URL, "sqlite:"); ok {
		return filepath.Dir(strings.TrimPrefix(path, "//"))
	}
	if c.file != "" {
		return filepath.Dir(c.file)
	}
	return "."
}

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
