package buildtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMirror asks the mirror what builds ask it, as a proxy and directly,
// without an engine or a network.
func TestMirror(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"apt/debian/dists/bookworm/InRelease":                     "signed release\n",
		"www/pypi/packages/rich-13.3.1-py3-none-any.whl":          "wheel",
		"www/pypi/packages/markdown_it_py-2.1.0-py3-none-any.whl": "wheel too",
		"www/github/o/r/releases/download/v1/r.tar.gz":            "tarball",
		"secret": "outside the served trees",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := newMirror(dir)
	if err := m.loadIndex(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()
	proxy, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	viaProxy := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}

	tests := []struct {
		name     string
		client   *http.Client
		url      string
		status   int
		contains string
	}{
		{"apt through the proxy", viaProxy, "http://deb.debian.org/debian/dists/bookworm/InRelease", 200, "signed release"},
		{"apt file not recorded", viaProxy, "http://deb.debian.org/debian/pool/main/g/gcc/gcc.deb", 404, ""},
		{"apt outside /debian", viaProxy, "http://deb.debian.org/secret", 404, ""},
		{"index", viaProxy, "http://mirror.internal/pypi/simple/", 200, `href="/pypi/simple/markdown-it-py/"`},
		{"project, not normalized", viaProxy, "http://mirror.internal/pypi/simple/Markdown_It.Py/", 200, "markdown_it_py-2.1.0-py3-none-any.whl#sha256="},
		{"unknown project", viaProxy, "http://mirror.internal/pypi/simple/requests/", 404, ""},
		{"wheel", viaProxy, "http://mirror.internal/pypi/packages/rich-13.3.1-py3-none-any.whl", 200, "wheel"},
		{"release", viaProxy, "http://mirror.internal/github/o/r/releases/download/v1/r.tar.gz", 200, "tarball"},
		{"escape", viaProxy, "http://mirror.internal/../secret", 404, ""},
		{"direct", http.DefaultClient, srv.URL + "/github/o/r/releases/download/v1/r.tar.gz", 200, "tarball"},
		{"internet host", viaProxy, "http://example.com/install.sh", 502, "refusing"},
		{"pypi.org", viaProxy, "http://pypi.org/simple/rich/", 502, "refusing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.client.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tc.url, resp.StatusCode, body, tc.status, tc.contains)
			}
		})
	}

	// HTTPS goes through CONNECT, which the mirror never opens.
	https := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	if _, err := https.Get("https://pypi.org/simple/"); err == nil {
		t.Errorf("GET https://pypi.org/simple/ through the mirror succeeded, want the CONNECT refused")
	}
	_, refused := m.refusals(0)
	want := []string{"GET http://example.com/install.sh", "GET http://pypi.org/simple/rich/", "CONNECT pypi.org:443"}
	if diff := cmp.Diff(want, refused); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}

func TestInternetHosts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"mirror", "ARG MIRROR=http://mirror.internal/github\nRUN curl -fsSLO $MIRROR/x.tar.gz", nil},
		{"variable host", "RUN curl -fsSLO ${MIRROR}/x.tar.gz", nil},
		{"github", "RUN curl -fsSLO https://github.com/mvdan/sh/releases/download/v3.14.1/x", []string{"github.com"}},
		{"pip index", "RUN pip install --index-url https://pypi.org/simple rich", []string{"pypi.org"}},
		{"reserved", "RUN wget http://localhost:8080/ http://a.test/ http://b.invalid/", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, internetHosts([]byte(tc.in))); diff != "" {
				t.Errorf("internetHosts(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
