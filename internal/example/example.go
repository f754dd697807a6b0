package example

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// VersionLine is what `hello --version` prints.
const VersionLine = "hello 1.0.0 (diet example service)"

// step is one Dockerfile instruction: its history line and, unless it made
// no layer, the function that fills the layer.
type step struct {
	createdBy string
	comment   string
	fill      func(*layer) error
}

// Times of the layers: the base image was made earlier than the build.
var (
	baseTime  = time.Date(2024, 1, 11, 0, 0, 0, 0, time.UTC)
	buildTime = time.Date(2024, 1, 23, 18, 54, 0, 0, time.UTC)
)

const (
	buildkit = "buildkit.dockerfile.v0"
	srcDir   = "/root/go/src/" + srcImport
	envPath  = "PATH=/usr/local/go/bin:/root/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	// CleanupRun is the history line of the layer that deletes nothing.
	CleanupRun = "RUN /bin/sh -c rm -rf /root/go /root/.cache /var/cache/apt/archives/*.deb /var/lib/apt/lists/*" +
		" && mkdir -p /var/lib/apt/lists/partial # buildkit"
)

// Build writes the example image as a docker-archive to out, atomically.
// It needs the go command on PATH and builds examples/hello from the
// checkout this package was compiled from (or the current directory's).
func Build(ctx context.Context, out string) error {
	if err := build(ctx, out); err != nil {
		return fmt.Errorf("example image %s: %w", out, err)
	}
	return nil
}

func build(ctx context.Context, out string) error {
	env, err := lookupGo(ctx)
	if err != nil {
		return err
	}
	hb, unlock, err := buildHello(ctx, env)
	if err != nil {
		return err
	}
	defer unlock()
	var toolchain *layer
	steps := []step{
		{createdBy: "/bin/sh -c #(nop) ADD file:%s in / ", fill: func(l *layer) error { return baseLayer(l, env.goroot) }},
		{createdBy: `/bin/sh -c #(nop)  CMD ["bash"]`},
		{createdBy: "LABEL org.opencontainers.image.source=https://github.com/dietimage/diet", comment: buildkit},
		{createdBy: "ENV " + envPath, comment: buildkit},
		{createdBy: "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git" +
			" && curl -fsSL https://go.dev/dl/" + env.version + ".linux-amd64.tar.gz | tar -C /usr/local -xz # buildkit",
			comment: buildkit, fill: func(l *layer) error { toolchain = l; return toolchainLayer(l, env.goroot) }},
		{createdBy: "ENV GOPATH=/root/go", comment: buildkit},
		{createdBy: "WORKDIR " + srcDir, comment: buildkit},
		{createdBy: "RUN /bin/sh -c curl -fsSL https://example.com/hello/archive/v1.0.0.tar.gz | tar -xz" +
			" && go build -o /usr/local/bin/hello . # buildkit",
			comment: buildkit, fill: func(l *layer) error { return buildLayer(l, hb) }},
		{createdBy: "WORKDIR /", comment: buildkit},
		{createdBy: CleanupRun, comment: buildkit, fill: func(l *layer) error { return cleanupLayer(l, toolchain) }},
		{createdBy: "EXPOSE map[8080/tcp:{}]", comment: buildkit},
		{createdBy: "USER nobody", comment: buildkit},
		{createdBy: `ENTRYPOINT ["/usr/local/bin/hello"]`, comment: buildkit},
		{createdBy: `CMD ["--addr=:8080"]`, comment: buildkit},
	}
	cfg := config(buildTime.Add(time.Duration(len(steps)-3) * 7 * time.Second))
	var layers []*layer
	for i, s := range steps {
		// The base image's steps happened days before; ours a few
		// seconds apart, as a build's steps do.
		created := baseTime
		if i >= 2 {
			created = buildTime.Add(time.Duration(i-2) * 7 * time.Second)
		}
		h := v1.History{Created: v1.Time{Time: created}, CreatedBy: s.createdBy, Comment: s.comment, EmptyLayer: s.fill == nil}
		if s.fill != nil {
			l := newLayer(h.Created.Time)
			if err := s.fill(l); err != nil {
				return err
			}
			if i == 0 {
				// Debian's history names the rootfs tar by its digest.
				_, digest, err := l.tarball()
				if err != nil {
					return err
				}
				h.CreatedBy = fmt.Sprintf(s.createdBy, digest)
			}
			layers = append(layers, l)
		}
		cfg.History = append(cfg.History, h)
	}
	members, err := saveArchive(ctx, layers, cfg)
	if err != nil {
		return err
	}
	return writeAtomic(ctx, out, members, cfg.Created.Time)
}

// config is the image configuration, without history and rootfs.
func config(created time.Time) *v1.ConfigFile {
	return &v1.ConfigFile{
		Architecture: "amd64",
		OS:           "linux",
		Created:      v1.Time{Time: created},
		Config: v1.Config{
			Env:          []string{envPath, "GOPATH=/root/go"},
			Entrypoint:   []string{"/usr/local/bin/hello"},
			Cmd:          []string{"--addr=:8080"},
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
			WorkingDir:   "/",
			User:         "nobody",
			Labels: map[string]string{
				"org.opencontainers.image.source":      "https://github.com/dietimage/diet",
				"org.opencontainers.image.title":       "hello",
				"org.opencontainers.image.description": "diet's example: a Go service image built the 948 MB way, in miniature",
				"org.opencontainers.image.version":     "1.0.0",
			},
		},
	}
}

// cleanupLayer is what `rm -rf` in a later RUN leaves: whiteouts that hide
// /root/go, /root/.cache, the .deb files and the apt lists, and an opaque
// /var/lib/apt/lists/partial because mkdir made it again where rm removed it.
func cleanupLayer(l *layer, toolchain *layer) error {
	if toolchain == nil {
		return fmt.Errorf("cleanup layer: no toolchain layer before it")
	}
	l.dir("root", 0o700)
	l.whiteout("root/go")
	l.whiteout("root/.cache")
	const lists = "var/lib/apt/lists"
	for name := range toolchain.entries {
		dir, base := path.Split(name)
		switch {
		case dir == "var/cache/apt/archives/" && strings.HasSuffix(base, ".deb"):
			l.whiteout(name)
		case dir == lists+"/" && base != "partial":
			l.whiteout(name)
		}
	}
	l.opaque(lists+"/partial", 0o755)
	return nil
}
