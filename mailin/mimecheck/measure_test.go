package mimecheck

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"accord/mailin/classify"
	"accord/mailin/reply"
)

// parser is configured as mailin's.
var parser = enmime.NewParser(enmime.DisableTextConversion(true), enmime.MultipartWOBoundaryAsSinglePart(true))

// pipeline is what mailin does with a message once it is past the size
// check: parse, classify, extract the reply. It returns a short summary.
func pipeline(raw []byte) string {
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return "unreadable"
	}
	c := classify.Classify(env, classify.Options{
		ServiceAddresses: []string{"accord@example.test"},
		IsOurs:           func(string) bool { return false },
	})
	text := ""
	switch {
	case strings.TrimSpace(env.Text) != "":
		text = reply.Text(env.Text)
	case strings.TrimSpace(env.HTML) != "":
		text = reply.HTML(env.HTML)
	}
	return fmt.Sprintf("%s, %d bytes of reply", c.Kind, len(text))
}

// guarded is pipeline with this package in front, as mailin should call it.
func guarded(raw []byte) string {
	l := DefaultLimits()
	if err := Check(raw, l); err != nil {
		return "refused: " + err.Error()
	}
	return pipeline(Trim(raw, l))
}

// measureCase is one shape of message for the measurement table.
type measureCase struct {
	name  string
	build func() []byte
	// slow marks cases that keep enmime busy for minutes unguarded.
	slow bool
}

func measureCases() []measureCase {
	return []measureCase{
		{"normal reply (text+html, 3 KB)", normalReply, false},
		{"flat 1k parts, 5 MB", func() []byte { return flatParts(1000, 5*mB) }, false},
		{"flat 5k parts, 5 MB", func() []byte { return flatParts(5000, 5*mB) }, false},
		{"flat 20k parts, 5 MB", func() []byte { return flatParts(20000, 5*mB) }, true},
		{"flat 120k parts, 5 MB", func() []byte { return flatParts(120000, 5*mB) }, true},
		{"flat 120k parts, 25 MB", func() []byte { return flatParts(120000, 25*mB) }, true},
		{"deep closed 16, tiny", func() []byte { return deepClosed(16, 100) }, false},
		{"deep closed 200, tiny", func() []byte { return deepClosed(200, 100) }, false},
		{"deep closed 2000, tiny", func() []byte { return deepClosed(2000, 100) }, true},
		{"deep closed 8, 25 MB text at bottom", func() []byte { return deepClosed(8, 25*mB) }, false},
		{"deep closed 16, 25 MB text at bottom", func() []byte { return deepClosed(16, 25*mB) }, true},
		{"deep unclosed 12", func() []byte { return deepUnclosed(12) }, false},
		{"deep unclosed 16", func() []byte { return deepUnclosed(16) }, false},
		{"deep unclosed 20", func() []byte { return deepUnclosed(20) }, true},
		{"490 text parts of 8 KB, 4 MB", func() []byte { return flatParts(490, 4*mB) }, false},
		{"490 text parts of 50 KB, 25 MB", func() []byte { return flatParts(490, 25*mB) }, false},
		{"depth 8, 480 text parts of 50 KB at the bottom, 25 MB", func() []byte { return deepClosedParts(8, 480, 50*kB) }, false},
		{"depth 8, 5 text parts of 5 MB at the bottom, 25 MB", func() []byte { return deepClosedParts(8, 5, 5*mB) }, false},
		{"3 text parts of 8 MB then 480 tiny ones, 25 MB", func() []byte { return bigThenTiny(3, 8*mB, 480) }, false},
		{"480 text parts hidden one byte into the line, 1 KB each", func() []byte { return hiddenTextParts(480, 1000) }, false},
		{"480 text parts hidden in a part header", func() []byte { return hiddenInHeader(480) }, false},
		{"490 text/plain attachments of 50 KB, 25 MB", func() []byte {
			return flatOf(490, 50*kB, "Content-Type: text/plain; charset=koi8-r\r\nContent-Disposition: attachment; filename=a.txt")
		}, false},
		{"490 text/html parts of 50 KB, 25 MB", func() []byte { return flatOf(490, 50*kB, "Content-Type: text/html") }, false},
		{"490 text/calendar parts of 50 KB, 25 MB", func() []byte { return flatOf(490, 50*kB, "Content-Type: text/calendar") }, false},
		{"text/plain base64 20 MB", func() []byte { return hugeText("base64", 20*mB) }, false},
		{"text/plain quoted-printable 20 MB", func() []byte { return hugeText("quoted-printable", 20*mB) }, false},
		{"text/plain 8bit 20 MB", func() []byte { return hugeText("8bit", 20*mB) }, false},
		{"text/plain 8bit 25 MB", func() []byte { return hugeText("8bit", 25*mB) }, false},
		{"alternative text+html base64 25 MB", func() []byte { return hugeAlternative(25 * mB) }, false},
		{"text/html nested tags 20 MB", func() []byte { return hugeHTML(htmlNested(20 * mB)) }, false},
		{"text/html tiny tags 20 MB", func() []byte { return hugeHTML(htmlTinyTags(20 * mB)) }, false},
		{"text/html tiny tags 25 MB", func() []byte { return hugeHTML(htmlTinyTags(25 * mB)) }, false},
		{"5,000 header fields", func() []byte { return manyHeaders(5000) }, false},
		{"50,000 header fields (4 MB)", func() []byte { return manyHeaders(50000) }, false},
		{"300,000 header fields (25 MB)", func() []byte { return manyHeaders(300000) }, false},
		{"1 MB Subject line (header just under 1 MiB)", func() []byte { return longHeaderLine(1_000_000) }, false},
		{"1 MiB Subject line (header over 1 MiB)", func() []byte { return longHeaderLine(mB) }, false},
		{"25 MB Subject line", func() []byte { return longHeaderLine(25 * mB) }, false},
		{"delimiter lookalikes, 5 MB", func() []byte { return lookalikes(5 * mB) }, false},
		{"delimiter lookalikes, 25 MB", func() []byte { return lookalikes(25 * mB) }, false},
		{"25 MB of empty lines (CR LF)", func() []byte { return shortLines("\r\n", 25*mB) }, false},
		{"25 MB of empty lines (LF)", func() []byte { return shortLines("\n", 25*mB) }, false},
		{"25 MB of lines like an open boundary's delimiter", func() []byte { return shortLines("\n--ac\n", 25*mB) }, false},
		{"25 MB of delimiter lookalikes after bare CRs", func() []byte { return shortLines("\r--aX\r--abX", 25*mB) }, false},
		{"25 MB of Content-Type lines", func() []byte { return shortLines("Content-Type: text/plain; x=y\r\n", 25*mB) }, false},
		{"message/rfc822 nested 1000", func() []byte { return nestedRFC822(1000) }, false},
		{"message/rfc822 nested 400k (25 MB)", func() []byte { return nestedRFC822(400000) }, false},
		{"forwarded multipart nested 50", func() []byte { return nestedForwards(50) }, false},
		{"charset detection 8bit 20 MB", func() []byte { return charsetText(20 * mB) }, false},
		{"charset detection 8bit 25 MB", func() []byte { return charsetText(25 * mB) }, false},
		{"reply + 25 MB image attachment", func() []byte { return bigAttachment(25 * mB) }, false},
	}
}

// measurement is what one run of a pipeline on one message cost.
type measurement struct {
	elapsed time.Duration
	// cpu is the process's user and system time during the run, GC
	// included; unlike elapsed it hardly depends on the machine's load.
	cpu time.Duration
	// peak is the highest sampled heap above the heap before the run,
	// which already held the raw message.
	peak uint64
	// alloc is the total allocated during the run.
	alloc uint64
	// retained is the heap above the baseline after the run and a GC.
	retained int64
	outcome  string
}

// heapObjects is the runtime/metrics name for live plus not yet swept
// heap objects, HeapAlloc; reading it does not stop the world.
const heapObjects = "/memory/classes/heap/objects:bytes"

func measure(raw []byte, run func([]byte) string) measurement {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: heapObjects}}
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	cpu0 := cpuTime()
	start := time.Now()
	out := run(raw)
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&after)
	peak = max(peak, after.HeapAlloc)
	m := measurement{elapsed: elapsed, cpu: cpu, alloc: after.TotalAlloc - before.TotalAlloc, outcome: out}
	if peak > before.HeapAlloc {
		m.peak = peak - before.HeapAlloc
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	m.retained = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	return m
}

// cpuTime is the user and system time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mib(n uint64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) }

// TestMeasure prints the measurement table. It runs only when
// MIMECHECK_MEASURE is "before" (enmime, classify and reply alone) or
// "after" (with Check and Trim in front); MIMECHECK_CASES selects cases by
// regular expression, MIMECHECK_RUNS repeats each case, and cases that take
// minutes unguarded run before only with MIMECHECK_SLOW=1.
func TestMeasure(t *testing.T) {
	mode := os.Getenv("MIMECHECK_MEASURE")
	if mode == "" {
		t.Skip("set MIMECHECK_MEASURE=before or after")
	}
	run := pipeline
	if mode == "after" {
		run = guarded
	}
	filter := regexp.MustCompile(os.Getenv("MIMECHECK_CASES"))
	fmt.Printf("| case | size MB | time | CPU | peak heap MB | alloc MB | retained MB | outcome |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range measureCases() {
		if !filter.MatchString(c.name) {
			continue
		}
		if c.slow && mode == "before" && os.Getenv("MIMECHECK_SLOW") == "" {
			fmt.Printf("| %s | | skipped (slow) | | | | | |\n", c.name)
			continue
		}
		raw := c.build()
		runs, _ := strconv.Atoi(os.Getenv("MIMECHECK_RUNS"))
		m := measure(raw, run)
		for range runs - 1 {
			// Keep the fastest time and the highest peak: the machine is
			// shared, and only the time varies with its load.
			n := measure(raw, run)
			m.elapsed, m.cpu, m.peak = min(m.elapsed, n.elapsed), min(m.cpu, n.cpu), max(m.peak, n.peak)
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", c.name, mib(uint64(len(raw))),
			m.elapsed.Round(time.Millisecond), m.cpu.Round(time.Millisecond), mib(m.peak), mib(m.alloc), mib(uint64(max(m.retained, 0))), m.outcome)
		runtime.KeepAlive(raw)
	}
	debug.FreeOSMemory()
}

// BenchmarkCheck measures Check alone on every measured shape, at its
// full size.
func BenchmarkCheck(b *testing.B) {
	for _, c := range measureCases() {
		raw := c.build()
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				Check(raw, Limits{})
			}
		})
	}
}

// BenchmarkNormalReply compares the pipeline on an ordinary reply with and
// without Check and Trim in front, and Check alone.
func BenchmarkNormalReply(b *testing.B) {
	for _, m := range []struct {
		name string
		raw  []byte
	}{{"text+html 3 KB", normalReply()}, {"Gmail-like with 60 KB image", gmailInlineImage()}, {"Outlook-like .ics", outlookICS()}} {
		b.Run(m.name+"/pipeline", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pipeline(m.raw)
			}
		})
		b.Run(m.name+"/Check+Trim+pipeline", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				guarded(m.raw)
			}
		})
		b.Run(m.name+"/Check", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Check(m.raw, Limits{})
			}
		})
		b.Run(m.name+"/Trim", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Trim(m.raw, Limits{})
			}
		})
	}
}
