package citest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// source is the stanza .ci/backports-source prints for uri and keyring.
func source(uri, key string) string {
	return "Types: deb\nURIs: " + uri + "\nSuites: bookworm-backports\nComponents: main\nSigned-By: " + key + "\n"
}

const debianKey = "/usr/share/keyrings/debian-archive-keyring.gpg"

// TestBackportsSource runs .ci/backports-source on apt directories made
// from the table's files: the backports source must use the mirror the
// machine's bookworm source uses, and deb.debian.org only when there is
// none.
func TestBackportsSource(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "..", ".ci", "backports-source"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files map[string]string // path under the apt directory: content
		want  string
	}{{
		name: "deb822 mirror",
		files: map[string]string{"sources.list.d/debian.sources": "Types: deb\n# a comment\nURIs: http://mirror.example/debian http://other.example/debian\n" +
			"Suites: bookworm bookworm-updates\nComponents: main\nSigned-By: /etc/apt/keyrings/mirror.gpg\n\n" +
			"Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\nComponents: main\n"},
		want: source("http://mirror.example/debian", "/etc/apt/keyrings/mirror.gpg"),
	}, {
		name: "one-line sources.list",
		files: map[string]string{"sources.list": "# deb http://commented.example/debian bookworm main\n" +
			"deb http://security.example/debian-security bookworm-security main\n" +
			"deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] https://mirror.example/debian bookworm main contrib\n"},
		want: source("https://mirror.example/debian", "/usr/share/keyrings/k.gpg"),
	}, {
		name:  "one-line .list file",
		files: map[string]string{"sources.list.d/mirror.list": "deb http://proxy.example:3142/debian bookworm main\n"},
		want:  source("http://proxy.example:3142/debian", debianKey),
	}, {
		name: "disabled stanza skipped",
		files: map[string]string{"sources.list.d/a.sources": "Enabled: no\nTypes: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\n\n" +
			"Types: deb-src deb\nURIs: http://on.example/debian\nSuites: bookworm\nComponents: main\n"},
		want: source("http://on.example/debian", debianKey),
	}, {
		name:  "other extensions ignored",
		files: map[string]string{"sources.list.d/x.sources.disabled": "Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\n"},
		want:  source("http://deb.debian.org/debian", debianKey),
	}, {
		name:  "no bookworm source",
		files: map[string]string{"sources.list.d/sec.sources": "Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n"},
		want:  source("http://deb.debian.org/debian", debianKey),
	}, {
		name:  "empty apt directory",
		files: map[string]string{},
		want:  source("http://deb.debian.org/debian", debianKey),
	}, {
		name: "backports present",
		files: map[string]string{"sources.list.d/debian.sources": "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n\n" +
			"Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm-backports\n"},
		want: "",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "sources.list.d"), 0o755); err != nil {
				t.Fatal(err)
			}
			for p, s := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.CommandContext(t.Context(), bash, script, dir)
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("backports-source %s: %v", dir, err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("backports-source (-want +got):\n%s", diff)
			}
		})
	}
}
