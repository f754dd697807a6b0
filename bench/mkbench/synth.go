package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
)

// words make package, directory and file names that look like the ones in
// node_modules, site-packages and /usr/share.
var words = []string{
	"ajv", "ansi", "async", "babel", "buffer", "chalk", "color", "commander", "core", "debug",
	"define", "diff", "emitter", "escape", "eslint", "event", "fast", "glob", "graceful", "has",
	"http", "inherits", "is", "json", "lodash", "lru", "mime", "minimatch", "ms", "object",
	"once", "parse", "path", "picomatch", "plugin", "proxy", "queue", "react", "readable", "regex",
	"resolve", "safe", "schema", "semver", "source", "stream", "string", "strip", "supports", "through",
	"to", "tslib", "type", "uri", "util", "uuid", "webpack", "which", "wrap", "yaml",
}

// styles are the kinds of trees the many-files image holds: a root, the
// extensions of its files, and the subdirectories inside each package.
var styles = map[string]struct {
	root string
	exts []string
	subs []string
}{
	"node":   {"app/node_modules", []string{".js", ".d.ts", ".js.map", ".json", ".mjs", ".cjs"}, []string{"lib", "dist", "src", "types", "lib/internal", "dist/esm", "dist/cjs"}},
	"python": {"usr/lib/python3/dist-packages", []string{".py", ".pyc", ".pyi", ".so", ".txt"}, []string{"", "tests", "_vendor", "utils", "__pycache__", "data/templates"}},
	"share":  {"usr/share", []string{".gz", ".mo", ".html", ".svg", ".xml", ".png"}, []string{"doc", "man/man1", "locale/de/LC_MESSAGES", "icons/hicolor/48x48/apps", "help/C", "info"}},
}

// synthPaths makes n distinct file paths of the given style, deterministic
// for a seed, sorted in walk order.
func synthPaths(style string, n int, seed uint64) []string {
	st := styles[style]
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	word := func() string { return words[rng.IntN(len(words))] }
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for pkgNo := 0; len(out) < n; pkgNo++ {
		pkg := word() + "-" + word()
		switch r := rng.IntN(4); {
		case r == 0 && style == "node":
			pkg = "@" + word() + "/" + word() // a scoped npm package
		case r == 1:
			pkg = word()
		}
		pkg = fmt.Sprintf("%s%d", pkg, pkgNo%97)
		if style == "python" {
			pkg = strings.ReplaceAll(pkg, "-", "_")
		}
		files := 20 + rng.IntN(300)
		for i := 0; i < files && len(out) < n; i++ {
			sub := st.subs[rng.IntN(len(st.subs))]
			if rng.IntN(5) == 0 {
				sub += "/" + word()
			}
			name := word() + st.exts[rng.IntN(len(st.exts))]
			if rng.IntN(3) == 0 {
				name = word() + "_" + name
			}
			p := strings.Join([]string{st.root, pkg, sub, name}, "/")
			if style == "share" { // usr/share/doc/PKG/…, not usr/share/PKG/doc/…
				p = strings.Join([]string{st.root, sub, pkg, name}, "/")
			}
			p = strings.ReplaceAll(p, "//", "/")
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return walkKey(out[i]) < walkKey(out[j]) })
	return out
}

// walkKey orders paths the way a directory walk visits them.
func walkKey(name string) string { return strings.ReplaceAll(name, "/", "\x00") }

// synthFiles writes the files of synthPaths with small bodies (0–1000
// bytes, most under 300) that say where they are. A file's size depends
// on its path alone, so that a layer of fewer files (many2's) holds the
// same bytes at the paths it keeps.
func synthFiles(ctx context.Context, w *layerWriter, style string, n int, seed uint64) error {
	var body strings.Builder
	for i, p := range synthPaths(style, n, seed) {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h := fnv.New64a()
		h.Write([]byte(p))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		size := rng.IntN(300)
		if rng.IntN(8) == 0 {
			size = rng.IntN(1000)
		}
		body.Reset()
		for body.Len() < size {
			fmt.Fprintf(&body, "// %s line %d\n", p, body.Len())
		}
		b := body.String()[:size]
		if err := w.file(p, 0o644, int64(size), strings.NewReader(b)); err != nil {
			return err
		}
	}
	return nil
}
