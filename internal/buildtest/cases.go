package buildtest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Case is one realistic Dockerfile with its build context, and the command
// that shows an image of it works.
type Case struct {
	Name       string   // "go-service": its directory under testdata
	Dir        string   // the build context, an absolute path; holds Dockerfile
	Dockerfile []byte   // the original, with the usual size mistakes
	Command    []string // what to run in the image: `docker run IMAGE Command...`
	Output     string   // what Command prints on standard output
	// Base, when the case has one (base.Dockerfile), builds the image the
	// Dockerfile's FROM names, on a base [Prepare] makes; build it first.
	Base []byte
}

// caseNames are the cases, in the order [Cases] lists them.
var caseNames = []string{"go-service", "c-apt", "python-pip", "download-extract", "go-cgo"}

// Cases returns the cases in testdata: a Go service, a C program built
// against apt packages, a Python app installed with pip, a
// download-and-extract of a release tarball, and a Go program that calls C
// (on golang:1.26-bookworm-gcc, which its base.Dockerfile makes: gcc on
// the golang image, as the official one has it). Each directory's expect file
// holds the command on its first line, after "$ ", and the output after
// it.
//
// Cases finds testdata next to this source file, so it works in tests run
// from the module's tree (not in a binary built with -trimpath). It panics
// when a case is missing or malformed, since that is a bug in this package.
func Cases() []Case {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("buildtest: no caller information")
	}
	root := filepath.Join(filepath.Dir(file), "testdata")
	cases := make([]Case, 0, len(caseNames))
	for _, name := range caseNames {
		c, err := loadCase(filepath.Join(root, name))
		if err != nil {
			panic(fmt.Sprintf("buildtest: case %s: %v", name, err))
		}
		cases = append(cases, c)
	}
	return cases
}

func loadCase(dir string) (Case, error) {
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		return Case{}, err
	}
	expect, err := os.ReadFile(filepath.Join(dir, "expect"))
	if err != nil {
		return Case{}, err
	}
	first, output, _ := strings.Cut(string(expect), "\n")
	cmd, ok := strings.CutPrefix(first, "$ ")
	if !ok || len(strings.Fields(cmd)) == 0 {
		return Case{}, fmt.Errorf("%s: first line %q is not \"$ command\"", filepath.Join(dir, "expect"), first)
	}
	base, err := os.ReadFile(filepath.Join(dir, "base.Dockerfile"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Case{}, err
	}
	return Case{
		Base:       base,
		Name:       filepath.Base(dir),
		Dir:        dir,
		Dockerfile: df,
		Command:    strings.Fields(cmd),
		Output:     output,
	}, nil
}
