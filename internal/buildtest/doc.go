// Package buildtest builds realistic Dockerfiles on the real Docker engine,
// offline: the end-to-end fixture for `diet fix`, which must show that a
// fixed Dockerfile builds a smaller image that runs the same command with
// the same output.
//
// [Prepare] makes, once per cache directory, four base images and a local
// mirror, and starts the mirror's server once per test binary:
//
//   - debian:bookworm: `debootstrap --variant=minbase bookworm`, imported
//     as one layer with the apt and dpkg settings of Docker's official
//     Debian images (docker-clean, gzipped indexes, no translations);
//   - debian:bookworm-slim: the same rootfs without documentation, manuals
//     and translations, and dpkg told to keep them out, as in the official
//     slim images;
//   - golang:1.26-bookworm: the Debian rootfs plus the host's Go toolchain
//     at /usr/local/go, GOPATH=/go and GOTOOLCHAIN=local, like the official
//     image (no gcc, so cgo is off; GOPROXY is left alone, since the build
//     network makes a module download fail at once);
//   - python:3.11-slim: debian:bookworm-slim with Debian's python3 and
//     python3-pip installed without recommends, apt's lists removed,
//     pip.conf pointing at the mirror, and no EXTERNALLY-MANAGED marker,
//     so that pip installs into the system like the official image.
//
// The go-cgo case adds one more, golang:1.26-bookworm-gcc, from its
// base.Dockerfile: the golang image with gcc and libc6-dev from the
// mirror, as the official image has them, so that cgo is on by default.
// Its test builds it first and removes it when done.
//
// The tags are the names of the official images on purpose, so that the
// Dockerfiles read as real ones do. The engine has no registry to pull
// from, so nothing real is shadowed; but these tags must not be pushed.
//
// The mirror is an HTTP server and forward proxy that answers for
// deb.debian.org (a recording of the real archive: signed InRelease, index
// and exactly the .deb files the cases install) and for mirror.internal
// (a PEP 503 index of wheels repackaged from Debian's python3-rich and its
// dependencies, and a shfmt release tarball laid out like a GitHub
// download). Everything is recorded or made at preparation time, the only
// time the package uses the network: Debian's mirror and the Go module
// proxy.
//
// Builds are offline by construction, not by convention: they run on an
// internal Docker network ([Network]) that reaches nothing but the host's
// address on it, where the mirror listens, and get it as http_proxy (one
// of Docker's predefined build arguments, kept out of the image's history
// and of the build cache key). The server refuses every other host and
// [Env.Build] fails a build that asked for one, or whose Dockerfile names
// an internet host at all.
//
// The base images, the network and the cache directory (rootfs.tar, the
// recorded mirror, stamps) persist between runs, so a warm [Prepare] only
// checks image IDs and starts the server. Images and containers a test
// makes are removed when it ends. Builds use the classic builder: this
// engine (20.10) has no buildx, so BuildKit-only syntax (RUN --mount,
// COPY --chmod, heredocs) cannot be tested end to end here.
package buildtest
