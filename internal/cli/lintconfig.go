package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dietimage/diet/dockerfile"
)

// lintConfig is what a config file sets. Empty strings are unset, so the
// command line can tell a config's choice from the default.
type lintConfig struct {
	Ignore   []string
	FailOn   string
	NoFail   bool
	Format   string                           // diet's name for hadolint's output-format
	Override map[dockerfile.Severity][]string // rule IDs as written, by new severity
	Notes    []string                         // what was skipped, for stderr
}

type overrideKey struct {
	key string
	sev dockerfile.Severity
}

// overrideKeys are the lists under hadolint's override:, least severe first:
// hadolint applies error last, so an ID in two lists ends up the more severe.
var overrideKeys = []overrideKey{
	{"style", dockerfile.SeverityStyle}, {"info", dockerfile.SeverityInfo},
	{"warning", dockerfile.SeverityWarning}, {"error", dockerfile.SeverityError},
}

// hadolintOnly are hadolint's config keys for things diet does not do:
// they are skipped with a note that says so, not reported as unknown.
var hadolintOnly = []string{
	"trustedRegistries", "trusted-registries", "label-schema", "strict-labels",
	"disable-ignore-pragma", "no-color", "verbose",
}

// hadolintFormats maps hadolint's output-format names onto diet's formats.
var hadolintFormats = map[string]string{
	"tty": "text", "json": "json", "sarif": "sarif", "checkstyle": "checkstyle",
	"gitlab_codeclimate": "gitlab",
}

// parseLintConfig reads hadolint's YAML config, so a .hadolint.yaml carries
// over: ignored:, override: (error, warning, info and style lists),
// failure-threshold:, no-fail: and output-format:. diet's own spellings
// "ignore:" and "fail-on:" work too. Other keys are skipped with a note.
func parseLintConfig(b []byte) (lintConfig, error) {
	var cfg lintConfig
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return cfg, err
	}
	if len(doc.Content) == 0 {
		return cfg, nil // empty, or only comments
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return cfg, fmt.Errorf("line %d: want keys such as ignored: and override:, got %s", root.Line, kindName(root))
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var err error
		switch key := k.Value; key {
		case "ignored", "ignore":
			var ids []string
			ids, err = stringList(key, v)
			cfg.Ignore = append(cfg.Ignore, ids...)
		case "failure-threshold", "fail-on":
			cfg.FailOn, err = scalar(key, v)
		case "no-fail":
			if err = v.Decode(&cfg.NoFail); err != nil {
				err = fmt.Errorf("line %d: %s: want true or false", v.Line, key)
			}
		case "output-format":
			var name string
			if name, err = scalar(key, v); err == nil {
				if cfg.Format = hadolintFormats[name]; cfg.Format == "" {
					cfg.Notes = append(cfg.Notes, fmt.Sprintf("output-format %q has no diet equivalent; ignored", name))
				}
			}
		case "override":
			err = parseOverride(&cfg, v)
		default:
			if slices.Contains(hadolintOnly, key) {
				cfg.Notes = append(cfg.Notes, fmt.Sprintf("%q configures hadolint rules diet does not have; ignored", key))
			} else {
				cfg.Notes = append(cfg.Notes, fmt.Sprintf("unknown key %q ignored", key))
			}
		}
		if err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// parseOverride reads override:'s lists of rule IDs by severity.
func parseOverride(cfg *lintConfig, v *yaml.Node) error {
	v = deref(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil // "override:" with nothing under it
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: override: want lists named error, warning, info or style", v.Line)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, list := v.Content[i], v.Content[i+1]
		at := slices.IndexFunc(overrideKeys, func(o overrideKey) bool { return o.key == k.Value })
		if at < 0 {
			cfg.Notes = append(cfg.Notes, fmt.Sprintf("unknown key %q under override ignored", k.Value))
			continue
		}
		ids, err := stringList("override: "+k.Value, list)
		if err != nil {
			return err
		}
		if cfg.Override == nil {
			cfg.Override = map[dockerfile.Severity][]string{}
		}
		sev := overrideKeys[at].sev
		cfg.Override[sev] = append(cfg.Override[sev], ids...)
	}
	return nil
}

// stringList reads a block or flow list of scalars; an empty value is an
// empty list, as YAML's null.
func stringList(key string, v *yaml.Node) ([]string, error) {
	v = deref(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: %s: want a list, got %s", v.Line, key, kindName(v))
	}
	var out []string
	for _, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s: want rule IDs, got %s", item.Line, key, kindName(item))
		}
		if s := strings.TrimSpace(item.Value); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func scalar(key string, v *yaml.Node) (string, error) {
	v = deref(v)
	if v.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("line %d: %s: want a single value, got %s", v.Line, key, kindName(v))
	}
	return strings.TrimSpace(v.Value), nil
}

// deref follows a YAML alias (*name) to the node its anchor (&name) marks,
// as hadolint's YAML reader does.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// findLintConfig returns the config file hadolint would read without
// --config, or "" for none. hadolint takes the first file that exists of:
// .hadolint.yaml or .yml in the working directory; hadolint.yaml or .yml in
// the user's config directory ($XDG_CONFIG_HOME, else ~/.config);
// ~/.hadolint/{hadolint,config}.{yaml,yml}; ~/.hadolint.{yaml,yml}.
func findLintConfig(getenv func(string) string, cwd string) string {
	home := getenv("HOME")
	if runtime.GOOS == "windows" {
		home = getenv("USERPROFILE")
	}
	var dirs [][2]string // directory, file name
	for _, n := range []string{".hadolint.yaml", ".hadolint.yml"} {
		dirs = append(dirs, [2]string{cwd, n})
	}
	cfgDir := getenv("XDG_CONFIG_HOME")
	if runtime.GOOS == "windows" {
		cfgDir = getenv("APPDATA")
	} else if cfgDir == "" && home != "" {
		cfgDir = filepath.Join(home, ".config")
	}
	if cfgDir != "" {
		for _, n := range []string{"hadolint.yaml", "hadolint.yml"} {
			dirs = append(dirs, [2]string{cfgDir, n})
		}
	}
	if home != "" {
		for _, n := range []string{"hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"} {
			dirs = append(dirs, [2]string{filepath.Join(home, ".hadolint"), n})
		}
		for _, n := range []string{".hadolint.yaml", ".hadolint.yml"} {
			dirs = append(dirs, [2]string{home, n})
		}
	}
	for _, d := range dirs {
		if d[0] == "" {
			continue
		}
		p := filepath.Join(d[0], d[1])
		// A regular file only: a FIFO or a device under that name would
		// block or never end.
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// hadolintID matches the IDs of hadolint's own rules (DL1xxx, DL3xxx and
// DL4xxx) and of the ShellCheck checks it runs (SCxxxx), which a hadolint
// config may list though diet has no such rule. DL9999 is a typo.
var hadolintID = regexp.MustCompile(`(?i)^(DL[134]\d{3}|SC\d{4})$`)

// splitRuleIDs sorts IDs into those diet knows, hadolint's that diet does
// not implement, and the rest, which are mistakes.
func splitRuleIDs(ids []string) (known, foreign, bad []string) {
	for _, id := range ids {
		switch _, ok := dockerfile.Lookup(id); {
		case ok:
			known = append(known, id)
		case hadolintID.MatchString(id):
			foreign = append(foreign, strings.ToUpper(id))
		default:
			bad = append(bad, id)
		}
	}
	return known, foreign, bad
}
