package diet_test

import (
	"path/filepath"
	"testing"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/slim"
)

// TestSlimImageOutlivesTheCall: the slimmed image Slim returns can be
// read and written after the call, though its layer went into the output.
func TestSlimImageOutlivesTheCall(t *testing.T) {
	dir := t.TempDir()
	img, err := image.Open(t.Context(), diveImage)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := diet.Slim(t.Context(), img, slim.Squash, diet.WithOutput("docker-archive:"+filepath.Join(dir, "a.tar")))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := image.Write(t.Context(), out, "oci:"+filepath.Join(dir, "b")); err != nil {
		t.Fatalf("writing the slimmed image after Slim returned: %v", err)
	}
	for _, ref := range []string{"docker-archive:" + filepath.Join(dir, "a.tar"), "oci:" + filepath.Join(dir, "b")} {
		back, err := image.Open(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := layerfs.Build(t.Context(), back, layerfs.WithVerify(true)); err != nil {
			t.Errorf("%s: %v", ref, err)
		}
		want, _ := out.ConfigName()
		if got, _ := back.ConfigName(); got != want {
			t.Errorf("%s: config %s, want %s", ref, got, want)
		}
	}
}
