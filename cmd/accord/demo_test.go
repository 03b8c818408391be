package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"accord/store"
)

// TestDemoCommand runs accord demo as an operator does: the story is
// printed and kept as the transcript, and the messages and both versions
// of the agreement are written where --out says. (internal/demo's
// TestDemo holds the story itself to what it must show.)
func TestDemoCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := filepath.Join(c.dir, "demo")
	out := c.ok("demo", "--out", dir)
	for _, want := range []string{"Accord demo: Dana Lee (lead, Europe/Berlin) and Sam Ortiz (report, America/New_York)",
		"Files are in " + dir, "agreement version 2 after one review", "Every message is in " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("accord demo output lacks %q", want)
		}
	}
	if saved, err := os.ReadFile(filepath.Join(dir, "transcript.txt")); err != nil || string(saved) != out {
		t.Errorf("transcript.txt differs from what was printed (err %v)", err)
	}
	for _, name := range []string{"0001-dana-welcome.eml", "agreement-v1.md", "agreement-v2.html", "accord.db", "accord.log"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("accord demo --out %s wrote no %s: %v", dir, name, err)
		}
	}
}

func TestDemoRejects(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.fails(exitUsage, "--speed", "demo", "--speed", "-1")
	c.fails(exitUsage, "no arguments", "demo", "extra")
}

// TestInteractiveDemo enrols the sample pair in a sandbox on the real clock,
// with quiet hours off whatever the configuration says, so their first
// questions arrive at once.
func TestInteractiveDemo(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", "[http]\nlisten = \"127.0.0.1:0\"\n[sandbox]\nimap_port = 0\nsmtp_port = 0\n[pacing]\nquiet_start = \"00:01\"\nquiet_end = \"23:59\"\n")
	dir := filepath.Join(c.dir, "demo")
	s := c.start("demo", "--interactive", "--out", dir)
	var imapAddr, pass string
	eventually(t, time.Minute, "the sandbox banner", func() bool {
		out := s.stdout.String()
		if m := bannerPass.FindStringSubmatch(out); m != nil && strings.Contains(out, "Interactive demo") {
			imapAddr, pass = bannerIMAP.FindStringSubmatch(out)[1], m[1]
			return true
		}
		return false
	})
	for _, who := range []string{"dana.lee@example.com", "sam.ortiz@example.com"} {
		eventually(t, time.Minute, who+"'s welcome", func() bool {
			msgs := inbox(t, imapAddr, who, pass)
			return len(msgs) == 1 && strings.Contains(msgs[0].Header.Get("Subject"), "1/16")
		})
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("demo --interactive exited with %d:\n%s", code, s.stderr)
	}
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "accord.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if people, err := st.PeopleEmails(context.Background()); err != nil || len(people) != 2 {
		t.Errorf("demo database has people %v (err %v), want the sample pair", people, err)
	}
}
