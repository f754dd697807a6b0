package verify

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Compare says whether the slimmed image ran as the original did: the same
// exit code and the same stdout. When not, reason says how, in one line,
// and names the first file the slimmed run could not find that the original
// could (or, when the original was not traced, the first file it could not
// find). A difference in stderr alone keeps same true and is reported in
// reason.
//
// A server is judged by what it serves. When the runs had probes or
// readiness ports ([WithProbes], [WithPorts]) and either was ready, they are
// the same when both were ready, every probe got the same answer (status
// code, chosen headers and body, masked, or the same error) and both were
// still running at the end (or both exited with the same code); logs and
// the exit codes of stopped servers are not compared. The reason names the
// first probe that differs and how: "GET :8080/data: status 200 → 500",
// the original's first. When neither was ready, the rules below apply.
//
// Two runs that were both still going at the end without probes are
// servers judged by their logs alone, which carry clocks, process IDs and
// ports: they are the same when every line the slimmed one wrote, digits
// masked, on stdout or stderr, is a line the original wrote too. A server
// that logs nothing passes that test whatever it serves: give it probes.
func Compare(original, slimmed *Result) (same bool, reason string) {
	if original == nil || slimmed == nil {
		return false, "no result to compare"
	}
	probed := len(original.Ports) > 0 || len(slimmed.Ports) > 0
	if probed && (original.Ready || slimmed.Ready) {
		return compareServed(original, slimmed)
	}
	same, reason = comparePlain(original, slimmed)
	if probed {
		reason = strings.TrimSuffix("neither run was ready (original: "+original.NotReady+"); "+reason, "; ")
	}
	return same, reason
}

// comparePlain compares two runs by their exit codes and output.
func comparePlain(original, slimmed *Result) (same bool, reason string) {
	if stopped(original) && stopped(slimmed) {
		return compareServers(original, slimmed)
	}
	var why []string
	if original.ExitCode != slimmed.ExitCode || stopped(original) != stopped(slimmed) {
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
		if m := FirstMissing(original, slimmed); m != "" { // the likely cause goes first
			why = append([]string{"first missing file " + m}, why...)
		}
	}
	return same, strings.Join(why, "; ")
}

// stopped says r's command was killed rather than exiting by itself.
func stopped(r *Result) bool { return r.TimedOut || r.Stopped }

func status(r *Result) string {
	switch {
	case r.TimedOut:
		return fmt.Sprintf("%d (timed out)", r.ExitCode)
	case r.Stopped:
		return fmt.Sprintf("%d (stopped)", r.ExitCode)
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
	return cut(l)
}

// FirstMissing is the first path the slimmed run looked for and did not
// find, and the original found: the likely cause of a difference, and the
// path to keep. It is "" when the runs were not traced or missed the same.
// A missing cache file is never the cause: Python compiles the source in
// its place (__pycache__), and the loader reads the libraries' directories
// without ld.so.cache.
func FirstMissing(original, slimmed *Result) string {
	before := make(map[string]bool, len(original.Missing))
	for _, p := range original.Missing {
		before[p] = true
	}
	for _, p := range slimmed.Missing {
		if !before[p] && !rebuilt(p) {
			return p
		}
	}
	return ""
}

// rebuilt reports whether p is a cache a program does without.
func rebuilt(p string) bool {
	return strings.Contains(p, "/__pycache__/") || p == "/etc/ld.so.cache"
}

// compareServers compares two runs killed at the end by their log lines.
func compareServers(original, slimmed *Result) (same bool, reason string) {
	still := "both still running at the timeout"
	if !original.TimedOut || !slimmed.TimedOut {
		still = "both still running at the end"
	}
	seen := map[string]bool{}
	for _, b := range [][]byte{original.Stdout, original.Stderr} {
		for line := range bytes.Lines(b) {
			seen[masked(line)] = true
		}
	}
	for _, b := range [][]byte{slimmed.Stdout, slimmed.Stderr} {
		for line := range bytes.Lines(b) {
			if !seen[masked(line)] {
				why := fmt.Sprintf("%s, but the slimmed run wrote %q, which the original did not",
					still, cut(bytes.TrimSpace(line)))
				if m := FirstMissing(original, slimmed); m != "" {
					why = "first missing file " + m + "; " + why
				}
				return false, why
			}
		}
	}
	return true, still + " (a server): log lines compared with digits masked"
}

var digits = regexp.MustCompile(`[0-9]+`)

// masked is a log line without what changes from run to run.
func masked(line []byte) string {
	return string(digits.ReplaceAll(bytes.TrimSpace(line), []byte("#")))
}

// cut shortens b to 60 bytes for a message.
func cut(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}
