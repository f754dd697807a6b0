package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/pflag"

	"github.com/dietimage/diet/gate"
)

// ciConfigs are the files diet analyze --ci reads when --ci-config names
// none, the first found in the working directory: diet's own, then dive's.
var ciConfigs = []string{".diet.yaml", ".dive-ci"}

// ciFlags are diet analyze's gate: --ci, --ci-config and one flag a rule.
type ciFlags struct {
	on     bool
	config string
	rules  map[string]*string // by gate key
	fs     *pflag.FlagSet
}

// ruleUsage explains each rule's flag.
var ruleUsage = map[string]string{
	"max-size":                    "fail when docker's size (docker image ls) is larger, e.g. 200MB",
	"max-final-size":              "fail when the merged filesystem is larger",
	"max-compressed-size":         "fail when the compressed layers (a pull) are larger; skipped where the source stores none",
	"max-wasted-bytes":            "fail when the bytes later layers delete or replace are more",
	"max-wasted-percent":          "fail when those are a larger share of docker's size, e.g. 5% or 0.05",
	"max-layer-size":              "fail when any layer is larger",
	"deny-culprits":               "fail when the image holds culprits of these categories, e.g. apt-lists,go-build-cache",
	"lowest-efficiency":           "dive's rule: fail when dive's efficiency is lower (default 0.9)",
	"highest-wasted-bytes":        "dive's rule: fail when dive's wasted bytes are more (default disabled)",
	"highest-user-wasted-percent": "dive's rule: fail when dive's user wasted percent is higher (default 0.1)",
}

func (f *ciFlags) add(fs *pflag.FlagSet) {
	f.fs = fs
	fs.BoolVar(&f.on, "ci", false, "check the rules and exit 3 when one fails (also when CI=true, as dive)")
	fs.StringVar(&f.config, "ci-config", "", "rules file: .diet.yaml's ci: or dive's .dive-ci (default: the first of "+
		"./.diet.yaml, ./.dive-ci); flags override it")
	f.rules = map[string]*string{}
	for _, k := range gate.Keys {
		f.rules[k] = fs.String(k, "", ruleUsage[k]+` ("disabled" turns it off); with --ci`)
	}
	// dive's camelCase flags name the same rules.
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		switch name {
		case "lowestEfficiency":
			name = "lowest-efficiency"
		case "highestWastedBytes":
			name = "highest-wasted-bytes"
		case "highestUserWastedPercent":
			name = "highest-user-wasted-percent"
		}
		return pflag.NormalizedName(name)
	})
}

// enabled reports whether the gate runs: --ci, or CI set truthy as dive
// reads it (true, 1 or yes).
func (f *ciFlags) enabled() bool {
	switch os.Getenv("CI") {
	case "true", "1", "yes":
		return true
	}
	return f.on
}

// load builds the rules: dive's defaults, then the config file, then the
// flags given. It writes the file's notes to stderr.
func (f *ciFlags) load(stderr io.Writer) (gate.Rules, error) {
	rules := gate.DiveDefaults()
	path, b, err := f.configFile()
	if err != nil {
		return rules, err
	}
	if b != nil {
		notes, err := gate.Load(b, &rules)
		if err != nil {
			return rules, fmt.Errorf("%s: %w", path, err)
		}
		for _, n := range notes {
			fmt.Fprintf(stderr, "diet: %s: %s\n", path, n)
		}
	}
	for _, k := range gate.Keys {
		if f.fs.Changed(k) {
			if err := rules.Set(k, *f.rules[k]); err != nil {
				return rules, fmt.Errorf("--%w", err)
			}
		}
	}
	return rules, nil
}

// configFile reads --ci-config, or the first of ciConfigs that exists.
func (f *ciFlags) configFile() (string, []byte, error) {
	if f.config != "" {
		b, err := os.ReadFile(f.config)
		return f.config, b, err
	}
	for _, p := range ciConfigs {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return p, b, err
	}
	return "", nil, nil
}
