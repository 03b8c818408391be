package reply

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// readFixture returns a testdata file, failing the test when it is missing.
func readFixture(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}

// TestFixtures runs every input under testdata through the extractor for its
// kind and compares with the .want.txt file beside it.
func TestFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir, ext string
		extract  func(string) (string, error)
	}{
		{"text", ".txt", func(s string) (string, error) { return Text(s), nil }},
		{"html", ".html", func(s string) (string, error) { return HTML(s), nil }},
		{"mime", ".eml", func(s string) (string, error) { return Message([]byte(s)) }},
	}
	for _, tt := range tests {
		inputs, err := filepath.Glob(filepath.Join("testdata", tt.dir, "*"+tt.ext))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, in := range inputs {
			if strings.HasSuffix(in, ".want.txt") {
				continue
			}
			n++
			name := strings.TrimSuffix(filepath.Base(in), tt.ext)
			t.Run(tt.dir+"/"+name, func(t *testing.T) {
				t.Parallel()
				input := readFixture(t, in)
				want := strings.TrimSpace(readFixture(t, strings.TrimSuffix(in, tt.ext)+".want.txt"))
				got, err := tt.extract(input)
				if err != nil {
					t.Fatalf("extract(%q): %v", in, err)
				}
				if got != want {
					t.Errorf("extract(%q) = %q, want %q", in, got, want)
				}
			})
		}
		if n == 0 {
			t.Errorf("no fixtures in testdata/%s", tt.dir)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain reply", "Yes, Friday works.", "Yes, Friday works."},
		{"crlf", "Line one\r\nLine two\r\n", "Line one\nLine two"},
		{"blank lines collapse", "One\n\n\n\nTwo", "One\n\nTwo"},
		{"english attribution", "Sure.\n\nOn Mon, 4 Jan 2027 at 09:12, Kai <kai@example.org> wrote:\n> Ok?", "Sure."},
		{"attribution over three lines", "Sure.\n\nOn Mon, 4 Jan 2027 at 09:12, Kai Example\n<kai@example.org>\nwrote:\n\nOk?", "Sure."},
		{"german attribution", "Gern.\n\nAm 04.01.2027 um 09:12 schrieb Kai <kai@example.org>:\n> Ok?", "Gern."},
		{"spanish attribution", "Vale.\n\nEl lun, 4 ene 2027 a las 9:12, Kai (<kai@example.org>) escribió:\n> ¿Vale?", "Vale."},
		{"norwegian attribution", "Greit.\n\nman. 4. jan. 2027 kl. 09:12 skrev Kai <kai@example.org>:\n> Ok?", "Greit."},
		{"outlook block", "Fine.\n\nFrom: Kai <kai@example.org>\nSent: Monday, January 4, 2027 9:12 AM\nTo: Lee\nSubject: Plan\n\nPlan?", "Fine."},
		{"swedish block", "Bra.\n\nFrån: Kai <kai@example.org>\nSkickat: den 4 januari 2027 09:12\nTill: Lee\nÄmne: Plan\n\nPlan?", "Bra."},
		{"polish block", "Dobrze.\n\nOd: Kai <kai@example.org>\nWysłano: poniedziałek, 4 stycznia 2027 09:12\nDo: Lee\nTemat: Plan\n\nPlan?", "Dobrze."},
		{"russian block", "Хорошо.\n\nОт: Kai <kai@example.org>\nОтправлено: 4 января 2027 г. 9:12\nКому: Lee\nТема: План\n\nПлан?", "Хорошо."},
		{"finnish separator", "Käy.\n\n-----Alkuperäinen viesti-----\nLähettäjä: Kai\n\nKäykö?", "Käy."},
		{"danish separator", "Fint.\n\n-----Oprindelig meddelelse-----\nFra: Kai\n\nOk?", "Fint."},
		{"begin forwarded", "See below.\n\nBegin forwarded message:\n\nFrom: Kai\nHello", "See below."},
		{"underscore rule above header", "Ok.\n\n________________________________\nFrom: Kai <kai@example.org>\nSent: Monday\nTo: Lee\n\nHi", "Ok."},
		{"quote without header at the end", "Agreed.\n\n> Shall we?\n> Please answer.", "Agreed."},
		{"quote first without header", "> Shall we?\n\nYes we shall.", "Yes we shall."},
		{"own quote kept in the middle", "My notes:\n> be kind\nThat is all.", "My notes:\n> be kind\nThat is all."},
		{"signature delimiter", "Yes.\n\n-- \nKai", "Yes."},
		{"sent from my iphone", "Yes.\n\nSent from my iPhone", "Yes."},
		{"sent from mail for windows", "Yes.\n\nSent from Mail for Windows", "Yes."},
		{"sent from yahoo", "Yes.\n\nSent from Yahoo Mail for iPhone", "Yes."},
		{"get outlook", "Yes.\n\nGet Outlook for iOS<https://aka.ms/x>", "Yes."},
		{"french footer", "Oui.\n\nEnvoyé de mon iPhone", "Oui."},
		{"italian footer", "Sì.\n\nInviato da iPhone", "Sì."},
		{"dutch footer", "Ja.\n\nVerzonden vanaf mijn iPhone", "Ja."},
		{"portuguese footer", "Sim.\n\nEnviado do meu iPhone", "Sim."},
		{"danish footer", "Ja.\n\nSendt fra min iPhone", "Ja."},
		{"finnish footer", "Kyllä.\n\nLähetetty iPhonesta", "Kyllä."},
		{"polish footer", "Tak.\n\nWysłane z iPhone'a", "Tak."},
		{"japanese footer", "はい。\n\niPhoneから送信", "はい。"},
		{"regards closing", "Works for us.\n\nKind regards,\nKai Example", "Works for us."},
		{"thanks sign-off kept", "Works for us.\n\nThanks,\nKai", "Works for us.\n\nThanks,\nKai"},
		{"dash name", "Works for us.\n\n-Kai", "Works for us."},
		{"antivirus footer", "Works.\n\nThis email has been checked for viruses by antivirus software.", "Works."},
		{"unsubscribe footer", "Works.\n\nTo unsubscribe from this group, send an email to x@example.org.", "Works."},
		{"on without wrote", "On second thought, Tuesday is better.", "On second thought, Tuesday is better."},
		{"wrote mid sentence", "She wrote to me on 4 Jan 2027 about it.", "She wrote to me on 4 Jan 2027 about it."},
		{"sent from prose", "Sent from my desk, as usual, on a Monday.", "Sent from my desk, as usual, on a Monday."},
		{"regards in prose", "With regards to the rent, we split it.", "With regards to the rent, we split it."},
		{"markdown rules", "Plan:\n----\n1. Talk\n====\nDone", "Plan:\n----\n1. Talk\n====\nDone"},
		{"greater than in text", "x > 5 is fine", "x > 5 is fine"},
		{"emoji only", "👍", "👍"},
		{"hebrew", "כן, מתאים לנו.", "כן, מתאים לנו."},
		{"only quoted history", "On Mon, 4 Jan 2027, Kai <kai@example.org> wrote:\n> Hello", ""},
		{"one character answer", "2\n\nOn Mon, 4 Jan 2027, Kai <kai@example.org> wrote:\n> 1 or 2?", "2"},
		{"closing word as the answer", "Best", "Best"},
		{"lone word above a signature", "Hi,\n\nYes\n\nKai Example\nExample Ltd\n+1 555 0100 200\nkai@example.org", "Hi,\n\nYes"},
		{"contact line under a sign-off", "Great!\n\nThanks,\nKai\n\nKai Example | kai@example.org | +1 555 0100 200", "Great!\n\nThanks,\nKai"},
		{"list after a colon kept", "Call me on:\nKai Example\n+1 555 0100 200", "Call me on:\nKai Example\n+1 555 0100 200"},
		{"notice takes the name above it", "Agreed.\n\nKai Example\nOffice Manager\n\nThis e-mail is confidential and intended only for the addressee.", "Agreed."},
		{"carrier footer with comma", "Ok.\n\nSent from my Verizon, Samsung Galaxy smartphone", "Ok."},
		{"device footer with comma", "Ok.\n\nSent via the Samsung Galaxy S21 5G, an AT&T 5G smartphone", "Ok."},
		{"german sentence ending in gesendet", "Ich habe es per Mail gesendet", "Ich habe es per Mail gesendet"},
		{"unclosed code fence", "Look: ```\n\nOn Mon, 4 Jan 2027, Kai <kai@example.org> wrote:\n> q", "Look: ```"},
		{"lotus notes attribution", "Ok.\n\nKai Example/Acme wrote on 04/01/2027 09:12:00:\n\n> q", "Ok."},
		{"hungarian attribution", "Rendben.\n\n2027. jan. 4., H 9:12 dátummal Kai <kai@example.org> ezt írta:\n> q", "Rendben."},
		{"year and wrote in prose", "My mother said the same.\nIn 1998 she wrote:\nnever go to bed angry", "My mother said the same.\nIn 1998 she wrote:\nnever go to bed angry"},
		{"year above own quote", "Our answers for 2027:\n> keep it simple\nThat is all.", "Our answers for 2027:\n> keep it simple\nThat is all."},
		{"confidential in the reply kept", "We agree.\n\nPlease keep this confidential between the two of us.", "We agree.\n\nPlease keep this confidential between the two of us."},
		{"unsubscribe question kept", "Thanks.\n\nHow do I unsubscribe from the reminders?", "Thanks.\n\nHow do I unsubscribe from the reminders?"},
		{"list footer with link", "Agreed.\n\nTo unsubscribe from these reminders visit https://lists.example.org/u/1", "Agreed."},
		{"notification footer", "Agreed.\n\nYou are receiving this because you were mentioned.", "Agreed."},
		{"via mobile alone", "Agreed.\n\nKai\nvia mobile", "Agreed.\n\nKai"},
		{"via mobile in a sentence", "We pay via mobile banking", "We pay via mobile banking"},
		{"unknown language header above quote", "Sí.\n\n4/1/2027 9:12 Kai <kai@example.org> skrevet følgende:\n> q", "Sí."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTextLargeInput(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("All good here, nothing to add. ", 20000) // about 600 KiB
	got := Text(big + "\n\nOn Mon, 4 Jan 2027, Kai <kai@example.org> wrote:\n> hi")
	if len(got) > maxText {
		t.Errorf("len(Text(big)) = %d, want <= %d", len(got), maxText)
	}
	if !utf8.ValidString(got) {
		t.Errorf("Text(big) is not valid UTF-8")
	}
}

func TestHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"blockquote dropped", `<p>Yes</p><blockquote type="cite">Question?</blockquote>`, "Yes"},
		{"indent blockquote kept", `<p>Yes</p><blockquote style="margin:0 0 0 40px;border:none;padding:0px">my own indented line</blockquote><p>End</p>`, "Yes\n\nmy own indented line\n\nEnd"},
		{"signature container", `<div>Yes</div><div id="Signature">Kai Example<br>Example Ltd</div>`, "Yes"},
		{"signature with the whole text", `<div id="AppleMailSignature">Yes we agree</div>`, "Yes we agree"},
		{"hr then header", `<div>Ok</div><hr><b>From:</b> Kai &lt;kai@example.org&gt;<br><b>Sent:</b> Monday<br><b>To:</b> Lee<br><b>Subject:</b> Hi<br><p>Old</p>`, "Ok"},
		{"reply container", `<div>Ok</div><div id="x_divRplyFwdMsg">Kai, Mon 10:00</div><div>Old</div>`, "Ok"},
		{"forged marker ignored", "<div>Yes \uE000 ok</div>", "Yes ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := HTML(tt.in); got != tt.want {
				t.Errorf("HTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestToText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"line breaks", "One<br>Two<br/>Three", "One\nTwo\nThree"},
		{"entities", "<p>Tom &amp; Jerry &lt;3 &eacute;t&eacute;&nbsp;!</p>", "Tom & Jerry <3 été !"},
		{"head style script", "<html><head><title>T</title><style>p{}</style></head><body><script>x()</script><p>Body</p></body></html>", "Body"},
		{"link with other text", `<a href="https://example.org/plan">the plan</a>`, "the plan (https://example.org/plan)"},
		{"link with same text", `<a href="https://example.org/">example.org</a>`, "example.org"},
		{"mailto link", `<a href="mailto:kai@example.org">Kai</a>`, "Kai (kai@example.org)"},
		{"unordered list", "<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{"ordered list", "<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a b\nc d"},
		{"blockquote prefix", "<p>Hi</p><blockquote>quoted<br>text</blockquote>", "Hi\n\n> quoted\n> text"},
		{"pre keeps spaces", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"whitespace collapses", "<div>  lots   of\n\tspace </div>", "lots of space"},
		{"inline elements join", "<b>bold</b><i>italic</i> <span>span</span>", "bolditalic span"},
		{"emoji image", `<p>Great <img alt="🎉" src="x.png"></p>`, "Great 🎉"},
		{"unclosed tags", "<div><p>one<p>two<div>three", "one\n\ntwo\n\nthree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ToText(tt.in); got != tt.want {
				t.Errorf("ToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{
			name: "text part",
			in:   "Subject: Re\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYes\r\n\r\nOn Mon, 4 Jan 2027, Kai <kai@example.org> wrote:\r\n> ?\r\n",
			want: "Yes",
		},
		{
			name: "empty text part falls back to html",
			in: "Subject: Re\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n" +
				"--x\r\nContent-Type: text/plain\r\n\r\n \r\n--x\r\nContent-Type: text/html\r\n\r\n<p>From HTML</p>\r\n--x--\r\n",
			want: "From HTML",
		},
		{
			name: "no body",
			in:   "Subject: Re\r\n\r\n",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Message([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Message(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Message(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// fuzzBound is the most output an input of n bytes may produce: the reply
// is a reduction of the input, and HTML rendering adds at most link targets,
// list bullets and quote prefixes.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"",
		"Yes.\n\nOn Mon, 4 Jan 2027, Kai <kai@example.org> wrote:\n> hi",
		"a\n-- \nsig",
		"> q\nanswer\n> q2\nanswer2",
		"From: a@b.example\nSent: today\nTo: c\nSubject: d\n\nbody",
		"```\n--\n```",
		"\uE000\uE001\uE002",
		"Best regards,\nKai\n+1 555 0100 123\nkai@example.org",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Text(in)
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%q) = %q, not valid UTF-8", in, got)
		}
		// Invalid UTF-8 bytes may become U+FFFD (three bytes each).
		if len(got) > 3*len(in) {
			t.Fatalf("Text(%q) = %q, longer than its input allows", in, got)
		}
		if strings.ContainsAny(got, "\uE000\uE001\uE002") {
			t.Fatalf("Text(%q) = %q, leaks a marker", in, got)
		}
		// The reply is made of the input's own lines, or their beginnings.
		src := stripMarkers(prepare(in, maxText))
		for _, l := range strings.Split(got, "\n") {
			if !strings.Contains(src, l) {
				t.Fatalf("Text(%q) = %q, line %q is not in the input", in, got, l)
			}
		}
	})
}

func FuzzHTML(f *testing.F) {
	for _, s := range []string{
		"",
		"<p>Yes</p><blockquote>q</blockquote>",
		`<div id="divRplyFwdMsg">x</div>`,
		"<ul><li><ol><li>a</ol></ul>",
		`<a href="mailto:x@y.example">x</a>`,
		"<pre>\n\n</pre><div class=gmail_signature>s</div>",
		"<table><tr><td>a<td>b</table>",
		"<" + strings.Repeat("div>", 50),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for name, got := range map[string]string{"HTML": HTML(in), "ToText": ToText(in)} {
			if !utf8.ValidString(got) {
				t.Fatalf("%s(%q) = %q, not valid UTF-8", name, in, got)
			}
			// Every output byte comes from the input, except link targets
			// (bounded by the href written in the input), bullets, line
			// breaks and quote prefixes, each of which needs markup in the
			// input and is bounded in size.
			if len(got) > 4*len(in)+16 {
				t.Fatalf("%s(%q) = %q, longer than its input allows", name, in, got)
			}
			if strings.ContainsAny(got, "\uE000\uE001\uE002") {
				t.Fatalf("%s(%q) = %q, leaks a marker", name, in, got)
			}
		}
	})
}
