package reply

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"accord/internal/corpus"
)

// The labelled reply corpus lives outside the repository (shared/corpus/replies
// beside the repo root). These tests score the extractor against it the way
// the corpus README describes: exact match and "close" match (token F1 of at
// least 0.9) after normalising whitespace.

// corpusPair is one line of manifest.jsonl.
type corpusPair struct {
	Name     string `json:"name"`
	Input    string `json:"input"`
	Expected string `json:"expected"`
	Source   string `json:"source"`
	Group    string `json:"group"`
	Kind     string `json:"kind"`
}

// corpusConstraint is one line of constraints.jsonl.
type corpusConstraint struct {
	Name           string   `json:"name"`
	Input          string   `json:"input"`
	Kind           string   `json:"kind"`
	MustContain    []string `json:"must_contain"`
	MustNotContain []string `json:"must_not_contain"`
}

// corpusDir finds the corpus, or skips the test (fails it under CI) when it
// is missing.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	return corpus.Dir(tb, "replies", "ACCORD_REPLY_CORPUS", corpus.Required())
}

func readJSONL[T any](tb testing.TB, path string) []T {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return out
}

// extractKind runs the extractor that fits the input kind.
func extractKind(kind string, input []byte) (string, error) {
	switch kind {
	case "html":
		return HTML(string(input)), nil
	case "eml":
		return Message(input)
	default:
		return Text(string(input)), nil
	}
}

var (
	trailingSpace = regexp.MustCompile(`[ \t]+\n`)
	manyBlank     = regexp.MustCompile(`\n{3,}`)
)

// normalizeForScore applies the corpus normalisation: CRLF to LF, no
// trailing spaces, at most one blank line in a row, trimmed.
func normalizeForScore(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = trailingSpace.ReplaceAllString(s+"\n", "\n")
	s = manyBlank.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}

// tokenF1 is the F1 score of the whitespace-separated words of got against
// want, counted as multisets. Two empty texts agree perfectly.
func tokenF1(got, want string) float64 {
	g, w := strings.Fields(got), strings.Fields(want)
	if len(g) == 0 && len(w) == 0 {
		return 1
	}
	if len(g) == 0 || len(w) == 0 {
		return 0
	}
	counts := make(map[string]int, len(w))
	for _, t := range w {
		counts[t]++
	}
	common := 0
	for _, t := range g {
		if counts[t] > 0 {
			counts[t]--
			common++
		}
	}
	if common == 0 {
		return 0
	}
	p := float64(common) / float64(len(g))
	r := float64(common) / float64(len(w))
	return 2 * p * r / (p + r)
}

type score struct{ total, exact, close int }

func (s score) pct(n int) float64 {
	if s.total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(s.total)
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	pairs := readJSONL[corpusPair](t, filepath.Join(dir, "manifest.jsonl"))
	if len(pairs) == 0 {
		t.Fatal("manifest.jsonl lists no pairs")
	}
	bySource := map[string]*score{}
	var real, synthetic score
	type failure struct {
		name string
		f1   float64
	}
	var failures []failure
	for _, p := range pairs {
		input, err := os.ReadFile(filepath.Join(dir, p.Input))
		if err != nil {
			t.Fatalf("read %s: %v", p.Input, err)
		}
		wantRaw, err := os.ReadFile(filepath.Join(dir, p.Expected))
		if err != nil {
			t.Fatalf("read %s: %v", p.Expected, err)
		}
		got, err := extractKind(p.Kind, input)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		got, want := normalizeForScore(got), normalizeForScore(string(wantRaw))
		f1 := tokenF1(got, want)
		s := bySource[p.Source]
		if s == nil {
			s = &score{}
			bySource[p.Source] = s
		}
		agg := &real
		if p.Source == "webridge" {
			agg = &synthetic
		}
		for _, x := range []*score{s, agg} {
			x.total++
			if got == want {
				x.exact++
			}
			if f1 >= 0.9 {
				x.close++
			}
		}
		if f1 < 0.9 && p.Source != "webridge" {
			failures = append(failures, failure{p.Name, f1})
		}
	}
	sources := make([]string, 0, len(bySource))
	for k := range bySource {
		sources = append(sources, k)
	}
	sort.Strings(sources)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-12s %6s %8s %8s\n", "source", "pairs", "exact%", "close%")
	for _, k := range sources {
		s := bySource[k]
		fmt.Fprintf(&b, "%-12s %6d %8.1f %8.1f\n", k, s.total, s.pct(s.exact), s.pct(s.close))
	}
	fmt.Fprintf(&b, "%-12s %6d %8.1f %8.1f\n", "real", real.total, real.pct(real.exact), real.pct(real.close))
	fmt.Fprintf(&b, "%-12s %6d %8.1f %8.1f\n", "webridge", synthetic.total, synthetic.pct(synthetic.exact), synthetic.pct(synthetic.close))
	t.Log(b.String())
	if len(failures) > 0 {
		sort.Slice(failures, func(i, j int) bool { return failures[i].name < failures[j].name })
		var f strings.Builder
		for i, x := range failures {
			if i == 30 {
				fmt.Fprintf(&f, "... and %d more\n", len(failures)-30)
				break
			}
			fmt.Fprintf(&f, "%s (F1 %.2f)\n", x.name, x.f1)
		}
		t.Logf("real pairs below close:\n%s", f.String())
	}
	if got := real.pct(real.close); got < 90 {
		t.Errorf("close on real pairs = %.1f%%, want >= 90%%", got)
	}
	if got := synthetic.pct(synthetic.close); synthetic.total > 0 && got < 97 {
		t.Errorf("close on webridge pairs = %.1f%%, want >= 97%%", got)
	}
}

func TestCorpusConstraints(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	cons := readJSONL[corpusConstraint](t, filepath.Join(dir, "constraints.jsonl"))
	for _, c := range cons {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			input, err := os.ReadFile(filepath.Join(dir, "constraints", c.Input))
			if err != nil {
				t.Fatalf("read %s: %v", c.Input, err)
			}
			got, err := extractKind(c.Kind, input)
			if err != nil {
				t.Fatalf("extract %s: %v", c.Input, err)
			}
			for _, s := range c.MustContain {
				if !strings.Contains(got, s) {
					t.Errorf("extract(%q) = %q, want it to contain %q", c.Input, got, s)
				}
			}
			for _, s := range c.MustNotContain {
				if strings.Contains(got, s) {
					t.Errorf("extract(%q) = %q, want it without %q", c.Input, got, s)
				}
			}
		})
	}
}

// BenchmarkCorpus runs every corpus input through its extractor and reports
// messages per second.
func BenchmarkCorpus(b *testing.B) {
	dir := corpus.Dir(b, "replies", "ACCORD_REPLY_CORPUS", false)
	pairs := readJSONL[corpusPair](b, filepath.Join(dir, "manifest.jsonl"))
	type in struct {
		kind string
		data []byte
	}
	inputs := make([]in, 0, len(pairs))
	for _, p := range pairs {
		data, err := os.ReadFile(filepath.Join(dir, p.Input))
		if err != nil {
			b.Fatalf("read %s: %v", p.Input, err)
		}
		inputs = append(inputs, in{p.Kind, data})
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, x := range inputs {
			if _, err := extractKind(x.kind, x.data); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
