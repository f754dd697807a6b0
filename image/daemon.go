package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const (
	// defaultSocket is where the engine listens when DOCKER_HOST is unset.
	defaultSocket = "/var/run/docker.sock"
	// hasTimeout bounds the question a bare name asks the engine: an
	// unreachable tcp:// host must not stall the fallback to a registry.
	hasTimeout = 5 * time.Second
)

// engine speaks the Docker Engine HTTP API; only the two calls diet needs.
type engine struct {
	client *http.Client
	base   string // http://docker or http://host:port
	host   string // DOCKER_HOST, or the default socket's unix:// URL
	local  bool   // a unix socket: the engine runs on this machine
}

// newEngine reads DOCKER_HOST: unix://PATH or tcp://HOST:PORT (plain HTTP).
func newEngine() (*engine, error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix://" + defaultSocket
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, tag(ErrInvalid, fmt.Errorf("DOCKER_HOST %q: %w", host, err))
	}
	// One or two requests per Open: keep no idle connection (and goroutine).
	t := &http.Transport{DisableCompression: true, DisableKeepAlives: true}
	switch u.Scheme {
	case "unix":
		sock := u.Path
		t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}
		return &engine{client: &http.Client{Transport: t}, base: "http://docker", host: host, local: true}, nil
	case "tcp", "http":
		return &engine{client: &http.Client{Transport: t}, base: "http://" + u.Host, host: host}, nil
	}
	return nil, tag(ErrInvalid, fmt.Errorf("DOCKER_HOST %q: only unix:// and tcp:// are supported", host))
}

// get sends GET path and returns the response when it is 200 OK.
func (e *engine) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, tag(ErrNoEngine, fmt.Errorf("docker engine: %w", err))
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var msg struct{ Message string }
	json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&msg)
	if msg.Message == "" {
		msg.Message = resp.Status
	}
	err = fmt.Errorf("docker engine: %s", msg.Message)
	if resp.StatusCode == http.StatusNotFound {
		return nil, tag(ErrNotFound, err)
	}
	return nil, err
}

// ping asks whether the engine answers at all.
func (e *engine) ping(ctx context.Context) error {
	resp, err := e.get(ctx, "/_ping")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// has reports whether the engine has the image ref.
func (e *engine) has(ctx context.Context, ref string) bool {
	// A parsed reference holds no character a path must escape.
	ctx, cancel := context.WithTimeout(ctx, hasTimeout)
	defer cancel()
	resp, err := e.get(ctx, "/images/"+ref+"/json")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// engineInfo is what diet needs of the engine's /info.
type engineInfo struct {
	Driver        string
	DriverStatus  [][]string
	DockerRootDir string
}

// getJSON decodes the JSON answer to GET path into v.
func (e *engine) getJSON(ctx context.Context, path string, v any) error {
	resp, err := e.get(ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(v); err != nil {
		return fmt.Errorf("docker engine: %s: %w", path, err)
	}
	return nil
}

// openDaemon opens the image r.name of the engine: from its layer store
// when diet can read it (see [openStore]), else from its save stream.
func openDaemon(ctx context.Context, r imageRef, o *options) (v1.Image, error) {
	e, err := newEngine()
	if err != nil {
		return nil, err
	}
	if !o.layerStore {
		return openSave(ctx, e, r, o)
	}
	// Asked first, so that a missing image is the same error either way.
	var inspect struct {
		ID       string `json:"Id"`
		RepoTags []string
	}
	if err := e.getJSON(ctx, "/images/"+r.name+"/json", &inspect); err != nil {
		return nil, err
	}
	img, err := openFromStore(ctx, e, r, inspect.ID, inspect.RepoTags, o)
	if err == nil {
		return img, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if o.fallback != nil {
		o.fallback(fmt.Errorf("layer store: %w", err))
	}
	return openSave(ctx, e, r, o)
}

// openFromStore opens the image id (the inspected r) from the engine's
// layer store, or says why it cannot.
func openFromStore(ctx context.Context, e *engine, r imageRef, id string, repoTags []string, o *options) (v1.Image, error) {
	var info engineInfo
	if e.local {
		if err := e.getJSON(ctx, "/info", &info); err != nil {
			return nil, err
		}
	}
	if err := storeFallback(e, info); err != nil {
		return nil, err
	}
	h, err := v1.NewHash(id)
	if err != nil {
		return nil, fmt.Errorf("image ID %q: %w", id, err)
	}
	// docker save records the tag the image was asked by, none for an ID.
	var name string
	for _, t := range repoTags {
		if t == r.name || normalize(t) == normalize(r.name) {
			name = t
			break
		}
	}
	return openStore(ctx, info.DockerRootDir, info.Driver, h, name, o)
}

// openSave streams the engine's `docker save` of r.name once into an
// unlinked temporary file and opens that as a docker-archive.
func openSave(ctx context.Context, e *engine, r imageRef, o *options) (v1.Image, error) {
	resp, err := e.get(ctx, "/images/get?"+url.Values{"names": {r.name}}.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// The stream holds exactly the image asked for: no REF to choose by.
	ref := imageRef{transport: transportArchive, path: "save stream", index: -1}
	if o.stream != nil {
		cr := &countingReader{r: resp.Body}
		img, err := openStream(ctx, cr, ref, o)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("docker engine: save stream, after %d bytes: %w", cr.n, err)
		}
		return img, nil
	}
	f, n, err := spool(ctx, resp.Body, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("docker engine: save stream after %d bytes: %w", n, err)
	}
	img, err := archiveFromFile(ctx, f, ref, o)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("docker engine: save stream of %d bytes: %w", n, err)
	}
	return img, nil
}
