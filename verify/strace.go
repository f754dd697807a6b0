// This file reads one line of `strace -x -y` output. The line is written
// by strace, but what it quotes (paths, fd paths, arguments) comes from the
// traced code, which may be hostile: parsing is strict (a line that is not
// exactly the shape strace gives is skipped) and bounded by the line.

package verify

import (
	"strings"
)

// call is one system call as strace prints it:
//
//	openat(AT_FDCWD</srv>, "conf/app.yaml", O_RDONLY) = 3</srv/conf/app.yaml>
type call struct {
	name string
	args []arg
	ret  string // "3", "0", "-1", "?"
	fd   string // the path of a descriptor returned, unquoted; "" if none
	err  string // "ENOENT" when ret is -1
}

// arg is an argument of a call: a quoted string, or a descriptor with the
// path -y prints after it ("3</usr/lib>", "AT_FDCWD</srv>"), or anything
// else, kept as it is.
type arg struct {
	raw    string // the argument as printed (a string's value is in str)
	str    string // the unquoted value of a string argument
	quoted bool   // the argument is a string, complete (not cut with "...")
	fdPath string // the unquoted path after a descriptor, "" if none
}

// ok reports whether the call succeeded.
func (c *call) ok() bool { return c.ret != "" && c.ret[0] >= '0' && c.ret[0] <= '9' }

// parseCall parses "name(args) = ret ..." and reports whether s has that
// shape.
func parseCall(s string) (call, bool) {
	var c call
	open := strings.IndexByte(s, '(')
	if open <= 0 || !isName(s[:open]) {
		return c, false
	}
	c.name = s[:open]
	i := open + 1
	depth := 0
	start := i
	for {
		if i >= len(s) {
			return c, false // no closing parenthesis: cut, or not a call
		}
		switch s[i] {
		case '"':
			end, ok := skipQuoted(s, i)
			if !ok {
				return c, false
			}
			i = end
			continue
		case '<':
			if depth == 0 && isDescriptor(strings.TrimSpace(s[start:i])) {
				end, ok := skipDecoration(s, i)
				if !ok {
					return c, false
				}
				i = end
				continue
			}
		case '(', '[', '{':
			depth++
		case ']', '}':
			depth--
		case ')':
			if depth > 0 {
				depth--
				break
			}
			if a, ok := parseArg(s[start:i]); ok {
				c.args = append(c.args, a)
			} else if strings.TrimSpace(s[start:i]) != "" || len(c.args) > 0 {
				return c, false
			}
			return c, c.parseReturn(s[i+1:])
		case ',':
			if depth == 0 {
				a, ok := parseArg(s[start:i])
				if !ok {
					return c, false
				}
				c.args = append(c.args, a)
				start = i + 1
			}
		}
		if depth < 0 {
			return c, false
		}
		i++
	}
}

// parseReturn parses what follows the arguments: " = 3</path>",
// " = -1 ENOENT (No such file or directory)", " = 0", " = ?".
func (c *call) parseReturn(s string) bool {
	s, ok := strings.CutPrefix(strings.TrimLeft(s, " "), "= ")
	if !ok {
		return false
	}
	end := strings.IndexAny(s, " <")
	if end < 0 {
		end = len(s)
	}
	c.ret = s[:end]
	if !isNumber(strings.TrimPrefix(c.ret, "-")) && c.ret != "?" {
		return false
	}
	rest := s[end:]
	if strings.HasPrefix(rest, "<") {
		e, ok := skipDecoration(rest, 0)
		if !ok {
			return false
		}
		if c.fd, ok = unescape(rest[1 : e-1]); !ok {
			return false
		}
		rest = rest[e:]
	}
	if c.ret == "-1" {
		c.err, _, _ = strings.Cut(strings.TrimPrefix(rest, " "), " ")
	}
	return true
}

// parseArg parses one argument, trimmed of spaces.
func parseArg(s string) (arg, bool) {
	s = strings.TrimSpace(s)
	a := arg{raw: s}
	if s == "" {
		return a, false
	}
	if s[0] == '"' {
		end, ok := skipQuoted(s, 0)
		if !ok {
			return a, false
		}
		rest := s[end:]
		if rest != "" && rest != "..." {
			return a, false
		}
		v, ok := unescape(s[1 : end-1])
		if !ok {
			return a, false
		}
		a.str, a.quoted = v, rest == "" // a string cut with "..." is no path
		return a, true
	}
	if lt := strings.IndexByte(s, '<'); lt > 0 && isDescriptor(s[:lt]) {
		end, ok := skipDecoration(s, lt)
		if !ok || end != len(s) {
			return a, false
		}
		v, ok := unescape(s[lt+1 : end-1])
		if !ok {
			return a, false
		}
		a.raw, a.fdPath = s[:lt], v
	}
	return a, true
}

// skipQuoted returns the index just past the string quoted at s[i].
func skipQuoted(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// skipDecoration returns the index just past the "<path>" at s[i]: strace
// escapes '<' and '>' inside it, so the first '>' not escaped ends it.
func skipDecoration(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '>':
			return j + 1, true
		case '<':
			return 0, false
		}
	}
	return 0, false
}

// unescape undoes strace's quoting of a string: \\, \", \n, \t, \r, \v,
// \f, \xHH and octal \N, \NN, \NNN. Anything else is refused.
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		if strings.IndexByte(s, '"') >= 0 {
			return "", false
		}
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return "", false
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", false
		}
		switch e := s[i]; e {
		case '\\', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'x':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false
			}
			b.WriteByte(hexVal(s[i+1])<<4 | hexVal(s[i+2]))
			i += 2
		default:
			if e < '0' || e > '7' {
				return "", false
			}
			v, n := 0, 0
			for n < 3 && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '7' {
				v = v*8 + int(s[i+n]-'0')
				n++
			}
			if v > 0xff {
				return "", false
			}
			b.WriteByte(byte(v))
			i += n - 1
		}
	}
	return b.String(), true
}

// isName reports whether s is a system call's name.
func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return s != ""
}

// isDescriptor reports whether s is a descriptor as strace prints one.
func isDescriptor(s string) bool { return s == "AT_FDCWD" || isNumber(s) }

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
