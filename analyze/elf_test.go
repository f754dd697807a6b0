package analyze

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// scanBoth runs the scan over data as a seekable file and as a stream.
func scanBoth(data []byte) (ra, stream elfScan, raErr, streamErr error) {
	size := int64(len(data))
	ra, raErr = scanELF(&source{ra: bytes.NewReader(data)}, size)
	stream, streamErr = scanELF(&source{r: struct{ io.Reader }{bytes.NewReader(data)}}, size)
	return ra, stream, raErr, streamErr
}

// oracle computes the savings with the standard library's ELF parser and
// the same rule, so that it checks our parser; strip itself checks the
// rule. named says whether section names are used.
func oracle(t *testing.T, data []byte, named bool) int64 {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("debug/elf: %v", err)
	}
	ent := int64(64)
	if f.Class == elf.ELFCLASS32 {
		ent = 40
	}
	var saves int64
	for i, s := range f.Sections {
		sh := section{typ: uint32(s.Type), flags: uint64(s.Flags), size: s.FileSize}
		if i == 0 || !stripped(sh, s.Name == ".shstrtab", named, s.Name) {
			continue
		}
		if s.Type != elf.SHT_NOBITS {
			saves += int64(s.FileSize)
		}
		if saves += ent; named {
			saves += int64(len(s.Name)) + 1
		}
	}
	return saves
}

// goBuild builds a tiny program for linux/goarch with extra flags.
func goBuild(t *testing.T, goarch string, flags ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds Go binaries")
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":  "module tiny\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hi\\n\") }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "tiny")
	cmd := exec.Command(gotool, append(append([]string{"build", "-o", out}, flags...), ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("go build for %s: %v\n%s", goarch, err, b)
	}
	return out
}

// stripDelta runs binutils' strip --strip-all on a copy of path and returns
// the bytes it removed; ok is false when strip is absent or refuses.
func stripDelta(t *testing.T, path string) (int64, bool) {
	t.Helper()
	tool, err := exec.LookPath("strip")
	if err != nil {
		return 0, false
	}
	out := path + ".stripped"
	if b, err := exec.Command(tool, "--strip-all", "-o", out, path).CombinedOutput(); err != nil {
		t.Logf("strip %s: %v\n%s", path, err, b)
		return 0, false
	}
	before, after := fileSize(t, path), fileSize(t, out)
	return before - after, true
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// checkBinary asserts what holds for any real binary: both read paths
// agree with each other and with debug/elf, and with strip within 2%.
func checkBinary(t *testing.T, path string, wantZero bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ra, stream, raErr, streamErr := scanBoth(data)
	if raErr != nil || streamErr != nil {
		t.Fatalf("stripSavings = %v (ReaderAt), %v (stream), want no error", raErr, streamErr)
	}
	if !ra.isELF || !ra.named || ra != stream {
		t.Errorf("stripSavings: ReaderAt %+v, stream %+v; want equal, ELF, named", ra, stream)
	}
	if want := oracle(t, data, true); ra.saves != want {
		t.Errorf("stripSavings = %d, debug/elf says %d", ra.saves, want)
	}
	if wantZero {
		if ra.saves != 0 {
			t.Errorf("stripSavings of a stripped binary = %d, want 0", ra.saves)
		}
		return
	}
	if ra.saves < int64(len(data))/10 {
		t.Errorf("stripSavings = %d of %d bytes, want a debug build's share", ra.saves, len(data))
	}
	delta, ok := stripDelta(t, path)
	if !ok {
		return
	}
	if diff := ra.saves - delta; diff*50 > delta || -diff*50 > delta {
		t.Errorf("stripSavings = %d, strip --strip-all removes %d (%+d): want within 2%%", ra.saves, delta, diff)
	}
	t.Logf("%s: %d bytes, saves %d, strip removes %d", filepath.Base(path), len(data), ra.saves, delta)
	after, err := os.ReadFile(path + ".stripped")
	if err != nil {
		t.Fatal(err)
	}
	if saves, isELF, err := stripSavings(nil, bytes.NewReader(after), int64(len(after))); saves != 0 || !isELF || err != nil {
		t.Errorf("stripSavings after strip = %d, %v, %v; want 0, true, nil", saves, isELF, err)
	}
}

// TestStripSavingsGo covers ELF32 and ELF64 in both byte orders with real
// Go binaries: the Go linker writes the section table first.
func TestStripSavingsGo(t *testing.T) {
	for _, tc := range []struct {
		name, goarch string
		flags        []string
		wantZero     bool
	}{
		{"amd64", "amd64", nil, false},
		{"amd64 -s -w", "amd64", []string{"-ldflags=-s -w"}, true},
		{"386 (ELF32 LSB)", "386", nil, false},
		{"s390x (ELF64 MSB)", "s390x", nil, false},
		{"mips (ELF32 MSB)", "mips", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkBinary(t, goBuild(t, tc.goarch, tc.flags...), tc.wantZero)
		})
	}
}

// TestStripSavingsC covers a gcc -g binary: GNU ld writes .shstrtab just
// before the section table, at the end.
func TestStripSavingsC(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	code := "#include <stdio.h>\nstatic int twice(int x) { return 2 * x; }\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }\n"
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hello")
	if b, err := exec.Command(gcc, "-g", "-O1", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	checkBinary(t, bin, false)
}

// TestStripSavingsReadsLittle checks that a seekable file costs a few small
// reads, not the binary.
func TestStripSavingsReadsLittle(t *testing.T) {
	data, err := os.ReadFile(goBuild(t, "amd64"))
	if err != nil {
		t.Fatal(err)
	}
	ra := &countingReaderAt{r: bytes.NewReader(data)}
	if _, _, err := stripSavings(nil, ra, int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if ra.bytes > 8<<10 || ra.reads > 5 { // ident, header, section 0, the rest, .shstrtab
		t.Errorf("stripSavings read %d bytes in %d reads of a %d-byte binary, want a few small reads", ra.bytes, ra.reads, len(data))
	}
}

type countingReaderAt struct {
	r            io.ReaderAt
	reads, bytes int
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	c.bytes += len(p)
	return c.r.ReadAt(p, off)
}

func TestStripSavingsNotELF(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"empty", ""},
		{"short magic", "\x7fEL"},
		{"script", "#!/bin/sh\nexec app \"$@\"\n"},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
		{"zeros", string(make([]byte, 4096))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ra, stream, raErr, streamErr := scanBoth([]byte(tc.data))
			if ra.isELF || stream.isELF || ra.saves != 0 || raErr != nil || streamErr != nil {
				t.Errorf("stripSavings = %+v, %v (ReaderAt), %+v, %v (stream); want not ELF", ra, raErr, stream, streamErr)
			}
		})
	}
}

type synthSection struct {
	name  string
	typ   elf.SectionType
	flags elf.SectionFlag
	size  int
}

// Layouts of synthetic files, after the linkers that write them.
const (
	layoutGo  = iota // header, section table, sections, .shstrtab last
	layoutGNU        // header, sections, .shstrtab, section table last
	layoutFar        // header, .shstrtab, a big section, section table last
)

var synthSections = []synthSection{
	{".text", elf.SHT_PROGBITS, elf.SHF_ALLOC | elf.SHF_EXECINSTR, 300},
	{".bss", elf.SHT_NOBITS, elf.SHF_ALLOC | elf.SHF_WRITE, 4096},
	{".comment", elf.SHT_PROGBITS, 0, 40},
	{".debug_info", elf.SHT_PROGBITS, elf.SHF_COMPRESSED, 900},
	{".zdebug_line", elf.SHT_PROGBITS, 0, 200},
	{".rela.debug_info", elf.SHT_RELA, 0, 48},
	{".symtab", elf.SHT_SYMTAB, 0, 240},
	{".strtab", elf.SHT_STRTAB, 0, 70},
	{".note.stapsdt", elf.SHT_NOTE, 0, 60},
}

// synthELF lays out an ELF file with the given sections and .shstrtab.
func synthELF(class elf.Class, bo binary.ByteOrder, secs []synthSection, layout int) []byte {
	is64 := class == elf.ELFCLASS64
	hdrSize, ent := 52, 40
	if is64 {
		hdrSize, ent = 64, 64
	}
	secs = append(append([]synthSection{{}}, secs...), synthSection{".shstrtab", elf.SHT_STRTAB, 0, 0})
	names := []byte{0}
	nameOff := make([]int, len(secs))
	for i, s := range secs[1:] {
		nameOff[i+1] = len(names)
		names = append(append(names, s.name...), 0)
	}
	secs[len(secs)-1].size = len(names)
	tableSize := ent * len(secs)
	offs := make([]int, len(secs))
	buf := make([]byte, hdrSize)
	shoff := hdrSize
	if layout == layoutGo {
		buf = append(buf, make([]byte, tableSize)...)
	}
	if layout == layoutFar {
		offs[len(secs)-1] = len(buf)
		buf = append(buf, names...)
		buf = append(buf, make([]byte, 2*nameWindow)...)
	}
	for i, s := range secs[1 : len(secs)-1] {
		offs[i+1] = len(buf)
		if s.typ != elf.SHT_NOBITS {
			buf = append(buf, bytes.Repeat([]byte{byte(i + 1)}, s.size)...)
		}
	}
	if layout != layoutFar {
		offs[len(secs)-1] = len(buf)
		buf = append(buf, names...)
	}
	if layout != layoutGo {
		shoff = len(buf)
		buf = append(buf, make([]byte, tableSize)...)
	}
	copy(buf, elf.ELFMAG)
	buf[elf.EI_CLASS], buf[elf.EI_VERSION] = byte(class), byte(elf.EV_CURRENT)
	buf[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	if bo == binary.BigEndian {
		buf[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	put16 := func(off int, v int) { bo.PutUint16(buf[off:], uint16(v)) }
	put32 := func(off int, v int) { bo.PutUint32(buf[off:], uint32(v)) }
	word := func(off int, v int) int { // an address-sized field: returns the next offset
		if is64 {
			bo.PutUint64(buf[off:], uint64(v))
			return off + 8
		}
		put32(off, v)
		return off + 4
	}
	put16(16, int(elf.ET_EXEC))
	put16(18, int(elf.EM_X86_64))
	put32(20, 1)
	next := word(word(word(24, 0), 0), shoff) // entry, phoff, shoff
	put32(next, 0)
	put16(next+4, hdrSize)
	put16(next+10, ent)
	put16(next+12, len(secs))
	put16(next+14, len(secs)-1)
	for i, s := range secs[1:] {
		b := shoff + (i+1)*ent
		put32(b, nameOff[i+1])
		put32(b+4, int(s.typ))
		o := word(word(word(word(b+8, int(s.flags)), 0), offs[i+1]), s.size) // flags, addr, offset, size
		put32(o+4, 0)
		word(o+8, 1) // addralign
	}
	return buf
}

// TestStripSavingsSynthetic covers every class, byte order and layout:
// both read paths agree with debug/elf, by name.
func TestStripSavingsSynthetic(t *testing.T) {
	for _, class := range []elf.Class{elf.ELFCLASS32, elf.ELFCLASS64} {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			for layout, name := range []string{"go", "gnu", "far"} {
				t.Run(class.String()+"/"+bo.String()+"/"+name, func(t *testing.T) {
					data := synthELF(class, bo, synthSections, layout)
					ra, stream, raErr, streamErr := scanBoth(data)
					if raErr != nil || streamErr != nil {
						t.Fatalf("stripSavings = %v (ReaderAt), %v (stream)", raErr, streamErr)
					}
					if want := oracle(t, data, true); ra.saves != want || !ra.named {
						t.Errorf("stripSavings (ReaderAt) = %+v, debug/elf says %d", ra, want)
					}
					want := ra
					if layout == layoutFar { // the stream passed .shstrtab: no names, .comment counted
						want = elfScan{saves: oracle(t, data, false), isELF: true}
					}
					if stream != want {
						t.Errorf("stripSavings (stream) = %+v, want %+v", stream, want)
					}
				})
			}
		}
	}
}

// hostile returns a valid ELF64 LSB file (GNU layout) changed by edit,
// which gets the section table offset.
func hostile(edit func(b []byte, shoff int)) []byte {
	b := synthELF(elf.ELFCLASS64, binary.LittleEndian, synthSections, layoutGNU)
	edit(b, int(binary.LittleEndian.Uint64(b[40:])))
	return b
}

func TestStripSavingsHostile(t *testing.T) {
	le := binary.LittleEndian
	symtab := 7 // index of .symtab in synthSections, after the null section
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr error // nil: a valid file
	}{
		{"section table beyond the file", hostile(func(b []byte, _ int) { le.PutUint64(b[40:], uint64(len(b)+100)) }), errMalformedELF},
		{"section table at 2^63", hostile(func(b []byte, _ int) { le.PutUint64(b[40:], 1<<63) }), errMalformedELF},
		{"65535 sections", hostile(func(b []byte, _ int) { le.PutUint16(b[60:], 0xffff) }), errMalformedELF},
		{"extended count 2^40", hostile(func(b []byte, o int) { le.PutUint16(b[60:], 0); le.PutUint64(b[o+32:], 1<<40) }), errMalformedELF},
		{"32-byte section headers", hostile(func(b []byte, _ int) { le.PutUint16(b[58:], 32) }), errMalformedELF},
		{"symtab beyond the file", hostile(func(b []byte, o int) { le.PutUint64(b[o+symtab*64+24:], uint64(len(b))) }), errMalformedELF},
		{"symtab of 2^63 bytes", hostile(func(b []byte, o int) { le.PutUint64(b[o+symtab*64+32:], 1<<63) }), errMalformedELF},
		{"overlapping sections", hostile(func(b []byte, o int) {
			for i := 3; i <= 8; i++ {
				le.PutUint64(b[o+i*64+24:], 0)
				le.PutUint64(b[o+i*64+32:], uint64(len(b)))
			}
		}), errMalformedELF},
		{"overlapping sections, then one beyond the file", hostile(func(b []byte, o int) {
			for i := 3; i <= 6; i++ {
				le.PutUint64(b[o+i*64+24:], 0)
				le.PutUint64(b[o+i*64+32:], uint64(len(b)/2))
			}
			le.PutUint64(b[o+symtab*64+24:], uint64(len(b)))
		}), errMalformedELF},
		{"class 7", hostile(func(b []byte, _ int) { b[elf.EI_CLASS] = 7 }), errMalformedELF},
		{"data encoding 9", hostile(func(b []byte, _ int) { b[elf.EI_DATA] = 9 }), errMalformedELF},
		{"truncated header", hostile(func(b []byte, _ int) {})[:20], errMalformedELF},
		{"no section table", hostile(func(b []byte, _ int) { le.PutUint64(b[40:], 0) }), nil},
		{"names index out of range", hostile(func(b []byte, _ int) { le.PutUint16(b[62:], 999) }), nil},
		{"names not a string table", hostile(func(b []byte, o int) { le.PutUint32(b[o+10*64+4:], uint32(elf.SHT_PROGBITS)) }), nil},
		{"extended numbering", hostile(func(b []byte, o int) {
			le.PutUint64(b[o+32:], uint64(le.Uint16(b[60:])))
			le.PutUint32(b[o+40:], uint32(le.Uint16(b[62:])))
			le.PutUint16(b[60:], 0)
			le.PutUint16(b[62:], uint16(elf.SHN_XINDEX))
		}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ra, stream, raErr, streamErr := scanBoth(tc.data)
			for _, got := range []struct {
				how string
				res elfScan
				err error
			}{{"ReaderAt", ra, raErr}, {"stream", stream, streamErr}} {
				if !got.res.isELF || got.res.saves < 0 || got.res.saves > int64(len(tc.data)) {
					t.Errorf("stripSavings (%s) = %+v, want ELF and 0 <= saves <= %d", got.how, got.res, len(tc.data))
				}
				if tc.wantErr == nil && got.err != nil || tc.wantErr != nil && !errors.Is(got.err, tc.wantErr) {
					t.Errorf("stripSavings (%s) error = %v, want %v", got.how, got.err, tc.wantErr)
				}
			}
		})
	}
	t.Run("extended numbering counts as usual", func(t *testing.T) {
		base, _, _, _ := scanBoth(hostile(func([]byte, int) {}))
		ext, _, _, _ := scanBoth(hostile(func(b []byte, o int) {
			le.PutUint64(b[o+32:], uint64(le.Uint16(b[60:])))
			le.PutUint32(b[o+40:], uint32(le.Uint16(b[62:])))
			le.PutUint16(b[60:], 0)
			le.PutUint16(b[62:], uint16(elf.SHN_XINDEX))
		}))
		if ext != base {
			t.Errorf("stripSavings with extended numbering = %+v, want %+v", ext, base)
		}
	})
}

// TestStripSavingsTruncated: a layer that ends before the size its header
// declared is the caller's error to report.
func TestStripSavingsTruncated(t *testing.T) {
	data := synthELF(elf.ELFCLASS64, binary.LittleEndian, synthSections, layoutGNU)
	size, short := int64(len(data)), data[:len(data)/2]
	if _, _, err := stripSavings(bytes.NewReader(short), nil, size); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("stripSavings (stream) of a truncated file = %v, want %v", err, io.ErrUnexpectedEOF)
	}
	if _, _, err := stripSavings(nil, bytes.NewReader(short), size); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("stripSavings (ReaderAt) of a truncated file = %v, want %v", err, io.ErrUnexpectedEOF)
	}
}

func FuzzStripSavings(f *testing.F) {
	for _, class := range []elf.Class{elf.ELFCLASS32, elf.ELFCLASS64} {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			for layout := range 3 {
				f.Add(synthELF(class, bo, synthSections, layout))
			}
		}
	}
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ra, stream, raErr, streamErr := scanBoth(data)
		for _, res := range []elfScan{ra, stream} {
			if res.saves < 0 || res.saves > int64(len(data)) {
				t.Fatalf("stripSavings = %+v of %d bytes", res, len(data))
			}
		}
		if ra.isELF != stream.isELF {
			t.Fatalf("stripSavings: ReaderAt %+v, stream %+v disagree on ELF", ra, stream)
		}
		if raErr == nil && streamErr == nil && ra.named == stream.named && ra.saves != stream.saves {
			t.Fatalf("stripSavings: ReaderAt %+v, stream %+v", ra, stream)
		}
	})
}
