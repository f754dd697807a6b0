// Package attacktest builds what a hostile image runs (attack.c, the
// attempts of an entrypoint on the host; preload.c, a library that marks
// where it is loaded) and reads the host afterwards: a canary directory any
// user may write, and the processes left. Tests of the sandbox use it.
package attacktest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// source is the path of one of this package's C files.
func source(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", name)
}

// Require skips t, or fails it under DIET_REQUIRE_ENGINE=1 (CI), when tool
// is not installed.
func Require(t testing.TB, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err == nil {
		return
	}
	if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
		t.Fatalf("no %s, and DIET_REQUIRE_ENGINE=1 makes it mandatory", tool)
	}
	t.Skipf("no %s (DIET_REQUIRE_ENGINE=1 fails instead)", tool)
}

// Program is attack.c built static, so that an image needs nothing else.
// Its first argument is the attack: escape CANARY, devices CANARY, whoami,
// linger TOKEN, kernel, limits, getenv NAME, true.
func Program(t testing.TB) []byte {
	t.Helper()
	Require(t, "gcc")
	out := filepath.Join(t.TempDir(), "attack")
	if b, err := exec.Command("gcc", "-static", "-O1", "-o", out, source("attack.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc attack.c: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Preload builds preload.c as a library that writes into canary wherever it
// is loaded, in a directory every user may read: a host tool running as the
// sandbox's user would load it, given LD_PRELOAD.
func Preload(t testing.TB, canary string) string {
	t.Helper()
	Require(t, "gcc")
	dir, err := os.MkdirTemp("/tmp", "diet-lib-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "preload.so")
	if b, err := exec.Command("gcc", "-shared", "-fPIC", "-DCANARY=\""+canary+"\"", "-o", lib, source("preload.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc preload.c: %v\n%s", err, b)
	}
	return lib
}

// Canary is a directory of the host that every user may write, outside any
// directory of the test's: what an escaped process could reach.
func Canary(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "diet-canary-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// CheckCanary fails t for every file in the canary directory.
func CheckCanary(t testing.TB, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("the image's code wrote %s on the host", filepath.Join(dir, e.Name()))
	}
}

// Leftovers are the processes whose command line holds token, as
// "/proc/PID/cmdline: "ARGS"".
func Leftovers(token string) []string {
	var left []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(token)) {
			left = append(left, fmt.Sprintf("%s: %q", p, bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
		}
	}
	return left
}

// Lingering is how many processes run `/attack linger TOKEN`.
func Lingering(token string) int {
	n := 0
	for _, p := range Leftovers(token) {
		if strings.Contains(p, `"/attack linger `) {
			n++
		}
	}
	return n
}
