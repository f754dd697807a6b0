package story

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dietimage/diet/internal/atomicfile"
	"github.com/dietimage/diet/internal/fixproc"
)

// srcRepo is where the sources sit under GOPATH/src: a copy of the
// module's tree where a checkout of its repository would be.
const srcRepo = "github.com/nats-io/nats-server"

// goResult is the Go build in its staging tree, which is the build context
// of the v1.01 image: stage/root becomes the image's /root.
type goResult struct {
	stage     string
	binary    string
	version   string
	interp    string
	goVersion string
}

// goBuild builds [Module] the way the story did, not trimmed and not
// stripped, with cgo, GOPATH, GOMODCACHE, GOCACHE and GOBIN in the stage.
// go.stamp, written last, records what the stage was built from; a stage
// without a matching stamp is deleted and built again.
func (b *builder) goBuild(ctx context.Context) (*goResult, error) {
	goCmd, err := lookGo()
	if err != nil {
		return nil, &StepError{Step: "go build", Err: err}
	}
	stage := filepath.Join(b.dir, "go")
	gopath := filepath.Join(stage, "root", "go")
	env := append(os.Environ(),
		"GOPATH="+gopath,
		"GOMODCACHE="+filepath.Join(gopath, "pkg", "mod"),
		"GOCACHE="+filepath.Join(stage, "root", ".cache", "go-build"),
		"GOBIN="+filepath.Join(gopath, "bin"),
		// The module asks for a newer toolchain than its go line needs;
		// downloading one is not what the story is about.
		"GOTOOLCHAIN=local", "CGO_ENABLED=1", "GOFLAGS=", "GOWORK=off", "GO111MODULE=on")
	goRun := func(dir string, args ...string) ([]byte, error) {
		c := exec.CommandContext(ctx, goCmd, args...)
		c.Dir, c.Env = dir, env
		return b.run(c)
	}
	out, err := goRun(b.dir, "env", "GOVERSION", "GOPROXY")
	if err != nil {
		return nil, &StepError{Step: "go env", Err: err}
	}
	goVersion, proxy, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	r := &goResult{stage: stage, binary: filepath.Join(gopath, "bin", "nats-server"), goVersion: goVersion}

	stamp := filepath.Join(b.dir, "go.stamp")
	key := fmt.Sprintf("%s built by %s with cgo\n", Module, goVersion)
	if old, _ := os.ReadFile(stamp); string(old) == key {
		b.logf("reusing the Go build in %s", stage)
	} else {
		if err := os.Remove(stamp); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, &StepError{Step: "go build", Err: err}
		}
		if err := fixproc.RemoveAll(stage); err != nil {
			return nil, &StepError{Step: "go build", Err: err}
		}
		if err := probeProxy(ctx, proxy); err != nil {
			return nil, &StepError{Step: "go mod download", Err: err}
		}
		b.logf("go mod download %s", Module)
		out, err := goRun(b.dir, "mod", "download", "-json", Module)
		if err != nil {
			return nil, &StepError{Step: "go mod download", Err: err}
		}
		var mod struct{ Dir string }
		if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
			return nil, &StepError{Step: "go mod download", Err: fmt.Errorf("no module directory in %q", out)}
		}
		src := filepath.Join(gopath, "src", filepath.FromSlash(srcRepo))
		if err := copyTree(mod.Dir, src); err != nil {
			return nil, &StepError{Step: "copy sources", Err: err}
		}
		b.logf("go install in %s with %s and cgo (a minute or two)", src, goVersion)
		if _, err := goRun(src, "install", "-buildvcs=false", "."); err != nil {
			return nil, &StepError{Step: "go build", Err: err}
		}
		if err := atomicfile.WriteFile(stamp, []byte(key), 0o644); err != nil {
			return nil, &StepError{Step: "go build", Err: err}
		}
	}
	if r.interp, err = interpreter(r.binary); err != nil {
		return nil, &StepError{Step: "go build", Err: err}
	}
	if r.version, err = b.version(ctx, r.binary); err != nil {
		return nil, &StepError{Step: "nats-server --version", Err: err}
	}
	b.logf("built %s: %s, interpreter %s", r.binary, r.version, r.interp)
	return r, nil
}

// lookGo finds the host's go command.
func lookGo() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := "/usr/local/go/bin/go"
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no go command on PATH or at %s", p)
	}
	return p, nil
}

// probeProxy checks that the first proxy in GOPROXY serves [Module].
// Module paths with capitals would need escaping; this one has none.
func probeProxy(ctx context.Context, goproxy string) error {
	first, _, _ := strings.Cut(goproxy, ",")
	first, _, _ = strings.Cut(first, "|")
	if !strings.HasPrefix(first, "http://") && !strings.HasPrefix(first, "https://") {
		return nil
	}
	path, version, _ := strings.Cut(Module, "@")
	if err := fixproc.Probe(ctx, strings.TrimSuffix(first, "/")+"/"+path+"/@v/"+version+".info"); err != nil {
		return fmt.Errorf("Go module proxy %s: %w", first, err)
	}
	return nil
}

// interpreter returns the ELF interpreter of the binary at name, which a
// cgo build linked against glibc must have.
func interpreter(name string) (string, error) {
	f, err := elf.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(p.Open())
		if err != nil {
			return "", fmt.Errorf("%s: PT_INTERP: %w", name, err)
		}
		return string(bytes.TrimRight(b, "\x00")), nil
	}
	return "", fmt.Errorf("%s: statically linked (no PT_INTERP): cgo was off", name)
}

// version runs the binary on the host to ask its version.
func (b *builder) version(ctx context.Context, binary string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := b.run(exec.CommandContext(ctx, binary, "--version"))
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "", errors.New("printed nothing")
	}
	return v, nil
}
