package dockerfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The files of the build contexts below.
const (
	cgoGoMod     = "module example.com/app\n\ngo 1.22\n"
	cgoMain      = "package main\n\n/*\nstatic int one(void) { return 1; }\n*/\nimport \"C\"\n\nfunc main() { println(C.one()) }\n"
	pureMain     = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(1) }\n"
	mainImports  = "package main\n\nimport \"example.com/app/internal/calc\"\n\nfunc main() { println(calc.One()) }\n"
	cgoCalc      = "package calc\n\n// #include <stdlib.h>\nimport \"C\"\n\nfunc One() int { return int(C.abs(-1)) }\n"
	pureCalc     = "package calc\n\nfunc One() int { return 1 }\n"
	mainThird    = "package main\n\nimport \"github.com/mattn/go-sqlite3\"\n\nvar _ = sqlite3.Version\n\nfunc main() {}\n"
	cgoSqlite    = "package sqlite3\n\n// #cgo LDFLAGS: -lsqlite3\nimport \"C\"\n\nconst Version = 1\n"
	pureSqlite   = "package sqlite3\n\nconst Version = 1\n"
	cgoLibm      = "package main\n\n/*\n#cgo linux LDFLAGS: -lm -lpthread\n#include <math.h>\n*/\nimport \"C\"\n\nfunc main() { println(C.sqrt(4)) }\n"
	cgoPkgConfig = "package main\n\nimport (\n\t\"fmt\"\n\n\t// #cgo pkg-config: libpng\n\t\"C\"\n)\n\nfunc main() { fmt.Println(C.int(1)) }\n"
)

const cgoDockerfile = "FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/app\nCMD [\"/app\"]\n"

// TestFixCgo: the multi-stage rewrite of a Go build reads the build
// context. It builds a static binary onto scratch (CGO_ENABLED=0) only
// when no package the build compiles uses cgo; when one does, or cgo
// cannot be ruled out, the build keeps cgo and the binary goes onto the
// slim base of its Debian release; when cgo links a library that base may
// lack, the rewrite stays a suggestion.
func TestFixCgo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		src   string            // the Dockerfile; cgoDockerfile when ""
		files map[string]string // the build context; none when nil
		base  string            // the final stage's FROM; "" when DIET302 stays a suggestion
	}{
		{name: "main package imports C", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": cgoMain},
			base: "debian:bookworm-slim"},
		{name: "a package of the module imports C", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": mainImports, "internal/calc/calc.go": cgoCalc},
			base: "debian:bookworm-slim"},
		{name: "pure Go", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": mainImports, "internal/calc/calc.go": pureCalc},
			base: "scratch"},
		{name: "cgo in a package the build does not import", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": pureMain, "internal/calc/calc.go": cgoCalc},
			base: "scratch"},
		{name: "a C source file in the package", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": pureMain, "cmd/app/one.c": "int one(void) { return 1; }\n"},
			base: "debian:bookworm-slim"},
		{name: "libm and pthread come with libc", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": cgoLibm},
			base: "debian:bookworm-slim"},
		{name: "a module the build downloads", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": mainThird},
			base: "debian:bookworm-slim"},
		{name: "a vendored module without cgo", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": mainThird, "vendor/github.com/mattn/go-sqlite3/sqlite3.go": pureSqlite},
			base: "scratch"},
		{name: "a vendored module links a library the base lacks", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": mainThird, "vendor/github.com/mattn/go-sqlite3/sqlite3.go": cgoSqlite}},
		{name: "pkg-config", files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": cgoPkgConfig}},
		{name: "no build context", base: "debian:bookworm-slim"},
		{name: "the package is not in the context", files: map[string]string{"go.mod": cgoGoMod, "main.go": pureMain},
			base: "debian:bookworm-slim"},
		{name: "sources copied directory by directory",
			src:   "FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY go.mod ./\nCOPY cmd/ ./cmd/\nCOPY internal internal\nRUN go build -o /app ./cmd/app\nCMD [\"/app\"]\n",
			files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": mainImports, "internal/calc/calc.go": cgoCalc},
			base:  "debian:bookworm-slim"},
		{name: "a build of ./... compiles every package",
			src:   "FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\nRUN go build ./... && go build -o /app ./cmd/app\nCMD [\"/app\"]\n",
			files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": pureMain, "internal/calc/calc.go": cgoCalc},
			base:  "debian:bookworm-slim"},
		{name: "an import path of the module",
			src:   "FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\nRUN go build -o /app example.com/app/cmd/app\nCMD [\"/app\"]\n",
			files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": cgoMain},
			base:  "debian:bookworm-slim"},
		{name: "go install of a fetched module",
			src:   "FROM golang:1.22-bookworm\nRUN go install example.com/tool@v1.0.0\nCMD [\"tool\"]\n",
			files: map[string]string{"go.mod": cgoGoMod},
			base:  "debian:bookworm-slim"},
		{name: "golang alpine has no C compiler: cgo is off anyway",
			src:   "FROM golang:1.22-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/app\nCMD [\"/app\"]\n",
			files: map[string]string{"go.mod": cgoGoMod, "cmd/app/main.go": cgoMain},
			base:  "scratch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := tc.src
			if src == "" {
				src = cgoDockerfile
			}
			var opts []Option
			if tc.files != nil {
				opts = append(opts, WithContextDir(writeContext(t, tc.files)))
			}
			res := checkFix(t, "Dockerfile", []byte(src), opts...)
			checkCgoFix(t, src, res, tc.base)
		})
	}
}

// checkCgoFix checks the final stage of a fixed Go build: FROM base, with
// CGO_ENABLED=0 only onto scratch; no multi-stage rewrite when base is "".
func checkCgoFix(t *testing.T, src string, res *FixResult, base string) {
	t.Helper()
	rewrote := slices.ContainsFunc(res.Changes, func(c Change) bool { return c.ID == "DIET302" })
	if base == "" {
		if rewrote {
			t.Errorf("Fix(%q) = %s, want DIET302 left as a suggestion", src, res.Source)
		}
		return
	}
	if !rewrote {
		t.Fatalf("Fix(%q) made no multi-stage build, want one FROM %s", src, base)
	}
	out := string(res.Source)
	if got := out[strings.LastIndex(out, "FROM "):]; !strings.HasPrefix(got, "FROM "+base+"\n") {
		t.Errorf("Fix(%q) final stage:\n%s\nwant FROM %s", src, got, base)
	}
	if static := strings.Contains(out, "CGO_ENABLED=0"); static != (base == "scratch") {
		t.Errorf("Fix(%q) = %s: CGO_ENABLED=0 %v, want it only onto scratch", src, out, static)
	}
}

// TestFixCgoContextSymlink: a symlink out of the build context is not
// followed (docker build does not follow it either), so cgo is not ruled
// out by files outside the context.
func TestFixCgoContextSymlink(t *testing.T) {
	t.Parallel()
	outside := writeContext(t, map[string]string{"main.go": pureMain})
	dir := writeContext(t, map[string]string{"go.mod": cgoGoMod})
	if err := os.MkdirAll(filepath.Join(dir, "cmd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "cmd", "app")); err != nil {
		t.Fatal(err)
	}
	res := checkFix(t, "Dockerfile", []byte(cgoDockerfile), WithContextDir(dir))
	checkCgoFix(t, cgoDockerfile, res, "debian:bookworm-slim")
}
