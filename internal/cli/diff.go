package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/diff"
	"github.com/dietimage/diet/gate"
	"github.com/dietimage/diet/report"
)

// diffFlags are the flags of diet diff.
type diffFlags struct {
	format       analyzeFormat
	src          imageFlags
	jobs         int
	failOnGrowth string
	maxGrowth    string
	output       string
}

func newDiffCmd(g *globals) *cobra.Command {
	f := &diffFlags{}
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Show what changed between two images",
		Long: "diff compares image A (before) with image B (after): the layers they share (shown once),\n" +
			"each path of their final filesystems added, removed or changed (type, size, mode, owner,\n" +
			"link target, content), docker's, final and compressed sizes, the directories that changed most\n" +
			"and the history lines that differ. Each image is read once; contents are hashed where\n" +
			"they decide (a file of one size in both, written by different layers).\n\n" +
			"--max-growth and --fail-on-growth make it a gate: exit 3 when docker's size grew more.",
		Example: "  diet diff app:1.4 app:1.5\n" +
			"  diet diff --format markdown --fail-on-growth 5% app:main app:pr-123 >> \"$GITHUB_STEP_SUMMARY\"\n" +
			"  diet diff app.tar app-slim.tar\n" +
			"  diet diff --format html -o growth.html app:1.4 app:1.5",
		Args: exactArgs(2, "two images, A and B"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.jobs < 0 {
				return usage(cmd, fmt.Errorf("--jobs %d: want 0 or more", f.jobs))
			}
			var maxBytes *int64
			var maxShare *float64
			if f.maxGrowth != "" {
				n, err := gate.ParseSize(f.maxGrowth)
				if err != nil {
					return usage(cmd, fmt.Errorf("--max-growth: %w", err))
				}
				maxBytes = &n
			}
			if f.failOnGrowth != "" {
				s, err := gate.ParseFraction(f.failOnGrowth)
				if err != nil {
					return usage(cmd, fmt.Errorf("--fail-on-growth: %w", err))
				}
				maxShare = &s
			}
			iopts, err := f.src.options(g, cmd.ErrOrStderr())
			if err != nil {
				return usage(cmd, err)
			}
			r, err := diet.Diff(cmd.Context(), args[0], args[1], diet.WithImage(iopts...), diet.WithJobs(f.jobs))
			if err != nil {
				return err
			}
			if err := writeTo(cmd, f.output, func(w io.Writer) error { return writeDiff(w, g, f.format.format, r) }); err != nil {
				return err
			}
			return growth(r, maxBytes, maxShare)
		},
	}
	f.format.format = formatText
	fl := cmd.Flags()
	fl.Var(&f.format, "format", "output format: text, json (every path), markdown (a pull request comment) or html (one page with the growth treemap)")
	fl.StringVarP(&f.output, "output", "o", "", "write the comparison to FILE (atomically) instead of standard output")
	f.src.add(fl, "compare")
	fl.IntVar(&f.jobs, "jobs", 0, "layers read at once (0: one per CPU)")
	fl.StringVar(&f.maxGrowth, "max-growth", "", "exit 3 when docker's size grew by more than this, e.g. 20MB")
	fl.StringVar(&f.failOnGrowth, "fail-on-growth", "", "exit 3 when docker's size grew by more than this share of A's, e.g. 5%")
	return cmd
}

// writeDiff renders r in format f.
func writeDiff(w io.Writer, g *globals, f format, r *diff.Report) error {
	switch f {
	case formatJSON:
		return report.DiffJSON(w, r)
	case formatMarkdown:
		return report.DiffMarkdown(w, r)
	case formatHTML:
		return report.DiffHTML(w, r)
	}
	return report.DiffText(w, r, report.TextOptions{Color: g.color, Width: g.width})
}

// growth is the gate of diet diff: an exit 3 error when docker's size
// grew by more than maxBytes or than the share maxShare of A's.
func growth(r *diff.Report, maxBytes *int64, maxShare *float64) error {
	d := r.Size.Docker
	var over []string
	if maxBytes != nil && d.Delta > *maxBytes {
		over = append(over, fmt.Sprintf("more than --max-growth %s", report.Decimal(*maxBytes)))
	}
	if maxShare != nil && d.A > 0 && float64(d.Delta) > *maxShare*float64(d.A) {
		over = append(over, fmt.Sprintf("more than --fail-on-growth %.1f%% of %s", 100**maxShare, report.Decimal(d.A)))
	}
	if len(over) == 0 {
		return nil
	}
	return &exitError{code: exitFindings, err: fmt.Errorf("docker's size grew by %s (%s → %s): %s",
		report.Decimal(d.Delta), report.Decimal(d.A), report.Decimal(d.B), over[0])}
}
