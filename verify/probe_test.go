package verify

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseProbe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Probe
	}{
		{"http://:8080/", Probe{Port: 8080, Path: "/"}},
		{"http://:8080", Probe{Port: 8080, Path: "/"}},
		{"  http://:8080/data  ", Probe{Port: 8080, Path: "/data"}},
		{"http://:8080/search?q=a%20b&n=1", Probe{Port: 8080, Path: "/search?q=a%20b&n=1"}},
		{"http://:8080/a%2Fb", Probe{Port: 8080, Path: "/a%2Fb"}},
		{`POST http://:8080/items {"a":1}`, Probe{Method: "POST", Port: 8080, Path: "/items", Body: `{"a":1}`}},
		{"PUT http://:8080/notes a body with spaces", Probe{Method: "PUT", Port: 8080, Path: "/notes", Body: "a body with spaces"}},
		{"DELETE http://127.0.0.1:8080/items/1", Probe{Method: "DELETE", Host: "127.0.0.1", Port: 8080, Path: "/items/1"}},
		{"http://localhost:3000/", Probe{Port: 3000, Path: "/"}},
		{"http://localhost/", Probe{Port: 80, Path: "/"}},
		{"http://127.0.0.2:9000/x", Probe{Host: "127.0.0.2", Port: 9000, Path: "/x"}},
		{"http://[::1]:8080/", Probe{Host: "::1", Port: 8080, Path: "/"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseProbe(tc.in)
			if err != nil {
				t.Fatalf("ParseProbe(%q) = %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseProbe(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseProbeRefuses(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"",
		":8080/",
		"GET",
		"http://example.com:8080/",     // not the sandbox
		"http://10.0.0.1:8080/",        // not loopback
		"http://0.0.0.0:8080/",         // every address
		"http://[::]:8080/",            // every address
		"http://host.docker.internal/", // the host
		"https://:8443/",
		"ftp://:21/",
		"http://user:pw@:8080/",
		"http://:8080/#top",
		"http:///",
		"http://:0/",
		"http://:65536/",
		"http://:port/",
		"get http://:8080/",
		"G;T http://:8080/",
	} {
		t.Run(in, func(t *testing.T) {
			if p, err := ParseProbe(in); err == nil {
				t.Errorf("ParseProbe(%q) = %+v, want an error", in, p)
			} else {
				t.Log(err)
			}
		})
	}
}

func TestProbeString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    Probe
		want string
	}{
		{Probe{Port: 8080, Path: "/data"}, "GET :8080/data"},
		{Probe{Method: "POST", Port: 80, Path: "/items?x=1", Body: "{}"}, "POST :80/items?x=1"},
		{Probe{Host: "::1", Port: 8080, Path: "/"}, "GET [::1]:8080/"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestProbeOptions(t *testing.T) {
	t.Parallel()
	good := Probe{Port: 8080, Path: "/"}
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"host not loopback", []Option{WithProbes(Probe{Host: "192.168.1.1", Port: 80, Path: "/"})}},
		{"no port", []Option{WithProbes(Probe{Path: "/"})}},
		{"relative path", []Option{WithProbes(Probe{Port: 80, Path: "x"})}},
		{"bad method", []Option{WithProbes(Probe{Method: "G T", Port: 80, Path: "/"})}},
		{"bad port", []Option{WithProbes(good), WithPorts(70000)}},
		{"ready timeout", []Option{WithProbes(good), WithReadyTimeout(0)}},
		{"nil mask", []Option{WithProbes(good), WithMask(nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := makeOptions(tc.opts); err == nil {
				t.Errorf("makeOptions(%s) = nil, want an error", tc.name)
			}
		})
	}
	o, err := makeOptions([]Option{WithProbes(good, Probe{Port: 9090, Path: "/"}, good)})
	if err != nil {
		t.Fatal(err)
	}
	if got := o.readyPorts(); !cmp.Equal(got, []int{8080, 9090}) {
		t.Errorf("readiness ports of the probes = %v, want [8080 9090]", got)
	}
	o, _ = makeOptions([]Option{WithProbes(good), WithPorts(3000)})
	if got := o.readyPorts(); !cmp.Equal(got, []int{3000}) {
		t.Errorf("readiness ports given = %v, want [3000]", got)
	}
}

func ExampleParseProbe() {
	p, err := ParseProbe(`POST http://:8080/items {"a":1}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p, p.Body)
	_, err = ParseProbe("http://example.com/")
	fmt.Println(err)
	// Output:
	// POST :8080/items {"a":1}
	// probe "http://example.com/": host "example.com": a probe reaches only the loopback of the sandbox (leave the host out: http://:PORT/PATH)
}

func TestParseExecProbe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Probe
		name string
	}{
		{"exec /app/cli status", Probe{Exec: []string{"/bin/sh", "-c", "/app/cli status"}}, "exec /app/cli status"},
		{"  exec\tcurl -fsS http://localhost:8080/health || exit 1 ", Probe{Exec: []string{"/bin/sh", "-c", "curl -fsS http://localhost:8080/health || exit 1"}},
			"exec curl -fsS http://localhost:8080/health || exit 1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseProbe(tc.in)
			if err != nil {
				t.Fatalf("ParseProbe(%q) = %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseProbe(%q) (-want +got):\n%s", tc.in, diff)
			}
			if got.String() != tc.name || !got.IsExec() {
				t.Errorf("ParseProbe(%q).String() = %q, IsExec %v; want %q, true", tc.in, got.String(), got.IsExec(), tc.name)
			}
		})
	}
	if s := (Probe{Exec: []string{"/app/cli", "a b"}}).String(); s != `exec ["/app/cli" "a b"]` {
		t.Errorf("String of an argv probe = %q", s)
	}
	for _, in := range []string{"exec", "exec   ", "execute /x", "EXEC /x"} {
		if p, err := ParseProbe(in); err == nil {
			t.Errorf("ParseProbe(%q) = %+v, want an error", in, p)
		}
	}
	for _, p := range []Probe{{Exec: []string{""}}, {Exec: []string{"/x"}, Port: 8080}, {Exec: []string{"/x", "a\x00"}}} {
		if err := p.validate(); err == nil {
			t.Errorf("validate(%q) = nil, want an error", p.Exec)
		}
	}
}

func TestParseProbeFile(t *testing.T) {
	t.Parallel()
	const list = "# routes\n\nhttp://:8080/\n  POST http://:8080/items {\"a\":1}\r\n\t# the CLI\nexec /app/cli status\n"
	got, err := ParseProbeFile("probes.txt", strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	want := []Probe{{Port: 8080, Path: "/"}, {Method: "POST", Port: 8080, Path: "/items", Body: `{"a":1}`}, ShellProbe("/app/cli status")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseProbeFile (-want +got):\n%s", diff)
	}
	if got, err := ParseProbeFile("empty", strings.NewReader("# nothing\n\n")); err != nil || len(got) != 0 {
		t.Errorf("ParseProbeFile(comments only) = %v, %v; want no probes", got, err)
	}
	bad := []struct {
		in   string
		line int
		msg  string
	}{
		{"http://:8080/\nhttp://example.com/\n", 2, `probes.txt:2: probe "http://example.com/": host "example.com"`},
		{"# a\n\nexec\n", 3, `probes.txt:3: probe "exec": exec probe: the command is empty`},
		{"GET /\n", 1, `probes.txt:1: probe "GET /": scheme ""`},
		{"http://:8080/\n" + strings.Repeat("x", maxProbeLine+1), 2, "probes.txt:2: line longer than"},
	}
	for _, tc := range bad {
		_, err := ParseProbeFile("probes.txt", strings.NewReader(tc.in))
		pe, ok := errors.AsType[*ProbeFileError](err)
		if !ok || pe.Line != tc.line || pe.Name != "probes.txt" || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("ParseProbeFile(%.40q) = %v; want a ProbeFileError at line %d starting %q", tc.in, err, tc.line, tc.msg)
		}
	}
}
