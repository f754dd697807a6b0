package verify

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A trace as `strace -f -qq -x -e trace=%file,pivot_root` writes it for
// `bwrap --args 3 -- ls` where ls misses libselinux (cut, and with an
// interleaved call and a child added).
const straceOut = `12967 execve("/usr/bin/bwrap", ["/usr/bin/bwrap", "--args", "3", "--", "ls"], 0x7ffee40bfdc0 /* 2 vars */) = 0
12967 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
12968 pivot_root("/tmp", "oldroot")     = 0
12968 access("/newroot/proc/sysrq-trigger", W_OK) = -1 ENOENT (No such file or directory)
12968 pivot_root(".", ".")              = 0
12968 access("/oldroot", F_OK) = -1 ENOENT (No such file or directory)
12968 execve("/usr/local/bin/ls", ["ls"], 0x7ffd2bec6620 /* 1 var */) = -1 ENOENT (No such file or directory)
12968 execve("/usr/bin/ls", ["ls"], 0x7ffd2bec6620 /* 1 var */) = 0
12968 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
12968 openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libselinux.so.1", O_RDONLY|O_CLOEXEC <unfinished ...>
12969 openat(AT_FDCWD, "conf/app.yaml", O_RDONLY) = -1 ENOENT (No such file or directory)
12968 <... openat resumed>) = -1 ENOENT (No such file or directory)
12969 openat(3, "plugins", O_RDONLY) = -1 ENOENT (No such file or directory)
12969 newfstatat(AT_FDCWD, "/caf\xc3\xa9 \"q\"", 0x7ffca1b321f0, 0) = -1 ENOENT (No such file or directory)
12969 openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libselinux.so.1", O_RDONLY) = -1 ENOENT (No such file or directory)
12969 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3
12968 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12969, si_uid=0, si_status=127} ---
`

func TestParseTrace(t *testing.T) {
	t.Parallel()
	got, err := parseTrace(strings.NewReader(straceOut), "/srv")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/usr/local/bin/ls",                     // PATH lookup: the original misses it too
		"/etc/ld.so.preload",                    // only the command's lookup: bwrap's does not count
		"/srv/conf/app.yaml",                    // relative to the working directory, by a child
		"/lib/x86_64-linux-gnu/libselinux.so.1", // unfinished: counted when it resumes
		`/café "q"`,                             // strace's escapes undone
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseTrace (-want +got):\n%s", diff)
	}
}

func TestPathArg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		call string
		want string // "" when no path is known
	}{
		{`open("/a/../b", O_RDONLY) = -1 ENOENT (x)`, "/b"},
		{`openat(AT_FDCWD, "x", O_RDONLY) = -1 ENOENT (x)`, "/wd/x"},
		{`openat(5, "x", O_RDONLY) = -1 ENOENT (x)`, ""},
		{`openat(5, "/abs", O_RDONLY) = -1 ENOENT (x)`, "/abs"},
		{`newfstatat(3, "", {...}, AT_EMPTY_PATH) = -1 ENOENT (x)`, ""},
		{`stat("/tab\there", 0x1) = -1 ENOENT (x)`, "/tab\there"},
		{`stat("/bad\q", 0x1) = -1 ENOENT (x)`, ""},
		{`getcwd(`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.call, func(t *testing.T) {
			got, ok := pathArg(tc.call, "/wd")
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("pathArg(%q) = %q, %v; want %q", tc.call, got, ok, tc.want)
			}
		})
	}
}
