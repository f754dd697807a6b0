// Package image opens container images by transport and returns them as
// go-containerregistry [v1.Image] values.
//
// Names follow skopeo's transport conventions: docker-archive:PATH[:REF],
// oci:DIR[:TAG], docker://REF and docker-daemon:REF; a bare path or reference
// does the obvious thing (see [Open]).
//
// Invariants:
//
//   - Opening an image never reads a layer blob whole and never buffers a
//     layer in memory. A docker-archive (or a docker-daemon save stream,
//     spooled once to an unlinked temporary file) is indexed in one pass over
//     its tar headers; manifests, configs and layers are then served as
//     sections of the file.
//   - Archive layers expose UncompressedSection() (*io.SectionReader, bool):
//     a stored-uncompressed layer is a seekable section of the archive, so a
//     reader can skip file bodies. An uncompressed classic layer is gzipped
//     only when its compressed Digest, Size or stream is asked for.
//   - docker-daemon: reads a local overlay2 or fuse-overlayfs engine's
//     classic layer store when it can (see [WithLayerStore]): the config from
//     imagedb (checked against the image ID), each layer's tar rebuilt as
//     docker save rebuilds it, from layerdb's tar-split record (headers
//     spilled to an unlinked temporary file, their index in memory) and
//     the bodies in the layer's diff
//     directory, opened beneath it (openat2 RESOLVE_BENEATH) only when read.
//     Any other engine, or a store it cannot read, is read through its save
//     stream, and [WithFallback] hears why.
//   - Member names in an archive are hostile: they are read as docker load
//     reads them (internal/tarname: cleaned, an absolute one from the
//     archive's root), names that climb out of the archive are refused, and
//     every lookup goes through the index.
//   - Every error returned by [Open] is an [*Error] that names the input as the
//     user wrote it, with the cause last. Callers branch with errors.Is on
//     [ErrNotFound], [ErrTruncated], [ErrAmbiguous], [ErrMismatch],
//     [ErrInvalid] and [ErrNoEngine], never on message text.
//   - The package prints nothing. [Open] starts no goroutine; [Write]'s
//     (layers compressed in parallel, the engine's load stream) end before it
//     returns. The only connections left idle are in go-containerregistry's
//     shared transports.
//
// The context given to [Open] is bound to the image: layer readers stop with
// its error once it is cancelled, as ggcr's remote.WithContext does.
package image
