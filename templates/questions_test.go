package templates

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"accord/conversation"
)

func TestDefaultQuestionSet(t *testing.T) {
	t.Parallel()
	set, err := DefaultQuestionSet()
	if err != nil {
		t.Fatalf("DefaultQuestionSet: %v", err)
	}
	if set.Len() < 14 || set.Len() > 18 {
		t.Errorf("default set has %d questions, want about 16", set.Len())
	}
	sections := map[conversation.Section]int{}
	for _, q := range set.Questions {
		sections[q.Section]++
		for _, r := range []conversation.Role{conversation.RoleLead, conversation.RoleReport, conversation.RolePeer} {
			w := q.For(r, "Sam")
			if w == "" || strings.Contains(w, "{") || strings.Contains(w, "\n") {
				t.Errorf("question %s as %s = %q, want one filled-in paragraph", q.ID, r, w)
			}
		}
		if q.Why == "" {
			t.Errorf("question %s has no why", q.ID)
		}
	}
	if sections[conversation.SectionCommitments] == 0 || sections[conversation.SectionAccountability] == 0 {
		t.Errorf("sections = %v, want commitments and accountability questions", sections)
	}
	// The default set leaves the review to the built-in reflections; a
	// [[review]] table here would change the stored set without a new version.
	if len(set.Review) != 0 {
		t.Errorf("default set has %d review questions, want the built-in ones", len(set.Review))
	}
}

// TestLoadQuestionSet: no file is the built-in set, a file is read as
// its own set, and one that cannot be read says so.
func TestLoadQuestionSet(t *testing.T) {
	t.Parallel()
	builtIn, err := LoadQuestionSet("")
	if err != nil || builtIn.Name != "accord-default" {
		t.Errorf("LoadQuestionSet(\"\") = %v, %v; want the built-in set", builtIn, err)
	}
	own := filepath.Join(t.TempDir(), "own.toml")
	if err := os.WriteFile(own, []byte("[set]\nname = \"ours\"\nversion = 2\n\n[[question]]\nid = \"a\"\ntheme = \"T\"\ntitle = \"A?\"\ntext = \"A?\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if set, err := LoadQuestionSet(own); err != nil || set.Name != "ours" || set.Version != 2 {
		t.Errorf("LoadQuestionSet(%s) = %v, %v; want the set ours v2", own, set, err)
	}
	missing := filepath.Join(t.TempDir(), "missing.toml")
	if _, err := LoadQuestionSet(missing); err == nil || !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "question set: ") {
		t.Errorf("LoadQuestionSet(%s) = %v, want a question set error that it is missing", missing, err)
	}
}

func TestParseQuestionSetReview(t *testing.T) {
	t.Parallel()
	data := []byte(`[set]
name = "team-set"
version = 2

[[question]]
id = "first"
theme = "One"
title = "First?"
text = "First question for {partner}?"

[[review]]
id = "learned"
title = "What did we learn?"
why = "  So the next quarter starts from it.  "
text = "What did you learn about working with {partner}?"

[[review]]
id = "team"
title = "What does the team see?"
lead = "What does your team see of the two of you?"
report = "What do your colleagues see of the two of you?"
peer = "What do both teams see of the two of you?"
`)
	set, err := ParseQuestionSet("team.toml", data)
	if err != nil {
		t.Fatalf("ParseQuestionSet: %v", err)
	}
	if len(set.Review) != 2 || set.Review[0].ID != "learned" || set.Review[1].ID != "team" {
		t.Fatalf("review = %+v, want learned and team in file order", set.Review)
	}
	if got := set.Review[0].Why; got != "So the next quarter starts from it." {
		t.Errorf("why = %q, want it trimmed", got)
	}
	if got := set.Review[1].For(conversation.RoleReport, "Dana"); got != "What do your colleagues see of the two of you?" {
		t.Errorf("report wording = %q", got)
	}
	if set.Review[0].Section != "" {
		t.Errorf("review section = %q, want none", set.Review[0].Section)
	}
}

func TestParseQuestionSetProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []Problem
	}{
		{"missing-and-duplicate.toml", []Problem{
			{Line: 11, Field: "question 2, id"},
			{Line: 17, Field: "question 3 (first), id"},
			{Line: 16, Field: "question 3 (first), peer"},
			{Line: 21, Field: "question 3 (first), report"},
		}},
		{"unknown-field.toml", []Problem{{Line: 8, Field: "question.titel"}}},
		{"syntax.toml", []Problem{{Line: 6}}},
		{"wrong-type.toml", []Problem{{Line: 3, Field: "set.version"}}},
		{"latin1.toml", []Problem{{Line: 2}}},
		{"review-problems.toml", []Problem{
			{Line: 12, Field: "review question 1 (rating), id"},
			{Line: 19, Field: "review question 2 (learned), section"},
			{Line: 23, Field: "review question 3 (learned), id"},
			{Line: 22, Field: "review question 3 (learned), report"},
			{Line: 22, Field: "review question 3 (learned), peer"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("testdata", "questions", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseQuestionSet(tt.file, data)
			var qe *QuestionSetError
			if !errors.As(err, &qe) {
				t.Fatalf("ParseQuestionSet(%s) error = %v, want a QuestionSetError", tt.file, err)
			}
			var got []Problem
			for _, p := range qe.Problems {
				if p.Message == "" {
					t.Errorf("problem %+v has no message", p)
				}
				got = append(got, Problem{Line: p.Line, Field: p.Field})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuestionSet(%s) problems = %+v, want %+v\n%v", tt.file, got, tt.want, err)
			}
			if !strings.HasPrefix(err.Error(), tt.file+":") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}
