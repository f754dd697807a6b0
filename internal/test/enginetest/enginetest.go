// Package enginetest lets tests use the real Docker engine: they skip with a
// clear message where none answers, and fail instead when
// DIET_REQUIRE_ENGINE=1 (as .ci/run sets it), so CI never skips silently.
package enginetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Require skips or fails t unless a Docker engine answers, and returns its
// storage driver.
func Require(t testing.TB) (driver string) {
	t.Helper()
	out, err := exec.Command("docker", "info", "--format", "{{.Driver}}").CombinedOutput()
	if err == nil {
		return strings.TrimSpace(string(out))
	}
	msg := "no Docker engine: " + strings.TrimSpace(string(out))
	if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
		t.Fatalf("%s, and DIET_REQUIRE_ENGINE=1 makes the engine mandatory", msg)
	}
	t.Skipf("%s (set DIET_REQUIRE_ENGINE=1 to fail instead)", msg)
	return ""
}

// Docker runs the docker CLI and returns its trimmed output.
func Docker(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Load loads a docker-archive into the engine as tag and removes it when
// the test ends.
func Load(t testing.TB, archive, tag string) {
	t.Helper()
	Docker(t, "load", "-i", archive)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
}
