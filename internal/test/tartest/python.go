package tartest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// Python is the host's Debian python, whose packages are in PythonDist.
const (
	Python     = "/usr/bin/python3.11"
	PythonDist = "/usr/lib/python3/dist-packages"
)

// PythonHighlightLazy is the argument that makes [PythonHighlighter]'s
// entrypoint load a lexer its default run does not.
const PythonHighlightLazy = "python"

const pythonHighlighter = `#!/usr/bin/python3.11
import sys
from pygments.lexers import get_lexer_by_name
# pygments imports a lexer's module when it is first asked for by name:
# "text" (the default) loads pygments.lexers.special, "python" the
# pygments.lexers.python module.
lexer = get_lexer_by_name(sys.argv[1] if len(sys.argv) > 1 else "text")
print(lexer.name, [str(t) for t, _ in lexer.get_tokens("x = 1\n")][:3])
`

// PythonHighlighter is an image whose entrypoint, /app/hl.py, is a Python
// script run by the host's Debian python3.11 that prints the first tokens
// pygments finds in "x = 1" with the lexer its argument names: "text" by
// default, [PythonHighlightLazy] with it. pygments imports a lexer's
// module on demand, so the default run never opens lazy, the files the
// other one imports besides (pygments/lexers/python.py among them). The
// image holds python with its libraries, the standard library modules
// either run imports (with their cached bytecode), pygments whole with its
// Pygments-*.egg-info, and PyYAML (yaml, _yaml, PyYAML-*.dist-info),
// which neither run imports: unused are its directories. The test skips
// without that python and those packages.
func PythonHighlighter(t testing.TB) (img v1.Image, lazy, unused []string) {
	t.Helper()
	h := NewHost(t).Program(Python).Etc()
	script := filepath.Join(t.TempDir(), "hl.py")
	if err := os.WriteFile(script, []byte(pythonHighlighter), 0o755); err != nil {
		t.Fatal(err)
	}
	eager := pythonFiles(t, script)
	for _, p := range append(eager, pythonFiles(t, script, PythonHighlightLazy)...) {
		if !slices.Contains(eager, p) {
			lazy = append(lazy, p)
		}
		if !strings.HasPrefix(p, PythonDist+"/") {
			h.Add(p)
		}
	}
	for _, glob := range []string{"pygments", "Pygments-*.egg-info", "yaml", "_yaml", "PyYAML-*.dist-info"} {
		m, _ := filepath.Glob(filepath.Join(PythonDist, glob))
		if len(m) != 1 {
			t.Skipf("this test copies Debian's python3-pygments and python3-yaml from the host: %s/%s matches %q", PythonDist, glob, m)
		}
		h.AddTree(m[0])
		if !strings.Contains(glob, "pygments") && !strings.Contains(glob, "Pygments") {
			unused = append(unused, m[0])
		}
	}
	h.Put(Dir("app"))
	h.Put(Exec("app/hl.py", []byte(pythonHighlighter)))
	return configured(t, h, "COPY python and app /", v1.Config{Entrypoint: []string{"/app/hl.py"}}), lazy, unused
}

// pythonFiles are the files of the modules the host's python imports to
// run script with args: each module's source or extension, and its cached
// bytecode when there is one.
func pythonFiles(t testing.TB, script string, args ...string) []string {
	t.Helper()
	list := filepath.Join(t.TempDir(), "modules")
	code := `import runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
with open(` + "'" + list + "'" + `, "w") as f:
    for m in list(sys.modules.values()):
        for p in (getattr(m, "__file__", None), getattr(m, "__cached__", None)):
            if p:
                print(p, file=f)
`
	if out, err := exec.Command(Python, append([]string{"-c", code, script}, args...)...).CombinedOutput(); err != nil {
		t.Skipf("this test copies the host's %s and its modules: %v: %s", Python, err, out)
	}
	b, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range strings.Fields(string(b)) {
		if _, err := os.Stat(p); err == nil && !slices.Contains(files, p) {
			files = append(files, p)
		}
	}
	slices.Sort(files)
	return files
}

// configured is the image of h's entries in one layer, run as cfg says.
func configured(t testing.TB, h *Host, createdBy string, cfg v1.Config) v1.Image {
	t.Helper()
	img, err := mutate.Config(Image(t, Step{CreatedBy: createdBy, Entries: h.Entries()}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
