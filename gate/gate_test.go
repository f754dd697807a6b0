package gate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/analyze"
)

func ptr[T any](v T) *T { return &v }

// report is an analysis with round figures: docker size 100 MB, 20 MB of
// it wasted, layers of 70 and 30 MB, and two culprits.
func report() *analyze.Report {
	removedBy := 1
	return &analyze.Report{
		Size:        analyze.Size{UncompressedBytes: 100e6, FinalBytes: 80e6},
		WastedBytes: 20e6,
		Layers:      []analyze.Layer{{Index: 0, SizeBytes: 70e6}, {Index: 1, SizeBytes: 30e6}},
		Dive:        analyze.Dive{Efficiency: 0.9, WastedBytes: 25e6, UserWastedPercent: 0.1},
		Culprits: []analyze.Culprit{
			{Category: "apt-lists", Path: "/var/lib/apt/lists", Bytes: 40e3, Layer: 0, RemovedBy: &removedBy},
			{Category: "logs", Path: "/var/log", Bytes: 0, Layer: 0},
		},
	}
}

func statuses(v *Verdict) map[string]Status {
	m := map[string]Status{}
	for _, r := range v.Results {
		m[r.Rule] = r.Status
	}
	return m
}

func TestCheck(t *testing.T) {
	r := report()
	tests := []struct {
		name  string
		rules Rules
		want  map[string]Status
	}{
		{"limits met exactly pass", Rules{
			MaxSize: ptr[int64](100e6), MaxFinalSize: ptr[int64](80e6), MaxWastedBytes: ptr[int64](20e6),
			MaxWastedPercent: ptr(0.2), MaxLayerSize: ptr[int64](70e6),
		}, map[string]Status{"max-size": Pass, "max-final-size": Pass, "max-wasted-bytes": Pass, "max-wasted-percent": Pass, "max-layer-size": Pass}},
		{"a byte over fails", Rules{
			MaxSize: ptr[int64](100e6 - 1), MaxFinalSize: ptr[int64](80e6 - 1), MaxWastedBytes: ptr[int64](20e6 - 1),
			MaxWastedPercent: ptr(0.19), MaxLayerSize: ptr[int64](70e6 - 1),
		}, map[string]Status{"max-size": Fail, "max-final-size": Fail, "max-wasted-bytes": Fail, "max-wasted-percent": Fail, "max-layer-size": Fail}},
		// dive: efficiency below the threshold fails, the others above it.
		{"dive's thresholds met exactly pass", Rules{
			LowestEfficiency: ptr(0.9), HighestWastedBytes: ptr[int64](25e6), HighestUserWastedPercent: ptr(0.1),
		}, map[string]Status{"lowest-efficiency": Pass, "highest-wasted-bytes": Pass, "highest-user-wasted-percent": Pass}},
		{"dive's thresholds crossed fail", Rules{
			LowestEfficiency: ptr(0.91), HighestWastedBytes: ptr[int64](25e6 - 1), HighestUserWastedPercent: ptr(0.09),
		}, map[string]Status{"lowest-efficiency": Fail, "highest-wasted-bytes": Fail, "highest-user-wasted-percent": Fail}},
		{"no pull size: skipped", Rules{MaxCompressedSize: ptr[int64](1)}, map[string]Status{"max-compressed-size": Skip}},
		{"a denied culprit of 0 bytes is there", Rules{DenyCulprits: []string{"logs"}}, map[string]Status{"deny-culprits": Fail}},
		{"no denied culprit", Rules{DenyCulprits: []string{"pip-cache"}}, map[string]Status{"deny-culprits": Pass}},
		{"no rules", Rules{}, map[string]Status{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := Check(r, tc.rules)
			if diff := cmp.Diff(tc.want, statuses(v)); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			failed := false
			for _, s := range tc.want {
				failed = failed || s == Fail
			}
			if v.Passed == failed {
				t.Errorf("Passed = %v with statuses %v", v.Passed, statuses(v))
			}
		})
	}
}

func TestCheckDetails(t *testing.T) {
	r := report()
	v := Check(r, Rules{MaxLayerSize: ptr[int64](20e6), DenyCulprits: []string{"apt-lists", "logs"}, MaxCompressedSize: ptr[int64](1)})
	layer, deny, comp := v.Results[1], v.Results[2], v.Results[0]
	if *layer.Value != 70e6 || !cmp.Equal(layer.Layers, []int{0, 1}) {
		t.Errorf("max-layer-size: value %v, layers %v; want the largest (70e6) and both layers", *layer.Value, layer.Layers)
	}
	if *deny.Value != 40e3 || len(deny.Found) != 2 || deny.Found[0].Path != "/var/lib/apt/lists" {
		t.Errorf("deny-culprits: value %v, found %+v; want 40e3 bytes in both culprits", *deny.Value, deny.Found)
	}
	if comp.Value != nil || comp.Reason == "" {
		t.Errorf("max-compressed-size of a source without compressed sizes: value %v, reason %q", comp.Value, comp.Reason)
	}
	c := int64(2)
	r.Size.CompressedBytes = &c
	if v := Check(r, Rules{MaxCompressedSize: ptr[int64](1)}); v.Results[0].Status != Fail {
		t.Errorf("max-compressed-size 1 of 2 compressed bytes: %s", v.Results[0].Status)
	}
}

func TestSet(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		get        func(Rules) any
		want       any
	}{
		{"max-size", "20MB", func(r Rules) any { return *r.MaxSize }, int64(20e6)},
		{"highestWastedBytes", "20Mb", func(r Rules) any { return *r.HighestWastedBytes }, int64(20e6)}, // humanize: case-blind
		{"max-size", "1.5GiB", func(r Rules) any { return *r.MaxSize }, int64(1.5 * (1 << 30))},
		{"max-size", "20Mi", func(r Rules) any { return *r.MaxSize }, int64(20 << 20)},
		{"max-size", "1,000", func(r Rules) any { return *r.MaxSize }, int64(1000)},
		{"max-wasted-percent", "5%", func(r Rules) any { return *r.MaxWastedPercent }, 0.05},
		{"lowestEfficiency", "0.95", func(r Rules) any { return *r.LowestEfficiency }, 0.95},
		{"lowest-efficiency", "disabled", func(r Rules) any { return r.LowestEfficiency == nil }, true},
		{"highest-user-wasted-percent", "off", func(r Rules) any { return r.HighestUserWastedPercent == nil }, true},
		{"max-size", "", func(r Rules) any { return r.MaxSize == nil }, true},
		{"deny-culprits", "apt-lists, go-build-cache,apt-lists", func(r Rules) any { return r.DenyCulprits }, []string{"apt-lists", "go-build-cache"}},
		{"deny-culprits", "unstripped-elf", func(r Rules) any { return r.DenyCulprits }, []string{"unstripped-elf"}},
	} {
		r := DiveDefaults()
		if err := r.Set(tc.key, tc.value); err != nil {
			t.Errorf("Set(%q, %q): %v", tc.key, tc.value, err)
			continue
		}
		if got := tc.get(r); !cmp.Equal(got, tc.want) {
			t.Errorf("Set(%q, %q): %v, want %v", tc.key, tc.value, got, tc.want)
		}
	}
	for _, bad := range [][2]string{
		{"lowest-efficiency", "1.5"}, {"lowest-efficiency", "high"}, {"max-size", "big"}, {"max-size", "-1MB"},
		{"deny-culprits", "apt-list"}, {"max-sizes", "1MB"},
	} {
		r := Rules{}
		if err := r.Set(bad[0], bad[1]); err == nil {
			t.Errorf("Set(%q, %q) = nil, want an error", bad[0], bad[1])
		}
	}
}

// TestLoadDiveCI reads dive's own rule files (testdata/README.md) as dive
// does: the three camelCase keys of rules:, dive's defaults for the rest,
// dive's plugin keys skipped with a note.
func TestLoadDiveCI(t *testing.T) {
	for _, tc := range []struct {
		file  string
		want  Rules
		notes int
	}{
		{"dive-ci", Rules{LowestEfficiency: ptr(0.95), HighestWastedBytes: ptr[int64](20e6), HighestUserWastedPercent: ptr(0.5)}, 2},
		{"dive-ci-default-config", Rules{LowestEfficiency: ptr(0.96), HighestWastedBytes: ptr[int64](19e6), HighestUserWastedPercent: ptr(0.6)}, 0},
		{"dive-ci-legacy.yaml", Rules{LowestEfficiency: ptr(0.95), HighestWastedBytes: ptr[int64](20e6), HighestUserWastedPercent: ptr(0.2)}, 0},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		got := DiveDefaults()
		notes, err := Load(b, &got)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, diff)
		}
		if len(notes) != tc.notes {
			t.Errorf("%s: notes %q, want %d", tc.file, notes, tc.notes)
		}
	}
	// A file that leaves a rule out keeps dive's default for it.
	got := DiveDefaults()
	if _, err := Load([]byte("rules:\n  highestWastedBytes: 1MB\n"), &got); err != nil {
		t.Fatal(err)
	}
	if want := (Rules{LowestEfficiency: ptr(0.9), HighestWastedBytes: ptr[int64](1e6), HighestUserWastedPercent: ptr(0.1)}); !cmp.Equal(want, got) {
		t.Errorf("rules: with one key: %+v, want dive's defaults for the others", got)
	}
}

func TestLoadDietYAML(t *testing.T) {
	got := DiveDefaults()
	_, err := Load([]byte(`# the budgets of app
ci:
  max-size: 200MB
  max-layer-size: 50MiB
  deny-culprits: [apt-lists, go-build-cache]
  lowest-efficiency: disabled
`), &got)
	if err != nil {
		t.Fatal(err)
	}
	want := Rules{MaxSize: ptr[int64](200e6), MaxLayerSize: ptr[int64](50 << 20), DenyCulprits: []string{"apt-lists", "go-build-cache"},
		HighestUserWastedPercent: ptr(0.1)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"ci:\n  max-size: lots\n", "ci:\n  maxsize: 1MB\n", "ci: 3\n", "- a\n", "ci:\n  deny-culprits: [[x]]\n"} {
		r := Rules{}
		if _, err := Load([]byte(bad), &r); err == nil {
			t.Errorf("Load(%q) = nil, want an error", bad)
		} else if !strings.Contains(err.Error(), "line ") {
			t.Errorf("Load(%q) = %v, want the line named", bad, err)
		}
	}
}
