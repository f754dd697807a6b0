package verify

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCompareServed covers Compare's rules for servers on results as Run
// makes them.
func TestCompareServed(t *testing.T) {
	t.Parallel()
	root := Probe{Port: 8080, Path: "/"}
	data := Probe{Port: 8080, Path: "/data"}
	text := http.Header{"Content-Type": {"text/plain"}}
	ok := func(p Probe, body string) ProbeResult {
		return ProbeResult{Probe: p, Status: 200, Header: text, Body: []byte(body), Elapsed: time.Millisecond}
	}
	served := func(probes ...ProbeResult) *Result {
		return &Result{ExitCode: 137, Stopped: true, Ports: []int{8080}, Ready: true, Probes: probes,
			Stderr: []byte("2026/01/01 12:00:00 listening\n")}
	}
	original := served(ok(root, "hello"), ok(data, "hi"))
	long, longer := strings.Repeat("a", 200), strings.Repeat("a", 150)+"b"+strings.Repeat("a", 49)
	tests := []struct {
		name     string
		original *Result
		slimmed  *Result
		same     bool
		reason   string
	}{
		{"same answers, other logs", original,
			&Result{ExitCode: 137, Stopped: true, Ports: []int{8080}, Ready: true, Probes: []ProbeResult{ok(root, "hello"), ok(data, "hi")},
				Stderr: []byte("other log lines\n")},
			true, "ready on port 8080; 2 probes answered the same"},
		{"status", original, served(ok(root, "hello"), ProbeResult{Probe: data, Status: 500, Header: text, Body: []byte("hi")}),
			false, "GET :8080/data: status 200 → 500"},
		{"no answer", original, served(ok(root, "hello"), ProbeResult{Probe: data, Error: "connection refused"}),
			false, "GET :8080/data: status 200 → connection refused"},
		{"header", original, served(ok(root, "hello"), ProbeResult{Probe: data, Status: 200, Body: []byte("hi"),
			Header: http.Header{"Content-Type": {"text/html"}}}),
			false, `GET :8080/data: Content-Type "text/plain" → "text/html"`},
		{"header gone", original, served(ok(root, "hello"), ProbeResult{Probe: data, Status: 200, Body: []byte("hi")}),
			false, `GET :8080/data: Content-Type "text/plain" → none`},
		{"body", original, served(ok(root, "hello"), ok(data, "")), false, `GET :8080/data: body "hi" → ""`},
		{"long body", served(ok(root, long)), served(ok(root, longer)), false,
			`GET :8080/: body differs from byte 150: "…` + strings.Repeat("a", 60) + `" → "…` + strings.Repeat("a", 20) + "b" +
				strings.Repeat("a", 39) + `" (200 bytes → 200 bytes)`},
		{"first of several", original, served(ok(root, "bye"), ok(data, "")), false,
			`GET :8080/: body "hello" → "bye" (1 more probe differs)`},
		{"not ready", original, &Result{ExitCode: 137, Stopped: true, Ports: []int{8080}, NotReady: "port 8080 refused connections for 5s"},
			false, "not ready: port 8080 refused connections for 5s"},
		{"original not ready", &Result{ExitCode: 1, Ports: []int{8080}, NotReady: "the command exited with code 1 before port 8080 accepted connections"}, original,
			false, "ready, but the original was not: the command exited with code 1 before port 8080 accepted connections"},
		{"not ready, first missing file", original,
			&Result{ExitCode: 127, Ports: []int{8080}, NotReady: "x", Missing: []string{"/lib/libz.so.1"}},
			false, "first missing file /lib/libz.so.1; not ready: x"},
		{"exited during the probes", original,
			&Result{ExitCode: 2, Ports: []int{8080}, Ready: true, Probes: []ProbeResult{ok(root, "hello"), ok(data, "hi")}},
			false, "exited with code 2 during the probes, the original kept running"},
		{"exit codes of stopped servers", original,
			&Result{ExitCode: 137, TimedOut: true, Ports: []int{8080}, Ready: true, Probes: []ProbeResult{ok(root, "hello"), ok(data, "hi")}},
			true, "ready on port 8080; 2 probes answered the same"},
		{"probe count", original, served(ok(root, "hello")), false, "1 probe, original 2"},
		{"neither ready: as commands",
			&Result{ExitCode: 1, Ports: []int{8080}, NotReady: "a", Stdout: []byte("usage\n")},
			&Result{ExitCode: 1, Ports: []int{8080}, NotReady: "a", Stdout: []byte("usage\n")},
			true, "neither run was ready (original: a)"},
		{"neither ready, different exits",
			&Result{ExitCode: 137, Stopped: true, Ports: []int{8080}, NotReady: "a"},
			&Result{ExitCode: 127, Ports: []int{8080}, NotReady: "b"},
			false, "neither run was ready (original: a); exit code 127, original 137 (stopped)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			same, reason := Compare(tc.original, tc.slimmed)
			if same != tc.same || reason != tc.reason {
				t.Errorf("Compare = %v, %q; want %v, %q", same, reason, tc.same, tc.reason)
			}
		})
	}
}
