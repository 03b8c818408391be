package config

import (
	"errors"
	"fmt"
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
)

// The validators of the settings. Each takes a value, and what else the
// check needs, and says what is wrong with it in words that follow the
// setting's name: "imap.batch_size (default): 0: use 1 to 1000". nil is
// a value that passes.

// oneOf accepts one of choices.
func oneOf(v string, choices ...string) error {
	switch {
	case slices.Contains(choices, v):
		return nil
	case len(choices) == 2:
		return fmt.Errorf("%q is not %s or %s", v, choices[0], choices[1])
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(choices, ", "))
}

// between accepts lo to hi; unit follows the numbers in the advice.
func between(n, lo, hi int, unit string) error {
	if n < lo || n > hi {
		return fmt.Errorf("%d: use %d to %d%s", n, lo, hi, unit)
	}
	return nil
}

// atLeast accepts lo or more.
func atLeast(n, lo int, unit string) error {
	if n < lo {
		return fmt.Errorf("%d: use at least %d%s", n, lo, unit)
	}
	return nil
}

// zeroOrMore accepts 0, which means what zero says, or more.
func zeroOrMore(n int, zero, unit string) error {
	if n < 0 {
		return fmt.Errorf("%d: use 0 (%s) or more%s", n, zero, unit)
	}
	return nil
}

// upToSetting accepts 1 to the value of another setting.
func upToSetting(n int, key string, limit int) error {
	if n < 1 || n > limit {
		return fmt.Errorf("%d: use 1 to %s (%d)", n, key, limit)
	}
	return nil
}

// port accepts a TCP port, or 0 for any free one.
func port(n int) error {
	if n < 0 || n > 65535 {
		return fmt.Errorf("%d is not a port number", n)
	}
	return nil
}

// needed accepts any value but none; why says what needs it.
func needed(v, why string) error {
	if v == "" {
		return fmt.Errorf("is needed %s", why)
	}
	return nil
}

// neededOr accepts any value but none, where the setting named other
// would do instead.
func neededOr(v, other, why string) error {
	if v == "" {
		return fmt.Errorf("or %s is needed %s", other, why)
	}
	return nil
}

// needsSetting accepts a switch that is off, or on with the setting key it
// relies on set (to v); why says what for.
func needsSetting(on bool, v, key, why string) error {
	if on && v == "" {
		return fmt.Errorf("needs %s: %s", key, why)
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
		return fmt.Errorf("%q is neither sqlite:PATH nor postgres://…", store.Redact(u))
	}
	return nil
}

// timeZone accepts the zone of a place, as CheckZone does.
func timeZone(name string) error {
	if name == "" {
		return errors.New("is empty; use an IANA name such as Europe/Berlin")
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
			errs = append(errs, fmt.Errorf("%q is not a day; use mon, tue, wed, thu, fri, sat, sun", d))
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
			errs = append(errs, fmt.Errorf("%d days: each wait must be between %d and %d days", d, conversation.MinReminderDays, maxReminderDays))
		}
	}
	if len(days) > maxReminders {
		errs = append(errs, fmt.Errorf("%d reminders is pushy; use at most %d", len(days), maxReminders))
	}
	return errors.Join(errs...)
}

// reviewEvery accepts a review period the domain can keep to, up to
// maxReviewEveryWeeks.
func reviewEvery(weeks int, rules broken) error {
	if rules.breaks(conversation.RuleReviewEvery, 0) || weeks > maxReviewEveryWeeks {
		return fmt.Errorf("%d: use between %d and %d weeks", weeks, int(conversation.MinReviewEvery/week), maxReviewEveryWeeks)
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
		return fmt.Errorf("%q: use a short name without @, such as the host name", n)
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
		return fmt.Errorf("%q: use an https address without query, like https://accord.example.com", s)
	}
	return nil
}

// hostPort accepts an address to listen on.
func hostPort(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("%q is not host:port, like 127.0.0.1:8025", addr)
	}
	return nil
}

// profilesOnLoopback accepts Go's profiles (debug) only on a listener
// that takes connections from this machine alone. A listen address that
// is not one at all is http.listen's problem, not this.
func profilesOnLoopback(debug bool, listen string) error {
	if debug && hostPort(listen) == nil && !LoopbackListen(listen) {
		return fmt.Errorf("profiles show the process's memory and must stay on this machine: set http.listen to a loopback address such as 127.0.0.1:8025 (now %q), or turn http.debug off", listen)
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
	return fmt.Errorf("%q: use password (or plain, login), xoauth2 or oauthbearer", auth)
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
		return fmt.Errorf("%q needs oauth.grant: say where the access tokens come from", auth)
	}
	return nil
}

// mailProvider accepts the providers with a preset, or none.
func mailProvider(p string) error {
	if _, ok := providers[p]; !ok && p != "" {
		return fmt.Errorf("%q: use microsoft, google, or leave it empty for any other provider", p)
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
			return errors.New("Google has no client-credentials grant for mail: use service-account (domain-wide delegation) or login")
		}
		return nil
	}
	return fmt.Errorf("%q: use app, login, service-account, or leave it empty for passwords", g)
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
	if err := needed(path, "for oauth.grant = service-account"); err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("cannot read %s: %v", path, err)
	}
	return nil
}

// scopes accepts any scopes but none.
func scopes(s []string) error {
	if len(s) == 0 {
		return errors.New("are needed (or set mail.provider)")
	}
	return nil
}
