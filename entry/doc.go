// Package entry finds what a container's entrypoint needs to start, read
// from the image's root filesystem: `diet slim --level minimal` keeps
// exactly these paths.
//
// [Needs] starts from the config's Entrypoint and Cmd and gathers:
//   - the ELF closure of the programs run (package elfdeps: the program,
//     its "#!" interpreters, its loader and every library it needs);
//   - for a shell script, run as the command, through a wrapper (tini,
//     gosu, ...) or as an "sh -c" string, the commands it calls as far as
//     reading it can tell ([ScriptCalls]), with their closures, and the
//     files it sources;
//   - the few files and directories a service commonly reads
//     ([CommonFiles], /tmp, the working directory, the user's home, the
//     time zone database when TZ is set).
//
// A command run by an interpreter whose imports cannot be read (python,
// node, java, ...) is [ErrInterpreted]; one needing files the image lacks
// is [ErrIncomplete].
//
// Invariants:
//   - The input is an [io/fs.FS] of the image's root, which may be hostile.
//     Paths are resolved by one resolver, [elfdeps.Root], as the kernel
//     would inside a chroot: a symlink never leads out of the root.
//   - Nothing is run: scripts are parsed (mvdan.cc/sh, guarded against
//     deep nesting), never executed, and reading them is bounded in size,
//     count, nesting and steps. Results are slash-rooted paths, sorted.
//
// A later traced run of the entrypoint (package verify) will live here too,
// to find what reading alone cannot: files opened by name at run time.
package entry
