//go:build unix

package cli

import (
	"io/fs"
	"syscall"
)

// fileOwner is who owns a file.
type fileOwner struct{ uid, gid int }

// ownerOf returns fi's owner and its number of hard links.
func ownerOf(fi fs.FileInfo) (*fileOwner, uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, 1
	}
	return &fileOwner{uid: int(st.Uid), gid: int(st.Gid)}, uint64(st.Nlink)
}
