package config

import (
	"errors"
	"fmt"
	"time"

	"accord/conversation"
	"accord/mailin"
	"accord/mailout"
	"accord/templates"
)

// option is one setting and what its checks found wrong with its value:
// nil when nothing. A check that finds several problems joins them
// (errors.Join), and each is reported on its own.
type option struct {
	key string
	err error
}

// Policy limits of the settings that the domain leaves open: it would
// work with more, but more is not what an operator means.
const (
	maxReminders        = 5
	maxReminderDays     = 60
	maxReviewEveryWeeks = 104
)

// options is the table of settings and their checks: every setting's
// checks are declared here once, in the order config check reports them,
// each a validator of validators.go. Rules that belong to the domain are
// the domain's own (Rules.Validate), worded here in the setting's units.
func (c *Config) options() []option {
	rules := brokenRules(c.Rules())
	id := c.Identity()
	o := c.OAuth
	return []option{
		{"database.url", databaseURL(c.Database.URL)},
		{"log.level", oneOf(c.Log.Level, "debug", "info", "warn", "error")},
		{"log.format", oneOf(c.Log.Format, "text", "json")},
		{"people.default_time_zone", timeZone(c.People.DefaultTimeZone)},
		{"people.default_language", oneOf(c.People.DefaultLanguage, templates.Languages()...)},
		{"pacing.quiet_start", errors.Join(clockTime(c.Pacing.QuietStart), rules.text(conversation.RuleQuietHours))},
		{"pacing.quiet_end", clockTime(c.Pacing.QuietEnd)},
		{"pacing.quiet_days", errors.Join(weekdayNames(c.Pacing.QuietDays), rules.text(conversation.RuleQuietDays))},
		{"pacing.reminders", reminders(c.Pacing.Reminders, rules)},
		{"pacing.review_every_weeks", reviewEvery(c.Pacing.ReviewEveryWeeks, rules)},
		{"pacing.undo_minutes", rules.word(conversation.RuleRevealGrace, templates.Operator("configuration.rule.undo-minutes", templates.Args{
			"N": c.Pacing.UndoMinutes, "Max": int(conversation.MaxRevealGrace / time.Minute)}))},
		{"pacing.review_wait_days", rules.word(conversation.RuleReviewWait, templates.Operator("configuration.rule.review-wait", templates.Args{
			"N": c.Pacing.ReviewWaitDays, "Min": int(conversation.MinReviewWait / day), "Between": c.Pacing.ReviewEveryWeeks * 7}))},
		{"pacing.reply_token_days", zeroOrMore(c.Pacing.ReplyTokenDays, templates.Operator("configuration.zero.never-expire", nil), templates.Operator("configuration.unit.days", nil))},
		{"mail.address", identity(id, "address")},
		{"mail.plus_separator", identity(id, "separator")},
		{"mail.name", identity(id, "name")},
		{"smtp.url", ifSet(c.SMTP.URL, func(s string) error { _, err := mailout.ParseSMTPURL(s); return err })},
		{"imap.url", ifSet(c.IMAP.URL, func(s string) error { _, err := mailin.ParseIMAPURL(s); return err })},
		{"imap.max_message_mb", between(c.IMAP.MaxMessageMB, 1, 200, "")},
		{"imap.poll_seconds", between(c.IMAP.PollSeconds, 5, 3600, "")},
		{"imap.batch_size", between(c.IMAP.BatchSize, 1, 1000, "")},
		{"inbound.max_attempts", between(c.Inbound.MaxAttempts, 1, 100, "")},
		{"inbound.require_dmarc_pass", needsSetting(c.Inbound.RequireDMARCPass, c.Inbound.AuthServID, "inbound.authserv_id", templates.Operator("configuration.why.dmarc", nil))},
		{"inbound.retention_days", between(c.Inbound.RetentionDays, 1, 3650, templates.Operator("configuration.unit.days", nil))},
		{"inbound.workers", between(c.Inbound.Workers, 1, 64, "")},
		{"inbound.reply_budget", between(c.Inbound.ReplyBudget, 1, 1000, templates.Operator("configuration.unit.reply-budget", nil))},
		{"inbound.notice_budget", upToSetting(c.Inbound.NoticeBudget, "inbound.reply_budget", c.Inbound.ReplyBudget)},
		{"inbound.echo_window_hours", between(c.Inbound.EchoWindowHours, 1, 24*60, templates.Operator("configuration.unit.hours", nil))},
		{"instance.name", instanceName(c.Instance.Name)},
		{"http.public_url", publicURL(c.HTTP.PublicURL)},
		{"http.link_days", between(c.HTTP.LinkDays, 1, 366, templates.Operator("configuration.unit.days", nil))},
		{"http.listen", hostPort(c.HTTP.Listen)},
		{"http.debug", profilesOnLoopback(c.HTTP.Debug, c.HTTP.Listen)},
		{"sandbox.imap_port", port(c.Sandbox.IMAPPort)},
		{"sandbox.smtp_port", port(c.Sandbox.SMTPPort)},
		{"smtp.auth", smtpAuth(c.SMTP.Auth, o.Grant)},
		{"mail.provider", mailProvider(c.Mail.Provider)},
		{"imap.auth", imapAuth(c.IMAP.Auth, o.Grant)},
		{"oauth.grant", grant(o.Grant, c.Mail.Provider)},
		{"oauth.tenant", when(o.Grant == "app" && c.Mail.Provider == "microsoft", needed(o.Tenant, templates.Operator("configuration.why.microsoft-app", nil)))},
		{"oauth.client_id", when(o.Grant == "app" || o.Grant == "login", needed(o.ClientID, templates.Operator("configuration.why.grant", templates.Args{"Grant": o.Grant})))},
		{"oauth.client_certificate", clientCertificate(o.Grant, o.ClientCertificate)},
		{"oauth.client_secret", when(o.Grant == "app" && o.ClientCertificate == "", neededOr(o.ClientSecret, "oauth.client_certificate", templates.Operator("configuration.why.grant", templates.Args{"Grant": "app"})))},
		{"oauth.token_url", when(o.Grant == "app" || o.Grant == "login", needed(o.TokenURL, templates.Operator("configuration.why.grant-or-provider", templates.Args{"Grant": o.Grant})))},
		{"oauth.device_url", when(o.Grant == "login", neededOr(o.DeviceURL+o.AuthURL, "oauth.auth_url", templates.Operator("configuration.why.mail-login", nil)))},
		{"oauth.service_account_key", serviceAccountKey(o.Grant, o.ServiceAccountKey)},
		{"oauth.scopes", when(o.Grant != "", scopes(o.Scopes))},
		{"smtp.connections", between(c.SMTP.Connections, 1, 32, "")},
		{"smtp.give_up_after_hours", atLeast(c.SMTP.GiveUpAfterHours, 1, templates.Operator("configuration.unit.hour", nil))},
		{"smtp.bounce_after", atLeast(c.SMTP.BounceAfter, 1, "")},
		{"checkins.priorities_every", zeroOrMore(c.Checkins.PrioritiesEvery, templates.Operator("configuration.zero.never", nil), "")},
		{"checkins.prep_hours_before", rules.word(conversation.RulePrepBefore, templates.Operator("configuration.rule.prep-hours", templates.Args{
			"N": c.Checkins.PrepHoursBefore, "Min": int(conversation.MinPrepBefore / time.Hour), "Max": int(conversation.MaxPrepBefore / time.Hour)}))},
		{"checkins.agenda_minutes_before", rules.word(conversation.RuleAgendaBefore, templates.Operator("configuration.rule.agenda-minutes", templates.Args{
			"N": c.Checkins.AgendaMinutesBefore, "Min": int(conversation.MinAgendaBefore / time.Minute), "Prep": c.Checkins.PrepHoursBefore}))},
		{"checkins.follow_up_minutes_after", rules.word(conversation.RuleFollowUpAfter, templates.Operator("configuration.rule.follow-up-minutes", templates.Args{
			"N": c.Checkins.FollowUpMinutesAfter, "Max": int(conversation.MaxFollowUpAfter / time.Minute)}))},
	}
}

// validate checks every setting and returns all its problems.
func (c *Config) validate() []problem {
	var ps []problem
	for _, o := range c.options() {
		for _, err := range unjoin(o.err) {
			ps = append(ps, c.problem(o.key, err))
		}
	}
	return ps
}

// problem is what is wrong with the setting key, said with where its value
// came from: its line in the file, or the variable (or default) it came
// from.
func (c *Config) problem(key string, err error) problem {
	if line, ok := c.lines[key]; ok {
		return problem{line, fmt.Sprintf("%s:%d: %s: %v", c.file, line, key, err)}
	}
	where := c.sources[key]
	if where == "" {
		where = templates.Operator("configuration.source.default", nil)
	}
	return problem{text: fmt.Sprintf("%s (%s): %v", key, where, err)}
}

// unjoin lists the problems in err: those it joins, or err itself.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// broken are the domain's pacing rules that settings break.
type broken []*conversation.RulesError

// brokenRules asks the domain which of its rules r breaks.
func brokenRules(r conversation.Rules) broken {
	var b broken
	for _, err := range unjoin(r.Validate()) {
		var re *conversation.RulesError
		if errors.As(err, &re) {
			b = append(b, re)
		}
	}
	return b
}

// breaks reports whether the settings break rule (for a reminder, the
// one at index).
func (b broken) breaks(rule conversation.Rule, index int) bool {
	for _, e := range b {
		if e.Rule == rule && e.Index == index {
			return true
		}
	}
	return false
}

// word is the problem of a setting that holds the domain's rule, worded
// in the setting's units as text, when the settings break it.
func (b broken) word(rule conversation.Rule, text string) error {
	if !b.breaks(rule, 0) {
		return nil
	}
	return errors.New(text)
}

// text is the domain's own words for a broken rule that spans settings
// (quiet days that leave no day to send), when the settings break it.
func (b broken) text(rule conversation.Rule) error {
	for _, e := range b {
		if e.Rule == rule {
			return e
		}
	}
	return nil
}
