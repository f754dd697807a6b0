// Package dockerfile reads a Dockerfile into a model that size rules can
// query, and lints it: [Parse] gives a [File], [Lint] gives [Finding]s, and
// [Rules] lists every rule with its documentation.
//
// Parsing uses BuildKit's own parser, so instructions, continuation lines,
// heredocs and the escape directive mean exactly what they mean to docker
// build. The shell of every RUN is parsed again with mvdan.cc/sh, so rules
// see simple commands (argv, with quotes removed where the words are
// literal), the &&-chain each belongs to and where each word sits in the
// original bytes.
//
// Invariants:
//   - A File keeps the original bytes and every instruction's line range
//     (1-based, inclusive, continuation lines and heredoc bodies included).
//     Fixes edit that text by range: BuildKit joins continuation lines and
//     drops the comments inside them, so its tree cannot be printed back.
//   - Every position in the model (Word.Offset, Command.Line) points into
//     File.Source; -1 marks an offset that is not known exactly.
//   - Input is never trusted: Parse returns a *ParseError for what BuildKit
//     rejects, and shell that does not parse is a [ShellError] on the RUN,
//     not a failure; the commands the parser could recover are kept.
//   - The library prints nothing and a File is not modified after Parse, so
//     one File may be linted from several goroutines.
//
// Rules that judge what a layer holds look only at stages whose layers reach
// the final image: the final stage and the stages it is built FROM. A cache
// left in a build stage costs nothing once only the binary is copied out.
package dockerfile
