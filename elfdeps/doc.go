// Package elfdeps finds what a program needs to start, over an image's
// merged filesystem given as an [io/fs.FS]: the program itself, the
// interpreters of its "#!" lines, its ELF interpreter (PT_INTERP) and every
// DT_NEEDED library, resolved recursively the way glibc's or musl's ld.so
// would resolve them inside that image, with every symlink met on the way.
// `diet slim --level minimal` keeps exactly these files on a scratch base.
//
// Invariants:
//   - The fs.FS is the image root. Results are slash-rooted real paths
//     ("/usr/bin/ls"). Inputs are absolute within the root, or relative to
//     the working directory ("/" unless [WithWorkingDir] says otherwise), or
//     bare names looked up in PATH, as a container runtime takes them.
//   - Symlinks are followed by this package, one component at a time, as
//     the kernel would inside a chroot of the root: absolute targets start at
//     the root, ".." stops there, and more than 40 links is [ErrLinkLoop].
//     The fs.FS is only asked to open paths with no symlink in them, so one
//     that follows links on Open (os.DirFS does, on the host) cannot be led
//     out of the root. An fs.FS without [io/fs.ReadLinkFS] is trusted to
//     present a tree with links already followed. [Root] offers this
//     resolver to the other readers of an image.
//   - ELF files are read through their program headers, as the loader
//     reads them, never their section headers, and every read is bounded:
//     a hostile header costs a few megabytes at most and an error wrapping
//     [ErrMalformed] that names the file, never a panic. Only the headers,
//     the interpreter and the dynamic strings of a file are read.
//   - Cycles end: libraries needing each other are loaded once, includes
//     of ld.so.conf including themselves are read once, "#!" interpreters
//     nest at most 5 deep.
//   - Nothing is printed and nothing is written. The host's own loader,
//     ldd and ld.so.cache play no part: only the files under the root count.
//
// Known approximations: ld.so.cache is stood in for by the ld.so.conf it
// is built from; glibc-hwcaps subdirectories are not searched; $LIB expands
// to every value distributions give it; libraries that programs dlopen are
// invisible here and must be named as inputs (a shared library given as an
// input gets its DT_NEEDED resolved by glibc's rules).
package elfdeps
