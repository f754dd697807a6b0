package atomicfile

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range ents {
		ns = append(ns, e.Name())
	}
	return ns
}

// only fails t unless dir holds exactly want: no temporary file is left.
func only(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}

func TestWriteFileMode(t *testing.T) {
	for _, perm := range []fs.FileMode{0o644, 0o600, 0o755, 0o444, fs.ModeSetuid | 0o755, fs.ModeSetgid | fs.ModeSticky | 0o770} {
		t.Run(perm.String(), func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "state.json")
			for _, data := range []string{"old\n", "new\n"} {
				if err := WriteFile(name, []byte(data), perm); err != nil {
					t.Fatalf("WriteFile(%q) = %v", data, err)
				}
				if got, _ := os.ReadFile(name); string(got) != data {
					t.Errorf("after WriteFile(%q) the file holds %q", data, got)
				}
			}
			fi, err := os.Stat(name)
			if err != nil {
				t.Fatal(err)
			}
			// chmod, not the umask, sets the mode: it is perm exactly.
			if got := fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky); got != perm {
				t.Errorf("mode %v, want %v", got, perm)
			}
			only(t, dir, "state.json")
		})
	}
}

// TestWriteFails: a write that fails leaves the target as it was and no
// temporary file.
func TestWriteFails(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.tar")
	if err := os.WriteFile(name, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(t.Context(), name, 0o644, func(f *os.File) error {
		f.WriteString("part")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Write = %v, want the callback's error", err)
	}
	if got, _ := os.ReadFile(name); string(got) != "old" {
		t.Errorf("after a failed Write the target holds %q, want %q", got, "old")
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o640 {
		t.Errorf("after a failed Write the target's mode is %v, want 0640", fi.Mode())
	}
	only(t, dir, "out.tar")
}

// TestCommitCancelled: a ctx done before the rename (as a SIGINT during
// the sync) keeps the old target and leaves no temporary file.
func TestCommitCancelled(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.tar")
	if err := os.WriteFile(name, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := Write(ctx, name, 0o644, func(f *os.File) error {
		_, err := f.WriteString("new")
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Write after cancel = %v, want context.Canceled", err)
	}
	if got, _ := os.ReadFile(name); string(got) != "old" {
		t.Errorf("target holds %q after a cancelled Commit, want %q", got, "old")
	}
	only(t, dir, "out.tar")
}

// TestCommitByName: Commit takes the file at Name, as a command that was
// given the name wrote it, even one that replaced the file (docker save
// -o writes a file of its own and renames it there), and syncs it.
func TestCommitByName(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "image.tar")
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if filepath.Dir(f.Name()) != dir {
		t.Errorf("Create(%q) made %s, want it beside the target", name, f.Name())
	}
	other := filepath.Join(dir, ".docker_temp_1")
	if err := os.WriteFile(other, []byte("saved"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, f.Name()); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(t.Context(), 0o644); err != nil {
		t.Fatalf("Commit = %v", err)
	}
	if got, _ := os.ReadFile(name); string(got) != "saved" {
		t.Errorf("target holds %q, want what the command wrote", got)
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o644 {
		t.Errorf("target's mode is %v, want 0644", fi.Mode())
	}
	f.Abort() // after Commit: nothing
	if _, err := os.Stat(name); err != nil {
		t.Errorf("Abort after Commit removed the target: %v", err)
	}
	if err := f.Commit(t.Context(), 0o644); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("a second Commit = %v, want fs.ErrClosed", err)
	}
	only(t, dir, "image.tar")
}

// TestCommitNotRegular: a target that is a directory is not replaced,
// and the error says why.
func TestCommitNotRegular(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out")
	if err := os.Mkdir(name, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(name, []byte("x"), 0o644)
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("WriteFile over a directory = %v, want ErrNotRegular", err)
	}
	if fi, err := os.Stat(name); err != nil || !fi.IsDir() {
		t.Errorf("the directory is gone: %v", err)
	}
	only(t, dir, "out")
}

func TestCreateNoDir(t *testing.T) {
	name := filepath.Join(t.TempDir(), "missing", "out")
	if _, err := Create(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Create(%q) = %v, want fs.ErrNotExist", name, err)
	}
}

// TestConcurrentWriters: writers of one name never share a temporary
// file: every one succeeds, and the target is one of their contents,
// whole.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "state")
	const writers = 8
	contents := make([][]byte, writers)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{'a' + byte(i)}, 1<<20)
	}
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = Write(t.Context(), name, 0o644, func(f *os.File) error {
				for off := 0; off < len(contents[i]); off += 64 << 10 {
					if _, err := f.Write(contents[i][off : off+64<<10]); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(contents, func(c []byte) bool { return bytes.Equal(c, got) }) {
		t.Errorf("the target holds %d bytes starting %q: not one writer's whole content", len(got), got[:min(len(got), 8)])
	}
	only(t, dir, "state")
}

// TestRemoveTemps removes what killed writers of a name left, and only
// that.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "rootfs.tar")
	for _, n := range []string{"rootfs.tar", ".rootfs.tar.diet-123", ".rootfs.tar.diet-9", "rootfs.tar.tmp", ".rootfs.tar.diet-x.diet-1", ".other.diet-5"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".rootfs.tar.diet-77"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := RemoveTemps(name); err != nil {
		t.Fatalf("RemoveTemps = %v", err)
	}
	only(t, dir, ".other.diet-5", ".rootfs.tar.diet-77", ".rootfs.tar.diet-x.diet-1", "rootfs.tar", "rootfs.tar.tmp")
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Errorf("SyncDir = %v", err)
	}
	if err := SyncDir(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SyncDir of a missing directory = %v, want fs.ErrNotExist", err)
	}
}
