package image

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/test/enginetest"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// TestWriteDaemon loads images into the real engine, streamed through
// docker-daemon: and as a written docker-archive, and checks them with
// docker image inspect: the image ID is the config's digest and the layers
// are the config's diff IDs. A rejected or interrupted load leaves no image.
func TestWriteDaemon(t *testing.T) {
	enginetest.Require(t)
	want := writeFixture(t)
	cfgName, _ := want.ConfigName()
	cf, _ := want.ConfigFile()
	var ids []string
	for _, h := range cf.RootFS.DiffIDs {
		ids = append(ids, h.String())
	}
	wantInspect := cfgName.String() + " " + strings.Join(ids, ",") + ","
	tagFor := func(what string) string {
		tag := fmt.Sprintf("diet-test:write-%s-%d", what, os.Getpid())
		t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
		return tag
	}
	inspect := func(t *testing.T, tag string) string {
		return enginetest.Docker(t, "image", "inspect", "--format", `{{.Id}} {{range .RootFS.Layers}}{{.}},{{end}}`, tag)
	}
	absent := func(t *testing.T, tag string) {
		t.Helper()
		if out, err := exec.Command("docker", "image", "inspect", tag).CombinedOutput(); err == nil {
			t.Errorf("the engine has %s after a failed load:\n%s", tag, out)
		}
	}

	t.Run("docker-daemon", func(t *testing.T) {
		tag := tagFor("daemon")
		if err := Write(t.Context(), want, "docker-daemon:"+tag); err != nil {
			t.Fatalf("Write = %v", err)
		}
		if got := inspect(t, tag); got != wantInspect {
			t.Errorf("docker image inspect = %s, want %s", got, wantInspect)
		}
		got, err := Open(t.Context(), "docker-daemon:"+tag)
		if err != nil {
			t.Fatal(err)
		}
		sameImage(t, want, got)
	})

	t.Run("docker-archive, docker load", func(t *testing.T) {
		tag := tagFor("archive")
		p := filepath.Join(t.TempDir(), "x.tar")
		if err := Write(t.Context(), want, "docker-archive:"+p+":"+tag); err != nil {
			t.Fatal(err)
		}
		enginetest.Docker(t, "load", "-i", p)
		if got := inspect(t, tag); got != wantInspect {
			t.Errorf("docker image inspect = %s, want %s", got, wantInspect)
		}
	})

	t.Run("rejected", func(t *testing.T) {
		// The engine refuses a Windows image on Linux, in the JSON stream.
		win := withPlatform(t, want, v1.Platform{OS: "windows", Architecture: "amd64"})
		tag := tagFor("rejected")
		ref := "docker-daemon:" + tag
		err := Write(t.Context(), win, ref)
		if e, ok := errors.AsType[*Error](err); !ok || e.Ref != ref {
			t.Fatalf("Write(windows image) = %v, want an *Error naming %s", err, ref)
		}
		t.Log(err)
		absent(t, tag)
	})

	// A layer that knows its size is streamed at once, and stops half-way.
	for _, cause := range []error{nil, errBoom} {
		t.Run(fmt.Sprintf("interrupted by %v", cause), func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			stall := sizedStall{newStall(t, ctx, cause)}
			img, err := mutate.AppendLayers(want, stall)
			if err != nil {
				t.Fatal(err)
			}
			if cause == nil {
				go func() {
					<-stall.reached
					cancel()
				}()
			}
			tag := tagFor("interrupted")
			err = Write(ctx, img, "docker-daemon:"+tag)
			if want := cmp.Or(cause, context.Canceled); !errors.Is(err, want) {
				t.Fatalf("Write = %v, want %v", err, want)
			}
			t.Log(err)
			absent(t, tag)
		})
	}
}

// sizedStall is a stallLayer that says its size, as an archive layer does.
type sizedStall struct{ *stallLayer }

// UncompressedSize is ggcr's optional method.
func (l sizedStall) UncompressedSize() (int64, error) {
	rc, err := l.Layer.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}
