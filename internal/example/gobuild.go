package example

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/dietimage/diet/internal/fixproc"
	"github.com/dietimage/diet/internal/flock"
)

// helloBuild is one build of examples/hello in a staging directory whose
// layout mirrors the image: <stage>/root/go is GOPATH (with the module cache
// in pkg/mod and the sources in src), <stage>/root/.cache/go-build is GOCACHE.
type helloBuild struct {
	stage   string
	binary  string
	exports map[string]bool // build cache outputs worth shipping, by path
}

// srcImport is where the sources sit under GOPATH/src in the stage and in
// the image.
const srcImport = "example.com/hello"

// buildHello builds examples/hello the way design.md's story did: not
// trimmed, not stripped, with GOPATH, GOMODCACHE and GOCACHE in the stage.
//
// The stage has a fixed path per Go version because the unstripped binary
// and the build cache record the absolute paths they were built at; a fixed
// path keeps the image identical from run to run. It doubles as a cache: a
// stamp of the inputs lets a second run reuse the trees, and a lock file
// keeps concurrent runs (a test and mkexample) from sharing it mid-build.
// The caller must call unlock once it has read the trees.
func buildHello(ctx context.Context, env *goEnv) (b *helloBuild, unlock func(), err error) {
	src, err := sourceDir()
	if err != nil {
		return nil, nil, err
	}
	stamp, err := inputStamp(src, env)
	if err != nil {
		return nil, nil, err
	}
	stage := filepath.Join("/tmp", "diet-example-"+env.version)
	unlock, err = flock.Lock(ctx, stage+".lock")
	if err != nil {
		return nil, nil, fmt.Errorf("locking %s: %w", stage, err)
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()
	stampFile := filepath.Join(stage, "stamp")
	if old, _ := os.ReadFile(stampFile); string(old) != stamp {
		if err := fixproc.RemoveAll(stage); err != nil {
			return nil, nil, fmt.Errorf("resetting %s: %w", stage, err)
		}
	}
	pkgDir := filepath.Join(stage, "root", "go", "src", filepath.FromSlash(srcImport))
	if err := copySources(src, pkgDir); err != nil {
		return nil, nil, err
	}
	b = &helloBuild{stage: stage, binary: filepath.Join(stage, "bin", "hello")}
	goEnv := append(os.Environ(),
		"GOPATH="+filepath.Join(stage, "root", "go"),
		"GOMODCACHE="+filepath.Join(stage, "root", "go", "pkg", "mod"),
		"GOCACHE="+filepath.Join(stage, "root", ".cache", "go-build"),
		"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOAMD64=v1", "GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=local", "GOWORK=off", "GOENV=off", "GO111MODULE=on", "GOEXPERIMENT=",
		"GOPROXY="+env.proxy, "GONOPROXY=", "GOPRIVATE=", "GONOSUMDB=", "GOINSECURE=",
		"GOCACHEPROG=", "GOFIPS140=off")
	if _, err := runGo(ctx, pkgDir, goEnv, "build", "-buildvcs=false", "-o", b.binary, "."); err != nil {
		return nil, nil, err
	}
	out, err := runGo(ctx, pkgDir, goEnv, "list", "-buildvcs=false", "-export", "-deps",
		"-f", "{{if .Export}}{{.Standard}} {{.Export}}{{end}}", ".")
	if err != nil {
		return nil, nil, err
	}
	b.exports = pickExports(out, cacheBudget)
	if err := os.WriteFile(stampFile, []byte(stamp), 0o644); err != nil {
		return nil, nil, err
	}
	return b, unlock, nil
}

// cacheBudget caps the standard-library compile outputs copied from the
// build cache (the real cache of this build is about 90 MB), and
// cacheFileMax skips the large ones so that many packages fit.
const (
	cacheBudget  = 1 << 20
	cacheFileMax = 64 << 10
)

// pickExports keeps the compile output of every non-standard package, and
// of the standard packages under cacheFileMax, in dependency order, while
// they fit in budget bytes.
func pickExports(list []byte, budget int64) map[string]bool {
	keep := make(map[string]bool)
	var used int64
	for line := range strings.Lines(string(list)) {
		std, file, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		fi, err := os.Stat(file)
		if err != nil {
			continue
		}
		if std == "true" {
			if fi.Size() > cacheFileMax || used+fi.Size() > budget {
				continue
			}
			used += fi.Size()
		}
		keep[file] = true
	}
	return keep
}

// runGo runs the go command in dir and returns its standard output.
func runGo(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s in %s: %w: %s", args[0], dir, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// sourceDir finds examples/hello: beside this file's source when the
// binary was built from a checkout, else under the main module of the
// current directory.
func sourceDir() (string, error) {
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		tried = append(tried, filepath.Join(filepath.Dir(file), "..", "..", "examples", "hello"))
	}
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if mod := strings.TrimSpace(string(out)); filepath.IsAbs(mod) {
			tried = append(tried, filepath.Join(filepath.Dir(mod), "examples", "hello"))
		}
	}
	for _, dir := range tried {
		if _, err := os.Stat(filepath.Join(dir, "go.sum")); err == nil {
			return filepath.Clean(dir), nil
		}
	}
	return "", fmt.Errorf("examples/hello not found (tried %q): run from a checkout of github.com/dietimage/diet", tried)
}

// sourceFiles lists the regular files of the hello module, sorted.
func sourceFiles(src string) ([]string, error) {
	des, err := os.ReadDir(src)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range des {
		if de.Type().IsRegular() {
			names = append(names, de.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no files", src)
	}
	return names, nil
}

// inputStamp hashes everything the stage's contents depend on.
func inputStamp(src string, env *goEnv) (string, error) {
	names, err := sourceFiles(src)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", env.version, env.goroot)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n%s", n, len(b), b)
	}
	return fmt.Sprintf("%x\n", h.Sum(nil)), nil
}

// copySources copies the hello module's files into dst.
func copySources(src, dst string) error {
	names, err := sourceFiles(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, n), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
