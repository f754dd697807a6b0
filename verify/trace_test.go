package verify

import (
	"errors"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A trace as `strace -f -qq -x -y -e trace=%file,pivot_root` writes it for
// `bwrap --args 3 -- ls` where ls misses libselinux (cut, and with an
// interleaved call, a child and hostile names added).
const straceOut = `12967 execve("/usr/bin/bwrap", ["/usr/bin/bwrap", "--args", "3", "--"...], 0x7ffee40bfdc0 /* 2 vars */) = 0
12967 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
12967 openat(AT_FDCWD</home/me>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>
12968 pivot_root("/tmp", "oldroot")     = 0
12968 access("/newroot/proc/sysrq-trigger", W_OK) = -1 ENOENT (No such file or directory)
12968 pivot_root(".", ".")              = 0
12968 access("/oldroot", F_OK) = -1 ENOENT (No such file or directory)
12968 chdir("/srv")                     = 0
12968 execve("/usr/local/bin/ls", ["ls"], 0x7ffd2bec6620 /* 1 var */) = -1 ENOENT (No such file or directory)
12968 execve("/usr/bin/ls", ["ls"], 0x7ffd2bec6620 /* 1 var */) = 0
12968 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
12968 openat(AT_FDCWD</srv>, "/lib/x86_64-linux-gnu/libselinux.so.1", O_RDONLY|O_CLOEXEC <unfinished ...>
12969 openat(AT_FDCWD</srv>, "conf/app.yaml", O_RDONLY) = -1 ENOENT (No such file or directory)
12968 <... openat resumed>) = -1 ENOENT (No such file or directory)
12969 openat(3, "plugins", O_RDONLY) = -1 ENOENT (No such file or directory)
12969 openat(4</srv/lib>, "plugins", O_RDONLY|O_DIRECTORY) = 5</srv/lib/plugins>
12969 newfstatat(5</srv/lib/plugins>, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0
12969 newfstatat(AT_FDCWD</srv>, "/caf\xc3\xa9 \"q\"", 0x7ffca1b321f0, 0) = -1 ENOENT (No such file or directory)
12969 openat(AT_FDCWD</srv>, "/lib/x86_64-linux-gnu/libselinux.so.1", O_RDONLY) = -1 ENOENT (No such file or directory)
12969 openat(AT_FDCWD</srv>, "/etc/passwd", O_RDONLY) = 3</etc/passwd>
12969 openat(AT_FDCWD</srv>, "/etc/alternatives/awk", O_RDONLY) = 3</usr/bin/mawk>
12969 readlink("/proc/self/exe", "/usr/bin/perl", 4095) = 13
12969 openat(AT_FDCWD</srv>, "a>b, c", O_RDONLY|O_DIRECTORY) = 4</srv/a\76b, c>
12969 openat(4</srv/a\76b, c>, "x", O_RDONLY) = 3</srv/a\76b, c/x>
12969 chdir("sub")                      = 0
12969 access("data", R_OK)              = 0
12969 openat(AT_FDCWD</gone (deleted)>, "y", O_RDONLY) = 3</gone/y (deleted)>
12969 openat(AT_FDCWD</srv>, "/dev/null", O_RDONLY) = 3</dev/null>
12969 openat(AT_FDCWD</srv>, "/proc/self/status", O_RDONLY) = 3</proc/2/status>
12969 newfstatat(AT_FDCWD</srv>, "/cut"..., 0x7ffca1b321f0, 0) = 0
12969 renameat2(AT_FDCWD</srv>, "old", 7</var/tmp>, "new", RENAME_NOREPLACE) = 0
12969 symlink("/etc/target", "/srv/link") = 0
12969 stat("/bad\q", {st_mode=S_IFREG|0644, ...}) = 0
12969 stat("/tab\there", {st_mode=S_IFREG|0644, ...}) = 0
12969 openat(AT_FDCWD</srv>, "/no/return", O_RDONLY) = 
12969 openat(AT_FDCWD</srv>, "/no/paren", O_RDONLY = 3
12968 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12969, si_uid=0, si_status=127} ---
12968 +++ exited with 0 +++
`

func TestParseTrace(t *testing.T) {
	t.Parallel()
	got, err := parseTrace(strings.NewReader(straceOut), "/")
	if err != nil {
		t.Fatal(err)
	}
	wantMissing := []string{
		"/usr/local/bin/ls",                     // PATH lookup: the original misses it too
		"/etc/ld.so.preload",                    // only the command's lookup: bwrap's does not count
		"/srv/conf/app.yaml",                    // relative to the working directory, by a child
		"/lib/x86_64-linux-gnu/libselinux.so.1", // unfinished: counted when it resumes
		`/café "q"`,                             // strace's escapes undone
	}
	if diff := cmp.Diff(wantMissing, got.missing); diff != "" {
		t.Errorf("parseTrace missing (-want +got):\n%s", diff)
	}
	wantAccessed := []string{
		"/etc/alternatives/awk", // as named,
		"/etc/passwd",
		"/srv/a>b, c",      // a directory opened (to list it)
		"/srv/a>b, c/x",    // relative to its descriptor, escapes undone
		"/srv/lib/plugins", // relative to a descriptor's directory
		"/srv/link",        // a symlink's name, not its target
		"/srv/old",         // both names of a rename
		"/srv/sub",         // chdir("sub") from /srv
		"/srv/sub/data",    // relative to the directory chdir made
		"/tab\there",
		"/usr/bin/ls",   // executed
		"/usr/bin/mawk", // and as the kernel opened it
		"/var/tmp/new",
	}
	if diff := cmp.Diff(wantAccessed, got.accessed); diff != "" {
		t.Errorf("parseTrace accessed (-want +got):\n%s", diff)
	}
	// bwrap's first process is outside; the command and its child are in.
	if got.processes != 2 {
		t.Errorf("parseTrace processes = %d, want 2", got.processes)
	}
	if diff := cmp.Diff([]Program{{Path: "/usr/bin/ls", Runs: 1}}, got.programs); diff != "" {
		t.Errorf("parseTrace programs (-want +got):\n%s", diff)
	}
}

// TestParseTraceBounds feeds a trace of more names than diet keeps, and a
// line longer than it reads.
func TestParseTraceBounds(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("1 pivot_root(\".\", \".\") = 0\n1 execve(\"/x\", [\"x\"], 0x1 /* 1 var */) = 0\n")
	b.WriteString("1 openat(AT_FDCWD</>, \"/" + strings.Repeat("a", maxTraceLine) + "\", O_RDONLY) = 3\n")
	b.WriteString("1 openat(AT_FDCWD</>, \"/short\", O_RDONLY) = 3\n")
	got, err := parseTrace(strings.NewReader(b.String()), "/")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"/short", "/x"}, got.accessed); diff != "" {
		t.Errorf("parseTrace of a long line (-want +got):\n%s", diff)
	}
	b.Reset()
	b.WriteString("1 pivot_root(\".\", \".\") = 0\n1 execve(\"/x\", [\"x\"], 0x1 /* 1 var */) = 0\n")
	long := "/" + strings.Repeat("d", 4000) + "/"
	for i := range maxTracePaths/4000 + 2 {
		b.WriteString("1 stat(\"" + long + strconv.Itoa(i) + "\", 0x1) = 0\n")
	}
	if _, err := parseTrace(strings.NewReader(b.String()), "/"); !errors.Is(err, errTraceSize) {
		t.Errorf("parseTrace of %d distinct long names: err = %v, want %v", maxTracePaths/4000+2, err, errTraceSize)
	}
}

func TestParseCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		ok   bool
		want call
	}{
		{`open("/a/../b", O_RDONLY) = -1 ENOENT (x)`, true,
			call{name: "open", args: []arg{{raw: `"/a/../b"`, str: "/a/../b", quoted: true}, {raw: "O_RDONLY"}}, ret: "-1", err: "ENOENT"}},
		{`openat(AT_FDCWD</w d>, "x", O_RDONLY) = 3</w d/x>`, true,
			call{name: "openat", args: []arg{{raw: "AT_FDCWD", fdPath: "/w d"}, {raw: `"x"`, str: "x", quoted: true}, {raw: "O_RDONLY"}}, ret: "3", fd: "/w d/x"}},
		{`readlink("/l", "/t>", 99) = 3`, true,
			call{name: "readlink", args: []arg{{raw: `"/l"`, str: "/l", quoted: true}, {raw: `"/t>"`, str: "/t>", quoted: true}, {raw: "99"}}, ret: "3"}},
		{`stat("/x"..., 0x1) = 0`, true,
			call{name: "stat", args: []arg{{raw: `"/x"...`, str: "/x"}, {raw: "0x1"}}, ret: "0"}},
		{`newfstatat(3</a,b>, "", {st_mode=S_IFREG|0644, st_rdev=makedev(0x1, 0x3), ...}, AT_EMPTY_PATH) = 0`, true,
			call{name: "newfstatat", args: []arg{{raw: "3", fdPath: "/a,b"}, {raw: `""`, quoted: true},
				{raw: "{st_mode=S_IFREG|0644, st_rdev=makedev(0x1, 0x3), ...}"}, {raw: "AT_EMPTY_PATH"}}, ret: "0"}},
		{`getcwd(`, false, call{}},
		{`stat("/bad\q", 0x1) = 0`, false, call{}},
		{`stat("/open, 0x1) = 0`, false, call{}},
		{`openat(3</a<b>, "x") = 3`, false, call{}},
		{`openat(3</a>junk, "x") = 3`, false, call{}},
		{`stat("/x", 0x1) = zero`, false, call{}},
		{`stat("/x", 0x1)) = 0`, false, call{}},
		{`Stat("/x") = 0`, false, call{}},
		{`--- SIGCHLD {si_signo=SIGCHLD} ---`, false, call{}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			got, ok := parseCall(tc.line)
			if ok != tc.ok {
				t.Fatalf("parseCall(%q) ok = %v, want %v", tc.line, ok, tc.ok)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(call{}, arg{})); diff != "" {
				t.Errorf("parseCall(%q) (-want +got):\n%s", tc.line, diff)
			}
		})
	}
}

func TestUnescape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" for refused
	}{
		{`/plain`, "/plain"},
		{`/a\76b`, "/a>b"},
		{`/a\074b\0767`, "/a<b>7"},
		{`/n\nl\t\r\v\f`, "/n\nl\t\r\v\f"},
		{`\x2f\x63\x61\x66\xc3\xa9`, "/café"},
		{`/q\"\\`, `/q"\`},
		{`/bad\q`, ""},
		{`/cut\`, ""},
		{`/hex\x4`, ""},
		{`/big\777`, ""},
		{`/raw"quote`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := unescape(tc.in)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("unescape(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
			}
		})
	}
}

// TestRunTraceAccessed traces a shell that changes directory, reads a
// file by a relative name and lists a directory: Accessed names them as
// the image has them, with the programs and libraries run, and nothing of
// /proc or /dev, nor a program the shell did not run.
func TestRunTraceAccessed(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no strace: nothing is traced")
	}
	root := extracted(t, toolsImage(t))
	c := Command{Argv: []string{"/bin/sh", "-c", "cd /etc && cat passwd >/dev/null && ls /usr >/dev/null && cat /proc/self/status >/dev/null"}}
	r, err := Run(t.Context(), root, c, WithTrace(true))
	if err != nil {
		t.Fatal(err)
	}
	if r.ExitCode != 0 || !r.Traced {
		t.Fatalf("Run(%q) = exit %d, traced %v (stderr %q); want 0, true", c.Argv, r.ExitCode, r.Traced, r.Stderr)
	}
	libc, err := filepath.EvalSymlinks("/lib/x86_64-linux-gnu/libc.so.6")
	if err != nil {
		t.Skipf("this test looks for glibc where Debian has it: %v", err)
	}
	for _, want := range []string{"/bin/sh", "/etc", "/etc/passwd", "/usr", "/usr/bin/cat", "/usr/bin/ls", libc} {
		if !slices.Contains(r.Accessed, want) {
			t.Errorf("Accessed lacks %s: %q", want, r.Accessed)
		}
	}
	for _, p := range r.Accessed {
		if !path.IsAbs(p) || strings.HasPrefix(p, "/proc") || strings.HasPrefix(p, "/dev") || p == "/usr/bin/id" {
			t.Errorf("Accessed holds %q: %q", p, r.Accessed)
		}
	}
	if !slices.IsSorted(r.Accessed) || len(slices.Compact(slices.Clone(r.Accessed))) != len(r.Accessed) {
		t.Errorf("Accessed is not sorted and unique: %q", r.Accessed)
	}
}

// FuzzParseTrace: whatever the traced code makes strace print, the parser
// does not panic, and what it returns is absolute, clean, and outside the
// sandbox's own mounts; accessed is sorted and unique.
func FuzzParseTrace(f *testing.F) {
	f.Add(straceOut)
	for line := range strings.Lines(straceOut) {
		f.Add("1 pivot_root(\".\", \".\") = 0\n1 execve(\"/x\", [], 0x1) = 0\n" + line)
	}
	f.Fuzz(func(t *testing.T, out string) {
		got, err := parseTrace(strings.NewReader(out), "/wd")
		if err != nil {
			return
		}
		for _, p := range slices.Concat(got.missing, got.accessed) {
			if !path.IsAbs(p) || path.Clean(p) != p {
				t.Errorf("parseTrace gave %q: not absolute and clean", p)
			}
		}
		for _, p := range got.accessed {
			if p == "/proc" || strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/dev/") {
				t.Errorf("parseTrace gave %q as accessed: the sandbox's own", p)
			}
		}
		if !slices.IsSorted(got.accessed) || len(slices.Compact(slices.Clone(got.accessed))) != len(got.accessed) {
			t.Errorf("accessed is not sorted and unique: %q", got.accessed)
		}
	})
}
