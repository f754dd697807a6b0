package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dietimage/diet/internal/diskspace"
	"github.com/dietimage/diet/report"
)

// globals is what every command shares: facts about the terminal and the
// environment, read once per run by load.
type globals struct {
	color    bool // write ANSI colour to stdout
	width    int  // columns to fit text output to
	progress bool // draw progress on stderr: it is a terminal
	gogc     bool // GOGC is set: leave the collector as the user tuned it
	// minFree is the free space kept on the disks diet spools to
	// (DIET_MIN_FREE), or diskspace.Auto; minFreeErr a bad value of it.
	minFree    int64
	minFreeErr error
	// saveStream: DIET_LAYER_STORE=0 makes docker-daemon: read the
	// engine's save stream even where its layer store is readable.
	saveStream bool
}

// load reads the environment and looks at stdout and stderr. Colour follows
// https://no-color.org and the FORCE_COLOR convention: NO_COLOR (non-empty)
// wins, then FORCE_COLOR (non-empty, not "0" or "false"), then TERM=dumb
// turns it off; otherwise colour is on only when stdout is a terminal.
// Progress is drawn only when stderr is a terminal and TERM is not dumb.
// COLUMNS, then the terminal, then [report.DefaultWidth] set the width.
func (g *globals) load(getenv func(string) string, stdout, stderr io.Writer) {
	outTTY, outFd := terminal(stdout)
	errTTY, _ := terminal(stderr)
	force := getenv("FORCE_COLOR")
	switch {
	case getenv("NO_COLOR") != "":
		g.color = false
	case force != "" && force != "0" && force != "false":
		g.color = true
	case getenv("TERM") == "dumb":
		g.color = false
	default:
		g.color = outTTY
	}
	g.width = report.DefaultWidth
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		g.width = n
	} else if outTTY {
		if w, _, err := term.GetSize(outFd); err == nil && w > 0 {
			g.width = w
		}
	}
	g.progress = errTTY && getenv("TERM") != "dumb"
	g.gogc = getenv("GOGC") != ""
	g.saveStream = getenv("DIET_LAYER_STORE") == "0"
	g.minFree, g.minFreeErr = diskspace.Auto, nil
	if v := getenv(diskspace.EnvMinFree); v != "" {
		g.minFree, g.minFreeErr = diskspace.ParseSize(v)
		if g.minFreeErr != nil {
			g.minFreeErr = fmt.Errorf("%s: %w", diskspace.EnvMinFree, g.minFreeErr)
		}
	}
}

// terminal reports whether w is a terminal, and its descriptor.
func terminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok {
		return false, -1
	}
	fd := int(f.Fd())
	return term.IsTerminal(fd), fd
}

// stdinImage refuses to read an image from standard input when it is a
// terminal: nobody types a tar, and diet would wait for ever.
func stdinImage(ref string) error {
	if !fromStdin(ref) {
		return nil
	}
	if tty, _ := terminal(os.Stdin); tty {
		return fmt.Errorf("IMAGE %q reads the image from standard input, which is a terminal here: pipe one in (docker save IMAGE | diet analyze -)", ref)
	}
	return nil
}

// fromStdin reports whether the image ref is read from standard input.
func fromStdin(ref string) bool {
	return ref == "-" || ref == "/dev/stdin" || ref == "docker-archive:-" || ref == "docker-archive:/dev/stdin"
}

// New returns the diet command tree, built afresh: no state is shared
// between two trees or two runs.
func New() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "diet",
		Short: "Explain and shrink container images",
		Long: "diet shows where every byte of a container image goes, and makes images smaller.\n\n" +
			"IMAGE names follow skopeo: docker-archive:PATH (docker save), oci:DIR[:TAG],\n" +
			"oci-archive:PATH[:TAG] (an OCI layout in a tar), docker://REF (a registry),\n" +
			"docker-daemon:REF (the local engine); a bare path or reference does the obvious thing.\n\n" +
			"docker-daemon: reads the engine's layer store where diet can (root, a local engine, the\n" +
			"overlay2 or fuse-overlayfs driver), else its save stream, and says why once on stderr;\n" +
			"DIET_LAYER_STORE=0 reads the save stream always.\n\n" +
			"analyze reads a compressed or piped archive and the engine's save stream in one pass.\n" +
			"slim spools them under TMPDIR, as it does the squashed layer and a --level minimal\n" +
			"rootfs. A small gzip can expand a thousandfold, so diet stops\n" +
			"with an error before the free space there drops below max(1 GiB, 5% of the disk).\n" +
			"Set DIET_MIN_FREE to another size to keep free (such as 500MB or 10GiB; 0 turns the\n" +
			"check off), or point TMPDIR at a larger disk.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          rootArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
			return usage(cmd, errors.New("missing command"))
		},
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			g.load(os.Getenv, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	// diet --version and -v print what diet version prints.
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	root.SuggestionsMinimumDistance = 2
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usage(cmd, err) })
	root.AddCommand(newAnalyzeCmd(g), newExploreCmd(g), newDiffCmd(g), newSlimCmd(g), newLintCmd(g), newFixCmd(g), newVersionCmd())
	addCompletions(root)
	return root
}

// rootArgs rejects an unknown command as a usage error, with cobra's
// suggestions.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	err := fmt.Errorf("unknown command %q", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		err = fmt.Errorf("%w; did you mean %q?", err, s[0])
	}
	return usage(cmd, err)
}

// exactArgs wants n positional arguments, named by what for messages.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usage(cmd, fmt.Errorf("want %s, got %d arguments", what, len(args)))
		}
		return nil
	}
}

// Main runs diet with the process's arguments and standard streams, and
// returns the exit status: 0 ok, 1 error, 2 usage, 3 findings (the table
// in docs/cli.md). SIGINT and SIGTERM cancel the run's context.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, restore the default: a second Ctrl-C kills
	// a run that is slow to stop.
	go func() {
		<-ctx.Done()
		stop()
	}()
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// run executes one command line and prints its error, if any, as one line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := New()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	// One line, whatever the error: errors.Join and wrapped tool output
	// may hold newlines.
	msg := strings.ReplaceAll(strings.TrimSpace(message(ctx, err)), "\n", "; ")
	fmt.Fprintf(stderr, "diet: %s\n", cutWords(report.Escape(msg), maxWord))
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return exitInterrupted
	}
	return code(err)
}

// maxWord is the most runes of one word an error message shows: a name is
// echoed in messages, and an 80 KB name must not become an 80 KB line.
const maxWord = 200

// cutWords shortens every run of non-blanks in s longer than n runes to
// its first n, and an ellipsis.
func cutWords(s string, n int) string {
	var b strings.Builder
	run := 0
	for _, r := range s {
		if r == ' ' {
			run = 0
		} else if run++; run > n {
			if run == n+1 {
				b.WriteString("…")
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
