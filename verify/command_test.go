package verify

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestCommandOf(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=/bin", "A=1"}
	tests := []struct {
		name     string
		config   v1.Config
		override []string
		want     []string // nil: ErrNoCommand
	}{
		{"entrypoint and cmd", v1.Config{Entrypoint: []string{"/app"}, Cmd: []string{"serve", "-v"}}, nil, []string{"/app", "serve", "-v"}},
		{"cmd only", v1.Config{Cmd: []string{"ls", "-l"}}, nil, []string{"ls", "-l"}},
		{"entrypoint only", v1.Config{Entrypoint: []string{"/app"}}, nil, []string{"/app"}},
		{"shell form", v1.Config{Cmd: []string{"/bin/sh", "-c", "echo $A"}}, nil, []string{"/bin/sh", "-c", "echo $A"}},
		{"override replaces cmd", v1.Config{Entrypoint: []string{"/app"}, Cmd: []string{"serve"}}, []string{"version"}, []string{"/app", "version"}},
		{"override without entrypoint", v1.Config{Cmd: []string{"serve"}}, []string{"ls", "/"}, []string{"ls", "/"}},
		{"override gives a command", v1.Config{}, []string{"ls"}, []string{"ls"}},
		{"nothing", v1.Config{}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.config.Env, tc.config.WorkingDir, tc.config.User = env, "/srv", "app"
			got, err := CommandOf(&v1.ConfigFile{Config: tc.config}, tc.override)
			if tc.want == nil {
				if !errors.Is(err, ErrNoCommand) {
					t.Errorf("CommandOf = %v, %v; want ErrNoCommand", got, err)
				}
				return
			}
			want := Command{Argv: tc.want, Env: env, WorkingDir: "/srv", User: "app"}
			if err != nil || !cmp.Equal(want, got) {
				t.Errorf("CommandOf = %+v, %v; want %+v", got, err, want)
			}
		})
	}
	if _, err := CommandOf(nil, []string{"ls"}); !errors.Is(err, ErrNoCommand) {
		t.Errorf("CommandOf(nil) = %v, want ErrNoCommand", err)
	}
}

func TestLookupUser(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "etc"), 0o755)
	os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte("# users\nroot:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\nbroken:x:y\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "etc/group"), []byte("root:x:0:\nstaff:x:50:app\n"), 0o644)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tests := []struct {
		spec string
		want ids
		err  error
	}{
		{"", ids{0, 0, "/root"}, nil},
		{"root", ids{0, 0, "/root"}, nil},
		{"app", ids{1000, 1001, "/home/app"}, nil},
		{"1000", ids{1000, 1001, "/home/app"}, nil},
		{"4242", ids{4242, 0, "/"}, nil},
		{"app:staff", ids{1000, 50, "/home/app"}, nil},
		{"app:7", ids{1000, 7, "/home/app"}, nil},
		{"4242:4343", ids{4242, 4343, "/"}, nil},
		{"nobody", ids{}, ErrUnknownUser},
		{"broken", ids{}, ErrUnknownUser},
		{"app:wheel", ids{}, ErrUnknownUser},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := lookupUser(root, tc.spec)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Errorf("lookupUser(%q) = %v, want %v", tc.spec, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("lookupUser(%q) = %+v, %v; want %+v", tc.spec, got, err, tc.want)
			}
		})
	}
}

func TestLookupUserNoEtc(t *testing.T) {
	t.Parallel()
	root, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if got, err := lookupUser(root, "1000:1000"); err != nil || got != (ids{1000, 1000, "/"}) {
		t.Errorf("lookupUser without /etc = %+v, %v; want numbers as given", got, err)
	}
	if _, err := lookupUser(root, "app"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("lookupUser(name) without /etc = %v, want ErrUnknownUser", err)
	}
}
