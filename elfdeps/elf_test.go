package elfdeps

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestReadELF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec elfSpec
		want elfFile
	}{
		{"program", elfSpec{typ: elf.ET_EXEC, interp: "/lib64/ld-linux-x86-64.so.2", needed: []string{"libc.so.6"}},
			elfFile{class: elf.ELFCLASS64, data: elf.ELFDATA2LSB, machine: elf.EM_X86_64, typ: elf.ET_EXEC,
				interp: "/lib64/ld-linux-x86-64.so.2", needed: []string{"libc.so.6"}}},
		{"RUNPATH hides RPATH", elfSpec{needed: []string{"a", "b"}, soname: "liba.so.1", rpath: "/r", runpath: "$ORIGIN/../lib::/x", nodeflib: true},
			elfFile{class: elf.ELFCLASS64, data: elf.ELFDATA2LSB, machine: elf.EM_X86_64, typ: elf.ET_DYN,
				needed: []string{"a", "b"}, soname: "liba.so.1", runpath: []string{"$ORIGIN/../lib", "/x"}, nodeflib: true}},
		{"32-bit big-endian", elfSpec{class: elf.ELFCLASS32, data: elf.ELFDATA2MSB, machine: elf.EM_PPC, rpath: "/r1:/r2", needed: []string{"libc.so.6"}},
			elfFile{class: elf.ELFCLASS32, data: elf.ELFDATA2MSB, machine: elf.EM_PPC, typ: elf.ET_DYN,
				needed: []string{"libc.so.6"}, rpath: []string{"/r1", "/r2"}}},
		{"static", elfSpec{typ: elf.ET_EXEC},
			elfFile{class: elf.ELFCLASS64, data: elf.ELFDATA2LSB, machine: elf.EM_X86_64, typ: elf.ET_EXEC}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readELF(bytes.NewReader(tc.spec.file(t)))
			if err != nil {
				t.Fatalf("readELF(%+v) = %v", tc.spec, err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("readELF(%+v) = %+v, want %+v", tc.spec, *got, tc.want)
			}
		})
	}
}

// TestReadELFMalformed breaks one field of a good file at a time: each must
// give an error wrapping ErrMalformed (or ErrNotELF), never a panic or a
// read of what the header claims.
func TestReadELFMalformed(t *testing.T) {
	t.Parallel()
	good, l := elfSpec{interp: "/lib/ld.so", needed: []string{"libc.so.6"}, runpath: "/x"}.build()
	bo := binary.LittleEndian
	ph := func(i, field int) int { return l.phoff + i*l.phentsize + field }
	const (
		pOffset = 8
		pFilesz = 32
	)
	dynVal := func(tag elf.DynTag) int {
		for off := l.dynOff; off+16 <= len(good); off += 16 {
			if elf.DynTag(bo.Uint64(good[off:])) == tag {
				return off + 8
			}
		}
		t.Fatalf("no %v in the fixture", tag)
		return 0
	}
	tests := []struct {
		name   string
		mutate func(b []byte) []byte
		want   error
	}{
		{"empty", func(b []byte) []byte { return nil }, ErrNotELF},
		{"text", func(b []byte) []byte { return []byte("#!/bin/sh\n") }, ErrNotELF},
		{"magic only", func(b []byte) []byte { return b[:4] }, ErrMalformed},
		{"truncated header", func(b []byte) []byte { return b[:40] }, ErrMalformed},
		{"class 9", func(b []byte) []byte { b[elf.EI_CLASS] = 9; return b }, ErrMalformed},
		{"data encoding 0", func(b []byte) []byte { b[elf.EI_DATA] = 0; return b }, ErrMalformed},
		{"program header entry size 7", func(b []byte) []byte { bo.PutUint16(b[54:], 7); return b }, ErrMalformed},
		{"65535 program headers", func(b []byte) []byte { bo.PutUint16(b[56:], 0xffff); return b }, ErrMalformed},
		{"program headers past the end", func(b []byte) []byte { bo.PutUint64(b[32:], 1<<40); return b }, ErrMalformed},
		{"program header offset overflows", func(b []byte) []byte { bo.PutUint64(b[32:], ^uint64(0)); return b }, ErrMalformed},
		{"PT_INTERP of 1 GiB", func(b []byte) []byte { bo.PutUint64(b[ph(1, pFilesz):], 1<<30); return b }, ErrMalformed},
		{"PT_INTERP past the end", func(b []byte) []byte { bo.PutUint64(b[ph(1, pOffset):], 1<<50); return b }, ErrMalformed},
		{"PT_DYNAMIC of 1 TiB", func(b []byte) []byte { bo.PutUint64(b[ph(l.dyn, pFilesz):], 1<<40); return b }, ErrMalformed},
		{"DT_STRTAB in no PT_LOAD", func(b []byte) []byte { bo.PutUint64(b[dynVal(elf.DT_STRTAB):], 1<<60); return b }, ErrMalformed},
		{"string beyond DT_STRSZ", func(b []byte) []byte { bo.PutUint64(b[dynVal(elf.DT_STRSZ):], 1); return b }, ErrMalformed},
		{"string past the end", func(b []byte) []byte {
			bo.PutUint64(b[dynVal(elf.DT_STRSZ):], 1<<40)
			bo.PutUint64(b[dynVal(elf.DT_NEEDED):], uint64(len(b)-l.strOff))
			return b
		}, ErrMalformed},
		{"string offset overflows", func(b []byte) []byte {
			bo.PutUint64(b[dynVal(elf.DT_STRSZ):], ^uint64(0))
			bo.PutUint64(b[dynVal(elf.DT_NEEDED):], ^uint64(0)-8)
			return b
		}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readELF(bytes.NewReader(tc.mutate(slices.Clone(good))))
			if !errors.Is(err, tc.want) {
				t.Errorf("readELF(%s) = %v, want %v", tc.name, err, tc.want)
			}
		})
	}
	t.Run("too many DT_NEEDED", func(t *testing.T) {
		many := make([]string, maxNeeded+1)
		for i := range many {
			many[i] = "x"
		}
		b, _ := elfSpec{needed: many}.build()
		if _, err := readELF(bytes.NewReader(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("readELF(%d DT_NEEDED) = %v, want ErrMalformed", len(many), err)
		}
	})
	t.Run("every prefix", func(t *testing.T) {
		for n := range len(good) {
			_, err := readELF(bytes.NewReader(good[:n]))
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotELF) {
				t.Fatalf("readELF(first %d of %d bytes) = %v, want ErrMalformed or ErrNotELF", n, len(good), err)
			}
		}
	})
}

// TestReadELFMatchesDebugELF compares the program-header reader with
// debug/elf's section-header reader on this machine's own libraries.
func TestReadELFMatchesDebugELF(t *testing.T) {
	t.Parallel()
	var files []string
	for _, g := range []string{"/usr/lib/x86_64-linux-gnu/*.so*", "/usr/bin/*", "/usr/lib/jvm/*/bin/*"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	checked := 0
	for _, p := range files {
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || checked == 600 {
			continue
		}
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		want := elfFile{class: f.Class, data: f.Data, machine: f.Machine, typ: f.Type}
		want.needed, _ = f.ImportedLibraries()
		str := func(tag elf.DynTag) string { s, _ := f.DynString(tag); return strings.Join(s, ":") }
		want.soname = str(elf.DT_SONAME)
		want.runpath = splitList(str(elf.DT_RUNPATH), ":")
		if len(want.runpath) == 0 {
			want.rpath = splitList(str(elf.DT_RPATH), ":")
		}
		flags, _ := f.DynValue(elf.DT_FLAGS_1)
		want.nodeflib = len(flags) > 0 && flags[0]&uint64(elf.DF_1_NODEFLIB) != 0
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				b := make([]byte, prog.Filesz)
				prog.ReadAt(b, 0)
				want.interp = strings.TrimRight(string(b), "\x00")
			}
		}
		f.Close()
		got, err := readFile(t, p)
		if err != nil {
			t.Errorf("readELF(%s) = %v; debug/elf reads it", p, err)
			continue
		}
		if len(want.needed) == 0 {
			want.needed = nil
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("readELF(%s) = %+v\ndebug/elf says %+v", p, *got, want)
		}
		checked++
	}
	if checked == 0 {
		t.Skip("no ELF files on this machine")
	}
	t.Logf("%d files agree with debug/elf", checked)
}

func readFile(t *testing.T, p string) (*elfFile, error) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readELF(f)
}

// TestClosureNamesBadFile checks that a malformed program is an error that
// names it, reached through a symlink or not.
func TestClosureNamesBadFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	b, _ := elfSpec{interp: "/lib/ld.so"}.build()
	binary.LittleEndian.PutUint16(b[56:], 0xffff)
	writeFile(t, root, "/usr/bin/bad", b, 0o755)
	symlink(t, root, "bad", "/usr/bin/alias")
	for _, in := range []string{"/usr/bin/bad", "/usr/bin/alias"} {
		_, err := Closure(os.DirFS(root), []string{in})
		pe, ok := errors.AsType[*fs.PathError](err)
		if !errors.Is(err, ErrMalformed) || !ok || pe.Path != "/usr/bin/bad" {
			t.Errorf("Closure(%q) = %v, want an *fs.PathError for /usr/bin/bad wrapping ErrMalformed", in, err)
		}
	}
}
