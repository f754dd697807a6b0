package cli

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/spf13/cobra"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/diskspace"
	"github.com/dietimage/diet/layerfs"
)

// Exit codes. They are public API (docs/cli.md): add, never renumber.
const (
	exitOK       = 0 // success
	exitFailed   = 1 // the command failed: a missing, corrupt or unreadable image, an I/O error
	exitUsage    = 2 // bad flags or arguments: nothing was opened
	exitFindings = 3 // lint findings at --fail-on, or a rule of analyze --ci failed
	// exitInterrupted is 128+SIGINT, as a shell reports a command that
	// SIGINT killed: nothing was written.
	exitInterrupted = 130
)

// exitCodes documents the codes for the generated reference.
var exitCodes = []struct {
	code int
	text string
}{
	{exitOK, "success"},
	{exitFailed, "the command failed: a missing, corrupt or unreadable image, an I/O error, too little free disk space"},
	{exitUsage, "bad flags or arguments (a bad --output too); nothing was opened"},
	{exitFindings, "lint: findings at --fail-on or above; analyze --ci: a rule failed (the report is written all the same)"},
	{exitInterrupted, "interrupted (SIGINT or SIGTERM) before the output was in place: nothing was written"},
}

// exitError gives an error the status Main returns for it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usage marks err as a usage error of cmd, and points at its help.
func usage(cmd *cobra.Command, err error) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())}
}

// code is the exit status for err.
func code(err error) int {
	if e, ok := errors.AsType[*exitError](err); ok {
		return e.code
	}
	if errors.Is(err, image.ErrInvalid) {
		return exitUsage // a malformed image name: the argument, not the image
	}
	return exitFailed
}

// message is err as printed after "diet: ", with the next step to take
// for the causes we know. The library states facts; the advice is here
// because it depends on how the user called us.
func message(ctx context.Context, err error) string {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return "interrupted"
	}
	if a := advice(err); a != "" {
		return err.Error() + " — " + a
	}
	return err.Error()
}

// advice is the next step for a known cause of err, or "".
func advice(err error) string {
	ref := ""
	if e, ok := errors.AsType[*image.Error](err); ok {
		ref = e.Ref
	} else if e, ok := errors.AsType[*diet.InputError](err); ok {
		ref = e.Ref
	}
	switch {
	case errors.Is(err, diet.ErrTracedRun):
		return "--level minimal keeps what a working run of the command uses: give one that works with --verify-cmd, and serve it with --probe or --probe-port"
	case errors.Is(err, diskspace.ErrLow):
		return "free space on that disk, point TMPDIR at a larger one, or lower " + diskspace.EnvMinFree + " (0 turns the check off)"
	case errors.Is(err, layerfs.ErrTooLarge):
		return "a tar header declares more bytes than its layer holds: the image is malformed or crafted, not truncated; saving it again will not help"
	case errors.Is(err, tar.ErrHeader):
		return "a tar header is malformed: the image is corrupt or crafted, and docker load refuses it too"
	case errors.Is(err, layerfs.ErrUnsupportedType):
		return "docker load refuses this entry type too: the image was not made by docker build or docker save"
	case errors.Is(err, image.ErrTruncated) || errors.Is(err, io.ErrUnexpectedEOF):
		switch transportOf(ref) {
		case "docker-archive":
			return "the file is truncated; re-run docker save"
		case "oci":
			return "a blob of the layout is truncated; copy the image again"
		}
		return "the transfer ended early; try again"
	case errors.Is(err, image.ErrMismatch) || errors.Is(err, layerfs.ErrDigestMismatch):
		return "the image is corrupt; pull or save it again"
	case isAs[*image.PlatformError](err):
		return "choose one with --platform"
	case errors.Is(err, image.ErrAmbiguous):
		return "choose one: docker-archive:PATH:TAG, docker-archive:PATH:@N or --platform"
	case errors.Is(err, image.ErrNoEngine):
		return "start Docker or set DOCKER_HOST, or docker save the image and analyze the tar"
	case errors.Is(err, image.ErrPlainHTTP):
		return "the registry answers only over plain HTTP: pass --insecure if you trust the network to it"
	case errors.Is(err, image.ErrNotFound):
		switch transportOf(ref) {
		case "docker-archive":
			return "check the path"
		case "oci":
			return "check the directory and the tag"
		}
		if isAs[*transport.Error](err) || strings.HasPrefix(ref, "docker://") {
			return "check the name, the registry and your credentials (docker login)"
		}
		return "check the name (docker images lists local images)"
	case errors.Is(err, image.ErrInvalid):
		return "IMAGE is docker-archive:PATH, oci:DIR[:TAG], docker://REF, docker-daemon:REF or a bare path or reference"
	}
	if e, ok := errors.AsType[*transport.Error](err); ok {
		switch e.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return "log in with docker login, or check the name"
		}
	}
	return ""
}

func isAs[T error](err error) bool {
	_, ok := errors.AsType[T](err)
	return ok
}

// transportOf guesses how ref was read: "docker-archive" for an archive
// (named so, or a bare name that is a file or looks like one), "oci" for a
// layout, "" otherwise.
func transportOf(ref string) string {
	switch {
	case strings.HasPrefix(ref, "docker-archive:"):
		return "docker-archive"
	case strings.HasPrefix(ref, "oci:"):
		return "oci"
	case ref == "" || strings.Contains(ref, "://") || strings.HasPrefix(ref, "docker-daemon:"):
		return ""
	}
	if fi, err := os.Stat(ref); err == nil {
		if fi.IsDir() {
			return "oci"
		}
		return "docker-archive"
	}
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.zst"} {
		if strings.HasSuffix(ref, ext) {
			return "docker-archive"
		}
	}
	return ""
}
