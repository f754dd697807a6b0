package shell

import (
	"bytes"
	"errors"
	"io"
	"runtime"

	"mvdan.cc/sh/v3/syntax"
)

// ErrTooDeep means the source nests deeper than the parser's stack may.
var ErrTooDeep = errors.New("shell nests too deep to parse")

const (
	maxFrames = 8 << 10 // stack frames deep: a few hundred nesting levels
	readChunk = 128     // bytes given to the parser at a time
)

// Parse parses src with p. The parser recurses once per nesting level, at
// about 4 KB of stack a level, so 100 KB of "(" would exhaust Go's 1 GB
// stack: a fatal error no recover catches. Parse feeds the parser a little
// at a time and fails with [ErrTooDeep] once the stack is deep: between two
// reads the parser consumes at most readChunk bytes, so it nests at most
// that many levels past the limit.
func Parse(p *syntax.Parser, src []byte, name string) (*syntax.File, error) {
	f, err := p.Parse(&reader{r: bytes.NewReader(src), pcs: make([]uintptr, maxFrames)}, name)
	if errors.Is(err, ErrTooDeep) {
		return nil, ErrTooDeep // the parser's wrapping names no position worth keeping
	}
	return f, err
}

type reader struct {
	r   *bytes.Reader
	pcs []uintptr
}

// Read implements io.Reader.
func (s *reader) Read(p []byte) (int, error) {
	if runtime.Callers(0, s.pcs) == len(s.pcs) {
		return 0, ErrTooDeep
	}
	return s.r.Read(p[:min(len(p), readChunk)])
}

var _ io.Reader = (*reader)(nil)
