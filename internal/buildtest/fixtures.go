package buildtest

import (
	"archive/tar"
	"compress/gzip"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dietimage/diet/internal/atomicfile"
)

// aptSets are the installs the cases run, each on a fresh Debian image and
// with recommends, as the Dockerfiles do: the mirror records what they
// download. A Dockerfile that installs anything else fails offline.
var aptSets = [][]string{
	{"gcc", "make", "libc6-dev", "zlib1g-dev"}, // c-apt
	{"curl", "ca-certificates"},                // download-extract
}

// wheelDebs are the Debian packages repackaged as the mirror's wheels:
// rich and its dependencies, pure Python, about 1.4 MB of wheels.
var wheelDebs = []string{"python3-rich", "python3-pygments", "python3-markdown-it", "python3-mdurl"}

// The release tarball of the download-extract case: shfmt, built the way
// its releases are (static, stripped, trimmed), laid out like a GitHub
// release download under MirrorHost's /github/.
const (
	shfmtModule  = "mvdan.cc/sh/v3"
	shfmtVersion = "v3.14.1"
	shfmtTarball = "shfmt_" + shfmtVersion + "_linux_amd64.tar.gz"
	shfmtPath    = "github/mvdan/sh/releases/download/" + shfmtVersion + "/" + shfmtTarball
)

//go:embed mkwheel.py
var mkwheel []byte

// recordApt runs the cases' installs with --download-only through the
// recording mirror, so that the archive then holds every file they fetch.
func (r *runner) recordApt(ctx context.Context, proxy string) error {
	script := "set -e\napt-get update\n"
	for _, set := range aptSets {
		script += "apt-get install --download-only -y " + strings.Join(set, " ") + "\n"
	}
	r.logf("recording deb.debian.org: apt-get install --download-only %v", aptSets)
	_, err := r.docker(ctx, "run", "--rm", "--network", Network, "-e", "http_proxy="+proxy, TagDebian, "bash", "-c", script)
	return err
}

// makeWheels repackages [wheelDebs] as wheels into dir/www/pypi/packages.
// It downloads them through the mirror, which must be recording.
func (r *runner) makeWheels(ctx context.Context, dir, proxy string) error {
	out := filepath.Join(dir, "www", "pypi", "packages")
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	r.logf("wheels from %s", strings.Join(wheelDebs, " "))
	tmp := out + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	script := filepath.Join(dir, "mkwheel.py")
	if err := atomicfile.WriteFile(script, mkwheel, 0o644); err != nil {
		return err
	}
	sh := `set -e
apt-get update
mkdir /tmp/debs && cd /tmp/debs
apt-get download ` + strings.Join(wheelDebs, " ") + `
for d in *.deb; do dpkg-deb -x "$d" /tmp/root; done
python3 /mkwheel.py /tmp/root/usr/lib/python3/dist-packages /out
`
	_, err := r.docker(ctx, "run", "--rm", "--network", Network, "-e", "http_proxy="+proxy,
		"-v", tmp+":/out", "-v", script+":/mkwheel.py:ro", TagPython, "bash", "-c", sh)
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return os.Rename(tmp, out)
}

// makeRelease builds shfmt with the host's Go from the module proxy and
// writes its release tarball under dir/www.
func (r *runner) makeRelease(ctx context.Context, dir, goCmd string) error {
	out := filepath.Join(dir, "www", filepath.FromSlash(shfmtPath))
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	r.logf("go install %s/cmd/shfmt@%s", shfmtModule, shfmtVersion)
	gopath := filepath.Join(dir, "gopath.tmp")
	if err := os.RemoveAll(gopath); err != nil {
		return err
	}
	defer os.RemoveAll(gopath)
	c := exec.CommandContext(ctx, goCmd, "install", "-trimpath", "-ldflags=-s -w", shfmtModule+"/cmd/shfmt@"+shfmtVersion)
	c.Dir = dir
	c.Env = append(os.Environ(), "GOPATH="+gopath, "GOMODCACHE="+filepath.Join(gopath, "pkg", "mod"),
		"GOBIN="+filepath.Join(gopath, "bin"), "GOFLAGS=-modcacherw", "GOTOOLCHAIN=local",
		"CGO_ENABLED=0", "GOWORK=off", "GO111MODULE=on")
	if _, err := r.run(ctx, c); err != nil {
		return err
	}
	modDir := filepath.Join(gopath, "pkg", "mod", shfmtModule+"@"+shfmtVersion)
	top := strings.TrimSuffix(shfmtTarball, ".tar.gz")
	files := []struct{ src, name string }{
		{filepath.Join(gopath, "bin", "shfmt"), top + "/shfmt"},
		{filepath.Join(modDir, "LICENSE"), top + "/LICENSE"},
		{filepath.Join(modDir, "README.md"), top + "/README.md"},
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(ctx, out, 0o644, func(f *os.File) error {
		return writeTarGz(f, top, files)
	})
}

// writeTarGz writes the files to w as a gzipped tar, under the directory
// top, with a fixed time.
func writeTarGz(w io.Writer, top string, files []struct{ src, name string }) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	mtime := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := tw.WriteHeader(&tar.Header{Name: top + "/", Mode: 0o755, Typeflag: tar.TypeDir, ModTime: mtime}); err != nil {
		return err
	}
	for _, file := range files {
		data, err := os.ReadFile(file.src)
		if err != nil {
			return err
		}
		mode := int64(0o644)
		if filepath.Base(file.name) == "shfmt" {
			mode = 0o755
		}
		hdr := &tar.Header{Name: file.name, Mode: mode, Size: int64(len(data)), Typeflag: tar.TypeReg, ModTime: mtime}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// hostGo returns the host's go command and its GOROOT and version.
func hostGo(ctx context.Context) (goCmd, goroot, version string, err error) {
	goCmd, err = exec.LookPath("go")
	if err != nil {
		goCmd = "/usr/local/go/bin/go"
	}
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOROOT", "GOVERSION").Output()
	if err != nil {
		return "", "", "", fmt.Errorf("go env: %w", err)
	}
	goroot, version, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	if version != goMinor && !strings.HasPrefix(version, goMinor+".") {
		return "", "", "", fmt.Errorf("%s is %s: %s promises %s", goroot, version, TagGolang, goMinor)
	}
	return goCmd, goroot, version, nil
}
