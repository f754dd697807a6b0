package dockerfile

import (
	"path"
	"strings"
)

// download returns the file a wget or curl command writes, and its URL;
// "" when the body goes to stdout.
func download(c *Command) (file, url string) {
	for _, a := range c.Operands() {
		if strings.Contains(a, "://") {
			url = a
			break
		}
	}
	base := func() string {
		u, _, _ := strings.Cut(url, "?")
		u, _, _ = strings.Cut(u, "#")
		return path.Base(u)
	}
	if url == "" {
		return "", ""
	}
	if c.Name() == "wget" {
		if out, ok := c.FlagValue("O", "output-document"); ok {
			if out == "-" {
				return "", url
			}
			return out, url
		}
		if dir, ok := c.FlagValue("P", "directory-prefix"); ok {
			return path.Join(dir, base()), url
		}
		return base(), url
	}
	if out, ok := c.FlagValue("o", "output"); ok {
		if out == "-" {
			return "", url
		}
		return out, url
	}
	if c.HasFlag("O") || c.HasFlag("remote-name") {
		if dir, ok := c.FlagValue("", "output-dir"); ok {
			return path.Join(dir, base()), url
		}
		return base(), url
	}
	return "", url
}

// tarExtract reports whether a tar command extracts: -x, --extract, --get,
// or the old style "tar xzf".
func tarExtract(c *Command) bool {
	for i, a := range c.args() {
		switch {
		case a == "--extract" || a == "--get":
			return true
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "x"):
			return true
		case i == 0 && !strings.HasPrefix(a, "-") && strings.Contains(a, "x") && strings.Trim(a, "xzjJvfpoO") == "":
			return true
		}
	}
	return false
}

// tarArchive returns the archive a tar command reads.
func tarArchive(c *Command) string {
	if f, ok := c.FlagValue("f", "file"); ok {
		return f
	}
	args := c.args()
	if len(args) > 1 && !strings.HasPrefix(args[0], "-") && strings.Contains(args[0], "f") {
		return args[1]
	}
	return ""
}

// decompressor reports whether c decompresses files in place (xz -d,
// gunzip), which deletes the compressed file unless told to keep it.
func decompressor(c *Command) bool {
	switch c.Name() {
	case "gunzip", "unxz", "bunzip2", "unlzma", "unzstd", "uncompress":
		return true
	case "xz", "gzip", "bzip2", "lzma", "zstd":
		return c.HasFlag("d") || c.HasFlag("decompress")
	}
	return false
}

// archiveExts are hadolint's archive extensions, and .zip.
var archiveExts = []string{".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz", ".xz", ".zip", ".zst", ".7z"}

// isArchive reports whether a file name looks like an archive; hadolint's
// DL3010 and DL3020 list leaves out .zip, so they pass zip=false.
func isArchive(name string, zip bool) bool {
	name = dropQuotes(name)
	for _, e := range archiveExts {
		if !zip && (e == ".zip" || e == ".zst" || e == ".7z") {
			continue
		}
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

// basename returns the last element of a path written with / or \.
func basename(p string) string {
	p = dropQuotes(p)
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// dropQuotes strips quote characters from both ends, as hadolint does.
func dropQuotes(s string) string { return strings.Trim(s, `"'`) }
