package diskspace_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/dietimage/diet/internal/diskspace"
)

func free(t *testing.T, dir string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// TestWriterStops writes zeros to a real file with 8 MiB of headroom above
// the reserve: the writer refuses before the reserve is reached.
func TestWriterStops(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := diskspace.New(dir, free(t, dir)-8<<20)
	n, err := io.Copy(g.Writer(f), io.LimitReader(zeros{}, 256<<20))
	if !errors.Is(err, diskspace.ErrLow) {
		t.Fatalf("copy of 256 MiB with 8 MiB headroom = %d, %v; want ErrLow", n, err)
	}
	if n > 8<<20+64<<10 { // a block or so of slack: the filesystem rounds
		t.Errorf("copied %d bytes past a headroom of 8 MiB", n)
	}
	if de, ok := errors.AsType[*diskspace.Error](err); !ok || de.Dir != dir || !strings.Contains(err.Error(), diskspace.EnvMinFree) {
		t.Errorf("error %v: want a *diskspace.Error naming %s and %s", err, dir, diskspace.EnvMinFree)
	}
}

func TestCheckOff(t *testing.T) {
	g := diskspace.New(t.TempDir(), 0)
	if err := g.Check(1 << 62); err != nil {
		t.Errorf("Check with reserve 0 = %v, want nil", err)
	}
	if err := diskspace.New(t.TempDir(), 1<<62).Check(0); !errors.Is(err, diskspace.ErrLow) {
		t.Errorf("Check with a reserve above the disk = %v, want ErrLow", err)
	}
}

func TestReaderStops(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "extracted"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := diskspace.New(dir, free(t, dir)-4<<20)
	n, err := io.Copy(f, g.Reader(io.LimitReader(zeros{}, 64<<20)))
	if !errors.Is(err, diskspace.ErrLow) || n > 4<<20+64<<10 {
		t.Errorf("copied %d bytes, %v; want ErrLow within 4 MiB", n, err)
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"512", 512}, {"1k", 1000}, {"2GiB", 2 << 30}, {"1.5G", 1_500_000_000},
		{"500 MB", 500_000_000}, {"3mib", 3 << 20}, {"1TB", 1e12},
	} {
		if got, err := diskspace.ParseSize(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "-1", "GiB", "1XB", "1e30", "9999999TiB"} {
		if got, err := diskspace.ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestCountsOwnWrites: bytes a guard let through count against the free
// space even before the filesystem shows them (delayed allocation), here
// bytes that go nowhere at all.
func TestCountsOwnWrites(t *testing.T) {
	dir := t.TempDir()
	g := diskspace.New(dir, free(t, dir)-8<<20)
	w := g.Writer(io.Discard)
	buf := make([]byte, 1<<20)
	var err error
	n := 0
	for ; n < 64 && err == nil; n++ {
		_, err = w.Write(buf)
	}
	if !errors.Is(err, diskspace.ErrLow) {
		t.Fatalf("64 MiB through a guard with 8 MiB above its reserve: %v, want ErrLow", err)
	}
	if n > 9 {
		t.Errorf("the guard let %d MiB through, want at most 8", n-1)
	}
}
