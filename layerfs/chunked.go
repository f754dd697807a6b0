package layerfs

// chunkLen is the number of elements in each chunk of a [chunked] list.
const chunkLen = 1 << 13

// chunked is an append-only list in fixed-size chunks. A plain slice
// grown to a million nodes copies and page-faults its whole array several
// times over; chunks are allocated once and never move, so pointers into
// them stay valid while the list grows.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

func (c *chunked[T]) len() int { return c.n }

func (c *chunked[T]) at(i int) *T { return &c.chunks[i/chunkLen][i%chunkLen] }

func (c *chunked[T]) add(v T) int {
	if c.n == len(c.chunks)*chunkLen {
		c.chunks = append(c.chunks, make([]T, chunkLen))
	}
	i := c.n
	*c.at(i) = v
	c.n++
	return i
}
