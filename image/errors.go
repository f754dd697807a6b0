package image

import (
	"errors"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Error is what [Open] returns: the input as the user wrote it and the cause.
type Error struct {
	Ref string // the image name as given to Open
	Err error  // the cause; errors.Is finds the package's sentinels through it
}

// Error implements error: the reference, then the cause.
func (e *Error) Error() string { return e.Ref + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Sentinel causes, for errors.Is. The message of an error never depends on
// which of them it carries.
var (
	// ErrNotFound: the file, directory, image, tag, platform or blob does not exist.
	ErrNotFound = errors.New("not found")
	// ErrTruncated: an archive ends early. Such errors also match
	// io.ErrUnexpectedEOF.
	ErrTruncated = errors.New("truncated")
	// ErrAmbiguous: the source holds several images and nothing chose one
	// (name one with :REF, or a platform with WithPlatform).
	ErrAmbiguous = errors.New("ambiguous")
	// ErrMismatch: content does not match the digest or size that names it.
	ErrMismatch = errors.New("mismatch")
	// ErrInvalid: a malformed name, platform or option; the input, not the image.
	ErrInvalid = errors.New("invalid")
	// ErrUnknownTransport: a name starts with what reads as a misspelled
	// transport ("docker-archiv:x.tar"); it also matches ErrInvalid.
	ErrUnknownTransport = errors.New("unknown transport")
	// ErrNoEngine: no Docker engine answered at DOCKER_HOST or the default socket.
	ErrNoEngine = errors.New("no engine")
	// ErrPlainHTTP: a registry was to be reached over plain HTTP (it speaks
	// no HTTPS, or redirected to http://) and WithInsecure was not given.
	ErrPlainHTTP = errors.New("plain HTTP to a registry needs WithInsecure")
)

// kindError tags err with a sentinel without changing its message.
type kindError struct{ kind, err error }

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// tag marks err as being of kind (one of the sentinels above).
func tag(kind, err error) error {
	if err == nil {
		return nil
	}
	return &kindError{kind: kind, err: err}
}

// PlatformError reports that an index has no image for the wanted platform.
// It matches [ErrNotFound].
type PlatformError struct {
	Want v1.Platform
	Have []v1.Platform // the platforms the source offers, in its order
}

// Error implements error.
func (e *PlatformError) Error() string {
	have := make([]string, len(e.Have))
	for i, p := range e.Have {
		have[i] = p.String()
	}
	s := "no image for platform " + e.Want.String()
	if len(have) == 0 {
		return s
	}
	return s + " (have " + strings.Join(have, ", ") + ")"
}

// Is reports whether target is [ErrNotFound].
func (e *PlatformError) Is(target error) bool { return target == ErrNotFound }
