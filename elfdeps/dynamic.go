package elfdeps

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
)

// readDynamic reads the dynamic section the way ld.so does: through
// PT_DYNAMIC, with string offsets into DT_STRTAB, an address mapped back to
// the file through the PT_LOAD segment that holds it.
func (e *elfFile) readDynamic(r io.ReaderAt, bo binary.ByteOrder, p prog, progs []prog) error {
	if p.filesz > maxDynamic {
		return malformed("PT_DYNAMIC of %d bytes exceeds %d", p.filesz, maxDynamic)
	}
	b := make([]byte, p.filesz)
	if err := readFull(r, b, p.off, "PT_DYNAMIC"); err != nil {
		return err
	}
	entsize := 8
	if e.class == elf.ELFCLASS64 {
		entsize = 16
	}
	var needed []uint64
	var strtab, strsz uint64
	var haveStrtab, haveStrsz bool
	strs := map[elf.DynTag]uint64{}
entries:
	for ; len(b) >= entsize; b = b[entsize:] {
		var tag elf.DynTag
		var val uint64
		if entsize == 16 {
			tag, val = elf.DynTag(int64(bo.Uint64(b))), bo.Uint64(b[8:])
		} else {
			tag, val = elf.DynTag(int32(bo.Uint32(b))), uint64(bo.Uint32(b[4:]))
		}
		switch tag {
		case elf.DT_NULL:
			break entries
		case elf.DT_NEEDED:
			if len(needed) == maxNeeded {
				return malformed("more than %d DT_NEEDED entries", maxNeeded)
			}
			needed = append(needed, val)
		case elf.DT_STRTAB:
			strtab, haveStrtab = val, true
		case elf.DT_STRSZ:
			strsz, haveStrsz = val, true
		case elf.DT_SONAME, elf.DT_RPATH, elf.DT_RUNPATH:
			strs[tag] = val
		case elf.DT_FLAGS_1:
			e.nodeflib = val&uint64(elf.DF_1_NODEFLIB) != 0
		}
	}
	if len(needed) == 0 && len(strs) == 0 {
		return nil
	}
	if !haveStrtab {
		return malformed("dynamic section has strings but no DT_STRTAB")
	}
	base, ok := fileOffset(progs, strtab)
	if !ok {
		return malformed("DT_STRTAB %#x is in no PT_LOAD segment", strtab)
	}
	str := func(off uint64) (string, error) {
		limit := uint64(maxString)
		if haveStrsz {
			if off >= strsz {
				return "", malformed("string offset %#x beyond DT_STRSZ %#x", off, strsz)
			}
			limit = min(limit, strsz-off)
		}
		return readString(r, base, off, limit)
	}
	for _, off := range needed {
		s, err := str(off)
		if err != nil {
			return err
		}
		e.needed = append(e.needed, s)
	}
	for _, tag := range []elf.DynTag{elf.DT_SONAME, elf.DT_RPATH, elf.DT_RUNPATH} {
		off, ok := strs[tag]
		if !ok {
			continue
		}
		s, err := str(off)
		if err != nil {
			return err
		}
		switch tag {
		case elf.DT_SONAME:
			e.soname = s
		case elf.DT_RPATH:
			e.rpath = splitList(s, ":")
		case elf.DT_RUNPATH:
			e.runpath = splitList(s, ":")
		}
	}
	if _, ok := strs[elf.DT_RUNPATH]; ok {
		e.rpath = nil // "If both RUNPATH and RPATH are given, the latter is ignored." (glibc)
	}
	return nil
}

// fileOffset maps a virtual address to its offset in the file.
func fileOffset(progs []prog, vaddr uint64) (uint64, bool) {
	for _, p := range progs {
		if p.typ == elf.PT_LOAD && vaddr >= p.vaddr && vaddr-p.vaddr < p.filesz {
			off := p.off + (vaddr - p.vaddr)
			return off, off >= p.off && off <= math.MaxInt64
		}
	}
	return 0, false
}

// readString reads the NUL-terminated string at base+off, at most limit bytes.
func readString(r io.ReaderAt, base, off, limit uint64) (string, error) {
	start := base + off
	if start < base || start > math.MaxInt64-limit {
		return "", malformed("string offset %#x overflows", off)
	}
	var sb strings.Builder
	var chunk [256]byte
	for uint64(sb.Len()) < limit {
		n, err := r.ReadAt(chunk[:min(uint64(len(chunk)), limit-uint64(sb.Len()))], int64(start)+int64(sb.Len()))
		if i := bytes.IndexByte(chunk[:n], 0); i >= 0 {
			sb.Write(chunk[:i])
			return sb.String(), nil
		}
		sb.Write(chunk[:n])
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return "", malformed("string at %#x: %w", start, io.ErrUnexpectedEOF)
			}
			return "", err
		}
	}
	return "", malformed("string at %#x longer than %d bytes", start, limit)
}
