// Package gate checks an image's analysis against size budgets: the rules a
// CI pipeline fails a build on. dive's three CI rules are among them, with
// dive's definitions, defaults and comparisons, so that a .dive-ci carries
// over (see [ParseDiveCI]).
package gate

import (
	"slices"

	"github.com/dietimage/diet/analyze"
)

// Rules are the limits an image must keep; a nil limit is off.
type Rules struct {
	MaxSize           *int64   // docker's size: Size.UncompressedBytes
	MaxFinalSize      *int64   // the merged filesystem: Size.FinalBytes
	MaxCompressedSize *int64   // the blobs a pull fetches: Size.CompressedBytes
	MaxWastedBytes    *int64   // bytes a later layer deletes or replaces
	MaxWastedPercent  *float64 // the same, a fraction of docker's size
	MaxLayerSize      *int64   // every layer's size_bytes
	DenyCulprits      []string // culprit categories the image must not hold

	// dive's rules, by dive's definitions (analyze.Dive).
	LowestEfficiency         *float64
	HighestWastedBytes       *int64
	HighestUserWastedPercent *float64 // a fraction, as dive takes it
}

// DiveDefaults are the rules `dive --ci` applies when nothing sets them:
// lowestEfficiency 0.9, highestWastedBytes disabled, highestUserWastedPercent 0.1.
func DiveDefaults() Rules {
	eff, user := 0.9, 0.1
	return Rules{LowestEfficiency: &eff, HighestUserWastedPercent: &user}
}

// Status is a rule's outcome.
type Status string

// Outcomes of a rule.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip" // the source cannot tell the value
)

// Kind says what a rule's limit and value count.
type Kind string

// Kinds of rule.
const (
	Bytes    Kind = "bytes"
	Fraction Kind = "fraction" // of one: 0.1 is 10 %
	Culprits Kind = "culprits" // Limit is 0 culprits; Value their bytes
)

// Result is one rule checked.
type Result struct {
	Rule  string   `json:"rule"` // its key in .diet.yaml
	Kind  Kind     `json:"kind"`
	Limit float64  `json:"limit"`
	Value *float64 `json:"value"` // nil when skipped
	// Status compares Value with Limit: at most (at least for
	// lowest-efficiency, dive's comparisons: equal passes).
	Status Status `json:"status"`
	// Why a rule was skipped.
	Reason string `json:"reason,omitempty"`
	// Layers over max-layer-size; for that rule Value is the largest layer.
	Layers []int `json:"layers,omitempty"`
	// Categories deny-culprits names, and the culprits of those it found.
	Categories []string          `json:"categories,omitempty"`
	Found      []analyze.Culprit `json:"found,omitempty"`
}

// Verdict is every rule checked, in a fixed order.
type Verdict struct {
	Passed  bool     `json:"passed"` // no rule failed
	Results []Result `json:"results"`
}

// Check evaluates every rule that is set against r.
func Check(r *analyze.Report, rules Rules) *Verdict {
	var out []Result
	most := func(rule string, kind Kind, value, limit float64) *Result {
		out = append(out, Result{Rule: rule, Kind: kind, Limit: limit, Value: &value, Status: status(value <= limit)})
		return &out[len(out)-1]
	}
	if l := rules.MaxSize; l != nil {
		most("max-size", Bytes, float64(r.Size.UncompressedBytes), float64(*l))
	}
	if l := rules.MaxFinalSize; l != nil {
		most("max-final-size", Bytes, float64(r.Size.FinalBytes), float64(*l))
	}
	if l := rules.MaxCompressedSize; l != nil {
		if c := r.Size.CompressedBytes; c != nil {
			most("max-compressed-size", Bytes, float64(*c), float64(*l))
		} else {
			out = append(out, Result{Rule: "max-compressed-size", Kind: Bytes, Limit: float64(*l), Status: Skip,
				Reason: "the source stores its layers uncompressed: no pull size to compare"})
		}
	}
	if l := rules.MaxWastedBytes; l != nil {
		most("max-wasted-bytes", Bytes, float64(r.WastedBytes), float64(*l))
	}
	if l := rules.MaxWastedPercent; l != nil {
		var f float64
		if s := r.Size.UncompressedBytes; s > 0 {
			f = float64(r.WastedBytes) / float64(s)
		}
		most("max-wasted-percent", Fraction, f, *l)
	}
	if l := rules.MaxLayerSize; l != nil {
		var largest int64
		var over []int
		for _, layer := range r.Layers {
			largest = max(largest, layer.SizeBytes)
			if layer.SizeBytes > *l {
				over = append(over, layer.Index)
			}
		}
		most("max-layer-size", Bytes, float64(largest), float64(*l)).Layers = over
	}
	if len(rules.DenyCulprits) > 0 {
		var found []analyze.Culprit
		var total int64
		for _, c := range r.Culprits {
			if slices.Contains(rules.DenyCulprits, c.Category) {
				found, total = append(found, c), total+c.Bytes
			}
		}
		res := most("deny-culprits", Culprits, float64(total), 0)
		res.Categories, res.Found = rules.DenyCulprits, found
		res.Status = status(len(found) == 0) // a denied culprit of 0 bytes is still there
	}
	// dive's comparisons: efficiency below, wasted bytes and user wasted
	// percent above their thresholds fail; equal passes.
	if l := rules.LowestEfficiency; l != nil {
		most("lowest-efficiency", Fraction, r.Dive.Efficiency, *l).Status = status(r.Dive.Efficiency >= *l)
	}
	if l := rules.HighestWastedBytes; l != nil {
		most("highest-wasted-bytes", Bytes, float64(r.Dive.WastedBytes), float64(*l))
	}
	if l := rules.HighestUserWastedPercent; l != nil {
		most("highest-user-wasted-percent", Fraction, r.Dive.UserWastedPercent, *l)
	}
	v := &Verdict{Passed: true, Results: out}
	for _, res := range out {
		if res.Status == Fail {
			v.Passed = false
		}
	}
	return v
}

func status(ok bool) Status {
	if ok {
		return Pass
	}
	return Fail
}
