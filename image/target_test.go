package image

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestCheckTarget: outputs that Write must not touch are refused before
// anything is read, and Write itself refuses them too.
func TestCheckTarget(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := filepath.Join(dir, "null-link")
	if err := os.Symlink("/dev/null", link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "notdir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(dir, "no-engine.sock"))
	for _, tc := range []struct {
		ref  string
		want error
	}{
		{"docker-archive:/dev/null", ErrInvalid},
		{"/dev/null", ErrInvalid},
		{"docker-archive:" + link, ErrInvalid},
		{"docker-archive:" + fifo, ErrInvalid},
		{"docker-archive:" + sock, ErrInvalid},
		{"docker-archive:" + filepath.Join(dir, "missing", "out.tar"), ErrNotFound},
		{"oci:" + filepath.Join(dir, "missing", "out"), ErrNotFound},
		{"oci:" + fifo, ErrInvalid},
		{"oci:/dev/null", ErrInvalid},
		{"docker-archive:" + filepath.Join(file, "out.tar"), ErrInvalid},
		{"docker-daemon:diet-test:out", ErrNoEngine},
		{"containers-storage:x", ErrInvalid},
		{"docker-archiv:x.tar", ErrUnknownTransport},
		{"nope://x", ErrInvalid},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			err := CheckTarget(t.Context(), tc.ref)
			if !errors.Is(err, tc.want) {
				t.Errorf("CheckTarget(%q) = %v, want %v", tc.ref, err, tc.want)
			}
			if _, ok := errors.AsType[*Error](err); !ok {
				t.Errorf("CheckTarget(%q) = %T, want *Error", tc.ref, err)
			}
		})
	}
	for _, ok := range []string{"docker-archive:" + filepath.Join(dir, "new.tar"), "oci:" + filepath.Join(dir, "new"), "docker://localhost:1/x:y"} {
		if err := CheckTarget(t.Context(), ok); err != nil {
			t.Errorf("CheckTarget(%q) = %v, want nil", ok, err)
		}
	}
}

// TestWriteDevice: Write refuses a device, a fifo and a symlink to a device
// and leaves them as they were.
func TestWriteDevice(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "null-link")
	if err := os.Symlink("/dev/null", link); err != nil {
		t.Fatal(err)
	}
	img := fixture(t)
	for _, target := range []string{"/dev/null", fifo, link} {
		before, err := os.Lstat(target)
		if err != nil {
			t.Fatal(err)
		}
		if err := Write(t.Context(), img, "docker-archive:"+target); !errors.Is(err, ErrInvalid) {
			t.Errorf("Write(docker-archive:%s) = %v, want ErrInvalid", target, err)
		}
		after, err := os.Lstat(target)
		if err != nil || after.Mode() != before.Mode() {
			t.Errorf("after Write, %s is %v (%v), was %v", target, after.Mode(), err, before.Mode())
		}
	}
}

// TestCommitCancelled: a cancel that arrives while the file is synced
// stops the rename: the target keeps its old content and no temporary
// file is left.
func TestCommitCancelled(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.tar")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := createBeside(target)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("new"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // as if SIGINT came during the sync
	if err := commitFile(ctx, f); !errors.Is(err, context.Canceled) {
		t.Errorf("commitFile after cancel = %v, want context.Canceled", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Errorf("target holds %q after a cancelled commit, want the old content", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%s holds %v, want only out.tar", dir, ents)
	}
}

// TestWriteNoEngine: writing to docker-daemon: with no engine says so,
// not that a pipe was closed.
func TestWriteNoEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	err := Write(t.Context(), fixture(t), "docker-daemon:diet-test:out")
	if !errors.Is(err, ErrNoEngine) || errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Write(docker-daemon:) with no engine = %v, want ErrNoEngine", err)
	}
}
