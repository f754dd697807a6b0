package cli

import (
	"bufio"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/gate"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/atomicfile"
	"github.com/dietimage/diet/report"
)

// format is the --format flag: it refuses unknown names while flags are
// parsed, before any image is opened.
type format string

// Formats of diet analyze.
const (
	formatText     format = "text"
	formatJSON     format = "json"
	formatMarkdown format = "markdown" // analyze and diff: a pull request comment
	formatHTML     format = "html"     // analyze and diff: a page with treemaps
)

var _ pflag.Value = (*format)(nil)

// String implements pflag.Value.
func (f *format) String() string { return string(*f) }

// Set implements pflag.Value.
func (f *format) Set(s string) error {
	switch format(s) {
	case formatText, formatJSON:
		*f = format(s)
		return nil
	}
	return fmt.Errorf("unknown format %q (want text or json)", s)
}

// Type implements pflag.Value.
func (f *format) Type() string { return "text|json" }

// analyzeFormat is the --format of analyze and diff: format, markdown and html.
type analyzeFormat struct{ format }

// Set implements pflag.Value.
func (f *analyzeFormat) Set(s string) error {
	if format(s) == formatMarkdown || format(s) == formatHTML {
		f.format = format(s)
		return nil
	}
	if err := f.format.Set(s); err != nil {
		return fmt.Errorf("unknown format %q (want text, json, markdown or html)", s)
	}
	return nil
}

// Type implements pflag.Value.
func (f *analyzeFormat) Type() string { return "text|json|markdown|html" }

// analyzeFlags are the flags of diet analyze.
type analyzeFlags struct {
	format     analyzeFormat
	src        imageFlags
	jobs       int
	depth, top int
	duplicates bool
	verify     bool
	files      bool
	layer      int
	compressed string
	output     string
	ci         ciFlags
	fs         *pflag.FlagSet
}

func (f *analyzeFlags) add(fs *pflag.FlagSet) {
	f.fs = fs
	f.format.format = formatText
	fs.Var(&f.format, "format", "output format: text, json (schema in docs/analyze.md), markdown (a pull request comment) or html (one self-contained page with treemaps)")
	fs.StringVarP(&f.output, "output", "o", "", "write the report to FILE (atomically) instead of standard output")
	f.src.add(fs, "analyze")
	fs.IntVar(&f.jobs, "jobs", 0, "layers read at once (0: one per CPU)")
	fs.IntVar(&f.depth, "depth", 3, "levels of the directory tree to show")
	fs.IntVar(&f.top, "top", 10, "largest children to show per directory (0: all)")
	fs.BoolVar(&f.duplicates, "duplicates", false, "hash file contents to find duplicates (reads every file)")
	fs.BoolVar(&f.verify, "verify", false, "read every layer whole and check its digest")
	fs.StringVar(&f.compressed, "compressed", "", "compute the compressed size of layers stored uncompressed (docker-archive, docker-daemon), as a push would send them: gzip (exact, as docker push: Go's gzip at its default level), zstd, or estimate (gzip of 1 MiB in 8)")
	fs.BoolVar(&f.files, "files", false, "with --format json, list every path each layer added, changed and removed (layers[].files)")
	fs.IntVar(&f.layer, "layer", -1, "list only what layer N (0 at the base) added, changed and removed, largest first")
	f.ci.add(fs)
}

// options validates the flags and turns them into library options. It
// only validates and converts: it opens nothing.
func (f *analyzeFlags) options() ([]analyze.Option, error) {
	if f.jobs < 0 {
		return nil, fmt.Errorf("--jobs %d: want 0 or more", f.jobs)
	}
	if f.depth < 0 || f.top < 0 {
		return nil, fmt.Errorf("--depth and --top must not be negative")
	}
	if f.files && f.format.format != formatJSON {
		return nil, fmt.Errorf("--files goes with --format json; --layer N lists one layer as text")
	}
	if f.layer < -1 {
		return nil, fmt.Errorf("--layer %d: layers are numbered from 0 at the base", f.layer)
	}
	depth, top := f.depth, f.top
	if f.format.format == formatHTML && !f.fs.Changed("depth") && !f.fs.Changed("top") {
		depth, top = 6, 30 // the treemap goes deeper than a terminal's tree
	}
	aopts := []analyze.Option{
		analyze.WithDuplicates(f.duplicates),
		analyze.WithVerify(f.verify),
		analyze.WithTree(depth, top),
		analyze.WithFiles(f.files || f.layer >= 0),
	}
	if f.jobs > 0 {
		aopts = append(aopts, analyze.WithJobs(f.jobs))
	}
	return aopts, nil
}

func newAnalyzeCmd(g *globals) *cobra.Command {
	f := &analyzeFlags{}
	cmd := &cobra.Command{
		Use:   "analyze IMAGE",
		Short: "Show where every byte of an image goes",
		Long: "analyze reads each layer of IMAGE once and reports its sizes (docker's, compressed,\n" +
			"final), the layers with the Dockerfile lines that made them, wasted bytes (files a later\n" +
			"layer deletes or overwrites), dive's figures, known culprits, duplicates, the directory\n" +
			"tree, recommendations with the bytes each saves, and an accounting that adds every byte up.\n\n" +
			"--ci (or CI=true, as dive) checks the rules after the report and exits 3 when one fails:\n" +
			"dive's defaults (lowest-efficiency 0.9, highest-user-wasted-percent 0.1), then the rules\n" +
			"file (--ci-config, else ./.diet.yaml's ci: or dive's ./.dive-ci), then the rule flags.\n" +
			"Rules and files: docs/analyze.md.",
		Example: "  diet analyze docker-archive:app.tar\n" +
			"  docker save app | gzip > app.tar.gz && diet analyze app.tar.gz\n" +
			"  docker save app | diet analyze -\n" +
			"  diet analyze --format json docker://alpine:3.20 | jq .size\n" +
			"  diet analyze --platform linux/arm64 --duplicates oci:layout:v1\n" +
			"  diet analyze --ci --max-size 200MB --deny-culprits apt-lists,go-build-cache app:1\n" +
			"  diet analyze --ci --format markdown app:1 >> \"$GITHUB_STEP_SUMMARY\"",
		Args: exactArgs(1, "one IMAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			aopts, err := f.options()
			if err != nil {
				return usage(cmd, err)
			}
			iopts, err := f.src.options(g, cmd.ErrOrStderr())
			if err != nil {
				return usage(cmd, err)
			}
			if err := stdinImage(args[0]); err != nil {
				return usage(cmd, err)
			}
			var rules *gate.Rules
			if f.ci.enabled() {
				r, err := f.ci.load(cmd.ErrOrStderr())
				if err != nil {
					return usage(cmd, err)
				}
				rules = &r
			}
			var dopts []diet.Option
			if f.compressed != "" {
				c, err := image.ParseCompression(f.compressed)
				if err != nil {
					return usage(cmd, fmt.Errorf("--compressed: %w", err))
				}
				dopts = append(dopts, diet.WithCompressed(c))
			}
			if f.layer >= 0 {
				return runLayer(cmd, g, f.format.format, f.layer, args[0], iopts, aopts)
			}
			return runAnalyze(cmd, g, f.format.format, f.output, args[0], iopts, aopts, rules, dopts...)
		},
	}
	f.add(cmd.Flags())
	return cmd
}

// runAnalyze opens ref, analyses it and renders the report on stdout; with
// rules, their verdict too, and exit 3 when one fails.
func runAnalyze(cmd *cobra.Command, g *globals, f format, output, ref string, iopts []image.Option, aopts []analyze.Option, rules *gate.Rules, dopts ...diet.Option) error {
	var p *progress // nil: stderr is no terminal
	if g.progress {
		p = newProgress(cmd.ErrOrStderr())
		defer p.done()
		aopts = append(aopts, analyze.WithProgress(p.update))
	}
	if !g.gogc {
		defer debug.SetGCPercent(debug.SetGCPercent(40))
	}
	r, err := diet.Analyze(cmd.Context(), ref, append(dopts, diet.WithImage(iopts...), diet.WithAnalyze(aopts...))...)
	p.done() // before the report, which may go to the same terminal
	if err != nil {
		return err // it names ref
	}
	var v *gate.Verdict
	if rules != nil {
		v = gate.Check(r, *rules)
	}
	if err := writeTo(cmd, output, func(w io.Writer) error { return writeAnalysis(w, g, f, r, v) }); err != nil {
		return err
	}
	if v != nil && !v.Passed {
		var failed []string
		for _, res := range v.Results {
			if res.Status == gate.Fail {
				failed = append(failed, res.Rule)
			}
		}
		return &exitError{code: exitFindings, err: fmt.Errorf("%d of %d CI rules failed: %s", len(failed), len(v.Results), strings.Join(failed, ", "))}
	}
	return nil
}

// runLayer shows what one layer of ref did: as text, or its JSON object.
func runLayer(cmd *cobra.Command, g *globals, f format, n int, ref string, iopts []image.Option, aopts []analyze.Option) error {
	r, err := diet.Analyze(cmd.Context(), ref, diet.WithImage(iopts...), diet.WithAnalyze(aopts...))
	if err != nil {
		return err
	}
	if n >= len(r.Layers) {
		return fmt.Errorf("%s: --layer %d: the image has %d layers (0 to %d)", ref, n, len(r.Layers), len(r.Layers)-1)
	}
	if f == formatJSON {
		return report.LayerJSON(cmd.OutOrStdout(), &r.Layers[n])
	}
	return report.LayerText(cmd.OutOrStdout(), r, n, report.TextOptions{Color: g.color, Width: g.width})
}

// writeTo runs write on standard output, or on a temporary file beside
// output that replaces it once complete.
func writeTo(cmd *cobra.Command, output string, write func(io.Writer) error) error {
	if output == "" {
		return write(cmd.OutOrStdout())
	}
	f, err := atomicfile.Create(output)
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		f.Abort()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Abort()
		return fmt.Errorf("--output: %w", err)
	}
	if err := f.Commit(cmd.Context(), 0o644); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}

// writeAnalysis renders r, and the verdict v when the gate ran.
func writeAnalysis(out io.Writer, g *globals, f format, r *analyze.Report, v *gate.Verdict) error {
	switch {
	case f == formatHTML:
		return report.HTML(out, r)
	case f == formatMarkdown:
		return report.Markdown(out, r, v)
	case f == formatJSON && v != nil:
		return report.GateJSON(out, r, v)
	case f == formatJSON:
		return report.JSON(out, r)
	}
	o := report.TextOptions{Color: g.color, Width: g.width}
	if err := report.Text(out, r, o); err != nil || v == nil {
		return err
	}
	return report.GateText(out, v, o)
}

// progress draws one status line on a terminal, rewritten in place with
// \r: a dependency-free bar is enough for a count of layers. It is only
// made when stderr is a terminal, so pipes and logs never see it.
type progress struct {
	w     io.Writer
	drawn bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

// update implements the callback of analyze.WithProgress: it is called
// from one goroutine and returns at once.
func (p *progress) update(s analyze.Progress) {
	if s.Layers == 0 { // a stream: the count comes at its end
		fmt.Fprintf(p.w, "\r\x1b[Kanalyzing: %d layers, %s read", s.LayersDone, report.Decimal(s.BytesDone))
	} else {
		fmt.Fprintf(p.w, "\r\x1b[Kanalyzing: %d/%d layers, %s read", s.LayersDone, s.Layers, report.Decimal(s.BytesDone))
	}
	p.drawn = true
}

// phase shows what a command is doing, as "slim: writing out.tar".
func (p *progress) phase(s string) {
	if p == nil {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", s)
	p.drawn = true
}

// done erases the line, so that stderr is clean for errors and reports.
// It may be called again, and on a nil progress (no terminal).
func (p *progress) done() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
