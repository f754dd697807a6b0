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
// node, java, ...) is [ErrInterpreted], and so is one whose argument names
// a program the closure does not keep, as socat's "EXEC:/app/handler.sh"
// ([ErrArgumentProgram]); one needing files the image lacks is
// [ErrIncomplete].
//
// For those, [Traced] keeps what a traced run of the command used
// (package verify runs it: verify.Result.Accessed): every path the run
// opened, executed, stat'd, read as a link or listed that the image has,
// with the symlinks to it, the ELF closure of every ELF file and
// executable script among them, and the same always-kept files; and the
// package closure, so that an import the run did not make (a lazy one, on
// a path the run did not take) still finds its files: the whole Python
// package (with its .dist-info; below a namespace package, the regular
// package), Node package (with its dependencies, transitively, resolved
// as Node does) or Ruby gem (with the gems its specification needs at run
// time) a file the run used belongs to, and a Java runtime's lib/ and the
// command's class path, with the jars the manifests' Class-Path names
// ([Package] says what each cost); and the static closure of the shell
// scripts the run used and of the command, so that a route of a shell
// service the run did not take still finds its programs. [Trace.Kept]
// says why each file is kept, each under one reason, and the essential
// files (what the run used and their ELF closure) are the floor the kept
// ones are measured against.
//
// Invariants:
//   - The input is an [io/fs.FS] of the image's root, which may be hostile.
//     Paths are resolved by one resolver, [elfdeps.Root], as the kernel
//     would inside a chroot: a symlink never leads out of the root.
//   - Nothing is run: scripts are parsed (mvdan.cc/sh, guarded against
//     deep nesting), never executed, and reading them is bounded in size,
//     count, nesting and steps. Results are slash-rooted paths, sorted.
//   - [Traced] runs nothing either: it reads a list of paths, which came
//     from the traced code and may be hostile, through the same resolver;
//     a path the image lacks adds nothing. The package files it reads
//     (package.json, top_level.txt, RECORD, a gemspec, a jar's central
//     directory and manifest) are bounded in size, and a dependency's
//     name is a name, never a path.
package entry
