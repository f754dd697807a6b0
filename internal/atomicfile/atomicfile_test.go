package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "state.json")
	for _, data := range []string{"old\n", "new\n"} {
		if err := WriteFile(name, []byte(data)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(name); string(got) != data {
			t.Errorf("after WriteFile(%q) the file holds %q", data, got)
		}
	}
	if _, err := os.Stat(name + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
}

func TestCommitFails(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, "x.tmp")
	os.WriteFile(tmp, []byte("x"), 0o644)
	if err := Commit(tmp, filepath.Join(dir, "missing", "x")); err == nil {
		t.Fatal("Commit into a missing directory succeeded")
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("a failed Commit leaves its temporary file: %v", err)
	}
}
