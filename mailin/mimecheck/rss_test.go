package mimecheck

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// procStatus returns a field of /proc/self/status in MiB (Linux only).
func procStatus(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return -1
}

// TestMeasureRetained answers what a process keeps after one large
// message: it runs one case (MIMECHECK_RSS, a regular expression over the
// measured cases) in mode MIMECHECK_MEASURE, drops the message, and
// reports the heap and the resident set right after, after up to a minute
// of the background scavenger, and after debug.FreeOSMemory. Run each case
// in its own process: the resident set is per process.
func TestMeasureRetained(t *testing.T) {
	pattern, mode := os.Getenv("MIMECHECK_RSS"), os.Getenv("MIMECHECK_MEASURE")
	if pattern == "" {
		t.Skip("set MIMECHECK_RSS to a case and MIMECHECK_MEASURE to before or after")
	}
	run := pipeline
	if mode == "after" {
		run = guarded
	}
	var c measureCase
	for _, m := range measureCases() {
		if strings.Contains(m.name, pattern) {
			c = m
			break
		}
	}
	if c.build == nil {
		t.Fatalf("no case %q", pattern)
	}
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	var ms runtime.MemStats
	raw := c.build()
	// Start from a resident set holding the message and little else, as
	// a poller that has just fetched it.
	debug.FreeOSMemory()
	rss0 := procStatus("VmRSS")
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM
	start := time.Now()
	out := run(raw)
	elapsed := time.Since(start)
	peakRSS := procStatus("VmHWM")
	raw = nil
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Printf("case %q, %s: %s in %v\n", c.name, mode, out, elapsed.Round(time.Millisecond))
	fmt.Printf("RSS before %.0f MiB, peak %.0f MiB\n", rss0, peakRSS)
	fmt.Printf("after GC: HeapAlloc %.1f MiB, HeapInuse %.1f, HeapIdle %.1f, HeapReleased %.1f, RSS %.0f MiB\n",
		mb(ms.HeapAlloc), mb(ms.HeapInuse), mb(ms.HeapIdle), mb(ms.HeapReleased), procStatus("VmRSS"))
	waited := time.Duration(0)
	for _, d := range []time.Duration{time.Second, 4 * time.Second, 25 * time.Second, 30 * time.Second} {
		time.Sleep(d)
		waited += d
		runtime.ReadMemStats(&ms)
		fmt.Printf("after %v idle: HeapReleased %.1f MiB, RSS %.0f MiB\n", waited, mb(ms.HeapReleased), procStatus("VmRSS"))
	}
	start = time.Now()
	debug.FreeOSMemory()
	took := time.Since(start)
	runtime.ReadMemStats(&ms)
	fmt.Printf("after FreeOSMemory (%v): HeapAlloc %.1f MiB, HeapReleased %.1f MiB, RSS %.0f MiB\n",
		took.Round(time.Microsecond), mb(ms.HeapAlloc), mb(ms.HeapReleased), procStatus("VmRSS"))
}
