package verify

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dietimage/diet/elfdeps"
	"github.com/dietimage/diet/internal/test/tartest"
)

const libselinux = "usr/lib/x86_64-linux-gnu/libselinux.so.1"

func TestRunLs(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	want, err := exec.Command("/usr/bin/ls", "--version").Output()
	if err != nil {
		t.Skipf("ls --version on the host: %v", err)
	}
	r, err := Run(t.Context(), extracted(t, toolsImage(t)), Command{Argv: []string{"ls", "--version"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.ExitCode != 0 || !bytes.Equal(r.Stdout, want) {
		t.Errorf("Run(ls --version) = %d, %q (stderr %q), want 0, %q", r.ExitCode, r.Stdout, r.Stderr, want)
	}
}

// TestRunMissingLibrary runs ls in an image whose libselinux a later layer
// deletes: the run fails as it would on the engine, and Compare names the
// library.
func TestRunMissingLibrary(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	if _, err := os.Stat("/" + libselinux); err != nil {
		t.Skipf("this test deletes libselinux, and ls here does not load it: %v", err)
	}
	ls := Command{Argv: []string{"ls", "/"}}
	original := extracted(t, toolsImage(t))
	slimmed := extracted(t, toolsImage(t, tartest.Step{CreatedBy: "RUN rm libselinux", Entries: entries{tartest.Whiteout(libselinux)}}))
	o, err := Run(t.Context(), original, ls, WithTrace(true))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Run(t.Context(), slimmed, ls, WithTrace(true))
	if err != nil {
		t.Fatal(err)
	}
	if o.ExitCode != 0 || s.ExitCode != 127 {
		t.Fatalf("exit codes %d and %d (stderr %q), want 0 and 127", o.ExitCode, s.ExitCode, s.Stderr)
	}
	same, reason := Compare(o, s)
	if same {
		t.Fatalf("Compare = true, %q; want a difference", reason)
	}
	if !strings.Contains(reason, "exit code 127, original 0") {
		t.Errorf("Compare reason %q does not give the exit codes", reason)
	}
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skipf("no strace: Missing is not checked (%q)", reason)
	}
	if len(s.Missing) == 0 {
		t.Fatal("traced run of the slimmed image: no Missing")
	}
	m := FirstMissing(o, s)
	t.Logf("Compare: %s", reason)
	if filepath.Base(m) != "libselinux.so.1" || !strings.HasPrefix(reason, "first missing file "+m+";") {
		t.Errorf("Compare reason %q; want it to start with the first missing file, libselinux.so.1", reason)
	}
	if _, err := os.Stat(filepath.Join(original, m)); err != nil {
		t.Errorf("the missing file %s is not in the original either: %v", m, err)
	}
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	img := toolsImage(t)
	for i, trace := range []bool{false, true} {
		t.Run(fmt.Sprintf("trace=%v", trace), func(t *testing.T) {
			dir := extracted(t, img)
			// A child in the background and the shell's own sleep: both must go.
			marker := fmt.Sprintf("98765%d", i)
			sh := Command{Argv: []string{"sh", "-c", "sleep " + marker + "1 & sleep " + marker + "2; echo never"}}
			start := time.Now()
			r, err := Run(t.Context(), dir, sh, WithTimeout(500*time.Millisecond), WithTrace(trace))
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Run took %v with a 500ms timeout", took)
			}
			if !r.TimedOut || r.ExitCode != 137 || len(r.Stdout) > 0 || len(r.Stderr) > 0 {
				t.Errorf("Run = exit %d, TimedOut %v, stdout %q, stderr %q; want 137, true, nothing", r.ExitCode, r.TimedOut, r.Stdout, r.Stderr)
			}
			procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, p := range procs {
				if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(marker)) {
					t.Errorf("left running: %s: %q", p, bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
				}
			}
		})
	}
}

func TestRunNetwork(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	r, err := Run(t.Context(), extracted(t, toolsImage(t)), Command{Argv: []string{"cat", "/proc/net/dev"}})
	if err != nil {
		t.Fatal(err)
	}
	var ifaces []string
	for _, line := range strings.Split(string(r.Stdout), "\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.Contains(name, "|") {
			ifaces = append(ifaces, strings.TrimSpace(name))
		}
	}
	if len(ifaces) != 1 || ifaces[0] != "lo" {
		t.Errorf("the sandbox sees interfaces %q, want only lo\n%s", ifaces, r.Stdout)
	}
}

// TestRunSandbox checks what a command can tell of its sandbox.
func TestRunSandbox(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	img := toolsImage(t)
	tests := []struct {
		name string
		cmd  Command
		code int
		out  string // what stdout starts with
	}{
		{"pid 1 and its own /proc", Command{Argv: []string{"sh", "-c", "echo $$ /proc/[0-9]*"}}, 0, "1 /proc/1\n"},
		{"user by name", Command{Argv: []string{"id"}, User: "app"}, 0, "uid=1000(app) gid=1000(app) groups=1000(app)\n"},
		{"user and group numbers", Command{Argv: []string{"sh", "-c", "id -u; id -g"}, User: "1234:50"}, 0, "1234\n50\n"},
		{"root by default", Command{Argv: []string{"id", "-u"}}, 0, "0\n"},
		{"working directory made", Command{Argv: []string{"sh", "-c", "pwd"}, WorkingDir: "/srv/app"}, 0, "/srv/app\n"},
		{"PATH and HOME defaults", Command{Argv: []string{"sh", "-c", "echo $HOME $PATH"}, User: "app"}, 0, "/home/app " + elfdeps.DefaultPath + "\n"},
		{"image env wins", Command{Argv: []string{"sh", "-c", "echo $HOME $X"}, Env: []string{"HOME=/h", "X=y"}}, 0, "/h y\n"},
		// The host's /dev/null, whose owner the sandbox's one id cannot name.
		{"/dev works", Command{Argv: []string{"sh", "-c", "echo x >/dev/null && cat /dev/null && ls -ln /dev/null"}}, 0, "crw-rw-rw- 1 65534 65534 1, 3"},
		{"/tmp writable", Command{Argv: []string{"sh", "-c", "echo ok >/tmp/x && cat /tmp/x"}, User: "app"}, 0, "ok\n"},
		{"exit status", Command{Argv: []string{"sh", "-c", "exit 3"}}, 3, ""},
		{"program not found", Command{Argv: []string{"nothere"}}, 127, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Run(t.Context(), extracted(t, img), tc.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode != tc.code || !strings.HasPrefix(string(r.Stdout), tc.out) {
				t.Errorf("Run(%q) = %d, %q (stderr %q); want %d, %q", tc.cmd.Argv, r.ExitCode, r.Stdout, r.Stderr, tc.code, tc.out)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		cmd  Command
		opts []Option
		want error
	}{
		{"no argv", Command{}, nil, ErrNoCommand},
		{"unknown user", Command{Argv: []string{"true"}, User: "nobody"}, nil, ErrUnknownUser},
		{"unknown group", Command{Argv: []string{"true"}, User: "0:wheel"}, nil, ErrUnknownUser},
		{"bad timeout", Command{Argv: []string{"true"}}, []Option{WithTimeout(0)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == ErrUnknownUser {
				requireSandbox(t) // users are looked up once the sandbox is known to work
			}
			_, err := Run(t.Context(), dir, tc.cmd, tc.opts...)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("Run = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRunMissingRootfs(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	missing := filepath.Join(t.TempDir(), "nothere")
	if _, err := Run(t.Context(), missing, Command{Argv: []string{"true"}}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Run(missing rootfs) = %v, want ErrNotExist", err)
	}
}
