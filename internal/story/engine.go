package story

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dietimage/diet/internal/atomicfile"
	"github.com/dietimage/diet/internal/fixproc"
)

// baseTag names the imported rootfs while the images are built on it.
const baseTag = "diet-story:base"

// dockerfileV101 is the story's v1.01 on Debian. The build context is the
// Go build's stage, whose root/ becomes /root.
const dockerfileV101 = `# The story's v1.01 on Debian, made by github.com/dietimage/diet/internal/story.
FROM ` + baseTag + `
USER root
RUN apt-get update && apt-get install -y golang-go git gcc
COPY root/ /root/
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/root/go/bin
EXPOSE 4222
CMD ["nats-server"]
`

// dockerfileMistake is v1.01 with the story's mistake: the cleanup in a
// separate, later RUN of the same Dockerfile, so every byte it deletes
// still ships below it. The engine's build cache shares the layers before
// it with v1.01.
var dockerfileMistake = strings.Replace(dockerfileV101, "ENV PATH=",
	"RUN rm -rf /root/go/pkg /root/go/src /root/.cache /var/lib/apt/lists/* /var/cache/apt/*.bin\nENV PATH=", 1)

// checkEngine fails with [ErrNoEngine] unless a Docker engine answers.
func (b *builder) checkEngine(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := b.run(exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}"))
	if err != nil {
		return &StepError{Step: "engine", Err: fmt.Errorf("%w: %w", ErrNoEngine, err)}
	}
	b.logf("Docker engine %s", strings.TrimSpace(string(out)))
	return nil
}

// images imports the rootfs, builds both images with the legacy builder,
// records their IDs and sizes in s and saves them to their archives.
func (b *builder) images(ctx context.Context, s *Story, stage string) error {
	if err := fixproc.Probe(ctx, Mirror+"/dists/"+Suite+"/Release"); err != nil {
		return &StepError{Step: "docker build " + TagV101, Err: fmt.Errorf("apt in the build needs %s: %w", Mirror, err)}
	}
	// Images the tags name now become dangling once the tags move.
	var old []string
	for _, tag := range []string{TagMistake, TagV101} {
		c := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Id}}", tag)
		if out, err := c.Output(); err == nil {
			old = append(old, strings.TrimSpace(string(out)))
		}
	}
	rootfs := filepath.Join(b.dir, "rootfs.tar")
	b.logf("docker import %s as %s", rootfs, baseTag)
	c := exec.CommandContext(ctx, "docker", "import", "--message", "debootstrap --variant=minbase "+Suite+" "+Mirror, rootfs, baseTag)
	if _, err := b.run(c); err != nil {
		return &StepError{Step: "docker import", Err: err}
	}
	// The story's images keep the base's layers alive without its tag. The
	// untagging runs even when ctx was cancelled.
	defer func() {
		c := exec.CommandContext(context.WithoutCancel(ctx), "docker", "rmi", baseTag)
		if _, err := b.run(c); err != nil {
			b.logf("leaving the tag %s: %v", baseTag, err)
		}
	}()

	dfV101 := filepath.Join(b.dir, "v1.01.Dockerfile")
	dfMistake := filepath.Join(b.dir, "mistake.Dockerfile")
	if err := atomicfile.WriteFile(dfV101, []byte(dockerfileV101), 0o644); err != nil {
		return &StepError{Step: "docker build " + TagV101, Err: err}
	}
	if err := atomicfile.WriteFile(dfMistake, []byte(dockerfileMistake), 0o644); err != nil {
		return &StepError{Step: "docker build " + TagMistake, Err: err}
	}
	b.logf("docker build %s: apt-get install golang-go git gcc, COPY the Go build (a few minutes)", TagV101)
	if err := b.dockerBuild(ctx, TagV101, dfV101, stage); err != nil {
		return err
	}
	b.logf("docker build %s: the same, with RUN rm -rf the caches before CMD", TagMistake)
	if err := b.dockerBuild(ctx, TagMistake, dfMistake, stage); err != nil {
		return err
	}
	for _, img := range []*Image{&s.V101, &s.Mistake} {
		if err := b.save(ctx, img); err != nil {
			return err
		}
	}
	b.forget(ctx, old, s.V101.ID, s.Mistake.ID)
	return nil
}

// forget removes the images of an earlier build that the new one untagged,
// so that rebuilding does not leak 1.7 GB a time. An image still in use
// (by a container, or under another tag) stays.
func (b *builder) forget(ctx context.Context, ids []string, keep ...string) {
	for _, id := range ids {
		if slices.Contains(keep, id) {
			continue
		}
		c := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{len .RepoTags}}", id)
		if out, err := c.Output(); err != nil || strings.TrimSpace(string(out)) != "0" {
			continue
		}
		if _, err := b.run(exec.CommandContext(ctx, "docker", "rmi", id)); err != nil {
			b.logf("leaving the earlier build's image %s: %v", id, err)
		} else {
			b.logf("removed the earlier build's image %s", id)
		}
	}
}

// dockerBuild builds dockerfile as tag with the legacy builder, on the
// host's network so apt reaches the mirror, with the build context dir;
// an empty dir sends none.
func (b *builder) dockerBuild(ctx context.Context, tag, dockerfile, dir string) error {
	args := []string{"build", "--network", "host", "--rm", "--force-rm", "-t", tag}
	var stdin *os.File
	if dir == "" {
		f, err := os.Open(dockerfile)
		if err != nil {
			return &StepError{Step: "docker build " + tag, Err: err}
		}
		defer f.Close()
		stdin, args = f, append(args, "-")
	} else {
		args = append(args, "-f", dockerfile, dir)
	}
	c := exec.CommandContext(ctx, "docker", args...)
	c.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if stdin != nil {
		c.Stdin = stdin
	}
	if _, err := b.run(c); err != nil {
		return &StepError{Step: "docker build " + tag, Err: err}
	}
	return nil
}

// save records img's ID and size and writes its archive.
func (b *builder) save(ctx context.Context, img *Image) error {
	c := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Id}} {{.Size}}", img.Tag)
	out, err := b.run(c)
	if err != nil {
		return &StepError{Step: "docker image inspect " + img.Tag, Err: err}
	}
	id, size, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if img.Size, err = strconv.ParseInt(size, 10, 64); err != nil || !strings.HasPrefix(id, "sha256:") {
		return &StepError{Step: "docker image inspect " + img.Tag, Err: fmt.Errorf("unexpected output %q", out)}
	}
	img.ID = id
	b.logf("docker save %s (%d bytes in the engine) to %s", img.Tag, img.Size, img.Archive)
	// A killed save left its temporary file; the build directory's lock
	// makes this save the only one.
	if err := atomicfile.RemoveTemps(img.Archive); err != nil {
		return &StepError{Step: "docker save " + img.Tag, Err: err}
	}
	f, err := atomicfile.Create(img.Archive)
	if err != nil {
		return &StepError{Step: "docker save " + img.Tag, Err: err}
	}
	defer f.Abort()
	if _, err := b.run(exec.CommandContext(ctx, "docker", "save", "-o", f.Name(), img.Tag)); err != nil {
		return &StepError{Step: "docker save " + img.Tag, Err: err}
	}
	if err := f.Commit(ctx, 0o644); err != nil {
		return &StepError{Step: "docker save " + img.Tag, Err: err}
	}
	return nil
}
