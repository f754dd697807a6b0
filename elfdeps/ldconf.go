package elfdeps

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Bounds on loader configuration: hostile images may hold includes that
// include themselves, globs over huge directories, or enormous files.
const (
	maxConfBytes   = 1 << 20
	maxConfDepth   = 16
	maxGlobMatches = 1024
)

// ldconf returns the directories listed by /etc/ld.so.conf and the files it
// includes, in order and without repeats, reading them once. Unreadable or
// absent files list nothing, as ldconfig builds no entries from them.
func (c *closer) ldconf() []string {
	if !c.confRead {
		c.confRead = true
		var dirs []string
		c.parseConf("/etc/ld.so.conf", 0, map[string]bool{}, &dirs)
		seen := map[string]bool{}
		for _, d := range dirs {
			if !seen[d] {
				seen[d] = true
				c.conf = append(c.conf, d)
			}
		}
	}
	return c.conf
}

// parseConf reads one file of ld.so.conf's format, as glibc's ldconfig
// does: '#' starts a comment, "include PATTERN..." reads the files a glob
// matches (relative patterns start at the including file's directory),
// "hwcap" lines are obsolete, and any other line is one directory.
func (c *closer) parseConf(name string, depth int, seen map[string]bool, dirs *[]string) {
	if depth > maxConfDepth {
		return
	}
	real, _, err := c.root.Resolve(name)
	if err != nil || seen[real] {
		return
	}
	seen[real] = true
	data, err := c.readSmall(real)
	if err != nil {
		return
	}
	for line := range strings.Lines(string(data)) {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case len(line) > 8 && strings.HasPrefix(line, "include") && (line[7] == ' ' || line[7] == '\t'):
			for _, pat := range strings.Fields(line[8:]) {
				if !strings.HasPrefix(pat, "/") {
					pat = path.Dir(name) + "/" + pat
				}
				for _, m := range c.glob(pat) {
					c.parseConf(m, depth+1, seen, dirs)
				}
			}
		case len(line) > 6 && strings.EqualFold(line[:5], "hwcap") && (line[5] == ' ' || line[5] == '\t'):
		default:
			if d := strings.TrimRight(line, "/"); d != "" {
				*dirs = append(*dirs, d)
			}
		}
	}
}

// glob expands a pattern within the root, component by component so every
// directory is listed by its real path, in the sorted order glob(3) gives.
// Names starting with '.' match only a pattern that does.
func (c *closer) glob(pattern string) []string {
	matches := []string{""}
	for comp := range strings.SplitSeq(pattern, "/") {
		if comp == "" || comp == "." {
			continue
		}
		var next []string
		for _, m := range matches {
			if !strings.ContainsAny(comp, `*?[\`) {
				next = append(next, m+"/"+comp)
				continue
			}
			real, _, err := c.root.Resolve(m)
			if err != nil {
				continue
			}
			entries, err := fs.ReadDir(c.root.fsys, real)
			if err != nil {
				continue
			}
			for _, de := range entries {
				hidden := strings.HasPrefix(de.Name(), ".") && !strings.HasPrefix(comp, ".")
				if ok, _ := path.Match(comp, de.Name()); ok && !hidden {
					next = append(next, m+"/"+de.Name())
				}
			}
		}
		matches = next[:min(len(next), maxGlobMatches)]
	}
	return slices.DeleteFunc(matches, func(m string) bool { return m == "" })
}

// muslPath is musl's system search path and the file it came from.
type muslPath struct {
	dirs []string
	conf string // "" when the built-in default applies
}

// muslPath reads /etc/ld-musl-ARCH.path once per arch. As in musl, an
// absent file means /lib:/usr/local/lib:/usr/lib, while an empty or
// unreadable one means no system directories at all.
func (c *closer) muslPath(arch string) muslPath {
	if mp, ok := c.musl[arch]; ok {
		return mp
	}
	name := "/etc/ld-musl-" + arch + ".path"
	var mp muslPath
	real, _, err := c.root.Resolve(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		mp.dirs = []string{"/lib", "/usr/local/lib", "/usr/lib"}
	case err == nil:
		if data, err := c.readSmall(real); err == nil {
			mp = muslPath{dirs: splitList(string(data), ":\n"), conf: name}
		}
	}
	c.musl[arch] = mp
	return mp
}

// readSmall reads a regular configuration file at a real path, refusing
// more than maxConfBytes.
func (c *closer) readSmall(real string) ([]byte, error) {
	return c.root.ReadFile(real, maxConfBytes)
}
