package analyze

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// classifyCases are real paths from Debian, Alpine, Fedora and the official
// language images. A want of "" is a path that must not be a culprit: the
// false positives that matter are runtimes and applications.
var classifyCases = []struct {
	path, category, root string
}{
	// Package managers.
	{"/var/cache/apk/APKINDEX.7c1f02d6.tar.gz", "apk-cache", "/var/cache/apk"},
	{"/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", "apt-lists", "/var/lib/apt/lists"},
	{"/var/lib/apt/lists/partial/deb.debian.org_debian_dists_bookworm_InRelease", "apt-lists", "/var/lib/apt/lists"},
	{"/var/lib/apt/lists/auxfiles/x", "apt-lists", "/var/lib/apt/lists"},
	{"/var/lib/apt/lists/lock", "", ""},
	{"/var/lib/apt/lists", "", ""},
	{"/var/lib/apt/extended_states", "", ""},
	{"/var/lib/dpkg/status", "", ""},
	{"/var/cache/apt/archives/curl_7.88.1-10+deb12u5_amd64.deb", "apt-archives", "/var/cache/apt"},
	{"/var/cache/apt/archives/partial/libc6_2.36-9_amd64.deb", "apt-archives", "/var/cache/apt"},
	{"/var/cache/apt/pkgcache.bin", "apt-archives", "/var/cache/apt"},
	{"/var/cache/apt/srcpkgcache.bin", "apt-archives", "/var/cache/apt"},
	{"/var/cache/apt/archives/lock", "", ""},
	{"/var/cache/debconf/templates.dat", "", ""},
	{"/root/.cache/pip/http-v2/a/b/c/d/e/abcdef.body", "pip-cache", "/root/.cache/pip"},
	{"/home/app/.cache/pip/wheels/ab/cd/x.whl", "pip-cache", "/home/app/.cache/pip"},
	{"/.cache/pip/selfcheck/x.json", "pip-cache", "/.cache/pip"},
	{"/root/.cache/pypoetry/virtualenvs/x/bin/python", "", ""},
	{"/root/.npm/_cacache/content-v2/sha512/ab/cd/ef", "npm-cache", "/root/.npm"},
	{"/home/node/.npm/_logs/2024-01-01T00_00_00_000Z-debug-0.log", "npm-cache", "/home/node/.npm"},
	{"/home/node/.npm-global/lib/node_modules/pm2/index.js", "", ""},
	{"/usr/local/share/.cache/yarn/v6/npm-lodash-4.17.21/node_modules/lodash/lodash.js", "npm-cache", "/usr/local/share/.cache/yarn"},
	{"/home/node/.cache/yarn/v6/.tmp/x", "npm-cache", "/home/node/.cache/yarn"},
	{"/root/.yarn/berry/cache/lodash-npm-4.17.21-6382451519-eb835a2e51.zip", "npm-cache", "/root/.yarn/berry/cache"},
	{"/root/.yarn/releases/yarn-4.1.0.cjs", "", ""},
	{"/app/node_modules/express/index.js", "", ""},

	// Go.
	{"/root/.cache/go-build/00/0012ab-d", "go-build-cache", "/root/.cache/go-build"},
	{"/home/gopher/.cache/go-build/trim.txt", "go-build-cache", "/home/gopher/.cache/go-build"},
	{"/root/go/pkg/linux_amd64/github.com/micro/micro.a", "go-build-cache", "/root/go/pkg"},
	{"/root/go/pkg/mod/cache/download/github.com/x/y/@v/v1.0.0.zip", "go-module-cache", "/root/go/pkg/mod"},
	{"/go/pkg/mod/github.com/spf13/cobra@v1.8.0/command.go", "go-module-cache", "/go/pkg/mod"},
	{"/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.0.linux-amd64/bin/go", "go-module-cache", "/go/pkg/mod"},
	{"/home/go/go/pkg/mod/x/y.go", "go-module-cache", "/home/go/go/pkg/mod"},
	{"/root/go/src/github.com/micro/micro/main.go", "source-tree", "/root/go/src"},
	{"/go/src/app/main.go", "source-tree", "/go/src"},
	{"/go/bin/app", "", ""},
	{"/root/go/bin/micro", "", ""},
	{"/usr/local/go/bin/go", "toolchain-go", "/usr/local/go"},
	{"/usr/local/go/src/runtime/proc.go", "toolchain-go", "/usr/local/go"},
	{"/usr/local/go/pkg/include/funcdata.h", "toolchain-go", "/usr/local/go"},
	{"/usr/local/go/pkg/tool/linux_amd64/compile", "toolchain-go", "/usr/local/go"},
	{"/usr/local/go/pkg/linux_amd64/runtime/cgo.a", "toolchain-go", "/usr/local/go"},
	{"/usr/lib/go/pkg/tool/linux_amd64/link", "toolchain-go", "/usr/lib/go"},
	{"/usr/lib/go-1.19/bin/go", "toolchain-go", "/usr/lib/go-1.19"},
	{"/usr/share/go-1.19/src/fmt/print.go", "toolchain-go", "/usr/share/go-1.19"},
	{"/usr/lib/golang/src/fmt/print.go", "toolchain-go", "/usr/lib/golang"},
	{"/opt/go/pkg/tool/linux_amd64/vet", "toolchain-go", "/opt/go"},
	{"/root/sdk/go1.21.0/bin/go", "toolchain-go", "/root/sdk/go1.21.0"},
	{"/usr/lib/golang-foo/x", "", ""},
	{"/usr/lib/go", "", ""},
	{"/usr/share/go/x", "", ""},
	{"/usr/share/gocode/src/github.com/x/y/y.go", "source-tree", "/usr/share/gocode/src"},
	{"/usr/local/bin/app", "", ""},

	// Rust, Java.
	{"/root/.cargo/registry/cache/index.crates.io-6f17d22bba15001f/serde-1.0.197.crate", "cargo-registry", "/root/.cargo/registry"},
	{"/root/.cargo/git/checkouts/x/y", "cargo-registry", "/root/.cargo/git"},
	{"/usr/local/cargo/registry/src/index.crates.io-6f17d22bba15001f/libc-0.2.153/src/lib.rs", "cargo-registry", "/usr/local/cargo/registry"},
	{"/usr/local/cargo/bin/rustc", "toolchain-rust", "/usr/local/cargo/bin"},
	{"/root/.cargo/bin/cargo", "toolchain-rust", "/root/.cargo/bin"},
	{"/usr/local/cargo/bin/myapp", "", ""},
	{"/usr/local/rustup/toolchains/1.76.0-x86_64-unknown-linux-gnu/lib/librustc_driver-1a2b.so", "toolchain-rust", "/usr/local/rustup"},
	{"/root/.rustup/settings.toml", "toolchain-rust", "/root/.rustup"},
	{"/usr/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-1a2b.rlib", "toolchain-rust", "/usr/lib/rustlib"},
	{"/usr/lib/x86_64-linux-gnu/librustc_driver-9f1a.so", "toolchain-rust", "/usr/lib/x86_64-linux-gnu"},
	{"/root/.m2/repository/org/springframework/spring-core/6.1.4/spring-core-6.1.4.jar", "maven-repository", "/root/.m2/repository"},
	{"/root/.m2/settings.xml", "", ""},
	{"/home/gradle/.gradle/caches/modules-2/files-2.1/x/y.jar", "gradle-cache", "/home/gradle/.gradle/caches"},
	{"/root/.gradle/wrapper/dists/gradle-8.6-bin/x/gradle-8.6/lib/gradle-core.jar", "gradle-cache", "/root/.gradle/wrapper"},
	{"/root/.gradle/gradle.properties", "", ""},
	{"/usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod", "toolchain-jdk", "/usr/lib/jvm/java-17-openjdk-amd64"},
	{"/usr/lib/jvm/java-17-openjdk-amd64/bin/javac", "toolchain-jdk", "/usr/lib/jvm/java-17-openjdk-amd64"},
	{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "", ""},
	{"/usr/lib/jvm/java-17-openjdk-amd64/lib/modules", "", ""},
	{"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so", "", ""},
	{"/usr/lib/jvm/openjdk-17/src.zip", "toolchain-jdk", "/usr/lib/jvm/openjdk-17"},
	{"/opt/java/openjdk/lib/src.zip", "toolchain-jdk", "/opt/java/openjdk"},
	{"/opt/java/openjdk/lib/ct.sym", "toolchain-jdk", "/opt/java/openjdk"},
	{"/opt/java/openjdk/include/jni.h", "toolchain-jdk", "/opt/java/openjdk"},
	{"/opt/java/openjdk/bin/java", "", ""},
	{"/usr/local/openjdk-11/jmods/java.sql.jmod", "toolchain-jdk", "/usr/local/openjdk-11"},

	// GCC and binutils.
	{"/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "toolchain-gcc", "/usr/lib/gcc"},
	{"/usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a", "toolchain-gcc", "/usr/lib/gcc"},
	{"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h", "toolchain-gcc", "/usr/lib/gcc"},
	{"/usr/libexec/gcc/x86_64-alpine-linux-musl/12.2.1/cc1", "toolchain-gcc", "/usr/libexec/gcc"},
	{"/usr/lib/gcc-cross/aarch64-linux-gnu/12/libgcc.a", "toolchain-gcc", "/usr/lib/gcc-cross"},
	{"/usr/local/libexec/gcc/x86_64-linux-gnu/13.2.0/cc1plus", "toolchain-gcc", "/usr/local/libexec/gcc"},
	{"/usr/local/lib/gcc/x86_64-linux-gnu/13.2.0/crtbegin.o", "toolchain-gcc", "/usr/local/lib/gcc"},
	{"/usr/bin/x86_64-linux-gnu-gcc-12", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/x86_64-linux-gnu-ld.bfd", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/x86_64-alpine-linux-musl-gcc-12.2.1", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/aarch64-linux-gnu-objdump", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/gcc-12", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/gcc-ar-12", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/cpp", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/ld", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/as", "toolchain-gcc", "/usr/bin"},
	{"/usr/bin/c++filt", "toolchain-gcc", "/usr/bin"},
	{"/usr/local/bin/gcc", "toolchain-gcc", "/usr/local/bin"},
	{"/usr/bin/x86_64-linux-gnu-python3.11-config", "", ""},
	{"/usr/bin/x86_64-linux-gnu-pkg-config", "", ""},
	{"/usr/bin/python3.11", "", ""},
	{"/usr/bin/git", "", ""},
	{"/usr/bin/make", "", ""},
	{"/usr/lib/x86_64-linux-gnu/libbfd-2.40-system.so", "toolchain-gcc", "/usr/lib/x86_64-linux-gnu"},
	{"/usr/lib/x86_64-linux-gnu/libopcodes-2.40-system.so", "toolchain-gcc", "/usr/lib/x86_64-linux-gnu"},
	{"/usr/lib/x86_64-linux-gnu/libctf-nobfd.so.0.0.0", "toolchain-gcc", "/usr/lib/x86_64-linux-gnu"},
	{"/usr/lib/x86_64-linux-gnu/libasan.so.8.0.0", "toolchain-gcc", "/usr/lib/x86_64-linux-gnu"},
	{"/usr/lib/x86_64-linux-gnu/libisl.so.23.2.0", "toolchain-gcc", "/usr/lib/x86_64-linux-gnu"},
	{"/usr/lib/libbfd-2.41.so", "toolchain-gcc", "/usr/lib"},
	{"/usr/lib64/libopcodes-2.41.so", "toolchain-gcc", "/usr/lib64"},
	{"/usr/lib/x86_64-linux-gnu/libmpcdec.so.6", "", ""},
	{"/usr/lib/x86_64-linux-gnu/libc.so.6", "", ""},
	{"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", "", ""},
	{"/usr/lib/x86_64-linux-gnu/libgomp.so.1", "", ""},
	{"/usr/x86_64-alpine-linux-musl/bin/ld", "toolchain-gcc", "/usr/x86_64-alpine-linux-musl"},
	{"/usr/aarch64-linux-gnu/lib/libc.so.6", "toolchain-gcc", "/usr/aarch64-linux-gnu"},

	// Build inputs.
	{"/usr/src/linux-headers-6.1.0-18-common/Makefile", "source-tree", "/usr/src"},
	{"/usr/src/php.tar.xz", "source-tree", "/usr/src"},
	{"/usr/src/app/index.js", "", ""},
	{"/usr/local/src/nginx-1.25.4/configure", "source-tree", "/usr/local/src"},
	{"/usr/include/stdio.h", "headers", "/usr/include"},
	{"/usr/include/c++/12/vector", "headers", "/usr/include"},
	{"/usr/local/include/python3.12/Python.h", "headers", "/usr/local/include"},
	{"/usr/include", "", ""},
	{"/usr/lib/x86_64-linux-gnu/libc.a", "static-libs", "/usr/lib/x86_64-linux-gnu"},
	{"/usr/local/lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a", "static-libs", "/usr/local/lib/python3.12/config-3.12-x86_64-linux-gnu"},
	{"/usr/lib/libc.a", "static-libs", "/usr/lib"},
	{"/libfoo.a", "static-libs", "/"},
	{"/usr/lib/.a", "", ""},
	{"/usr/share/java/x.jar", "", ""},

	// Documentation, locales, leftovers.
	{"/usr/share/doc/bash/changelog.Debian.gz", "docs", "/usr/share/doc"},
	{"/usr/share/doc/bash/copyright", "", ""},
	{"/usr/share/doc/bash/examples/copyright", "docs", "/usr/share/doc"},
	{"/usr/share/info/bash.info.gz", "docs", "/usr/share/info"},
	{"/usr/share/gtk-doc/html/glib/index.html", "docs", "/usr/share/gtk-doc"},
	{"/usr/local/share/doc/git/README", "docs", "/usr/local/share/doc"},
	{"/usr/share/common-licenses/GPL-3", "", ""},
	{"/usr/share/man/man1/bash.1.gz", "man-pages", "/usr/share/man"},
	{"/usr/local/share/man/man1/node.1", "man-pages", "/usr/local/share/man"},
	{"/usr/share/locale/de/LC_MESSAGES/coreutils.mo", "locales", "/usr/share/locale"},
	{"/usr/share/locale/locale.alias", "", ""},
	{"/usr/share/i18n/charmaps/UTF-8.gz", "locales", "/usr/share/i18n"},
	{"/usr/lib/locale/locale-archive", "locales", "/usr/lib/locale"},
	{"/usr/lib/locale/C.utf8/LC_CTYPE", "", ""},
	{"/usr/lib/locale/C.UTF-8/LC_CTYPE", "", ""},
	{"/usr/lib/locale/en_US.utf8/LC_CTYPE", "locales", "/usr/lib/locale"},
	{"/tmp/build/x.o", "temp", "/tmp"},
	{"/tmp", "", ""},
	{"/var/tmp/x", "temp", "/var/tmp"},
	{"/var/log/dpkg.log", "logs", "/var/log"},
	{"/var/log/apt/eipp.log.xz", "logs", "/var/log"},
	{"/var/log", "", ""},
	{"/root/tmp/notes.txt", "", ""},
	{"/home/u/usr/include/x.h", "", ""},
	{"/home/u/var/log/x.log", "", ""},
	{"/home", "", ""},
	{"/home/u", "", ""},

	// Neither culprits nor well-formed.
	{"/usr/lib/python3/dist-packages/yaml/__pycache__/nodes.cpython-311.pyc", "", ""},
	{"/usr/lib/python3.11/email/message.py", "", ""},
	{"/etc/apt/sources.list", "", ""},
	{"/bin/sh", "", ""},
	{"/", "", ""},
	{"", "", ""},
	{"usr/include/stdio.h", "", ""},
}

func TestClassify(t *testing.T) {
	for _, tc := range classifyCases {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			category, root, ok := Classify(tc.path)
			if category != tc.category || root != tc.root || ok != (tc.category != "") {
				t.Errorf("Classify(%q) = %q, %q, %v; want %q, %q, %v",
					tc.path, category, root, ok, tc.category, tc.root, tc.category != "")
			}
		})
	}
}

// TestCategoriesCovered keeps Categories and classify in step: every listed
// category has a case, every category classify returns is listed.
func TestCategoriesCovered(t *testing.T) {
	listed := map[string]bool{}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	for _, c := range Categories {
		if !kebab.MatchString(c.Name) || c.Description == "" || listed[c.Name] {
			t.Errorf("category %+v: want a unique lower-kebab name and a description", c)
		}
		listed[c.Name] = true
	}
	seen := map[string]bool{}
	for _, tc := range classifyCases {
		if tc.category == "" {
			continue
		}
		seen[tc.category] = true
		if !listed[tc.category] {
			t.Errorf("Classify(%q) returns %q, missing from Categories", tc.path, tc.category)
		}
	}
	for name := range listed {
		if !seen[name] {
			t.Errorf("category %q has no classify case", name)
		}
	}
}

func TestClassifyDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(10, func() {
		for _, tc := range classifyCases {
			Classify(tc.path)
		}
	})
	if allocs != 0 {
		t.Errorf("classify allocates %v times per %d paths, want 0", allocs, len(classifyCases))
	}
}

// FuzzClassify checks what the analysis relies on: a culprit's root is a
// directory above the path, and its category is listed.
func FuzzClassify(f *testing.F) {
	for _, tc := range classifyCases {
		f.Add(tc.path)
	}
	f.Fuzz(func(t *testing.T, p string) {
		category, root, ok := Classify(p)
		if ok != (category != "") || !ok && root != "" {
			t.Fatalf("Classify(%q) = %q, %q, %v: ok disagrees", p, category, root, ok)
		}
		if !ok {
			return
		}
		if !strings.HasPrefix(p, root) || len(p) <= len(root) || root != "/" && p[len(root)] != '/' {
			t.Errorf("Classify(%q) root %q: want a directory above the path", p, root)
		}
		if !slices.ContainsFunc(Categories, func(c Category) bool { return c.Name == category }) {
			t.Errorf("Classify(%q) = %q, missing from Categories", p, category)
		}
	})
}

// benchPaths is a realistic mix, in the proportions of a golang:1.22
// image with a Python app and build leftovers: mostly not culprits, deep
// module-cache and GOROOT paths, many libraries and docs.
func benchPaths() []string {
	var ps []string
	add := func(n int, format string) {
		for i := range n {
			ps = append(ps, fmt.Sprintf(format, i, i%7))
		}
	}
	add(6000, "/usr/local/go/src/pkg%d/internal/sub%d/file_test.go")
	add(3000, "/go/pkg/mod/github.com/org%d/repo@v1.%d.0/internal/x.go")
	add(4000, "/usr/local/lib/python3.12/site-packages/pkg%d/mod%d.py")
	add(2000, "/usr/local/lib/python3.12/site-packages/pkg%d/__pycache__/mod%d.cpython-312.pyc")
	add(3000, "/app/node_modules/pkg%d/lib/index%d.js")
	add(1500, "/usr/lib/x86_64-linux-gnu/libfoo%d.so.%d")
	add(1500, "/usr/share/doc/pkg%d/changelog%d.Debian.gz")
	add(800, "/usr/share/man/man%[2]d/tool%[1]d.1.gz")
	add(600, "/usr/share/locale/l%d/LC_MESSAGES/p%d.mo")
	add(500, "/usr/bin/tool%d-%d")
	add(400, "/usr/include/x86_64-linux-gnu/h%d/h%d.h")
	add(400, "/etc/conf%d/file%d.conf")
	add(300, "/var/lib/dpkg/info/pkg%d.list%d")
	add(300, "/root/.cache/go-build/%02x/%d-d")
	add(200, "/usr/lib/gcc/x86_64-linux-gnu/12/plugin/include/f%d%d.h")
	add(100, "/var/lib/apt/lists/mirror%d_Packages%d")
	add(100, "/usr/lib/x86_64-linux-gnu/libx%d_%d.a")
	return ps
}

func BenchmarkClassify(b *testing.B) {
	paths := benchPaths()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		for _, p := range paths {
			if _, _, ok := Classify(p); ok {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(paths)), "ns/path")
}
