package conversation

import (
	"strings"
	"testing"
)

func TestQuestionSetValidate(t *testing.T) {
	t.Parallel()
	q := func(id string) Question {
		return Question{ID: id, Theme: "T", Title: "Title?", Text: "Ask {partner}?"}
	}
	tests := []struct {
		name string
		edit func(s *QuestionSet)
		want []string // substrings of the errors, in order
	}{
		{"valid", func(s *QuestionSet) {}, nil},
		{"missing name and version", func(s *QuestionSet) { s.Name, s.Version = "", 0 }, []string{"set.name: is missing", "set.version"}},
		{"no questions", func(s *QuestionSet) { s.Questions = nil }, []string{"has no questions"}},
		{"missing id", func(s *QuestionSet) { s.Questions[1].ID = "" }, []string{"question 2, id: is missing"}},
		{"duplicate id", func(s *QuestionSet) { s.Questions[2].ID = "a" }, []string{`question 3, id: "a" is already used by question 1`}},
		{"bad id", func(s *QuestionSet) { s.Questions[0].ID = "What Works" }, []string{"question 1, id"}},
		{"no wording for a role", func(s *QuestionSet) {
			s.Questions[0].Text = ""
			s.Questions[0].Wording = map[Role]string{RoleLead: "x", RoleReport: "y"}
		}, []string{"question 1, peer: is missing"}},
		{"unknown placeholder", func(s *QuestionSet) { s.Questions[0].Text = "Hi {name}" }, []string{"unknown placeholder {name}"}},
		{"long title", func(s *QuestionSet) { s.Questions[0].Title = strings.Repeat("x", 61) }, []string{"61 characters"}},
		{"bad section", func(s *QuestionSet) { s.Questions[0].Section = "extras" }, []string{`section: "extras"`}},
		{"missing theme", func(s *QuestionSet) { s.Questions[0].Theme = " " }, []string{"theme: is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &QuestionSet{Name: "ours", Version: 1, Questions: []Question{q("a"), q("b"), q("c")}}
			tt.edit(s)
			errs := s.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("Validate() = %v, want %d errors", errs, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i], w)
				}
			}
		})
	}
}

func TestQuestionFor(t *testing.T) {
	t.Parallel()
	q := Question{Text: "What do you value in {partner}?", Wording: map[Role]string{RoleLead: "What does {partner} bring to the team?"}}
	tests := []struct {
		role    Role
		partner string
		want    string
	}{
		{RoleLead, "Sam Ortiz", "What does Sam bring to the team?"},
		{RoleReport, "Dana Lee", "What do you value in Dana?"},
		{RolePeer, "", "What do you value in your partner?"},
	}
	for _, tt := range tests {
		if got := q.For(tt.role, tt.partner); got != tt.want {
			t.Errorf("For(%s, %q) = %q, want %q", tt.role, tt.partner, got, tt.want)
		}
	}
}
