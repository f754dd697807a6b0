package image

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// writeDaemon streams s as a docker save archive, tagged r.name, into the
// engine's POST /images/load. Nothing is buffered: a layer whose size it
// does not know is read once first to learn it (a tar header comes before
// its body), then streamed. The engine commits the image only once the
// whole archive has loaded, so a failed or cancelled write leaves no image.
func writeDaemon(ctx context.Context, s *source, r imageRef) error {
	e, err := newEngine()
	if err != nil {
		return err
	}
	if err := e.ping(ctx); err != nil { // before reading every layer to measure it
		return err
	}
	sizes := make(map[v1.Hash]int64, len(s.first))
	for _, i := range s.first {
		n, err := measure(ctx, s.layers[i], s.diffIDs[i])
		if err != nil {
			return s.layerError(i, err)
		}
		sizes[s.diffIDs[i]] = n
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := writeArchive(ctx, &tarStream{w: pw, mtime: s.mtime}, s, r.name, sizes)
		pw.CloseWithError(err) // nil: the engine reads EOF
		done <- err
	}()
	err = e.load(ctx, pr)
	pr.CloseWithError(errDone) // the engine may stop reading early
	if errors.Is(err, ErrNoEngine) {
		<-done
		return err // the stream broke only because nobody read it
	}
	if werr := <-done; werr != nil && !errors.Is(werr, errDone) {
		return werr // the cause; the engine saw only a broken stream
	}
	return err
}

// load posts an archive to the engine and reads its JSON message stream,
// which reports a failed load in a 200 OK response.
func (e *engine) load(ctx context.Context, archive io.Reader) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/images/load?quiet=1", archive)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return tag(ErrNoEngine, fmt.Errorf("docker engine: %w", err))
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var msg struct{ Message string }
		if dec.Decode(&msg) != nil || msg.Message == "" {
			msg.Message = resp.Status
		}
		return fmt.Errorf("docker engine: load: %s", msg.Message)
	}
	loaded := false
	for {
		var m struct {
			Stream      string
			Error       string
			ErrorDetail struct{ Message string }
		}
		err := dec.Decode(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("docker engine: load: reading its reply: %w", err)
		}
		if msg := cmp.Or(m.ErrorDetail.Message, m.Error); msg != "" {
			return fmt.Errorf("docker engine: load: %s", msg)
		}
		loaded = loaded || strings.HasPrefix(m.Stream, "Loaded image")
	}
	if !loaded {
		return errors.New("docker engine: load: the engine did not say it loaded an image")
	}
	return nil
}

// errDone stops a producer whose consumer has gone.
var errDone = errors.New("the reader stopped")
