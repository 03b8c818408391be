package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestPairListPages: the list comes a page at a time, each ending with
// the command for the next, and keeps its status filter across pages.
func TestPairListPages(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	var csv strings.Builder
	csv.WriteString("lead_name,lead_email,report_name,report_email\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&csv, "Lead %d,lead%d@example.com,Report %d,report%d@example.com\n", i, i, i, i)
	}
	c.ok("import", c.write("pairs.csv", csv.String()))
	for _, id := range []string{"2", "5", "6"} {
		c.ok("pair", "end", id)
	}
	tests := []struct {
		args []string
		ids  []string // the IDs listed, in order
		next string   // the line that says how to get the next page; "" for none
	}{
		{[]string{"--limit", "3"}, []string{"1", "2", "3"}, "accord pair list --after 3 --limit 3"},
		{[]string{"--after", "3", "--limit", "3"}, []string{"4", "5", "6"}, "accord pair list --after 6 --limit 3"},
		{[]string{"--after", "6", "--limit", "3"}, []string{"7"}, ""},
		{[]string{"--limit", "0"}, []string{"1", "2", "3", "4", "5", "6", "7"}, ""},
		{nil, []string{"1", "2", "3", "4", "5", "6", "7"}, ""},
		{[]string{"--status", "ended", "--limit", "2"}, []string{"2", "5"}, "accord pair list --after 5 --status ended --limit 2"},
		{[]string{"--status", "ended", "--limit", "2", "--after", "5"}, []string{"6"}, ""},
		{[]string{"--after", "7"}, nil, ""},
	}
	for _, tt := range tests {
		args := append([]string{"pair", "list"}, tt.args...)
		out := c.ok(args...)
		var ids []string
		next := ""
		for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
			if strings.HasPrefix(line, "More follow") {
				_, next, _ = strings.Cut(line, ": ")
				continue
			}
			ids = append(ids, strings.Fields(line)[0])
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.ids) || next != tt.next {
			t.Errorf("accord %s listed %v, next %q; want %v, next %q\n%s", strings.Join(args, " "), ids, next, tt.ids, tt.next, out)
		}
	}
	if out := c.ok("pair", "list", "--after", "7"); !strings.Contains(out, "No partnerships after ID 7") {
		t.Errorf("accord pair list --after 7 = %q, want it to say there are none after 7", out)
	}
	for _, args := range [][]string{{"--limit", "-1"}, {"--after", "-3"}, {"--after", "x"}, {"extra"}} {
		c.fails(exitUsage, "", append([]string{"pair", "list"}, args...)...)
	}
}

// TestParseFor: a pause given with --for lasts from a day to the domain's
// longest pause, the same as one asked for by mail.
func TestParseFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int // days; 0 for refused
	}{
		{"10d", 10},
		{"2w", 14},
		{"3 weeks", 21},
		{"1 day", 1},
		{"365d", 365},
		{"52w", 364},
		{"366d", 0},
		{"53w", 0},
		{"0d", 0},
		{"a while", 0},
	} {
		got, err := parseFor(tc.in)
		if (err == nil) != (tc.want > 0) || got != tc.want {
			t.Errorf("parseFor(%q) = %d, %v; want %d days", tc.in, got, err, tc.want)
		}
	}
}
