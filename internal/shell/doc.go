// Package shell holds what diet's two readers of shell agree on: package
// dockerfile, reading RUN lines, and package entry, reading an image's
// entrypoint scripts. It parses with mvdan.cc/sh without letting deep
// nesting crash the process ([Parse]), removes backslashes as the shell
// does ([Unescape]), and knows the wrappers, such as sudo, env, gosu and
// tini, that run a command given after their own arguments ([Wrapped]).
//
// Invariants: the input is untrusted (image files, Dockerfiles), so nothing
// here panics on it or recurses on its nesting; nothing is run, read or
// printed.
package shell
