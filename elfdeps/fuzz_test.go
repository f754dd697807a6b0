package elfdeps

import (
	"debug/elf"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzClosure runs Closure over a root whose program, libc and loader are
// the fuzzer's bytes, with loops, includes and links about: no panic, and
// whatever comes back lies inside the root.
func FuzzClosure(f *testing.F) {
	for _, s := range []elfSpec{
		exe("libc.so.6"),
		{interp: "/lib64/ld-linux-x86-64.so.2", needed: []string{"$ORIGIN/../lib/liba.so", "libc.so.6"}, rpath: "$LIB:${PLATFORM}:$ORIGIN"},
		{class: elf.ELFCLASS32, machine: elf.EM_386, interp: "/lib/ld-linux.so.2", needed: []string{"libc.so.6"}, runpath: "/lib32"},
		{data: elf.ELFDATA2MSB, machine: elf.EM_PPC64, interp: "/lib/ld-musl-powerpc64.so.1", needed: []string{"libc.so"}},
		{soname: "libc.so.6", needed: []string{"ld-linux-x86-64.so.2", "libc.so.6"}, nodeflib: true},
	} {
		b, _ := s.build()
		f.Add(b)
	}
	f.Add([]byte("#!/usr/bin/env -S prog -x\n"))
	f.Add([]byte("#!/bin/prog\n"))
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"bin/prog":                           {Data: data, Mode: 0o755},
			"usr/bin/env":                        {Data: data, Mode: 0o755},
			"usr/lib/x86_64-linux-gnu/libc.so.6": {Data: data},
			"usr/lib/liba.so":                    {Data: data},
			"lib":                                {Data: []byte("usr/lib"), Mode: fs.ModeSymlink},
			"lib64/ld-linux-x86-64.so.2":         {Data: []byte("/../../lib64/ld-linux-x86-64.so.2"), Mode: fs.ModeSymlink},
			"lib/ld-musl-powerpc64.so.1":         {Data: data},
			"lib32":                              {Data: []byte("lib32"), Mode: fs.ModeSymlink},
			"etc/ld.so.conf":                     {Data: []byte("include /etc/ld.so.conf\ninclude ld.so.conf.d/*\n/opt/x\n")},
			"etc/ld.so.conf.d/a":                 {Data: data},
			"etc/ld.so.preload":                  {Data: []byte("liba.so")},
		}
		res, err := Closure(fsys, []string{"/bin/prog"}, WithEnv([]string{"LD_LIBRARY_PATH=$ORIGIN:/lib", "LD_PRELOAD=/usr/lib/liba.so"}))
		Shebang(fsys, "bin/prog")
		IsELF(fsys, "bin/prog")
		if err != nil {
			return
		}
		for _, p := range res.Files {
			if !strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
				t.Fatalf("Closure gave %q, not a clean rooted path", p)
			}
			if _, err := fs.Lstat(fsys, p[1:]); err != nil {
				t.Fatalf("Closure gave %q, which is not in the root: %v", p, err)
			}
		}
	})
}
