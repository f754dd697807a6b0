package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dietimage/diet/slim"
)

func slimReport() *slim.Report {
	return &slim.Report{Schema: slim.Schema, Input: "app.tar", Output: "docker-archive:slim.tar", Level: "prune", KeepBase: 1,
		Before: slim.Size{Layers: 4, Bytes: 948_000_000}, After: slim.Size{Layers: 2, Bytes: 44_100_000}, SavedBytes: 903_900_000,
		SquashedBytes: 423_900_000,
		Removed:       []slim.Removal{{Rule: "go-module-cache", Path: "/root/go/pkg/mod", Bytes: 471_000_000, Files: 52_000}},
		Kept: []slim.Kept{{Reason: slim.ReasonBase, Bytes: 30_000_000, Layers: 1}, {Reason: "prune", Bytes: 14_000_000, Files: 310},
			{Reason: "keep:/usr/share/locale/en*", Path: "/usr/share/locale/en*", Bytes: 9_100_000, Files: 12}},
		Minimal: &slim.MinimalSet{By: slim.MinimalByTrace, Files: 1261, Bytes: 49_696_420, Trace: &slim.Trace{Command: []string{"/app/main.py"},
			Files: 612, Bytes: 31_000_000, EssentialFiles: 640, EssentialBytes: 32_500_000,
			Reasons: []slim.TraceReason{{Reason: slim.TraceTraced, Files: 612, Bytes: 31_000_000}, {Reason: slim.TraceELF, Files: 28, Bytes: 1_500_000},
				{Reason: slim.TracePackage, Files: 602, Bytes: 7_626_420}, {Reason: slim.TraceScript}, {Reason: slim.TraceAlways, Files: 7, Bytes: 470_000},
				{Reason: slim.TraceKeep, Files: 12, Bytes: 9_100_000}},
			Packages: []slim.Package{
				{Kind: "python", Name: "jinja2", Path: "/usr/lib/python3/dist-packages/jinja2", Files: 60, Bytes: 1_800_000, AddedFiles: 12, AddedBytes: 310_000},
				{Kind: "python", Name: "pygments", Path: "/usr/lib/python3/dist-packages/pygments", Files: 604, Bytes: 7_697_704, AddedFiles: 590, AddedBytes: 7_316_420}},
			Processes: 3, Programs: []slim.TraceProgram{{Path: "/app/main.py", Runs: 1}, {Path: "/usr/bin/git", Runs: 2}},
			Probes: []slim.TraceProbe{{Probe: "GET :8080/", Status: 200}, {Probe: "exec /app/cli status", Exit: ptr(0)},
				{Probe: "GET :8080/slow", Error: "no answer within 5s"}}}},
		Warnings: []slim.Warning{{Kind: slim.WarnPruneInBase, Bytes: 319_336, Files: 120},
			{Kind: slim.WarnRemoveInBase, Glob: "/usr/share/doc", Bytes: 6_062, Files: 7}, {Kind: slim.WarnKeepUnmatched, Glob: "/opt/*"},
			{Kind: slim.WarnRemoveUnmatched, Glob: "/nope"}},
		UPX: &slim.Packing{SavedBytes: 9_000_000, Packed: []slim.Packed{{Path: "/app", Before: 13_000_000, After: 4_000_000}},
			Skipped: []slim.Unpacked{{Path: "/bin/x", Reason: "AlreadyPackedException"}},
			Startup: &slim.Startup{Command: []string{"/app", "--version"}, Runs: 5, BeforeMS: 3.25, AfterMS: 41.5}},
		Verify: &slim.Verification{With: "sandbox", Command: []string{"/app", "--version"}, Same: false, Reason: "exit 127, was 0: /lib/libc.so.6 missing", Slimmed: 127,
			FirstMissing: "/lib/libc.so.6", Server: &slim.Served{Ports: []int{8080}, OriginalReady: true, SlimmedReady: true,
				Probes: []slim.ProbeCheck{{Probe: "GET :8080/", Original: 200, Slimmed: 200},
					{Probe: "GET :8080/data", Original: 200, Slimmed: 500, Difference: "status 200 → 500"},
					{Probe: "exec /app/cli status", OriginalExit: ptr(0), SlimmedExit: ptr(1), Difference: `exit code 0 → 1, stdout "ok\n" → ""`}}}}}
}

func ptr(n int) *int { return &n }

func TestSlimText(t *testing.T) {
	var buf bytes.Buffer
	if err := SlimText(&buf, slimReport(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"948 MB (904.1 MiB)", "44.1 MB (42.1 MiB)", "go-module-cache", "/root/go/pkg/mod",
		"DIFFERENT: exit 127, was 0: /lib/libc.so.6 missing", "1 base layer kept",
		"upx     9 MB (8.6 MiB)", "from 1 executable, 1 left as they were (/bin/x: AlreadyPackedException)",
		`start-up 3.2 ms → 41.5 ms (+38.2 ms), median of 5 runs of ["/app" "--version"]`,
		// The saving, line by line: squash, rules, upx add up to the 903.9 MB saved.
		"squash  424 MB (404.3 MiB)       deleted and overwritten bytes of the layers above the base",
		"rules   471 MB (449.2 MiB)       removed by the rules below",
		"Kept, and why", "30 MB    1 layer  base-layers        byte-identical; --keep-base 0 slims them too",
		"14 MB  310 files  prune              no rule of level prune removes them",
		"9.1 MB   12 files  keep:/usr/share/locale/en* --keep: a rule would have removed them",
		"Warnings",
		"prune left 319 kB in 120 files of the base layers as they were; --keep-base 0 prunes them too",
		"--remove /usr/share/doc matches 6.06 kB in 7 files of the base layers, left as they were; --keep-base 0 removes them",
		"--keep /opt/* matches no path of the image", "--remove /nope matches no path of the image",
		"try --keep /lib/libc.so.6 (the first file the slimmed run missed)",
		`Minimal found by tracing ["/app/main.py"]: the run used 612 files, 31 MB (29.6 MiB); kept with their ELF closure`,
		// What the run did.
		"  3 processes, which ran /app/main.py, /usr/bin/git ×2\n" +
			"  traced GET :8080/                     200\n" +
			"  traced exec /app/cli status           exit 0\n" +
			"  traced GET :8080/slow                 no answer within 5s\n",
		// Beside the floor, what was kept and why; no line for a reason that kept nothing.
		"  essential  32.5 MB (31.0 MiB) in 640 files: the run's files and their ELF closure, the floor\n" +
			"  kept       49.7 MB (47.4 MiB) in 1,261 files: 1.53 × essential, by reason\n" +
			"       31 MB    612 files  traced   the run used them\n" +
			"      1.5 MB     28 files  elf      ELF closure: loader, libraries, #! interpreters the run used unseen\n" +
			"     7.63 MB    602 files  package  packages kept whole (below)\n" +
			"      470 kB      7 files  always   kept always: passwd, group, certificates, hosts, time zones\n" +
			"      9.1 MB     12 files  keep     --keep\n",
		// The packages kept whole, the costliest first.
		"and 2 packages whole, so that an import the run did not make finds its files: 7.63 MB (7.3 MiB) more",
		"+7.32 MB  python pygments         /usr/lib/python3/dist-packages/pygments (604 files, 7.7 MB)\n" +
			"     +310 kB  python jinja2           /usr/lib/python3/dist-packages/jinja2 (60 files, 1.8 MB)",
		"ready on 8080: original yes, slimmed yes", "GET :8080/                     200 → 200  same",
		"GET :8080/data                 200 → 500  status 200 → 500",
		`exec /app/cli status           exit 0 → 1  exit code 0 → 1, stdout "ok\n" → ""`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("SlimText lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestSlimTextTraced: at level minimal the entrypoint's files say whether
// they are its closure or what its traced run used.
func TestSlimTextTraced(t *testing.T) {
	for _, tc := range []struct {
		minimal *slim.MinimalSet
		want    string
	}{
		{&slim.MinimalSet{By: slim.MinimalByClosure}, "what the entrypoint needs: its closure"},
		{&slim.MinimalSet{By: slim.MinimalByClosure, Files: 27, Bytes: 7_310_000},
			"Minimal kept 27 files, 7.31 MB (7.0 MiB): the entrypoint's closure and the files always kept"},
		{&slim.MinimalSet{By: slim.MinimalByTrace, Trace: &slim.Trace{Command: []string{"/app/main.pl"}, Files: 20, Bytes: 3_290_000}},
			"what the traced run used, with its closure"},
		// Past a dozen packages, the cheapest are summed up.
		{&slim.MinimalSet{By: slim.MinimalByTrace, Trace: &slim.Trace{Command: []string{"/app/main.js"}, Files: 20, Bytes: 3_290_000,
			Packages: nodePackages(14)}}, "      +3 kB  and 2 more packages"},
	} {
		r := &slim.Report{Schema: slim.Schema, Level: "minimal", Minimal: tc.minimal,
			Kept: []slim.Kept{{Reason: slim.ReasonEntrypoint, Bytes: 7_310_000, Files: 27}}}
		var buf bytes.Buffer
		if err := SlimText(&buf, r, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), tc.want) {
			t.Errorf("SlimText of minimal by %s lacks %q:\n%s", tc.minimal.By, tc.want, buf.String())
		}
	}
}

// nodePackages are n Node packages, the i-th adding i kB.
func nodePackages(n int) []slim.Package {
	var pkgs []slim.Package
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("p%02d", i)
		pkgs = append(pkgs, slim.Package{Kind: "node", Name: name, Path: "/app/node_modules/" + name, Files: 3, Bytes: int64(i) * 2000,
			AddedFiles: 2, AddedBytes: int64(i) * 1000})
	}
	return pkgs
}

func TestSlimJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := SlimJSON(&buf, slimReport()); err != nil {
		t.Fatal(err)
	}
	var back slim.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.SavedBytes != 903_900_000 || back.Verify.Slimmed != 127 ||
		back.SquashedBytes != 423_900_000 || len(back.Kept) != 3 || len(back.Warnings) != 4 || back.Verify.FirstMissing != "/lib/libc.so.6" ||
		len(back.Verify.Server.Probes) != 3 || back.Verify.Server.Probes[1].Slimmed != 500 || back.Verify.Server.Probes[1].SlimmedExit != nil ||
		back.Verify.Server.Probes[2].OriginalExit == nil || *back.Verify.Server.Probes[2].OriginalExit != 0 || *back.Verify.Server.Probes[2].SlimmedExit != 1 ||
		back.Minimal == nil || back.Minimal.By != "trace" || back.Minimal.Trace.Bytes != 31_000_000 ||
		len(back.Minimal.Trace.Packages) != 2 || back.Minimal.Trace.Packages[1].AddedBytes != 7_316_420 ||
		back.Minimal.Bytes != 49_696_420 || back.Minimal.Trace.EssentialBytes != 32_500_000 || len(back.Minimal.Trace.Reasons) != 6 ||
		back.Minimal.Trace.Reasons[5] != (slim.TraceReason{Reason: "keep", Files: 12, Bytes: 9_100_000}) {
		t.Errorf("SlimJSON does not round-trip: %v\n%s", err, buf.String())
	}
}

func TestKeepFlag(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/lib/x86_64-linux-gnu/libz.so.1", "--keep /lib/x86_64-linux-gnu/libz.so.1"},
		{"/etc/my app.conf", "--keep '/etc/my app.conf'"},
		{"/data/[x]*?", `--keep '/data/\[x\]\*\?'`},
		{"/it's", `--keep '/it'\''s'`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if got := KeepFlag(tc.path); got != tc.want {
				t.Errorf("KeepFlag(%q) = %s, want %s", tc.path, got, tc.want)
			}
		})
	}
}
