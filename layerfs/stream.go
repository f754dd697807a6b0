package layerfs

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
)

// A compressed layer is read in three stages, each on its own goroutine:
// reading and hashing the blob, decompressing it, and walking the tar (on
// the caller's). Decompression, the stage no one can skip, then has a core
// to itself whenever one is free, and the walk skips file bodies without
// copying them.

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

// wait returns the bytes the stage passed on, their sha256, and its error.
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

const (
	chunkBytes = 256 << 10
	chunks     = 4 // in flight between the stages, recycled
)

// chunkStream carries decompressed bytes from the decompressing goroutine
// to the walk in large chunks. It is an io.Seeker, forward only, so
// archive/tar skips file bodies by moving an offset instead of copying
// them out.
type chunkStream struct {
	full  chan []byte
	free  chan []byte
	stop  chan struct{}
	done  chan struct{}
	cur   []byte // what is left to read of chunk
	chunk []byte
	pos   int64
	n     int64 // bytes produced
	sum   []byte
	err   error // the producer's, readable once done is closed
}

var errStopped = errors.New("walk stopped")

// decompressing decompresses r on its own goroutine; with h it also hashes
// the uncompressed bytes there.
func decompressing(r io.Reader, h hash.Hash) *chunkStream {
	c := &chunkStream{full: make(chan []byte, chunks), free: make(chan []byte, chunks),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range chunks {
		c.free <- make([]byte, 0, chunkBytes)
	}
	go func() {
		defer close(c.done)
		defer close(c.full)
		dec, err := decompress(r)
		if err != nil {
			c.err = err
			return
		}
		defer dec.Close()
		w := &chunkWriter{c: c, h: h}
		_, err = io.Copy(w, dec) // the decompressor's WriteTo: no copy of its own
		if err == nil {
			err = w.flush()
		}
		c.err = err
		if h != nil {
			c.sum = h.Sum(nil)
		}
	}()
	return c
}

type chunkWriter struct {
	c   *chunkStream
	buf []byte
	h   hash.Hash
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.h != nil {
		w.h.Write(p)
	}
	for len(p) > 0 {
		if w.buf == nil {
			select {
			case w.buf = <-w.c.free:
			case <-w.c.stop:
				return 0, errStopped
			}
		}
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf, p = w.buf[:len(w.buf)+k], p[k:]
		w.c.n += int64(k)
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	select {
	case w.c.full <- w.buf:
		w.buf = nil
		return nil
	case <-w.c.stop:
		return errStopped
	}
}

// next makes cur the next chunk, recycling the spent one.
func (c *chunkStream) next() error {
	if c.chunk != nil {
		c.free <- c.chunk[:0]
		c.chunk, c.cur = nil, nil
	}
	b, ok := <-c.full
	if !ok {
		<-c.done
		if c.err != nil {
			return c.err
		}
		return io.EOF
	}
	c.chunk, c.cur = b, b
	return nil
}

// Read implements io.Reader.
func (c *chunkStream) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	c.pos += int64(n)
	return n, nil
}

// Seek implements io.Seeker, forward from the current offset only.
func (c *chunkStream) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || off < 0 {
		return c.pos, fmt.Errorf("stream seeks forward only")
	}
	for off > 0 {
		if len(c.cur) == 0 {
			if err := c.next(); err != nil {
				if err == io.EOF {
					// The layer decompressed whole and cleanly: not a
					// truncated transfer, but an entry declaring more
					// bytes than the layer holds.
					err = fmt.Errorf("%w (%w): %d bytes past the layer's end at %d", ErrTooLarge, io.ErrUnexpectedEOF, off, c.pos)
				}
				return c.pos, err
			}
		}
		k := min(off, int64(len(c.cur)))
		c.cur, c.pos, off = c.cur[k:], c.pos+k, off-k
	}
	return c.pos, nil
}

// Close stops the producer and waits for it.
func (c *chunkStream) Close() error {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	for range c.full { // let a blocked producer finish
	}
	<-c.done
	return nil
}

// wait drains the stream and returns what the producer made of it.
func (c *chunkStream) wait() (int64, []byte, error) {
	for {
		if err := c.next(); err == io.EOF {
			return c.n, c.sum, nil
		} else if err != nil {
			return c.n, c.sum, err
		}
		c.pos += int64(len(c.cur))
		c.cur = c.cur[len(c.cur):]
	}
}
