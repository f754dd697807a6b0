package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/report"
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
	diff       bool
	strip      bool
	upx        bool
	format     format
	src        imageFlags
	jobs       int
	probes     []string
	traceProbe []string
	probeExec  []string
	probeFile  string
	probePorts []int
	probeMasks []string

	servedOpts []diet.Option // of the probe flags, made by options
}

func (f *slimFlags) add(fs *pflag.FlagSet) {
	f.format = formatText
	fs.StringVarP(&f.output, "output", "o", "", "where to write the slimmed image: docker-archive:PATH[:TAG], oci-archive:PATH, oci:DIR, docker://REF or docker-daemon:REF")
	fs.StringVar(&f.level, "level", "squash", "how far to go: squash, prune or minimal")
	fs.IntVar(&f.keepBase, "keep-base", -1, "keep the first N layers byte-identical (default: the base image's, from the history)")
	fs.StringArrayVar(&f.keep, "keep", nil, "keep paths matching GLOB (or under a match) whatever the rules say; repeatable")
	fs.StringArrayVar(&f.remove, "remove", nil, "remove paths matching GLOB (or under a match); repeatable")
	fs.BoolVar(&f.verify, "verify", false, "run the original and the slimmed image the same way and compare; on a difference nothing is written")
	fs.StringVar(&f.verifyCmd, "verify-cmd", "", "the command to verify with (and to trace, at --level minimal), instead of the image's entrypoint and cmd (split on spaces)")
	fs.StringVar(&f.verifyWith, "verify-with", "sandbox", "where to run verification: sandbox (bubblewrap: user, PID, network, IPC namespaces, seccomp, limits) or docker (--network none)")
	fs.DurationVar(&f.timeout, "verify-timeout", 10*time.Second, "how long each verification run may take")
	fs.StringArrayVar(&f.probes, "probe", nil, "with --verify (and in the traced run of --level minimal), judge the image as a server by this HTTP probe, sent inside the sandbox once it is ready: [METHOD ]http://:PORT/PATH[ BODY] (or exec CMD, as --probe-exec CMD); repeatable (default: GET / on each EXPOSEd port)")
	fs.StringArrayVar(&f.probeExec, "probe-exec", nil, "with --verify (and in the traced run of --level minimal), judge the image as a server by this command too, run with /bin/sh -c inside its namespaces once it is ready (a second sandbox in its network, or docker exec): its exit code and stdout are compared; repeatable (default: the image's HEALTHCHECK)")
	fs.StringVar(&f.probeFile, "probe-file", "", "read probes from FILE, one a line, after those of --probe and --probe-exec: an HTTP probe as --probe spells it, or exec CMD; blank lines and # comments are skipped")
	fs.StringArrayVar(&f.traceProbe, "trace-probe", nil, "at --level minimal, a probe the traced run sends instead of those of --probe, as --probe spells it; repeatable (--verify still sends every --probe: one left out of the trace checks that what the run did not use is still there)")
	fs.IntSliceVar(&f.probePorts, "probe-port", nil, "with --verify (and in the traced run of --level minimal), a port the server must accept connections on to be ready (default: the probes' ports); repeatable")
	fs.StringArrayVar(&f.probeMasks, "probe-mask", nil, "with --verify, a regular expression whose matches in the probes' answers are ignored (times, ids); repeatable")
	fs.BoolVar(&f.strip, "strip", false, "strip symbol tables and debug sections from ELF files (binutils strip); verify decides")
	fs.BoolVar(&f.upx, "upx", false, "pack ELF executables with UPX (after --strip); reports the bytes saved and the start-up time before and after")
	fs.BoolVar(&f.force, "force", false, "write the slimmed image even when verification finds a difference")
	fs.BoolVar(&f.diff, "diff", false, "after the report, show what changed from IMAGE to the output, as diet diff does (text only)")
	fs.Var(&f.format, "format", "output format: text or json")
	f.src.add(fs, "slim")
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
	if f.diff && f.format != formatText {
		return 0, nil, nil, errors.New("--diff goes with --format text; diet diff --format json IMAGE OUTPUT gives its JSON")
	}
	if f.verifyWith != "sandbox" && f.verifyWith != "docker" {
		return 0, nil, nil, fmt.Errorf("--verify-with %q: want sandbox or docker", f.verifyWith)
	}
	if f.verifyCmd != "" && len(strings.Fields(f.verifyCmd)) == 0 {
		return 0, nil, nil, fmt.Errorf("--verify-cmd %q: the command is empty", f.verifyCmd)
	}
	if f.servedOpts, err = f.served(); err != nil {
		return 0, nil, nil, err
	}
	if f.jobs < 0 || f.timeout <= 0 {
		return 0, nil, nil, errors.New("--jobs must be 0 or more and --verify-timeout positive")
	}
	var iopts []image.Option
	if f.jobs > 0 {
		iopts = append(iopts, image.WithJobs(f.jobs))
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

// served are the library's options for --probe, --probe-exec,
// --probe-file, --trace-probe, --probe-port and --probe-mask.
func (f *slimFlags) served() ([]diet.Option, error) {
	var opts []diet.Option
	for _, s := range f.probes {
		p, err := verify.ParseProbe(s)
		if err != nil {
			return nil, fmt.Errorf("--probe: %w", err)
		}
		opts = append(opts, diet.WithProbes(p))
	}
	for _, s := range f.probeExec {
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("--probe-exec %q: the command is empty", s)
		}
		opts = append(opts, diet.WithProbes(verify.ShellProbe(s)))
	}
	if f.probeFile != "" {
		ps, err := readProbeFile(f.probeFile)
		if err != nil {
			return nil, fmt.Errorf("--probe-file: %w", err)
		}
		opts = append(opts, diet.WithProbes(ps...))
	}
	for _, s := range f.traceProbe {
		p, err := verify.ParseProbe(s)
		if err != nil {
			return nil, fmt.Errorf("--trace-probe: %w", err)
		}
		opts = append(opts, diet.WithTraceProbes(p))
	}
	for _, n := range f.probePorts {
		if n <= 0 || n >= 1<<16 {
			return nil, fmt.Errorf("--probe-port %d: want 1 to 65535", n)
		}
	}
	if len(f.probePorts) > 0 {
		opts = append(opts, diet.WithPorts(f.probePorts...))
	}
	for _, m := range f.probeMasks {
		re, err := regexp.Compile(m)
		if err != nil {
			return nil, fmt.Errorf("--probe-mask: %w", err)
		}
		opts = append(opts, diet.WithMask(re))
	}
	return opts, nil
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
			"minimal keeps only what the entrypoint needs, on an empty base: its closure, or, for a\n" +
			"command an interpreter runs (python, node, java, perl...), what one run of it under strace\n" +
			"uses while it serves the probes --verify would send. --verify runs the original and the\n" +
			"result the same way and writes nothing when they differ.\n\n" +
			"The image's programs (--verify, minimal's trace, --upx's timing) run in a sandbox made with\n" +
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
			src, err := f.src.options(g, cmd.ErrOrStderr())
			if err != nil {
				return usage(cmd, err)
			}
			iopts = append(iopts, src...)
			// A bad output is refused now, not after minutes of work.
			if err := image.CheckTarget(cmd.Context(), f.output); err != nil {
				return fmt.Errorf("--output: %w", err)
			}
			if err := stdinImage(args[0]); err != nil {
				return usage(cmd, err)
			}
			if f.diff && fromStdin(args[0]) {
				return usage(cmd, errors.New("--diff reads IMAGE again after the slim: standard input cannot be"))
			}
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
	// A docker-archive named no tag: give one, so docker load names it.
	tag := slimTag(img)
	dest, tagged := image.WithArchiveTag(f.output, tag)
	out, rep, err := diet.Slim(ctx, img, level, f.slimOptions(g, p, dest, iopts, sopts)...)
	switch {
	case isAs[*diet.RunError](err) || isAs[*image.Error](err):
		return err // the sandbox, the engine or the output: not the input
	case err != nil:
		return &diet.InputError{Ref: ref, Err: err}
	}
	defer out.Close()
	p.done() // before the report, which may go to the same terminal
	rep.Input, rep.Output = ref, f.output
	if err := f.render(cmd, g, rep); err != nil {
		return err
	}
	if rep.Verify != nil && !rep.Verify.Same && !f.force {
		hint := ""
		if m := rep.Verify.FirstMissing; m != "" {
			hint = "; " + report.KeepFlag(m) + " keeps the first missing file"
		}
		return &exitError{code: 1, err: fmt.Errorf("%s: the slimmed image does not run like the original (%s); nothing written, --force writes it anyway%s",
			ref, rep.Verify.Reason, hint)}
	}
	if tagged {
		fmt.Fprintf(cmd.ErrOrStderr(), "diet: %s is tagged %s (-o docker-archive:PATH:TAG names another)\n", quoteControls(f.output), tag)
	}
	if !f.diff {
		return nil
	}
	d, err := diet.Diff(ctx, ref, dest, diet.WithImage(iopts...))
	if err != nil {
		return err
	}
	d.B.Ref = f.output // as the user named it
	fmt.Fprintln(cmd.OutOrStdout())
	return report.DiffText(cmd.OutOrStdout(), d, report.TextOptions{Color: g.color, Width: g.width})
}

// render writes the report as the flags ask.
func (f *slimFlags) render(cmd *cobra.Command, g *globals, rep *slim.Report) error {
	if f.format == formatJSON {
		return report.SlimJSON(cmd.OutOrStdout(), rep)
	}
	return report.SlimText(cmd.OutOrStdout(), rep, report.TextOptions{Color: g.color, Width: g.width})
}

// slimOptions are the library's options for the flags.
func (f *slimFlags) slimOptions(g *globals, p *progress, dest string, iopts []image.Option, sopts []slim.Option) []diet.Option {
	opts := []diet.Option{
		diet.WithOutput(dest),
		diet.WithForce(f.force),
		diet.WithImage(iopts...),
		diet.WithSlim(sopts...),
		diet.WithJobs(f.jobs),
		diet.WithMinFree(g.minFree),
		diet.WithVerify(f.verify),
		diet.WithEngine(f.verifyWith == "docker"),
		diet.WithStartup(f.upx),
		diet.WithTimeout(f.timeout),
	}
	if f.verifyCmd != "" {
		opts = append(opts, diet.WithCommand(strings.Fields(f.verifyCmd)))
	}
	opts = append(opts, f.servedOpts...)
	if p != nil {
		opts = append(opts, diet.WithProgress(func(phase string) { p.phase("slim: " + quoteControls(phase)) }))
	}
	return opts
}

// readProbeFile reads the probes of the file at name.
func readProbeFile(name string) ([]verify.Probe, error) {
	file, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return verify.ParseProbeFile(name, file)
}
