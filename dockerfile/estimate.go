package dockerfile

import (
	"fmt"
	"strings"
)

// Typical sizes of what rules find, in bytes: rough lower bounds for
// Finding.Bytes, from common Alpine and Debian images. They rank findings;
// analyze measures the real bytes of a built image.
const (
	aptListsBytes = 20_000_000
	apkIndexBytes = 2_000_000
	pipCacheBytes = 10_000_000
	yumCacheBytes = 50_000_000
	goCacheBytes  = 100_000_000
	// npm and yarn keep a tarball of every package: about node_modules
	// compressed, for a small service.
	npmCacheBytes   = 30_000_000
	zyppCacheBytes  = 30_000_000
	cargoCacheBytes = 300_000_000 // registry, git checkouts and target/
	mavenCacheBytes = 100_000_000
	archiveBytes    = 10_000_000 // a release tarball of a small tool
)

// stake renders an estimate and its basis for a message: " (~20 MB:
// typical apt lists of Debian and Ubuntu)". Every size finding says how
// much and how diet knows.
func stake(n int64, basis string) string {
	return " (" + approx(n) + ": " + basis + ")"
}

// toolchainBytes holds installed sizes of common toolchain packages.
var toolchainBytes = map[string]int64{
	"go": 200_000_000, "golang": 200_000_000, "golang-go": 200_000_000,
	"gcc": 100_000_000, "g++": 40_000_000, "gcc-c++": 40_000_000, "clang": 200_000_000, "llvm": 150_000_000,
	"build-essential": 200_000_000, "build-base": 200_000_000, "cmake": 40_000_000,
	"rust": 300_000_000, "rustc": 250_000_000, "cargo": 30_000_000,
	"default-jdk": 250_000_000, "dotnet-sdk": 700_000_000, "git": 15_000_000, "musl-dev": 1_000_000, "libc6-dev": 10_000_000,
}

// pkgBytes returns the typical size of a package, 0 when unknown.
func pkgBytes(name string) int64 { return toolchainBytes[name] }

// cacheBytes returns the typical size of a cache directory, 0 when unknown.
func cacheBytes(p string) int64 {
	switch {
	case strings.HasPrefix(p, "/var/lib/apt/lists"):
		return aptListsBytes
	case strings.HasPrefix(p, "/var/cache/apk"):
		return apkIndexBytes
	case strings.HasPrefix(p, "/var/cache/yum"), strings.HasPrefix(p, "/var/cache/dnf"):
		return yumCacheBytes
	case strings.HasPrefix(p, "/var/cache/libdnf5"):
		return yumCacheBytes
	case strings.HasSuffix(p, "/.npm"), strings.HasSuffix(p, "/yarn"), strings.HasSuffix(p, "/berry/cache"):
		return npmCacheBytes
	case strings.HasSuffix(p, "/.cache/pip"):
		return pipCacheBytes
	case strings.HasSuffix(p, "/go-build"), strings.HasSuffix(p, "/pkg/mod"):
		return goCacheBytes / 2
	}
	return 0
}

// approx renders a byte count for a message the way docker prints sizes:
// decimal units, two significant digits or more.
func approx(n int64) string {
	switch {
	case n >= 1_000_000_000:
		return fmt.Sprintf("~%.1f GB", float64(n)/1e9)
	case n >= 1_000_000:
		return fmt.Sprintf("~%d MB", (n+500_000)/1_000_000)
	case n >= 1_000:
		return fmt.Sprintf("~%d kB", (n+500)/1_000)
	}
	return fmt.Sprintf("%d B", n)
}
