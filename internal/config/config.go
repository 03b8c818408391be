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
// _FILE appended. What each setting is for, as config check says it, is the
// operator text setting.SECTION.KEY.
type Config struct {
	Database struct {
		URL string `toml:"url" secret:"true"`
	} `toml:"database"`
	Log struct {
		Level  string `toml:"level"`
		Format string `toml:"format"`
	} `toml:"log"`
	People struct {
		DefaultTimeZone string `toml:"default_time_zone"`
		DefaultLanguage string `toml:"default_language"`
	} `toml:"people"`
	Pacing struct {
		QuietStart       string   `toml:"quiet_start"`
		QuietEnd         string   `toml:"quiet_end"`
		QuietDays        []string `toml:"quiet_days"`
		Reminders        []int    `toml:"reminders"`
		ReviewEveryWeeks int      `toml:"review_every_weeks"`
		ReviewWaitDays   int      `toml:"review_wait_days"`
		ReplyTokenDays   int      `toml:"reply_token_days"`
		UndoMinutes      int      `toml:"undo_minutes"`
		WeeklyOverview   bool     `toml:"weekly_overview"`
	} `toml:"pacing"`
	Checkins struct {
		PrepHoursBefore      int  `toml:"prep_hours_before"`
		AgendaMinutesBefore  int  `toml:"agenda_minutes_before"`
		FollowUpMinutesAfter int  `toml:"follow_up_minutes_after"`
		FollowUpBoth         bool `toml:"follow_up_both"`
		PrioritiesEvery      int  `toml:"priorities_every"`
	} `toml:"checkins"`
	Questions struct {
		File string `toml:"file"`
	} `toml:"questions"`
	Mail struct {
		Address       string `toml:"address"`
		Name          string `toml:"name"`
		PlusSeparator string `toml:"plus_separator"`
		Support       string `toml:"support"`
		Provider      string `toml:"provider"`
	} `toml:"mail"`
	OAuth struct {
		Grant             string   `toml:"grant"`
		Tenant            string   `toml:"tenant"`
		ClientID          string   `toml:"client_id"`
		ClientSecret      string   `toml:"client_secret" secret:"true"`
		ClientCertificate string   `toml:"client_certificate"`
		ServiceAccountKey string   `toml:"service_account_key"`
		TokenURL          string   `toml:"token_url"`
		DeviceURL         string   `toml:"device_url"`
		AuthURL           string   `toml:"auth_url"`
		Scopes            []string `toml:"scopes"`
		TokenFile         string   `toml:"token_file"`
	} `toml:"oauth"`
	IMAP struct {
		URL              string `toml:"url" secret:"true"`
		Password         string `toml:"password" secret:"true"`
		Auth             string `toml:"auth"`
		ProcessedFolder  string `toml:"processed_folder"`
		QuarantineFolder string `toml:"quarantine_folder"`
		MaxMessageMB     int    `toml:"max_message_mb"`
		PollSeconds      int    `toml:"poll_seconds"`
		BatchSize        int    `toml:"batch_size"`
	} `toml:"imap"`
	Inbound struct {
		AuthServID           string `toml:"authserv_id"`
		RequireDMARCPass     bool   `toml:"require_dmarc_pass"`
		NotifyUnknownSenders bool   `toml:"notify_unknown_senders"`
		MaxAttempts          int    `toml:"max_attempts"`
		Workers              int    `toml:"workers"`
		RetentionDays        int    `toml:"retention_days"`
		ReplyBudget          int    `toml:"reply_budget"`
		NoticeBudget         int    `toml:"notice_budget"`
		EchoWindowHours      int    `toml:"echo_window_hours"`
	} `toml:"inbound"`
	Instance struct {
		Name string `toml:"name"`
	} `toml:"instance"`
	HTTP struct {
		Listen    string `toml:"listen"`
		PublicURL string `toml:"public_url"`
		LinkDays  int    `toml:"link_days"`
		Debug     bool   `toml:"debug"`
	} `toml:"http"`
	Sandbox struct {
		IMAPPort int `toml:"imap_port"`
		SMTPPort int `toml:"smtp_port"`
	} `toml:"sandbox"`
	SMTP struct {
		URL              string `toml:"url" secret:"true"`
		Password         string `toml:"password" secret:"true"`
		Auth             string `toml:"auth"`
		Connections      int    `toml:"connections"`
		GiveUpAfterHours int    `toml:"give_up_after_hours"`
		BounceAfter      int    `toml:"bounce_after"`
		VERP             bool   `toml:"verp"`
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
		return templates.Operator("configuration.error.one", templates.Args{"Problem": e.Problems[0]})
	}
	return templates.Operator("configuration.error.many", templates.Args{"Count": len(e.Problems), "Problems": strings.Join(e.Problems, "\n  ")})
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
		return nil, fmt.Errorf("%s: %w", templates.Operator("configuration.unreadable", templates.Args{"File": path}), err)
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
					problems = append(problems, problem{text: templates.Operator("configuration.env-file-unreadable", templates.Args{"Var": envName + "_FILE", "File": file, "Err": err})})
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
			return errors.New(templates.Operator("configuration.env.not-bool", nil))
		}
		f.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return errors.New(templates.Operator("configuration.env.not-int", nil))
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
		return errors.New(templates.Operator("configuration.env.unsettable", nil))
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
		return mailout.SMTPConfig{}, errors.New(templates.Operator("configuration.no-smtp", nil))
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
		return mailin.IMAPConfig{}, errors.New(templates.Operator("configuration.no-imap", nil))
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
