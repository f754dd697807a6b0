package diet

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestHealthcheck: a HEALTHCHECK becomes the exec probe Docker would run.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		test  []string
		shell []string
		want  []string // nil: no probe
	}{
		{"CMD", []string{"CMD", "/app/cli", "health"}, nil, []string{"/app/cli", "health"}},
		{"CMD-SHELL", []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}, nil, []string{"/bin/sh", "-c", "curl -f http://localhost/ || exit 1"}},
		{"CMD-SHELL with SHELL", []string{"CMD-SHELL", "exit 0"}, []string{"/bin/bash", "-eo", "pipefail", "-c"}, []string{"/bin/bash", "-eo", "pipefail", "-c", "exit 0"}},
		{"NONE", []string{"NONE"}, nil, nil},
		{"inherited", []string{}, nil, nil},
		{"CMD alone", []string{"CMD"}, nil, nil},
		{"unknown", []string{"RUN", "x"}, nil, nil},
		{"empty program", []string{"CMD", ""}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf := &v1.ConfigFile{Config: v1.Config{Healthcheck: &v1.HealthConfig{Test: tc.test}, Shell: tc.shell}}
			p, ok := healthcheck(cf)
			if ok != (tc.want != nil) {
				t.Fatalf("healthcheck(%q) = %v, %v; want a probe: %v", tc.test, p, ok, tc.want != nil)
			}
			if diff := cmp.Diff(tc.want, p.Exec); ok && diff != "" {
				t.Errorf("healthcheck(%q) (-want +got):\n%s", tc.test, diff)
			}
		})
	}
	if _, ok := healthcheck(&v1.ConfigFile{}); ok {
		t.Error("healthcheck(no HEALTHCHECK) = a probe")
	}
}
