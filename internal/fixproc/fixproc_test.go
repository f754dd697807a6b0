package fixproc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dists/trixie/Release" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("Suite: trixie\n"))
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name, url   string
		want        error // nil: no error
		wantNetwork bool
	}{
		{"200", srv.URL + "/dists/trixie/Release", nil, false},
		{"404", srv.URL + "/dists/sid/Release", ErrNoNetwork, true},
		{"refused", closed.URL + "/dists/trixie/Release", ErrNoNetwork, true},
		{"bad url", "http://[::1", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Probe(t.Context(), tc.url)
			if got := errors.Is(err, ErrNoNetwork); got != tc.wantNetwork {
				t.Errorf("Probe(%q) = %v, want ErrNoNetwork: %v", tc.url, err, tc.wantNetwork)
			}
			if (err == nil) != (tc.name == "200") {
				t.Errorf("Probe(%q) = %v", tc.url, err)
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Probe(ctx, srv.URL+"/dists/trixie/Release"); !errors.Is(err, ErrNoNetwork) {
		t.Errorf("Probe cancelled = %v, want ErrNoNetwork", err)
	}
}

func TestTail(t *testing.T) {
	var many []string
	for i := range 20 {
		many = append(many, strings.Repeat("x", i+1))
	}
	for _, tc := range []struct {
		name, out, log, want string
	}{
		{"empty", "", "build.log", ""},
		{"blank", " \n\n", "build.log", ""},
		{"one line", "E: no such package\n", "build.log", "; its output ends:\n\tE: no such package"},
		{"long", strings.Join(many, "\n"), "build.log", "; its output ends (the rest is in build.log):\n\t" + strings.Join(many[8:], "\n\t")},
		{"long, no log", strings.Join(many, "\n"), "", "; its output ends:\n\t" + strings.Join(many[8:], "\n\t")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tail([]byte(tc.out), tc.log); got != tc.want {
				t.Errorf("Tail(%q, %q) = %q, want %q", tc.out, tc.log, got, tc.want)
			}
		})
	}
}

// TestRemoveAll removes a tree as the go command leaves a module cache:
// read-only files in read-only directories.
func TestRemoveAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gopath")
	mod := filepath.Join(dir, "pkg", "mod", "example.com", "m@v1.0.0")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{mod, filepath.Dir(mod)} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveAll(dir); err != nil {
		t.Fatalf("RemoveAll = %v", err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RemoveAll(%q) left it (%v)", dir, err)
	}
	if err := RemoveAll(dir); err != nil {
		t.Errorf("RemoveAll of a missing tree = %v", err)
	}
}
