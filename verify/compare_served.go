package verify

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// compareServed compares two runs of a server of which one at least was
// ready: readiness, then each probe's answer, then how the runs ended.
func compareServed(original, slimmed *Result) (same bool, reason string) {
	var why string
	switch {
	case !slimmed.Ready:
		why = "not ready: " + slimmed.NotReady
	case !original.Ready:
		why = "ready, but the original was not: " + original.NotReady
	default:
		why = probesDiffer(original.Probes, slimmed.Probes)
	}
	if why == "" {
		why = endsDiffer(original, slimmed)
	}
	if why != "" {
		if m := FirstMissing(original, slimmed); m != "" { // the likely cause goes first
			why = "first missing file " + m + "; " + why
		}
		return false, why
	}
	reason = "ready on " + portList(slimmed.Ports)
	if n := len(slimmed.Probes); n > 0 {
		reason += "; " + count(n, "probe") + " answered the same"
	}
	return true, reason
}

// probesDiffer names the first probe whose answers differ and how, or
// returns "".
func probesDiffer(original, slimmed []ProbeResult) string {
	if len(original) != len(slimmed) {
		return fmt.Sprintf("%s, original %d", count(len(slimmed), "probe"), len(original))
	}
	first, n := "", 0
	for i := range original {
		if d := answerDiffers(original[i], slimmed[i]); d != "" {
			if n == 0 {
				first = slimmed[i].Probe.String() + ": " + d
			}
			n++
		}
	}
	switch {
	case n == 2:
		first += " (1 more probe differs)"
	case n > 2:
		first += fmt.Sprintf(" (%d more probes differ)", n-1)
	}
	return first
}

// answerDiffers says how b's answer differs from a's: status or error,
// then, when both answered, the chosen headers and the body.
func answerDiffers(a, b ProbeResult) string {
	if a.Probe.IsExec() {
		return execDiffers(a, b)
	}
	var why []string
	if a.Status != b.Status || a.Error != b.Error {
		if a.Status != 0 && b.Status != 0 && a.Error == b.Error {
			why = append(why, fmt.Sprintf("status %d → %d", a.Status, b.Status))
		} else {
			why = append(why, answer(a)+" → "+answer(b))
		}
	}
	if a.Status == 0 || b.Status == 0 {
		return strings.Join(why, ", ")
	}
	for _, name := range a.Probe.headers() {
		k := http.CanonicalHeaderKey(name)
		if va, vb := headerValue(a.Header, k), headerValue(b.Header, k); va != vb {
			why = append(why, k+" "+va+" → "+vb)
		}
	}
	if !bytes.Equal(a.Body, b.Body) || a.Truncated != b.Truncated {
		why = append(why, "body "+bodyDiffers(a, b))
	}
	return strings.Join(why, ", ")
}

// execDiffers says how exec probe b's answer differs from a's: exit code
// (or why it did not exit), then stdout.
func execDiffers(a, b ProbeResult) string {
	var why []string
	switch {
	case a.ExitCode != b.ExitCode && a.Error == "" && b.Error == "":
		why = append(why, fmt.Sprintf("exit code %d → %d", a.ExitCode, b.ExitCode))
	case a.ExitCode != b.ExitCode || a.Error != b.Error:
		why = append(why, exit(a)+" → "+exit(b))
	}
	if !bytes.Equal(a.Body, b.Body) || a.Truncated != b.Truncated {
		why = append(why, "stdout "+bodyDiffers(a, b))
	}
	return strings.Join(why, ", ")
}

// exit is the exit code of an exec probe, and why it did not exit.
func exit(r ProbeResult) string {
	if r.Error != "" {
		return fmt.Sprintf("exit code %d (%s)", r.ExitCode, r.Error)
	}
	return "exit code " + strconv.Itoa(r.ExitCode)
}

// answer is the status of an answer, or why none came.
func answer(r ProbeResult) string {
	switch {
	case r.Status == 0:
		return r.Error
	case r.Error != "":
		return fmt.Sprintf("status %d (%s)", r.Status, r.Error)
	}
	return "status " + strconv.Itoa(r.Status)
}

// headerValue is the header k of h, quoted, or "none".
func headerValue(h http.Header, k string) string {
	v, ok := h[k]
	if !ok {
		return "none"
	}
	return strconv.Quote(strings.Join(v, ", "))
}

// bodyDiffers shows two different bodies: whole when short, else around
// the first byte that differs.
func bodyDiffers(a, b ProbeResult) string {
	if len(a.Body) <= 60 && len(b.Body) <= 60 && !a.Truncated && !b.Truncated {
		return fmt.Sprintf("%q → %q", a.Body, b.Body)
	}
	i := 0
	for i < len(a.Body) && i < len(b.Body) && a.Body[i] == b.Body[i] {
		i++
	}
	return fmt.Sprintf("differs from byte %d: %q → %q (%s → %s)", i, window(a.Body, i), window(b.Body, i), size(a), size(b))
}

// window is up to 60 bytes of b from a little before i.
func window(b []byte, i int) string {
	from := max(0, i-20)
	s := string(b[min(from, len(b)):min(from+60, len(b))])
	if from > 0 {
		s = "…" + s
	}
	return s
}

func size(r ProbeResult) string {
	if r.Truncated {
		return fmt.Sprintf("over %d bytes", MaxProbeBody)
	}
	return fmt.Sprintf("%d bytes", len(r.Body))
}

// endsDiffer says how two servers, which answered alike, ended
// differently: one exited during the probes while the other ran on.
func endsDiffer(original, slimmed *Result) string {
	switch so, ss := stopped(original), stopped(slimmed); {
	case so && !ss:
		return fmt.Sprintf("exited with code %d during the probes, the original kept running", slimmed.ExitCode)
	case !so && ss:
		return fmt.Sprintf("kept running, the original exited with code %d during the probes", original.ExitCode)
	case !so && original.ExitCode != slimmed.ExitCode:
		return fmt.Sprintf("exit code %d, original %d", slimmed.ExitCode, original.ExitCode)
	}
	return ""
}

// portList is "port 8080" or "ports 8080, 9090".
func portList(ports []int) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	if len(s) == 1 {
		return "port " + s[0]
	}
	return "ports " + strings.Join(s, ", ")
}

// count is "1 probe" or "n probes".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// AnswerDiffers says how two answers to the same probe differ: status or
// error, the chosen headers, the body; "" when they are the same.
func AnswerDiffers(original, slimmed ProbeResult) string { return answerDiffers(original, slimmed) }
