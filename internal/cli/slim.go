package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/report"
	rfs "github.com/dietimage/diet/rootfs" // the local type rootfs holds the name
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// slimFlags are the flags of diet slim.
type slimFlags struct {
	output     string
	level      string
	keepBase   int
	keep       []string
	remove     []string
	verify     bool
	verifyCmd  string
	verifyWith string
	timeout    time.Duration
	force      bool
	strip      bool
	upx        bool
	format     format
	platform   string
	insecure   bool
	jobs       int
}

func (f *slimFlags) add(fs *pflag.FlagSet) {
	f.format = formatText
	fs.StringVarP(&f.output, "output", "o", "", "where to write the slimmed image: docker-archive:PATH[:TAG], oci-archive:PATH, oci:DIR, docker://REF or docker-daemon:REF")
	fs.StringVar(&f.level, "level", "squash", "how far to go: squash, prune or minimal")
	fs.IntVar(&f.keepBase, "keep-base", -1, "keep the first N layers byte-identical (default: the base image's, from the history)")
	fs.StringArrayVar(&f.keep, "keep", nil, "keep paths matching GLOB (or under a match) whatever the rules say; repeatable")
	fs.StringArrayVar(&f.remove, "remove", nil, "remove paths matching GLOB (or under a match); repeatable")
	fs.BoolVar(&f.verify, "verify", false, "run the original and the slimmed image the same way and compare; on a difference nothing is written")
	fs.StringVar(&f.verifyCmd, "verify-cmd", "", "the command to verify with, instead of the image's entrypoint and cmd (split on spaces)")
	fs.StringVar(&f.verifyWith, "verify-with", "sandbox", "where to run verification: sandbox (bubblewrap: user, PID, network, IPC namespaces, seccomp, limits) or docker (--network none)")
	fs.DurationVar(&f.timeout, "verify-timeout", 10*time.Second, "how long each verification run may take")
	fs.BoolVar(&f.strip, "strip", false, "strip symbol tables and debug sections from ELF files (binutils strip); verify decides")
	fs.BoolVar(&f.upx, "upx", false, "pack ELF executables with UPX (after --strip); reports the bytes saved and the start-up time before and after")
	fs.BoolVar(&f.force, "force", false, "write the slimmed image even when verification finds a difference")
	fs.Var(&f.format, "format", "output format: text or json")
	fs.StringVar(&f.platform, "platform", "", "image of a multi-platform index, as os/arch[/variant]")
	fs.BoolVar(&f.insecure, "insecure", false, "allow plain HTTP and unverified TLS for docker:// registries (without it, localhost and private addresses need HTTPS too)")
	fs.IntVar(&f.jobs, "jobs", 0, "layers read, and output layers compressed, at once (0: one per CPU)")
}

// options validates the flags and turns them into library options.
func (f *slimFlags) options() (slim.Level, []image.Option, []slim.Option, error) {
	level, err := slim.ParseLevel(f.level)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("--level: %w", err)
	}
	if f.output == "" {
		return 0, nil, nil, errors.New("--output is required")
	}
	if f.verifyWith != "sandbox" && f.verifyWith != "docker" {
		return 0, nil, nil, fmt.Errorf("--verify-with %q: want sandbox or docker", f.verifyWith)
	}
	if f.verifyCmd != "" && len(strings.Fields(f.verifyCmd)) == 0 {
		return 0, nil, nil, fmt.Errorf("--verify-cmd %q: the command is empty", f.verifyCmd)
	}
	if f.jobs < 0 || f.timeout <= 0 {
		return 0, nil, nil, errors.New("--jobs must be 0 or more and --verify-timeout positive")
	}
	iopts := []image.Option{image.WithInsecure(f.insecure)}
	if f.jobs > 0 {
		iopts = append(iopts, image.WithJobs(f.jobs))
	}
	if f.platform != "" {
		p, err := image.ParsePlatform(f.platform)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("--platform: %w", err)
		}
		iopts = append(iopts, image.WithPlatform(p))
	}
	sopts := []slim.Option{slim.WithHistory(f.history(level)), slim.WithStrip(f.strip), slim.WithUPX(f.upx)}
	if f.keepBase >= 0 {
		sopts = append(sopts, slim.WithKeepBase(f.keepBase))
	}
	for _, g := range f.keep {
		sopts = append(sopts, slim.WithKeep(g))
	}
	for _, g := range f.remove {
		sopts = append(sopts, slim.WithRemove(g))
	}
	return level, iopts, sopts, nil
}

// history is how the new layer's history tells what diet did: the flags
// that change the output, in a fixed order, so that equal runs give equal
// images.
func (f *slimFlags) history(level slim.Level) string {
	s := "--level " + level.String()
	if f.keepBase >= 0 {
		s += fmt.Sprintf(" --keep-base %d", f.keepBase)
	}
	for _, g := range f.keep {
		s += " --keep " + g
	}
	for _, g := range f.remove {
		s += " --remove " + g
	}
	if f.strip {
		s += " --strip"
	}
	if f.upx {
		s += " --upx"
	}
	return s
}

func newSlimCmd(g *globals) *cobra.Command {
	f := &slimFlags{}
	cmd := &cobra.Command{
		Use:   "slim IMAGE -o OUT",
		Short: "Make an image smaller without rebuilding it",
		Long: "slim writes a smaller copy of IMAGE. --level squash merges the layers above the base into\n" +
			"one, dropping every deleted and overwritten byte, and keeps the base layers byte-identical;\n" +
			"prune also leaves out caches, sources, headers, docs, locales and unused toolchains;\n" +
			"minimal keeps only what the entrypoint needs, on an empty base. --verify runs the\n" +
			"original and the result the same way and writes nothing when they differ.\n\n" +
			"The image's programs (--verify, and --upx's start-up timing) run in a sandbox made with\n" +
			"bubblewrap (bwrap). It guarantees: the image's root is an unprivileged user of the host\n" +
			"(uid 1999999999 when diet runs as root); a private filesystem view of the extracted image\n" +
			"only (nosuid, nodev, a fresh /proc, a minimal /dev); new PID, network (loopback only),\n" +
			"IPC and UTS namespaces; no capabilities, no_new_privs, no new user namespaces; a seccomp\n" +
			"filter refusing mount, module, key, BPF, kexec, ptrace, clock and swap calls; limits on\n" +
			"processes, memory, file size and CPU time; the image's environment kept from the host's\n" +
			"tools; and no process left behind, even when diet is killed. It does not guarantee:\n" +
			"protection from kernel bugs reachable by an unprivileged user, or secrecy of the host's\n" +
			"hostname, kernel version and CPU. --verify-with docker runs on the engine with\n" +
			"--network none and its defaults otherwise; its containers are removed even when diet\n" +
			"is killed.",
		Example: "  diet slim app.tar -o docker-archive:app-slim.tar\n" +
			"  diet slim --level prune --keep '/usr/share/locale/en*' docker-daemon:app:1 -o docker-daemon:app:1-slim\n" +
			"  diet slim --level minimal --verify --verify-cmd '/app --version' app.tar -o oci:out",
		Args: exactArgs(1, "one IMAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			level, iopts, sopts, err := f.options()
			if err != nil {
				return usage(cmd, err)
			}
			if g.minFreeErr != nil {
				return usage(cmd, g.minFreeErr)
			}
			// A bad output is refused now, not after minutes of work.
			if err := image.CheckTarget(cmd.Context(), f.output); err != nil {
				return fmt.Errorf("--output: %w", err)
			}
			if err := stdinImage(args[0]); err != nil {
				return usage(cmd, err)
			}
			iopts = append(iopts, image.WithMinFree(g.minFree))
			return runSlim(cmd, g, f, args[0], level, iopts, sopts)
		},
	}
	f.add(cmd.Flags())
	return cmd
}

func runSlim(cmd *cobra.Command, g *globals, f *slimFlags, ref string, level slim.Level, iopts []image.Option, sopts []slim.Option) error {
	ctx := cmd.Context()
	var p *progress // phases on stderr when it is a terminal
	if g.progress {
		p = newProgress(cmd.ErrOrStderr())
		defer p.done()
	}
	p.phase("slim: reading layers")
	img, err := image.Open(ctx, ref, iopts...)
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return &inputError{ref: ref, err: err}
	}
	var bopts []layerfs.Option
	if f.jobs > 0 {
		bopts = append(bopts, layerfs.WithJobs(f.jobs))
	}
	tree, err := layerfs.Build(ctx, img, bopts...)
	if err != nil {
		return &inputError{ref: ref, err: err}
	}
	tmp, err := verify.TempDir("", "diet-slim-*") // the sandbox's user may enter it
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	roots := &rootfs{dir: tmp, reserve: g.minFree}
	if level == slim.Minimal {
		p.phase("slim: extracting the image to find what the entrypoint needs")
		root, err := roots.extract(ctx, "original", img)
		if err != nil {
			return &inputError{ref: ref, err: err}
		}
		paths, err := slim.Needs(os.DirFS(root), cf)
		if err != nil {
			return &inputError{ref: ref, err: fmt.Errorf("minimal: %w", err)}
		}
		sopts = append(sopts, slim.WithPaths(paths))
	}
	plan, err := slim.NewPlan(img, tree, level, sopts...)
	if err != nil {
		return &inputError{ref: ref, err: err}
	}
	p.phase("slim: squashing the layers above the base")
	// The squashed layer is spooled under tmp: as large as what the layers
	// above the base decompress to.
	out, err := plan.Rewrite(ctx, &spoolGuard{Image: img, dir: tmp, reserve: g.minFree, from: plan.KeepBase}, tmp)
	if err != nil {
		return &inputError{ref: ref, err: err}
	}
	rep := plan.Report(ref, f.output)
	c, err := verifyCommand(f, cf)
	if err != nil && (f.verify || f.upx) {
		return &inputError{ref: ref, err: err}
	}
	if f.verify {
		p.phase("slim: verifying: running the original and the slimmed image")
		if rep.Verify, err = verifyRuns(ctx, f, c, roots, img, out); err != nil {
			return err
		}
	}
	if rep.UPX != nil {
		p.phase("slim: timing the start-up of the original and the slimmed image")
		rep.UPX.Startup = startup(ctx, f, c, roots, img, out)
	}
	render := func() error {
		p.done() // before the report, which may go to the same terminal
		if f.format == formatJSON {
			return report.SlimJSON(cmd.OutOrStdout(), rep)
		}
		return report.SlimText(cmd.OutOrStdout(), rep, report.TextOptions{Color: g.color, Width: g.width})
	}
	if rep.Verify != nil && !rep.Verify.Same && !f.force {
		if err := render(); err != nil {
			return err
		}
		hint := ""
		if m := rep.Verify.FirstMissing; m != "" {
			hint = "; " + report.KeepFlag(m) + " keeps the first missing file"
		}
		return &exitError{code: 1, err: fmt.Errorf("%s: the slimmed image does not run like the original (%s); nothing written, --force writes it anyway%s",
			ref, rep.Verify.Reason, hint)}
	}
	// A docker-archive named no tag: give one, so docker load names it.
	tag := slimTag(img)
	dest, tagged := image.WithArchiveTag(f.output, tag)
	p.phase("slim: writing " + quoteControls(f.output))
	if err := image.Write(ctx, out, dest, iopts...); err != nil {
		return err
	}
	if tagged {
		p.done()
		fmt.Fprintf(cmd.ErrOrStderr(), "diet: %s is tagged %s (-o docker-archive:PATH:TAG names another)\n", quoteControls(f.output), tag)
	}
	return render()
}

// verifyCommand is what verification runs: --verify-cmd, or the image's
// entrypoint and cmd.
func verifyCommand(f *slimFlags, cf *v1.ConfigFile) (verify.Command, error) {
	c, err := verify.CommandOf(cf, nil)
	if f.verifyCmd != "" { // the whole command, entrypoint included
		c.Argv, err = strings.Fields(f.verifyCmd), nil
	}
	return c, err
}

// rootfs extracts images for the sandbox, each once.
type rootfs struct {
	dir     string
	reserve int64 // free space to keep on dir's disk (DIET_MIN_FREE)
	done    map[string]string
}

func (r *rootfs) extract(ctx context.Context, name string, img v1.Image) (string, error) {
	if p, ok := r.done[name]; ok {
		return p, nil
	}
	p := filepath.Join(r.dir, name)
	if err := rfs.Extract(ctx, &spoolGuard{Image: img, dir: r.dir, reserve: r.reserve}, p); err != nil {
		return "", err
	}
	if r.done == nil {
		r.done = map[string]string{}
	}
	r.done[name] = p
	return p, nil
}

// verifyRuns runs the original and the slimmed image the same way.
func verifyRuns(ctx context.Context, f *slimFlags, c verify.Command, roots *rootfs, img, out v1.Image) (*slim.Verification, error) {
	opts := []verify.Option{verify.WithTimeout(f.timeout), verify.WithTrace(true)}
	var before, after *verify.Result
	if f.verifyWith == "docker" {
		for i, im := range []v1.Image{img, out} {
			tag := fmt.Sprintf("diet-verify:%d-%d", os.Getpid(), i)
			archive := filepath.Join(roots.dir, fmt.Sprintf("verify-%d.tar", i))
			if err := image.Write(ctx, im, "docker-archive:"+archive+":"+tag); err != nil {
				return nil, err
			}
			r, err := verify.RunEngine(ctx, archive, tag, c, opts...)
			if err != nil {
				return nil, err
			}
			before, after = after, r
		}
	} else {
		for i, im := range []v1.Image{img, out} {
			root, err := roots.extract(ctx, []string{"original", "slimmed"}[i], im)
			if err != nil {
				return nil, err
			}
			r, err := verify.Run(ctx, root, c, opts...)
			if err != nil {
				return nil, err
			}
			before, after = after, r
		}
	}
	same, reason := verify.Compare(before, after)
	v := &slim.Verification{With: f.verifyWith, Command: c.Argv, Same: same, Reason: reason,
		Original: before.ExitCode, Slimmed: after.ExitCode, Output: strings.TrimSpace(string(after.Stdout))}
	if !same {
		v.FirstMissing = verify.FirstMissing(before, after)
	}
	return v, nil
}

// startupRuns is how many timed runs each side of a start-up comparison gets.
const startupRuns = 5

// startup times the verification command in the sandbox over the original
// and the slimmed rootfs: what UPX's unpacking costs at every start.
func startup(ctx context.Context, f *slimFlags, c verify.Command, roots *rootfs, img, out v1.Image) *slim.Startup {
	s := &slim.Startup{Command: c.Argv, Runs: startupRuns}
	for i, im := range []v1.Image{img, out} {
		root, err := roots.extract(ctx, []string{"original", "slimmed"}[i], im)
		var d time.Duration
		if err == nil {
			d, err = verify.Startup(ctx, root, c, startupRuns, verify.WithTimeout(f.timeout))
		}
		switch {
		case errors.Is(err, verify.ErrNoExit):
			s.Note = fmt.Sprintf("%q runs until killed (a server?): give --verify-cmd a command that exits, such as --version", c.Argv)
			return s
		case err != nil:
			s.Note = err.Error()
			return s
		}
		ms := float64(d.Microseconds()) / 1000
		s.BeforeMS, s.AfterMS = s.AfterMS, ms
	}
	return s
}
