package analyze

import "strings"

// Instruction shortens a history line the way docker history users read it:
// "/bin/sh -c #(nop) " (classic builder instructions) and the
// "|N ARG=V… /bin/sh -c" of a RUN with build arguments go, a plain
// "/bin/sh -c X" reads as "RUN X", BuildKit's " # buildkit" suffix goes,
// and runs of white space (multi-line RUNs) become one space.
func Instruction(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimSuffix(s, " # buildkit")
	if rest, ok := strings.CutPrefix(s, "RUN |"); ok {
		s = "|" + rest // BuildKit's RUN with build arguments
	}
	if rest, ok := strings.CutPrefix(s, "|"); ok {
		// |N then N build arguments then the command.
		f := strings.SplitN(rest, " ", 2)
		n := 0
		for _, c := range f[0] {
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		if n >= 0 && len(f) == 2 {
			args := strings.SplitN(f[1], " ", n+1)
			if len(args) == n+1 {
				s = args[n]
			}
		}
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c #(nop) "); ok {
		return strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "RUN /bin/sh -c "); ok {
		return "RUN " + rest
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c "); ok {
		return "RUN " + rest
	}
	return s
}
