package slim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/test/tartest"
)

const passwd = "root:x:0:0:root:/root:/bin/sh\n" // 30 bytes

// based is an image whose base layer holds docs prune would remove, over
// a build that leaves a cache a later RUN deletes and a manual page.
func based(t *testing.T) v1.Image {
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "/bin/sh -c #(nop) ADD file:0123 in / ", Entries: []tartest.Entry{
			tartest.File("etc/passwd", passwd), tartest.Sized("usr/lib/libc.so.6", 2000),
			tartest.Sized("usr/share/doc/libc6/changelog", 400), tartest.Symlink("lib", "usr/lib"),
		}},
		tartest.Step{CreatedBy: `/bin/sh -c #(nop)  CMD ["bash"]`, Empty: true},
		tartest.Step{CreatedBy: "/bin/sh -c go build -o /usr/local/bin/app .", Entries: []tartest.Entry{
			tartest.Exec("usr/local/bin/app", []byte("app!")), tartest.Sized("root/.cache/go-build/ab", 1000),
			tartest.Sized("usr/share/man/man1/app.1", 200),
		}},
		tartest.Step{CreatedBy: "/bin/sh -c rm -rf /root/.cache", Entries: []tartest.Entry{tartest.Whiteout("root/.cache")}},
	)
	img, err := mutate.Config(img, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestReportAddsUp checks that the report says why every byte went or
// stayed: the squash's own line, the rules' lines, strip and UPX add up to
// the bytes saved, and what is kept, by reason, adds up to the bytes after.
func TestReportAddsUp(t *testing.T) {
	const base = int64(len(passwd)) + 2000 + 400 + int64(len("usr/lib"))
	for _, tc := range []struct {
		name     string
		level    Level
		opts     []Option
		squashed int64
		removed  map[string]int64
		kept     map[string]int64
	}{
		{"squash", Squash, nil, 1000, map[string]int64{},
			map[string]int64{"base-layers": base, "squash": 4 + 200}},
		{"prune", Prune, nil, 1000, map[string]int64{"man-pages": 200},
			map[string]int64{"base-layers": base, "prune": 4}},
		{"prune keeps", Prune, []Option{WithKeep("/usr/share/man")}, 1000, map[string]int64{},
			map[string]int64{"base-layers": base, "prune": 4, "keep:/usr/share/man": 200}},
		{"minimal", Minimal, []Option{WithPaths([]string{"/usr/local/bin/app", "/usr/lib/libc.so.6", "/lib", "/etc/passwd"})},
			1000, map[string]int64{"minimal": 400 + 200},
			map[string]int64{"entrypoint": 4 + 2000 + int64(len("usr/lib")), "config": int64(len(passwd))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out := slimmed(t, based(t), tc.level, tc.opts...)
			r := report(t, out)
			removed, kept := map[string]int64{}, map[string]int64{}
			sum := r.SquashedBytes + r.StrippedBytes
			for _, rm := range r.Removed {
				removed[rm.Rule] += rm.Bytes
				sum += rm.Bytes
			}
			var after int64
			for _, k := range r.Kept {
				kept[k.Reason] += k.Bytes
				after += k.Bytes
			}
			if sum != r.SavedBytes || after != r.After.Bytes {
				t.Errorf("lines add up to %d saved and %d kept; the report says %d saved and %d after", sum, after, r.SavedBytes, r.After.Bytes)
			}
			if r.SquashedBytes != tc.squashed {
				t.Errorf("SquashedBytes = %d, want %d (the deleted cache)", r.SquashedBytes, tc.squashed)
			}
			if diff := cmp.Diff(tc.removed, removed); diff != "" {
				t.Errorf("removed by rule (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.kept, kept); diff != "" {
				t.Errorf("kept by reason (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKeepFiles counts the regular files --keep adds to what the level
// keeps, for the minimal report's "keep" reason: the doc and the manual
// page a glob keeps, not the symlink another keeps, nor a file the level
// keeps anyway.
func TestKeepFiles(t *testing.T) {
	p, _ := slimmed(t, based(t), Minimal, WithPaths([]string{"/usr/local/bin/app", "/etc/passwd"}),
		WithKeep("/usr/share/*"), WithKeep("/lib"), WithKeep("/usr/local/bin/app"))
	if p.KeepFiles != 2 || p.KeepBytes != 400+200 {
		t.Errorf("KeepFiles, KeepBytes = %d, %d; want 2, %d", p.KeepFiles, p.KeepBytes, 400+200)
	}
}

// TestWarnings checks that what was asked and not done is said: a prune or
// --remove that reaches into the kept base layers, and globs that match
// nothing.
func TestWarnings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		level Level
		opts  []Option
		want  []Warning
	}{
		{"prune reaches the base", Prune, nil, []Warning{{Kind: WarnPruneInBase, Bytes: 400, Files: 1}}},
		{"remove reaches the base", Squash, []Option{WithRemove("/usr/share/doc")},
			[]Warning{{Kind: WarnRemoveInBase, Glob: "/usr/share/doc", Bytes: 400, Files: 1}}},
		{"unmatched globs", Squash, []Option{WithKeep("/opt/*"), WithRemove("/usr/share/man"), WithRemove("/nope")},
			[]Warning{{Kind: WarnKeepUnmatched, Glob: "/opt/*"}, {Kind: WarnRemoveUnmatched, Glob: "/nope"}}},
		{"nothing to say", Squash, []Option{WithRemove("/usr/share/man/*")}, nil},
		{"minimal rewrites the base", Minimal, []Option{WithPaths([]string{"/usr/local/bin/app"}), WithRemove("/usr/share/doc")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(based(t), build(t, based(t)), tc.level, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
