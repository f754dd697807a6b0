package analyze

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/image"
)

// TestDiveOracle reproduces, on dive's own test image, the values dive's
// own tests assert (../shared/oracle/dive/README.md).
func TestDiveOracle(t *testing.T) {
	const path = "testdata/dive-test-image.tar" // dive's .data/test-docker-image.tar, from ../shared/oracle/dive
	img, err := image.Open(t.Context(), "docker-archive:"+path)
	if err != nil {
		t.Fatalf("dive's test image: %v", err)
	}
	r := analyse(t, img)
	d := r.Dive
	if d.Efficiency != 0.9844212134184309 {
		t.Errorf("efficiency = %v, want 0.9844212134184309", d.Efficiency)
	}
	if d.SizeBytes != 1220598 || d.UserSizeBytes != 66237 || d.WastedBytes != 32025 {
		t.Errorf("size, user size, wasted = %d, %d, %d; want 1220598, 66237, 32025", d.SizeBytes, d.UserSizeBytes, d.WastedBytes)
	}
	if d.UserWastedPercent != 0.4834911001404049 {
		t.Errorf("user wasted = %v, want 0.4834911001404049", d.UserWastedPercent)
	}
	want := []DiveFile{
		{"/root/example/somefile1.txt", 2, 12810},
		{"/root/saved.txt", 2, 12810},
		{"/root/example/somefile3.txt", 2, 6405},
	}
	if diff := cmp.Diff(want, d.InefficientFiles); diff != "" {
		t.Errorf("inefficient files (-want +got):\n%s", diff)
	}
	if r.WastedBytes != 32025 {
		t.Errorf("squash-recoverable bytes = %d, want 32025", r.WastedBytes)
	}
}
