package image

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

var refCases = []struct {
	in   string
	want imageRef
	err  error
}{
	{in: "docker-archive:x.tar", want: imageRef{transport: transportArchive, path: "x.tar", index: -1}},
	{in: "docker-archive:x.tar:busybox", want: imageRef{transport: transportArchive, path: "x.tar", name: "busybox", index: -1}},
	{in: "docker-archive:/tmp/x.tar:diet-test:xyz", want: imageRef{transport: transportArchive, path: "/tmp/x.tar", name: "diet-test:xyz", index: -1}},
	{in: "docker-archive:x.tar:localhost:5000/a/b:1", want: imageRef{transport: transportArchive, path: "x.tar", name: "localhost:5000/a/b:1", index: -1}},
	{in: "docker-archive:x.tar:@2", want: imageRef{transport: transportArchive, path: "x.tar", index: 2}},
	{in: "docker-archive:x.tar:", want: imageRef{transport: transportArchive, path: "x.tar", index: -1}},
	{in: "docker-archive:x.tar:@-1", err: ErrInvalid},
	{in: "docker-archive:x.tar:a@sha256:0123", err: ErrInvalid},
	{in: "docker-archive:", err: ErrInvalid},
	{in: "oci:dir", want: imageRef{transport: transportOCI, path: "dir", index: -1}},
	{in: "oci:dir:v1.0", want: imageRef{transport: transportOCI, path: "dir", name: "v1.0", index: -1}},
	{in: "oci:dir:docker.io/library/x:1", want: imageRef{transport: transportOCI, path: "dir", name: "docker.io/library/x:1", index: -1}},
	{in: "oci:dir:bad tag", err: ErrInvalid},
	{in: "oci-archive:x.tar", want: imageRef{transport: transportOCIArchive, path: "x.tar", index: -1}},
	{in: "oci-archive:x.tar:v1.0", want: imageRef{transport: transportOCIArchive, path: "x.tar", name: "v1.0", index: -1}},
	{in: "oci-archive:x.tar:bad tag", err: ErrInvalid},
	{in: "oci-archive:", err: ErrInvalid},
	{in: "docker-archiv:x.tar", err: ErrUnknownTransport},
	{in: "docker-achive:/tmp/x.tar:app:1", err: ErrUnknownTransport},
	{in: "oci-archiv:out.tar", err: ErrUnknownTransport},
	{in: "docker-deamon:app:1", err: ErrUnknownTransport},
	{in: "ocj:./layout", err: ErrUnknownTransport},
	{in: "docker-archiv:x", err: ErrUnknownTransport},
	{in: "ocj:dir/x", err: ErrUnknownTransport},
	{in: "docks:5000/app", want: imageRef{path: "docks:5000/app", index: -1}},
	{in: "dock:1", want: imageRef{path: "dock:1", index: -1}},
	{in: "oci-tools:1.2", want: imageRef{path: "oci-tools:1.2", index: -1}},
	{in: "docker://busybox", want: imageRef{transport: transportDocker, name: "busybox", index: -1}},
	{in: "docker://localhost:5000/a/b@sha256:" + hex64, want: imageRef{transport: transportDocker, name: "localhost:5000/a/b@sha256:" + hex64, index: -1}},
	{in: "docker://", err: ErrInvalid},
	{in: "docker-daemon:busybox:latest", want: imageRef{transport: transportDaemon, name: "busybox:latest", index: -1}},
	{in: "docker-daemon:sha256:" + hex64, want: imageRef{transport: transportDaemon, name: "sha256:" + hex64, index: -1}},
	{in: "docker-daemon:", err: ErrInvalid},
	{in: "docker:busybox", err: ErrInvalid},
	{in: "containers-storage:x", err: ErrInvalid},
	{in: "https://example.com/x", err: ErrInvalid},
	{in: "", err: ErrInvalid},
	{in: "busybox", want: imageRef{path: "busybox", index: -1}},
	{in: "busybox:1.36", want: imageRef{path: "busybox:1.36", index: -1}},
	{in: "./x.tar", want: imageRef{path: "./x.tar", index: -1}},
	{in: `C:\images\x.tar`, want: imageRef{path: `C:\images\x.tar`, index: -1}},
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseRef(t *testing.T) {
	t.Parallel()
	for _, tc := range refCases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseRef(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("parseRef(%q) = %v, want %v", tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRef(%q) = %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(imageRef{})); diff != "" {
				t.Errorf("parseRef(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// FuzzImageName: parsing never panics, errors are ErrInvalid, and a parsed
// name prints to a string that parses back to the same name.
func FuzzImageName(f *testing.F) {
	for _, tc := range refCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRef(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("parseRef(%q) = %v, want an ErrInvalid", s, err)
			}
			return
		}
		again, err := parseRef(r.String())
		if err != nil {
			t.Fatalf("parseRef(%q) = %v; parseRef(String() = %q) = %v", s, r, r.String(), err)
		}
		if again != r {
			t.Fatalf("parseRef(%q) = %+v, but its String %q parses to %+v", s, r, r.String(), again)
		}
	})
}

func TestParsePlatform(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want v1.Platform
		err  bool
	}{
		{in: "linux/amd64", want: v1.Platform{OS: "linux", Architecture: "amd64"}},
		{in: "linux/arm64/v8", want: v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{in: "windows/amd64", want: v1.Platform{OS: "windows", Architecture: "amd64"}},
		{in: "linux", err: true},
		{in: "linux/", err: true},
		{in: "/amd64", err: true},
		{in: "linux/arm/v7/x", err: true},
		{in: "Linux/AMD64", err: true},
		{in: "linux/amd64/", err: true},
		{in: "", err: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePlatform(tc.in)
			if tc.err {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("ParsePlatform(%q) = %v, %v; want an ErrInvalid", tc.in, got, err)
				}
				return
			}
			if err != nil || !got.Equals(tc.want) {
				t.Fatalf("ParsePlatform(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	t.Parallel()
	p := func(s string) v1.Platform {
		pl, err := ParsePlatform(s)
		if err != nil {
			t.Fatal(err)
		}
		return pl
	}
	for _, tc := range []struct {
		want, have string
		score      int
	}{
		{"linux/amd64", "linux/amd64", 3},
		{"linux/arm64", "linux/arm64/v8", 3},
		{"linux/arm64/v8", "linux/arm64", 3},
		{"linux/arm", "linux/arm/v6", 2},
		{"linux/arm/v6", "linux/arm/v7", 0},
		{"linux/amd64", "linux/arm64", 0},
		{"linux/amd64", "windows/amd64", 0},
	} {
		if got := score(p(tc.want), p(tc.have)); got != tc.score {
			t.Errorf("score(%s, %s) = %d, want %d", tc.want, tc.have, got, tc.score)
		}
	}
}
