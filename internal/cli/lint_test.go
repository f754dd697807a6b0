package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/dockerfile"
)

func TestParseLintConfig(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     lintConfig
		bad      bool
	}{
		{"empty", "", lintConfig{}, false},
		{"only comments", "# nothing yet\n", lintConfig{}, false},
		{"hadolint block list", "ignored:\n  - DL3008\n  - DL3059 # merge later\nfailure-threshold: warning\n",
			lintConfig{Ignore: []string{"DL3008", "DL3059"}, FailOn: "warning"}, false},
		{"flow list and quotes", "ignored: [DL3008, 'DIET014']\nfailure-threshold: \"error\"\n",
			lintConfig{Ignore: []string{"DL3008", "DIET014"}, FailOn: "error"}, false},
		{"diet spellings", "ignore: [DL3015]\nfail-on: none\n", lintConfig{Ignore: []string{"DL3015"}, FailOn: "none"}, false},
		{"override", "override:\n  error:\n    - DL3001\n  style: [DL3009, DIET110]\n  loud: [DL3000]\nignored: [DL3042]\n",
			lintConfig{Ignore: []string{"DL3042"}, Override: map[dockerfile.Severity][]string{
				dockerfile.SeverityError: {"DL3001"}, dockerfile.SeverityStyle: {"DL3009", "DIET110"},
			}, Notes: []string{`unknown key "loud" under override ignored`}}, false},
		{"empty override and ignored", "override:\nignored:\n", lintConfig{}, false},
		{"no-fail and output-format", "no-fail: true\noutput-format: gitlab_codeclimate\n",
			lintConfig{NoFail: true, Format: "gitlab"}, false},
		{"output-format diet lacks", "output-format: codacy\n",
			lintConfig{Notes: []string{`output-format "codacy" has no diet equivalent; ignored`}}, false},
		{"hadolint keys diet has no use for", "trustedRegistries:\n  - docker.io\nlabel-schema:\n  author: text\n",
			lintConfig{Notes: []string{
				`"trustedRegistries" configures hadolint rules diet does not have; ignored`,
				`"label-schema" configures hadolint rules diet does not have; ignored`,
			}}, false},
		{"unknown key", "colour: always\nignored: [DL3009]\n",
			lintConfig{Ignore: []string{"DL3009"}, Notes: []string{`unknown key "colour" ignored`}}, false},
		{"anchors and aliases", "x-ids: &ids [DL3008, DL3009]\nignored: *ids\nx-level: &lvl error\nfailure-threshold: *lvl\n",
			lintConfig{Ignore: []string{"DL3008", "DL3009"}, FailOn: "error", Notes: []string{
				`unknown key "x-ids" ignored`, `unknown key "x-level" ignored`,
			}}, false},
		{"not a list", "ignored: DL3008\n", lintConfig{}, true},
		{"list of lists", "ignored: [[DL3008]]\n", lintConfig{}, true},
		{"override not a mapping", "override: [DL3008]\n", lintConfig{}, true},
		{"no-fail not a bool", "no-fail: sometimes\n", lintConfig{}, true},
		{"threshold a list", "failure-threshold: [error]\n", lintConfig{}, true},
		{"not yaml", "just words\n", lintConfig{}, true},
		{"broken flow list", "ignored: [DL3009\n", lintConfig{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseLintConfig([]byte(tc.in))
			if tc.bad {
				if err == nil {
					t.Fatalf("parseLintConfig(%q) = %+v, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseLintConfig(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// TestFindLintConfig walks hadolint's search order: each place is used
// when the places before it hold nothing.
func TestFindLintConfig(t *testing.T) {
	root := t.TempDir()
	cwd, home, xdg := filepath.Join(root, "cwd"), filepath.Join(root, "home"), filepath.Join(root, "xdg")
	order := []string{ // most preferred first
		filepath.Join(cwd, ".hadolint.yaml"),
		filepath.Join(cwd, ".hadolint.yml"),
		filepath.Join(xdg, "hadolint.yaml"),
		filepath.Join(xdg, "hadolint.yml"),
		filepath.Join(home, ".hadolint", "hadolint.yaml"),
		filepath.Join(home, ".hadolint", "config.yml"),
		filepath.Join(home, ".hadolint.yaml"),
		filepath.Join(home, ".hadolint.yml"),
	}
	for _, p := range order {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("ignored: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}
	for _, want := range order {
		if got := findLintConfig(func(k string) string { return env[k] }, cwd); got != want {
			t.Errorf("findLintConfig = %q, want %q", got, want)
		}
		if err := os.Remove(want); err != nil {
			t.Fatal(err)
		}
	}
	if got := findLintConfig(func(k string) string { return env[k] }, cwd); got != "" {
		t.Errorf("findLintConfig with no files = %q, want none", got)
	}

	// Without XDG_CONFIG_HOME, ~/.config; a directory under a config's
	// name is not a config.
	p := filepath.Join(home, ".config", "hadolint.yaml")
	if err := os.MkdirAll(filepath.Join(cwd, ".hadolint.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	delete(env, "XDG_CONFIG_HOME")
	if got := findLintConfig(func(k string) string { return env[k] }, cwd); got != p {
		t.Errorf("findLintConfig without XDG_CONFIG_HOME = %q, want %q", got, p)
	}
}

// FuzzParseLintConfig feeds arbitrary bytes to the config parser: it must
// return an error or a config, never panic, and never keep an empty ID.
func FuzzParseLintConfig(f *testing.F) {
	for _, s := range []string{
		"ignored:\n  - DL3008\nfailure-threshold: warning\n",
		"override:\n  error: [DL3009]\n  style:\n    - DIET110\nno-fail: true\n",
		"a: &x [DL3008]\nignored: *x\n",
		"output-format: checkstyle\ntrustedRegistries: [docker.io]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := parseLintConfig(b)
		if err != nil {
			return
		}
		ids := append([]string{}, cfg.Ignore...)
		for _, l := range cfg.Override {
			ids = append(ids, l...)
		}
		for _, id := range ids {
			if id == "" {
				t.Errorf("parseLintConfig(%q) kept an empty rule ID", b)
			}
		}
	})
}
