package elfdeps

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Bounds on what one ELF file may make us read. They are the loader's own
// limits or far above anything a real toolchain emits, so a hostile header
// costs at most a few megabytes, never what it claims.
const (
	maxPhdrBytes = 64 << 10 // Linux refuses larger program header tables
	maxInterp    = 4096     // PATH_MAX
	maxDynamic   = 1 << 20  // 65536 dynamic entries of 16 bytes
	maxString    = 64 << 10 // a DT_RUNPATH of a few thousand directories
	maxNeeded    = 4096
)

// elfFile is what the loader reads of an ELF file: its identity, its
// interpreter and its dynamic section. Like ld.so, it reads program headers
// only, so files stripped of their section headers parse too.
type elfFile struct {
	class    elf.Class
	data     elf.Data
	machine  elf.Machine
	typ      elf.Type
	interp   string   // PT_INTERP, "" when absent
	needed   []string // DT_NEEDED, in order
	soname   string   // DT_SONAME
	rpath    []string // DT_RPATH, empty when DT_RUNPATH is present, as ld.so ignores it then
	runpath  []string // DT_RUNPATH
	nodeflib bool     // DF_1_NODEFLIB: no ld.so.cache, no default directories
}

// fits reports whether ld.so would load lib for e: same class, byte order
// and machine, and a shared object.
func (e *elfFile) fits(lib *elfFile) bool {
	return lib.class == e.class && lib.data == e.data && lib.machine == e.machine && lib.typ == elf.ET_DYN
}

type prog struct {
	typ                elf.ProgType
	off, vaddr, filesz uint64
}

// readELF parses the ELF file in r. It returns an error wrapping [ErrNotELF]
// when r does not start with the ELF magic, and one wrapping [ErrMalformed]
// when the headers lie.
func readELF(r io.ReaderAt) (*elfFile, error) {
	var ident [elf.EI_NIDENT]byte
	n, err := r.ReadAt(ident[:], 0)
	switch {
	case n < 4 || string(ident[:4]) != elf.ELFMAG:
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		return nil, ErrNotELF
	case n < len(ident):
		return nil, malformed("ELF identification of %d bytes: %w", n, io.ErrUnexpectedEOF)
	}
	e := &elfFile{class: elf.Class(ident[elf.EI_CLASS]), data: elf.Data(ident[elf.EI_DATA])}
	var bo binary.ByteOrder
	switch e.data {
	case elf.ELFDATA2LSB:
		bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		bo = binary.BigEndian
	default:
		return nil, malformed("unknown data encoding %d", e.data)
	}
	var hdr [64]byte
	is64 := e.class == elf.ELFCLASS64
	hsize, psize := 52, 32
	switch e.class {
	case elf.ELFCLASS32:
	case elf.ELFCLASS64:
		hsize, psize = 64, 56
	default:
		return nil, malformed("unknown class %d", e.class)
	}
	if err := readFull(r, hdr[:hsize], 0, "ELF header"); err != nil {
		return nil, err
	}
	e.typ = elf.Type(bo.Uint16(hdr[16:]))
	e.machine = elf.Machine(bo.Uint16(hdr[18:]))
	var phoff uint64
	var phentsize, phnum int
	if is64 {
		phoff, phentsize, phnum = bo.Uint64(hdr[32:]), int(bo.Uint16(hdr[54:])), int(bo.Uint16(hdr[56:]))
	} else {
		phoff, phentsize, phnum = uint64(bo.Uint32(hdr[28:])), int(bo.Uint16(hdr[42:])), int(bo.Uint16(hdr[44:]))
	}
	if phnum == 0 {
		return e, nil
	}
	if phentsize != psize {
		return nil, malformed("program header entry size %d, want %d", phentsize, psize)
	}
	if phnum*psize > maxPhdrBytes {
		return nil, malformed("%d program headers exceed %d bytes", phnum, maxPhdrBytes)
	}
	buf := make([]byte, phnum*psize)
	if err := readFull(r, buf, phoff, "program headers"); err != nil {
		return nil, err
	}
	progs := make([]prog, phnum)
	for i := range progs {
		b := buf[i*psize:]
		p := &progs[i]
		p.typ = elf.ProgType(bo.Uint32(b))
		if is64 {
			p.off, p.vaddr, p.filesz = bo.Uint64(b[8:]), bo.Uint64(b[16:]), bo.Uint64(b[32:])
		} else {
			p.off, p.vaddr, p.filesz = uint64(bo.Uint32(b[4:])), uint64(bo.Uint32(b[8:])), uint64(bo.Uint32(b[16:]))
		}
	}
	for _, p := range progs {
		if p.typ == elf.PT_INTERP {
			if err := e.readInterp(r, p); err != nil {
				return nil, err
			}
			break
		}
	}
	for _, p := range progs {
		if p.typ == elf.PT_DYNAMIC {
			if err := e.readDynamic(r, bo, p, progs); err != nil {
				return nil, err
			}
			break
		}
	}
	return e, nil
}

func (e *elfFile) readInterp(r io.ReaderAt, p prog) error {
	if p.filesz == 0 || p.filesz > maxInterp {
		return malformed("PT_INTERP of %d bytes", p.filesz)
	}
	b := make([]byte, p.filesz)
	if err := readFull(r, b, p.off, "PT_INTERP"); err != nil {
		return err
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return malformed("empty PT_INTERP")
	}
	e.interp = string(b)
	return nil
}

// readFull reads len(b) bytes at off; running out of file is malformed.
func readFull(r io.ReaderAt, b []byte, off uint64, what string) error {
	if off > math.MaxInt64-uint64(len(b)) {
		return malformed("%s at %#x: offset overflows", what, off)
	}
	n, err := r.ReadAt(b, int64(off))
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return malformed("%s at %#x: %w", what, off, err)
	}
	return err
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// splitList splits a search path, dropping empty elements as ld.so does.
func splitList(s, seps string) []string {
	list := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
	if len(list) == 0 {
		return nil
	}
	return list
}
