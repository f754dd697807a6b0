package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLintConfig(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     lintConfig
		bad      bool
	}{
		{"empty", "", lintConfig{FailOn: "info"}, false},
		{"hadolint block list", "ignored:\n  - DL3008\n  - DL3059 # merge later\nfailure-threshold: warning\n",
			lintConfig{Ignore: []string{"DL3008", "DL3059"}, FailOn: "warning"}, false},
		{"flow list and quotes", "ignored: [DL3008, 'DIET014']\nfailure-threshold: \"error\"\n",
			lintConfig{Ignore: []string{"DL3008", "DIET014"}, FailOn: "error"}, false},
		{"diet spellings", "ignore: [DL3015]\nfail-on: none\n", lintConfig{Ignore: []string{"DL3015"}, FailOn: "none"}, false},
		{"other hadolint keys skipped", "override:\n  error:\n    - DL3001\ntrustedRegistries:\n  - docker.io\nignored: [DL3042]\n",
			lintConfig{Ignore: []string{"DL3042"}, FailOn: "info"}, false},
		{"not a list", "ignored: DL3008\n", lintConfig{}, true},
		{"not yaml", "just words\n", lintConfig{}, true},
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
