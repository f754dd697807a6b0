package analyze

import "strings"

// Category is a kind of size mistake that diet recognises by where its files
// live. Names are public API: lower-kebab, added and never renamed.
type Category struct {
	Name        string
	Description string
	// Pruned says that diet slim --level prune leaves the category out
	// (see [Prunes]); analyze's slim-prune recommendation counts it.
	Pruned bool
}

// Categories lists every category a path can be classified in, in the order
// the docs show them. Unstripped binaries are found by content, not by path,
// and are not listed here.
var Categories = []Category{
	{"apk-cache", "Alpine package indexes and packages in /var/cache/apk (apk add without --no-cache)", true},
	{"apt-lists", "apt package lists in /var/lib/apt/lists, left by apt-get update", true},
	{"apt-archives", "downloaded .deb files and package caches in /var/cache/apt (no apt-get clean)", true},
	{"pip-cache", "pip's download and wheel cache in ~/.cache/pip (pip install without --no-cache-dir)", true},
	{"npm-cache", "npm and yarn caches: ~/.npm, ~/.cache/yarn, /usr/local/share/.cache/yarn, ~/.yarn/berry/cache", true},
	{"go-build-cache", "Go's build cache (~/.cache/go-build) and GOPATH-mode archives in GOPATH/pkg/GOOS_GOARCH", true},
	{"go-module-cache", "downloaded Go modules in GOPATH/pkg/mod", true},
	{"cargo-registry", "Cargo's crate registry and git checkouts in CARGO_HOME", true},
	{"maven-repository", "Maven's local repository, ~/.m2/repository", true},
	{"gradle-cache", "Gradle's caches and wrapper distributions in ~/.gradle", true},
	{"toolchain-go", "a Go toolchain (GOROOT): /usr/local/go, /usr/lib/go, /usr/lib/go-1.x, /usr/share/go-1.x, /usr/lib/golang", true},
	{"toolchain-gcc", "GCC and binutils: compilers, assemblers, linkers, their libraries and cross sysroots", true},
	{"toolchain-rust", "a Rust toolchain: rustup, the cargo and rustc proxies, rustlib, librustc_driver", true},
	{"toolchain-jdk", "the parts of a JDK a JRE does without: jmods, src.zip, ct.sym, headers, javac and the other tools", true},
	{"source-tree", "source code: GOPATH/src, /usr/src (but /usr/src/app), /usr/local/src, /usr/share/gocode/src", true},
	{"headers", "C and C++ headers in /usr/include and /usr/local/include", true},
	{"static-libs", "static libraries (*.a), needed only to link", true},
	{"docs", "documentation in /usr/share/doc (copyright files excepted), info pages and gtk-doc", true},
	{"man-pages", "manual pages in /usr/share/man and /usr/local/share/man", true},
	{"locales", "translations and compiled locales, C.UTF-8 excepted", true},
	{"temp", "files left in /tmp and /var/tmp", true},
	{"logs", "files left in /var/log", true},
}

// Classify returns the culprit category of path p (absolute and clean) and
// the root under which the analysis groups it; ok is false when p is no
// culprit. A rule matches only what lies strictly beneath its root. Where
// rules overlap the most specific wins: where p lies first
// (/usr/local/go/src is toolchain-go), then GOPATH anywhere, then *.a.
//
// It runs once per path of the image, so it switches on path prefixes and
// returns substrings of p: no regexps, no allocations.
func Classify(p string) (category, root string, ok bool) {
	if len(p) < 2 || p[0] != '/' {
		return "", "", false
	}
	category, root = located(p)
	if category == "" {
		category, root = gopath(p)
	}
	if category == "" && strings.HasSuffix(p, ".a") {
		if s := strings.LastIndexByte(p, '/'); len(p)-s > 3 {
			category, root = "static-libs", p[:max(s, 1)]
		}
	}
	return category, root, category != ""
}

// located classifies p by the directories it lies in: [dirs], then [special].
func located(p string) (string, string) {
	h := 0 // the end of the home p lies in
	switch a, _ := elem(p, 1); {
	case a == "root" || a == "home":
		h = homeEnd(p)
	case a == "usr" || a == "var" || a == "tmp" || a == "opt":
	case len(a) > 1 && a[0] == '.': // HOME=/ puts dot-dirs at the top
	default:
		return "", ""
	}
	// The directories above p, shallowest first, absolute and relative to
	// the home; no rule's directory lies beneath another's. One scan finds
	// them all: a call per element would cost more than the bytes.
	var ends [5]int // p[:ends[i]] is the directory i+1 elements deep
	for e, n := 1, 0; n < len(ends); e++ {
		if e == len(p) {
			for ; n < len(ends); n++ {
				ends[n] = len(p)
			}
			break
		}
		if p[e] != '/' {
			continue
		}
		ends[n], n = e, n+1
		c := dirs(p[:e])
		if c == "" && h > 0 && e > h && p[h+1] == '.' { // ~/tmp is not /tmp
			c = dirs(p[h:e])
		}
		if c != "" {
			if excepted(p, p[:e]) {
				return "", ""
			}
			return c, p[:e]
		}
	}
	return special(p, h, ends)
}

// dirs maps a directory to the category of everything beneath it. Keys
// starting /. are relative to a home: /root, /home/USER, or / itself.
func dirs(d string) string {
	switch d {
	case "/var/cache/apk":
		return "apk-cache"
	case "/var/lib/apt/lists":
		return "apt-lists"
	case "/var/cache/apt":
		return "apt-archives"
	case "/.cache/pip":
		return "pip-cache"
	// ~/.npm, not ~/.npm-global (the user's install prefix); yarn v1 keeps
	// its global cache in /usr/local/share/.cache/yarn when run as root.
	case "/.npm", "/.cache/yarn", "/usr/local/share/.cache/yarn", "/.yarn/berry/cache":
		return "npm-cache"
	case "/.cache/go-build":
		return "go-build-cache"
	case "/.cargo/registry", "/.cargo/git", "/usr/local/cargo/registry", "/usr/local/cargo/git":
		return "cargo-registry"
	case "/.m2/repository":
		return "maven-repository"
	case "/.gradle/caches", "/.gradle/wrapper":
		return "gradle-cache"
	case "/usr/local/go", "/usr/lib/go", "/usr/lib/golang": // Alpine, Fedora
		return "toolchain-go"
	case "/usr/lib/gcc", "/usr/libexec/gcc", "/usr/lib/gcc-cross", "/usr/libexec/gcc-cross",
		"/usr/local/lib/gcc", "/usr/local/libexec/gcc": // the gcc image builds into /usr/local
		return "toolchain-gcc"
	case "/.rustup", "/usr/local/rustup", "/usr/lib/rustlib", "/usr/local/lib/rustlib":
		return "toolchain-rust"
	case "/usr/src", "/usr/local/src", "/usr/share/gocode/src": // Debian's golang-*-dev
		return "source-tree"
	case "/usr/include", "/usr/local/include":
		return "headers"
	case "/usr/share/doc", "/usr/local/share/doc", "/usr/share/info", "/usr/local/share/info", "/usr/share/gtk-doc":
		return "docs"
	case "/usr/share/man", "/usr/local/share/man", "/usr/local/man":
		return "man-pages"
	case "/usr/share/locale", "/usr/share/locale-langpack", "/usr/share/i18n", "/usr/lib/locale":
		return "locales"
	case "/tmp", "/var/tmp":
		return "temp"
	case "/var/log":
		return "logs"
	}
	return ""
}

// excepted reports the files beneath a rule's directory that are no
// culprit: apt's locks, what glibc and the licenses need, and the
// application directory the node, python and ruby images document.
func excepted(p, dir string) bool {
	rest := p[len(dir)+1:]
	switch dir {
	case "/var/lib/apt/lists":
		return rest == "lock"
	case "/var/cache/apt":
		return rest != "pkgcache.bin" && rest != "srcpkgcache.bin" &&
			!(strings.HasPrefix(rest, "archives/") && strings.HasSuffix(rest, ".deb"))
	case "/usr/share/doc": // debian-slim keeps copyright files too
		return strings.HasSuffix(rest, "/copyright") && strings.Count(rest, "/") == 1
	case "/usr/share/locale":
		return rest == "locale.alias"
	case "/usr/lib/locale":
		return strings.HasPrefix(rest, "C.utf8/") || strings.HasPrefix(rest, "C.UTF-8/")
	case "/usr/src":
		return rest == "app" || strings.HasPrefix(rest, "app/")
	}
	return false
}

// homeEnd returns the length of the home directory holding p: /root or
// /home/USER; 0 otherwise, where a key starting /. matches p itself (HOME=/).
func homeEnd(p string) int {
	if strings.HasPrefix(p, "/root/") {
		return len("/root")
	}
	if strings.HasPrefix(p, "/home/") {
		if j := strings.IndexByte(p[len("/home/"):], '/'); j > 0 {
			return len("/home/") + j
		}
	}
	return 0
}

// special classifies the culprits no fixed directory holds: versioned and
// unusual install directories, and files known by name in shared ones.
func special(p string, h int, ends [5]int) (string, string) {
	s := strings.LastIndexByte(p, '/')
	dir, base := p[:max(s, 0)], p[s+1:]
	i, j, k := ends[0], ends[1], ends[2]
	a, b, c := p[1:i], p[min(i+1, j):j], p[min(j+1, k):k]
	switch {
	case a == "usr" && (b == "lib" || b == "share") && versioned(c, "go-") && k < len(p): // Debian's golang-1.x
		return "toolchain-go", p[:k]
	case a == "usr" && b == "lib" && versioned(c, "rust-") && k < len(p): // Debian trixie's rustc-1.x
		return "toolchain-rust", p[:k]
	case a == "usr" && j < len(p) && strings.Contains(b, "-linux-"): // /usr/x86_64-alpine-linux-musl/bin/ld
		return "toolchain-gcc", p[:j]
	case dir == "/usr/bin" || dir == "/usr/local/bin":
		if tool(base) {
			return "toolchain-gcc", dir
		}
	case a == "usr" && (b == "lib" || b == "lib64") && len(dir) <= k:
		// /usr/lib/libbfd-2.41.so, multiarch /usr/lib/x86_64-linux-gnu/libbfd-2.40-system.so
		if c := toolLib(base); c != "" {
			return c, dir
		}
	case dir == "/usr/local/cargo/bin" || h > 0 && p[h:len(dir)] == "/.cargo/bin":
		// Only rustup's proxies: cargo install puts applications here too.
		switch base {
		case "cargo", "cargo-clippy", "cargo-fmt", "cargo-miri", "clippy-driver", "rls", "rust-analyzer",
			"rust-gdb", "rust-gdbgui", "rust-lldb", "rustc", "rustdoc", "rustfmt", "rustup":
			return "toolchain-rust", dir
		}
	case p[:k] == "/usr/lib/jvm":
		if _, m := elem(p, k+1); m < len(p) {
			return jdk(p, m)
		}
	case p[:k] == "/opt/java/openjdk" || p[:j] == "/usr/local" && strings.HasPrefix(c, "openjdk-"):
		return jdk(p, k)
	case h > 0 && p[h:min(h+len("/sdk/go1"), len(p))] == "/sdk/go1": // golang.org/dl
		if _, m := elem(p, h+len("/sdk/")); m < len(p) {
			return "toolchain-go", p[:m]
		}
	}
	return "", ""
}

// elem returns the path element of p starting at i and the index just past it.
func elem(p string, i int) (string, int) {
	if i >= len(p) {
		return "", len(p)
	}
	if j := strings.IndexByte(p[i:], '/'); j >= 0 {
		return p[i : i+j], i + j
	}
	return p[i:], len(p)
}

// jdk classifies p beneath a JAVA_HOME that ends at n. A JRE is what Java
// applications run on, so only the parts a JRE does without are culprits.
func jdk(p string, n int) (string, string) {
	c, k := elem(p, n+1)
	if k >= len(p) {
		if c == "src.zip" { // Debian's openjdk-N-source
			return "toolchain-jdk", p[:n]
		}
		return "", ""
	}
	switch rest := p[k+1:]; c {
	case "jmods", "include", "demo", "sample":
		return "toolchain-jdk", p[:n]
	case "lib":
		if rest == "src.zip" || rest == "ct.sym" {
			return "toolchain-jdk", p[:n]
		}
	case "bin":
		switch rest {
		case "jar", "jarsigner", "javac", "javadoc", "javap", "jcmd", "jconsole", "jdb", "jdeprscan", "jdeps",
			"jhsdb", "jimage", "jinfo", "jlink", "jmap", "jmod", "jpackage", "jps", "jshell", "jstack",
			"jstat", "jstatd", "serialver":
			return "toolchain-jdk", p[:n]
		}
	}
	return "", ""
}

// tool reports whether base names a gcc or binutils program: bare (gcc),
// versioned (gcc-12) or prefixed with a target triplet
// (x86_64-linux-gnu-gcc-12, x86_64-alpine-linux-musl-ld).
func tool(base string) bool {
	if t := strings.Index(base, "-linux-"); t >= 0 {
		rest := base[t+len("-linux-"):] // gnu-gcc-12, musl-ld
		d := strings.IndexByte(rest, '-')
		if d < 0 {
			return false
		}
		base = rest[d+1:]
	}
	if d := strings.LastIndexByte(base, '-'); d > 0 && versioned(base[d:], "-") {
		base = base[:d]
	}
	switch base {
	case "gcc", "cc", "c++", "g++", "cpp", "c89-gcc", "c99-gcc", "gfortran", "gcc-ar", "gcc-nm", "gcc-ranlib",
		"gcov", "gcov-dump", "gcov-tool", "lto-dump", "ld", "ld.bfd", "ld.gold", "gold", "dwp", "as", "ar",
		"ranlib", "nm", "objdump", "objcopy", "strip", "readelf", "size", "strings", "addr2line", "c++filt",
		"elfedit", "gprof", "gprofng", "gp-archive", "gp-collect-app", "gp-display-html", "gp-display-src",
		"gp-display-text":
		return true
	}
	return false
}

// toolLib returns the toolchain a shared library in a lib directory
// belongs to: binutils' own libraries, gcc's plugin and optimiser
// libraries and its sanitizer runtimes (needed only by instrumented
// builds), and rustc's driver.
func toolLib(base string) string {
	if !strings.HasPrefix(base, "lib") {
		return ""
	}
	stem := base[3:]
	if e := strings.IndexAny(stem, "-."); e >= 0 {
		stem = stem[:e]
	}
	switch stem {
	case "bfd", "opcodes", "ctf", "sframe", "gprofng", "cc1", "isl", "mpc",
		"asan", "tsan", "lsan", "ubsan", "hwasan":
		return "toolchain-gcc"
	case "rustc_driver":
		return "toolchain-rust"
	}
	return ""
}

// versioned reports whether name is prefix followed by a version: go-1.19, -12.
func versioned(name, prefix string) bool {
	return len(name) > len(prefix) && strings.HasPrefix(name, prefix) && '0' <= name[len(prefix)] && name[len(prefix)] <= '9'
}

// gopath classifies p beneath any directory named go: GOPATH is often
// /go or ~/go but can be anywhere. GOROOTs in known places were classified
// before; an unknown one is still told by pkg/tool and pkg/include.
func gopath(p string) (string, string) {
	for off := 0; ; {
		i := strings.Index(p[off:], "/go/")
		if i < 0 {
			return "", ""
		}
		g := off + i + len("/go") // p[:g] is the GOPATH
		switch c, k := elem(p, g+1); c {
		case "pkg":
			d, m := elem(p, k+1)
			switch {
			case m >= len(p):
			case d == "mod":
				return "go-module-cache", p[:m]
			case d == "tool" || d == "include":
				return "toolchain-go", p[:g]
			case strings.IndexByte(d, '_') > 0: // linux_amd64, linux_amd64_race
				return "go-build-cache", p[:k]
			}
		case "src":
			if k < len(p) {
				return "source-tree", p[:k]
			}
		}
		off = g
	}
}
