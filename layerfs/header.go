package layerfs

import (
	"archive/tar"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The fast scanner must read every header as archive/tar's Reader reads
// it, since that is the reader of docker load: a header two readers read
// apart lets a layer show diet one file and install another. What follows
// ports the reader's rules (Go 1.26, archive/tar/reader.go), field by field.

// blockFields is what the scanner uses of one header block. The strings
// alias the block unless a prefix was joined to the name.
type blockFields struct {
	name, link string
	size, mode int64
	uid, gid   int64
}

var zeroBlock [512]byte

// parseBlock reads a header block as archive/tar's readHeader does, and
// says what it refuses, if anything.
func parseBlock(b *[512]byte) (blockFields, string) {
	var f blockFields
	sum, err := parseOctal(b[148:156])
	if err != nil || !checksumOK(b, sum) {
		return f, "bad header checksum"
	}
	var prefix string
	f.name, f.link = view(b[0:100]), view(b[157:257])
	f.size, err = parseNumeric(b[124:136])
	var mode, uid, gid error
	f.mode, mode = parseNumeric(b[100:108])
	f.uid, uid = parseNumeric(b[108:116])
	f.gid, gid = parseNumeric(b[116:124])
	err = numbers(cmp.Or(err, mode, uid, gid), b[136:148]) // mtime
	magic, version := string(b[257:263]), string(b[263:265])
	switch {
	case magic == "ustar\x00" && string(b[508:512]) == "tar\x00": // star: a shorter prefix, then times
		prefix = view(b[345:476])
		err = numbers(err, b[329:337], b[337:345], b[476:488], b[488:500])
	case magic == "ustar\x00": // POSIX ustar, and PAX
		prefix = view(b[345:500])
		err = numbers(err, b[329:337], b[337:345])
	case magic == "ustar " && version == " \x00": // GNU: times where ustar has its prefix
		err = numbers(err, b[329:337], b[337:345])
		// Before Go 1.8 archive/tar wrote a ustar prefix under GNU magic; its
		// reader still takes those bytes for a prefix when they do not read
		// as times and are ASCII.
		var times error
		if b[345] != 0 {
			_, times = parseNumeric(b[345:357])
		}
		if b[357] != 0 && times == nil {
			_, times = parseNumeric(b[357:369])
		}
		if times != nil {
			if p := view(b[345:500]); isASCII(p) {
				prefix = p
			}
		}
	}
	if err != nil {
		return f, "bad numeric field"
	}
	if prefix != "" {
		f.name = prefix + "/" + f.name
	}
	return f, ""
}

// numbers adds to err the failure to parse any of the fields.
func numbers(err error, fields ...[]byte) error {
	for _, b := range fields {
		if _, e := parseNumeric(b); e != nil && err == nil {
			err = e
		}
	}
	return err
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isHeaderOnly is archive/tar's list of types whose data is ignored
// whatever the size field says.
func isHeaderOnly(typ byte) bool {
	switch typ {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		return true
	}
	return false
}

// checksumOK accepts the unsigned sum POSIX specifies and, failing that,
// the signed sum some old tars wrote.
func checksumOK(blk *[512]byte, want int64) bool {
	// Sum eight bytes at a time: the per-byte loop was a tenth of the walk.
	var unsigned uint64
	for i := 0; i < 512; i += 8 {
		x := binary.LittleEndian.Uint64(blk[i:])
		x = x&0x00ff00ff00ff00ff + x>>8&0x00ff00ff00ff00ff
		x = x&0x0000ffff0000ffff + x>>16&0x0000ffff0000ffff
		unsigned += x&0xffffffff + x>>32
	}
	chk := binary.LittleEndian.Uint64(blk[148:])
	chk = chk&0x00ff00ff00ff00ff + chk>>8&0x00ff00ff00ff00ff
	chk = chk&0x0000ffff0000ffff + chk>>16&0x0000ffff0000ffff
	unsigned = unsigned - (chk&0xffffffff + chk>>32) + 8*' '
	if want == int64(unsigned) {
		return true
	}
	var signed int64
	for i, c := range blk {
		if i >= 148 && i < 156 {
			c = ' '
		}
		signed += int64(int8(c))
	}
	return want == signed
}

var errNumeric = errors.New("bad numeric field")

// parseNumeric reads a numeric field as archive/tar does: GNU's base-256
// form (two's complement, so possibly negative) when the high bit is set,
// octal otherwise.
func parseNumeric(b []byte) (int64, error) {
	if len(b) > 0 && b[0]&0x80 != 0 {
		var inv byte // 0xff for a negative number: work on its complement
		if b[0]&0x40 != 0 {
			inv = 0xff
		}
		var x uint64
		for i, c := range b {
			c ^= inv
			if i == 0 {
				c &= 0x7f // the sign bit
			}
			if x>>56 > 0 {
				return 0, errNumeric
			}
			x = x<<8 | uint64(c)
		}
		if x>>63 > 0 {
			return 0, errNumeric
		}
		if inv == 0xff {
			return ^int64(x), nil
		}
		return int64(x), nil
	}
	return parseOctal(b)
}

// parseOctal reads octal digits as archive/tar does: spaces and NULs are
// trimmed from both ends, what follows a NUL inside is ignored, and an empty
// field is zero.
func parseOctal(b []byte) (int64, error) {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == 0) {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == 0) {
		j--
	}
	var x uint64
	for _, c := range b[i:j] {
		if c == 0 {
			break
		}
		if c < '0' || c > '7' || x>>61 != 0 {
			return 0, errNumeric
		}
		x = x<<3 | uint64(c-'0')
	}
	return int64(x), nil
}

// parsePAX reads "%d %s=%s\n" records as archive/tar's parsePAX does. GNU
// sparse files are left to archive/tar itself.
func parsePAX(b []byte) (map[string]string, error) {
	m := map[string]string{}
	for len(b) > 0 {
		nStr, rest, ok := bytes.Cut(b, []byte(" "))
		if !ok {
			return nil, errors.New("PAX record without a length")
		}
		n, err := strconv.ParseInt(string(nStr), 10, 0)
		if err != nil || n < 5 || n > int64(len(b)) {
			return nil, errors.New("bad PAX record length")
		}
		n -= int64(len(nStr) + 1)
		if n <= 0 || rest[n-1] != '\n' {
			return nil, errors.New("bad PAX record length")
		}
		k, v, ok := bytes.Cut(rest[:n-1], []byte("="))
		if !ok || len(k) == 0 {
			return nil, errors.New("PAX record without a key")
		}
		// archive/tar refuses a NUL in a key and, for the four records that
		// replace ustar strings, in a value.
		switch string(k) {
		case "path", "linkpath", "uname", "gname":
			if bytes.IndexByte(v, 0) >= 0 {
				return nil, fmt.Errorf("NUL in PAX %s", k)
			}
		default:
			if bytes.IndexByte(k, 0) >= 0 {
				return nil, errors.New("NUL in a PAX key")
			}
		}
		if bytes.HasPrefix(k, []byte("GNU.sparse.")) {
			return nil, errFallback
		}
		m[string(k)] = string(v)
		b = rest[n:]
	}
	return m, nil
}

// mergePAX applies PAX records to h as archive/tar's mergePAX does: empty
// values keep the ustar field, and records archive/tar parses must parse.
func mergePAX(h *tar.Header, recs map[string]string) error {
	for k, v := range recs {
		if v == "" {
			continue
		}
		var err error
		switch k {
		case "path":
			h.Name = v
		case "linkpath":
			h.Linkname = v
		case "size":
			h.Size, err = strconv.ParseInt(v, 10, 64)
		case "uid":
			var n int64
			n, err = strconv.ParseInt(v, 10, 64)
			h.Uid = int(n)
		case "gid":
			var n int64
			n, err = strconv.ParseInt(v, 10, 64)
			h.Gid = int(n)
		case "atime", "mtime", "ctime":
			err = checkPAXTime(v)
		}
		if err != nil {
			return fmt.Errorf("bad PAX %s", k)
		}
	}
	return nil
}

// checkPAXTime accepts what archive/tar's parsePAXTime accepts: decimal
// seconds, then optionally a dot and decimal digits.
func checkPAXTime(s string) error {
	secs, frac, _ := strings.Cut(s, ".")
	if _, err := strconv.ParseInt(secs, 10, 64); err != nil {
		return err
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return errNumeric
		}
	}
	return nil
}

// badHeader is a header archive/tar refuses, at byte off of the layer.
func badHeader(what string, off int64) error {
	return fmt.Errorf("%w: %s at byte %d", tar.ErrHeader, what, off)
}
