package templates

import "testing"

func TestRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []int
		want string
	}{
		{nil, ""},
		{[]int{3}, "3"},
		{[]int{1, 2}, "1, 2"},
		{[]int{1, 2, 3, 4, 6}, "1-4, 6"},
		{[]int{1, 3, 4, 5, 9, 10}, "1, 3-5, 9, 10"},
	}
	for _, tt := range tests {
		if got := ranges(tt.in); got != tt.want {
			t.Errorf("ranges(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
