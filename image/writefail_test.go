package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// TestWriteInterrupted stops a write in the middle of a layer, by
// cancelling its context or by a failing read, for each transport, with
// and without an earlier image at the target: the target is left as it
// was, no temporary file remains, and the error names the destination and
// the layer.
func TestWriteInterrupted(t *testing.T) {
	t.Parallel()
	host := tartest.ServeRegistry(t)
	for _, tc := range []struct {
		name   string
		target string // under dir; "" for the registry
		ref    func(dir string) string
	}{
		{name: "docker-archive", target: "x.tar", ref: func(d string) string { return "docker-archive:" + d + "/x.tar:diet-test:xyz" }},
		{name: "oci", target: "layout", ref: func(d string) string { return "oci:" + d + "/layout:xyz" }},
		{name: "registry", ref: func(d string) string { return "docker://" + host + "/diet/" + filepath.Base(d) + ":xyz" }},
	} {
		for _, mode := range []string{"cancel", "fail", "cancel over old", "fail over old"} {
			if tc.target == "" && (mode == "cancel over old" || mode == "fail over old") {
				continue
			}
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				dir, spool := t.TempDir(), t.TempDir()
				ref := tc.ref(dir)
				opts := []Option{WithInsecure(true), WithTempDir(spool)}
				var before map[string]string
				if mode == "cancel over old" || mode == "fail over old" {
					if err := Write(t.Context(), fixture(t), ref, opts...); err != nil {
						t.Fatal(err)
					}
					before = files(t, filepath.Join(dir, tc.target))
				}
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				var cause error
				if mode == "fail" || mode == "fail over old" {
					cause = errBoom
				}
				stall := newStall(t, ctx, cause)
				img, err := mutate.AppendLayers(writeFixture(t), stall)
				if err != nil {
					t.Fatal(err)
				}
				if cause == nil {
					go func() {
						select {
						case <-stall.reached:
							cancel()
						case <-ctx.Done():
						}
					}()
				}
				err = Write(ctx, img, ref, opts...)
				if e, ok := errors.AsType[*Error](err); !ok || e.Ref != ref {
					t.Fatalf("Write = %v, want an *Error naming %q", err, ref)
				}
				if cause == nil && !errors.Is(err, context.Canceled) {
					t.Errorf("Write = %v, want context.Canceled", err)
				}
				if cause != nil {
					diffID, _ := stall.DiffID()
					want := fmt.Sprintf("%s: layer 3 (%s): after %d bytes: %v", ref, short(diffID), 64<<10, errBoom)
					if !errors.Is(err, errBoom) || err.Error() != want {
						t.Errorf("Write = %q\nwant %q", err, want)
					}
				}
				var wantNames []string
				if before != nil {
					wantNames = []string{tc.target}
					if diff := cmp.Diff(before, files(t, filepath.Join(dir, tc.target))); diff != "" {
						t.Errorf("the old image changed (-before +after):\n%s", diff)
					}
				}
				if diff := cmp.Diff(wantNames, dirNames(t, dir), cmpEmpty); diff != "" {
					t.Errorf("%s after the failed write (-want +got):\n%s", dir, diff)
				}
				if diff := cmp.Diff([]string(nil), dirNames(t, spool), cmpEmpty); diff != "" {
					t.Errorf("temporary files left (-want +got):\n%s", diff)
				}
				if tc.target == "" {
					if _, err := Open(t.Context(), ref, opts...); !errors.Is(err, ErrNotFound) {
						t.Errorf("Open(%q) after the failed push = %v, want ErrNotFound", ref, err)
					}
				}
			})
		}
	}
}

// cmpEmpty makes nil and empty slices equal.
var cmpEmpty = cmp.Transformer("nonil", func(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
})

// TestWriteBadInputs feeds Write bad destinations, options and images:
// each fails with an *Error naming the destination and the sentinel a
// caller branches on, before anything is written.
func TestWriteBadInputs(t *testing.T) {
	t.Parallel()
	img := writeFixture(t)
	layers, _ := img.Layers()
	other := tartest.Layer(t, tartest.File("etc/hello", "goodbye\n"))
	liar, err := mutate.AppendLayers(img, liarLayer{Layer: layers[0], other: other})
	if err != nil {
		t.Fatal(err)
	}
	host := tartest.ServeRegistry(t)

	for _, tc := range []struct {
		name    string
		ref     string // %[1]s is a fresh directory
		img     v1.Image
		opts    []Option
		prepare func(dir string)
		want    error
	}{
		{name: "archive by index", ref: "docker-archive:%[1]s/x.tar:@0", want: ErrInvalid},
		{name: "daemon by digest", ref: "docker-daemon:diet-test@sha256:" + fmt.Sprintf("%064d", 0), want: ErrInvalid},
		{name: "unsupported transport", ref: "containers-storage:%[1]s/x", want: ErrInvalid},
		{name: "misspelled transport", ref: "docker-archiv:%[1]s/x.tar", want: ErrUnknownTransport},
		{name: "bare name", ref: "diet-test", want: ErrInvalid},
		{name: "jobs 0", ref: "oci:%[1]s/layout", opts: []Option{WithJobs(0)}, want: ErrInvalid},
		{name: "archive is a directory", ref: "docker-archive:%[1]s", want: ErrInvalid},
		{name: "archive in a missing directory", ref: "docker-archive:%[1]s/missing/x.tar", want: ErrNotFound},
		{name: "layout in a missing directory", ref: "oci:%[1]s/missing/layout", want: ErrNotFound},
		{name: "layout over a file", ref: "oci:%[1]s/file", want: ErrInvalid, prepare: func(d string) {
			os.WriteFile(filepath.Join(d, "file"), []byte("mine"), 0o644)
		}},
		{name: "layout over a directory that is not one", ref: "oci:%[1]s/home", want: ErrInvalid, prepare: func(d string) {
			os.Mkdir(filepath.Join(d, "home"), 0o755)
			os.WriteFile(filepath.Join(d, "home", "thesis.tex"), []byte("mine"), 0o644)
		}},
		{name: "archive of a lying layer", ref: "docker-archive:%[1]s/x.tar", img: liar, want: ErrMismatch},
		{name: "layout of a lying layer", ref: "oci:%[1]s/layout", img: liar, want: ErrMismatch},
		{name: "push of a lying layer", ref: "docker://" + host + "/diet/liar:x", img: liar, opts: []Option{WithInsecure(true)}, want: ErrMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.prepare != nil {
				tc.prepare(dir)
			}
			before := files(t, dir)
			ref := tc.ref
			if strings.Contains(ref, "%[1]s") {
				ref = fmt.Sprintf(ref, dir)
			}
			im := tc.img
			if im == nil {
				im = img
			}
			err := Write(t.Context(), im, ref, tc.opts...)
			if e, ok := errors.AsType[*Error](err); !ok || e.Ref != ref || !errors.Is(err, tc.want) {
				t.Fatalf("Write(%q) = %v, want an *Error naming it, matching %v", ref, err, tc.want)
			}
			if diff := cmp.Diff(before, files(t, dir)); diff != "" {
				t.Errorf("Write(%q) changed %s (-before +after):\n%s", ref, dir, diff)
			}
			t.Log(err)
		})
	}
}
