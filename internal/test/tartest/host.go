package tartest

import (
	"archive/tar"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// Host collects tar entries that copy files of this host, with the
// directories and symlinks on their way, so that a program copied with the
// libraries ldd names runs in a chroot as it runs here (merged /usr and the
// loader's absolute symlink included).
type Host struct {
	t       testing.TB
	entries []Entry
	have    map[string]bool
}

func NewHost(t testing.TB) *Host {
	return &Host{t: t, have: map[string]bool{}}
}

// Program adds the host program at p and the libraries `ldd p` lists
// (the loader among them). The test skips when p is not on this host.
func (h *Host) Program(p string) *Host {
	h.t.Helper()
	if _, err := os.Stat(p); err != nil {
		h.t.Skipf("this test copies %s from the host: %v", p, err)
	}
	h.Add(p)
	out, err := exec.Command("ldd", p).Output() // fails for a static program: no libraries then
	if err == nil {
		for _, f := range strings.Fields(string(out)) {
			if strings.HasPrefix(f, "/") {
				h.Add(f)
			}
		}
	}
	return h
}

// Add adds host path p, recording each symlink met on the way and going on
// from its target, as the kernel resolves it.
func (h *Host) Add(p string) {
	h.t.Helper()
	cur := "/"
	parts := strings.Split(strings.Trim(path.Clean(p), "/"), "/")
	for i, el := range parts {
		q := path.Join(cur, el)
		fi, err := os.Lstat(q)
		if err != nil {
			h.t.Fatal(err)
		}
		name := strings.TrimPrefix(q, "/")
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(q)
			if err != nil {
				h.t.Fatal(err)
			}
			h.Put(Symlink(name, target))
			if !path.IsAbs(target) {
				target = path.Join(cur, target)
			}
			h.Add(path.Join(append([]string{target}, parts[i+1:]...)...))
			return
		case fi.IsDir():
			h.Put(Dir(name))
			cur = q
		default:
			body, err := os.ReadFile(q)
			if err != nil {
				h.t.Fatal(err)
			}
			h.Put(Entry{Name: name, Type: tar.TypeReg, Mode: int64(fi.Mode().Perm()), Body: body})
			return
		}
	}
}

// Put adds e unless an entry of that name is there already.
func (h *Host) Put(e Entry) *Host {
	if !h.have[e.Name] {
		h.have[e.Name] = true
		h.entries = append(h.entries, e)
	}
	return h
}

// Etc adds the /etc/passwd and /etc/group every sandbox test uses.
func (h *Host) Etc() *Host {
	h.Put(Dir("etc"))
	h.Put(File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"))
	h.Put(File("etc/group", "root:x:0:\nstaff:x:50:\napp:x:1000:\n"))
	return h.Put(Entry{Name: "tmp", Type: tar.TypeDir, Mode: 0o1777})
}

// Entries returns the entries collected so far, in order.
func (h *Host) Entries() []Entry { return h.entries }

// AddTree adds the host directory dir and everything in it, symlinks as
// they are (with what they lead to, as Add does).
func (h *Host) AddTree(dir string) {
	h.t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		h.Add(p)
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// CopyTree adds the host directory dir and everything in it as the
// directory to of the image: files with their modes, symlinks as they are.
func (h *Host) CopyTree(dir, to string) {
	h.t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := path.Join(to, filepath.ToSlash(rel))
		switch fi, err := d.Info(); {
		case err != nil:
			return err
		case d.IsDir():
			h.Put(Entry{Name: name, Type: tar.TypeDir, Mode: int64(fi.Mode().Perm())})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			h.Put(Symlink(name, target))
		case d.Type().IsRegular():
			body, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Put(Entry{Name: name, Type: tar.TypeReg, Mode: int64(fi.Mode().Perm()), Body: body})
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}
