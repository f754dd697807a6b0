package buildtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dietimage/diet/internal/atomicfile"
)

// MirrorHost is the name Dockerfiles and the python image use for the
// mirror's own content: /pypi/simple/ and /github/…/releases/download/….
// Names under .internal are reserved for private use and never resolve on
// the internet.
const MirrorHost = "mirror.internal"

// debianHost is the archive the mirror stands in for, under /debian/.
const debianHost = "deb.debian.org"

// mirror serves the recorded Debian archive for deb.debian.org and the
// files under www for MirrorHost, to direct requests and as a forward
// proxy. While recording, a request for a Debian file it lacks is fetched
// from the real archive and kept; otherwise it is a 404. Every other host
// is refused and remembered.
type mirror struct {
	apt string // the recorded archive: <apt>/debian/…
	www string // MirrorHost's files; www/pypi/packages holds the wheels

	recording atomic.Bool
	served    atomic.Int64
	client    *http.Client

	mu      sync.Mutex
	refused []string // "CONNECT pypi.org:443", "GET http://example.com/x"
	missing []string // 404s on the hosts it serves
	index   *pypiIndex
}

func newMirror(dir string) *mirror {
	return &mirror{
		apt:    filepath.Join(dir, "apt"),
		www:    filepath.Join(dir, "www"),
		client: &http.Client{Timeout: 10 * time.Minute},
	}
}

// ServeHTTP implements http.Handler.
func (m *mirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Host // set for a proxy's absolute request URI
	if host == "" {
		host = r.Host
	}
	name, _, err := net.SplitHostPort(host)
	if err != nil {
		name = host
	}
	switch {
	case r.Method == http.MethodConnect:
		m.refuse(w, r.Method+" "+host)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		m.refuse(w, r.Method+" "+host+r.URL.Path)
	case name == debianHost:
		m.debian(w, r)
	case name == MirrorHost || r.URL.Host == "" && net.ParseIP(name) != nil:
		m.internal(w, r)
	default:
		m.refuse(w, r.Method+" http://"+host+r.URL.Path)
	}
}

// refuse answers 502 and records what was asked.
func (m *mirror) refuse(w http.ResponseWriter, what string) {
	m.mu.Lock()
	m.refused = append(m.refused, what)
	m.mu.Unlock()
	http.Error(w, "buildtest mirror: offline, refusing "+what, http.StatusBadGateway)
}

// notFound answers 404 and records the URL.
func (m *mirror) notFound(w http.ResponseWriter, r *http.Request, host string) {
	m.mu.Lock()
	m.missing = append(m.missing, "http://"+host+r.URL.Path)
	m.mu.Unlock()
	http.NotFound(w, r)
}

// refusals returns how many requests were refused so far, and the ones
// after the first n.
func (m *mirror) refusals(n int) (int, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.refused), slices.Clone(m.refused[min(n, len(m.refused)):])
}

// misses returns how many requests found nothing so far, and the ones
// after the first n.
func (m *mirror) misses(n int) (int, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.missing), slices.Clone(m.missing[min(n, len(m.missing)):])
}

// cleanPath returns the request's path rooted and cleaned: joined to a
// directory, it cannot leave it.
func cleanPath(p string) string { return path.Clean("/" + p) }

func (m *mirror) debian(w http.ResponseWriter, r *http.Request) {
	p := cleanPath(r.URL.Path)
	if !strings.HasPrefix(p, "/debian/") {
		m.notFound(w, r, debianHost)
		return
	}
	file := filepath.Join(m.apt, filepath.FromSlash(p))
	if _, err := os.Stat(file); err != nil && m.recording.Load() {
		if err := m.record(p, file); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	m.serveFile(w, r, file, debianHost, "")
}

// record fetches the archive's file at p into file.
func (m *mirror) record(p, file string) error {
	resp, err := m.client.Get("http://" + debianHost + p)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil // serveFile answers 404; nothing is recorded
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(context.Background(), file, 0o644, func(f *os.File) error {
		_, err := io.Copy(f, resp.Body)
		return err
	})
}

// serveFile serves file, or a 404 when there is none.
func (m *mirror) serveFile(w http.ResponseWriter, r *http.Request, file, host, cacheControl string) {
	f, err := os.Open(file)
	if err != nil {
		m.notFound(w, r, host)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		m.notFound(w, r, host)
		return
	}
	if cacheControl != "" {
		w.Header().Set("Cache-Control", cacheControl)
	}
	m.served.Add(1)
	http.ServeContent(w, r, file, fi.ModTime(), f)
}

func (m *mirror) internal(w http.ResponseWriter, r *http.Request) {
	p := cleanPath(r.URL.Path)
	switch {
	case p == "/pypi/simple" || strings.HasPrefix(p, "/pypi/simple/"):
		m.simple(w, r, strings.TrimPrefix(strings.TrimPrefix(p, "/pypi/simple"), "/"))
	case strings.HasPrefix(p, "/pypi/packages/"):
		// As PyPI does: files never change, so pip keeps them in its cache.
		m.serveFile(w, r, filepath.Join(m.www, filepath.FromSlash(p)), MirrorHost, "max-age=365000000, immutable, public")
	default:
		m.serveFile(w, r, filepath.Join(m.www, filepath.FromSlash(p)), MirrorHost, "")
	}
}

// pypiIndex is a PEP 503 simple index of the wheels in www/pypi/packages.
type pypiIndex struct {
	files map[string][]wheelFile // by normalized project name
}

type wheelFile struct {
	name   string
	sha256 string
}

// wheelName matches a wheel's file name: distribution, version, tags.
var wheelName = regexp.MustCompile(`^([A-Za-z0-9_.]+)-([^-]+)-.*\.whl$`)

var separators = regexp.MustCompile(`[-_.]+`)

// normalize is PEP 503's name normalization.
func normalize(name string) string {
	return strings.ToLower(separators.ReplaceAllString(name, "-"))
}

// loadIndex reads the wheels' names and digests.
func (m *mirror) loadIndex() error {
	dir := filepath.Join(m.www, "pypi", "packages")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	idx := &pypiIndex{files: map[string][]wheelFile{}}
	for _, e := range ents {
		sub := wheelName.FindStringSubmatch(e.Name())
		if sub == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p := normalize(sub[1])
		idx.files[p] = append(idx.files[p], wheelFile{e.Name(), hex.EncodeToString(sum[:])})
	}
	if len(idx.files) == 0 {
		return fmt.Errorf("%s: no wheels", dir)
	}
	m.mu.Lock()
	m.index = idx
	m.mu.Unlock()
	return nil
}

// simple serves the index page, or project's page.
func (m *mirror) simple(w http.ResponseWriter, r *http.Request, project string) {
	m.mu.Lock()
	idx := m.index
	m.mu.Unlock()
	if idx == nil {
		m.notFound(w, r, MirrorHost)
		return
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\"></head><body>\n")
	if project == "" {
		for _, p := range slices.Sorted(maps.Keys(idx.files)) {
			fmt.Fprintf(&b, "<a href=\"/pypi/simple/%s/\">%s</a>\n", p, html.EscapeString(p))
		}
	} else {
		files, ok := idx.files[normalize(project)]
		if !ok {
			m.notFound(w, r, MirrorHost)
			return
		}
		for _, f := range files {
			fmt.Fprintf(&b, "<a href=\"/pypi/packages/%s#sha256=%s\">%s</a>\n", f.name, f.sha256, html.EscapeString(f.name))
		}
	}
	b.WriteString("</body></html>\n")
	m.served.Add(1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=600, public")
	io.WriteString(w, b.String())
}
