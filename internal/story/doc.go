// Package story builds the user story's images from real parts, as test
// fixtures: the 948 MB Go service image that ships its toolchain, module
// cache, build cache and sources (v1.01), and the same image with a later
// `RUN rm -rf` of those caches that frees nothing (the mistake).
//
// The story used Alpine and github.com/micro/micro; here the base is Debian
// bookworm made with debootstrap, the toolchain layer is Debian's golang-go,
// git and gcc installed by apt (lists and archives left in the layer), and
// the server is github.com/nats-io/nats-server/v2, built with cgo by the
// host's Go in a staging tree laid out as the image's /root (GOPATH,
// GOMODCACHE, GOCACHE and GOBIN all inside it) and copied in as one layer.
// The real Docker engine makes the layers: `docker import` for the base,
// the legacy builder for the rest, `docker save` for the archives.
//
// [Build] needs Linux, root, a Docker engine, debootstrap (installed with
// apt-get when missing) and a network that reaches Debian's mirror and the
// Go module proxy. It caches every step in its directory: the rootfs tar,
// the Go build, and last a stamp that marks the directory complete, so a
// second Build returns at once without touching the engine. Files are
// written under temporary names and renamed, and a lock file serialises
// Builds of one directory across processes (a test and mkstory, or two
// test packages).
//
// The images are not reproducible byte for byte: apt installs what the
// mirror serves that day and docker records the build time. Tests should
// compare against the values a [Story] records, not against constants.
package story
