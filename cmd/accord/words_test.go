package main

import (
	"testing"

	"accord/conversation"
)

func TestCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int
		noun string
		want string
	}{
		{0, "sample", "0 samples"},
		{1, "sample", "1 sample"},
		{2, "sample", "2 samples"},
		{1, "word", "1 word"},
		{1, "person/people", "1 person"},
		{3, "person/people", "3 people"},
		{1, "reply/replies", "1 reply"},
		{2, "reply/replies", "2 replies"},
	}
	for _, tt := range tests {
		if got := count(tt.n, tt.noun); got != tt.want {
			t.Errorf("count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	keys := []string{"pacing.quiet_start", "pacing.quiet_end", "pacing.quiet_days", "log.level", "mail.address"}
	commands := []string{"serve", "demo", "import", "pair", "send-test"}
	tests := []struct {
		typed      string
		candidates []string
		want       string
	}{
		{"pacing.quiet_strat", keys, "pacing.quiet_start"}, // swapped letters are one slip
		{"pacing.quite_start", keys, "pacing.quiet_start"},
		{"pacing.quiet_stat", keys, "pacing.quiet_start"},
		{"mail.adress", keys, "mail.address"},
		{"PACING.QUIET_END", keys, "pacing.quiet_end"},
		{"log.colour", keys, ""},
		{"imprt", commands, "import"},
		{"sever", commands, "serve"},
		{"send_test", commands, "send-test"},
		{"enrol", commands, ""},
		{"x", commands, ""},
		{"", commands, ""},
		{"anything", nil, ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.typed, tt.candidates); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"start", "start", 0},
		{"strat", "start", 1},
		{"start", "tart", 1},
		{"start", "starts", 1},
		{"start", "stark", 1},
		{"kitten", "sitting", 3},
		{"zürich", "zurich", 1},
	}
	for _, tt := range tests {
		if got := conversation.EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCommandHints(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	tests := []struct {
		code int
		want string
		args []string
	}{
		{exitUsage, "unknown pair subcommand \"import\"; did you mean accord import people.csv?", []string{"pair", "import", "people.csv"}},
		{exitUsage, "unknown pair subcommand \"checkin\"; did you mean accord checkin 1 show?", []string{"pair", "checkin", "1", "show"}},
		{exitUsage, "did you mean accord pair add?", []string{"pair", "ad", "--lead", dana}},
		{exitUsage, "did you mean accord pair forget?", []string{"pair", "forgt", "1"}},
		{exitUsage, "use add, list, show, pause, resume, end or forget", []string{"pair", "remove", "1"}},
		{exitUsage, "unknown command \"imprt\"; did you mean accord import?", []string{"imprt", "people.csv"}},
		{exitUsage, "unknown command \"add\"; did you mean accord pair add?", []string{"add"}},
		{exitUsage, "unknown command \"enrol\"\n", []string{"enrol"}},
	}
	for _, tt := range tests {
		c.fails(tt.code, tt.want, tt.args...)
	}
}
