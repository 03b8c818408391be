package reply

// The tests here hold the quick paths of the extractor (dateShapes,
// isReplyAbove, wordCount) to the definitions they stand in for.

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"accord/internal/corpus"
)

// TestDateShapes: dateShapes answers what exactDateRe and dateRe answer,
// on hand-picked lines, on random strings made of what the expressions
// look at, and on every line of the reply corpus when it is present.
func TestDateShapes(t *testing.T) {
	t.Parallel()
	lines := []string{
		"", "On 12/03/2024, Dana wrote:", "Am 3. März 2024 um 10:15 schrieb Sam:", "2024年3月12日 10:15",
		"at 9 am", "at 9am.", "at 9 amber", "9.30.", "9.30", "9.305", "123.45", "12:345", "1:23", "ref 20245",
		"in 1999", "in 2099!", "x2020", "year 1899", "1 - 2 - 3", "1 -2- 3", "12345-1-2", "1-123-4", "٣/٤/٢٠٢٤",
		"１０：３０", "10：30", "3 日", "3  日", "9\tPM", "9 pm\xff", "\xff2020\xff",
	}
	const alphabet = "0123456789０１٣ ./-:：\t年月日aApPmMxé,\xff"
	alpha := []rune(alphabet)
	r := rand.New(rand.NewPCG(1, 2))
	for range 30_000 {
		var b strings.Builder
		for range r.IntN(16) {
			if r.IntN(20) == 0 {
				b.WriteByte(0xff)
				continue
			}
			b.WriteRune(alpha[r.IntN(len(alpha))])
		}
		lines = append(lines, b.String())
	}
	if dir, ok := corpus.Find("replies", "ACCORD_REPLY_CORPUS"); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err == nil {
				lines = append(lines, strings.Split(string(data), "\n")...)
			}
		}
	}
	for _, s := range lines {
		exact, year := dateShapes(s)
		if want := exactDateRe.MatchString(s); exact != want {
			t.Errorf("dateShapes(%q) exact = %v, want %v", s, exact, want)
		}
		if want := dateRe.MatchString(s); (exact || year) != want {
			t.Errorf("dateShapes(%q) any = %v, want %v", s, exact || year, want)
		}
	}
}

// TestIsReplyAbove: the quick test in front of replyAboveRe turns away no
// line the expression matches.
func TestIsReplyAbove(t *testing.T) {
	t.Parallel()
	lines := []string{
		"", "## Please reply above this line ##", "--- REPLY ABOVE THIS LINE", "> Type your response above this line",
		"Bitte antworten Sie über dieser Zeile", "Antworten Sie oberhalb dieser Zeile", "Répondez au-dessus de cette ligne",
		"-- write above this line", "\tRespond above this line", "Thanks, reply above this line", "ÉCRIVEZ", "",
	}
	if dir, ok := corpus.Find("replies", ""); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			if data, err := os.ReadFile(f); err == nil {
				lines = append(lines, strings.Split(string(data), "\n")...)
			}
		}
	}
	for _, s := range lines {
		if got, want := isReplyAbove(s), replyAboveRe.MatchString(s); got != want {
			t.Errorf("isReplyAbove(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestWordCount: wordCount counts what strings.Fields splits.
func TestWordCount(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", " ", "one", " two  words ", "tab\tand\nline", "nbsp\u00a0split", "\xff \xfe", "ideographic\u3000space", "x\u0085y"} {
		if got, want := wordCount(s), len(strings.Fields(s)); got != want {
			t.Errorf("wordCount(%q) = %d, want %d", s, got, want)
		}
	}
}
