package verify

import (
	"bytes"
	"fmt"
	"strings"
)

// Compare says whether the slimmed image ran as the original did: the same
// exit code and the same stdout. When not, reason says how, in one line,
// and names the first file the slimmed run could not find that the original
// could (or, when the original was not traced, the first file it could not
// find). A difference in stderr alone keeps same true and is reported in
// reason.
func Compare(original, slimmed *Result) (same bool, reason string) {
	if original == nil || slimmed == nil {
		return false, "no result to compare"
	}
	var why []string
	if original.ExitCode != slimmed.ExitCode || original.TimedOut != slimmed.TimedOut {
		why = append(why, fmt.Sprintf("exit code %s, original %s", status(slimmed), status(original)))
	}
	if d := differ(original.Stdout, slimmed.Stdout); d != "" {
		why = append(why, "stdout "+d)
	}
	same = len(why) == 0
	if d := differ(original.Stderr, slimmed.Stderr); d != "" {
		why = append(why, "stderr "+d)
	}
	if !same {
		if m := firstMissing(original, slimmed); m != "" { // the likely cause goes first
			why = append([]string{"first missing file " + m}, why...)
		}
	}
	return same, strings.Join(why, "; ")
}

func status(r *Result) string {
	if r.TimedOut {
		return fmt.Sprintf("%d (timed out)", r.ExitCode)
	}
	return fmt.Sprint(r.ExitCode)
}

// differ says where b first differs from a, or "" when they are equal.
func differ(a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	line := 1
	for i := 0; i < len(a) && i < len(b) && a[i] == b[i]; i++ {
		if a[i] == '\n' {
			line++
		}
	}
	return fmt.Sprintf("differs from line %d: %q, original %q", line, lineAt(b, line), lineAt(a, line))
}

// lineAt is line n of b (from 1), cut to 60 bytes.
func lineAt(b []byte, n int) string {
	for range n - 1 {
		_, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok {
			return ""
		}
		b = rest
	}
	l, _, _ := bytes.Cut(b, []byte("\n"))
	if len(l) > 60 {
		return string(l[:60]) + "…"
	}
	return string(l)
}

// firstMissing is the first path the slimmed run missed and the original
// did not.
func firstMissing(original, slimmed *Result) string {
	before := make(map[string]bool, len(original.Missing))
	for _, p := range original.Missing {
		before[p] = true
	}
	for _, p := range slimmed.Missing {
		if !before[p] {
			return p
		}
	}
	return ""
}
