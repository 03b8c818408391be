package conversation

import (
	"fmt"
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
		{"review questions", func(s *QuestionSet) {
			r := q("learned")
			r.Theme = ""
			s.Review = []Question{r, q("team")}
		}, nil},
		{"review uses the rating id", func(s *QuestionSet) { s.Review = []Question{q("rating")} }, []string{`review question 1, id: "rating" is the rating`}},
		{"review uses a commitment id", func(s *QuestionSet) { s.Review = []Question{q("commit-q2")} }, []string{"review question 1, id: ids starting with"}},
		{"review duplicate id", func(s *QuestionSet) { s.Review = []Question{q("a"), q("a")} }, []string{`review question 2, id: "a" is already used by question 1`}},
		{"review with a section", func(s *QuestionSet) {
			r := q("learned")
			r.Section = SectionCommitments
			s.Review = []Question{r}
		}, []string{"review question 1, section"}},
		{"review without wording", func(s *QuestionSet) {
			r := q("learned")
			r.Text, r.Title = "", ""
			s.Review = []Question{r}
		}, []string{"review question 1, title", "review question 1, lead", "review question 1, report", "review question 1, peer"}},
		{"review too long", func(s *QuestionSet) {
			for i := range MaxReviewQuestions + 1 {
				s.Review = append(s.Review, q(fmt.Sprintf("r%d", i)))
			}
		}, []string{"set.review: has 9 questions"}},
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
		{RoleLead, "Sam", "What does Sam bring to the team?"},
		{RoleReport, "Dana", "What do you value in Dana?"},
		{RolePeer, "your partner", "What do you value in your partner?"},
	}
	for _, tt := range tests {
		if got := q.For(tt.role, tt.partner); got != tt.want {
			t.Errorf("For(%s, %q) = %q, want %q", tt.role, tt.partner, got, tt.want)
		}
	}
}
