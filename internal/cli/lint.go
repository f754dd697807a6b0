package cli

import (
	"cmp"
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
	format   string
	failOn   string
	ignore   []string
	config   string
	noConfig bool
	noFail   bool
	context  string
	target   string
}

func (f *lintFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.format, "format", "text", "output format: text, json, sarif (SARIF 2.1.0, for GitHub code scanning),\n"+
		"checkstyle (XML, as hadolint writes it) or gitlab (GitLab Code Quality JSON)")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 3 when a finding is this severe or more: error, warning, info, style or none (default info)")
	fs.BoolVar(&f.noFail, "no-fail", false, "exit 0 whatever the findings, as hadolint --no-fail")
	fs.StringArrayVar(&f.ignore, "ignore", nil, "turn a rule off, by diet ID or hadolint alias (DL3009); repeatable;\n"+
		"hadolint IDs diet does not implement are skipped with a note")
	fs.StringVar(&f.config, "config", "", "a hadolint YAML config (default: the one hadolint finds, see above)")
	fs.BoolVar(&f.noConfig, "no-config", false, "read no config file, not even the one hadolint would find")
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
			"--config file) over 4 MiB is refused with exit status 1: real ones are a few KB.\n\n" +
			"Without --config, lint reads the config hadolint would: the first of .hadolint.yaml or\n" +
			".hadolint.yml in the working directory, hadolint.yaml or .yml in $XDG_CONFIG_HOME (default\n" +
			"~/.config), ~/.hadolint/{hadolint,config}.{yaml,yml}, ~/.hadolint.{yaml,yml}. It honours\n" +
			"ignored:, override: (error, warning, info, style), failure-threshold:, no-fail: and\n" +
			"output-format:, and notes on stderr what it skips. Command-line flags win over the file.",
		Example: "  diet lint Dockerfile\n" +
			"  diet lint --format sarif Dockerfile > diet.sarif\n" +
			"  diet lint --fail-on warning --ignore DL3008 services/*/Dockerfile\n" +
			"  diet lint --format gitlab Dockerfile > gl-code-quality-report.json",
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
	cfg, cfgPath, err := loadLintConfig(cmd, f)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	for _, n := range cfg.Notes {
		fmt.Fprintf(stderr, "diet: note: %s: %s\n", quoteControls(cfgPath), quoteControls(n))
	}
	format := f.format
	if !cmd.Flags().Changed("format") && cfg.Format != "" {
		format = cfg.Format
	}
	if !slices.Contains(lintFormats, format) {
		return usage(cmd, fmt.Errorf("--format %q: want %s", format, strings.Join(lintFormats, ", ")))
	}
	failOn := cmp.Or(f.failOn, cfg.FailOn, "info")
	var threshold dockerfile.Severity // none: never fail
	if failOn == "ignore" {
		failOn = "none" // hadolint's other spelling
	}
	if failOn != "none" {
		s, err := dockerfile.ParseSeverity(failOn)
		if err != nil {
			if f.failOn == "" {
				return usage(cmd, fmt.Errorf("%s: failure-threshold: %w", cfgPath, err))
			}
			return usage(cmd, fmt.Errorf("--fail-on: %w", err))
		}
		threshold = s
	}
	if f.noFail || (cfg.NoFail && f.failOn == "") {
		threshold = 0
	}
	// Rule IDs: hadolint's that diet lacks are noted and skipped, the way a
	// .hadolint.yaml written for hadolint lists them; anything else is a typo.
	ignore, err := checkRuleIDs(cmd, "--ignore", f.ignore)
	if err != nil {
		return err
	}
	fromCfg, err := checkRuleIDs(cmd, cfgPath+": ignored", cfg.Ignore)
	if err != nil {
		return err
	}
	ignore = append(ignore, fromCfg...)
	override := map[string]dockerfile.Severity{} // by diet rule ID
	for _, o := range overrideKeys {
		ids, err := checkRuleIDs(cmd, cfgPath+": override: "+o.key, cfg.Override[o.sev])
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, _ := dockerfile.Lookup(id)
			override[r.ID] = o.sev
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
		opts := []dockerfile.Option{dockerfile.WithDisabled(ignore...), dockerfile.WithTarget(f.target)}
		if ctxDir != "" {
			opts = append(opts, dockerfile.WithContextDir(ctxDir))
		}
		findings = append(findings, dockerfile.Lint(file, opts...)...)
	}
	for i, fd := range findings {
		if s, ok := override[fd.ID]; ok {
			findings[i].Severity = s
		}
	}
	if err := writeLint(cmd.OutOrStdout(), g, format, findings); err != nil {
		return err
	}
	worst := 0
	for _, fd := range findings {
		if threshold > 0 && fd.Severity >= threshold {
			worst++
		}
	}
	if worst > 0 {
		return &exitError{code: exitFindings, err: fmt.Errorf("%s at --fail-on %s or above", plural(worst, "finding"), failOn)}
	}
	return nil
}

// lintFormats are the values of diet lint --format.
var lintFormats = []string{"text", "json", "sarif", "checkstyle", "gitlab"}

// writeLint renders the findings in one of lintFormats.
func writeLint(w io.Writer, g *globals, format string, findings []dockerfile.Finding) error {
	switch format {
	case "json":
		return report.LintJSON(w, findings)
	case "sarif":
		return report.LintSARIF(w, findings, version())
	case "checkstyle":
		return report.LintCheckstyle(w, findings)
	case "gitlab":
		return report.LintGitLab(w, findings)
	}
	// Messages quote Dockerfile text, which may hold escape sequences.
	shown := make([]dockerfile.Finding, len(findings))
	for i, fd := range findings {
		fd.File, fd.Message = quoteControls(fd.File), quoteControls(fd.Message)
		shown[i] = fd
	}
	return report.LintText(w, shown, report.TextOptions{Color: g.color})
}

// loadLintConfig reads --config, or else the file hadolint would find,
// unless --no-config. It returns the config and its path ("" for none).
func loadLintConfig(cmd *cobra.Command, f *lintFlags) (lintConfig, string, error) {
	path := f.config
	switch {
	case path != "" && f.noConfig:
		return lintConfig{}, "", usage(cmd, errors.New("--config and --no-config: give one"))
	case path == "" && !f.noConfig:
		if cwd, err := os.Getwd(); err == nil {
			path = findLintConfig(os.Getenv, cwd)
		}
	}
	if path == "" {
		return lintConfig{}, "", nil
	}
	b, err := readFile(cmd.InOrStdin(), path)
	if err != nil {
		return lintConfig{}, "", err
	}
	cfg, err := parseLintConfig(b)
	if err != nil {
		return lintConfig{}, "", fmt.Errorf("%s: %w", path, err)
	}
	if path == "-" {
		path = "<stdin>"
	}
	return cfg, path, nil
}

// checkRuleIDs returns the IDs diet knows; it notes hadolint's IDs that
// diet does not implement, and refuses the rest with a usage error. where
// names the list: "--ignore" or "PATH: ignored".
func checkRuleIDs(cmd *cobra.Command, where string, ids []string) ([]string, error) {
	known, foreign, bad := splitRuleIDs(ids)
	if len(bad) > 0 {
		return nil, usage(cmd, fmt.Errorf("%s %q: no such rule (docs/rules.md lists them)", quoteControls(where), bad[0]))
	}
	if len(foreign) > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "diet: note: %s: %s: hadolint rules diet does not implement; skipped\n",
			quoteControls(where), strings.Join(foreign, ", "))
	}
	return known, nil
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

// plural is "1 finding" or "2 findings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
