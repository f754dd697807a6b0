package diet_test

import (
	"cmp"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowed is style.md §1's import table as an allow-list: for each package
// that ships in cmd/diet, the diet packages and outside modules it may
// import directly ("" is the root package). The standard library and
// golang.org/x are always allowed. A shipped package missing here fails the
// test: add its row when you add the package.
var allowed = map[string][]string{
	"cmd/diet":            {mod + "internal/cli"},
	"":                    {mod + "analyze", mod + "diff", mod + "entry", mod + "image", mod + "internal/diskspace", mod + "layerfs", mod + "rootfs", mod + "slim", mod + "verify", ggcr + "/pkg/v1"},
	"internal/cli":        {root, mod + "analyze", mod + "diff", mod + "dockerfile", mod + "explore", mod + "gate", mod + "image", mod + "internal/atomicfile", mod + "internal/diskspace", mod + "layerfs", mod + "report", mod + "slim", mod + "verify", ggcr, "github.com/spf13/cobra", "github.com/spf13/pflag", "go.yaml.in/yaml/v3", "github.com/rogpeppe/go-internal/diff"},
	"report":              {mod + "analyze", mod + "diff", mod + "dockerfile", mod + "gate", mod + "slim"},
	"diff":                {mod + "layerfs", ggcr + "/pkg/v1"},
	"explore":             {mod + "analyze", "charm.land/bubbletea/v2", "charm.land/lipgloss/v2"},
	"gate":                {mod + "analyze", mod + "internal/diskspace", "go.yaml.in/yaml/v3"},
	"slim":                {mod + "analyze", mod + "entry", mod + "layerfs", ggcr},
	"entry":               {mod + "elfdeps", mod + "internal/shell", ggcr + "/pkg/v1", "mvdan.cc/sh/v3/syntax"},  // pkg/v1 for the config's ConfigFile
	"verify":              {mod + "layerfs", mod + "rootfs", mod + "elfdeps", mod + "internal/ctxio", ggcr},      // elfdeps for the default PATH only
	"rootfs":              {mod + "layerfs", mod + "internal/ctxio", mod + "internal/tarname", ggcr + "/pkg/v1"}, // images come as v1.Image
	"analyze":             {mod + "layerfs", ggcr + "/pkg/v1"},
	"layerfs":             {mod + "internal/ctxio", mod + "internal/tarname", ggcr + "/pkg/v1", "github.com/klauspost/compress"},
	"image":               {mod + "internal/atomicfile", mod + "internal/ctxio", mod + "internal/diskspace", mod + "internal/tarname", ggcr, "github.com/klauspost/compress", "github.com/klauspost/pgzip"},
	"elfdeps":             {},
	"dockerfile":          {mod + "elfdeps", mod + "internal/shell", "github.com/moby/buildkit/frontend/dockerfile/parser", "mvdan.cc/sh/v3/syntax"}, // elfdeps for the default PATH only
	"internal/ctxio":      {},
	"internal/diskspace":  {},
	"internal/shell":      {"mvdan.cc/sh/v3/syntax"},
	"internal/atomicfile": {},
	"internal/tarname":    {},
}

const ggcr = "github.com/google/go-containerregistry"

// root is the root package, diet: the library's front door. Allowing it
// allows it alone, not the packages beneath it.
const root = "github.com/dietimage/diet"

// TestAllowedImports checks every package cmd/diet links against allowed:
// an import the table does not list fails, and so does a fixture or test
// helper (tartest, enginetest, example, story…) reached from the binary.
func TestAllowedImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./cmd/diet").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/diet: %v\n%s", err, out)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		name, ok := strings.CutPrefix(pkg, mod)
		if pkg == root {
			name, ok = "", true
		}
		if !ok {
			continue // an outside package: its own imports are its business
		}
		allow, ok := allowed[name]
		if !ok {
			t.Errorf("%s ships in cmd/diet but has no row in the allow-list (style.md §1)", name)
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if std(imp) || strings.HasPrefix(imp, "golang.org/x/") {
				continue
			}
			if !slices.ContainsFunc(allow, func(a string) bool { return imp == a || a != root && strings.HasPrefix(imp, a+"/") }) {
				t.Errorf("%s imports %s: not in its row of style.md §1's table", name, imp)
			}
		}
	}
}

// std says whether an import path is the standard library's: its first
// element has no dot.
func std(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

const mod = "github.com/dietimage/diet/"

// forbidden is the table's last column: what a package must never reach,
// directly or through another package.
var forbidden = map[string][]string{
	"":           {mod + "report", "github.com/spf13/cobra"},
	"report":     {mod + "image", "github.com/spf13/cobra"},
	"slim":       {mod + "image", mod + "report", mod + "internal/cli"},
	"entry":      {mod + "image", mod + "slim", mod + "report"},
	"verify":     {mod + "report", mod + "slim", mod + "internal/cli"},
	"rootfs":     {mod + "image", mod + "analyze", mod + "slim"},
	"analyze":    {mod + "image", mod + "report", mod + "slim", mod + "internal/cli", "github.com/spf13/cobra"},
	"layerfs":    {mod + "image", mod + "analyze", "github.com/spf13/cobra"},
	"image":      {mod + "layerfs", mod + "analyze"},
	"elfdeps":    {root},
	"dockerfile": {mod + "image", ggcr},
}

// TestForbiddenImports checks that no package reaches what the table
// forbids it, however far down.
func TestForbiddenImports(t *testing.T) {
	for pkg, bad := range forbidden {
		t.Run(cmp.Or(pkg, "diet"), func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "./"+pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps ./%s: %v\n%s", pkg, err, out)
			}
			self := strings.TrimSuffix(mod+pkg, "/")
			for _, d := range strings.Fields(string(out)) {
				for _, b := range bad {
					if d != self && (d == b || strings.HasPrefix(d, b+"/")) {
						t.Errorf("%s depends on %s: forbidden by style.md §1", pkg, d)
					}
				}
			}
		})
	}
}
