package image

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// openRemote opens r.name in a registry. Only the manifest (and, for an
// index, the chosen child's) is fetched here; ctx stays bound to the image's
// blob reads, as remote.WithContext does.
func openRemote(ctx context.Context, r imageRef, o *options) (v1.Image, error) {
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.ParseReference(r.name, nopts...)
	if err != nil {
		return nil, tag(ErrInvalid, err)
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain)}
	ropts = append(ropts, remote.WithTransport(o.transport()))
	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return nil, registryError(err)
	}
	var img v1.Image
	byPlatform := false
	if desc.MediaType.IsIndex() {
		ii, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		img, byPlatform, err = resolve(ii, imageRef{index: -1}, o, nil)
		if err != nil {
			return nil, registryError(err)
		}
	} else if img, err = desc.Image(); err != nil {
		return nil, registryError(err)
	}
	if !byPlatform {
		if err := checkConfig(img, o); err != nil {
			return nil, registryError(err)
		}
	}
	s, err := newStored(img)
	if err != nil {
		return nil, err
	}
	s.name = r.name
	return s, nil
}

// registryError marks a registry's "no such repository or manifest" as
// ErrNotFound.
func registryError(err error) error {
	if te, ok := errors.AsType[*transport.Error](err); ok {
		if te.StatusCode == http.StatusNotFound {
			return tag(ErrNotFound, err)
		}
		for _, d := range te.Errors {
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
				return tag(ErrNotFound, err)
			}
		}
	}
	return err
}

// transport is how registries are reached. ggcr's name package treats
// localhost, *.local and private (RFC 1918) addresses as plain-HTTP
// registries whatever the caller says, and its ping falls back from HTTPS to
// HTTP for them: on a hostile network that hands credentials and content to
// whoever answers. Without WithInsecure every request must be HTTPS, and a
// plain one (a fallback, or a redirect to http://) fails with ErrPlainHTTP.
func (o *options) transport() http.RoundTripper {
	if o.insecure {
		return insecureTransport()
	}
	return httpsOnly{remote.DefaultTransport}
}

// httpsOnly refuses every request that is not HTTPS.
type httpsOnly struct{ rt http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t httpsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		if req.Body != nil {
			req.Body.Close() // RoundTrip must close it, even on error
		}
		return nil, fmt.Errorf("%w: %s %s", ErrPlainHTTP, req.Method, req.URL.Redacted())
	}
	return t.rt.RoundTrip(req)
}

// insecureTransport is ggcr's default transport without TLS verification,
// shared like the default so that its idle connections are reused.
var insecureTransport = sync.OnceValue(func() http.RoundTripper {
	t, ok := remote.DefaultTransport.(*http.Transport)
	if !ok {
		t = http.DefaultTransport.(*http.Transport)
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.InsecureSkipVerify = true
	return t
})
