package report

import "testing"

func TestTrim(t *testing.T) {
	for _, tc := range []struct {
		s       string
		n       int
		keepEnd bool
		want    string
	}{
		{"abcdef", 6, false, "abcdef"},
		{"abcdef", 4, false, "abc…"},
		{"abcdef", 4, true, "…def"},
		{"/usr/lib/gö", 5, true, "…b/gö"},
		{"abc", 1, false, "…"},
		{"abc", 0, true, "…"},
	} {
		if got := trim(tc.s, tc.n, tc.keepEnd); got != tc.want {
			t.Errorf("trim(%q, %d, %v) = %q, want %q", tc.s, tc.n, tc.keepEnd, got, tc.want)
		}
	}
}
