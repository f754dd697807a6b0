package verify

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseProbeFile reads a list of probes, one a line, each as [ParseProbe]
// spells it: an HTTP probe or "exec CMD". Blank lines and lines whose
// first non-blank character is # are skipped. name names the list in
// errors, which are [*ProbeFileError].
//
//	# the routes that matter
//	http://:8080/
//	POST http://:8080/items {"a":1}
//	exec /app/cli status
func ParseProbeFile(name string, r io.Reader) ([]Probe, error) {
	var probes []Probe
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxProbeLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := ParseProbe(line)
		if err != nil {
			return nil, &ProbeFileError{Name: name, Line: n, Err: err}
		}
		probes = append(probes, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %d bytes", maxProbeLine)
		}
		return nil, &ProbeFileError{Name: name, Line: n + 1, Err: err}
	}
	return probes, nil
}

// maxProbeLine bounds a line of a probe file.
const maxProbeLine = 1 << 20

// ProbeFileError is a line of a probe file that is not a probe.
type ProbeFileError struct {
	Name string // the file, as the caller named it
	Line int    // from 1
	Err  error
}

func (e *ProbeFileError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err) }
func (e *ProbeFileError) Unwrap() error { return e.Err }
