package buildtest

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// dockerConfig is what Docker's official Debian images add to a debootstrap
// (debuerreotype's minimizing config): apt deletes downloaded packages after
// installing them, keeps its indexes compressed and fetches no
// translations. It makes `apt-get update` leave about what it leaves in the
// real images.
var dockerConfig = map[string]string{
	"etc/apt/apt.conf.d/docker-clean": `DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
`,
	"etc/apt/apt.conf.d/docker-gzip-indexes":        "Acquire::GzipIndexes \"true\";\n",
	"etc/apt/apt.conf.d/docker-no-languages":        "Acquire::Languages \"none\";\n",
	"etc/apt/apt.conf.d/docker-autoremove-suggests": "Apt::AutoRemove::SuggestsImportant \"false\";\n",
	"etc/dpkg/dpkg.cfg.d/docker-apt-speedup":        "force-unsafe-io\n",
}

// slimExcludes are the slim images' dpkg path filters: what the rootfs
// loses, and what later installs leave out.
const slimExcludes = `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
`

// hostCerts is Debian's CA bundle on this machine.
const hostCerts = "/etc/ssl/certs/ca-certificates.crt"

// layerSpec says how one imported image differs from the rootfs.
type layerSpec struct {
	slim   bool   // drop what [slimExcludes] excludes and install the filter
	goroot string // a Go toolchain tree to add as /usr/local/go, and /go
}

// slimDropped reports whether a slim image leaves out name, a rootfs path
// without its leading "./".
func slimDropped(name string) bool {
	for _, dir := range []string{"usr/share/doc/", "usr/share/groff/", "usr/share/info/",
		"usr/share/linda/", "usr/share/lintian/overrides/", "usr/share/locale/", "usr/share/man/"} {
		rest, ok := strings.CutPrefix(name, dir)
		if !ok || rest == "" {
			continue
		}
		switch {
		case dir == "usr/share/doc/" && strings.HasSuffix(rest, "/copyright"):
			return false
		case dir == "usr/share/locale/" && rest == "locale.alias":
			return false
		}
		return true
	}
	return false
}

// writeLayer writes the image's one layer to w: the rootfs tar, filtered
// and completed as spec says.
func writeLayer(w io.Writer, rootfs string, spec layerSpec) error {
	f, err := os.Open(rootfs)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	tw := tar.NewWriter(w)
	dropped := map[string]bool{}
	added := map[string]string{}
	for name, body := range dockerConfig {
		added[name] = body
	}
	if spec.slim {
		added["etc/dpkg/dpkg.cfg.d/docker"] = slimExcludes
	}
	if spec.goroot != "" {
		// The official golang images ship ca-certificates (go get needs
		// them); the host's bundle, from Debian's package, stands in.
		certs, err := os.ReadFile(hostCerts)
		if err != nil {
			return fmt.Errorf("the golang image's CA bundle: %w", err)
		}
		added["etc/ssl/certs/ca-certificates.crt"] = string(certs)
	}
	var mtime time.Time
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", rootfs, err)
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		if hdr.ModTime.After(mtime) {
			mtime = hdr.ModTime
		}
		if _, ok := added[name]; ok {
			continue
		}
		if hdr.Typeflag != tar.TypeDir && spec.slim && slimDropped(name) ||
			hdr.Typeflag == tar.TypeLink && dropped[strings.TrimPrefix(hdr.Linkname, "./")] {
			dropped[name] = true
			continue
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(added)) {
		body := added[name]
		hdr := &tar.Header{Name: "./" + name, Mode: 0o644, Size: int64(len(body)), ModTime: mtime, Typeflag: tar.TypeReg, Uname: "root", Gname: "root"}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.WriteString(tw, body); err != nil {
			return err
		}
	}
	if spec.goroot != "" {
		if err := addTree(tw, spec.goroot, "./usr/local/go"); err != nil {
			return err
		}
		// GOPATH as the official image makes it: world-writable, sticky.
		for _, d := range []string{"./go", "./go/bin", "./go/src"} {
			hdr := &tar.Header{Name: d + "/", Mode: 0o1777, ModTime: mtime, Typeflag: tar.TypeDir, Uname: "root", Gname: "root"}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

// addTree writes the tree at root to tw under the name prefix, owned by
// root. It keeps symbolic links and skips special files.
func addTree(tw *tar.Writer, root, prefix string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var link string
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		case !fi.Mode().IsRegular() && !fi.IsDir():
			return nil
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		hdr.Name = prefix + "/" + filepath.ToSlash(rel)
		if rel == "." {
			hdr.Name = prefix
		}
		if fi.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "root", "root"
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		n, err := io.Copy(tw, src)
		if err == nil && n != hdr.Size {
			err = errors.New("file changed while read")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		return nil
	})
}
