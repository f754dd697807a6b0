// Package atomicfile writes files so that a reader of the target sees the
// old file or the whole new one, never a part, and a crash leaves one of
// the two. diet's outputs (image archives, fix -w) and the fixtures cached
// across test runs are written through it.
//
// A new file is made under a hidden temporary name in its target's
// directory, .NAME.diet-RANDOM ([TempPattern]), so that the final rename
// never crosses a filesystem and two writers of one target never share a
// temporary file: each renames a whole file over the target, and the last
// rename wins. [File.Commit] gives the file its mode, syncs it, renames it
// over the target and syncs the directory. On any error, or a cancel that
// comes before the rename, the temporary file is removed and the target is
// left as it was. A writer that is killed leaves its temporary file:
// [RemoveTemps] clears those where the caller knows it is the only writer.
//
// The package imports only the standard library, so that every package,
// shipped or fixture, may use it.
package atomicfile
