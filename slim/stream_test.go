package slim

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/layerfs"
)

// TestStreamLayer: a docker-archive gets the new layer straight from the
// rewrite, with no spool, and the same bytes as an archive written from
// the spooled layer; the report made after the write agrees.
func TestStreamLayer(t *testing.T) {
	img := story(t)
	dir := t.TempDir()
	write := func(name string, spoolFirst bool) (*Image, []byte) {
		p, err := NewPlan(img, build(t, img), Prune)
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Rewrite(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { out.Close() })
		if spoolFirst {
			if _, err := out.ConfigFile(); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, name)
		if err := image.Write(t.Context(), out, "docker-archive:"+path); err != nil {
			t.Fatal(err)
		}
		if !spoolFirst && out.c.f != nil {
			t.Errorf("%s: the new layer was spooled as well as streamed", name)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return out, b
	}
	streamed, a := write("streamed.tar", false)
	spooled, b := write("spooled.tar", true)
	if !bytes.Equal(a, b) {
		t.Errorf("the streamed archive (%d bytes) differs from the spooled one (%d bytes)", len(a), len(b))
	}
	ra, rb := report(t, streamed), report(t, spooled)
	if ra.After != rb.After || ra.After.Bytes == 0 {
		t.Errorf("reports after: streamed %+v, spooled %+v", ra.After, rb.After)
	}
	if streamed.c.f != nil {
		t.Errorf("the report of a streamed layer spooled it again")
	}
	// Read after the write, the streamed layer is made again: the same
	// bytes, or an error.
	if _, err := layerfs.Build(t.Context(), streamed, layerfs.WithVerify(true)); err != nil {
		t.Errorf("the streamed layer made again: %v", err)
	}
	back, err := image.Open(t.Context(), "docker-archive:"+filepath.Join(dir, "streamed.tar"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(back, validate.Fast); err != nil { // layers read uncompressed: Fast checks the blobs
		t.Errorf("validate.Image of the streamed archive: %v", err)
	}
	if _, err := layerfs.Build(t.Context(), back, layerfs.WithVerify(true)); err != nil {
		t.Errorf("the streamed archive's layers do not match their diff IDs: %v", err)
	}
	want, _ := spooled.ConfigName()
	if got, _ := back.ConfigName(); got != want {
		t.Errorf("config %s read back, %s written", got, want)
	}
}
