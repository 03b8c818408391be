package config

import (
	"errors"
	"path/filepath"
	"testing"

	"accord/conversation"
	"accord/mailout"
	"accord/templates"
)

// TestValidators holds each validator to the words it says a problem
// with, and to passing what it should.
func TestValidators(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.pem")
	reminderBroken := broken{{Rule: conversation.RuleReminder, Index: 1}}
	reviewBroken := broken{{Rule: conversation.RuleReviewEvery}}
	for _, tc := range []struct {
		name string
		err  error
		want string // the whole message; "" when the value passes
	}{
		{"oneOf: one of them", oneOf("json", "text", "json"), ""},
		{"oneOf: neither of two", oneOf("xml", "text", "json"), `"xml" is not text or json`},
		{"oneOf: none of four", oneOf("loud", "debug", "info", "warn", "error"), `"loud" is not one of debug, info, warn, error`},
		{"between: the low end", between(1, 1, 1000, ""), ""},
		{"between: the high end", between(1000, 1, 1000, ""), ""},
		{"between: below", between(0, 1, 1000, ""), "0: use 1 to 1000"},
		{"between: above, with a unit", between(3651, 1, 3650, "days"), "3651: use 1 to 3650 days"},
		{"atLeast: enough", atLeast(1, 1, "hour"), ""},
		{"atLeast: too few", atLeast(0, 1, "hour"), "0: use at least 1 hour"},
		{"zeroOrMore: zero", zeroOrMore(0, "never", ""), ""},
		{"zeroOrMore: negative", zeroOrMore(-1, "never expire", "days"), "-1: use 0 (never expire) or more days"},
		{"upToSetting: within", upToSetting(4, "inbound.reply_budget", 24), ""},
		{"upToSetting: over", upToSetting(25, "inbound.reply_budget", 24), "25: use 1 to inbound.reply_budget (24)"},
		{"upToSetting: zero", upToSetting(0, "inbound.reply_budget", 24), "0: use 1 to inbound.reply_budget (24)"},
		{"port: any free one", port(0), ""},
		{"port: the last", port(65535), ""},
		{"port: none", port(70000), "70000 is not a port number"},
		{"needed: set", needed("x", "for oauth.grant = app"), ""},
		{"needed: empty", needed("", "for oauth.grant = app"), "is needed for oauth.grant = app"},
		{"neededOr: empty", neededOr("", "oauth.auth_url", "for accord mail login"), "or oauth.auth_url is needed for accord mail login"},
		{"needsSetting: off", needsSetting(false, "", "inbound.authserv_id", "say which"), ""},
		{"needsSetting: on and set", needsSetting(true, "mx.example.com", "inbound.authserv_id", "say which"), ""},
		{"needsSetting: on alone", needsSetting(true, "", "inbound.authserv_id", "say which server's verdict to trust"),
			"needs inbound.authserv_id: say which server's verdict to trust"},
		{"when: the other setting is not on", when(false, errors.New("wrong")), ""},
		{"when: it is", when(true, errors.New("wrong")), "wrong"},
		{"ifSet: empty is not parsed", ifSet("", func(string) error { return errors.New("parsed") }), ""},
		{"ifSet: set is", ifSet("x", func(string) error { return errors.New("parsed") }), "parsed"},
		{"databaseURL: sqlite", databaseURL("sqlite:accord.db"), ""},
		{"databaseURL: postgresql", databaseURL("postgresql://accord@db/accord"), ""},
		{"databaseURL: mysql, password masked", databaseURL("mysql://accord:secret@db/accord"), `"mysql://accord:xxxxx@db/accord" is neither sqlite:PATH nor postgres://…`},
		{"timeZone: a place", timeZone("Europe/Berlin"), ""},
		{"timeZone: empty", timeZone(""), "is empty; use an IANA name such as Europe/Berlin"},
		{"timeZone: an abbreviation", timeZone("PST"), `"PST" is an abbreviation or an old alias, not the time zone of a place; use America/Los_Angeles`},
		{"clockTime: evening", clockTime("20:30"), ""},
		{"clockTime: 9pm", clockTime("9pm"), `"9pm" is not a time of day like 08:00 or 20:30`},
		{"weekdayNames: in any case", weekdayNames([]string{"Sat", "sun"}), ""},
		{"weekdayNames: each wrong one", weekdayNames([]string{"saturday", "mon", "Sonntag"}),
			"\"saturday\" is not a day; use mon, tue, wed, thu, fri, sat, sun\n\"Sonntag\" is not a day; use mon, tue, wed, thu, fri, sat, sun"},
		{"reminders: the domain's and the policy's", reminders([]int{3, 0, 61}, reminderBroken),
			"0 days: each wait must be between 1 and 60 days\n61 days: each wait must be between 1 and 60 days"},
		{"reminders: too many", reminders([]int{1, 1, 1, 1, 1, 1}, nil), "6 reminders is pushy; use at most 5"},
		{"reviewEvery: fine", reviewEvery(13, nil), ""},
		{"reviewEvery: the domain's", reviewEvery(0, reviewBroken), "0: use between 1 and 104 weeks"},
		{"reviewEvery: the policy's", reviewEvery(105, nil), "105: use between 1 and 104 weeks"},
		{"identity: another field", identity(mailout.Identity{Address: "accord at example", Separator: "+", Name: "Accord"}, "name"), ""},
		{"identity: this field", identity(mailout.Identity{Address: "accord at example", Separator: "+", Name: "Accord"}, "address"),
			`"accord at example" is not a valid address for the service mailbox`},
		{"instanceName: a host", instanceName("host-a"), ""},
		{"instanceName: an address", instanceName("a@b"), `"a@b": use a short name without @, such as the host name`},
		{"publicURL: none", publicURL(""), ""},
		{"publicURL: https", publicURL("https://accord.example.com/"), ""},
		{"publicURL: http on this machine", publicURL("http://localhost/"), ""},
		{"publicURL: http elsewhere", publicURL("http://accord.example.com"), `"http://accord.example.com": use an https address without query, like https://accord.example.com`},
		{"publicURL: a query", publicURL("https://accord.example.com/?a=b"), `"https://accord.example.com/?a=b": use an https address without query, like https://accord.example.com`},
		{"hostPort: an address", hostPort("127.0.0.1:8025"), ""},
		{"hostPort: a host", hostPort("localhost"), `"localhost" is not host:port, like 127.0.0.1:8025`},
		{"profilesOnLoopback: off anywhere", profilesOnLoopback(false, "0.0.0.0:8025"), ""},
		{"profilesOnLoopback: on IPv6 loopback", profilesOnLoopback(true, "[::1]:8025"), ""},
		{"profilesOnLoopback: not an address is http.listen's", profilesOnLoopback(true, "localhost"), ""},
		{"profilesOnLoopback: on every interface", profilesOnLoopback(true, ":8025"),
			`profiles show the process's memory and must stay on this machine: set http.listen to a loopback address such as 127.0.0.1:8025 (now ":8025"), or turn http.debug off`},
		{"smtpAuth: login", smtpAuth("login", ""), ""},
		{"smtpAuth: tokens with a grant", smtpAuth("xoauth2", "app"), ""},
		{"smtpAuth: tokens without", smtpAuth("oauthbearer", ""), `"oauthbearer" needs oauth.grant: say where the access tokens come from`},
		{"smtpAuth: unknown", smtpAuth("cram-md5", ""), `"cram-md5": use password (or plain, login), xoauth2 or oauthbearer`},
		{"imapAuth: password", imapAuth("password", ""), ""},
		{"imapAuth: tokens without a grant", imapAuth("xoauth2", ""), `"xoauth2" needs oauth.grant: say where the access tokens come from`},
		{"mailProvider: none", mailProvider(""), ""},
		{"mailProvider: google", mailProvider("google"), ""},
		{"mailProvider: unknown", mailProvider("yahoo"), `"yahoo": use microsoft, google, or leave it empty for any other provider`},
		{"grant: passwords", grant("", "google"), ""},
		{"grant: app at Microsoft", grant("app", "microsoft"), ""},
		{"grant: app at Google", grant("app", "google"), "Google has no client-credentials grant for mail: use service-account (domain-wide delegation) or login"},
		{"grant: unknown", grant("magic", ""), `"magic": use app, login, service-account, or leave it empty for passwords`},
		{"clientCertificate: another grant does not read it", clientCertificate("login", missing), ""},
		{"clientCertificate: none, the secret is used", clientCertificate("app", ""), ""},
		{"serviceAccountKey: another grant", serviceAccountKey("app", ""), ""},
		{"serviceAccountKey: none", serviceAccountKey("service-account", ""), "is needed for oauth.grant = service-account"},
		{"scopes: some", scopes([]string{"https://mail.google.com/"}), ""},
		{"scopes: none", scopes(nil), "are needed (or set mail.provider)"},
	} {
		got := ""
		if tc.err != nil {
			got = tc.err.Error()
		}
		if got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, got, tc.want)
		}
	}
	if err := clientCertificate("app", missing); err == nil {
		t.Errorf("clientCertificate(app, %s) = nil, want the certificate refused", missing)
	}
	if err := serviceAccountKey("service-account", missing); err == nil {
		t.Errorf("serviceAccountKey(service-account, %s) = nil, want the key refused", missing)
	}
}

// TestBrokenRules: each rule the domain finds broken is asked for by name
// (and a reminder by its index), and words a setting's problem only then.
func TestBrokenRules(t *testing.T) {
	t.Parallel()
	r := conversation.DefaultRules()
	r.Reminders = []int{3, 0}
	r.Checkins.PrepBefore = 0
	b := brokenRules(r)
	for _, tc := range []struct {
		rule  conversation.Rule
		index int
		want  bool
	}{
		{conversation.RuleReminder, 1, true},
		{conversation.RuleReminder, 0, false},
		{conversation.RulePrepBefore, 0, true},
		{conversation.RuleAgendaBefore, 0, true},
		{conversation.RuleFollowUpAfter, 0, false},
		{conversation.RuleReviewWait, 0, false},
	} {
		if got := b.breaks(tc.rule, tc.index); got != tc.want {
			t.Errorf("breaks(%s, %d) = %v, want %v", tc.rule, tc.index, got, tc.want)
		}
	}
	prep := templates.Operator("configuration.rule.prep-hours", templates.Args{"N": 0, "Min": 2, "Max": 168})
	if err := b.word(conversation.RulePrepBefore, prep); err == nil || err.Error() != "0: use 2 to 168 hours" {
		t.Errorf("word(prep) = %v, want the setting's own words", err)
	}
	if err := b.word(conversation.RuleFollowUpAfter, "30: use 0 to 1440 minutes"); err != nil {
		t.Errorf("word(follow-up) = %v, want nil for a rule kept", err)
	}
	if err := b.text(conversation.RulePrepBefore); err == nil || !errors.Is(err, conversation.ErrCheckinRules) {
		t.Errorf("text(prep) = %v, want the domain's own error", err)
	}
}
