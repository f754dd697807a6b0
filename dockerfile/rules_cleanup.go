package dockerfile

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

var ruleCleanupLater = Rule{
	ID: "DIET101", Name: "cleanup-in-later-layer", Severity: SeverityWarning, Fixable: true,
	Summary: "a RUN removes what an earlier instruction added: the bytes stay in the earlier layer",
	Doc: "Every instruction adds a layer, and a layer can only add files or hide them: deleting a file " +
		"in a later RUN writes a whiteout, while the bytes stay in the layer that added them and are " +
		"pulled and stored all the same. This is the story's mistake: the same `apk del` and `rm -rf` " +
		"that took an image from 948 MB to 44 MB inside the installing RUN changed nothing in a RUN of " +
		"their own. diet matches what the cleanup removes (packages, caches, downloads, copied or " +
		"extracted files) with the earlier instruction that added it, and also reports a RUN that does " +
		"nothing but delete caches or uninstall packages. Removing a single copied file without -r " +
		"(a requirements.txt) is left alone: a tree or an archive is what weighs. Fix: do the cleanup " +
		"in the RUN that installs, or build in a stage of its own.",
	Bad:   "FROM alpine:3.20\nRUN apk add go git\nRUN go install example.com/app@latest\nRUN apk del go git && rm -rf /root/go /root/.cache\n",
	Good:  "FROM alpine:3.20\nRUN apk add go git \\\n    && go install example.com/app@latest \\\n    && apk del go git && rm -rf /root/go/pkg /root/go/src /root/.cache\n",
	check: checkCleanupLater,
}

// sizeDirs are where deletions are about size; deleting elsewhere (a
// config file) is not a cleanup this rule should judge.
var sizeDirs = []string{"/var/cache", "/var/lib/apt", "/tmp", "/var/tmp", "/usr/share/doc", "/usr/share/man",
	"/usr/share/info", "/usr/share/locale", "/usr/src", "/usr/local/cargo", "/var/log", "/root", "/go", "/home"}

func checkCleanupLater(l *linter) []Finding {
	var out []Finding
	for _, ra := range l.runs() {
		s, in := ra.s, ra.in
		fc := l.factsOf(in)
		if len(fc.deletes) == 0 && len(fc.removes) == 0 {
			continue
		}
		// For each earlier instruction, what of it the cleanup removes.
		type source struct {
			in    *Instruction
			pkgs  []string
			other []string
		}
		var sources []*source
		var cmds []*Command
		var bytes int64
		note := func(src *Instruction, pkg, thing string, c *Command, n int64) {
			i := slices.IndexFunc(sources, func(s *source) bool { return s.in == src })
			if i < 0 {
				sources = append(sources, &source{in: src})
				i = len(sources) - 1
			}
			sc := sources[i]
			switch {
			case pkg != "" && !slices.Contains(sc.pkgs, pkg):
				sc.pkgs = append(sc.pkgs, pkg)
				bytes += n
			case thing != "" && !slices.Contains(sc.other, thing):
				sc.other = append(sc.other, thing)
				bytes += n
			}
			if !slices.Contains(cmds, c) {
				cmds = append(cmds, c)
			}
		}
		for _, src := range l.cleanupSources(s, in, fc) {
			sf := l.factsOf(src)
			for _, rm := range fc.removes {
				for _, ins := range sf.installs {
					if ins.mgr != rm.mgr {
						continue
					}
					for _, p := range rm.pkgs {
						if slices.Contains(ins.pkgs, p) {
							note(src, p, "", rm.cmd, pkgBytes(p))
						} else if p == ins.virtual {
							for _, q := range ins.pkgs {
								note(src, q, "", rm.cmd, pkgBytes(q))
							}
						}
					}
				}
			}
			for _, d := range fc.deletes {
				for _, w := range sf.writes {
					// Deleting one small copied file (requirements.txt) is
					// noise; a tree or an archive is not.
					if w.kind == "copy" && !d.cmd.HasFlag("r") && !d.cmd.HasFlag("R") && !d.cmd.HasFlag("recursive") &&
						!slices.ContainsFunc(src.Args, func(a string) bool { return isArchive(a, true) }) {
						continue
					}
					if overlaps(d.path, w.path) && !sf.deletedAfter(w.path, w.at) && !refills(fc, w.path, d) {
						note(src, "", w.what, d.cmd, cacheBytes(w.path))
					}
				}
			}
		}
		if len(sources) == 0 {
			if !fc.cleanupOnly || !sizeCleanup(fc) {
				continue
			}
			var first, last *Command
			for _, c := range in.Run.Commands {
				if first == nil {
					first = c
				}
				last = c
			}
			// What the earlier layers hold here, by the typical size of
			// each cache the RUN deletes; the packages it uninstalls are
			// counted as toolchainBytes knows them.
			var n int64
			for _, d := range fc.deletes {
				n += cacheBytes(root(d.path))
			}
			for _, rm := range fc.removes {
				for _, p := range rm.pkgs {
					n += pkgBytes(p)
				}
			}
			size := ""
			if n > 0 {
				size = stake(n, "typical sizes of what it deletes")
			}
			out = append(out, Finding{Line: first.Line, EndLine: last.EndLine, Fixable: false, Bytes: n, Message: fmt.Sprintf(
				"the RUN on line %d only deletes and uninstalls: a later layer cannot shrink an earlier one, so the image does not get smaller%s; do this in the RUN that added the files",
				in.Line, size)})
			continue
		}
		slices.SortFunc(cmds, func(a, b *Command) int {
			return slices.Index(in.Run.Commands, a) - slices.Index(in.Run.Commands, b)
		})
		line, end := cmds[0].Line, cmds[0].EndLine
		var quoted []string
		for _, c := range cmds {
			line, end = min(line, c.Line), max(end, c.EndLine)
			quoted = append(quoted, "`"+c.String()+"`")
		}
		var added []string
		fixable := in.Cmd == "run" && in.Run.Err == nil && fc.cleanupOnly
		for _, sc := range sources {
			var things []string
			switch len(sc.pkgs) {
			case 0:
			case 1:
				things = append(things, "package "+sc.pkgs[0])
			default:
				things = append(things, "packages "+strings.Join(sc.pkgs, ", "))
			}
			things = append(things, sc.other...)
			added = append(added, fmt.Sprintf("line %d: %s", sc.in.Line, strings.Join(things, "; ")))
			fixable = fixable && editable(sc.in)
		}
		size := ""
		if bytes > 0 {
			size = stake(bytes, "typical sizes of those packages and caches")
		}
		out = append(out, Finding{Line: line, EndLine: end, Fixable: fixable, Bytes: bytes, Message: fmt.Sprintf(
			"%s remove%s what earlier layers added (%s)%s: a later layer cannot shrink an earlier one, so those bytes stay in the image; do the cleanup in the RUN that adds them",
			joinList(quoted), plural(len(quoted) == 1, "s"), strings.Join(added, "; "), size)})
	}
	return out
}

// refills reports whether the RUN itself writes p again before deletion d:
// then d cleans up after its own command (`apt-get install … && apt-get
// clean` once more in a second RUN), a good habit, not an attempt to
// shrink the earlier layer. What that layer left of p is the finding of
// the rule about its own RUN.
func refills(fc *facts, p string, d deletion) bool {
	return slices.ContainsFunc(fc.writes, func(w write) bool { return w.at < d.at && w.path == p })
}

// sizeCleanup reports whether a cleanup-only RUN deletes something that is
// about size: packages, or files under the usual cache and build places.
func sizeCleanup(fc *facts) bool {
	if len(fc.removes) > 0 {
		return true
	}
	for _, d := range fc.deletes {
		for _, dir := range sizeDirs {
			if under(root(d.path), dir) {
				return true
			}
		}
	}
	return false
}

func plural(one bool, suffix string) string {
	if one {
		return suffix
	}
	return ""
}

// joinList joins "a", "a and b", "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

var ruleArchiveKept = Rule{
	ID: "DIET102", Name: "downloaded-archive-kept", Severity: SeverityWarning, Fixable: true,
	Summary: "a downloaded archive is not deleted in the RUN that extracts it",
	Doc: "`wget` or `curl -o` writes the archive into the layer; extracting it adds the contents beside it. " +
		"Unless the same RUN deletes the archive, the image carries it compressed and extracted. " +
		"Stream it instead (`curl -fsSL URL | tar -xz`) or delete it before the RUN ends. " +
		"`xz -d` and `gunzip` replace the file they decompress, so diet follows the name.",
	Bad:  "FROM debian:bookworm-slim\nRUN curl -fsSLO https://example.com/tool.tar.gz && tar -xzf tool.tar.gz -C /opt\n",
	Good: "FROM debian:bookworm-slim\nRUN curl -fsSLO https://example.com/tool.tar.gz && tar -xzf tool.tar.gz -C /opt && rm tool.tar.gz\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, ra := range l.runs() {
			fc := l.factsOf(ra.in)
			for _, w := range fc.writes {
				if w.kind != "download" {
					continue
				}
				name, extracted := followArchive(fc, w)
				if !extracted && !isArchive(w.path, true) {
					continue
				}
				if name == "" || fc.deletedAfter(name, w.at) {
					continue
				}
				out = append(out, Finding{Line: w.cmd.Line, EndLine: w.cmd.EndLine,
					Fixable: ra.in.Cmd == "run" && ra.in.Run.Err == nil && !ra.in.Run.Exec, Bytes: archiveBytes,
					Message: fmt.Sprintf("%s is downloaded but never deleted in this RUN: the archive stays in the layer beside what was extracted from it%s; add `&& rm -f %s` or stream it into tar",
						path.Base(w.path), stake(archiveBytes, "a typical release archive; lint cannot see the download"), path.Base(name))})
			}
		}
		return out
	},
}

// maxContextEntries bounds the walk of one COPY's sources: an estimate
// need not read a context of millions of files.
const maxContextEntries = 100_000

// copySize returns the bytes a COPY or ADD of the build context adds, by
// the sizes of its sources in the context directory, and the largest
// file among them (context-relative); 0 and "" without a context, for
// --from and for URLs.
func (l *linter) copySize(in *Instruction) (int64, string) {
	if _, from := in.Flag("from"); from || l.o.contextDir == "" {
		return 0, ""
	}
	var total, most int64
	largest := ""
	seen := 0
	for _, src := range sources(in) {
		src = unquote(src)
		if isURL(src) || strings.HasPrefix(src, "<<") {
			continue
		}
		rel := path.Clean("/" + src)[1:] // the context is the root: ../ cannot leave it
		if rel == "" {
			rel = "."
		}
		matches, err := filepath.Glob(filepath.Join(l.o.contextDir, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		for _, m := range matches {
			_ = filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
				if seen++; err != nil || seen > maxContextEntries {
					return filepath.SkipAll
				}
				if !d.Type().IsRegular() {
					return nil
				}
				info, err := d.Info()
				if err != nil {
					return nil
				}
				total += info.Size()
				if info.Size() > most {
					most = info.Size()
					if r, err := filepath.Rel(l.o.contextDir, p); err == nil {
						largest = filepath.ToSlash(r)
					}
				}
				return nil
			})
		}
	}
	return total, largest
}

// followArchive follows a downloaded file through in-place decompression
// (xz -d file.tar.xz leaves file.tar) and reports the name that remains,
// "" if none does, and whether something extracted it.
func followArchive(fc *facts, w write) (string, bool) {
	name := w.path
	extracted := false
	after := false
	for i, c := range fc.in.Run.Commands {
		if c == w.cmd {
			after = true
			continue
		}
		if !after {
			continue
		}
		switch {
		case decompressor(c):
			for _, op := range c.Operands() {
				if fc.abs(op, fc.cwd[i]) == name {
					extracted = true
					if !c.HasFlag("k") && !c.HasFlag("keep") {
						name = strings.TrimSuffix(name, path.Ext(name))
					}
				}
			}
		case c.Name() == "tar" && tarExtract(c):
			if a := tarArchive(c); a != "" && (fc.abs(a, fc.cwd[i]) == name || basename(a) == path.Base(name)) {
				extracted = true
			}
		case c.Name() == "unzip" || c.Name() == "7z" || c.Name() == "bsdtar":
			for _, op := range c.Operands() {
				if basename(op) == path.Base(name) {
					extracted = true
				}
			}
		}
	}
	return name, extracted
}

var ruleChownCopy = Rule{
	ID: "DIET103", Name: "recursive-chown-after-copy", Severity: SeverityWarning, Fixable: true,
	Summary: "RUN chown -R or chmod -R rewrites files an earlier COPY added: they are stored twice",
	Doc: "Changing the owner or mode of a file copies the whole file into the new layer, so " +
		"`chown -R` over a tree that COPY just added doubles its size in the image. " +
		"`COPY --chown=user:group` and `COPY --chmod=` set them in the one layer.",
	Bad:  "FROM node:22-slim\nCOPY . /app\nRUN chown -R node:node /app\n",
	Good: "FROM node:22-slim\nCOPY --chown=node:node . /app\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, ra := range l.runs() {
			fc := l.factsOf(ra.in)
			for i, c := range ra.in.Run.Commands {
				if (c.Name() != "chown" && c.Name() != "chmod") || !(c.HasFlag("R") || c.HasFlag("recursive")) {
					continue
				}
				ops := c.Operands()
				if len(ops) < 2 {
					continue
				}
				for _, target := range ops[1:] {
					p := fc.abs(target, fc.cwd[i])
					var src *Instruction
					var total, most int64
					largest := ""
					for _, x := range l.copiesOverlapping(ra.s, ra.in, p) {
						if x.Cmd != "copy" && x.Cmd != "add" {
							continue
						}
						sf := l.factsOf(x)
						if len(sf.writes) == 0 || !overlaps(p, sf.writes[0].path) {
							continue
						}
						// The chown rewrites every file it reaches: count them
						// all, and name the copy that weighs most.
						n, big := l.copySize(x)
						total += n
						if src == nil || n > most {
							src, most, largest = x, n, big
						}
					}
					if src == nil {
						continue
					}
					sf := l.factsOf(src)
					flag := "--chown=" + ops[0]
					if c.Name() == "chmod" {
						flag = "--chmod=" + ops[0]
					}
					what := strings.ToUpper(src.Cmd)
					size := " (as many bytes again as they hold; lint measures them only with the build context)"
					if largest != "" {
						what += " of " + largest
					}
					if total > 0 {
						size = stake(total, "their size in the build context")
					}
					_, has := src.Flag(c.Name())
					out = append(out, Finding{Line: c.Line, EndLine: c.EndLine, Bytes: total,
						Fixable: len(ra.in.Run.Commands) == 1 && ra.in.Run.Err == nil && p == sf.writes[0].path && !has,
						Message: fmt.Sprintf("`%s` rewrites the files that %s on line %d added, so the image stores them twice%s: use `%s %s` on line %d instead",
							c.String(), what, src.Line, size, strings.ToUpper(src.Cmd), flag, src.Line)})
				}
			}
		}
		return out
	},
}
