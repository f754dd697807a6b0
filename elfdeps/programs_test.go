package elfdeps

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The programs of these tests are compiled here, by gcc and go, linked the
// ways images link them, and run in a chroot holding only their closure.
const (
	greetC    = "#include <stdio.h>\nvoid greet(void) { puts(GREETING); }\n"
	helloC    = "void greet(void);\nint main(void) { greet(); return 0; }\n"
	pongLeafC = "#include <stdio.h>\nvoid pong(void) { puts(\"pong\"); }\n"
	pingC     = "void pong(void);\nvoid ping(void) { pong(); }\n"
	pongC     = "#include <stdio.h>\nvoid ping(void);\nvoid *keep_ping = (void *)ping;\nvoid pong(void) { puts(\"ping pong\"); }\n"
	pingMainC = "void ping(void);\nint main(void) { ping(); return 0; }\n"
	staticGo  = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"static ok\") }\n"
)

// programRoot builds an image root with the host's libc and loader (and
// merged-usr links), dash as /bin/sh, env, and the programs above.
func programRoot(t *testing.T) (root string, libc []string, has32 bool) {
	t.Helper()
	need(t, "gcc", "ldd", "go")
	src, root := t.TempDir(), t.TempDir()
	for _, p := range []string{"/bin/sh", "/usr/bin/env", "/lib", "/lib64", "/bin"} {
		copyChain(t, root, p)
	}
	libc, _, _, ok := ldd(t, "/usr/bin/env")
	if !ok {
		t.Skip("ldd /usr/bin/env: env is not dynamically linked here")
	}
	for _, p := range libc {
		copyChain(t, root, p)
	}
	for name, text := range map[string]string{"greet.c": greetC, "hello.c": helloC, "pong0.c": pongLeafC,
		"ping.c": pingC, "pong.c": pongC, "main.c": pingMainC, "static/main.go": staticGo,
		"static/go.mod": "module static\n\ngo 1.26\n"} {
		writeFile(t, src, name, []byte(text), 0o644)
	}
	so := []string{"-shared", "-fPIC", "-Wl,-soname,libgreet.so.1", "greet.c"}
	run(t, src, nil, "gcc", append(so, `-DGREETING="hello from app"`, "-o", "app.so")...)
	run(t, src, nil, "gcc", append(so, `-DGREETING="hello from env"`, "-o", "env.so")...)
	for name, flags := range map[string][]string{
		"hello-runpath": {"-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/../lib"},
		"hello-rpath":   {"-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/../lib"},
		"hello-mixed":   {"-Wl,--enable-new-dtags", "-Wl,-rpath,/opt/mixed/lib32:/opt/mixed/lib64"},
		"hello-lonely":  nil,
		"hello-bad":     {"-Wl,--enable-new-dtags", "-Wl,-rpath,/opt/bad/lib:/opt/app/lib"},
	} {
		run(t, src, nil, "gcc", append([]string{"hello.c", "app.so", "-o", name}, flags...)...)
	}
	writeFile(t, src, "g32.c", []byte("void greet(void) {}\n"), 0o644)
	has32 = exec.Command("gcc", "-m32", "-nostdlib", "-shared", "-fPIC", "-Wl,-soname,libgreet.so.1",
		"-o", filepath.Join(src, "g32.so"), filepath.Join(src, "g32.c")).Run() == nil
	run(t, src, nil, "gcc", "-shared", "-fPIC", "-Wl,-soname,libpong.so.1", "pong0.c", "-o", "libpong.so.1")
	run(t, src, nil, "gcc", "-shared", "-fPIC", "-Wl,-soname,libping.so.1", "ping.c", "libpong.so.1", "-o", "libping.so.1")
	run(t, src, nil, "gcc", "-shared", "-fPIC", "-Wl,-soname,libpong.so.1", "pong.c", "-Wl,--no-as-needed", "libping.so.1", "-o", "libpong.so.1")
	run(t, src, nil, "gcc", "main.c", "libping.so.1", "-Wl,-rpath-link,.", "-o", "pingpong")
	run(t, filepath.Join(src, "static"), []string{"CGO_ENABLED=0"}, "go", "build", "-o", "../static-go", ".")

	place := [][2]string{
		{"hello-runpath", "/opt/app/bin/hello-runpath"}, {"hello-rpath", "/opt/app/bin/hello-rpath"},
		{"hello-mixed", "/opt/app/bin/hello-mixed"}, {"hello-lonely", "/opt/app/bin/hello-lonely"},
		{"hello-bad", "/opt/app/bin/hello-bad"}, {"greet.c", "/opt/bad/lib/libgreet.so.1"},
		{"app.so", "/opt/app/lib/libgreet.so.1"}, {"env.so", "/env/lib/libgreet.so.1"},
		{"pingpong", "/opt/app/bin/pingpong"}, {"libping.so.1", "/usr/lib/x86_64-linux-gnu/libping.so.1"},
		{"libpong.so.1", "/usr/lib/x86_64-linux-gnu/libpong.so.1"}, {"static-go", "/opt/app/bin/static"},
	}
	if has32 {
		place = append(place, [2]string{"g32.so", "/opt/mixed/lib32/libgreet.so.1"},
			[2]string{"app.so", "/opt/mixed/lib64/libgreet.so.1"})
	}
	for _, p := range place {
		from, to := p[0], p[1]
		data, err := os.ReadFile(filepath.Join(src, from))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, root, to, data, 0o755)
	}
	symlink(t, root, "/opt/app/bin/hello-runpath", "/usr/local/bin/hello")
	writeFile(t, root, "/opt/app/run.sh", []byte("#!/bin/sh -e\necho script ok\n"), 0o755)
	writeFile(t, root, "/opt/app/env.sh", []byte("#!/usr/bin/env hello\n"), 0o755)
	return root, libc, has32
}

func TestClosurePrograms(t *testing.T) {
	root, libc, has32 := programRoot(t)
	const path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	tests := []struct {
		name    string
		paths   []string
		env     []string
		want    []string // paths whose symlink chains make up Files; "libc" stands for the host's libc and loader
		missing []Missing
		static  []string
		decoys  []string // copied into the chroot too: the real loader must pass over them as Closure did
		out     string   // what the program prints in a chroot of Files and decoys
		fails   bool     // the program must fail to start in that chroot
		needs32 bool
	}{
		{name: "RUNPATH $ORIGIN/../lib", paths: []string{"/opt/app/bin/hello-runpath"},
			want: []string{"/opt/app/bin/hello-runpath", "/opt/app/lib/libgreet.so.1", "libc"},
			out:  "hello from app"},
		{name: "LD_LIBRARY_PATH beats RUNPATH", paths: []string{"/opt/app/bin/hello-runpath"},
			env:  []string{"LD_LIBRARY_PATH=/env/lib"},
			want: []string{"/opt/app/bin/hello-runpath", "/env/lib/libgreet.so.1", "libc"},
			out:  "hello from env"},
		{name: "RPATH beats LD_LIBRARY_PATH", paths: []string{"/opt/app/bin/hello-rpath"},
			env:    []string{"LD_LIBRARY_PATH=/env/lib"},
			want:   []string{"/opt/app/bin/hello-rpath", "/opt/app/lib/libgreet.so.1", "libc"},
			decoys: []string{"/env/lib/libgreet.so.1"},
			out:    "hello from app"},
		{name: "symlinked program takes $ORIGIN from its real path", paths: []string{"/usr/local/bin/hello"},
			want: []string{"/usr/local/bin/hello", "/opt/app/lib/libgreet.so.1", "libc"},
			out:  "hello from app"},
		{name: "bare name found in PATH", paths: []string{"hello"},
			want: []string{"/usr/local/bin/hello", "/opt/app/lib/libgreet.so.1", "libc"},
			out:  "hello from app"},
		{name: "32-bit library passed over for a 64-bit program", paths: []string{"/opt/app/bin/hello-mixed"},
			want:   []string{"/opt/app/bin/hello-mixed", "/opt/mixed/lib64/libgreet.so.1", "libc"},
			decoys: []string{"/opt/mixed/lib32/libgreet.so.1"},
			out:    "hello from app", needs32: true},
		{name: "libraries needing each other", paths: []string{"/opt/app/bin/pingpong"},
			want: []string{"/opt/app/bin/pingpong", "/usr/lib/x86_64-linux-gnu/libping.so.1",
				"/usr/lib/x86_64-linux-gnu/libpong.so.1", "libc"},
			out: "ping pong"},
		{name: "missing library", paths: []string{"/opt/app/bin/hello-lonely"},
			want:    []string{"/opt/app/bin/hello-lonely", "libc"},
			missing: []Missing{{Needer: "/opt/app/bin/hello-lonely", Name: "libgreet.so.1"}}},
		{name: "a file that is no library stops the search", paths: []string{"/opt/app/bin/hello-bad"},
			want: []string{"/opt/app/bin/hello-bad", "libc"},
			missing: []Missing{{Needer: "/opt/app/bin/hello-bad", Name: "libgreet.so.1",
				Rejected: []string{"/opt/bad/lib/libgreet.so.1"}}},
			decoys: []string{"/opt/bad/lib/libgreet.so.1", "/opt/app/lib/libgreet.so.1"},
			fails:  true},
		{name: "static Go program", paths: []string{"/opt/app/bin/static"},
			want: []string{"/opt/app/bin/static"}, static: []string{"/opt/app/bin/static"},
			out: "static ok"},
		{name: "script needs its interpreter", paths: []string{"/opt/app/run.sh"},
			want: []string{"/opt/app/run.sh", "/bin/sh", "libc"},
			out:  "script ok"},
		{name: "env script needs env and the command from PATH", paths: []string{"/opt/app/env.sh"},
			want: []string{"/opt/app/env.sh", "/usr/bin/env", "/usr/local/bin/hello", "/opt/app/lib/libgreet.so.1", "libc"},
			out:  "hello from app"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needs32 && !has32 {
				t.Skip("gcc -m32 cannot build a shared object here")
			}
			got, err := Closure(os.DirFS(root), tc.paths, WithEnv(append([]string{path}, tc.env...)))
			if err != nil {
				t.Fatalf("Closure(%q) = %v", tc.paths, err)
			}
			var chains []string
			for _, w := range tc.want {
				if w == "libc" {
					chains = append(chains, libc...)
				} else {
					chains = append(chains, w)
				}
			}
			if want := union(t, root, chains...); !slices.Equal(got.Files, want) {
				t.Errorf("Closure(%q).Files (-want +got):%s", tc.paths, diff(want, got.Files))
			}
			if !reflect.DeepEqual(got.Missing, tc.missing) {
				t.Errorf("Closure(%q).Missing = %+v, want %+v", tc.paths, got.Missing, tc.missing)
			}
			if !slices.Equal(got.Static, tc.static) {
				t.Errorf("Closure(%q).Static = %q, want %q", tc.paths, got.Static, tc.static)
			}
			if tc.out == "" && !tc.fails {
				return
			}
			kept := copyFiles(t, root, append(got.Files, tc.decoys...))
			argv0 := tc.paths[0]
			if !strings.Contains(argv0, "/") {
				argv0 = "/usr/local/bin/" + argv0
			}
			out, err := chrootRun(t, kept, append([]string{"LC_ALL=C", path}, tc.env...), argv0)
			if tc.fails {
				if err == nil {
					t.Errorf("chroot: %s ran, printing %q; ld.so was expected to fail as Closure said", argv0, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("chroot: %s: %v", argv0, err)
			}
			if strings.TrimSpace(out) != tc.out {
				t.Errorf("chroot: %s printed %q, want %q", argv0, out, tc.out)
			}
		})
	}
}
