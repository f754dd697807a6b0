// Package fixproc holds what the fixture builders (internal/debian,
// internal/story, internal/buildtest, internal/example) each knew about
// the host commands they run, written once: [KillGroup] has a cancelled
// context kill a command's whole process group, [Tail] quotes the end of
// its output in an error, [Probe] tells a missing network from a failing
// command, and [RemoveAll] deletes the trees the go command leaves
// read-only.
//
// It is test machinery: cmd/diet never links it (internal/depcheck).
package fixproc
