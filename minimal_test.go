package diet_test

import (
	"archive/tar"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/rootfs"
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// TestSlimMinimalTraced slims a Perl script, which reading cannot follow
// (entry.Needs refuses it), at level minimal: the traced run keeps perl,
// which the kernel loads unseen, and the modules the script loads, XS
// library included, and leaves out modules it does not load; the result
// prints what the original prints, and the report says it was traced.
func TestSlimMinimalTraced(t *testing.T) {
	for _, tool := range []string{"bwrap", "prlimit", "strace"} {
		attacktest.Require(t, tool)
	}
	img, used, unused := tartest.PerlScript(t)
	if len(unused) == 0 {
		t.Fatal("the image holds no module the script does not use: nothing to leave out")
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "rootfs")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	if _, err := entry.Needs(os.DirFS(root), cf); !errors.Is(err, entry.ErrInterpreted) {
		t.Fatalf("entry.Needs(perl script) = %v, want %v: the closure cannot read it", err, entry.ErrInterpreted)
	}

	out, rep, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithVerify(true), diet.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatalf("Slim(minimal): %v", err)
	}
	defer out.Close()
	if v := rep.Verify; v == nil || !v.Same || v.Output+"\n" != tartest.PerlOutput {
		t.Fatalf("Slim(minimal) verification = %+v, want the same run printing %q", v, tartest.PerlOutput)
	}
	m := rep.Minimal
	if m == nil || m.By != slim.MinimalByTrace || m.Trace == nil || !slices.Equal(m.Trace.Command, []string{"/app/main.pl"}) ||
		m.Trace.Files < len(used) || m.Trace.Bytes <= 0 {
		t.Fatalf("Slim(minimal) report's minimal = %+v, want found by tracing /app/main.pl, with at least %d files", m, len(used))
	}
	t.Logf("traced %d files, %d bytes; %d → %d bytes", m.Trace.Files, m.Trace.Bytes, rep.Before.Bytes, rep.After.Bytes)
	checkReasons(t, m, out)

	files := present(t, out)
	if !files["/app/main.pl"] {
		t.Error("the slimmed image lacks its entrypoint, /app/main.pl")
	}
	for _, p := range append([]string{"/usr/bin/perl"}, used...) {
		if !files[realPath(t, p)] {
			t.Errorf("the slimmed image lacks %s, which the script uses", p)
		}
	}
	for _, p := range unused {
		if files[realPath(t, p)] {
			t.Errorf("the slimmed image keeps %s, which the script does not use", p)
		}
	}

	// --keep of a module the script does not use adds it under its own reason.
	out, rep, err = diet.Slim(t.Context(), img, slim.Minimal, diet.WithSlim(slim.WithKeep(realPath(t, unused[0]))),
		diet.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatalf("Slim(minimal, --keep %s): %v", unused[0], err)
	}
	defer out.Close()
	fi, err := os.Stat(unused[0])
	if err != nil {
		t.Fatal(err)
	}
	want := slim.TraceReason{Reason: slim.TraceKeep, Files: 1, Bytes: fi.Size()}
	if r := rep.Minimal.Trace.Reasons; len(r) != 6 || r[5] != want {
		t.Errorf("Slim(minimal, --keep %s) reasons = %+v, want the five and %+v", unused[0], r, want)
	}
	checkReasons(t, rep.Minimal, out)
}

// checkReasons checks that a traced minimal's reasons come in their order
// and add up to the regular files of out, and that the essential files,
// which it holds, are no more than that.
func checkReasons(t *testing.T, m *slim.MinimalSet, out v1.Image) {
	t.Helper()
	files, bytes := regularFiles(t, out)
	t.Logf("essential %d files, %d bytes; kept %d files, %d bytes: %+v", m.Trace.EssentialFiles, m.Trace.EssentialBytes,
		m.Files, m.Bytes, m.Trace.Reasons)
	var order []string
	var rf int
	var rb int64
	for _, r := range m.Trace.Reasons {
		order = append(order, r.Reason)
		rf += r.Files
		rb += r.Bytes
	}
	if want := []string{"traced", "elf", "package", "script", "always"}; !slices.Equal(order[:min(5, len(order))], want) {
		t.Errorf("reasons %q, want %q first", order, want)
	}
	if rf != m.Files || rb != m.Bytes || m.Files != files || m.Bytes != bytes {
		t.Errorf("reasons add up to %d files of %d bytes, the report says %d of %d, the image holds %d of %d",
			rf, rb, m.Files, m.Bytes, files, bytes)
	}
	if tr := m.Trace; tr.EssentialBytes < tr.Bytes || tr.EssentialBytes > m.Bytes || tr.EssentialFiles > m.Files {
		t.Errorf("essential %d files of %d bytes, used %d bytes, kept %d files of %d bytes: want used ≤ essential ≤ kept",
			tr.EssentialFiles, tr.EssentialBytes, tr.Bytes, m.Files, m.Bytes)
	}
}

// present are the paths of img's merged filesystem.
func present(t *testing.T, img v1.Image) map[string]bool {
	t.Helper()
	tree, err := layerfs.Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	tree.Walk(func(id layerfs.ID, name string) bool {
		if tree.Present(id) {
			files[strings.Clone(name)] = true
		}
		return true
	})
	return files
}

// regularFiles counts the regular files of img's merged filesystem and
// their bytes.
func regularFiles(t *testing.T, img v1.Image) (files int, bytes int64) {
	t.Helper()
	tree, err := layerfs.Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	tree.Walk(func(id layerfs.ID, name string) bool {
		if tree.Present(id) && tree.Type(id) == tar.TypeReg {
			files++
			bytes += tree.Size(id)
		}
		return true
	})
	return files, bytes
}

// TestSlimMinimalClosureCounts: a minimal found by the entrypoint's
// closure reports the regular files it kept, --keep's included, as the
// slimmed image holds them.
func TestSlimMinimalClosureCounts(t *testing.T) {
	h := tartest.NewHost(t).Program("/usr/bin/ls").Etc()
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY / /", Entries: h.Entries()},
		tartest.Step{CreatedBy: "RUN apt-get install docs", Entries: []tartest.Entry{
			tartest.Sized("usr/share/doc/x/README", 5_000), tartest.Sized("usr/share/doc/y/README", 7_000)}})
	img, err := mutate.Config(img, v1.Config{Entrypoint: []string{"/usr/bin/ls"}})
	if err != nil {
		t.Fatal(err)
	}
	out, rep, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithSlim(slim.WithKeep("/usr/share/doc/x")))
	if err != nil {
		t.Fatalf("Slim(minimal): %v", err)
	}
	defer out.Close()
	files, bytes := regularFiles(t, out)
	if m := rep.Minimal; m == nil || m.By != slim.MinimalByClosure || m.Files != files || m.Bytes != bytes {
		t.Errorf("Slim(minimal) report's minimal = %+v, want found by closure, with the %d files of %d bytes the image holds", m, files, bytes)
	}
}

// realPath is p with the host's symlinks resolved: the image copies them.
func realPath(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSlimMinimalTracedFails: a traced run that exits with a code other
// than 0 stands for no working command: Slim says so and slims nothing.
func TestSlimMinimalTracedFails(t *testing.T) {
	for _, tool := range []string{"bwrap", "prlimit", "strace"} {
		attacktest.Require(t, tool)
	}
	img, _, _ := tartest.PerlScript(t)
	cmd := []string{"/usr/bin/perl", "-e", "print STDERR qq(no config\n); exit 3"}
	_, _, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithCommand(cmd))
	if !errors.Is(err, diet.ErrTracedRun) {
		t.Fatalf("Slim(minimal) of a command exiting 3 = %v, want %v", err, diet.ErrTracedRun)
	}
	t.Log(err)
}

// perlServer is tartest.PerlServer, which the tests of a traced server
// slim, and the real path of JSON::PP, which it loads at its first
// request only. It skips t where diet cannot trace or probe.
func perlServer(t *testing.T) (v1.Image, string) {
	t.Helper()
	for _, tool := range []string{"bwrap", "prlimit", "strace"} {
		attacktest.Require(t, tool)
	}
	if os.Geteuid() != 0 {
		t.Skip("probes enter the sandbox's network namespace: they need root (CI runs as root)")
	}
	img, lazy := tartest.PerlServer(t)
	for _, p := range lazy {
		if strings.HasSuffix(p, "/JSON/PP.pm") {
			return img, realPath(t, p)
		}
	}
	t.Fatalf("JSON::PP is not among the files loaded at the first request: %q", lazy)
	return nil, ""
}

// TestSlimMinimalTracedServer slims a Perl HTTP server that loads JSON::PP
// at its first request only. The traced run serves the probes
// verification sends (GET / on the EXPOSEd port by default), so JSON::PP
// is kept and the slimmed server answers as the original does; traced
// with a readiness port and no probe, the server answers nothing and
// JSON::PP is left out: what the trace keeps is what the probes exercise.
func TestSlimMinimalTracedServer(t *testing.T) {
	img, jsonPP := perlServer(t)

	out, rep, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithVerify(true), diet.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatalf("Slim(minimal): %v", err)
	}
	defer out.Close()
	v := rep.Verify
	if v == nil || !v.Same || v.Server == nil || len(v.Server.Probes) != 1 || v.Server.Probes[0].Slimmed != 200 {
		t.Fatalf("Slim(minimal) verification = %+v, want GET / answered 200 by both", v)
	}
	if m := rep.Minimal; m == nil || m.By != slim.MinimalByTrace {
		t.Errorf("Slim(minimal) report's minimal = %+v, want found by tracing", m)
	} else if tr := m.Trace; tr.Processes < 1 || !slices.Contains(tr.Programs, slim.TraceProgram{Path: "/app/server.pl", Runs: 1}) ||
		len(tr.Probes) != 1 || tr.Probes[0] != (slim.TraceProbe{Probe: "GET :8080/", Status: 200}) {
		t.Errorf("the trace saw %d processes running %+v, sent %+v; want the server run once, answering GET / with 200", tr.Processes, tr.Programs, tr.Probes)
	}
	if files := present(t, out); !files[jsonPP] {
		t.Errorf("the slimmed server lacks %s, which it loads to answer the probe", jsonPP)
	}

	out, _, err = diet.Slim(t.Context(), img, slim.Minimal, diet.WithPorts(8080), diet.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatalf("Slim(minimal, ports only): %v", err)
	}
	defer out.Close()
	if files := present(t, out); files[jsonPP] {
		t.Errorf("traced without a probe, the slimmed server keeps %s, which only a request loads", jsonPP)
	}

	// The same trace, and verification that sends GET /: the slimmed
	// server cannot load JSON::PP, and nothing is written.
	dst := filepath.Join(t.TempDir(), "out.tar")
	out, rep, err = diet.Slim(t.Context(), img, slim.Minimal, diet.WithVerify(true), diet.WithTimeout(30*time.Second),
		diet.WithProbes(verify.Probe{Port: 8080, Path: "/"}), diet.WithTraceProbes(), diet.WithPorts(8080),
		diet.WithOutput("docker-archive:"+dst))
	if err != nil {
		t.Fatalf("Slim(minimal, traced without the probe verification sends): %v", err)
	}
	defer out.Close()
	if v := rep.Verify; v == nil || v.Same || v.Server == nil || len(v.Server.Probes) != 1 || v.Server.Probes[0].Slimmed == 200 {
		t.Errorf("traced without the probe verification sends, verification = %+v, want GET / to differ", v)
	}
	if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a slimmed image that verification refused was written: stat = %v", err)
	}
}

// TestSlimMinimalTracedExecProbe: an exec probe of the traced run is
// traced too. Traced with a readiness port and an exec probe that loads
// JSON::PP (and no request, which would), the slimmed server keeps
// JSON::PP, and verification with the same probe finds it runs alike; the
// report gives the probe's exit codes.
func TestSlimMinimalTracedExecProbe(t *testing.T) {
	img, jsonPP := perlServer(t)
	probe := verify.Probe{Exec: []string{"/usr/bin/perl", "-MJSON::PP", "-e", "print JSON::PP->new->encode([1])"}}
	out, rep, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithVerify(true), diet.WithTimeout(time.Minute),
		diet.WithProbes(probe), diet.WithTraceProbes(probe), diet.WithPorts(8080))
	if err != nil {
		t.Fatalf("Slim(minimal, an exec probe): %v", err)
	}
	defer out.Close()
	if files := present(t, out); !files[jsonPP] {
		t.Errorf("the slimmed server lacks %s, which the traced exec probe loaded", jsonPP)
	}
	v := rep.Verify
	if v == nil || !v.Same || v.Server == nil || len(v.Server.Probes) != 1 {
		t.Fatalf("Slim(minimal, an exec probe) verification = %+v, want the same", v)
	}
	if pc := v.Server.Probes[0]; pc.Probe != `exec ["/usr/bin/perl" "-MJSON::PP" "-e" "print JSON::PP->new->encode([1])"]` ||
		pc.OriginalExit == nil || *pc.OriginalExit != 0 || pc.SlimmedExit == nil || *pc.SlimmedExit != 0 || pc.Difference != "" {
		t.Errorf("the exec probe's check = %+v, want exit 0 → 0, the same", pc)
	}
}
