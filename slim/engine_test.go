package slim_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/fixture/example"
	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/rootfs"
	"github.com/dietimage/diet/slim"
)

// TestSlimmedExampleRuns slims the bundled example image (a real Go
// server) at every level and runs the results on the real engine: each
// prints what the original prints, and each is smaller.
func TestSlimmedExampleRuns(t *testing.T) {
	enginetest.Require(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "example.tar")
	if err := example.Build(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	img, err := image.Open(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := layerfs.Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	run := func(archive, tag string) string {
		enginetest.Load(t, archive, tag)
		return enginetest.Docker(t, "run", "--rm", "--network", "none", tag, "--version")
	}
	want := run(src, example.RepoTag)

	root := filepath.Join(dir, "rootfs")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	needs, err := entry.Needs(os.DirFS(root), cf)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		level slim.Level
		opts  []slim.Option
	}{
		{"squash", slim.Squash, nil},
		{"prune", slim.Prune, nil},
		{"minimal-strip", slim.Minimal, []slim.Option{slim.WithPaths(needs), slim.WithStrip(true)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := slim.NewPlan(img, tree, tc.level, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			out, err := p.Rewrite(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			r, err := out.Report()
			if err != nil {
				t.Fatal(err)
			}
			archive := filepath.Join(t.TempDir(), "out.tar")
			tag := fmt.Sprintf("diet-test/slim-%s:%d", tc.name, os.Getpid())
			tartest.WriteDockerArchive(t, archive, out, tag)
			if got := run(archive, tag); got != want {
				t.Errorf("slimmed image prints %q, the original %q", got, want)
			}
			if size := dockerSize(t, tag); size != r.After.Bytes || r.SavedBytes <= 0 {
				t.Errorf("docker counts %d bytes, the report %d after saving %d", size, r.After.Bytes, r.SavedBytes)
			}
			t.Logf("%s: %d -> %d bytes (%d layers -> %d)", tc.name, r.Before.Bytes, r.After.Bytes, r.Before.Layers, r.After.Layers)
		})
	}
}

func dockerSize(t *testing.T, tag string) int64 {
	var n int64
	fmt.Sscan(enginetest.Docker(t, "image", "inspect", "--format", "{{.Size}}", tag), &n)
	return n
}

var _ v1.Image
