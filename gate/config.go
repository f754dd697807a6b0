package gate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/internal/diskspace"
)

// Keys are the rule names [Rules.Set] and a .diet.yaml's ci: section take.
var Keys = []string{
	"max-size", "max-final-size", "max-compressed-size", "max-wasted-bytes", "max-wasted-percent",
	"max-layer-size", "deny-culprits", "lowest-efficiency", "highest-wasted-bytes", "highest-user-wasted-percent",
}

// diveKeys are dive's spellings of its three rules: the camelCase a .dive-ci
// holds (and dive's flags), and the snake-case of its newer config.
var diveKeys = map[string]string{
	"lowestEfficiency": "lowest-efficiency", "highestWastedBytes": "highest-wasted-bytes",
	"highestUserWastedPercent":    "highest-user-wasted-percent",
	"lowest-efficiency-threshold": "lowest-efficiency",
}

// Set sets the rule key from a value as dive writes one: "disabled", "off",
// "false" or "" turn it off; sizes are bytes with an optional unit ("20MB",
// "1.5GiB"; dive's 20Mb is 20 MB); fractions are 0 to 1 ("0.9", or "90%");
// deny-culprits is a comma-separated list of culprit categories. dive's
// spellings of its rules (lowestEfficiency…) name the same rules.
func (r *Rules) Set(key, value string) error {
	if k, ok := diveKeys[key]; ok {
		key = k
	}
	off := disabled(value)
	size := func(p **int64) error {
		if off {
			*p = nil
			return nil
		}
		n, err := ParseSize(value)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*p = &n
		return nil
	}
	fraction := func(p **float64) error {
		if off {
			*p = nil
			return nil
		}
		f, err := ParseFraction(value)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*p = &f
		return nil
	}
	switch key {
	case "max-size":
		return size(&r.MaxSize)
	case "max-final-size":
		return size(&r.MaxFinalSize)
	case "max-compressed-size":
		return size(&r.MaxCompressedSize)
	case "max-wasted-bytes":
		return size(&r.MaxWastedBytes)
	case "max-wasted-percent":
		return fraction(&r.MaxWastedPercent)
	case "max-layer-size":
		return size(&r.MaxLayerSize)
	case "highest-wasted-bytes":
		return size(&r.HighestWastedBytes)
	case "lowest-efficiency":
		return fraction(&r.LowestEfficiency)
	case "highest-user-wasted-percent":
		return fraction(&r.HighestUserWastedPercent)
	case "deny-culprits":
		r.DenyCulprits = nil
		if off {
			return nil
		}
		for c := range strings.SplitSeq(value, ",") {
			c = strings.TrimSpace(c)
			if !known(c) {
				return fmt.Errorf("deny-culprits: unknown culprit category %q (diet analyze --help lists them)", c)
			}
			if !slices.Contains(r.DenyCulprits, c) {
				r.DenyCulprits = append(r.DenyCulprits, c)
			}
		}
		return nil
	}
	return fmt.Errorf("unknown rule %q (want one of %s)", key, strings.Join(Keys, ", "))
}

func disabled(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "disabled", "off", "false":
		return true
	}
	return false
}

// parseSize reads a byte count as dive's humanize.ParseBytes does for the
// units people write: k, M, G, T decimal; KiB, MiB… (and Ki, Mi…) binary.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, ",", "")))
	for _, u := range []string{"ki", "mi", "gi", "ti"} {
		if strings.HasSuffix(t, u) {
			t += "b"
		}
	}
	return diskspace.ParseSize(t)
}

// ParseFraction reads a fraction of one, 0.05, or a percentage, 5%.
func ParseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t, scale = strings.TrimSpace(p), 100
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: want a fraction such as 0.9, or a percentage such as 90%%", s)
	}
	f /= scale
	if f < 0 || f > 1 {
		return 0, fmt.Errorf("%q is outside 0-1 (0%%-100%%)", s)
	}
	return f, nil
}

// known reports whether c is a culprit category analyze reports.
func known(c string) bool {
	return c == "unstripped-elf" || slices.ContainsFunc(analyze.Categories, func(k analyze.Category) bool { return k.Name == c })
}

// Load sets the rules a config file holds on r, and returns notes on what
// it skipped. It reads two shapes, alone or together:
//
//   - diet's .diet.yaml: a ci: mapping of [Keys] to values as [Rules.Set]
//     takes them (deny-culprits may be a YAML list);
//   - dive's .dive-ci, as dive reads it: a rules: mapping with
//     lowestEfficiency, highestWastedBytes and highestUserWastedPercent.
//     dive's other keys (plugins, plugin rules) are skipped with a note.
func Load(b []byte, r *Rules) (notes []string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil // empty, or only comments
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a ci: or rules: mapping", root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "ci", "rules":
			if v.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("line %d: %s: want a mapping of rules", v.Line, k.Value)
			}
			n, err := loadRules(k.Value, v, r)
			if err != nil {
				return nil, err
			}
			notes = append(notes, n...)
		default:
			notes = append(notes, fmt.Sprintf("line %d: %s: not a diet setting, skipped", k.Line, k.Value))
		}
	}
	return notes, nil
}

func loadRules(section string, m *yaml.Node, r *Rules) (notes []string, err error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := k.Value
		if _, dive := diveKeys[key]; section == "rules" && !dive && !slices.Contains(Keys, key) {
			notes = append(notes, fmt.Sprintf("line %d: rules: %s: a dive plugin rule, skipped", k.Line, key))
			continue
		}
		var value string
		switch v.Kind {
		case yaml.ScalarNode:
			value = v.Value
		case yaml.SequenceNode:
			var items []string
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("line %d: %s: want a list of names", it.Line, key)
				}
				items = append(items, it.Value)
			}
			value = strings.Join(items, ",")
		default:
			return nil, fmt.Errorf("line %d: %s: want a value", v.Line, key)
		}
		if err := r.Set(key, value); err != nil {
			return nil, fmt.Errorf("line %d: %w", k.Line, err)
		}
	}
	return notes, nil
}
