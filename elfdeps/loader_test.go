package elfdeps

import (
	"debug/elf"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"testing"
)

// Entries of a fixture root: an ELF file built from a spec, raw bytes, or
// a symlink.
type (
	link string
	text string
)

func makeRoot(t *testing.T, entries map[string]any) string {
	t.Helper()
	root := t.TempDir()
	for p, e := range entries {
		switch e := e.(type) {
		case elfSpec:
			writeFile(t, root, p, e.file(t), 0o755)
		case text:
			writeFile(t, root, p, []byte(e), 0o755)
		case link:
			symlink(t, root, string(e), p)
		case nil:
			if err := os.MkdirAll(root+p, 0o755); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("entry %q: %T", p, e)
		}
	}
	return root
}

const ldLinux = "/lib64/ld-linux-x86-64.so.2"

func exe(needed ...string) elfSpec {
	return elfSpec{typ: elf.ET_DYN, interp: ldLinux, needed: needed}
}

func lib(soname string, needed ...string) elfSpec {
	return elfSpec{soname: soname, needed: needed}
}

// glibcBase is the runtime every glibc fixture has.
var glibcBase = map[string]any{
	ldLinux:                           lib("ld-linux-x86-64.so.2"),
	"/lib/x86_64-linux-gnu/libc.so.6": lib("libc.so.6", "ld-linux-x86-64.so.2"),
}

func with(m map[string]any, more map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// TestClosureLoaderRules checks the rules of glibc's and musl's loaders one
// at a time, on roots of ELF files built for each rule.
func TestClosureLoaderRules(t *testing.T) {
	t.Parallel()
	base := []string{"/lib/x86_64-linux-gnu/libc.so.6", ldLinux}
	be := lib("libbe.so")
	be.data = elf.ELFDATA2MSB
	arm := lib("libm1.so")
	arm.machine = elf.EM_AARCH64
	musl := exe("libfoo.so", "libbar.so.1", "libc.musl-x86_64.so.1")
	musl.interp, musl.runpath = "/lib/ld-musl-x86_64.so.1", "/opt/x"
	glibc := exe("libfoo.so", "libbar.so.1", "libc.so.6")
	glibc.runpath = "/opt/x"
	rpath, runpath := exe("liba.so"), exe("liba.so")
	rpath.rpath, runpath.runpath = "/opt/r", "/opt/r"
	nodeflib := exe("libc.so.6")
	nodeflib.nodeflib = true
	dst := exe("libc.so.6", "liba.so", "libb.so")
	dst.runpath = "/opt/$LIB:/opt/p/${PLATFORM}"
	mixed := exe("libm1.so", "libbe.so")
	mixed.runpath = "/opt/m"
	tests := []struct {
		name    string
		root    map[string]any
		paths   []string
		opts    []Option
		files   []string
		missing []Missing
	}{
		{name: "DT_SONAME satisfies a later name", root: with(glibcBase, map[string]any{
			"/app/prog": glibc, "/opt/x/libfoo.so": lib("libfoo.so.1"), "/usr/lib/libbar.so.1": lib("libbar.so.1", "libfoo.so.1")}),
			paths: []string{"/app/prog"}, files: append([]string{"/app/prog", "/opt/x/libfoo.so", "/usr/lib/libbar.so.1"}, base...)},
		{name: "musl matches no DT_SONAME and is its own libc", root: map[string]any{
			"/app/prog": musl, "/lib/ld-musl-x86_64.so.1": lib(""), "/opt/x/libfoo.so": lib("libfoo.so.1"),
			"/usr/lib/libbar.so.1": lib("libbar.so.1", "libfoo.so.1", "libc.musl-x86_64.so.1")},
			paths:   []string{"/app/prog"},
			files:   []string{"/app/prog", "/lib/ld-musl-x86_64.so.1", "/opt/x/libfoo.so", "/usr/lib/libbar.so.1"},
			missing: []Missing{{Needer: "/usr/lib/libbar.so.1", Name: "libfoo.so.1"}}},
		{name: "missing interpreter", root: with(glibcBase, map[string]any{"/app/prog": elfSpec{interp: "/lib/ld-nowhere.so.2", needed: []string{"libc.so.6"}}}),
			paths: []string{"/app/prog"}, files: []string{"/app/prog", "/lib/x86_64-linux-gnu/libc.so.6", ldLinux},
			missing: []Missing{{Needer: "/app/prog", Name: "/lib/ld-nowhere.so.2"}}},
		{name: "DT_NEEDED with a path and $ORIGIN", root: with(glibcBase, map[string]any{
			"/app/prog": exe("/opt/abs/libabs.so", "$ORIGIN/libself.so"), "/opt/abs/libabs.so": lib(""), "/app/libself.so": lib("")}),
			paths: []string{"/app/prog"}, files: []string{"/app/libself.so", "/app/prog", "/opt/abs/libabs.so", ldLinux}},
		{name: "$LIB and ${PLATFORM}", root: with(glibcBase, map[string]any{
			"/app/prog": dst, "/opt/lib64/liba.so": lib(""), "/opt/p/x86_64/libb.so": lib("")}),
			paths: []string{"/app/prog"}, files: append([]string{"/app/prog", "/opt/lib64/liba.so", "/opt/p/x86_64/libb.so"}, base...)},
		{name: "DF_1_NODEFLIB skips the default directories", root: with(glibcBase, map[string]any{"/app/prog": nodeflib}),
			paths: []string{"/app/prog"}, files: []string{"/app/prog", ldLinux},
			missing: []Missing{{Needer: "/app/prog", Name: "libc.so.6"}}},
		{name: "DT_RPATH serves what its libraries need", root: with(glibcBase, map[string]any{
			"/app/prog": rpath, "/opt/r/liba.so": lib("liba.so", "libb.so"), "/opt/r/libb.so": lib("libb.so")}),
			paths: []string{"/app/prog"}, files: []string{"/app/prog", "/opt/r/liba.so", "/opt/r/libb.so", ldLinux}},
		{name: "DT_RUNPATH serves only its own object", root: with(glibcBase, map[string]any{
			"/app/prog": runpath, "/opt/r/liba.so": lib("liba.so", "libb.so"), "/opt/r/libb.so": lib("libb.so")}),
			paths: []string{"/app/prog"}, files: []string{"/app/prog", "/opt/r/liba.so", ldLinux},
			missing: []Missing{{Needer: "/opt/r/liba.so", Name: "libb.so"}}},
		{name: "LD_PRELOAD and /etc/ld.so.preload", root: with(glibcBase, map[string]any{
			"/app/prog": exe("libc.so.6"), "/usr/lib/libpre.so": lib(""), "/opt/pre/libp2.so": lib(""),
			"/etc/ld.so.preload": text("/opt/pre/libp2.so\n")}),
			paths: []string{"/app/prog"}, opts: []Option{WithEnv([]string{"LD_PRELOAD=libpre.so"})},
			files: append([]string{"/app/prog", "/etc/ld.so.preload", "/opt/pre/libp2.so", "/usr/lib/libpre.so"}, base...)},
		{name: "a library found through ld.so.conf needs ld.so.cache", root: with(glibcBase, map[string]any{
			"/app/prog": exe("libconf.so.1", "libc.so.6"), "/opt/conf/lib/libconf.so.1": lib(""),
			"/etc/ld.so.conf": text("include conf.d/*.conf\n"), "/etc/conf.d/a.conf": text("/opt/conf/lib/ # ours\n"),
			"/etc/ld.so.cache": text("glibc-ld.so.cache1.1")}),
			paths: []string{"/app/prog"}, files: append([]string{"/app/prog", "/etc/ld.so.cache", "/opt/conf/lib/libconf.so.1"}, base...)},
		{name: "a library found in a default directory does not", root: with(glibcBase, map[string]any{
			"/app/prog": exe("libc.so.6"), "/etc/ld.so.conf": text("/lib/x86_64-linux-gnu\n"), "/etc/ld.so.cache": text("cache")}),
			paths: []string{"/app/prog"}, files: append([]string{"/app/prog"}, base...)},
		{name: "the same file by two names", root: with(glibcBase, map[string]any{
			"/app/prog": exe("libfoo.so.1", "libfoo.so.1.2"), "/usr/lib/libfoo.so.1": link("libfoo.so.1.2"), "/usr/lib/libfoo.so.1.2": lib("libfoo.so.1")}),
			paths: []string{"/app/prog"}, files: []string{"/app/prog", "/usr/lib/libfoo.so.1", "/usr/lib/libfoo.so.1.2", ldLinux}},
		{name: "a symlink loop where a library should be", root: with(glibcBase, map[string]any{
			"/app/prog": exe("libloop.so.1"), "/lib/x86_64-linux-gnu/libloop.so.1": link("libloop.so.1"), "/usr/lib/libloop.so.1": lib("")}),
			paths: []string{"/app/prog"}, files: []string{"/app/prog", ldLinux},
			missing: []Missing{{Needer: "/app/prog", Name: "libloop.so.1", Rejected: []string{"/lib/x86_64-linux-gnu/libloop.so.1"}}}},
		{name: "another machine is passed over, another byte order is not", root: with(glibcBase, map[string]any{
			"/app/prog": mixed, "/opt/m/libm1.so": arm, "/usr/lib/libm1.so": lib(""), "/opt/m/libbe.so": be, "/usr/lib/libbe.so": lib("")}),
			paths: []string{"/app/prog"}, files: []string{"/app/prog", "/usr/lib/libm1.so", ldLinux},
			missing: []Missing{{Needer: "/app/prog", Name: "libbe.so", Rejected: []string{"/opt/m/libbe.so"}}}},
		{name: "a shared library as input", root: with(glibcBase, map[string]any{"/usr/lib/plugin.so": lib("plugin.so", "libc.so.6")}),
			paths: []string{"/usr/lib/plugin.so"}, files: append([]string{"/usr/lib/plugin.so"}, base...)},
		{name: "relative input from the working directory", root: with(glibcBase, map[string]any{"/srv/app": exe("libc.so.6")}),
			paths: []string{"./app"}, opts: []Option{WithWorkingDir("/srv")}, files: append([]string{"/srv/app"}, base...)},
		{name: "a script whose interpreter is missing", root: map[string]any{"/app/run": text("#!/bin/bash\r\necho\r\n")},
			paths: []string{"/app/run"}, files: []string{"/app/run"},
			missing: []Missing{{Needer: "/app/run", Name: "/bin/bash\r"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := makeRoot(t, tc.root)
			got, err := Closure(os.DirFS(root), tc.paths, tc.opts...)
			if err != nil {
				t.Fatalf("Closure(%q) = %v", tc.paths, err)
			}
			slices.Sort(tc.files)
			if !slices.Equal(got.Files, tc.files) {
				t.Errorf("Closure(%q).Files (-want +got):%s", tc.paths, diff(tc.files, got.Files))
			}
			if !reflect.DeepEqual(got.Missing, tc.missing) {
				t.Errorf("Closure(%q).Missing = %+v, want %+v", tc.paths, got.Missing, tc.missing)
			}
		})
	}
}

// TestClosureBadInputs feeds every kind of unusable input: each is an
// error wrapping the cause, never a panic or a silent success.
func TestClosureBadInputs(t *testing.T) {
	t.Parallel()
	bad, _ := elfSpec{interp: ldLinux}.build()
	bad[elf.EI_DATA] = 7
	root := makeRoot(t, map[string]any{
		"/dir": nil, "/notes.txt": text("hello\n"), "/obj.o": elfSpec{typ: elf.ET_REL}, "/bad": text(bad),
		"/loop": link("loop"), "/s1": text("#!/s2\n"), "/s2": text("#!/s3\n"), "/s3": text("#!/s4\n"),
		"/s4": text("#!/s5\n"), "/s5": text("#!/s6\n"), "/s6": text("#!/s7\n"), "/s7": elfSpec{typ: elf.ET_EXEC},
		"/via-text": text("#!/notes.txt\n"),
	})
	tests := []struct {
		path string
		opts []Option
		want error
	}{
		{path: "/absent", want: fs.ErrNotExist},
		{path: "no-such-command", want: fs.ErrNotExist},
		{path: "/dir", want: ErrNotExecutable},
		{path: "/notes.txt", want: ErrNotExecutable},
		{path: "/obj.o", want: ErrNotExecutable},
		{path: "/bad", want: ErrMalformed},
		{path: "/loop", want: ErrLinkLoop},
		{path: "/s1", want: ErrNotExecutable},
		{path: "/via-text", want: ErrNotExecutable},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := Closure(os.DirFS(root), []string{tc.path}, tc.opts...)
			if !errors.Is(err, tc.want) || got != nil {
				t.Errorf("Closure(%q) = %v, %v; want an error wrapping %v", tc.path, got, err, tc.want)
			}
		})
	}
	if _, err := Closure(os.DirFS(root), []string{"/s2"}); err != nil {
		t.Errorf("Closure(/s2), 5 interpreters deep = %v, want success", err)
	}
	if _, err := Closure(os.DirFS(root), nil, WithWorkingDir("srv")); err == nil {
		t.Errorf("Closure(WithWorkingDir(%q)) succeeded, want an error", "srv")
	}
}
