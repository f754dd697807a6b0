package example

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// goSrcDirs are the GOROOT/src packages copied into the toolchain layer:
// real sources (tests included, as a Go tarball ships them) standing in for
// the whole 150 MB tree.
var goSrcDirs = []string{"bufio", "errors", "fmt", "io", "sort", "strings", "unicode/utf8"}

// toolchainLayer adds what `apt-get install` plus a Go tarball leave behind:
// a subset of the real toolchain under /usr/local/go, the downloaded .deb
// files in /var/cache/apt/archives and the package lists of `apt-get update`.
func toolchainLayer(l *layer, goroot string) error {
	const dst = "usr/local/go"
	l.dir("tmp", 0o1777) // apt and dpkg work in /tmp
	for _, f := range []string{"VERSION", "go.env", "LICENSE"} {
		if err := copyFile(l, filepath.Join(goroot, f), dst+"/"+f); err != nil {
			return fmt.Errorf("toolchain: %w", err)
		}
	}
	if err := l.tree(filepath.Join(goroot, "pkg", "include"), dst+"/pkg/include"); err != nil {
		return fmt.Errorf("toolchain: %w", err)
	}
	for _, d := range goSrcDirs {
		des, err := os.ReadDir(filepath.Join(goroot, "src", d))
		if err != nil {
			return fmt.Errorf("toolchain: %w", err)
		}
		for _, de := range des {
			if de.Type().IsRegular() {
				if err := copyFile(l, filepath.Join(goroot, "src", d, de.Name()), dst+"/src/"+d+"/"+de.Name()); err != nil {
					return fmt.Errorf("toolchain: %w", err)
				}
			}
		}
	}
	tool, err := smallestTool(goroot)
	if err != nil {
		return err
	}
	if err := copyFile(l, tool, dst+"/pkg/tool/linux_amd64/"+filepath.Base(tool)); err != nil {
		return fmt.Errorf("toolchain: %w", err)
	}
	aptArchives(l)
	aptLists(l)
	return nil
}

// copyFile adds the file at src to the layer as name, keeping its mode.
func copyFile(l *layer, src, name string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	l.file(name, int64(fi.Mode().Perm()), b)
	return nil
}

// smallestTool picks the smallest binary in GOROOT/pkg/tool/<host>: one real,
// unstripped Go tool keeps the toolchain layer honest and the image small.
func smallestTool(goroot string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(goroot, "pkg", "tool", "*", "*"))
	if err != nil || len(matches) == 0 {
		return "", fmt.Errorf("toolchain: no tools in %s/pkg/tool", goroot)
	}
	best, bestSize := "", int64(-1)
	sort.Strings(matches)
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil || !fi.Mode().IsRegular() || strings.HasSuffix(m, ".exe~") {
			continue
		}
		if bestSize < 0 || fi.Size() < bestSize {
			best, bestSize = m, fi.Size()
		}
	}
	if best == "" {
		return "", fmt.Errorf("toolchain: no tools in %s/pkg/tool", goroot)
	}
	return best, nil
}
