package templates

import (
	"reflect"
	"testing"
)

// TestDefaultSetBehaviourThemes pins which questions of the default set
// become proposals for the agreement: the themes that ask how the two
// will act, as issue 15 lists them. The domain knows three of them by id,
// so renaming one here would quietly drop its proposals.
func TestDefaultSetBehaviourThemes(t *testing.T) {
	t.Parallel()
	set, err := DefaultQuestionSet()
	if err != nil {
		t.Fatalf("DefaultQuestionSet: %v", err)
	}
	var got []string
	for _, q := range set.Questions {
		if q.AsksForBehaviour() {
			got = append(got, q.ID)
		}
	}
	want := []string{"communication", "hard-times", "routines", "commitments", "accountability"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default questions asking for behaviour = %q, want %q", got, want)
	}
}
