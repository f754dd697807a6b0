package buildtest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/fixproc"
)

// Build builds dockerfile with the build context contextDir as tag and
// returns the image's size as the engine reports it (`docker image inspect
// --format {{.Size}}`, base layers included). The Dockerfile is given as
// bytes, so an original and its fix build from one context. The tag is
// removed when t ends, with the intermediate images of the build's earlier
// stages, which the classic builder keeps; take a tag no other test uses.
//
// The build runs with the classic builder on [Network], with the mirror as
// http_proxy. Build fails t when the Dockerfile names an internet host or
// when the mirror refused a request during the build.
func (e *Env) Build(t testing.TB, contextDir string, dockerfile []byte, tag string) (size int64) {
	t.Helper()
	if hosts := internetHosts(dockerfile); len(hosts) > 0 {
		t.Fatalf("Dockerfile for %s names internet hosts %q: builds must be offline", tag, hosts)
	}
	n, _ := e.m.refusals(0)
	nMiss, _ := e.m.misses(0)
	var out []byte
	t.Cleanup(func() { removeImages(tag, out) })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Minute)
	defer cancel()
	start := time.Now()
	c := exec.CommandContext(ctx, "docker", "build", "--network", Network,
		"--build-arg", "http_proxy="+e.Proxy, "--rm", "--force-rm", "-t", tag, "-f", "-", contextDir)
	c.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	c.Stdin = bytes.NewReader(dockerfile)
	fixproc.KillGroup(c)
	var err error
	out, err = c.CombinedOutput()
	if err != nil {
		_, missing := e.m.misses(nMiss)
		t.Fatalf("docker build -t %s %s: %v\n%s\nthe mirror lacked (the cache's recording may be stale): %q",
			tag, contextDir, err, tail(out, 6000), missing)
	}
	if _, refused := e.m.refusals(n); len(refused) > 0 {
		t.Errorf("docker build -t %s: the mirror refused %q (builds must be offline)", tag, refused)
	}
	info, err := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Size}}", tag).CombinedOutput()
	if err == nil {
		size, err = strconv.ParseInt(strings.TrimSpace(string(info)), 10, 64)
	}
	if err != nil {
		t.Fatalf("docker image inspect %s: %v: %s", tag, err, info)
	}
	t.Logf("docker build -t %s: %d bytes in %s", tag, size, time.Since(start).Round(time.Second))
	return size
}

// stepImage matches the classic builder's line naming the image a step made.
var stepImage = regexp.MustCompile(`(?m)^ ---> ([0-9a-f]{12,64})\s*$`)

// removeImages removes tag and then the untagged images the build whose
// output is out made: a multi-stage build leaves its earlier stages behind.
// Images with a tag (the bases FROM names) stay, and so do images others
// still build on: docker rmi without -f refuses them.
func removeImages(tag string, out []byte) {
	exec.Command("docker", "rmi", "-f", tag).Run()
	ids := stepImage.FindAllSubmatch(out, -1)
	for i := len(ids) - 1; i >= 0; i-- {
		id := string(ids[i][1])
		tags, err := exec.Command("docker", "image", "inspect", "--format", "{{len .RepoTags}}", id).Output()
		if err != nil || strings.TrimSpace(string(tags)) != "0" {
			continue // gone already, or tagged
		}
		exec.Command("docker", "rmi", id).Run()
	}
}

// Run runs argv in a container of tag without a network and returns what
// it printed on standard output. It fails t when the command fails.
func (e *Env) Run(t testing.TB, tag string, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "docker", append([]string{"run", "--rm", "--network", "none", tag}, argv...)...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("docker run %s %s: %v\n%s", tag, strings.Join(argv, " "), err, tail(stderr.Bytes(), 3000))
	}
	return stdout.String()
}

// urlHost matches the host of a URL written out in full.
var urlHost = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://([a-z0-9.-]+)`)

// internetHosts returns the hosts the Dockerfile names in URLs, except the
// names that cannot be on the internet: *.internal, *.invalid, *.test,
// localhost. A URL whose host comes from a variable is not seen.
func internetHosts(dockerfile []byte) []string {
	var hosts []string
	for _, m := range urlHost.FindAllSubmatch(dockerfile, -1) {
		h := strings.ToLower(strings.TrimSuffix(string(m[1]), "."))
		switch {
		case h == "localhost", strings.HasSuffix(h, ".internal"), strings.HasSuffix(h, ".invalid"),
			strings.HasSuffix(h, ".test"), strings.HasSuffix(h, ".localhost"):
			continue
		}
		hosts = append(hosts, h)
	}
	return hosts
}
