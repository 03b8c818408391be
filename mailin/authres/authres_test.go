package authres

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const (
	postfixField   = `mx.example.com; dmarc=pass (p=none dis=none) header.from=example.com`
	severalField   = `mx.example.com; spf=pass smtp.mailfrom=a@b; dkim=pass header.d=b header.s=sel; dmarc=fail header.from=b`
	microsoftField = `spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass reason=100`
	fastmailField  = "mx.example.net;\r\n    dkim=pass (2048-bit rsa key sha256) header.d=example.com\r\n header.i=@example.com header.b=Xy12+/ab header.a=rsa-sha256\r\n header.s=fm1 x-bits=2048;\r\n dmarc=pass policy.published-domain-policy=none\r\n policy.applied-disposition=none (p=none,d=none,d.eval=none)\r\n header.from=example.com;\r\n iprev=pass smtp.remote-ip=192.0.2.1 (out.example.com);\r\n spf=pass smtp.mailfrom=bounce@example.com\r\n smtp.helo=out.example.com;\r\n x-return-mx=pass header.domain=example.com policy.is_org=yes\r\n (MX Records found: mx1.example.com);\r\n x-tls=pass smtp.version=TLSv1.3 smtp.bits=256/256;\r\n x-vs=clean score=-100 state=0"
	gmailField     = `mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=abc; spf=pass (google.com: domain of x@example.com designates 1.2.3.4 as permitted sender) smtp.mailfrom=x@example.com; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com`
)

// res builds a version-1 Result without reason.
func res(method, result string, props ...Prop) Result {
	return Result{Method: method, Version: 1, Result: result, Props: props}
}

func prop(typ, property, value string) Prop {
	return Prop{Type: typ, Property: property, Value: value}
}

func hdr(id string, results ...Result) Header {
	return Header{AuthServID: id, Version: 1, Results: results}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Header
	}{
		{"postfix opendmarc", postfixField,
			hdr("mx.example.com", res("dmarc", "pass", prop("header", "from", "example.com")))},
		{"several resinfo", severalField,
			hdr("mx.example.com",
				res("spf", "pass", prop("smtp", "mailfrom", "a@b")),
				res("dkim", "pass", prop("header", "d", "b"), prop("header", "s", "sel")),
				res("dmarc", "fail", prop("header", "from", "b")))},
		{"spaces around equals", `mx.example.com; dmarc = fail header . from = example.com`,
			hdr("mx.example.com", res("dmarc", "fail", prop("header", "from", "example.com")))},
		{"semicolon in comment", `mx.example.com; dmarc=pass (comment ; dmarc=fail)`,
			hdr("mx.example.com", res("dmarc", "pass"))},
		{"semicolon in quoted local-part", `mx.example.com; spf=pass smtp.mailfrom="x; dmarc=pass ;"@evil.example; dmarc=fail`,
			hdr("mx.example.com",
				res("spf", "pass", prop("smtp", "mailfrom", `"x; dmarc=pass ;"@evil.example`)),
				res("dmarc", "fail"))},
		{"quoted value unquoted", `mx.example.com; dkim=pass header.s="sel; dmarc=pass"; dmarc=fail`,
			hdr("mx.example.com",
				res("dkim", "pass", prop("header", "s", "sel; dmarc=pass")),
				res("dmarc", "fail"))},
		{"escaped quote in quoted-string", `mx.example.com; dkim=pass header.s="a\"; dmarc=pass; \"b"; dmarc=fail`,
			hdr("mx.example.com",
				res("dkim", "pass", prop("header", "s", `a"; dmarc=pass; "b`)),
				res("dmarc", "fail"))},
		{"escaped quote in local-part", `mx.example.com; spf=pass smtp.mailfrom="a\"; dmarc=pass"@b; dmarc=fail`,
			hdr("mx.example.com",
				res("spf", "pass", prop("smtp", "mailfrom", `"a\"; dmarc=pass"@b`)),
				res("dmarc", "fail"))},
		{"nested comments", `mx.example.com; dmarc=pass (a (b; dmarc=fail) \) c; (d)) header.from=example.com`,
			hdr("mx.example.com", res("dmarc", "pass", prop("header", "from", "example.com")))},
		{"none", `mx.example.com; none`, hdr("mx.example.com")},
		{"none with version and comment", `mx.example.com 1 ; (nothing checked) NONE (really)`, hdr("mx.example.com")},
		{"none with trailing semicolon", `mx.example.com;none;`, hdr("mx.example.com")},
		{"method called none", `mx.example.com; none=pass`, hdr("mx.example.com", res("none", "pass"))},
		{"authres-version", `mx.example.com 1; spf=pass smtp.mailfrom=example.com`,
			hdr("mx.example.com", res("spf", "pass", prop("smtp", "mailfrom", "example.com")))},
		{"authres-version 2", `mx.example.com 2; spf=pass`,
			Header{AuthServID: "mx.example.com", Version: 2, Results: []Result{res("spf", "pass")}}},
		{"method version", `mx.example.com; dkim/1=pass header.d=example.com; spf / 2 = fail`,
			hdr("mx.example.com",
				res("dkim", "pass", prop("header", "d", "example.com")),
				Result{Method: "spf", Version: 2, Result: "fail"})},
		{"reason quoted", `mx.example.com; dkim=fail reason="signature verification failed; bad" header.d=example.com`,
			hdr("mx.example.com", Result{Method: "dkim", Version: 1, Result: "fail",
				Reason: "signature verification failed; bad",
				Props:  []Prop{prop("header", "d", "example.com")}})},
		{"reason token", `mx.example.com; dkim=fail REASON = bad`,
			hdr("mx.example.com", Result{Method: "dkim", Version: 1, Result: "fail", Reason: "bad"})},
		{"reason after properties is a property", `mx.example.com; dkim=fail header.d=a reason=late`,
			hdr("mx.example.com", res("dkim", "fail", prop("header", "d", "a"), prop("", "reason", "late")))},
		{"comment between authserv-id and semicolon", `mx.example.com (Postfix; dmarc=fail); dmarc=pass`,
			hdr("mx.example.com", res("dmarc", "pass"))},
		{"folded whitespace", "mx.example.com;\r\n dkim=pass\r\n\theader.d=example.com;\r\n dmarc=pass (p=none\r\n dis=none)",
			hdr("mx.example.com",
				res("dkim", "pass", prop("header", "d", "example.com")),
				res("dmarc", "pass"))},
		{"folding inside quoted-string", "mx.example.com; dkim=fail reason=\"bad\r\n signature\"",
			hdr("mx.example.com", Result{Method: "dkim", Version: 1, Result: "fail", Reason: "bad signature"})},
		{"upper case normalised", `MX.Example.COM; DMARC=PASS Header.From=Example.COM; DKIM/1=Fail`,
			hdr("MX.Example.COM",
				res("dmarc", "pass", prop("header", "from", "Example.COM")),
				res("dkim", "fail"))},
		{"microsoft 365 without authserv-id", microsoftField,
			hdr("",
				res("spf", "pass", prop("smtp", "mailfrom", "example.com")),
				res("dkim", "none", prop("header", "d", "none")),
				res("dmarc", "none", prop("", "action", "none"), prop("header", "from", "example.com")),
				Result{Method: "compauth", Version: 1, Result: "pass", Reason: "100"})},
		{"microsoft 365 with authserv-id", "mx.microsoft.com 1; " + microsoftField,
			hdr("mx.microsoft.com",
				res("spf", "pass", prop("smtp", "mailfrom", "example.com")),
				res("dkim", "none", prop("header", "d", "none")),
				res("dmarc", "none", prop("", "action", "none"), prop("header", "from", "example.com")),
				Result{Method: "compauth", Version: 1, Result: "pass", Reason: "100"})},
		{"gmail", gmailField,
			hdr("mx.google.com",
				res("dkim", "pass", prop("header", "i", "@example.com"), prop("header", "s", "s1"), prop("header", "b", "abc")),
				res("spf", "pass", prop("smtp", "mailfrom", "x@example.com")),
				res("dmarc", "pass", prop("header", "from", "example.com")))},
		{"quoted authserv-id", `"mx example; dmarc=pass"; dmarc=fail`,
			hdr("mx example; dmarc=pass", res("dmarc", "fail"))},
		{"leading whitespace and comment", " (hi) mx.example.com; spf=pass ",
			hdr("mx.example.com", res("spf", "pass"))},
		{"trailing semicolon", `mx.example.com; spf=pass smtp.mailfrom=a@b;`,
			hdr("mx.example.com", res("spf", "pass", prop("smtp", "mailfrom", "a@b")))},
		{"empty resinfo", `mx.example.com;; spf=pass ; (empty) ; dmarc=pass`,
			hdr("mx.example.com", res("spf", "pass"), res("dmarc", "pass"))},
		{"unknown method and ptype", `mx.example.com; x-foo=maybe dns.zone=example.org policy.iprev=1.2.3.4`,
			hdr("mx.example.com", res("x-foo", "maybe", prop("dns", "zone", "example.org"), prop("policy", "iprev", "1.2.3.4")))},
		{"empty property value", `mx.example.com; spf=none smtp.mailfrom=; dmarc=fail smtp.helo=`,
			hdr("mx.example.com", res("spf", "none", prop("smtp", "mailfrom", "")), res("dmarc", "fail", prop("smtp", "helo", "")))},
		{"base64 and addresses in values", `mx.example.com; dkim=pass header.b=ab/c+d= smtp.mailfrom=<a@b> smtp.remote-ip=2001:db8::1`,
			hdr("mx.example.com", res("dkim", "pass",
				prop("header", "b", "ab/c+d="), prop("smtp", "mailfrom", "<a@b>"), prop("smtp", "remote-ip", "2001:db8::1")))},
		{"unreadable properties skipped", `mx.example.com; dkim=pass header.d=a 1024-bit key; dmarc=pass header.from=a`,
			hdr("mx.example.com",
				res("dkim", "pass", prop("header", "d", "a")),
				res("dmarc", "pass", prop("header", "from", "a")))},
		{"skipped text with comment", `mx.example.com; spf=pass junk (x; dmarc=pass) ; dmarc=fail`,
			hdr("mx.example.com", res("spf", "pass"), res("dmarc", "fail"))},
		{"skipped text with quoted-string", `mx.example.com; spf=pass junk "x; dmarc=pass"; dmarc=fail`,
			hdr("mx.example.com", res("spf", "pass"), res("dmarc", "fail"))},
		{"property without value before text", `mx.example.com; spf=pass smtp.mailfrom="a"b; dmarc=fail`,
			hdr("mx.example.com", res("spf", "pass", prop("smtp", "mailfrom", "a")), res("dmarc", "fail"))},
		{"unquoted value runs over equals", `mx.example.com; spf=pass smtp.mailfrom= dmarc=pass`,
			hdr("mx.example.com", res("spf", "pass", prop("smtp", "mailfrom", "dmarc=pass")))},
		{"no semicolon means no method", `mx.example.com; spf=pass smtp.mailfrom=a dmarc=pass`,
			hdr("mx.example.com", res("spf", "pass", prop("smtp", "mailfrom", "a"), prop("", "dmarc", "pass")))},
		{"comment right after result", `mx.example.com; dmarc=pass(ok)header.from=a`,
			hdr("mx.example.com", res("dmarc", "pass", prop("header", "from", "a")))},
		{"backslash in unquoted value", `mx.example.com; auth=pass smtp.auth=DOMAIN\user; dmarc=pass`,
			hdr("mx.example.com", res("auth", "pass", prop("smtp", "auth", `DOMAIN\user`)), res("dmarc", "pass"))},
		{"backslash in skipped text", `mx.example.com; auth=pass junk\x; dmarc=pass`,
			hdr("mx.example.com", res("auth", "pass"), res("dmarc", "pass"))},
		{"fastmail style", fastmailField,
			hdr("mx.example.net",
				res("dkim", "pass", prop("header", "d", "example.com"), prop("header", "i", "@example.com"),
					prop("header", "b", "Xy12+/ab"), prop("header", "a", "rsa-sha256"), prop("header", "s", "fm1"), prop("", "x-bits", "2048")),
				res("dmarc", "pass", prop("policy", "published-domain-policy", "none"), prop("policy", "applied-disposition", "none"),
					prop("header", "from", "example.com")),
				res("iprev", "pass", prop("smtp", "remote-ip", "192.0.2.1")),
				res("spf", "pass", prop("smtp", "mailfrom", "bounce@example.com"), prop("smtp", "helo", "out.example.com")),
				res("x-return-mx", "pass", prop("header", "domain", "example.com"), prop("policy", "is_org", "yes")),
				res("x-tls", "pass", prop("smtp", "version", "TLSv1.3"), prop("smtp", "bits", "256/256")),
				res("x-vs", "clean", prop("", "score", "-100"), prop("", "state", "0")))},
		{"utf-8", "mx.exämple.com; dmarc=pass header.from=exämple.com",
			hdr("mx.exämple.com", res("dmarc", "pass", prop("header", "from", "exämple.com")))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error %v, want %+v", tt.in, err, tt.want)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"blank", " \r\n\t"},
		{"semicolon only", ";"},
		{"comment only", "(mx.example.com)"},
		{"authserv-id only", "mx.example.com"},
		{"no results", "mx.example.com;"},
		{"only empty results", "mx.example.com; ; (x) ;"},
		{"empty quoted authserv-id", `""; dmarc=pass`},
		{"authserv-id with tspecial", `mx@example.com; dmarc=pass`},
		{"text after authserv-id", `mx.example.com junk; dmarc=pass`},
		{"unterminated comment", `mx.example.com; dmarc=pass (p=none`},
		{"unterminated nested comment", `mx.example.com; dmarc=pass (a (b) c`},
		{"unterminated comment after escaped paren", `mx.example.com; dmarc=pass (a \)`},
		{"unterminated quote", `mx.example.com; spf=pass smtp.mailfrom="x; dmarc=pass`},
		{"unterminated quote after escaped quote", `mx.example.com; spf=pass smtp.mailfrom="x\"`},
		{"backslash at end of quote", `mx.example.com; spf=pass smtp.mailfrom="x\`},
		{"unterminated quote while skipping", `mx.example.com; spf=pass smtp.mailfrom=a"b; dmarc=fail`},
		{"unterminated comment while skipping", `mx.example.com; spf=pass junk (x; dmarc=fail`},
		{"stray close paren", `mx.example.com; spf=pass smtp.mailfrom=a) ; dmarc=pass`},
		{"stray backslash", `mx.example.com; spf=pass junk \"; dmarc=pass"`},
		{"backslash before quote in value", `mx.example.com; spf=pass smtp.mailfrom=a\"; dmarc=pass"`},
		{"backslash before semicolon in value", `mx.example.com; spf=pass smtp.mailfrom=a\; dmarc=pass`},
		{"backslash at end", `mx.example.com; spf=pass smtp.mailfrom=a\`},
		{"method without result", `mx.example.com; dmarc`},
		{"method with empty result", `mx.example.com; dmarc=; spf=pass`},
		{"quoted result", `mx.example.com; dmarc="pass"`},
		{"result glued to text", `mx.example.com; dmarc=pass@evil.example`},
		{"result glued to quote", `mx.example.com; dmarc=pass"x"`},
		{"result glued to dot", `mx.example.com; dmarc=pass.x=y`},
		{"method not a keyword", `mx.example.com; "dmarc"=pass`},
		{"method version missing", `mx.example.com; dkim/=pass`},
		{"method version too long", `mx.example.com; dkim/12345678901=pass`},
		{"authres-version too long", `mx.example.com 12345678901; dkim=pass`},
		{"none followed by result", `mx.example.com; none; spf=pass`},
		{"none followed by text", `mx.example.com; none at all`},
		{"comments nested too deep", "mx.example.com; dmarc=pass " + strings.Repeat("(", MaxCommentDepth+1) + strings.Repeat(")", MaxCommentDepth+1)},
		{"70 KB", "mx.example.com; dmarc=pass (" + strings.Repeat("x", 70*1024) + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%q) error %v, want one wrapping ErrMalformed", tt.in, err)
			}
			if !reflect.DeepEqual(got, Header{}) {
				t.Errorf("Parse(%q) = %+v with error, want the zero Header", tt.in, got)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	deep := "mx.example.com; dmarc=pass " + strings.Repeat("(", MaxCommentDepth) + strings.Repeat(")", MaxCommentDepth)
	if _, err := Parse(deep); err != nil {
		t.Errorf("Parse(comments nested %d deep) error %v, want nil", MaxCommentDepth, err)
	}
	long := "mx.example.com; dmarc=pass ("
	long += strings.Repeat("x", MaxLength-len(long)-1) + ")"
	if _, err := Parse(long); err != nil {
		t.Errorf("Parse(%d bytes) error %v, want nil", len(long), err)
	}
	if _, err := Parse(long + " "); err == nil {
		t.Errorf("Parse(%d bytes) error nil, want one", len(long)+1)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, method, want string
	}{
		{postfixField, "dmarc", "pass"},
		{postfixField, "DMARC", "pass"},
		{postfixField, "spf", ""},
		{severalField, "dkim", "pass"},
		{severalField, "dmarc", "fail"},
		{microsoftField, "compauth", "pass"},
		{gmailField, "spf", "pass"},
		{`mx.example.com; dmarc=fail; dmarc=pass`, "dmarc", "fail"},
		{`mx.example.com; none`, "dmarc", ""},
	}
	for _, tt := range tests {
		h, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q) error %v", tt.in, err)
		}
		if got := h.Lookup(tt.method); got != tt.want {
			t.Errorf("Parse(%q).Lookup(%q) = %q, want %q", tt.in, tt.method, got, tt.want)
		}
	}
}

func TestResultProp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, ptype, property, want string
	}{
		{gmailField, "header", "i", "@example.com"},
		{gmailField, "HEADER", "S", "s1"},
		{gmailField, "smtp", "mailfrom", ""},
		{microsoftField, "", "action", ""}, // first result is spf, which has none
	}
	for _, tt := range tests {
		h, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q) error %v", tt.in, err)
		}
		if got := h.Results[0].Prop(tt.ptype, tt.property); got != tt.want {
			t.Errorf("Parse(%q).Results[0].Prop(%q, %q) = %q, want %q", tt.in, tt.ptype, tt.property, got, tt.want)
		}
	}
	h, _ := Parse(microsoftField)
	if got := h.Results[2].Prop("", "action"); got != "none" {
		t.Errorf("Parse(%q).Results[2].Prop(\"\", \"action\") = %q, want %q", microsoftField, got, "none")
	}
}

// format writes h back as a field value that Parse must read as h again; the
// fuzz target uses it to check that what Parse returns is self-consistent.
func format(h Header) string {
	var b strings.Builder
	if h.AuthServID != "" {
		b.WriteString(quoteUnless(h.AuthServID, isTokenByte))
		if h.Version != 1 {
			fmt.Fprintf(&b, " %d", h.Version)
		}
		if len(h.Results) == 0 {
			b.WriteString("; none")
		}
	}
	for i, r := range h.Results {
		if i > 0 || h.AuthServID != "" {
			b.WriteString("; ")
		}
		b.WriteString(r.Method)
		if r.Version != 1 {
			fmt.Fprintf(&b, "/%d", r.Version)
		}
		b.WriteString("=" + r.Result)
		// An empty reason must still be written when a typeless
		// "reason" property follows, or it would become the reason.
		if r.Reason != "" || len(r.Props) > 0 && r.Props[0].Type == "" && r.Props[0].Property == "reason" {
			b.WriteString(" reason=" + quoteUnless(r.Reason, isRunByte))
		}
		for _, p := range r.Props {
			b.WriteString(" ")
			if p.Type != "" {
				b.WriteString(p.Type + ".")
			}
			b.WriteString(p.Property + "=" + quoteUnless(p.Value, isRunByte))
		}
	}
	return b.String()
}

// quoteUnless returns s as is when it is non-empty and every byte is ok,
// and as a quoted-string otherwise.
func quoteUnless(s string, ok func(byte) bool) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		plain = ok(s[i])
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\\', '\r', '\n':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// commentOf writes s as a comment whose content cannot end it early.
func commentOf(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', ')', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte(')')
	return b.String()
}

func isLower(s string) bool { return s == strings.ToLower(s) }

// FuzzParse checks that Parse never panics, is deterministic, returns only
// well-formed results, and agrees with format about what it read.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		postfixField,
		severalField,
		microsoftField,
		gmailField,
		fastmailField,
		"mx.microsoft.com 1; " + microsoftField,
		`mx.example.com; auth=pass smtp.auth=DOMAIN\user; dmarc=pass`,
		`mx.example.com; dmarc = fail`,
		`mx.example.com; dmarc=pass (comment ; dmarc=fail)`,
		`mx.example.com; spf=pass smtp.mailfrom="x; dmarc=pass ;"@evil.example; dmarc=fail`,
		`mx.example.com; spf=pass smtp.mailfrom="a\"; dmarc=pass"@b; dmarc=fail`,
		`mx.example.com; dmarc=pass (a (b; dmarc=fail) \) c; (d)) header.from=example.com`,
		`mx.example.com; none`,
		`mx.example.com 1; spf=pass smtp.mailfrom=example.com`,
		`mx.example.com; dkim/1=pass header.d=example.com`,
		`mx.example.com; dkim=fail reason="signature verification failed" header.d=example.com`,
		`mx.example.com (Postfix); dmarc=pass`,
		"mx.example.com;\r\n dkim=pass\r\n\theader.d=example.com;\r\n dmarc=pass",
		`MX.Example.COM; DMARC=PASS Header.From=Example.COM`,
		`mx.example.com; dkim=pass header.d=a 1024-bit key; dmarc=pass`,
		`mx.example.com; spf=pass junk "x; dmarc=pass"; dmarc=fail`,
		`mx.example.com; spf=pass smtp.mailfrom= ;; dmarc=fail;`,
		`"quoted id"; x-foo=bar dns.zone=example.org`,
		`mx.example.com; dmarc=pass (p=none`,
		`mx.example.com; spf=pass smtp.mailfrom="x; dmarc=pass`,
		``,
		`;`,
		`mx.example.com; dmarc=pass@evil.example`,
		strings.Repeat("(", 40) + strings.Repeat(")", 40),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		h, err := Parse(in)
		h2, err2 := Parse(in)
		if !reflect.DeepEqual(h, h2) || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("Parse(%q) = %+v, %v, then %+v, %v", in, h, err, h2, err2)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) || !reflect.DeepEqual(h, Header{}) {
				t.Fatalf("Parse(%q) = %+v, %v, want the zero Header and ErrMalformed", in, h, err)
			}
			return
		}
		if len(in) > MaxLength {
			t.Fatalf("Parse(%d bytes) error nil, want one", len(in))
		}
		if h.Version < 0 || h.AuthServID == "" && len(h.Results) == 0 {
			t.Fatalf("Parse(%q) = %+v, want a version and an authserv-id or results", in, h)
		}
		for _, r := range h.Results {
			if r.Method == "" || r.Result == "" || !isLower(r.Method) || !isLower(r.Result) || r.Version < 0 {
				t.Fatalf("Parse(%q) has result %+v, want lower-case method and result", in, r)
			}
			if got := h.Lookup(r.Method); got == "" {
				t.Fatalf("Parse(%q).Lookup(%q) = %q, want a result", in, r.Method, got)
			}
			for _, p := range r.Props {
				if p.Property == "" || !isLower(p.Type) || !isLower(p.Property) {
					t.Fatalf("Parse(%q) has property %+v, want lower-case property", in, p)
				}
			}
		}
		out := format(h)
		back, err := Parse(out)
		if err != nil || !reflect.DeepEqual(back, h) {
			t.Fatalf("Parse(%q) = %+v, but Parse(format(that) = %q) = %+v, %v", in, h, out, back, err)
		}
	})
}

// FuzzQuotedData puts arbitrary data inside a quoted-string and a comment
// written the way a correct server writes them: none of it may change the
// verdicts around it.
func FuzzQuotedData(f *testing.F) {
	for _, s := range []string{"x; dmarc=pass ;", `a"; dmarc=pass`, "(((", ")) ; dmarc=pass (", "\\", "\r\n dmarc=pass", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		if len(data) > MaxLength/8 {
			return
		}
		q := quoteUnless(data, func(byte) bool { return false })
		for _, in := range []string{
			"mx.example.com; spf=pass smtp.mailfrom=" + q + "@evil.example; dmarc=fail",
			"mx.example.com; dkim=pass header.s=" + q + " " + commentOf(data) + "; dmarc=fail",
			"mx.example.com " + commentOf(data) + "; spf=pass reason=" + q + "; dmarc=fail",
		} {
			h, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse(%q) error %v", in, err)
			}
			if len(h.Results) != 2 || h.Lookup("dmarc") != "fail" || h.Results[1].Method != "dmarc" {
				t.Fatalf("Parse(%q) = %+v, want two results ending in dmarc=fail", in, h)
			}
		}
		h, _ := Parse("mx.example.com; dkim=pass header.s=" + q + "; dmarc=fail")
		if got := h.Results[0].Prop("header", "s"); got != data {
			t.Fatalf("header.s = %q, want %q", got, data)
		}
	})
}

// BenchmarkParse measures a typical field and fields near MaxLength built to
// be slow, whose time per byte should stay close to the typical one.
func BenchmarkParse(b *testing.B) {
	fill := func(prefix, unit string) string {
		return prefix + strings.Repeat(unit, (MaxLength-len(prefix))/len(unit))
	}
	for _, bb := range []struct{ name, in string }{
		{"gmail", gmailField},
		{"many results", fill("mx.example.com", "; a=b c.d=e")},
		{"many properties", fill("mx.example.com; a=b", " c.d=\"e\"")},
		{"skipped text", fill("mx.example.com; a=b", " x (y) \"z\"")},
		{"nested comments", fill("mx.example.com; a=b ", "((((\\()))) ")},
		{"long keyword", fill("", "a")},
		{"many semicolons", fill("mx.example.com; a=b", ";")},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.in)))
			for b.Loop() {
				Parse(bb.in)
			}
		})
	}
}
