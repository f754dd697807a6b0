package image

import (
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
)

// TestName opens one image stored every way that can name it, and some
// that cannot: Name must give the name the source recorded, as docker
// spells it.
func TestName(t *testing.T) {
	t.Parallel()
	img := writeFixture(t)
	host := tartest.ServeRegistry(t)
	if err := Write(t.Context(), img, "docker://"+host+"/diet/x:xyz", WithInsecure(true)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		ref    func(dir string) string
		opts   []Option
		want   string
		wantOK bool
	}{
		{name: "classic archive", ref: func(d string) string {
			tartest.WriteDockerArchive(t, filepath.Join(d, "x.tar"), img, "app:1")
			return filepath.Join(d, "x.tar")
		}, want: "app:1", wantOK: true},
		{name: "classic archive, other registry", ref: func(d string) string {
			tartest.WriteDockerArchive(t, filepath.Join(d, "x.tar"), img, "ghcr.io/x/y:2")
			return filepath.Join(d, "x.tar")
		}, want: "ghcr.io/x/y:2", wantOK: true},
		{name: "untagged archive", ref: func(d string) string {
			tartest.WriteDockerArchive(t, filepath.Join(d, "x.tar"), img, "")
			return filepath.Join(d, "x.tar")
		}},
		{name: "docker 25 archive", ref: func(d string) string {
			tartest.WriteOCIArchive(t, filepath.Join(d, "x.tar"), img, "app:1")
			return filepath.Join(d, "x.tar")
		}, want: "app:1", wantOK: true},
		{name: "written archive", ref: func(d string) string {
			ref := "docker-archive:" + filepath.Join(d, "x.tar") + ":localhost:5000/a/b:3"
			if err := Write(t.Context(), img, ref); err != nil {
				t.Fatal(err)
			}
			return ref
		}, want: "localhost:5000/a/b:3", wantOK: true},
		{name: "oci layout", ref: func(d string) string {
			tartest.WriteOCILayout(t, filepath.Join(d, "layout"), img, "app:1")
			return "oci:" + filepath.Join(d, "layout")
		}},
		{name: "registry", ref: func(string) string { return "docker://" + host + "/diet/x:xyz" },
			opts: []Option{WithInsecure(true)}, want: host + "/diet/x:xyz", wantOK: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := tc.ref(t.TempDir())
			got, err := Open(t.Context(), ref, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if n, ok := Name(got); n != tc.want || ok != tc.wantOK {
				t.Errorf("Name(Open(%q)) = %q, %v, want %q, %v", ref, n, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestWithArchiveTag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		ref, tag string
		want     string
		ok       bool
	}{
		{"docker-archive:x.tar", "app:1-slim", "docker-archive:x.tar:app:1-slim", true},
		{"out/x.tar", "app:1-slim", "docker-archive:out/x.tar:app:1-slim", true},
		{"docker-archive:x.tar:mine:2", "app:1-slim", "docker-archive:x.tar:mine:2", false},
		{"oci:" + dir, "app:1-slim", "oci:" + dir, false},
		{"oci-archive:x.tar", "app:1-slim", "oci-archive:x.tar", false},
		{"docker-daemon:app:2", "app:1-slim", "docker-daemon:app:2", false},
		{"docker-archive:x.tar", "bad tag", "docker-archive:x.tar", false},
	}
	for _, tc := range tests {
		got, ok := WithArchiveTag(tc.ref, tc.tag)
		if got != tc.want || ok != tc.ok {
			t.Errorf("WithArchiveTag(%q, %q) = %q, %v, want %q, %v", tc.ref, tc.tag, got, ok, tc.want, tc.ok)
		}
	}
}
