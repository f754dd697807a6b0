package layerfs

import (
	"bufio"
	"crypto/sha256"
	"io"
)

// A compressed layer is read in three stages, each on its own goroutine:
// reading and hashing the blob, decompressing it, and walking the tar (on
// the caller's). The largest layer of an image decides the wall time, and
// this way hashing and walking it use the cores the other layers leave
// idle: decompression alone stays on its critical path.

// stage is a goroutine feeding a pipe; wait returns its result once done.
type stage struct {
	r    *io.PipeReader
	done chan struct{}
	n    int64
	sum  []byte
	err  error
}

// Read implements io.Reader.
func (s *stage) Read(p []byte) (int, error) { return s.r.Read(p) }

// Close stops the stage and waits for its goroutine to end.
func (s *stage) Close() error {
	s.r.Close()
	<-s.done
	return nil
}

// wait returns the bytes the stage passed on, their sha256 if it hashed,
// and its error.
func (s *stage) wait() (int64, []byte, error) {
	<-s.done
	return s.n, s.sum, s.err
}

// hashing copies r into the pipe, hashing what passes.
func hashing(r io.Reader) *stage {
	pr, pw := io.Pipe()
	s := &stage{r: pr, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		h := sha256.New()
		s.n, s.err = io.Copy(io.MultiWriter(pw, h), r)
		s.sum = h.Sum(nil)
		pw.CloseWithError(s.err)
	}()
	return s
}

// decompressing decompresses r into the pipe.
func decompressing(r io.Reader) *stage {
	pr, pw := io.Pipe()
	s := &stage{r: pr, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		dec, err := decompress(r)
		if err == nil {
			s.n, err = io.Copy(pw, dec) // the decompressor's WriteTo: no extra copy
			dec.Close()
		}
		s.err = err
		pw.CloseWithError(err)
	}()
	return s
}

// buffered reads a stage in large pieces: the tar walk reads 512-byte
// headers, and each pipe read is a hand-off between goroutines.
func buffered(s *stage) io.Reader { return bufio.NewReaderSize(s, 256<<10) }
