package verify

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// The attacks of an image's entrypoint on the host. Each test runs the
// attack the ways diet runs image code — a verification run (traced, as
// slim --verify does), an untraced run, and a start-up timing (slim --upx)
// — and then looks at the host: a canary directory that anyone may write
// stays empty, and no process of the attack is left.

// attackRootfs is an extracted image holding only /attack (setuid root when
// setuid), an /etc with nobody, and /tmp.
func attackRootfs(t testing.TB, setuid bool) string {
	t.Helper()
	mode := int64(0o755)
	if setuid {
		mode = 0o4755
	}
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY attack /", Entries: []tartest.Entry{
		{Name: "attack", Type: tar.TypeReg, Mode: mode, Body: attacktest.Program(t)},
		tartest.Dir("etc"),
		tartest.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"),
		tartest.File("etc/group", "root:x:0:\nnogroup:x:65534:\n"),
		{Name: "tmp", Type: tar.TypeDir, Mode: 0o1777},
	}})
	return extracted(t, img)
}

// runners are the ways diet runs an image's code.
var runners = []struct {
	name string
	run  func(t *testing.T, rootfs string, c Command) *Result
}{
	{"verify", func(t *testing.T, rootfs string, c Command) *Result {
		r, err := Run(t.Context(), rootfs, c, WithTrace(true), WithTimeout(3*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}},
	{"untraced", func(t *testing.T, rootfs string, c Command) *Result {
		r, err := Run(t.Context(), rootfs, c, WithTimeout(3*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}},
	{"upx-startup", func(t *testing.T, rootfs string, c Command) *Result {
		_, err := Startup(t.Context(), rootfs, c, 2, WithTimeout(3*time.Second))
		if err != nil && !strings.Contains(err.Error(), ErrNoExit.Error()) {
			t.Fatal(err)
		}
		return nil
	}},
}

func TestHostileEntrypoint(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	attacktest.Require(t, "gcc")
	tests := []struct {
		name   string
		setuid bool
		cmd    func(canary, token, lib string) Command
		check  func(t *testing.T, r *Result)
	}{
		{"chroot escape", false, func(c, _, _ string) Command { return Command{Argv: []string{"/attack", "escape", c}} },
			func(t *testing.T, r *Result) {
				if !bytes.Contains(r.Stdout, []byte("chroot /escape: Operation not permitted")) {
					t.Errorf("chroot inside the sandbox: %q, want EPERM", r.Stdout)
				}
			}},
		{"mknod mount /proc/sys", false, func(c, _, _ string) Command { return Command{Argv: []string{"/attack", "devices", c}} },
			func(t *testing.T, r *Result) {
				for _, line := range strings.Split(strings.TrimSpace(string(r.Stdout)), "\n") {
					if strings.HasSuffix(line, ": ok") {
						t.Errorf("%s", line)
					}
				}
			}},
		{"setuid root under USER nobody", true, func(c, _, _ string) Command {
			return Command{Argv: []string{"/attack", "whoami"}, User: "nobody"}
		}, func(t *testing.T, r *Result) {
			if !bytes.HasPrefix(r.Stdout, []byte("euid=65534 uid=65534\n")) {
				t.Errorf("a setuid-root program under USER nobody: %q, want euid 65534", r.Stdout)
			}
		}},
		{"children that never exit", false, func(_, token, _ string) Command {
			return Command{Argv: []string{"/attack", "linger", token}}
		}, func(t *testing.T, r *Result) {
			if !r.TimedOut {
				t.Errorf("a command that never exits: TimedOut false")
			}
		}},
		{"LD_PRELOAD in the image's Env", false, func(_, _, lib string) Command {
			return Command{Argv: []string{"/attack", "getenv", "LD_PRELOAD"}, Env: []string{"LD_PRELOAD=" + lib, "LD_LIBRARY_PATH=/nowhere"}}
		}, func(t *testing.T, r *Result) {
			if !bytes.HasPrefix(r.Stdout, []byte("LD_PRELOAD=/tmp/")) {
				t.Errorf("the command's environment: %q, want LD_PRELOAD=/tmp/…", r.Stdout)
			}
		}},
	}
	for i, tc := range tests {
		for _, rn := range runners {
			t.Run(tc.name+"/"+rn.name, func(t *testing.T) {
				t.Parallel()
				dir := attacktest.Canary(t)
				lib := attacktest.Preload(t, dir)
				token := fmt.Sprintf("diet-hostile-%d-%s-%d", i, rn.name, time.Now().UnixNano())
				r := rn.run(t, attackRootfs(t, tc.setuid), tc.cmd(dir, token, lib))
				if r != nil {
					tc.check(t, r)
				}
				attacktest.CheckCanary(t, dir)
				for _, p := range attacktest.Leftovers(token) {
					t.Errorf("left running: %s", p)
				}
			})
		}
	}
}

// TestMain lets the test binary play diet for TestKilledCaller: with
// DIET_SANDBOX_HELPER (or DIET_ENGINE_HELPER) set it runs the lingering
// attack in the sandbox (or on the engine) and never returns on its own.
func TestMain(m *testing.M) {
	if archive := os.Getenv("DIET_ENGINE_HELPER"); archive != "" {
		c := Command{Argv: []string{"/attack", "linger", os.Getenv("DIET_SANDBOX_TOKEN")}}
		_, err := RunEngine(context.Background(), archive, os.Getenv("DIET_ENGINE_TAG"), c, WithTimeout(time.Hour))
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if rootfs := os.Getenv("DIET_SANDBOX_HELPER"); rootfs != "" {
		c := Command{Argv: []string{"/attack", "linger", os.Getenv("DIET_SANDBOX_TOKEN")}}
		_, err := Run(context.Background(), rootfs, c, WithTimeout(time.Hour), WithTrace(os.Getenv("DIET_SANDBOX_TRACE") == "1"))
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// TestKilledCaller kills diet (here, the test binary playing it) with
// SIGKILL while the image's processes run: none of them may outlive it.
func TestKilledCaller(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	attacktest.Require(t, "gcc")
	rootfs := attackRootfs(t, false)
	for _, trace := range []string{"0", "1"} {
		t.Run("trace="+trace, func(t *testing.T) {
			token := fmt.Sprintf("diet-killed-%s-%d", trace, time.Now().UnixNano())
			killWhileLingering(t, token, 20*time.Second, "DIET_SANDBOX_HELPER="+rootfs, "DIET_SANDBOX_TRACE="+trace)
			var left []string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if left = attacktest.Leftovers(token); len(left) == 0 {
					return
				}
			}
			for _, p := range left {
				t.Errorf("left running 10 s after diet was killed: %s", p)
			}
			for _, p := range left { // leave this machine clean for the next test
				var pid int
				fmt.Sscanf(p, "/proc/%d/", &pid)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		})
	}
}

// killWhileLingering starts the test binary as diet with env (see TestMain)
// running the lingering attack marked with token, waits up to wait for the
// attack and its three grandchildren, and kills diet with SIGKILL.
func killWhileLingering(t *testing.T, token string, wait time.Duration, env ...string) {
	t.Helper()
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(append(os.Environ(), "DIET_SANDBOX_TOKEN="+token), env...)
	var stderr bytes.Buffer
	helper.Stderr = &stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer helper.Wait()
	defer helper.Process.Kill()
	for deadline := time.Now().Add(wait); attacktest.Lingering(token) < 4; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the attack did not start: %d processes of it; diet said %q", attacktest.Lingering(token), stderr.String())
		}
	}
}

// TestKilledCallerEngine kills diet while --verify-with docker runs the
// lingering attack: its container must go too.
func TestKilledCallerEngine(t *testing.T) {
	enginetest.Require(t)
	attacktest.Require(t, "gcc")
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY attack /", Entries: []tartest.Entry{tartest.Exec("attack", attacktest.Program(t))}})
	archive := filepath.Join(t.TempDir(), "attack.tar")
	const tag = "diet-verify-test:attack"
	tartest.WriteDockerArchive(t, archive, img, tag)
	token := fmt.Sprintf("diet-killed-engine-%d", time.Now().UnixNano())
	killWhileLingering(t, token, 60*time.Second, "DIET_ENGINE_HELPER="+archive, "DIET_ENGINE_TAG="+tag)
	var left []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if left = containersOf(t, token); len(left) == 0 {
			break
		}
	}
	for _, c := range left {
		t.Errorf("container left 30 s after diet was killed: %s", c)
		exec.Command("docker", "rm", "--force", strings.Fields(c)[0]).Run()
	}
	if p := attacktest.Leftovers(token); len(left) == 0 && len(p) > 0 {
		t.Errorf("processes left: %q", p)
	}
	exec.Command("docker", "rmi", tag).Run() // the killed run could not restore the tag
}

// containersOf lists the engine's containers whose command holds token.
func containersOf(t *testing.T, token string) []string {
	out, err := exec.Command("docker", "ps", "--all", "--no-trunc", "--format", "{{.ID}} {{.Command}}").Output()
	if err != nil {
		t.Fatalf("docker ps: %v", err)
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, token) {
			found = append(found, line)
		}
	}
	return found
}

// TestSandboxRefuses runs the calls the seccomp filter and the limits stop.
func TestSandboxRefuses(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	attacktest.Require(t, "gcc")
	rootfs := attackRootfs(t, false)
	t.Run("seccomp", func(t *testing.T) {
		r, err := Run(t.Context(), rootfs, Command{Argv: []string{"/attack", "kernel"}})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(r.Stdout)), "\n")
		if len(lines) != 12 {
			t.Fatalf("the attack reported %d calls, want 12: %q (stderr %q)", len(lines), r.Stdout, r.Stderr)
		}
		for _, line := range lines {
			if !strings.HasSuffix(line, ": Operation not permitted") {
				t.Errorf("%s; want Operation not permitted", line)
			}
		}
	})
	t.Run("limits", func(t *testing.T) {
		limits := Limits{Procs: 50, Memory: 64 << 20, FileSize: 1 << 20, CPU: time.Minute}
		r, err := Run(t.Context(), rootfs, Command{Argv: []string{"/attack", "limits"}}, WithLimits(limits), WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"write 4 MiB: File too large", "malloc 256 MiB: Cannot allocate memory", "fork 200: Resource temporarily unavailable"}
		if os.Geteuid() != 0 {
			want = want[:2] // the process limit needs a user of the sandbox's own
		}
		for _, w := range want {
			if !bytes.Contains(r.Stdout, []byte(w+"\n")) {
				t.Errorf("limits: %q; want %q", r.Stdout, w)
			}
		}
		if fi, err := os.Stat(filepath.Join(rootfs, "tmp/big")); err != nil || fi.Size() > 1<<20 {
			t.Errorf("the file written past the limit: %v, %v", fi, err)
		}
	})
}
