package story

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dietimage/diet/internal/atomicfile"
)

// stampVersion changes when the layout of a build directory does.
const stampVersion = 1

// stamp is story.json, written last: a build directory without it, or whose
// key differs from this code's, is not complete.
type stamp struct {
	Key         string
	V101        imageStamp
	Mistake     imageStamp
	Version     string
	Interpreter string
	GoVersion   string
}

type imageStamp struct {
	ID          string
	Size        int64 // in the engine
	ArchiveSize int64 // of the archive file, to catch a truncated copy
}

// key hashes what the images are made from. The host's Go is not in it:
// remove the directory to rebuild with another.
func key() string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\n%s\n%s %s\n%s\n%s", stampVersion, Module, Suite, Mirror, dockerfileV101, dockerfileMistake)
	return fmt.Sprintf("%x", h.Sum(nil))
}

func stampPath(dir string) string { return filepath.Join(dir, "story.json") }

// newStory lays the paths of a build in dir around what st recorded.
func newStory(dir string, st *stamp) *Story {
	return &Story{
		V101:        Image{Tag: TagV101, Archive: filepath.Join(dir, "v1.01.tar"), ID: st.V101.ID, Size: st.V101.Size},
		Mistake:     Image{Tag: TagMistake, Archive: filepath.Join(dir, "mistake.tar"), ID: st.Mistake.ID, Size: st.Mistake.Size},
		Binary:      Binary,
		HostBinary:  filepath.Join(dir, "go", "root", "go", "bin", "nats-server"),
		Version:     st.Version,
		Interpreter: st.Interpreter,
		Module:      Module,
		GoVersion:   st.GoVersion,
	}
}

// loadStamp returns the build in dir if it is complete. The error wraps
// os.ErrNotExist when there is no stamp at all.
func loadStamp(dir string) (*Story, error) {
	data, err := os.ReadFile(stampPath(dir))
	if err != nil {
		return nil, err
	}
	var st stamp
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", stampPath(dir), err)
	}
	if st.Key != key() {
		return nil, fmt.Errorf("%s: made by another version of package story", stampPath(dir))
	}
	s := newStory(dir, &st)
	for _, f := range []struct {
		name string
		size int64
	}{{s.V101.Archive, st.V101.ArchiveSize}, {s.Mistake.Archive, st.Mistake.ArchiveSize}, {s.HostBinary, -1}} {
		fi, err := os.Stat(f.name)
		if err != nil {
			return nil, fmt.Errorf("incomplete: %w", err)
		}
		if f.size >= 0 && fi.Size() != f.size {
			return nil, fmt.Errorf("incomplete: %s has %d bytes, want %d", f.name, fi.Size(), f.size)
		}
	}
	return s, nil
}

// writeStamp records s as the complete build in dir.
func writeStamp(dir string, s *Story) error {
	st := stamp{
		Key:         key(),
		V101:        imageStamp{ID: s.V101.ID, Size: s.V101.Size},
		Mistake:     imageStamp{ID: s.Mistake.ID, Size: s.Mistake.Size},
		Version:     s.Version,
		Interpreter: s.Interpreter,
		GoVersion:   s.GoVersion,
	}
	for _, p := range []struct {
		name string
		size *int64
	}{{s.V101.Archive, &st.V101.ArchiveSize}, {s.Mistake.Archive, &st.Mistake.ArchiveSize}} {
		fi, err := os.Stat(p.name)
		if err != nil {
			return err
		}
		*p.size = fi.Size()
	}
	data, err := json.MarshalIndent(&st, "", "\t")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(stampPath(dir), append(data, '\n'), 0o644)
}
