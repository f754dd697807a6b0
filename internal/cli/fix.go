package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dietimage/diet/dockerfile"
)

// fixFlags are the flags of diet fix.
type fixFlags struct {
	write   bool
	force   bool
	diff    bool
	context string
	only    []string
	ignore  []string
}

func (f *fixFlags) add(fs *pflag.FlagSet) {
	fs.BoolVarP(&f.write, "write", "w", false, "write the fixed file back (atomically, keeping its mode, owner and line endings) instead of printing it")
	fs.BoolVar(&f.force, "force", false, "with -w, write a read-only file, or a file with several hard links (in place, keeping the links)")
	fs.BoolVarP(&f.diff, "diff", "d", false, "print a unified diff of the changes instead of the file")
	fs.StringVar(&f.context, "context", "", "the build context `DIR`, read to tell whether a Go build uses cgo (default: the Dockerfile's directory; none for stdin)")
	fs.StringArrayVar(&f.only, "only", nil, "fix only this rule, by diet ID or hadolint alias; repeatable")
	fs.StringArrayVar(&f.ignore, "ignore", nil, "turn a rule off, by diet ID or hadolint alias (DL3009); repeatable")
}

func newFixCmd(g *globals) *cobra.Command {
	f := &fixFlags{}
	cmd := &cobra.Command{
		Use:   "fix [flags] DOCKERFILE",
		Short: "Rewrite a Dockerfile to repair its size mistakes",
		Long: "fix repairs what lint finds where the repair is certain: cleanup merged into the RUN that\n" +
			"installs, apk --no-cache, apt lists removed and --no-install-recommends, pip --no-cache-dir,\n" +
			"package manager and Go caches cleaned, downloaded archives deleted, COPY --chown instead of a\n" +
			"later chown -R, ADD of local files as COPY, useradd -l, stripped Go builds, and a single-stage\n" +
			"Go build rewritten as a build stage and a small final stage that holds only the binary: FROM\n" +
			"scratch when the build context (--context, by default the Dockerfile's directory) shows no\n" +
			"cgo in the packages built, else the slim base of the build's libc, cgo kept.\n" +
			"It edits the original text, so comments and formatting elsewhere survive; the result always\n" +
			"parses, and fixing it again changes nothing. It prints the fixed file (- reads stdin), or a\n" +
			"diff with -d, or writes it back with -w. Each fix, and each finding left as a suggestion,\n" +
			"goes to stderr as file:line: ID fixed: ... or file:line: ID suggestion: ...; fixes name lines\n" +
			"of the input, suggestions lines of the output. Suggestions do not change the exit status.\n" +
			"A Dockerfile over 4 MiB is refused with exit status 1. -w replaces the file atomically and keeps\n" +
			"its mode, owner, group and CRLF line endings; it refuses (exit 1) a read-only file, and a file\n" +
			"with several hard links, which a replacement would cut off. --force writes the first anyway and\n" +
			"the second in place (not atomically), so every link sees the fix.",
		Example: "  diet fix Dockerfile\n" +
			"  diet fix -d Dockerfile\n" +
			"  diet fix -w --only DIET302 --only DL3019 Dockerfile",
		Args: exactArgs(1, "one DOCKERFILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFix(cmd, f, args[0])
		},
	}
	f.add(cmd.Flags())
	return cmd
}

func runFix(cmd *cobra.Command, f *fixFlags, name string) error {
	for _, list := range [][]string{f.only, f.ignore} {
		for _, id := range list {
			if _, ok := dockerfile.Lookup(id); !ok {
				return usage(cmd, fmt.Errorf("rule %q: no such rule (docs/rules.md lists them)", id))
			}
		}
	}
	if f.write && name == "-" {
		return usage(cmd, errors.New("-w needs a file, not stdin"))
	}
	file, err := readDockerfile(cmd.InOrStdin(), name)
	if err != nil {
		return err
	}
	opts := []dockerfile.Option{dockerfile.WithDisabled(f.ignore...)}
	if len(f.only) > 0 {
		opts = append(opts, dockerfile.WithFixOnly(f.only...))
	}
	switch {
	case f.context != "":
		if st, err := os.Stat(f.context); err != nil || !st.IsDir() {
			return usage(cmd, fmt.Errorf("--context %s: not a directory", f.context))
		}
		opts = append(opts, dockerfile.WithContextDir(f.context))
	case name != "-":
		opts = append(opts, dockerfile.WithContextDir(filepath.Dir(name)))
	}
	res, err := dockerfile.Fix(file, opts...)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	for _, c := range res.Changes {
		fmt.Fprintf(stderr, "%s:%d: %s fixed: %s\n", quoteControls(c.File), c.Line, c.ID, quoteControls(c.Message))
	}
	for _, fd := range res.Suggestions {
		fmt.Fprintf(stderr, "%s:%d: %s suggestion: %s\n", quoteControls(fd.File), fd.Line, fd.ID, quoteControls(fd.Message))
	}
	out := cmd.OutOrStdout()
	fixed := keepCRLF(file.Source, res.Source)
	if f.diff {
		if _, err := out.Write(diff.Diff(file.Name+".orig", file.Source, file.Name, fixed)); err != nil {
			return err
		}
	}
	if f.write {
		if len(res.Changes) == 0 {
			return nil
		}
		return writeBack(cmd.Context(), name, fixed, f.force)
	}
	if !f.diff {
		_, err = out.Write(fixed)
	}
	return err
}
