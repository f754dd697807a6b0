package cli_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dietimage/diet/internal/cli"
	"github.com/dietimage/diet/internal/test/tartest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"diet": func() { os.Exit(cli.Main()) },
	})
}

// TestScript runs testdata/script/*.txtar: user sessions with real images
// built in $WORK by mkimage.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       *cli.Update,
		Setup: func(e *testscript.Env) error {
			// Scripts see no terminal and no user colour settings unless
			// they set them.
			for _, k := range []string{"NO_COLOR", "FORCE_COLOR", "COLUMNS", "GOGC", "DOCKER_HOST", "CI"} {
				e.Setenv(k, "")
			}
			e.Setenv("TERM", "xterm")
			return nil
		},
		Condition: condition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkimage":   mkimage,
			"truncate":  truncate,
			"jsonfield": jsonfield,
			"exits":     exits,
			"repeat":    repeat,
		},
	})
}

// condition answers [engine]: a Docker engine is listening.
// DIET_REQUIRE_ENGINE=1 turns its absence into a failure.
func condition(cond string) (bool, error) {
	if cond != "engine" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	addr := strings.TrimPrefix(os.Getenv("DOCKER_HOST"), "unix://")
	if addr == "" {
		addr = "/var/run/docker.sock"
	}
	c, err := net.Dial("unix", addr)
	if err != nil {
		if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
			return false, fmt.Errorf("DIET_REQUIRE_ENGINE=1 and no engine at %s: %v", addr, err)
		}
		return false, nil
	}
	c.Close()
	return true, nil
}

// exits N PROG ARGS... runs PROG and wants exit status N; stdout and
// stderr are kept for the next commands, as after exec.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		ee, ok := errors.AsType[*exec.ExitError](err)
		if !ok {
			ts.Fatalf("%v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// repeat FILE N TEXT appends TEXT, with Go escapes (\\n) resolved, N times
// to FILE: hostile Dockerfiles too large to keep in a script.
func repeat(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: repeat file n text")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	text, err := strconv.Unquote(`"` + strings.ReplaceAll(args[2], `"`, `\"`) + `"`)
	ts.Check(err)
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	ts.Check(err)
	_, err = f.WriteString(strings.Repeat(text, n))
	ts.Check(errors.Join(err, f.Close()))
}

// truncate FILE N cuts FILE to N bytes, or to N% of its size.
func truncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate file bytes|percent%%")
	}
	name := ts.MkAbs(args[0])
	fi, err := os.Stat(name)
	ts.Check(err)
	n, err := strconv.ParseInt(strings.TrimSuffix(args[1], "%"), 10, 64)
	ts.Check(err)
	if strings.HasSuffix(args[1], "%") {
		n = fi.Size() * n / 100
	}
	ts.Check(os.Truncate(name, n))
}

// jsonfield FILE PATH [WANT] looks up a dotted PATH (numbers index lists)
// in the JSON document FILE and prints it as compact JSON (object keys
// sorted); with WANT, it fails unless that JSON equals WANT.
func jsonfield(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: jsonfield file path [want]")
	}
	var v any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &v))
	for _, k := range strings.Split(args[1], ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				ts.Fatalf("%s: no field %q", args[1], k)
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("%s: no element %q in a list of %d", args[1], k, len(x))
			}
			v = x[i]
		default:
			ts.Fatalf("%s: %q is not an object or a list", args[1], k)
		}
	}
	b, err := json.Marshal(v)
	ts.Check(err)
	if len(args) == 2 {
		fmt.Fprintf(ts.Stdout(), "%s\n", b)
		return
	}
	if (string(b) == args[2]) == neg {
		ts.Fatalf("%s = %s, want %s%s", args[1], b, map[bool]string{true: "not "}[neg], args[2])
	}
}

// mkimage [-format docker|oci-archive|layout] OUT SPEC writes the image
// SPEC describes to OUT with package tartest. SPEC has one directive a line
// (a line starting with '#' is a comment):
//
//	tag NAME:TAG
//	platform OS/ARCH
//	entrypoint ARG...  |  cmd ARG...  |  user NAME  |  workdir DIR
//	layer CREATED_BY...   starts a layer made by that history line
//	empty CREATED_BY...   a history entry with no layer (ENV, CMD)
//	file PATH SIZE        a regular file of SIZE zero bytes
//	text PATH WORDS...    a regular file holding WORDS and a newline
//	dir PATH  |  symlink PATH TARGET  |  link PATH TARGET
//	rm PATH               a whiteout  |  opaque DIR
func mkimage(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! mkimage")
	}
	format := "docker"
	if len(args) > 0 && args[0] == "-format" && len(args) > 1 {
		format, args = args[1], args[2:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: mkimage [-format docker|oci-archive|layout] out spec")
	}
	s := parseSpec(ts, ts.ReadFile(args[1]))
	tb := scriptTB{ts: ts}
	img := tartest.Image(tb, s.steps...)
	img, err := mutate.ConfigFile(img, s.config(ts, img))
	ts.Check(err)
	out := ts.MkAbs(args[0])
	switch format {
	case "docker":
		tartest.WriteDockerArchive(tb, out, img, s.tag)
	case "oci-archive":
		tartest.WriteOCIArchive(tb, out, img, s.tag)
	case "layout":
		tartest.WriteOCILayout(tb, out, img, s.tag)
	default:
		ts.Fatalf("mkimage: unknown format %q", format)
	}
}

// scanLines yields the directives of a spec, without comments and blanks.
func scanLines(text string) [][]string {
	var out [][]string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			out = append(out, f)
		}
	}
	return out
}

// scriptTB lets tartest's helpers, written for *testing.T, fail a script.
// Only the methods tartest calls are implemented; the embedded nil
// interface supplies testing.TB's unexported method and is never called.
type scriptTB struct {
	testing.TB
	ts *testscript.TestScript
}

func (s scriptTB) Helper()                           {}
func (s scriptTB) Fatalf(format string, args ...any) { s.ts.Fatalf(format, args...) }
func (s scriptTB) Fatal(args ...any)                 { s.ts.Fatalf("%s", fmt.Sprint(args...)) }
func (s scriptTB) Errorf(format string, args ...any) { s.ts.Fatalf(format, args...) }
func (s scriptTB) Cleanup(f func())                  { s.ts.Defer(f) }
