package cli

import (
	"archive/tar"
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestSlimHostileEntrypoint runs images whose entrypoint attacks the host
// through diet slim, by --verify and by --upx's start-up timing: the host's
// canary stays empty and no process of the image is left when diet ends.
// (verify's TestKilledCaller covers diet killed with SIGKILL.)
func TestSlimHostileEntrypoint(t *testing.T) {
	t.Parallel()
	attacktest.Require(t, "bwrap")
	attacktest.Require(t, "upx")
	program := attacktest.Program(t)
	tests := []struct {
		name   string
		setuid bool
		user   string
		argv   func(canary, token string) []string
		env    func(lib string) []string
	}{
		{"chroot escape", false, "", func(c, _ string) []string { return []string{"/attack", "escape", c} }, nil},
		{"mknod mount proc-sys", false, "", func(c, _ string) []string { return []string{"/attack", "devices", c} }, nil},
		{"setuid root under USER nobody", true, "nobody", func(string, string) []string { return []string{"/attack", "whoami"} }, nil},
		{"children that never exit", false, "", func(_, tok string) []string { return []string{"/attack", "linger", tok} }, nil},
		{"LD_PRELOAD", false, "", func(string, string) []string { return []string{"/attack", "true"} },
			func(lib string) []string { return []string{"LD_PRELOAD=" + lib} }},
	}
	for i, tc := range tests {
		for _, how := range []string{"--verify", "--upx"} {
			t.Run(tc.name+"/"+how, func(t *testing.T) {
				t.Parallel()
				canary := attacktest.Canary(t)
				token := fmt.Sprintf("diet-cli-hostile-%d-%s-%d", i, how[2:], time.Now().UnixNano())
				cfg := v1.Config{Entrypoint: tc.argv(canary, token), User: tc.user}
				if tc.env != nil {
					cfg.Env = tc.env(attacktest.Preload(t, canary))
				}
				mode := int64(0o755)
				if tc.setuid {
					mode = 0o4755
				}
				img := tartest.Image(t, tartest.Step{CreatedBy: "COPY attack /", Entries: []tartest.Entry{
					{Name: "attack", Type: tar.TypeReg, Mode: mode, Body: program},
					tartest.Dir("etc"),
					tartest.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"),
					tartest.File("etc/group", "root:x:0:\nnogroup:x:65534:\n"),
				}})
				img, err := mutate.Config(img, cfg)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				in := filepath.Join(dir, "in.tar")
				tartest.WriteDockerArchive(t, in, img, "")
				args := []string{"slim", "--level", "squash", how, "--verify-timeout", "2s", "--force", in, "-o", "docker-archive:" + filepath.Join(dir, "out.tar")}
				var stdout, stderr bytes.Buffer
				if code := run(t.Context(), args, &stdout, &stderr); code != exitOK {
					t.Errorf("diet %q = %d; stderr:\n%s", args, code, stderr.String())
				}
				attacktest.CheckCanary(t, canary)
				for _, p := range attacktest.Leftovers(token) {
					t.Errorf("left running after diet ended: %s", p)
				}
			})
		}
	}
}
