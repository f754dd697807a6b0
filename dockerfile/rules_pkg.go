package dockerfile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// eachRun calls fn for every RUN whose layer ships, and collects findings.
func (l *linter) eachRun(fn func(ra runAt, fc *facts) []Finding) []Finding {
	var out []Finding
	for _, ra := range l.runs() {
		out = append(out, fn(ra, l.factsOf(ra.in))...)
	}
	return out
}

// editable reports whether fix can edit a RUN's shell in place.
func editable(in *Instruction) bool {
	return in.Cmd == "run" && in.Run != nil && in.Run.Err == nil && !in.Run.Exec
}

// exact reports whether every word of c has a known position.
func exact(c *Command) bool {
	return !slices.ContainsFunc(c.Words, func(w Word) bool { return w.Offset < 0 })
}

// cleanedAfter reports whether a command after index i in the RUN matches
// clean.
func cleanedAfter(in *Instruction, i int, clean func(*Command) bool) bool {
	return slices.ContainsFunc(in.Run.Commands[i+1:], clean)
}

var ruleAptLists = Rule{
	ID: "DIET201", Name: "apt-lists-left", Aliases: []string{"DL3009"}, Severity: SeverityWarning, Fixable: true,
	Summary: "apt-get update leaves the package lists in the layer: delete the apt-get lists after installing something",
	Doc: "`apt-get update` downloads the package lists (20–40 MB on Debian and Ubuntu) into " +
		"/var/lib/apt/lists; unless the same RUN deletes them they ship in the image. As hadolint " +
		"DL3009, including its reading of cache mounts (a cache on /var/lib/apt/lists, or on both " +
		"/var/lib/apt and /var/cache/apt). diet is stricter about the cleanup: hadolint accepts any " +
		"`rm -rf`, diet wants the lists removed (`rm -rf /var/lib/apt/lists/*` or a parent). It also " +
		"reads `apt update` and `aptitude update`, wants the removal after the update (a removal " +
		"before it removes nothing of the new lists), and warns rather than informs: the lists are the largest cache apt leaves.",
	Bad:  "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
	Good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
	check: func(l *linter) []Finding {
		return l.eachRun(func(ra runAt, fc *facts) []Finding {
			if hadolintMount(fc, "/var/lib/apt/lists") || (hadolintMount(fc, "/var/lib/apt") && hadolintMount(fc, "/var/cache/apt")) {
				return nil
			}
			for i, c := range ra.in.Run.Commands {
				if family(c.Name()) == "apt" && c.HasArg("update") {
					if slices.ContainsFunc(fc.deletes, func(d deletion) bool { return d.at > i && covers(d.path, "/var/lib/apt/lists") }) {
						return nil
					}
					return []Finding{{Line: c.Line, EndLine: c.EndLine, Fixable: editable(ra.in), Bytes: aptListsBytes,
						Message: "`" + c.String() + "` leaves the package lists in /var/lib/apt/lists in this layer" + stake(aptListsBytes, "typical apt lists of Debian and Ubuntu") + ": add `&& rm -rf /var/lib/apt/lists/*` to the same RUN"}}
				}
			}
			return nil
		})
	},
}

// hadolintMount is hadolint's test for a cache mount: a cache (or tmpfs)
// mount whose target is dir or inside it.
func hadolintMount(fc *facts, dir string) bool {
	return slices.ContainsFunc(fc.in.Run.Mounts, func(m Mount) bool {
		return (m.Type == "cache" || m.Type == "tmpfs") && m.Target != "" && under(fc.abs(m.Target, "/"), dir)
	})
}

var recommendsOffRe = regexp.MustCompile(`(?i)Install-Recommends["\s=]*(false|0|no)\b`)

var ruleAptRecommends = Rule{
	ID: "DIET202", Name: "apt-recommends", Aliases: []string{"DL3015"}, Severity: SeverityInfo, Fixable: true,
	Summary: "apt-get install without --no-install-recommends also installs recommended packages",
	Doc: "apt installs the packages a package recommends, which are not needed to run it and often " +
		"weigh more than it does. As hadolint DL3015 (the flag, or `-o APT::Install-Recommends=false`); " +
		"diet also reads `apt install` and `aptitude install` (whose flag is --without-recommends " +
		"or -R), accepts `=0`, and accepts an apt.conf.d file that an earlier " +
		"RUN of the stage writes to turn recommends off. It checks the stages that ship.",
	Bad:  "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
	Good: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
	check: func(l *linter) []Finding {
		return l.eachRun(func(ra runAt, fc *facts) []Finding {
			if l.stateOf(ra.in).recommendsOff {
				return nil
			}
			var out []Finding
			for _, c := range ra.in.Run.Commands {
				aptitude := c.Name() == "aptitude"
				if family(c.Name()) != "apt" || !c.HasArg("install") || c.HasFlag("no-install-recommends") ||
					(aptitude && (c.HasFlag("R") || c.HasFlag("without-recommends"))) ||
					slices.ContainsFunc(c.Args, func(a string) bool { return recommendsOffRe.MatchString(a) }) {
					continue
				}
				flag := "--no-install-recommends"
				if aptitude {
					flag = "--without-recommends" // aptitude does not take apt-get's flag
				}
				out = append(out, Finding{Line: c.Line, EndLine: c.EndLine, Fixable: editable(ra.in) && exact(c) && !aptitude,
					Message: "`" + c.String() + "` also installs the recommended packages: add " + flag})
			}
			return out
		})
	},
}

var ruleApkCache = Rule{
	ID: "DIET203", Name: "apk-cache", Aliases: []string{"DL3019"}, Severity: SeverityInfo, Fixable: true,
	Summary: "apk update, or apk add without --no-cache, leaves the package index in /var/cache/apk",
	Doc: "`apk update` and `apk add` without --no-cache store the APKINDEX files (2–3 MB) in " +
		"/var/cache/apk. `apk add --no-cache` fetches the index to a temporary place and needs no " +
		"`apk update`. As hadolint DL3019 for `apk add`, with two differences: diet also reports " +
		"`apk update` and `apk upgrade` (they fill the same cache; hadolint does not look), and it " +
		"accepts `rm -rf /var/cache/apk/*` in the same RUN, which hadolint still reports. A cache " +
		"mount on /var/cache/apk counts as clean, as in hadolint. diet checks the stages that ship.",
	Bad:  "FROM alpine:3.20\nRUN apk update && apk add curl\n",
	Good: "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
	check: func(l *linter) []Finding {
		return l.eachRun(func(ra runAt, fc *facts) []Finding {
			var bad []*Command
			last := 0
			for i, c := range ra.in.Run.Commands {
				if c.Name() == "apk" && c.HasArg("add", "update", "upgrade") && !c.HasFlag("no-cache") {
					bad = append(bad, c)
					last = i
				}
			}
			if len(bad) == 0 || fc.deletedAfter("/var/cache/apk", last) {
				return nil
			}
			var names []string
			fix := editable(ra.in)
			advice := "use `apk add --no-cache`"
			for _, c := range bad {
				names = append(names, "`"+c.String()+"`")
				fix = fix && exact(c)
				if c.HasArg("update") {
					advice = "use `apk add --no-cache` and drop `apk update`"
				}
			}
			verb := "leave"
			if len(names) == 1 {
				verb = "leaves"
			}
			return []Finding{{Line: bad[0].Line, EndLine: bad[len(bad)-1].EndLine, Fixable: fix, Bytes: apkIndexBytes,
				Message: fmt.Sprintf("%s %s the package index in /var/cache/apk in this layer%s: %s", joinList(names), verb, stake(apkIndexBytes, "typical Alpine APKINDEX files"), advice)}}
		})
	},
}

var truthyRe = regexp.MustCompile(`PIP_NO_CACHE_DIR=["']?(1|true|True|TRUE|on|On|ON|yes|Yes|YES)\b`)

func truthy(v string) bool {
	return slices.Contains([]string{"1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES"}, v)
}

var rulePipCache = Rule{
	ID: "DIET204", Name: "pip-cache", Aliases: []string{"DL3042"}, Severity: SeverityWarning, Fixable: true,
	Summary: "pip install without --no-cache-dir keeps the download cache in the layer",
	Doc: "pip keeps every wheel it downloads or builds in ~/.cache/pip, often tens of MB that the " +
		"image never uses again. As hadolint DL3042: `pip install --no-cache-dir`, or " +
		"PIP_NO_CACHE_DIR set truthy by ENV (inherited through FROM a stage) or in the RUN; pipx and " +
		"pipenv are left alone. diet also accepts a cache mount on ~/.cache/pip, `pip cache purge` and " +
		"`rm -rf ~/.cache/pip` in the same RUN, and checks the stages that ship.",
	Bad:  "FROM python:3.12-slim\nRUN pip install flask\n",
	Good: "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
	check: func(l *linter) []Finding {
		return l.eachRun(func(ra runAt, fc *facts) []Finding {
			if truthy(fc.env["PIP_NO_CACHE_DIR"]) || truthyRe.MatchString(ra.in.Run.Script) {
				return nil
			}
			var out []Finding
			for i, c := range ra.in.Run.Commands {
				if !isPipInstall(c) || c.HasArg("--no-cache-dir") || fc.deletedAfter(fc.env["HOME"]+"/.cache/pip", i) {
					continue
				}
				out = append(out, Finding{Line: c.Line, EndLine: c.EndLine, Fixable: editable(ra.in) && exact(c), Bytes: pipCacheBytes,
					Message: "`" + c.String() + "` keeps its download and wheel cache in " + fc.env["HOME"] + "/.cache/pip in this layer" + stake(pipCacheBytes, "a typical pip cache") + ": add --no-cache-dir"})
			}
			return out
		})
	},
}

// pkgClean is a rule for a package manager that needs a clean command after
// install: yum, dnf, zypper.
func pkgClean(names []string, dirs []string, clean func(c *Command, name string) bool, cleanText string, bytes int64, basis string) func(*linter) []Finding {
	return func(l *linter) []Finding {
		return l.eachRun(func(ra runAt, fc *facts) []Finding {
			var out []Finding
			for _, name := range names {
				last := -1
				for i, c := range ra.in.Run.Commands {
					if c.Name() == name && (name == "zypper" && c.HasArg("install", "in") || name != "zypper" && yumDownloads(c)) {
						last = i
					}
				}
				if last < 0 {
					continue
				}
				if cleanedAfter(ra.in, last, func(c *Command) bool { return clean(c, name) }) ||
					slices.ContainsFunc(dirs, func(d string) bool { return fc.mounted(d) }) ||
					slices.ContainsFunc(fc.deletes, func(d deletion) bool {
						// rm or find after the install; another manager's clean does not count
						return (d.cmd.Name() == "rm" || d.cmd.Name() == "find") && slices.Contains(ra.in.Run.Commands[last+1:], d.cmd) &&
							slices.ContainsFunc(dirs, func(dir string) bool { return covers(d.path, dir) })
					}) {
					continue
				}
				c := ra.in.Run.Commands[last]
				dir := dirs[0]
				if family(name) == "yum" {
					dir = yumCacheDir(name)
				}
				out = append(out, Finding{Line: c.Line, EndLine: c.EndLine, Fixable: editable(ra.in), Bytes: bytes,
					Message: fmt.Sprintf("`%s` leaves its package cache and metadata in %s in this layer%s: add `&& %s` after it in the same RUN",
						c.String(), dir, stake(bytes, basis), strings.ReplaceAll(cleanText, "NAME", name))})
			}
			return out
		})
	}
}

var ruleYumClean = Rule{
	ID: "DIET205", Name: "yum-clean", Aliases: []string{"DL3032"}, Severity: SeverityWarning, Fixable: true,
	Summary: "yum install without yum clean all leaves the cache in /var/cache/yum",
	Doc: "yum keeps repository metadata (often 50–150 MB) in /var/cache/yum. As hadolint DL3032: " +
		"`yum clean all` or `rm -rf /var/cache/yum/*`; diet also accepts a cache mount on " +
		"/var/cache/yum, as newer hadolint does. diet is stricter in one way: the clean must come " +
		"after the last install (a clean before it cleans nothing), and `yum clean` needs `all`. " +
		"`yum update` and `yum upgrade` download packages as install does, and count as installs.",
	Bad:  "FROM centos:7\nRUN yum install -y httpd\n",
	Good: "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
	check: pkgClean([]string{"yum"}, []string{"/var/cache/yum"},
		func(c *Command, name string) bool { return c.Name() == name && c.HasArg("clean") && c.HasArg("all") },
		"NAME clean all", yumCacheBytes, "typical yum repository metadata"),
}

var ruleDnfClean = Rule{
	ID: "DIET206", Name: "dnf-clean", Aliases: []string{"DL3040"}, Severity: SeverityWarning, Fixable: true,
	Summary: "dnf or microdnf install without clean all leaves the cache in the layer",
	Doc: "dnf and microdnf keep repository metadata and packages in /var/cache/dnf or /var/cache/yum. " +
		"As hadolint DL3040: `dnf clean all` (`microdnf clean all` for microdnf) or " +
		"`rm -rf /var/cache/yum/*` after the install; diet also accepts removing /var/cache/dnf or " +
		"dnf5's /var/cache/libdnf5 and a cache mount on any of them, reads `dnf5`, and counts " +
		"`upgrade` and `update` as installs: they download packages too.",
	Bad:  "FROM fedora:40\nRUN dnf install -y httpd\n",
	Good: "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n",
	check: pkgClean([]string{"dnf", "dnf5", "microdnf"}, []string{"/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"},
		func(c *Command, name string) bool { return c.Name() == name && c.HasArg("clean") && c.HasArg("all") },
		"NAME clean all", yumCacheBytes, "typical dnf repository metadata"),
}

var ruleZypperClean = Rule{
	ID: "DIET207", Name: "zypper-clean", Aliases: []string{"DL3036"}, Severity: SeverityWarning, Fixable: true,
	Summary: "zypper install without zypper clean leaves the cache in /var/cache/zypp",
	Doc: "As hadolint DL3036: `zypper clean` (or `zypper cc`) after `zypper install` (or `in`). " +
		"diet also accepts removing /var/cache/zypp and a cache mount on it.",
	Bad:  "FROM opensuse/leap:15.6\nRUN zypper install -y curl\n",
	Good: "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean\n",
	check: pkgClean([]string{"zypper"}, []string{"/var/cache/zypp"},
		func(c *Command, name string) bool { return c.Name() == name && c.HasArg("clean", "cc") },
		"NAME clean", zyppCacheBytes, "typical zypper repository metadata"),
}
