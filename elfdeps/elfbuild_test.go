package elfdeps

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"testing"
)

// elfSpec describes a small but complete ELF file: one PT_LOAD holding the
// whole file, PT_INTERP, and PT_DYNAMIC with its string table, laid out as
// linkers lay them out. It has no code: these files are parsed, never run
// (the programs that run are built by gcc and go in programs_test.go).
type elfSpec struct {
	class    elf.Class   // default ELFCLASS64
	data     elf.Data    // default ELFDATA2LSB
	machine  elf.Machine // default EM_X86_64
	typ      elf.Type    // default ET_DYN
	interp   string
	needed   []string
	soname   string
	rpath    string
	runpath  string
	nodeflib bool
}

// elfLayout says where build put things, for tests that break them.
type elfLayout struct {
	phoff, phentsize int
	load, dyn        int // indexes of PT_LOAD and PT_DYNAMIC (-1 when absent)
	strOff, dynOff   int
	base             uint64 // vaddr of file offset 0
}

const buildBase = 0x400000

func (s elfSpec) build() ([]byte, elfLayout) {
	is64 := s.class != elf.ELFCLASS32
	var bo binary.ByteOrder = binary.LittleEndian
	if s.data == elf.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	l := elfLayout{phoff: 52, phentsize: 32, dyn: -1, base: buildBase}
	dynent := 8
	if is64 {
		l.phoff, l.phentsize, dynent = 64, 56, 16
	}
	strtab := []byte{0}
	str := func(x string) uint64 {
		off := len(strtab)
		strtab = append(append(strtab, x...), 0)
		return uint64(off)
	}
	var dyn [][2]uint64
	for _, n := range s.needed {
		dyn = append(dyn, [2]uint64{uint64(elf.DT_NEEDED), str(n)})
	}
	for _, kv := range []struct {
		tag elf.DynTag
		v   string
	}{{elf.DT_SONAME, s.soname}, {elf.DT_RPATH, s.rpath}, {elf.DT_RUNPATH, s.runpath}} {
		if kv.v != "" {
			dyn = append(dyn, [2]uint64{uint64(kv.tag), str(kv.v)})
		}
	}
	if s.nodeflib {
		dyn = append(dyn, [2]uint64{uint64(elf.DT_FLAGS_1), uint64(elf.DF_1_NODEFLIB)})
	}
	nph := 1
	if s.interp != "" {
		nph++
	}
	if len(dyn) > 0 {
		nph++
	}
	interpOff := l.phoff + nph*l.phentsize
	l.strOff = interpOff + len(s.interp) + 1
	l.dynOff = (l.strOff + len(strtab) + 7) &^ 7
	if len(dyn) > 0 {
		dyn = append(dyn, [2]uint64{uint64(elf.DT_STRTAB), l.base + uint64(l.strOff)},
			[2]uint64{uint64(elf.DT_STRSZ), uint64(len(strtab))}, [2]uint64{uint64(elf.DT_NULL), 0})
	}
	b := make([]byte, l.dynOff+len(dyn)*dynent)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(orDefault(s.class, elf.ELFCLASS64)), byte(orDefault(s.data, elf.ELFDATA2LSB)), 1
	bo.PutUint16(b[16:], uint16(orDefault(s.typ, elf.ET_DYN)))
	bo.PutUint16(b[18:], uint16(orDefault(s.machine, elf.EM_X86_64)))
	bo.PutUint32(b[20:], 1)
	if is64 {
		bo.PutUint64(b[32:], uint64(l.phoff))
		bo.PutUint16(b[52:], 64)
		bo.PutUint16(b[54:], uint16(l.phentsize))
		bo.PutUint16(b[56:], uint16(nph))
	} else {
		bo.PutUint32(b[28:], uint32(l.phoff))
		bo.PutUint16(b[40:], 52)
		bo.PutUint16(b[42:], uint16(l.phentsize))
		bo.PutUint16(b[44:], uint16(nph))
	}
	i := 0
	ph := func(typ elf.ProgType, off, size int) int {
		p := b[l.phoff+i*l.phentsize:]
		vaddr := l.base + uint64(off)
		bo.PutUint32(p, uint32(typ))
		if is64 {
			bo.PutUint64(p[8:], uint64(off))
			bo.PutUint64(p[16:], vaddr)
			bo.PutUint64(p[24:], vaddr)
			bo.PutUint64(p[32:], uint64(size))
			bo.PutUint64(p[40:], uint64(size))
		} else {
			bo.PutUint32(p[4:], uint32(off))
			bo.PutUint32(p[8:], uint32(vaddr))
			bo.PutUint32(p[12:], uint32(vaddr))
			bo.PutUint32(p[16:], uint32(size))
			bo.PutUint32(p[20:], uint32(size))
		}
		i++
		return i - 1
	}
	l.load = ph(elf.PT_LOAD, 0, len(b))
	if s.interp != "" {
		ph(elf.PT_INTERP, interpOff, len(s.interp)+1)
		copy(b[interpOff:], s.interp)
	}
	if len(dyn) > 0 {
		l.dyn = ph(elf.PT_DYNAMIC, l.dynOff, len(dyn)*dynent)
	}
	copy(b[l.strOff:], strtab)
	for j, d := range dyn {
		p := b[l.dynOff+j*dynent:]
		if is64 {
			bo.PutUint64(p, d[0])
			bo.PutUint64(p[8:], d[1])
		} else {
			bo.PutUint32(p, uint32(d[0]))
			bo.PutUint32(p[4:], uint32(d[1]))
		}
	}
	return b, l
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// file builds the file and checks that debug/elf reads the same program
// headers, so the fixtures are ELF by another parser's word, not only ours.
func (s elfSpec) file(t testing.TB) []byte {
	t.Helper()
	b, _ := s.build()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("debug/elf rejects the fixture %+v: %v", s, err)
	}
	if f.Class != orDefault(s.class, elf.ELFCLASS64) || f.Machine != orDefault(s.machine, elf.EM_X86_64) {
		t.Fatalf("debug/elf reads class %v machine %v for %+v", f.Class, f.Machine, s)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			got, _ := io.ReadAll(p.Open())
			if string(got) != s.interp+"\x00" {
				t.Fatalf("debug/elf reads PT_INTERP %q, want %q", got, s.interp)
			}
		}
	}
	return b
}
