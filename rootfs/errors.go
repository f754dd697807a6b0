package rootfs

import "errors"

// ErrNotEmpty is the cause when [Extract] is given a directory that already
// holds files. Layer and entry problems are [layerfs.LayerError] and
// [layerfs.EntryError], as everywhere else in diet, with
// [layerfs.ErrUnsafePath], [layerfs.ErrBadLink] and
// [layerfs.ErrUnsupportedType] as their causes.
var ErrNotEmpty = errors.New("directory is not empty")
