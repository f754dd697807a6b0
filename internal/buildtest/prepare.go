package buildtest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/atomicfile"
	"github.com/dietimage/diet/internal/debian"
	"github.com/dietimage/diet/internal/enginetest"
	"github.com/dietimage/diet/internal/flock"
)

// Network is the internal Docker network the builds run on: it reaches
// the host's address on it, where the mirror listens, and nothing else.
const Network = "diet-buildtest"

// recipe changes when what Prepare makes changes in a way the keys below
// do not see.
const recipe = 2

// Env is a prepared machine: base images in the engine and the mirror's
// server running in this process.
type Env struct {
	Dir       string        // the cache directory ([Dir])
	Proxy     string        // the mirror as an HTTP proxy, "http://172.18.0.1:41234"
	GoVersion string        // of the host's toolchain inside golang:1.26-bookworm
	Elapsed   time.Duration // how long Prepare took in this process

	m *mirror
}

var prepared struct {
	sync.Mutex
	done bool
	env  *Env
	err  error
}

// Prepare skips t unless a Docker engine answers (or fails it when
// DIET_REQUIRE_ENGINE=1, see [enginetest.Require]), then makes the base
// images and the mirror if the cache lacks them and starts the mirror's
// server. It does so once per test binary; later calls return the same
// Env. A cold Prepare needs the network (Debian's mirror, the Go module
// proxy) and takes a few minutes; a warm one takes about a second.
//
// The server runs until the test binary exits: it serves every test of
// the binary, so it belongs to none of them.
func Prepare(t testing.TB) *Env {
	t.Helper()
	enginetest.Require(t)
	prepared.Lock()
	defer prepared.Unlock()
	if !prepared.done {
		prepared.env, prepared.err = prepare(t.Context(), func(format string, args ...any) {
			t.Logf("buildtest: "+format, args...)
		})
		prepared.done = true
	}
	if prepared.err != nil {
		t.Fatalf("buildtest.Prepare: %v", prepared.err)
	}
	return prepared.env
}

// Dir is the cache Prepare fills: $DIET_BUILDTEST_DIR when set, else
// diet-buildtest under the user's cache directory, so that runs and test
// packages share it.
func Dir() (string, error) {
	if d := os.Getenv("DIET_BUILDTEST_DIR"); d != "" {
		return filepath.Abs(d)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "diet-buildtest"), nil
}

// state is state.json in the cache: what was made, from which recipe.
type state struct {
	ImagesKey string
	Images    map[string]string // image IDs by tag
	AptKey    string            // the apt recording's key
}

func prepare(ctx context.Context, say func(string, ...any)) (*Env, error) {
	start := time.Now()
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := flock.Lock(ctx, filepath.Join(dir, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	logFile, err := os.OpenFile(filepath.Join(dir, "prepare.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	fmt.Fprintf(logFile, "\n##### prepare, pid %d, %s\n", os.Getpid(), start.Format(time.RFC3339))
	r := &runner{log: logFile, say: say}
	env, err := r.prepare(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("%s (log in %s): %w", dir, logFile.Name(), err)
	}
	env.Elapsed = time.Since(start)
	say("ready in %s: mirror at %s on network %s", env.Elapsed.Round(time.Millisecond), env.Proxy, Network)
	return env, nil
}

func (r *runner) prepare(ctx context.Context, dir string) (*Env, error) {
	goCmd, goroot, goVersion, err := hostGo(ctx)
	if err != nil {
		return nil, err
	}
	gateway, err := r.network(ctx)
	if err != nil {
		return nil, err
	}
	m := newMirror(dir)
	ln, err := net.Listen("tcp", net.JoinHostPort(gateway, "0"))
	if err != nil {
		return nil, err
	}
	go (&http.Server{Handler: m, ReadHeaderTimeout: time.Minute}).Serve(ln)
	env := &Env{Dir: dir, Proxy: "http://" + ln.Addr().String(), GoVersion: goVersion, m: m}

	var st state
	if data, err := os.ReadFile(filepath.Join(dir, "state.json")); err == nil {
		json.Unmarshal(data, &st) // a damaged state only makes everything again
	}
	save := func() error {
		data, err := json.MarshalIndent(&st, "", "\t")
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(filepath.Join(dir, "state.json"), append(data, '\n'), 0o644)
	}
	// The mirror fetches from Debian only while something is being made.
	m.recording.Store(true)
	defer m.recording.Store(false)

	imagesKey := hashKey(recipe, goVersion, dockerConfig, slimExcludes, pythonSetup)
	if ids := r.imageIDs(ctx); st.ImagesKey != imagesKey || !maps.Equal(ids, st.Images) {
		// A minbase Debian without apt's lists and caches, as Docker's
		// Debian images ship it.
		rootfs := filepath.Join(dir, "rootfs.tar")
		err := debian.Rootfs(ctx, rootfs,
			debian.WithLog(r.log), debian.WithProgress(func(line string) { r.logf("%s", line) }))
		if err != nil {
			return nil, fmt.Errorf("rootfs: %w", err)
		}
		if st.Images, err = r.baseImages(ctx, rootfs, goroot, env.Proxy); err != nil {
			return nil, err
		}
		for tag, id := range ids {
			if id != st.Images[tag] {
				r.docker(ctx, "rmi", id) // the old image, unless something still uses it
			}
		}
		st.ImagesKey = imagesKey
		if err := save(); err != nil {
			return nil, err
		}
	}
	if aptKey := hashKey(recipe, st.Images[TagDebian], aptSets); st.AptKey != aptKey {
		if err := r.recordApt(ctx, env.Proxy); err != nil {
			return nil, fmt.Errorf("recording apt: %w", err)
		}
		st.AptKey = aptKey
		if err := save(); err != nil {
			return nil, err
		}
	}
	if err := r.makeWheels(ctx, dir, env.Proxy); err != nil {
		return nil, fmt.Errorf("wheels: %w", err)
	}
	if err := r.makeRelease(ctx, dir, goCmd); err != nil {
		return nil, fmt.Errorf("shfmt release: %w", err)
	}
	if err := m.loadIndex(); err != nil {
		return nil, err
	}
	return env, nil
}

// network makes [Network] unless it exists and returns the host's address
// on it.
func (r *runner) network(ctx context.Context) (string, error) {
	inspect := func() (string, error) {
		out, err := r.docker(ctx, "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Gateway}} {{end}}", Network)
		if err != nil {
			return "", err
		}
		for _, f := range strings.Fields(string(out)) {
			if ip := net.ParseIP(f); ip != nil && ip.To4() != nil {
				return f, nil
			}
		}
		return "", fmt.Errorf("network %s has no IPv4 gateway: %q", Network, out)
	}
	if gw, err := inspect(); err == nil {
		return gw, nil
	}
	r.logf("docker network create --internal %s", Network)
	if _, err := r.docker(ctx, "network", "create", "--internal", "--label", "org.dietimage.buildtest=1", Network); err != nil {
		return "", err
	}
	return inspect()
}

// hashKey hashes its arguments' JSON.
func hashKey(parts ...any) string {
	data, err := json.Marshal(parts)
	if err != nil {
		panic(err) // only maps, strings and numbers
	}
	return fmt.Sprintf("%x", sha256.Sum256(data))
}
