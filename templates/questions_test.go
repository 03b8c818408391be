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
			w := q.For(r, "Sam Ortiz")
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
