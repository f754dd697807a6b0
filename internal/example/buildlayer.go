package example

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// goEnv is what Build needs to know about the Go toolchain on PATH.
type goEnv struct {
	version string // "go1.26.8"
	goroot  string
	proxy   string // GOPROXY for the stage: the local module cache first
}

// lookupGo asks the go command on PATH for its version, GOROOT and proxy
// settings. The stage's GOPROXY tries the user's module cache before the
// network, so the example builds offline once the dependency was fetched.
func lookupGo(ctx context.Context) (*goEnv, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "-json", "GOVERSION", "GOROOT", "GOPROXY", "GOMODCACHE").Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w (is the go command on PATH?)", err)
	}
	var v struct{ GOVERSION, GOROOT, GOPROXY, GOMODCACHE string }
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	if v.GOVERSION == "" || v.GOROOT == "" {
		return nil, fmt.Errorf("go env: no GOVERSION or GOROOT in %s", out)
	}
	// Strip any "X:" experiment suffix: the stage path must be a plain name.
	version, _, _ := strings.Cut(v.GOVERSION, " ")
	proxy := v.GOPROXY
	if v.GOMODCACHE != "" {
		local := "file://" + filepath.ToSlash(filepath.Join(v.GOMODCACHE, "cache", "download"))
		proxy = local + "," + cmp.Or(v.GOPROXY, "off")
	}
	return &goEnv{version: version, goroot: v.GOROOT, proxy: proxy}, nil
}

// buildLayer adds what `go build` in GOPATH leaves in an image: the module
// cache, the sources, the build cache and the unstripped binary.
func buildLayer(l *layer, b *helloBuild) error {
	gopath := filepath.Join(b.stage, "root", "go")
	l.dir("root", 0o700)
	l.dir("tmp", 0o1777) // go build works in /tmp
	for _, sub := range []string{"pkg/mod", "src"} {
		if err := l.tree(filepath.Join(gopath, filepath.FromSlash(sub)), "root/go/"+sub); err != nil {
			return fmt.Errorf("build layer: %w", err)
		}
	}
	if err := goCache(l, filepath.Join(b.stage, "root", ".cache", "go-build"), "root/.cache/go-build", b.exports); err != nil {
		return fmt.Errorf("build layer: %w", err)
	}
	bin, err := os.ReadFile(b.binary)
	if err != nil {
		return fmt.Errorf("build layer: %w", err)
	}
	l.file("usr/local/bin/hello", 0o755, bin)
	return nil
}

// cacheTime is the time recorded in build cache entries and trim.txt, in
// place of the time of the build.
const cacheTime = 1706036044

// goCache copies the build cache at src to dst: its 256 fan-out directories,
// README and trim.txt, the kept compile outputs and the action entries that
// point at them. Action entries record the time they were written; that
// field is set to cacheTime so the layer does not change from run to run.
func goCache(l *layer, src, dst string, keep map[string]bool) error {
	outputs := make(map[string]bool)
	for f := range keep {
		outputs[strings.TrimSuffix(filepath.Base(f), "-d")] = true
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		name := path.Join(dst, filepath.ToSlash(rel))
		switch {
		case d.IsDir():
			l.dir(name, 0o755)
		case rel == "README":
			return copyFile(l, p, name)
		case rel == "trim.txt":
			l.file(name, 0o644, fmt.Appendf(nil, "%d", cacheTime))
		case keep[p]:
			return copyFile(l, p, name)
		case strings.HasSuffix(rel, "-a"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f := strings.Fields(string(b))
			if len(f) != 5 || f[0] != "v1" || !outputs[f[2]] {
				return nil
			}
			l.file(name, 0o644, fmt.Appendf(nil, "v1 %s %s %20s %20d\n", f[1], f[2], f[3], int64(cacheTime)*1e9))
		}
		return nil
	})
}
