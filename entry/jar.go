// This file follows a Java class path through the jars' manifests.

package entry

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strings"
)

// Bounds on reading a jar, which may be hostile: the bytes read of it (its
// central directory, whose entries archive/zip holds in memory, and the
// manifest's compressed bytes), the manifest's size, and the jars a class
// path reaches through manifests.
const (
	maxJarRead  = 8 << 20
	maxManifest = 1 << 20
	maxJars     = 1024
)

// errBadJar is the cause of an error reading a jar's manifest: not a zip,
// or past the bounds above.
var errBadJar = errors.New("bad jar")

// classPathEntry keeps an entry of a class path, named as the class path
// names it (slash-rooted), and the jars the Class-Path of its manifest
// names, transitively: the class loader opens those when a class is not
// found before them, which a run may not have come to. A jar or directory
// the run did not use is a package of its own ("classpath"); a jar whose
// manifest cannot be read is kept, its Class-Path not followed.
func (k *packer) classPathEntry(named string) {
	queue := []string{named}
	for len(queue) > 0 && len(k.jars) < maxJars {
		named, queue = queue[0], queue[1:]
		real, links, err := k.rt.Resolve(named)
		if err != nil || real == "." || k.jars[real] {
			continue
		}
		k.jars[real] = true
		for _, l := range links {
			k.keep = append(k.keep, rooted(l))
		}
		if !k.traced[real] {
			if p := k.add(PackageJava, "classpath", real); p != nil {
				k.walk(p, real, nil)
			}
		}
		if !k.isFile(real) {
			continue
		}
		k.keep = append(k.keep, rooted(real))
		cp, err := k.manifestClassPath(real)
		if err != nil {
			continue
		}
		for _, e := range cp {
			if e = classPathURL(e); e == "" {
				continue
			}
			if !path.IsAbs(e) {
				e = path.Join(path.Dir(named), e) // relative to the jar's URL: the name the class path gives it
			}
			queue = append(queue, e)
		}
	}
}

// classPathURL is the path a Class-Path URL names, or "" for one of
// another scheme (http:) or malformed.
func classPathURL(s string) string {
	if rest, ok := strings.CutPrefix(s, "file:"); ok {
		s = rest
	} else if i := strings.IndexAny(s, ":/"); i >= 0 && s[i] == ':' {
		return ""
	}
	p, err := url.PathUnescape(s)
	if err != nil || p == "" {
		return ""
	}
	return p
}

// manifestClassPath reads the Class-Path of the manifest of the jar at the
// real path real: none when it has no manifest, an error wrapping
// [errBadJar] when it is no zip or exceeds the bounds.
func (k *packer) manifestClassPath(real string) ([]string, error) {
	fi, err := fs.Stat(k.fsys, real) // real holds no symlink
	if err != nil {
		return nil, err
	}
	var cp []string
	err = k.rt.ReadAt(real, func(r io.ReaderAt) error {
		zr, err := zip.NewReader(&budgetReaderAt{r: r, left: maxJarRead}, fi.Size())
		if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) { // the manifest's name is local
			return err
		}
		for _, f := range zr.File {
			if !strings.EqualFold(f.Name, "META-INF/MANIFEST.MF") { // java.util.jar looks it up so too
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return err
			}
			defer rc.Close()
			b, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
			if err != nil {
				return err
			}
			if len(b) > maxManifest {
				return fmt.Errorf("manifest larger than %d bytes", maxManifest)
			}
			cp = mainAttribute(b, "Class-Path")
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", rooted(real), errBadJar, err)
	}
	return cp, nil
}

// mainAttribute is the value of attribute name in the main section of a
// manifest (up to its first empty line), split at spaces; a line starting
// with a space continues the one before.
func mainAttribute(b []byte, name string) []string {
	b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	var lines []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if l == "" {
			break
		}
		if rest, ok := strings.CutPrefix(l, " "); ok && len(lines) > 0 {
			lines[len(lines)-1] += rest
			continue
		}
		lines = append(lines, l)
	}
	var out []string
	for _, l := range lines {
		if n, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(n, name) {
			out = append(out, strings.Fields(v)...)
		}
	}
	return out
}

// budgetReaderAt fails reads past a budget of bytes: archive/zip reads a
// central directory's entries until one does not parse, each into memory,
// so what it may read bounds what it may hold.
type budgetReaderAt struct {
	r    io.ReaderAt
	left int64
}

// ReadAt implements io.ReaderAt.
func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > b.left {
		return 0, fmt.Errorf("read more than %d bytes", maxJarRead)
	}
	b.left -= int64(len(p))
	return b.r.ReadAt(p, off)
}
