package entry

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// staticRoot is a rootfs holding one static Go program and /etc files.
func staticRoot(t *testing.T) string {
	root := t.TempDir()
	src := filepath.Join(t.TempDir(), "main.go")
	os.WriteFile(src, []byte("package main\nfunc main() { println(\"hi\") }\n"), 0o644)
	bin := filepath.Join(root, "app", "server")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.MkdirAll(filepath.Join(root, "usr/share/zoneinfo/Europe"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/false\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\n"), 0o644)
	return root
}

func TestNeeds(t *testing.T) {
	root := staticRoot(t)
	cf := &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"/app/server"}, Cmd: []string{"--port", "80"},
		User: "app", WorkingDir: "/srv", Env: []string{"TZ=Europe/Paris"}}}
	got, err := Needs(os.DirFS(root), cf)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/app/server", "/etc/group", "/etc/passwd", "/home/app", "/srv", "/tmp", "/usr/share/zoneinfo"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Needs (-want +got):\n%s", diff)
	}
}

func TestNeedsRefuses(t *testing.T) {
	root := staticRoot(t)
	for _, tc := range []struct {
		name string
		argv []string
		want error
	}{
		{"python", []string{"/usr/bin/python3", "app.py"}, ErrInterpreted},
		{"java", []string{"java", "-jar", "app.jar"}, ErrInterpreted},
		{"missing", []string{"/app/nope"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Needs(os.DirFS(root), &v1.ConfigFile{Config: v1.Config{Entrypoint: tc.argv}})
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("Needs(%v) = %v, want %v", tc.argv, err, tc.want)
			}
		})
	}
}
