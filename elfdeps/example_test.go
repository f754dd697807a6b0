package elfdeps_test

import (
	"debug/elf"
	"fmt"
	"io/fs"
	"log"
	"os"
	"testing/fstest"

	"github.com/dietimage/diet/elfdeps"
)

// A script's closure is the script, its interpreter and every symlink on
// the way. Here the interpreter is a static program: an ELF header with
// nothing to load.
func ExampleClosure() {
	busybox := make([]byte, 64)
	copy(busybox, "\x7fELF\x02\x01\x01")
	busybox[16], busybox[18] = byte(elf.ET_EXEC), byte(elf.EM_X86_64)
	fsys := fstest.MapFS{
		"bin":             {Data: []byte("usr/bin"), Mode: fs.ModeSymlink},
		"usr/bin/sh":      {Data: []byte("busybox"), Mode: fs.ModeSymlink},
		"usr/bin/busybox": {Data: busybox, Mode: 0o755},
		"app/run.sh":      {Data: []byte("#!/bin/sh -e\nexec ./server\n"), Mode: 0o755},
	}
	res, err := elfdeps.Closure(fsys, []string{"/app/run.sh"})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Files {
		fmt.Println(f)
	}
	fmt.Println("static:", res.Static)
	// Output:
	// /app/run.sh
	// /bin
	// /usr/bin/busybox
	// /usr/bin/sh
	// static: [/usr/bin/busybox]
}

// The closure of a real program in this machine's own root, with the
// environment from an image config.
func ExampleClosure_host() {
	res, err := elfdeps.Closure(os.DirFS("/"), []string{"/usr/bin/ls"},
		elfdeps.WithEnv([]string{"PATH=/usr/bin:/bin", "LD_LIBRARY_PATH=/opt/lib"}))
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range res.Missing {
		fmt.Printf("%s needs %s: not found\n", m.Needer, m.Name)
	}
	fmt.Println(len(res.Files) > 1)
}

func ExampleShebang() {
	fsys := fstest.MapFS{"entrypoint.sh": {Data: []byte("#!/usr/bin/env -S python3 -u\n")}}
	interp, args, ok := elfdeps.Shebang(fsys, "/entrypoint.sh")
	fmt.Printf("%s %q %v\n", interp, args, ok)
	// Output: /usr/bin/env ["-S python3 -u"] true
}
