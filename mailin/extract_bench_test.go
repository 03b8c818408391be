package mailin

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"

	"accord/mailin/reply"

	"accord/internal/corpus"
)

// clientMessage is one whole message written by a person's mail program,
// taken from the shared corpora.
type clientMessage struct {
	name string
	raw  []byte
}

// clientMessages loads every whole message from a real mail client in the
// shared corpora: the .eml replies of the reply corpus and the calendar
// corpus's messages marked as real client output. The automatic corpus
// (bounces, auto-replies) is machine mail and is left out. Without the
// corpora the benchmark is skipped, or failed under CI.
func clientMessages(tb testing.TB) []clientMessage {
	tb.Helper()
	type entry struct {
		File  string `json:"file"`
		Input string `json:"input"`
		Kind  string `json:"kind"`
		Real  any    `json:"real_client_output"`
	}
	var out []clientMessage
	for _, set := range []string{"replies", "calendar"} {
		dir := corpus.Dir(tb, set, "", corpus.Required())
		f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var e entry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				f.Close()
				tb.Fatalf("%s manifest: %v", set, err)
			}
			name := e.Input
			if name == "" {
				name = e.File
			}
			if !strings.HasSuffix(name, ".eml") || (e.Real != nil && e.Real != true) {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				f.Close()
				tb.Fatal(err)
			}
			out = append(out, clientMessage{name: set + "/" + name, raw: raw})
		}
		f.Close()
	}
	if len(out) == 0 {
		tb.Fatal("no client messages found in the corpora")
	}
	return out
}

// BenchmarkExtractMessages measures reply extraction from whole messages
// as the processor does it (parseMessage, then replyText; classification
// left out), over every real-client message of the corpora. Run it with
// -cpu 1 to read msgs/s as the rate of one core.
func BenchmarkExtractMessages(b *testing.B) {
	msgs := clientMessages(b)
	var size int64
	for _, m := range msgs {
		size += int64(len(m.raw))
	}
	b.SetBytes(size)
	n := 0
	for b.Loop() {
		for _, m := range msgs {
			env, err := parseMessage(m.raw)
			if err != nil {
				b.Fatalf("%s: %v", m.name, err)
			}
			replyText(env)
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkExtractText measures the same extraction on the text the
// messages carry, already taken out of MIME: the plain-text part, or the
// HTML part of a message without one. It is the ceiling the MIME path is
// measured against.
func BenchmarkExtractText(b *testing.B) {
	msgs := clientMessages(b)
	type body struct {
		s    string
		html bool
	}
	var bodies []body
	for _, m := range msgs {
		env, err := parseMessage(m.raw)
		if err != nil {
			b.Fatalf("%s: %v", m.name, err)
		}
		switch {
		case strings.TrimSpace(env.Text) != "":
			bodies = append(bodies, body{env.Text, false})
		case strings.TrimSpace(env.HTML) != "":
			bodies = append(bodies, body{env.HTML, true})
		}
	}
	n := 0
	for b.Loop() {
		for _, x := range bodies {
			t, ok := textOf(x.s)
			if ok && x.html {
				reply.HTML(t)
			} else if ok {
				reply.Text(t)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// TestParseMessageCharsets: reading text in the character set a part
// declares, without detection, gives the same reply as reading it with
// enmime's detection, including for parts whose declared character set is
// wrong or missing (these go the slow way, through detectingParser).
func TestParseMessageCharsets(t *testing.T) {
	t.Parallel()
	const (
		long    = "Thursdays suit me better than Mondays, since the team meets on Monday mornings and I would rather come prepared. "
		french  = "Ça me va très bien, à jeudi prochain : nous préparerons l'ordre du jour ensemble, et je t'enverrai les détails. "
		russian = "Мне подходит четверг, давай встретимся после обеда и обсудим всё, что накопилось за неделю. "
		kanji   = "木曜日で大丈夫です。来週の議題を一緒に準備しましょう。よろしくお願いします。"
	)
	latin1 := func(s string) string {
		b, err := charmap.ISO8859_1.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cp1251, err := charmap.Windows1251.NewEncoder().String(russian + russian)
	if err != nil {
		t.Fatal(err)
	}
	sjis, err := japanese.ShiftJIS.NewEncoder().String(kanji + kanji)
	if err != nil {
		t.Fatal(err)
	}
	utf16le := string(utf16Bytes(long+french, binary.LittleEndian, true))
	cases := []struct {
		name, contentType, body string
		want                    string // "" when only the agreement with detection is checked
		slow                    bool   // read again with detection
	}{
		{"declared utf-8", "text/plain; charset=utf-8", french, strings.TrimSpace(french), false},
		{"declared latin-1", "text/plain; charset=iso-8859-1", latin1(french + french), strings.TrimSpace(french + french), false},
		{"Windows-1252 labelled Latin-1", "text/plain; charset=iso-8859-1", "We \x93agree\x94 \x96 mostly.", "We “agree” – mostly.", false},
		{"declared Shift_JIS", "text/plain; charset=shift_jis", sjis, kanji + kanji, false},
		{"undeclared ASCII", "text/plain", long, strings.TrimSpace(long), false},
		{"undeclared UTF-8", "text/plain", french + french, strings.TrimSpace(french + french), false},
		{"undeclared Latin-1", "text/plain", latin1(french + french), "", true},
		{"undeclared UTF-16 with a mark", "text/plain", utf16le, "", true},
		{"Latin-1 labelled utf-8", "text/plain; charset=utf-8", latin1(french + french), "", true},
		{"UTF-8 labelled Latin-1", "text/plain; charset=iso-8859-1", french + french, "", true},
		{"UTF-8 labelled us-ascii", "text/plain; charset=us-ascii", french + french, "", true},
		{"Windows-1251 labelled Latin-1", "text/plain; charset=iso-8859-1", cp1251, "", true},
		{"UTF-8 labelled Shift_JIS", "text/plain; charset=shift_jis", kanji + kanji, "", true},
		{"HTML with a meta charset", "text/html", `<html><head><meta charset="iso-8859-1"></head><body><p>` + latin1(french) + `</p></body></html>`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			raw := []byte("From: Dana <dana@example.com>\r\nSubject: Re: question\r\nMIME-Version: 1.0\r\nContent-Type: " + c.contentType +
				"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(c.body)) + "\r\n")
			env, err := parseMessage(raw)
			if err != nil {
				t.Fatalf("parseMessage: %v", err)
			}
			got, gotWhy := replyText(env)
			fast, err := parser.ReadEnvelope(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if slow := misread(fast); slow != c.slow {
				t.Errorf("misread(%s) = %v, want %v", c.name, slow, c.slow)
			}
			old, err := detectingParser.ReadEnvelope(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			want, wantWhy := replyText(old)
			if got != want || gotWhy != wantWhy {
				t.Errorf("replyText(parseMessage(%s)) = %q (%q), with detection %q (%q)", c.name, got, gotWhy, want, wantWhy)
			}
			if c.want != "" && got != c.want {
				t.Errorf("replyText(parseMessage(%s)) = %q, want %q", c.name, got, c.want)
			}
		})
	}
}
