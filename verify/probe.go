package verify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Probe is an HTTP request that [Run] and [RunEngine] send to the command,
// a server, once it is ready, or a command they run beside it (Exec): its
// answer is what [Compare] judges it by. An HTTP probe reaches the
// loopback of the sandbox or of the container, nothing else.
type Probe struct {
	// Exec, when not empty, makes the probe a command run inside the
	// server's namespaces once it is ready, as `docker exec` runs one:
	// the program and its arguments (see [ShellProbe] for a shell
	// command). Its exit code and stdout are its answer, and the HTTP
	// fields below must be left empty.
	Exec []string

	// Method is the request's method; "" means GET.
	Method string
	// Host is the loopback address to connect to: "" (127.0.0.1), an
	// address of 127.0.0.0/8 or ::1 (for a server that listens on ::1
	// only). Readiness connects to the host of the first probe of a port.
	Host string
	// Port is the TCP port, 1 to 65535.
	Port int
	// Path is the request's path and query, starting with "/".
	Path string
	// Body is sent as the request's body when not "".
	Body string
	// Headers are the names of the response headers to compare; nil means
	// [DefaultHeaders], an empty slice none.
	Headers []string
}

// DefaultHeaders are the response headers a [Probe] compares unless its
// Headers say otherwise: the others carry dates, lengths and server
// names that a slimmed image may change without harm.
var DefaultHeaders = []string{"Content-Type"}

// ParseProbe parses a probe as the command line spells it:
//
//	[METHOD ]http://[HOST]:PORT[/PATH][?QUERY][ BODY]
//	exec CMD
//
// METHOD is an upper-case HTTP method (GET when left out). HOST is empty,
// "localhost", or a loopback address (127.0.0.0/8, [::1]): a probe reaches
// the server inside the sandbox and nothing else, so any other host is
// refused. PORT may be left out only after a host ("http://localhost/" is
// port 80). Everything after the first space that follows the URL is the
// body, sent as is. For example:
//
//	http://:8080/
//	POST http://:8080/items {"a":1}
//	DELETE http://127.0.0.1:8080/items/1
//
// "exec CMD" is an exec probe of the shell command CMD ([ShellProbe]).
func ParseProbe(s string) (Probe, error) {
	if cmd, ok := strings.CutPrefix(strings.TrimSpace(s), "exec"); ok && (cmd == "" || cmd[0] == ' ' || cmd[0] == '\t') {
		p := ShellProbe(strings.TrimSpace(cmd))
		if err := p.validate(); err != nil {
			return Probe{}, fmt.Errorf("probe %q: %w", s, err)
		}
		return p, nil
	}
	p, err := parseProbe(strings.TrimSpace(s))
	if err != nil {
		return Probe{}, fmt.Errorf("probe %q: %w", s, err)
	}
	return p, nil
}

func parseProbe(s string) (Probe, error) {
	var p Probe
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		method, rest, ok := strings.Cut(s, " ")
		if !ok {
			return p, fmt.Errorf("want [METHOD ]http://:PORT/PATH[ BODY]")
		}
		p.Method, s = method, strings.TrimLeft(rest, " ")
	}
	raw, body, _ := strings.Cut(s, " ")
	p.Body = body
	u, err := url.Parse(raw)
	if err != nil {
		return p, err
	}
	switch {
	case u.Scheme != "http":
		return p, fmt.Errorf("scheme %q: only http", u.Scheme)
	case u.User != nil:
		return p, fmt.Errorf("user information in the URL")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return p, fmt.Errorf("fragment in the URL")
	}
	if host := u.Hostname(); host != "localhost" {
		p.Host = host
	}
	p.Port = 80
	if port := u.Port(); port != "" {
		if p.Port, err = strconv.Atoi(port); err != nil {
			return p, fmt.Errorf("port %q", port)
		}
	} else if u.Hostname() == "" {
		return p, fmt.Errorf("no port: want http://:PORT/PATH")
	}
	p.Path = u.EscapedPath()
	if p.Path == "" {
		p.Path = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		p.Path += "?" + u.RawQuery
	}
	return p, p.validate()
}

// ShellProbe is an exec probe that runs cmd with /bin/sh -c, as Docker
// runs a HEALTHCHECK's CMD-SHELL.
func ShellProbe(cmd string) Probe { return Probe{Exec: []string{"/bin/sh", "-c", cmd}} }

// IsExec says p is an exec probe.
func (p Probe) IsExec() bool { return len(p.Exec) > 0 }

// validate checks what a Probe built in Go may get wrong too.
func (p Probe) validate() error {
	if p.IsExec() {
		return p.validateExec()
	}
	if p.Method != "" && !isToken(p.Method) {
		return fmt.Errorf("method %q: want an upper-case method such as GET or POST", p.Method)
	}
	if p.Host != "" {
		ip := net.ParseIP(p.Host)
		if ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("host %q: a probe reaches only the loopback of the sandbox (leave the host out: http://:PORT/PATH)", p.Host)
		}
	}
	if p.Port < 1 || p.Port > 65535 {
		return fmt.Errorf("port %d: want 1 to 65535", p.Port)
	}
	if !strings.HasPrefix(p.Path, "/") {
		return fmt.Errorf("path %q: want it to start with /", p.Path)
	}
	if strings.ContainsAny(p.Path, " \t\r\n#") {
		return fmt.Errorf("path %q: spaces and # must be escaped", p.Path)
	}
	return nil
}

// isToken says s is an upper-case HTTP method.
func isToken(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && r != '-' && r != '_' {
			return false
		}
	}
	return s != ""
}

// validateExec checks an exec probe.
func (p Probe) validateExec() error {
	switch {
	case p.Method != "" || p.Host != "" || p.Port != 0 || p.Path != "" || p.Body != "" || p.Headers != nil:
		return errors.New("an exec probe has no HTTP method, host, port, path, body or headers")
	case p.Exec[0] == "":
		return errors.New("exec probe: the program is empty")
	case len(p.Exec) == 3 && p.Exec[0] == "/bin/sh" && p.Exec[1] == "-c" && strings.TrimSpace(p.Exec[2]) == "":
		return errors.New("exec probe: the command is empty (want exec CMD)")
	}
	for _, a := range p.Exec {
		if strings.IndexByte(a, 0) >= 0 {
			return fmt.Errorf("exec probe: argument %q holds a NUL byte", a)
		}
	}
	return nil
}

// String is the probe as reasons name it: "GET :8080/data", or "exec CMD"
// for a shell command, `exec ["/app/cli" "status"]` for another.
func (p Probe) String() string {
	if p.IsExec() {
		if len(p.Exec) == 3 && p.Exec[0] == "/bin/sh" && p.Exec[1] == "-c" {
			return "exec " + p.Exec[2]
		}
		return fmt.Sprintf("exec %q", p.Exec)
	}
	host := p.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return p.method() + " " + host + ":" + strconv.Itoa(p.Port) + p.Path
}

func (p Probe) method() string {
	if p.Method == "" {
		return http.MethodGet
	}
	return p.Method
}

// addr is where the probe connects.
func (p Probe) addr() string {
	host := p.Host
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(p.Port))
}

func (p Probe) headers() []string {
	if p.Headers == nil {
		return DefaultHeaders
	}
	return p.Headers
}

// ProbeResult is how the server answered a [Probe].
type ProbeResult struct {
	Probe Probe
	// Status is the HTTP status code; 0 when no answer came, and for an
	// exec probe.
	Status int
	// ExitCode is an exec probe's exit status, as [Result.ExitCode]
	// gives one (127: no such program, 137: killed at its timeout).
	ExitCode int
	// Header holds those of the probe's headers that the answer had, with
	// the masks applied ([WithMask]).
	Header http.Header
	// Body is the answer's body, or an exec probe's stdout, its first
	// [MaxProbeBody] bytes, with the masks applied: every match replaced
	// by [Masked].
	Body []byte
	// Truncated says the body was longer than MaxProbeBody.
	Truncated bool
	// Error says why no answer came, "" when one did: "connection
	// refused", "no answer within 5s", "connection closed without an
	// answer"; for an exec probe "no exit within 10s".
	Error string
	// Elapsed is how long the answer took. [Compare] ignores it.
	Elapsed time.Duration
}

// MaxProbeBody bounds what a [ProbeResult] keeps of a body.
const MaxProbeBody = 1 << 20

// Masked replaces what a mask ([WithMask]) matches in a probe's answer.
const Masked = "<masked>"
