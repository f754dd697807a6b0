package dockerfile

import (
	"bytes"
	"regexp"
	"sort"
	"unicode"
)

// span maps n bytes of a derived text, from offset at, to the original
// source from offset src.
type span struct{ at, src, n int }

// spanMap maps offsets in a text derived from the source (the joined
// instruction line, a RUN's script) back to the source.
type spanMap []span

// src returns the source offset of offset off in the derived text.
func (m spanMap) src(off int) int {
	if len(m) == 0 {
		return -1
	}
	i := sort.Search(len(m), func(i int) bool { return m[i].at > off }) - 1
	if i < 0 {
		return m[0].src
	}
	s := m[i]
	return s.src + min(off-s.at, s.n)
}

// slice returns the map of text[from:], re-based at 0.
func (m spanMap) slice(from int) spanMap {
	var out spanMap
	for _, s := range m {
		end := s.at + s.n
		if end <= from && !(s.n == 0 && s.at == from) {
			continue
		}
		d := max(from-s.at, 0)
		out = append(out, span{at: s.at + d - from, src: s.src + d, n: s.n - d})
	}
	return out
}

// joined is an instruction's text as BuildKit joins it.
type joined struct {
	text    string
	m       spanMap
	endLine int // the last line of the instruction proper, before any heredoc body
	// dropped lists the continuation lines BuildKit skipped: comments and
	// blank lines inside the instruction.
	dropped []int
}

func continuation(escape rune) *regexp.Regexp {
	e := regexp.QuoteMeta(string(escape))
	return regexp.MustCompile(`([^` + e + `])` + e + `[ \t]*$|^` + e + `[ \t]*$`)
}

var (
	contBackslash = continuation('\\')
	contBacktick  = continuation('`')
)

// join reproduces BuildKit's reading of the instruction that starts on
// line, keeping where each byte came from: the first line loses its
// leading space, continuation characters and the space after them go, and
// comment and blank continuation lines are skipped.
func (f *File) join(line int) joined {
	re := contBackslash
	if f.Escape == '`' {
		re = contBacktick
	}
	var j joined
	var buf bytes.Buffer
	for n := line; n <= len(f.lineStarts); n++ {
		start := f.Offset(n)
		raw := bytes.TrimRight(f.Source[start:f.Offset(n+1)], "\r\n")
		if n == 1 && bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
			raw, start = raw[3:], start+3
		}
		if n == line {
			lead := len(raw) - len(bytes.TrimLeftFunc(raw, unicode.IsSpace))
			raw, start = raw[lead:], start+lead
		} else if isComment(raw) || len(bytes.TrimLeftFunc(raw, unicode.IsSpace)) == 0 {
			j.dropped = append(j.dropped, n)
			continue
		}
		kept := raw
		more := false
		if loc := re.FindSubmatchIndex(raw); loc != nil {
			more = true
			kept = raw[:0]
			if loc[2] >= 0 { // the first alternative keeps the byte before the escape
				kept = raw[:loc[3]]
			}
		}
		j.m = append(j.m, span{at: buf.Len(), src: start, n: len(kept)})
		buf.Write(kept)
		j.endLine = n
		if !more {
			break
		}
	}
	j.text = buf.String()
	return j
}

func isComment(line []byte) bool {
	line = bytes.TrimLeftFunc(line, unicode.IsSpace)
	return len(line) > 0 && line[0] == '#'
}
