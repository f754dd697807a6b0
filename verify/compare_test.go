package verify

import (
	"fmt"
	"testing"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	const servers = "both still running at the timeout (a server): log lines compared with digits masked"
	ok := &Result{Stdout: []byte("a\nb\n"), Stderr: []byte("warn\n"), Missing: []string{"/etc/ld.so.cache"}}
	tests := []struct {
		name     string
		original *Result
		slimmed  *Result
		same     bool
		reason   string
	}{
		{"equal", ok, ok, true, ""},
		{"stderr only", ok, &Result{Stdout: []byte("a\nb\n")}, true, `stderr differs from line 1: "", original "warn"`},
		{"stdout", ok, &Result{Stdout: []byte("a\nc\n"), Stderr: []byte("warn\n")}, false, `stdout differs from line 2: "c", original "b"`},
		{"exit code and missing file", ok,
			&Result{ExitCode: 127, Stderr: []byte("warn\n"), Missing: []string{"/etc/ld.so.cache", "/lib/libz.so.1"}}, false,
			`first missing file /lib/libz.so.1; exit code 127, original 0; stdout differs from line 1: "", original "a"`},
		{"original untraced", &Result{}, &Result{ExitCode: 1, Missing: []string{"/x"}}, false, "first missing file /x; exit code 1, original 0"},
		{"timed out", &Result{}, &Result{ExitCode: 137, TimedOut: true}, false, "exit code 137 (timed out), original 0"},
		{"both timed out", &Result{ExitCode: 137, TimedOut: true}, &Result{ExitCode: 137, TimedOut: true}, true, servers},
		{"servers logging clocks",
			&Result{ExitCode: 137, TimedOut: true, Stderr: []byte("[1] 2026/11/29 06:00:01 listening on :4222\n[1] ready\n")},
			&Result{ExitCode: 137, TimedOut: true, Stderr: []byte("[7] 2026/11/29 07:12:59 listening on :4222\n")}, true, servers},
		{"server logging an error",
			&Result{ExitCode: 137, TimedOut: true, Stderr: []byte("[1] listening\n")},
			&Result{ExitCode: 137, TimedOut: true, Stderr: []byte("[2] listening\n[2] open /etc/ssl/certs: no such file\n"),
				Missing: []string{"/etc/ssl/certs"}}, false,
			`first missing file /etc/ssl/certs; both still running at the timeout, but the slimmed run wrote "[2] open /etc/ssl/certs: no such file", which the original did not`},
		{"server that stopped", &Result{ExitCode: 137, TimedOut: true}, &Result{ExitCode: 1}, false,
			"exit code 1, original 137 (timed out)"},
		{"no result", ok, nil, false, "no result to compare"},
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

func ExampleCompare() {
	original := &Result{Stdout: []byte("ok\n")}
	slimmed := &Result{
		ExitCode: 127,
		Stderr:   []byte("app: error while loading shared libraries: libz.so.1\n"),
		Missing:  []string{"/lib/x86_64-linux-gnu/libz.so.1"},
	}
	same, reason := Compare(original, slimmed)
	fmt.Println(same)
	fmt.Println(reason)
	// Output:
	// false
	// first missing file /lib/x86_64-linux-gnu/libz.so.1; exit code 127, original 0; stdout differs from line 1: "", original "ok"; stderr differs from line 1: "app: error while loading shared libraries: libz.so.1", original ""
}

func TestFirstMissing(t *testing.T) {
	t.Parallel()
	original := &Result{}
	for _, tc := range []struct {
		name    string
		slimmed *Result
		want    string
	}{
		{"a library the original found", &Result{Missing: []string{"/etc/ld.so.cache", "/lib/libz.so.1", "/lib/libm.so.6"}}, "/lib/libz.so.1"},
		{"what the original missed too", &Result{Missing: []string{"/etc/ld.so.cache"}}, ""},
		{"untraced", &Result{}, ""},
		{"caches first", &Result{Missing: []string{"/usr/lib/python3/dist-packages/jinja2/__pycache__/ext.cpython-311.pyc",
			"/etc/ld.so.cache", "/usr/lib/python3/dist-packages/yaml"}}, "/usr/lib/python3/dist-packages/yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FirstMissing(original, tc.slimmed); got != tc.want {
				t.Errorf("FirstMissing = %q, want %q", got, tc.want)
			}
		})
	}
}
