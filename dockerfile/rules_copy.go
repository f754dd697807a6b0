package dockerfile

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// shippedInstructions returns the instructions of shipped stages.
func (l *linter) shippedInstructions(cmd string) []runAt {
	var out []runAt
	for _, s := range l.shipped() {
		for _, in := range s.Instructions {
			if in.Cmd == cmd {
				out = append(out, runAt{s, in})
			}
		}
	}
	return out
}

func isURL(src string) bool {
	src = dropQuotes(src)
	return strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://")
}

// sources returns the sources of a COPY or ADD: every argument but the
// destination, heredoc names included.
func sources(in *Instruction) []string {
	if len(in.Args) < 2 {
		return nil
	}
	return in.Args[:len(in.Args)-1]
}

var ruleAddURL = Rule{
	ID: "DIET104", Name: "add-url", Severity: SeverityWarning,
	Summary: "ADD downloads a file into a layer of its own, where no later RUN can remove it",
	Doc: "ADD does not extract a remote archive, so `ADD https://…/tool.tar.gz` stores the compressed " +
		"file in its own layer, and the RUN that extracts or deletes it later only adds bytes. " +
		"Download, extract and delete in one RUN (`curl -fsSL URL | tar -xz -C /opt`), or download it " +
		"in a build stage and COPY --from only what you need. diet reports ADD of a URL to an archive, " +
		"and ADD of any URL whose file a later RUN of the stage touches.",
	Bad:  "FROM debian:bookworm-slim\nADD https://example.com/tool.tar.gz /tmp/\nRUN tar -xzf /tmp/tool.tar.gz -C /opt && rm /tmp/tool.tar.gz\n",
	Good: "FROM debian:bookworm-slim\nRUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /opt\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, ra := range l.shippedInstructions("add") {
			for _, src := range sources(ra.in) {
				if !isURL(src) {
					continue
				}
				name := basename(strings.SplitN(unquote(src), "?", 2)[0])
				why := ""
				if isArchive(name, true) {
					why = fmt.Sprintf("ADD does not extract remote archives: %s stays compressed in the layer of line %d", name, ra.in.Line)
				}
				for _, later := range ra.s.Instructions {
					if name == "" || later.Line <= ra.in.Line || later.Run == nil {
						continue
					}
					if strings.Contains(later.Run.Script, name) {
						why = fmt.Sprintf("%s stays in the layer of line %d; the RUN on line %d that uses it cannot remove it", name, ra.in.Line, later.Line)
						break
					}
				}
				if why != "" {
					out = append(out, Finding{Line: ra.in.Line, EndLine: ra.in.EndLine,
						Message: why + ": download, use and delete it in one RUN"})
				}
			}
		}
		return out
	},
}

var ruleCopyContext = Rule{
	ID: "DIET105", Name: "copy-context-without-dockerignore", Severity: SeverityWarning,
	Summary: "COPY . copies the whole build context and there is no .dockerignore",
	Doc: "Without a .dockerignore, `COPY . .` puts everything beside the Dockerfile into the image: " +
		".git, node_modules, build outputs, local secrets. diet looks for `.dockerignore` in the " +
		"context directory and for `<Dockerfile>.dockerignore` beside the Dockerfile, as BuildKit " +
		"does; it stays quiet when it does not know the context (the CLI passes it).",
	Bad:  "FROM python:3.12-slim\nCOPY . /app\n",
	Good: "FROM python:3.12-slim\n# with a .dockerignore listing .git, __pycache__, .venv\nCOPY . /app\n",
	check: func(l *linter) []Finding {
		if l.o.contextDir == "" || hasDockerignore(l.o.contextDir, l.f.Name) {
			return nil
		}
		var out []Finding
		for _, cmd := range []string{"copy", "add"} {
			for _, ra := range l.shippedInstructions(cmd) {
				if _, ok := ra.in.Flag("from"); ok {
					continue
				}
				for _, src := range sources(ra.in) {
					switch strings.TrimSuffix(unquote(src), "/") {
					case ".", "", "*", "./*":
						out = append(out, Finding{Line: ra.in.Line, EndLine: ra.in.EndLine, Message: fmt.Sprintf(
							"%s %s copies the whole build context into the image, and %s has no .dockerignore: .git and build outputs ship too; add a .dockerignore",
							strings.ToUpper(cmd), src, l.o.contextDir)})
					}
				}
			}
		}
		return out
	},
}

func hasDockerignore(dir, dockerfile string) bool {
	for _, p := range []string{filepath.Join(dir, ".dockerignore"), dockerfile + ".dockerignore"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

var ruleCopyRoot = Rule{
	ID: "DIET106", Name: "copy-root-from-stage", Aliases: []string{"DL3067"}, Severity: SeverityWarning,
	Summary: "COPY --from copies a whole filesystem: do not copy an entire filesystem from another stage",
	Doc: "`COPY --from=build / /` brings every file of the build stage, toolchain and caches included, " +
		"into the image the multi-stage build was meant to keep small. Copy the artifacts you need. " +
		"Same as hadolint DL3067, which checks every stage; diet checks the stages that ship.",
	Bad:  "FROM golang:1.23 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build / /\n",
	Good: "FROM golang:1.23 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, ra := range l.shippedInstructions("copy") {
			from, ok := ra.in.Flag("from")
			if !ok || len(ra.in.Args) < 2 || dropQuotes(ra.in.Args[len(ra.in.Args)-1]) != "/" {
				continue
			}
			if slices.ContainsFunc(sources(ra.in), func(s string) bool { return dropQuotes(s) == "/" }) {
				out = append(out, Finding{Line: ra.in.Line, EndLine: ra.in.EndLine, Message: fmt.Sprintf(
					"COPY --from=%s / / copies the whole filesystem of %s, toolchain and caches included: copy only the files the image needs", from, from)})
			}
		}
		return out
	},
}

var ruleUseradd = Rule{
	ID: "DIET107", Name: "useradd-large-uid", Aliases: []string{"DL3046"}, Severity: SeverityWarning, Fixable: true,
	Summary: "useradd with a high UID and without -l fills /var/log/lastlog and faillog",
	Doc: "useradd writes the new user's record at offset UID×292 in /var/log/lastlog (and UID×16 in " +
		"faillog). The file is sparse on disk, but a layer stores it in full: a UID of 123456 costs " +
		"about 36 MB. `useradd -l` (`--no-log-init`) skips those files. As hadolint DL3046: a UID of " +
		"more than five digits without -l; diet also reads `--uid`, which hadolint misses, and checks the " +
		"stages that ship.",
	Bad:  "FROM debian:bookworm-slim\nRUN useradd -u 123456 app\n",
	Good: "FROM debian:bookworm-slim\nRUN useradd -l -u 123456 app\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, ra := range l.runs() {
			for _, c := range ra.in.Run.Commands {
				if c.Name() != "useradd" || c.HasFlag("l") || c.HasFlag("no-log-init") {
					continue
				}
				uid, ok := c.FlagValue("u", "uid")
				if !ok || len(uid) <= 5 {
					continue
				}
				fd := Finding{Line: c.Line, EndLine: c.EndLine, Fixable: ra.in.Run.Err == nil && !ra.in.Run.Exec,
					Message: fmt.Sprintf("`%s` without -l writes /var/log/lastlog up to UID %s", c.String(), uid)}
				if n, err := strconv.ParseInt(uid, 10, 64); err == nil && n > 0 {
					fd.Bytes = n * (292 + 16)
					fd.Message += fmt.Sprintf(" (%s with faillog, stored in full in the layer)", approx(fd.Bytes))
				}
				fd.Message += ": add -l"
				out = append(out, fd)
			}
		}
		return out
	},
}

// addOnlyFlags are ADD flags COPY does not take.
var addOnlyFlags = []string{"checksum", "keep-git-dir", "unpack"}

var ruleAddFile = Rule{
	ID: "DIET108", Name: "add-instead-of-copy", Aliases: []string{"DL3020"}, Severity: SeverityError, Fixable: true,
	Summary: "ADD of local files and folders: use COPY",
	Doc: "ADD does more than copy: it extracts local archives and downloads URLs. For plain files COPY " +
		"says what it does and never surprises. As hadolint DL3020: every ADD whose sources are not all " +
		"archives or URLs, in every stage.",
	Bad:  "FROM alpine:3.20\nADD app.py /app/\n",
	Good: "FROM alpine:3.20\nCOPY app.py /app/\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, in := range l.f.Instructions {
			if in.Cmd != "add" || len(in.Args) < 2 {
				continue
			}
			if !slices.ContainsFunc(sources(in), func(s string) bool { return !isArchive(s, false) && !isURL(s) }) {
				continue
			}
			fixable := !slices.ContainsFunc(in.Flags, func(f Flag) bool { return slices.Contains(addOnlyFlags, f.Name) })
			out = append(out, Finding{Line: in.Line, EndLine: in.EndLine, Fixable: fixable,
				Message: "ADD of local files: use COPY, which only copies"})
		}
		return out
	},
}

var ruleCopyArchive = Rule{
	ID: "DIET109", Name: "copy-archive-then-extract", Aliases: []string{"DL3010"}, Severity: SeverityInfo,
	Summary: "a COPY'd archive is extracted by a later RUN: the archive stays in the COPY layer",
	Doc: "COPY stores the archive in one layer and the RUN that extracts it adds the contents in " +
		"another, so the image holds both. `ADD archive.tar.gz /dest/` extracts in one layer. As " +
		"hadolint DL3010 (tar -x, unzip, gunzip and friends on the archive's name), and diet also " +
		"reads the old `tar xzf` style; hadolint forgets findings of every stage but the last, diet " +
		"reports them in each stage that ships.",
	Bad:  "FROM debian:bookworm-slim\nCOPY app.tar.gz /opt/\nRUN tar -xzf /opt/app.tar.gz -C /opt\n",
	Good: "FROM debian:bookworm-slim\nADD app.tar.gz /opt/\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, ra := range l.shippedInstructions("copy") {
			if _, ok := ra.in.Flag("from"); ok || len(ra.in.Args) < 2 {
				continue
			}
			var archives []string
			if dest := ra.in.Args[len(ra.in.Args)-1]; isArchive(dest, false) {
				archives = append(archives, basename(dest))
			} else {
				for _, src := range sources(ra.in) {
					if isArchive(src, false) {
						archives = append(archives, basename(src))
					}
				}
			}
			if extractedLater(ra.s, ra.in, archives) {
				out = append(out, Finding{Line: ra.in.Line, EndLine: ra.in.EndLine, Message: fmt.Sprintf(
					"%s is copied, then extracted by a later RUN: the archive stays in this layer; ADD extracts a local archive in one layer", joinList(archives))})
			}
		}
		return out
	},
}

func extractedLater(s *Stage, copy *Instruction, archives []string) bool {
	for _, in := range s.Instructions {
		if in.Line <= copy.Line || in.Run == nil {
			continue
		}
		for _, c := range in.Run.Commands {
			extracts := (c.Name() == "tar" && tarExtract(c)) || slices.Contains([]string{"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"}, c.Name())
			if !extracts {
				continue
			}
			for _, a := range c.args() {
				if slices.Contains(archives, basename(a)) {
					return true
				}
			}
		}
	}
	return false
}

var ruleConsecutiveRun = Rule{
	ID: "DIET110", Name: "consecutive-run", Aliases: []string{"DL3059"}, Severity: SeverityInfo,
	Summary: "consecutive RUNs of one command each: consider one RUN",
	Doc: "Each RUN adds a layer, and files one RUN creates and the next deletes stay in the first. " +
		"As hadolint DL3059: two RUNs in a row with the same flags, each a single command, in any " +
		"stage (chained RUNs are taken as deliberate). diet also counts the commands inside " +
		"`sh -c '…'`, where hadolint sees one command.",
	Bad:  "FROM alpine:3.20\nRUN mkdir -p /app/data\nRUN adduser -D app\n",
	Good: "FROM alpine:3.20\nRUN mkdir -p /app/data \\\n    && adduser -D app\n",
	check: func(l *linter) []Finding {
		var out []Finding
		var prev *Instruction
		for _, in := range l.f.Instructions {
			if in.Cmd != "run" || in.Run == nil {
				prev = nil
				continue
			}
			if prev != nil && len(prev.Run.Commands) <= 1 && len(in.Run.Commands) <= 1 && sameFlags(prev, in) {
				out = append(out, Finding{Line: in.Line, EndLine: in.EndLine, Message: fmt.Sprintf(
					"the RUN on line %d follows the single-command RUN on line %d: one RUN makes one layer", in.Line, prev.Line)})
			}
			prev = in
		}
		return out
	},
}

func sameFlags(a, b *Instruction) bool {
	key := func(in *Instruction) []string {
		var k []string
		for _, f := range in.Flags {
			k = append(k, f.Name+"="+f.Value)
		}
		slices.Sort(k)
		return k
	}
	return slices.Equal(key(a), key(b))
}
