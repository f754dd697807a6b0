package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/dietimage/diet/"

// forbidden lists, per package, what it must never depend on, directly or
// not. Packages that do not exist yet are skipped.
var forbidden = map[string][]string{
	"report":     {mod + "image", "github.com/spf13/cobra"},
	"slim":       {mod + "image", mod + "report", mod + "internal/cli"},
	"verify":     {mod + "report", mod + "internal/cli"},
	"analyze":    {mod + "image", mod + "report", mod + "slim", mod + "internal/cli", "github.com/spf13/cobra"},
	"layerfs":    {mod + "image", mod + "analyze", "github.com/spf13/cobra"},
	"image":      {mod + "layerfs", mod + "analyze"},
	"elfdeps":    {mod},
	"dockerfile": {mod + "image", "github.com/google/go-containerregistry"},
}

func deps(t *testing.T, pkg string) ([]string, bool) {
	out, err := exec.Command("go", "list", "-deps", "./"+pkg).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "no Go files") || strings.Contains(string(out), "directory not found") ||
			strings.Contains(string(out), "cannot find") || strings.Contains(string(out), "does not contain") {
			return nil, false
		}
		t.Fatalf("go list -deps ./%s: %v\n%s", pkg, err, out)
	}
	return strings.Fields(string(out)), true
}

func TestImportGraph(t *testing.T) {
	for pkg, bad := range forbidden {
		t.Run(pkg, func(t *testing.T) {
			t.Chdir("../..")
			list, ok := deps(t, pkg)
			if !ok {
				t.Skipf("%s does not exist yet", pkg)
			}
			for _, d := range list {
				for _, b := range bad {
					if (d == b || strings.HasPrefix(d, b+"/") || (strings.HasSuffix(b, "/") && strings.HasPrefix(d, b))) && d != mod+pkg {
						t.Errorf("%s depends on %s: forbidden by style.md §1", pkg, d)
					}
				}
			}
		})
	}
}

// TestMainOnlyWires keeps cmd/diet a one-liner over internal/cli.
func TestMainOnlyWires(t *testing.T) {
	t.Chdir("../..")
	out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", "./cmd/diet").CombinedOutput()
	if err != nil {
		t.Skipf("cmd/diet: %s", out)
	}
	for _, imp := range strings.Fields(string(out)) {
		if strings.HasPrefix(imp, mod) && imp != mod+"internal/cli" {
			t.Errorf("cmd/diet imports %s; it may import only internal/cli", imp)
		}
	}
}
