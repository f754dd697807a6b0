package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// layerSpec is one layer to make: its history line and what fills it.
type layerSpec struct {
	createdBy string
	fill      func(context.Context, *layerWriter) error
}

// buildLayers writes each layer to a temporary file in dir. The caller
// removes the files with the returned cleanup, on success or not.
func buildLayers(ctx context.Context, dir string, specs []layerSpec) ([]*layerFile, map[string]struct{}, func(), error) {
	tmp, err := os.MkdirTemp(dir, ".layers-*")
	if err != nil {
		return nil, nil, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	paths := make(map[string]struct{})
	var layers []*layerFile
	for i, s := range specs {
		w, err := newLayerWriter(tmp, paths)
		if err != nil {
			cleanup()
			return nil, nil, nil, err
		}
		if err := s.fill(ctx, w); err != nil {
			w.abort()
			cleanup()
			return nil, nil, nil, fmt.Errorf("layer %d: %w", i+1, err)
		}
		l, err := w.close(s.createdBy)
		if err != nil {
			cleanup()
			return nil, nil, nil, fmt.Errorf("layer %d: %w", i+1, err)
		}
		layers = append(layers, l)
	}
	return layers, paths, cleanup, nil
}

// goroot is the Go installation to copy, from the go command on PATH.
func goroot() string {
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if s := strings.TrimSpace(string(out)); s != "" {
			return s
		}
	}
	return "/usr/local/go"
}

// tree is a directory of this machine copied to dst in a layer, up to a
// share of the big image's size.
type tree struct {
	src, dst string
	share    float64
}

// copies returns a fill function copying trees, in order; missing sources
// are skipped with a note, and the image is then smaller.
func copies(total int64, suffix string, trees ...tree) func(context.Context, *layerWriter) error {
	return func(ctx context.Context, w *layerWriter) error {
		var sfx []byte
		if suffix != "" {
			sfx = []byte(suffix)
		}
		for _, t := range trees {
			if _, err := os.Stat(t.src); err != nil {
				fmt.Fprintf(os.Stderr, "mkbench: skipping %s: %v\n", t.src, err)
				continue
			}
			if _, err := copyTree(ctx, w, t.src, t.dst, int64(t.share*float64(total)), sfx); err != nil {
				return err
			}
		}
		return nil
	}
}

// makeBig writes big.tar and big.oci from real files of this machine.
func makeBig(ctx context.Context, o options) ([]string, error) {
	T, gr := o.bigSize, goroot()
	specs := []layerSpec{
		{"/bin/sh -c #(nop) ADD file:4f1c3b2e in / ", copies(T, "", tree{"/usr/bin", "usr/bin", 0.15}, tree{"/usr/share", "usr/share", 0.25})},
		{"RUN /bin/sh -c curl -fsSL https://go.dev/dl/go.linux-amd64.tar.gz | tar -C /usr/local -xz # buildkit",
			copies(T, "", tree{gr, "usr/local/go", 0.22})},
		{"RUN /bin/sh -c apt-get update && apt-get install -y build-essential libssl-dev # buildkit",
			copies(T, "", tree{"/usr/lib", "usr/lib", 0.20})},
		{"COPY . /app # buildkit", copies(T, "", tree{filepath.Join(gr, "src"), "app/vendor/go", 0.10})},
		{"RUN /bin/sh -c find /usr/share -type f -exec sh -c 'echo \"# patched\" >> \"$1\"' _ {} \\; # buildkit",
			copies(T, "\n# patched\n", tree{"/usr/share", "usr/share", 0.06})},
		{"RUN /bin/sh -c rm -rf /usr/local/go /app/vendor # buildkit", func(_ context.Context, w *layerWriter) error {
			if err := w.whiteout("app/vendor"); err != nil {
				return err
			}
			return w.whiteout("usr/local/go")
		}},
	}
	layers, paths, cleanup, err := buildLayers(ctx, o.dir, specs)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var sum int64
	for _, l := range layers {
		sum += l.size
	}
	if sum < 1e9 && o.bigSize >= 1e9 {
		fmt.Fprintf(os.Stderr, "mkbench: warning: big image is only %d bytes: this machine has too few files\n", sum)
	}
	tarOut, ociOut := filepath.Join(o.dir, "big.tar"), filepath.Join(o.dir, "big.oci")
	if err := writeDockerArchive(ctx, tarOut, "bench-big", layers); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(ociOut); err != nil {
		return nil, err
	}
	if err := writeOCILayout(ctx, ociOut, layers); err != nil {
		return nil, err
	}
	return []string{tarOut, ociOut}, writePaths(o.dir, "big", paths)
}

// makeMany writes many.tar: o.manyFiles small files in three layers.
func makeMany(ctx context.Context, o options) ([]string, error) {
	n := o.manyFiles
	return synthImage(ctx, o.dir, "many", []layerSpec{
		{"RUN /bin/sh -c pip install -r requirements.txt # buildkit", synth("python", n*2/5, 1)},
		{"RUN /bin/sh -c npm ci # buildkit", synth("node", n*2/5, 2)},
		{"RUN /bin/sh -c apt-get install -y docs-bundle # buildkit", synth("share", n-2*(n*2/5), 3)},
	})
}

// makeMany2 writes many2.tar, the next version of many.tar for diet diff:
// the same first two layers, and the third rebuilt without its last 1,000
// files, so that its other files must be compared by content.
func makeMany2(ctx context.Context, o options) ([]string, error) {
	n := o.manyFiles
	return synthImage(ctx, o.dir, "many2", []layerSpec{
		{"RUN /bin/sh -c pip install -r requirements.txt # buildkit", synth("python", n*2/5, 1)},
		{"RUN /bin/sh -c npm ci # buildkit", synth("node", n*2/5, 2)},
		{"RUN /bin/sh -c apt-get install -y docs-bundle-lite # buildkit", synth("share", n-2*(n*2/5)-min(1000, n/10), 3)},
	})
}

// makeSmall writes small.tar: o.smallFiles files in two layers.
func makeSmall(ctx context.Context, o options) ([]string, error) {
	n := o.smallFiles
	return synthImage(ctx, o.dir, "small", []layerSpec{
		{"/bin/sh -c #(nop) ADD file:0a1b2c3d in / ", synth("share", n/2, 4)},
		{"RUN /bin/sh -c npm ci # buildkit", synth("node", n-n/2, 5)},
	})
}

func synth(style string, n int, seed uint64) func(context.Context, *layerWriter) error {
	return func(ctx context.Context, w *layerWriter) error { return synthFiles(ctx, w, style, n, seed) }
}

// synthImage writes NAME.tar from synthesized layers.
func synthImage(ctx context.Context, dir, name string, specs []layerSpec) ([]string, error) {
	layers, paths, cleanup, err := buildLayers(ctx, dir, specs)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	out := filepath.Join(dir, name+".tar")
	if err := writeDockerArchive(ctx, out, "bench-"+name, layers); err != nil {
		return nil, err
	}
	return []string{out}, writePaths(dir, name, paths)
}
