package cli_test

import (
	"path"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dietimage/diet/internal/test/tartest"
)

// spec is an image described by mkimage's spec file.
type spec struct {
	tag      string
	platform string
	cfg      v1.Config
	steps    []tartest.Step
}

func parseSpec(ts *testscript.TestScript, text string) *spec {
	s := &spec{platform: "linux/amd64"}
	for _, f := range scanLines(text) {
		arg := func(n int) string {
			if len(f) <= n {
				ts.Fatalf("mkimage: %q wants %d arguments", strings.Join(f, " "), n)
			}
			return f[n]
		}
		// Tar entry names are relative: "/etc/x" in a spec is "etc/x".
		name := func() string { return strings.TrimPrefix(path.Clean(arg(1)), "/") }
		entry := func(e tartest.Entry) {
			if len(s.steps) == 0 || s.steps[len(s.steps)-1].Empty {
				ts.Fatalf("mkimage: %q before any layer", strings.Join(f, " "))
			}
			last := &s.steps[len(s.steps)-1]
			last.Entries = append(last.Entries, e)
		}
		switch f[0] {
		case "tag":
			s.tag = arg(1)
		case "platform":
			s.platform = arg(1)
		case "entrypoint":
			s.cfg.Entrypoint = f[1:]
		case "cmd":
			s.cfg.Cmd = f[1:]
		case "user":
			s.cfg.User = arg(1)
		case "workdir":
			s.cfg.WorkingDir = arg(1)
		case "layer", "empty":
			s.steps = append(s.steps, tartest.Step{CreatedBy: strings.Join(f[1:], " "), Empty: f[0] == "empty"})
		case "file":
			n, err := strconv.ParseInt(arg(2), 10, 64)
			ts.Check(err)
			entry(tartest.Sized(name(), n))
		case "text":
			entry(tartest.File(name(), strings.Join(f[2:], " ")+"\n"))
		case "dir":
			entry(tartest.Dir(name()))
		case "symlink":
			entry(tartest.Symlink(name(), arg(2)))
		case "link":
			entry(tartest.Hardlink(name(), strings.TrimPrefix(arg(2), "/")))
		case "rm":
			entry(tartest.Whiteout(name()))
		case "opaque":
			entry(tartest.Opaque(name()))
		default:
			ts.Fatalf("mkimage: unknown directive %q", f[0])
		}
	}
	return s
}

// config is img's config file with the spec's settings.
func (s *spec) config(ts *testscript.TestScript, img v1.Image) *v1.ConfigFile {
	cf, err := img.ConfigFile()
	ts.Check(err)
	cf = cf.DeepCopy()
	cf.Config = s.cfg
	cf.OS, cf.Architecture, _ = strings.Cut(s.platform, "/")
	cf.Created = v1.Time{Time: tartest.Epoch}
	return cf
}
