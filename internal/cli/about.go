package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// This file holds what diet says about itself: its version, and the
// command reference generated from the tree.

// version is the module version of the binary and the commit it was built
// from, when the build recorded them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}

// versionLine is what diet version and diet --version print.
func versionLine() string {
	return fmt.Sprintf("diet %s %s %s/%s", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print diet's version",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return err
		},
	}
}

// writeReference writes the command reference, docs/cli.md, from the
// command tree: every visible command with its usage, description,
// examples and flags, then the exit codes. A test keeps docs/cli.md equal
// to it. It is ours rather than cobra/doc, whose dependencies (a man page
// and a YAML library) would outweigh these lines.
func writeReference(w io.Writer, root *cobra.Command) error {
	var b strings.Builder
	b.WriteString("# diet command reference\n\n")
	b.WriteString("<!-- Generated from the command tree by `go test ./internal/cli -run TestReference -update`. Do not edit. -->\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		section(&b, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	b.WriteString("\n## Exit codes\n\n| code | meaning |\n|---|---|\n")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "| %d | %s |\n", e.code, e.text)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// section writes one command's part of the reference.
func section(b *strings.Builder, c *cobra.Command) {
	c.InitDefaultHelpFlag() // cobra adds -h and --version lazily, at Execute
	c.InitDefaultVersionFlag()
	fmt.Fprintf(b, "\n## %s\n\n%s.\n", c.CommandPath(), c.Short)
	if c.Long != "" {
		fmt.Fprintf(b, "\n%s\n", c.Long)
	}
	fmt.Fprintf(b, "\n```\n%s\n```\n", c.UseLine())
	if c.Example != "" {
		fmt.Fprintf(b, "\nExamples:\n\n```\n%s\n```\n", c.Example)
	}
	if fs := c.NonInheritedFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(b, "\nFlags:\n\n```\n%s```\n", fs.FlagUsages())
	}
	if fs := c.InheritedFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(b, "\nInherited flags:\n\n```\n%s```\n", fs.FlagUsages())
	}
}
