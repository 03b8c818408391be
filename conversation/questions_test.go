package conversation

import (
	"testing"
)

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
