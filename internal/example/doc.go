// Package example builds diet's bundled example image: the Go service image
// of design.md's story (948 MB of toolchain, GOPATH and caches, then a
// cleanup in a separate RUN that frees nothing), reproduced under 20 MB.
//
// The image is a classic `docker save` archive with four layers:
//
//  1. a Debian-like base: /etc, merged /usr, docs, manuals, translations;
//  2. a Go toolchain subset under /usr/local/go plus apt's caches and lists;
//  3. a real `go build` of examples/hello in GOPATH: module cache, build
//     cache, sources and the unstripped binary /usr/local/bin/hello;
//  4. `rm -rf` of the caches as whiteouts and one opaque directory, which
//     hides the bytes of layers 2 and 3 without removing any of them.
//
// Content comes from the Go toolchain on PATH and from deterministic
// synthesis, never from the network (the one module dependency is read from
// the local module cache when it is there), so the archive is identical for
// a given Go installation.
//
// Invariants: the archive stays under 20 MB; every entry is owned by 0:0 with
// a fixed time; layers list a directory before its contents; the archive is
// written to a temporary name and renamed, so an interrupted Build leaves
// nothing at the target. The hello build lives in a fixed staging directory
// per Go version under /tmp (the paths it records end up in the binary and
// the build cache), reused while its inputs are unchanged.
package example
