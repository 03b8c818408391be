package config

import (
	"errors"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"accord/conversation"
	"accord/mailout"
	"accord/mailout/mailauth"
	"accord/store"
	"accord/templates"
)

// The validators of the settings. Each takes a value, and what else the
// check needs, and says what is wrong with it in words that follow the
// setting's name: "imap.batch_size (default): 0: use 1 to 1000", the
// operator texts configuration.*. nil is a value that passes.

// oneOf accepts one of choices.
func oneOf(v string, choices ...string) error {
	switch {
	case slices.Contains(choices, v):
		return nil
	case len(choices) == 2:
		return errors.New(templates.Operator("configuration.not-either", templates.Args{"Value": v, "A": choices[0], "B": choices[1]}))
	}
	return errors.New(templates.Operator("configuration.not-one-of", templates.Args{"Value": v, "Choices": strings.Join(choices, ", ")}))
}

// between accepts lo to hi; unit follows the numbers in the advice, as
// an operator text (configuration.unit.*) or nothing.
func between(n, lo, hi int, unit string) error {
	if n < lo || n > hi {
		return errors.New(templates.Operator("configuration.between", templates.Args{"N": n, "Lo": lo, "Hi": hi, "Unit": unit}))
	}
	return nil
}

// atLeast accepts lo or more.
func atLeast(n, lo int, unit string) error {
	if n < lo {
		return errors.New(templates.Operator("configuration.at-least", templates.Args{"N": n, "Lo": lo, "Unit": unit}))
	}
	return nil
}

// zeroOrMore accepts 0, which means what zero says, or more.
func zeroOrMore(n int, zero, unit string) error {
	if n < 0 {
		return errors.New(templates.Operator("configuration.zero-or-more", templates.Args{"N": n, "Zero": zero, "Unit": unit}))
	}
	return nil
}

// upToSetting accepts 1 to the value of another setting.
func upToSetting(n int, key string, limit int) error {
	if n < 1 || n > limit {
		return errors.New(templates.Operator("configuration.up-to-setting", templates.Args{"N": n, "Key": key, "Limit": limit}))
	}
	return nil
}

// port accepts a TCP port, or 0 for any free one.
func port(n int) error {
	if n < 0 || n > 65535 {
		return errors.New(templates.Operator("configuration.not-a-port", templates.Args{"N": n}))
	}
	return nil
}

// needed accepts any value but none; why says what needs it, as an
// operator text (configuration.why.*).
func needed(v, why string) error {
	if v == "" {
		return errors.New(templates.Operator("configuration.needed", templates.Args{"Why": why}))
	}
	return nil
}

// neededOr accepts any value but none, where the setting named other
// would do instead.
func neededOr(v, other, why string) error {
	if v == "" {
		return errors.New(templates.Operator("configuration.needed-or", templates.Args{"Other": other, "Why": why}))
	}
	return nil
}

// needsSetting accepts a switch that is off, or on with the setting key it
// relies on set (to v); why says what for.
func needsSetting(on bool, v, key, why string) error {
	if on && v == "" {
		return errors.New(templates.Operator("configuration.needs-setting", templates.Args{"Key": key, "Why": why}))
	}
	return nil
}

// when is the check's problem if cond holds, else none: a check that
// applies only with some other setting.
func when(cond bool, err error) error {
	if !cond {
		return nil
	}
	return err
}

// ifSet checks a value that may be left empty with parse.
func ifSet(v string, parse func(string) error) error {
	if v == "" {
		return nil
	}
	return parse(v)
}

// databaseURL accepts the databases the store opens.
func databaseURL(u string) error {
	if !strings.HasPrefix(u, "sqlite:") && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		return errors.New(templates.Operator("configuration.database-url", templates.Args{"URL": store.Redact(u)}))
	}
	return nil
}

// timeZone accepts the zone of a place, as CheckZone does.
func timeZone(name string) error {
	if name == "" {
		return errors.New(templates.Operator("configuration.zone-empty", nil))
	}
	return CheckZone(name)
}

// clockTime accepts a time of day as the domain reads it.
func clockTime(s string) error {
	_, err := conversation.ParseClockTime(s)
	return err
}

// weekdays are the names of the days in pacing.quiet_days.
var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// weekdayNames accepts days written as three letters, in any case.
func weekdayNames(days []string) error {
	var errs []error
	for _, d := range days {
		if _, ok := weekdays[strings.ToLower(d)]; !ok {
			errs = append(errs, errors.New(templates.Operator("configuration.not-a-day", templates.Args{"Day": d})))
		}
	}
	return errors.Join(errs...)
}

// reminders accepts waits the domain can keep to and up to
// maxReminderDays each, and no more than maxReminders of them.
func reminders(days []int, rules broken) error {
	var errs []error
	for i, d := range days {
		if rules.breaks(conversation.RuleReminder, i) || d > maxReminderDays {
			errs = append(errs, errors.New(templates.Operator("configuration.reminder-days", templates.Args{"N": d, "Min": conversation.MinReminderDays, "Max": maxReminderDays})))
		}
	}
	if len(days) > maxReminders {
		errs = append(errs, errors.New(templates.Operator("configuration.reminders", templates.Args{"N": len(days), "Max": maxReminders})))
	}
	return errors.Join(errs...)
}

// reviewEvery accepts a review period the domain can keep to, up to
// maxReviewEveryWeeks.
func reviewEvery(weeks int, rules broken) error {
	if rules.breaks(conversation.RuleReviewEvery, 0) || weeks > maxReviewEveryWeeks {
		return errors.New(templates.Operator("configuration.review-every", templates.Args{"N": weeks, "Min": int(conversation.MinReviewEvery / week), "Max": maxReviewEveryWeeks}))
	}
	return nil
}

// identity is the problem the mail identity has with one of its fields
// (address, separator or name), if any.
func identity(id mailout.Identity, field string) error {
	var ie *mailout.IdentityError
	if err := id.Validate(); errors.As(err, &ie) && ie.Field == field {
		return ie
	}
	return nil
}

// instanceName accepts a short name that can go into a worker's name.
func instanceName(n string) error {
	if n == "" || len(n) > 100 || strings.ContainsAny(n, "@\x00\r\n") {
		return errors.New(templates.Operator("configuration.instance-name", templates.Args{"Name": n}))
	}
	return nil
}

// publicURL accepts an https address without query, fragment or user, or
// an http one on this machine; or nothing.
func publicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	loopback := err == nil && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback())
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || !(u.Scheme == "https" || (u.Scheme == "http" && loopback)) {
		return errors.New(templates.Operator("configuration.public-url", templates.Args{"URL": s}))
	}
	return nil
}

// hostPort accepts an address to listen on.
func hostPort(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return errors.New(templates.Operator("configuration.host-port", templates.Args{"Address": addr}))
	}
	return nil
}

// profilesOnLoopback accepts Go's profiles (debug) only on a listener
// that takes connections from this machine alone. A listen address that
// is not one at all is http.listen's problem, not this.
func profilesOnLoopback(debug bool, listen string) error {
	if debug && hostPort(listen) == nil && !LoopbackListen(listen) {
		return errors.New(templates.Operator("configuration.profiles-off-loopback", templates.Args{"Listen": listen}))
	}
	return nil
}

// LoopbackListen says whether a listen address (host:port) takes
// connections from this machine only: a loopback IP or localhost. An empty
// host listens on every interface.
func LoopbackListen(addr string) bool {
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

// smtpAuth accepts the SMTP sign-ins there are; those with tokens need a
// grant to get them from.
func smtpAuth(auth, grant string) error {
	switch auth {
	case "", "plain", "login", "password":
		return nil
	case "xoauth2", "oauthbearer":
		return tokensFrom(auth, grant)
	}
	return errors.New(templates.Operator("configuration.smtp-auth", templates.Args{"Auth": auth}))
}

// imapAuth accepts the IMAP sign-ins there are; those with tokens need a
// grant to get them from.
func imapAuth(auth, grant string) error {
	m, err := mailauth.ParseMechanism(auth)
	if err != nil {
		return err
	}
	if m != "" && m != mailauth.Password {
		return tokensFrom(auth, grant)
	}
	return nil
}

// tokensFrom accepts a sign-in with tokens when there is a grant.
func tokensFrom(auth, grant string) error {
	if grant == "" {
		return errors.New(templates.Operator("configuration.tokens-need-grant", templates.Args{"Auth": auth}))
	}
	return nil
}

// mailProvider accepts the providers with a preset, or none.
func mailProvider(p string) error {
	if _, ok := providers[p]; !ok && p != "" {
		return errors.New(templates.Operator("configuration.provider", templates.Args{"Provider": p}))
	}
	return nil
}

// grant accepts the OAuth grants there are, for the provider set.
func grant(g, provider string) error {
	switch g {
	case "", "login", "service-account":
		return nil
	case "app":
		if provider == "google" {
			return errors.New(templates.Operator("configuration.google-app", nil))
		}
		return nil
	}
	return errors.New(templates.Operator("configuration.grant", templates.Args{"Grant": g}))
}

// clientCertificate accepts, for grant app, a certificate file that
// loads, or none (the secret is used).
func clientCertificate(grant, path string) error {
	if grant != "app" || path == "" {
		return nil
	}
	_, err := mailauth.LoadCertificate(path)
	return err
}

// serviceAccountKey accepts, for grant service-account, a key file that
// can be read.
func serviceAccountKey(grant, path string) error {
	if grant != "service-account" {
		return nil
	}
	if err := needed(path, templates.Operator("configuration.why.grant", templates.Args{"Grant": "service-account"})); err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return errors.New(templates.Operator("configuration.file-unreadable", templates.Args{"File": path, "Err": err}))
	}
	return nil
}

// scopes accepts any scopes but none.
func scopes(s []string) error {
	if len(s) == 0 {
		return errors.New(templates.Operator("configuration.scopes", nil))
	}
	return nil
}
