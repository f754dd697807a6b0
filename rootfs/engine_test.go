package rootfs

import (
	"archive/tar"
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// engineAdds are the paths the engine adds to every container's filesystem.
var engineAdds = map[string]bool{
	".dockerenv": true, "dev": true, "dev/console": true, "dev/pts": true, "dev/shm": true, "etc": true,
	"etc/hostname": true, "etc/hosts": true, "etc/mtab": true, "etc/resolv.conf": true, "proc": true, "sys": true,
}

// engineDiffers says why some cases of extractTests cannot be compared.
var engineDiffers = map[string]string{
	"devices skipped, FIFOs made":                           "the engine makes device nodes; Extract does not",
	"a file replaces a hard link, never written through it": "docker load refuses a layer that names a path twice",
	"whiteout before a file of its own layer spares it": "storage drivers differ: moby's and containerd's unpackers keep the file, " +
		"fuse-overlayfs hides it (the OCI text keeps it)",
}

// TestExtractMatchesEngine extracts the layer stacks of TestExtract with the
// engine (docker export of a container) and compares the trees.
func TestExtractMatchesEngine(t *testing.T) {
	enginetest.Require(t)
	for _, tc := range extractTests {
		t.Run(tc.name, func(t *testing.T) {
			if why, ok := engineDiffers[tc.name]; ok {
				t.Skip(why)
			}
			const tag = "diet-rootfs-test:extract"
			archive := filepath.Join(t.TempDir(), "img.tar")
			tartest.WriteDockerArchive(t, archive, tartest.Layers(t, tc.layers...), tag)
			enginetest.Load(t, archive, tag)
			b, err := exec.Command("docker", "create", "--pull", "never", tag, "none").Output() // stderr: a platform warning
			if err != nil {
				t.Fatalf("docker create: %v", err)
			}
			id := strings.TrimSpace(string(b))
			t.Cleanup(func() { exec.Command("docker", "rm", "--force", id).Run() })
			out, err := exec.Command("docker", "export", id).Output()
			if err != nil {
				t.Fatalf("docker export: %v", err)
			}
			got := map[string]string{}
			tr := tar.NewReader(bytes.NewReader(out))
			for {
				hdr, err := tr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				name := strings.TrimSuffix(hdr.Name, "/")
				if engineAdds[name] {
					continue
				}
				switch mode := hdr.FileInfo().Mode(); {
				case hdr.Typeflag == tar.TypeSymlink:
					got[name] = "-> " + hdr.Linkname
				case hdr.Typeflag == tar.TypeLink:
					got[name] = got[strings.TrimSuffix(hdr.Linkname, "/")] // same inode, same content
				case mode.IsRegular():
					b, _ := io.ReadAll(tr)
					got[name] = mode.String() + " " + string(b)
				default:
					got[name] = mode.String()
				}
			}
			want := snapshot(t, extracted(t, tartest.Layers(t, tc.layers...)))
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("Extract and the engine differ (-engine +Extract):\n%s", diff)
			}
		})
	}
}
