package buildtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/dietimage/diet/internal/debian"
)

// Suite and DebianMirror are what the rootfs is debootstrapped from, and
// the archive the mirror records.
const (
	Suite        = debian.Suite
	DebianMirror = debian.Mirror
)

// The base images' tags: the official images' names (see the package doc).
const (
	TagDebian     = "debian:bookworm"
	TagDebianSlim = "debian:bookworm-slim"
	TagGolang     = "golang:1.26-bookworm"
	TagPython     = "python:3.11-slim"
)

// goMinor is the Go release TagGolang promises; the host's toolchain must
// be of it.
const goMinor = "go1.26"

const debianPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// pipConf points pip at the mirror, over plain HTTP as a private mirror
// without TLS would be.
const pipConf = `[global]
index-url = http://` + MirrorHost + `/pypi/simple
trusted-host = ` + MirrorHost + `
disable-pip-version-check = true
`

// pythonSetup makes the python image in a container of debian:bookworm-slim.
// The proxy is exported inside the script, not given with -e, so that
// `docker commit` does not keep it in the image's environment.
const pythonSetup = `set -e
export http_proxy=%s DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-pip
rm -rf /var/lib/apt/lists/*
rm -f /usr/lib/python3.*/EXTERNALLY-MANAGED
ln -s python3 /usr/bin/python
cat >/etc/pip.conf <<'EOF'
` + pipConf + `EOF
python3 --version
`

// importImage imports the rootfs, changed as spec says, as tag.
func (r *runner) importImage(ctx context.Context, rootfs, tag string, spec layerSpec, changes ...string) error {
	r.logf("docker import %s", tag)
	args := []string{"import", "--message", "debootstrap --variant=minbase " + Suite + " (package buildtest)"}
	for _, c := range changes {
		args = append(args, "--change", c)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := writeLayer(pw, rootfs, spec)
		pw.CloseWithError(err)
		done <- err
	}()
	c := exec.CommandContext(ctx, "docker", append(args, "-", tag)...)
	c.Stdin = pr
	_, err := r.run(ctx, c)
	pr.CloseWithError(io.ErrClosedPipe) // unblocks the writer if docker quit early
	if werr := <-done; err == nil && werr != nil && werr != io.ErrClosedPipe {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("docker import %s: %w", tag, err)
	}
	return nil
}

// baseImages makes the four base images and returns their IDs by tag.
// The python image installs from the mirror at proxy, which must be
// recording when the archive lacks its packages.
func (r *runner) baseImages(ctx context.Context, rootfs, goroot, proxy string) (map[string]string, error) {
	debian := []string{"ENV " + debianPath, `CMD ["bash"]`}
	if err := r.importImage(ctx, rootfs, TagDebian, layerSpec{}, debian...); err != nil {
		return nil, err
	}
	if err := r.importImage(ctx, rootfs, TagDebianSlim, layerSpec{slim: true}, debian...); err != nil {
		return nil, err
	}
	goVersion, err := os.ReadFile(goroot + "/VERSION")
	if err != nil {
		return nil, err
	}
	v, _, _ := strings.Cut(string(goVersion), "\n")
	golang := []string{
		"ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"ENV GOLANG_VERSION=" + strings.TrimPrefix(v, "go"),
		"ENV GOTOOLCHAIN=local",
		"ENV GOPATH=/go",
		"WORKDIR /go",
		`CMD ["bash"]`,
	}
	if err := r.importImage(ctx, rootfs, TagGolang, layerSpec{goroot: goroot}, golang...); err != nil {
		return nil, err
	}

	r.logf("docker commit %s: apt-get install python3 python3-pip", TagPython)
	name := fmt.Sprintf("diet-buildtest-python-%d", os.Getpid())
	_, err = r.docker(ctx, "run", "--name", name, "--network", Network, TagDebianSlim,
		"bash", "-c", fmt.Sprintf(pythonSetup, proxy))
	if err == nil {
		_, err = r.docker(ctx, "commit", "--change", "ENV LANG=C.UTF-8", "--change", `CMD ["python3"]`, name, TagPython)
	}
	r.docker(context.WithoutCancel(ctx), "rm", "-f", name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", TagPython, err)
	}

	ids := map[string]string{}
	for _, tag := range []string{TagDebian, TagDebianSlim, TagGolang, TagPython} {
		out, err := r.docker(ctx, "image", "inspect", "--format", "{{.Id}}", tag)
		if err != nil {
			return nil, err
		}
		ids[tag] = strings.TrimSpace(string(out))
	}
	return ids, nil
}

// imageIDs returns the IDs the engine has for the base images' tags, or
// nil when one is missing.
func (r *runner) imageIDs(ctx context.Context) map[string]string {
	tags := []string{TagDebian, TagDebianSlim, TagGolang, TagPython}
	out, err := r.docker(ctx, append([]string{"image", "inspect", "--format", "{{.Id}}"}, tags...)...)
	if err != nil {
		return nil
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(tags) {
		return nil
	}
	ids := map[string]string{}
	for i, tag := range tags {
		ids[tag] = lines[i]
	}
	return ids
}
