package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dietimage/diet/dockerfile"
	"github.com/dietimage/diet/report"
)

// lintFlags are the flags of diet lint.
type lintFlags struct {
	format  string
	failOn  string
	ignore  []string
	config  string
	context string
	target  string
}

func (f *lintFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.format, "format", "text", "output format: text, json or sarif (SARIF 2.1.0, for GitHub code scanning)")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 3 when a finding is this severe or more: error, warning, info, style or none (default info)")
	fs.StringArrayVar(&f.ignore, "ignore", nil, "turn a rule off, by diet ID or hadolint alias (DL3009); repeatable")
	fs.StringVar(&f.config, "config", "", "a config file: hadolint's YAML keys ignored: [IDs] and failure-threshold: SEVERITY")
	fs.StringVar(&f.context, "context", "", "the build context, for .dockerignore (default: the Dockerfile's directory)")
	fs.StringVar(&f.target, "target", "", "the stage docker build --target builds (default: the last)")
}

func newLintCmd(g *globals) *cobra.Command {
	f := &lintFlags{}
	cmd := &cobra.Command{
		Use:   "lint DOCKERFILE...",
		Short: "Find the size mistakes in Dockerfiles",
		Long: "lint reads Dockerfiles (- for stdin) and reports what makes their images larger than they\n" +
			"need be: caches left in layers, cleanup in a later RUN than the install, toolchains in the\n" +
			"final stage, unstripped builds, downloaded archives kept, and hadolint's size rules (their\n" +
			"DL ids are accepted as aliases). Rules are documented in docs/rules.md. \"# diet ignore=ID\"\n" +
			"above an instruction silences a rule for it. Exit status 3 means findings. A Dockerfile (or\n" +
			"--config file) over 4 MiB is refused with exit status 1: real ones are a few KB.",
		Example: "  diet lint Dockerfile\n" +
			"  diet lint --format sarif Dockerfile > diet.sarif\n" +
			"  diet lint --fail-on warning --ignore DL3008 services/*/Dockerfile",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage(cmd, errors.New("want one or more DOCKERFILE"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd, g, f, args)
		},
	}
	f.add(cmd.Flags())
	return cmd
}

func runLint(cmd *cobra.Command, g *globals, f *lintFlags, args []string) error {
	if !slices.Contains([]string{"text", "json", "sarif"}, f.format) {
		return usage(cmd, fmt.Errorf("--format %q: want text, json or sarif", f.format))
	}
	cfg := lintConfig{FailOn: "info"}
	if f.config != "" {
		b, err := readFile(cmd.InOrStdin(), f.config)
		if err != nil {
			return err
		}
		if cfg, err = parseLintConfig(b); err != nil {
			return fmt.Errorf("%s: %w", f.config, err)
		}
	}
	cfg.Ignore = append(cfg.Ignore, f.ignore...)
	if f.failOn != "" {
		cfg.FailOn = f.failOn
	}
	var threshold dockerfile.Severity // none: never fail
	if cfg.FailOn != "none" {
		s, err := dockerfile.ParseSeverity(cfg.FailOn)
		if err != nil {
			return usage(cmd, fmt.Errorf("--fail-on: %w", err))
		}
		threshold = s
	}
	for _, id := range cfg.Ignore {
		if _, ok := dockerfile.Lookup(id); !ok {
			return usage(cmd, fmt.Errorf("--ignore %q: no such rule (docs/rules.md lists them)", id))
		}
	}
	var findings []dockerfile.Finding
	for _, name := range args {
		file, err := readDockerfile(cmd.InOrStdin(), name)
		if err != nil {
			return err
		}
		ctxDir := f.context
		if ctxDir == "" && name != "-" {
			ctxDir = filepath.Dir(name)
		}
		opts := []dockerfile.Option{dockerfile.WithDisabled(cfg.Ignore...), dockerfile.WithTarget(f.target)}
		if ctxDir != "" {
			opts = append(opts, dockerfile.WithContextDir(ctxDir))
		}
		findings = append(findings, dockerfile.Lint(file, opts...)...)
	}
	var err error
	switch f.format {
	case "json":
		err = report.LintJSON(cmd.OutOrStdout(), findings)
	case "sarif":
		err = report.LintSARIF(cmd.OutOrStdout(), findings, version())
	default:
		// Messages quote Dockerfile text, which may hold escape sequences.
		shown := make([]dockerfile.Finding, len(findings))
		for i, fd := range findings {
			fd.File, fd.Message = quoteControls(fd.File), quoteControls(fd.Message)
			shown[i] = fd
		}
		err = report.LintText(cmd.OutOrStdout(), shown, report.TextOptions{Color: g.color})
	}
	if err != nil {
		return err
	}
	worst := 0
	for _, fd := range findings {
		if threshold > 0 && fd.Severity >= threshold {
			worst++
		}
	}
	if worst > 0 {
		return &exitError{code: exitFindings, err: fmt.Errorf("%s at --fail-on %s or above", plural(worst, "finding"), cfg.FailOn)}
	}
	return nil
}

// readDockerfile reads and parses one Dockerfile; "-" is stdin.
func readDockerfile(stdin io.Reader, name string) (*dockerfile.File, error) {
	b, err := readFile(stdin, name)
	if err != nil {
		return nil, err
	}
	if name == "-" {
		name = "<stdin>"
	}
	return dockerfile.Parse(name, b)
}

// readFile reads a Dockerfile or a config, "-" for stdin, and refuses one
// over dockerfile.MaxSize after reading one byte more: /dev/zero or an
// endless pipe must not fill memory.
func readFile(stdin io.Reader, name string) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, dockerfile.MaxSize+1))
	if name == "-" {
		name = "<stdin>"
	}
	switch {
	case err != nil && name == "<stdin>":
		return nil, fmt.Errorf("%s: %w", name, err)
	case err != nil:
		return nil, err // an *os.PathError, which names the file
	case len(b) > dockerfile.MaxSize:
		return nil, fmt.Errorf("%s: %w", name, dockerfile.ErrTooLarge)
	}
	return b, nil
}

// lintConfig is what a config file sets.
type lintConfig struct {
	Ignore []string
	FailOn string
}

// parseLintConfig reads the keys diet shares with hadolint's YAML config,
// so a .hadolint.yaml carries over: "ignored:" (a block or flow list of rule
// IDs) and "failure-threshold:". diet's own spellings "ignore:" and
// "fail-on:" work too. Other keys are hadolint's and are skipped.
func parseLintConfig(b []byte) (lintConfig, error) {
	cfg := lintConfig{FailOn: "info"}
	list := false // inside a block list of ignored IDs
	for i, line := range strings.Split(string(b), "\n") {
		if c := strings.Index(line, "#"); c >= 0 {
			line = line[:c]
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if item, ok := strings.CutPrefix(trimmed, "- "); ok {
			if list {
				cfg.Ignore = append(cfg.Ignore, unquote(item))
			}
			continue
		}
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			continue // a nested key of a section diet does not read
		}
		list = false
		key, value, ok := strings.Cut(trimmed, ":")
		if !ok {
			return cfg, fmt.Errorf("line %d: want key: value, got %q", i+1, trimmed)
		}
		value = strings.TrimSpace(value)
		switch key {
		case "ignored", "ignore":
			if value == "" {
				list = true
				continue
			}
			inner, ok := strings.CutPrefix(value, "[")
			if inner, ok = strings.CutSuffix(inner, "]"); !ok {
				return cfg, fmt.Errorf("line %d: %s: want a list", i+1, key)
			}
			for id := range strings.SplitSeq(inner, ",") {
				if id = unquote(strings.TrimSpace(id)); id != "" {
					cfg.Ignore = append(cfg.Ignore, id)
				}
			}
		case "failure-threshold", "fail-on":
			cfg.FailOn = unquote(value)
		}
	}
	return cfg, nil
}

func unquote(s string) string { return strings.Trim(strings.TrimSpace(s), `"'`) }

// plural is "1 finding" or "2 findings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
