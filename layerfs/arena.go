package layerfs

import "unsafe"

// chunkSize bounds each arena chunk, so growing the arena never copies it.
const chunkSize = 1 << 20

// span locates a string in an arena: chunk index and offset packed in off.
type span struct{ off, n uint32 }

// arena stores strings in large pointer-free chunks. Strings returned by
// str alias the chunk: they stay valid as long as the arena lives.
type arena struct{ chunks [][]byte }

func (a *arena) add(s string) span {
	if s == "" {
		return span{}
	}
	last := len(a.chunks) - 1
	if last < 0 || len(a.chunks[last])+len(s) > cap(a.chunks[last]) {
		// Chunks start small (a layer may hold one file) and double up
		// to chunkSize; a chunk's offsets must fit in 20 bits.
		size := 4 << 10
		if last >= 0 {
			size = min(chunkSize, 2*cap(a.chunks[last]))
		}
		a.chunks = append(a.chunks, make([]byte, 0, max(size, len(s))))
		last++
	}
	c := a.chunks[last]
	off := uint32(last)<<20 | uint32(len(c))
	a.chunks[last] = append(c, s...)
	return span{off: off, n: uint32(len(s))}
}

func (a *arena) str(sp span) string {
	if sp.n == 0 {
		return ""
	}
	c := a.chunks[sp.off>>20]
	i := sp.off & (chunkSize - 1)
	return unsafe.String(&c[i], int(sp.n))
}

// size is the number of bytes the arena holds.
func (a *arena) size() int { return len(a.chunks) * chunkSize }
