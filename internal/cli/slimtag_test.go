package cli

import (
	"strings"
	"testing"
)

func TestSlimName(t *testing.T) {
	long := strings.Repeat("t", 128)
	tests := []struct{ in, want string }{
		{"app:1", "app:1-slim"},
		{"ghcr.io/x/y:2", "ghcr.io/x/y:2-slim"},
		{"localhost:5000/a/b:3", "localhost:5000/a/b:3-slim"},
		{"app@sha256:0123", "app:slim"},
		{"app:" + long, "app:" + long[:123] + "-slim"},
	}
	for _, tc := range tests {
		if got := slimName(tc.in); got != tc.want {
			t.Errorf("slimName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
