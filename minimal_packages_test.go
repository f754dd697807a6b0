package diet_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// TestSlimMinimalTracedPython slims a Python script that asks pygments
// for a lexer by name: pygments imports the lexer's module then, so the
// traced run (the default, "text") never opens pygments/lexers/python.py.
// The package closure keeps pygments whole, with its egg-info (but for
// the bytecode of the modules the run did not import: Python compiles
// their source), and the slimmed image runs the other path ("python") as
// the original does;
// PyYAML, which nothing imports, is gone; the report prices pygments.
func TestSlimMinimalTracedPython(t *testing.T) {
	requireTracer(t)
	img, lazy, unused := tartest.PythonHighlighter(t)
	if !slices.ContainsFunc(lazy, func(p string) bool { return strings.HasSuffix(p, "/pygments/lexers/python.py") }) {
		t.Fatalf("pygments/lexers/python.py is not among the files only the lazy path imports: %q", lazy)
	}
	out, rep, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithVerify(true), diet.WithTimeout(time.Minute))
	if err != nil {
		t.Fatalf("Slim(minimal): %v", err)
	}
	defer out.Close()
	if v := rep.Verify; v == nil || !v.Same || !strings.HasPrefix(v.Output, "Text only") {
		t.Fatalf("Slim(minimal) verification = %+v, want the same run printing the text lexer's tokens", rep.Verify)
	}
	checkReasons(t, rep.Minimal, out)
	files := present(t, out)
	for _, p := range lazy {
		switch cache := strings.Contains(p, "/__pycache__/"); {
		case !cache && !files[realPath(t, p)]:
			t.Errorf("the slimmed image lacks %s, which only the lazy path imports", p)
		case cache && files[realPath(t, p)]:
			t.Errorf("the slimmed image keeps %s, the cache of a module the traced run did not import", p)
		}
	}
	for _, p := range unused {
		if files[p] {
			t.Errorf("the slimmed image keeps %s, which nothing imports", p)
		}
	}
	egg, _ := filepath.Glob(tartest.PythonDist + "/Pygments-*.egg-info/top_level.txt")
	if len(egg) != 1 || !files[egg[0]] {
		t.Errorf("the slimmed image lacks pygments' egg-info (%q)", egg)
	}
	pk := tracedPackage(t, rep, entry.PackagePython, "pygments")
	if pk.Path != tartest.PythonDist+"/pygments" || pk.AddedFiles == 0 || pk.AddedBytes <= 0 {
		t.Errorf("the report's pygments = %+v, want its root and the files the run did not use", pk)
	}
	t.Logf("pygments kept whole: %d files, %d bytes, %d bytes the run did not use; %d → %d bytes",
		pk.Files, pk.Bytes, pk.AddedBytes, rep.Before.Bytes, rep.After.Bytes)

	runBoth(t, img, out, verify.Command{Argv: []string{"/app/hl.py", tartest.PythonHighlightLazy}}, "Python [")
}

// TestSlimMinimalTracedNode slims a Node script using
// @npmcli/package-json, which requires its dependency hosted-git-info
// only to normalize a repository field: the traced run (the name field)
// never loads it. The package closure keeps the app's dependency and its
// dependencies, transitively, as Node resolves them, so the slimmed image
// runs the other path as the original does; ms, which nothing needs, is
// gone.
func TestSlimMinimalTracedNode(t *testing.T) {
	requireTracer(t)
	img := tartest.NodePackageJSON(t)
	out, rep, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithVerify(true), diet.WithTimeout(time.Minute))
	if err != nil {
		t.Fatalf("Slim(minimal): %v", err)
	}
	defer out.Close()
	if v := rep.Verify; v == nil || !v.Same || v.Output != `"demo"` {
		t.Fatalf("Slim(minimal) verification = %+v, want the same run printing \"demo\"", rep.Verify)
	}
	checkReasons(t, rep.Minimal, out)
	files := present(t, out)
	for _, p := range []string{"/app/node_modules/hosted-git-info/lib/index.js", "/app/node_modules/lru-cache/package.json"} {
		if !files[p] {
			t.Errorf("the slimmed image lacks %s, which only the lazy path requires", p)
		}
	}
	for _, p := range []string{"/app/node_modules/ms/index.js", "/app/node_modules/cacache/package.json"} {
		if files[p] {
			t.Errorf("the slimmed image keeps %s, which nothing requires", p)
		}
	}
	pk := tracedPackage(t, rep, entry.PackageNode, "hosted-git-info")
	if pk.Path != "/app/node_modules/hosted-git-info" || pk.AddedFiles != pk.Files || pk.AddedBytes <= 0 {
		t.Errorf("the report's hosted-git-info = %+v, want it all added: the run did not load it", pk)
	}
	t.Logf("%d packages kept whole; %d → %d bytes", len(rep.Minimal.Trace.Packages), rep.Before.Bytes, rep.After.Bytes)

	runBoth(t, img, out, verify.Command{Argv: []string{"/app/main.js", tartest.NodeRepoLazy}, WorkingDir: "/app"},
		`{"type":"git","url":"git+https://github.com/npm/cli.git"}`)
}

// requireTracer skips without the sandbox and strace, unless
// DIET_REQUIRE_ENGINE=1 (attacktest.Require).
func requireTracer(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bwrap", "prlimit", "strace"} {
		attacktest.Require(t, tool)
	}
}

// tracedPackage is the package of that kind and name the report says
// level minimal kept whole; a test that lacks it goes on, to run the
// slimmed image.
func tracedPackage(t *testing.T, rep *slim.Report, kind, name string) slim.Package {
	t.Helper()
	if rep.Minimal == nil || rep.Minimal.Trace == nil {
		t.Fatalf("Slim(minimal) report's minimal = %+v, want found by tracing", rep.Minimal)
	}
	for _, p := range rep.Minimal.Trace.Packages {
		if p.Kind == kind && p.Name == name {
			return p
		}
	}
	t.Errorf("the report's packages lack %s %s: %+v", kind, name, rep.Minimal.Trace.Packages)
	return slim.Package{Kind: kind, Name: name}
}

// runBoth runs c in the sandbox over the original image and the slimmed
// one: both must exit 0 printing a line that starts with want.
func runBoth(t *testing.T, original, slimmed v1.Image, c verify.Command, want string) {
	t.Helper()
	dir, err := verify.TempDir("", "diet-test-*") // a directory the sandbox's user can enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, run := range []struct {
		name string
		img  v1.Image
	}{{"original", original}, {"slimmed", slimmed}} {
		root := filepath.Join(dir, run.name)
		if err := rootfs.Extract(t.Context(), run.img, root); err != nil {
			t.Fatal(err)
		}
		r, err := verify.Run(t.Context(), root, c, verify.WithTimeout(time.Minute))
		if err != nil {
			t.Fatalf("%s: %v", run.name, err)
		}
		if r.ExitCode != 0 || !strings.HasPrefix(string(r.Stdout), want) {
			t.Errorf("%s image: %q exited %d printing %q (stderr %q), want exit 0 and %q", run.name, c.Argv, r.ExitCode, r.Stdout, lastLines(r.Stderr), want)
		}
	}
}

// lastLines is the end of a run's stderr.
func lastLines(b []byte) string {
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return string(b)
}
