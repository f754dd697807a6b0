package diet_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/fixture/example"
	"github.com/dietimage/diet/internal/fixture/story"
	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/report"
	"github.com/dietimage/diet/slim"
)

// TestAnalyzeLayerStore analyses fixture images the real engine holds
// three times, from its layer store, from its save stream in one pass and
// from the stream spooled to a file, and checks that the JSON reports are
// the same, byte for byte: with --duplicates too,
// which reads every file's body from the store; and that slim writes the
// same archive from either.
func TestAnalyzeLayerStore(t *testing.T) {
	driver := enginetest.Require(t)
	if driver != "overlay2" && driver != "fuse-overlayfs" {
		t.Skipf("the engine's %s driver keeps no layer store diet reads", driver)
	}
	dir := t.TempDir()
	small := filepath.Join(dir, "small.tar")
	tartest.WriteDockerArchive(t, small, tartest.Image(t,
		tartest.Step{CreatedBy: "ADD base /", Entries: []tartest.Entry{
			tartest.Dir("etc"), tartest.File("etc/hello", "hello\n"), tartest.File("etc/empty", ""),
			tartest.Exec("usr/bin/app", []byte("\x7fELF app")), tartest.Symlink("usr/bin/sh", "app"),
			tartest.Hardlink("usr/bin/app2", "usr/bin/app"),
			tartest.File("usr/share/"+strings.Repeat("a-long-directory-name/", 6)+"f", "long\n"),
			tartest.Sized("var/cache/big", 300_000),
		}},
		tartest.Step{CreatedBy: "ENV A=1", Empty: true},
		tartest.Step{CreatedBy: "RUN cleanup", Entries: []tartest.Entry{
			tartest.Whiteout("etc/hello"), tartest.Opaque("var/cache"), tartest.File("etc/empty", "full\n"),
		}},
	), "diet-test/layerstore:small")
	enginetest.Load(t, small, "diet-test/layerstore:small")
	type fixture struct {
		tag        string
		duplicates bool // reads every body: for the small ones
	}
	images := []fixture{{"diet-test/layerstore:small", true}}
	if !testing.Short() {
		ex := filepath.Join(dir, "example.tar")
		if err := example.Build(t.Context(), ex); err != nil {
			t.Fatal(err)
		}
		enginetest.Load(t, ex, example.RepoTag)
		images = append(images, fixture{example.RepoTag, true})
	}
	// The story's images, when a story build left them in the engine.
	for _, tag := range []string{story.TagV101, story.TagMistake} {
		if exec.Command("docker", "image", "inspect", tag).Run() == nil {
			images = append(images, fixture{tag, false})
		} else {
			t.Logf("%s: not in the engine (a story build leaves it there)", tag)
		}
	}
	for _, im := range images {
		t.Run(im.tag, func(t *testing.T) {
			ref := "docker-daemon:" + im.tag
			aopts := []analyze.Option{analyze.WithDuplicates(im.duplicates)}
			fromStore := analyzeJSON(t, ref, aopts, image.WithFallback(func(err error) {
				t.Errorf("Open(%q) read the save stream: %v", ref, err)
			}))
			fromStream := analyzeJSON(t, ref, aopts, image.WithLayerStore(false))
			if !bytes.Equal(fromStore, fromStream) {
				t.Errorf("analyze JSON from the layer store differs from the save stream's (-stream +store):\n%s",
					cmp.Diff(string(fromStream), string(fromStore)))
			}
			// The stream read in one pass, as above, and spooled whole first.
			fromSpool := analyzeJSON(t, ref, aopts, image.WithLayerStore(false), image.WithStream(nil))
			if !bytes.Equal(fromSpool, fromStream) {
				t.Errorf("analyze JSON of the save stream read in one pass differs from the spooled stream's (-spooled +one pass):\n%s",
					cmp.Diff(string(fromSpool), string(fromStream)))
			}
			if !im.duplicates { // the story's: the bodies slim reads, twice, take long
				return
			}
			// slim reads the bodies it keeps from the store: the same bytes out.
			if a, b := slimmed(t, ref, image.WithLayerStore(true)), slimmed(t, ref, image.WithLayerStore(false)); !bytes.Equal(a, b) {
				t.Errorf("slim --level prune from the layer store wrote %d bytes unlike the %d from the save stream", len(a), len(b))
			}
		})
	}
}

// slimmed is the docker-archive `diet slim --level prune` writes of ref.
func slimmed(t *testing.T, ref string, iopts ...image.Option) []byte {
	t.Helper()
	img, err := image.Open(t.Context(), ref, iopts...)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "slim.tar")
	s, _, err := diet.Slim(t.Context(), img, slim.Prune, diet.WithOutput("docker-archive:"+out))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// analyzeJSON is `diet analyze --format json` of ref.
func analyzeJSON(t *testing.T, ref string, aopts []analyze.Option, iopts ...image.Option) []byte {
	t.Helper()
	r, err := diet.Analyze(t.Context(), ref, diet.WithImage(iopts...), diet.WithAnalyze(aopts...))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
