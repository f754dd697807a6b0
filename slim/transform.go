package slim

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
)

var elfMagic = []byte("\x7fELF")

// minPack is the smallest executable given to UPX: below it the stub costs
// more than packing saves, and UPX refuses most of them anyway.
const minPack = 32 << 10

// sharedLib names shared libraries, which UPX packs badly or not at all.
var sharedLib = regexp.MustCompile(`\.so(\.[0-9]+)*$`)

// transformed is a file's body after strip and UPX, in an open unlinked
// temporary file, at its start.
type transformed struct {
	f      *os.File
	size   int64
	strip  int64  // bytes strip saved
	packed int64  // bytes UPX saved
	skip   string // why UPX left an executable as it was
}

// transform copies a regular file's body into a temporary file in dir and
// runs binutils' strip (when strip is set and the body is ELF) and then UPX
// (when pack is set and the body is an ELF executable) on it. A tool that
// refuses the file (a packed program, firmware, a program UPX cannot pack)
// leaves it as it was. The body goes through the disk, never through
// memory.
func transform(ctx context.Context, dir string, h *tar.Header, body io.Reader, strip, pack bool) (*transformed, error) {
	tmp, err := os.CreateTemp(dir, "diet-body-*")
	if err != nil {
		return nil, err
	}
	name := tmp.Name()
	defer os.Remove(name)
	n, err := io.Copy(tmp, body)
	if err == nil {
		err = tmp.Chmod(0o700) // UPX packs only what it may execute
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	t := &transformed{size: n}
	if isELF(name) {
		if strip && exec.CommandContext(ctx, "strip", "--strip-unneeded", name).Run() == nil {
			t.strip = n - fileSize(name)
		}
		if pack && h.Mode&0o111 != 0 && !sharedLib.MatchString(path.Base(h.Name)) && n >= minPack {
			before := fileSize(name)
			if t.skip = upx(ctx, name); t.skip == "" {
				t.packed = before - fileSize(name)
			}
		}
	}
	if t.f, err = os.Open(name); err != nil {
		return nil, err
	}
	t.size = fileSize(name)
	return t, nil
}

// upx packs the program at name in place, or says why not.
func upx(ctx context.Context, name string) (skip string) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "upx", "-q", name) // -qq would hide AlreadyPackedException
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return ""
	}
	// "upx: NAME: CantPackException: file is too small": from the reason on.
	for line := range strings.Lines(stderr.String()) {
		if msg, ok := strings.CutPrefix(strings.TrimSpace(line), "upx: "+name+": "); ok {
			return msg
		}
	}
	return "upx: " + err.Error()
}

func isELF(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4)
	_, err = io.ReadFull(f, head)
	return err == nil && bytes.Equal(head, elfMagic)
}

func fileSize(name string) int64 {
	st, err := os.Stat(name)
	if err != nil {
		return 0
	}
	return st.Size()
}
