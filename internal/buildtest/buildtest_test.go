package buildtest_test

import (
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/buildtest"
)

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
