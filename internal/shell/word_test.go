package shell

import "testing"

func TestUnescape(t *testing.T) {
	for _, tc := range []struct {
		in   string
		dq   bool
		want string
	}{
		{`plain`, false, `plain`},
		{`f\oo`, false, `foo`},
		{`a\\b`, false, `a\b`},
		{"a\\\nb", false, "ab"},
		{`a\`, false, `a\`},
		{`\$x \" \a`, true, `$x " \a`},
		{"a\\\nb", true, "ab"},
		{`\\`, true, `\`},
		{"a\\`b", true, "a`b"},
	} {
		if got := Unescape(tc.in, tc.dq); got != tc.want {
			t.Errorf("Unescape(%q, %v) = %q, want %q", tc.in, tc.dq, got, tc.want)
		}
	}
}
