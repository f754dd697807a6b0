package analyze

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errMalformedELF marks an ELF file whose headers describe no real file.
var errMalformedELF = errors.New("malformed ELF")

const (
	// maxSections bounds the section table read from hostile headers:
	// e_shnum has 16 bits, only extended numbering claims more.
	maxSections = 1 << 16
	// maxNames bounds .shstrtab; real ones hold a few hundred bytes.
	maxNames = 64 << 10
	// nameWindow is how much of a stream is kept before the section
	// table: GNU ld, lld and strip write .shstrtab just before it.
	nameWindow = 8 << 10
)

// stripSavings reports whether the file is an ELF object and how many bytes
// `strip --strip-all` would remove from it: symbol tables, debug sections
// and non-alloc relocations, their section headers and their names.
//
// With ra non-nil (a seekable layer) it reads the ELF header, the section
// table and .shstrtab by offset. With ra nil it reads r forward, as far as
// the section table, or as far as .shstrtab when that comes later (the Go
// linker writes the table first and .shstrtab last); the caller skips what
// it leaves. When a stream has passed .shstrtab beyond the window kept for
// it, sections are told apart without names and every non-alloc PROGBITS
// counts as debug: that overcounts .comment and .gnu_debuglink, a few
// dozen bytes. Errors wrap errMalformedELF for headers that describe no
// real file, and io.ErrUnexpectedEOF when the file ends before size.
func stripSavings(r io.Reader, ra io.ReaderAt, size int64) (saves int64, isELF bool, err error) {
	res, err := scanELF(&source{r: r, ra: ra}, size)
	return res.saves, res.isELF, err
}

type elfScan struct {
	saves int64
	isELF bool
	named bool // section names were read
}

// elfLayout is what the ELF header says about the section table.
type elfLayout struct {
	bo      binary.ByteOrder
	is64    bool
	entSize int64 // 40 or 64
	off     int64
	count   uint64 // e_shnum, or section 0's sh_size with extended numbering
	names   uint64 // e_shstrndx, or section 0's sh_link
}

type section struct {
	name, typ uint32
	flags     uint64
	off, size uint64
	link      uint32
}

func scanELF(s *source, size int64) (elfScan, error) {
	var res elfScan
	if size < 4 {
		return res, nil
	}
	// e_ident first: the class says how long the rest is, and a stream
	// must not pass a section table that follows a 52-byte header.
	var hdr [64]byte
	if err := s.need(hdr[:min(size, elf.EI_NIDENT)], 0); err != nil {
		return res, err
	}
	if string(hdr[:4]) != elf.ELFMAG {
		return res, nil
	}
	res.isELF = true
	n := int64(len(hdr))
	if elf.Class(hdr[elf.EI_CLASS]) == elf.ELFCLASS32 {
		n = 52
	}
	if size < n {
		return res, fmt.Errorf("%w: %d-byte file", errMalformedELF, size)
	}
	if err := s.need(hdr[elf.EI_NIDENT:n], elf.EI_NIDENT); err != nil {
		return res, err
	}
	l, err := parseHeader(hdr[:n])
	if err != nil || l.off == 0 { // no section table: nothing strip removes by section
		return res, err
	}
	if l.off >= size {
		return res, fmt.Errorf("%w: section table at %d beyond the file's %d bytes", errMalformedELF, l.off, size)
	}
	// Keep the bytes a stream passes just before the table: .shstrtab is
	// there in GNU-linked files.
	if err := s.keep(l.off-nameWindow, l.off); err != nil {
		return res, err
	}
	// Section 0 first: with extended numbering it holds the count.
	sh0 := make([]byte, l.entSize)
	if err := s.need(sh0, l.off); err != nil {
		return res, err
	}
	l.resolve(l.sectionAt(sh0, 0))
	if l.count > maxSections || l.count*uint64(l.entSize) > uint64(size-l.off) {
		return res, fmt.Errorf("%w: %d sections at %d overrun the file's %d bytes", errMalformedELF, l.count, l.off, size)
	}
	tab := make([]byte, max(l.count, 1)*uint64(l.entSize))
	copy(tab, sh0)
	if err := s.need(tab[l.entSize:], l.off+l.entSize); err != nil {
		return res, err
	}
	names, err := readNames(s, &l, tab, size)
	if err != nil {
		return res, err
	}
	res.named = names != ""
	res.saves, err = l.savings(tab, names, size)
	return res, err
}

// savings sums what strip removes: the sections, their headers and, when
// names are known, their names.
func (l *elfLayout) savings(tab []byte, names string, size int64) (int64, error) {
	var saves int64
	for i := uint64(1); i < l.count; i++ {
		sh := l.sectionAt(tab, i)
		name := cstring(names, sh.name)
		if !stripped(sh, i == l.names, names != "", name) {
			continue
		}
		if sh.typ != uint32(elf.SHT_NOBITS) {
			if sh.size > uint64(size) || sh.off > uint64(size)-sh.size {
				return 0, fmt.Errorf("%w: section %d at %d+%d beyond the file's %d bytes", errMalformedELF, i, sh.off, sh.size, size)
			}
			saves += int64(sh.size)
		}
		saves += l.entSize
		if names != "" {
			saves += int64(len(name)) + 1
		}
		if saves > size { // overlapping sections
			return 0, fmt.Errorf("%w: sections strip removes add up to more than the file's %d bytes", errMalformedELF, size)
		}
	}
	return saves, nil
}

// stripped reports whether strip --strip-all drops a section: what objcopy
// calls debugging (by name, as BFD does), the symbol tables, and the
// relocations and strings only they use. Alloc sections are the program.
func stripped(sh section, isNames, named bool, name string) bool {
	if sh.flags&uint64(elf.SHF_ALLOC) != 0 {
		return false
	}
	switch elf.SectionType(sh.typ) {
	case elf.SHT_SYMTAB, elf.SHT_SYMTAB_SHNDX, elf.SHT_REL, elf.SHT_RELA:
		return true
	case elf.SHT_STRTAB:
		return !isNames
	case elf.SHT_PROGBITS:
		if !named {
			return true
		}
		for _, prefix := range []string{".debug", ".zdebug", ".gnu.linkonce.wi.", ".gnu.debuglto_", ".line", ".stab"} {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		}
		return name == ".gdb_index"
	}
	return false
}

func parseHeader(hdr []byte) (elfLayout, error) {
	var l elfLayout
	switch elf.Data(hdr[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		l.bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		l.bo = binary.BigEndian
	default:
		return l, fmt.Errorf("%w: data encoding %d", errMalformedELF, hdr[elf.EI_DATA])
	}
	switch elf.Class(hdr[elf.EI_CLASS]) {
	case elf.ELFCLASS32:
		if len(hdr) < 52 {
			return l, fmt.Errorf("%w: %d-byte header", errMalformedELF, len(hdr))
		}
		l.entSize, l.off = 40, int64(l.bo.Uint32(hdr[32:]))
		hdr = hdr[46:]
	case elf.ELFCLASS64:
		if len(hdr) < 64 {
			return l, fmt.Errorf("%w: %d-byte header", errMalformedELF, len(hdr))
		}
		off := l.bo.Uint64(hdr[40:])
		if off > 1<<62 {
			return l, fmt.Errorf("%w: section table at %d", errMalformedELF, off)
		}
		l.is64, l.entSize, l.off = true, 64, int64(off)
		hdr = hdr[58:]
	default:
		return l, fmt.Errorf("%w: class %d", errMalformedELF, hdr[elf.EI_CLASS])
	}
	// e_shentsize, e_shnum, e_shstrndx
	l.count, l.names = uint64(l.bo.Uint16(hdr[2:])), uint64(l.bo.Uint16(hdr[4:]))
	if ent := l.bo.Uint16(hdr); l.off != 0 && int64(ent) != l.entSize {
		return l, fmt.Errorf("%w: %d-byte section headers, want %d", errMalformedELF, ent, l.entSize)
	}
	return l, nil
}

// resolve applies extended section numbering: past 0xff00 sections the
// header's counts move into section 0.
func (l *elfLayout) resolve(sh0 section) {
	if l.count == 0 {
		l.count = sh0.size
	}
	if l.names == uint64(elf.SHN_XINDEX) {
		l.names = uint64(sh0.link)
	}
}

func (l *elfLayout) sectionAt(tab []byte, i uint64) section {
	b, bo := tab[i*uint64(l.entSize):], l.bo
	if l.is64 {
		return section{name: bo.Uint32(b), typ: bo.Uint32(b[4:]), flags: bo.Uint64(b[8:]),
			off: bo.Uint64(b[24:]), size: bo.Uint64(b[32:]), link: bo.Uint32(b[40:])}
	}
	return section{name: bo.Uint32(b), typ: bo.Uint32(b[4:]), flags: uint64(bo.Uint32(b[8:])),
		off: uint64(bo.Uint32(b[16:])), size: uint64(bo.Uint32(b[20:])), link: bo.Uint32(b[24:])}
}

// readNames returns .shstrtab, or "" when there is none worth reading or
// a stream has passed it.
func readNames(s *source, l *elfLayout, tab []byte, size int64) (string, error) {
	if l.names == 0 || l.names >= l.count {
		return "", nil
	}
	sh := l.sectionAt(tab, l.names)
	if sh.typ != uint32(elf.SHT_STRTAB) || sh.size == 0 || sh.size > min(maxNames, uint64(size)) || sh.off > uint64(size)-sh.size {
		return "", nil
	}
	names := make([]byte, sh.size)
	if ok, err := s.readAt(names, int64(sh.off)); !ok {
		return "", err
	}
	return string(names), nil
}

// cstring returns the NUL-terminated string at off in tab.
func cstring(tab string, off uint32) string {
	if uint64(off) >= uint64(len(tab)) {
		return ""
	}
	tab = tab[off:]
	if i := strings.IndexByte(tab, 0); i >= 0 {
		return tab[:i]
	}
	return tab
}

// source reads a file by offset: at will through a ReaderAt, or forward
// through a stream, keeping one window of the bytes it has passed.
type source struct {
	r      io.Reader
	ra     io.ReaderAt
	pos    int64  // stream: bytes consumed
	win    []byte // stream: the bytes at winOff
	winOff int64
}

// readAt fills p with the bytes at off. ok is false, with no error, when a
// stream has passed them and they are not in the window.
func (s *source) readAt(p []byte, off int64) (ok bool, err error) {
	if s.ra != nil {
		n, err := s.ra.ReadAt(p, off)
		if n == len(p) {
			return true, nil
		}
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return false, err
	}
	if off >= s.pos {
		if err := s.skip(off - s.pos); err != nil {
			return false, err
		}
		n, err := io.ReadFull(s.r, p)
		s.pos += int64(n)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err == nil, err
	}
	if w := off - s.winOff; w >= 0 && w+int64(len(p)) <= int64(len(s.win)) {
		copy(p, s.win[w:])
		return true, nil
	}
	return false, nil
}

// need is readAt for bytes the scan cannot do without.
func (s *source) need(p []byte, off int64) error {
	ok, err := s.readAt(p, off)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %d bytes at %d lie before the %d the stream has passed", errMalformedELF, len(p), off, s.pos)
	}
	return err
}

// keep reads the bytes at [off, end) of a stream into the window, for
// reads that come after the stream has passed them.
func (s *source) keep(off, end int64) error {
	off = max(off, s.pos)
	if s.ra != nil || off >= end {
		return nil
	}
	win := make([]byte, end-off)
	if err := s.need(win, off); err != nil {
		return err
	}
	s.win, s.winOff = win, off
	return nil
}

func (s *source) skip(n int64) error {
	if n == 0 {
		return nil
	}
	m, err := io.CopyN(io.Discard, s.r, n)
	s.pos += m
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}
