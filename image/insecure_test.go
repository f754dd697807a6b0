package image

import (
	"errors"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
)

// TestPlainHTTPNeedsInsecure: a registry on a loopback address that speaks
// only plain HTTP. ggcr would fall back to HTTP for it by itself; diet
// does so only with WithInsecure, for reading and for writing.
func TestPlainHTTPNeedsInsecure(t *testing.T) {
	host := tartest.ServeRegistry(t) // httptest: plain HTTP on 127.0.0.1
	ref := "docker://" + host + "/diet/plain:1"
	img := fixture(t)
	if err := Write(t.Context(), img, ref); !errors.Is(err, ErrPlainHTTP) {
		t.Errorf("Write(%s) without WithInsecure = %v, want ErrPlainHTTP", ref, err)
	}
	if err := Write(t.Context(), img, ref, WithInsecure(true)); err != nil {
		t.Fatalf("Write(%s, WithInsecure(true)) = %v", ref, err)
	}
	if _, err := Open(t.Context(), ref); !errors.Is(err, ErrPlainHTTP) {
		t.Errorf("Open(%s) without WithInsecure = %v, want ErrPlainHTTP", ref, err)
	}
	if _, err := Open(t.Context(), ref, WithInsecure(true)); err != nil {
		t.Errorf("Open(%s, WithInsecure(true)) = %v", ref, err)
	}
}
