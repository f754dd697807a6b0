package buildtest_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/buildtest"
	"github.com/google/go-cmp/cmp"
)

// TestCasesBuildAndRun builds every case's original Dockerfile offline and
// runs its command, as the fix test will do with the fixed ones.
func TestCasesBuildAndRun(t *testing.T) {
	env := buildtest.Prepare(t)
	t.Logf("Prepare took %s", env.Elapsed.Round(1e6))
	for _, c := range buildtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			tag := fmt.Sprintf("diet-buildtest/%s:original-%d", c.Name, os.Getpid())
			size := env.Build(t, c.Dir, c.Dockerfile, tag)
			t.Logf("%s: %d bytes (%.1f MB)", c.Name, size, float64(size)/1e6)
			got := env.Run(t, tag, c.Command...)
			if diff := cmp.Diff(c.Output, got); diff != "" {
				t.Errorf("docker run %s %s: output (-want +got):\n%s", tag, strings.Join(c.Command, " "), diff)
			}
		})
	}
}

// TestCasesNameNoInternetHost checks the Dockerfiles the way Build does:
// whatever they download comes from names that cannot be on the internet.
func TestCasesNameNoInternetHost(t *testing.T) {
	for _, c := range buildtest.Cases() {
		for _, line := range strings.Split(string(c.Dockerfile), "\n") {
			for _, word := range strings.Fields(line) {
				if i := strings.Index(word, "://"); i >= 0 {
					host := strings.SplitN(word[i+3:], "/", 2)[0]
					if !strings.HasSuffix(host, ".internal") {
						t.Errorf("%s/Dockerfile: %q names %q, not a *.internal host", c.Name, line, host)
					}
				}
			}
		}
	}
}
