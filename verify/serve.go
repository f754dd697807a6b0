package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// probeTimeout bounds the answer to one probe; the run's timeout bounds
// them all.
const probeTimeout = 5 * time.Second

// readyPoll is how often readiness tries a port again.
const readyPoll = 25 * time.Millisecond

// notReady is why a server was not ready.
type notReady struct {
	port  int   // the first port that accepted no connection
	err   error // the last attempt's error
	ended bool  // the command ended first
}

// serve waits until the server accepts connections on every readiness
// port, then sends the probes in order, filling r's Ports, Ready and
// Probes. open gives the server's network namespace, ended closes when
// the command ends, and execProbe runs the exec probes. The readiness timeout counts from when the
// namespace is open: how long the sandbox or the engine takes to start
// (seconds on a loaded machine) is no part of the server's. A server not
// ready gives why; an error means the probes could not be run at all.
func (o *options) serve(ctx context.Context, r *Result, open func(context.Context) (*netns, error), ended <-chan struct{}, execProbe execFunc) (*notReady, error) {
	r.Ports = o.readyPorts()
	ns, err := open(ctx)
	if err != nil {
		if errors.Is(err, errEnded) || ctx.Err() != nil {
			return &notReady{port: r.Ports[0], err: err, ended: errors.Is(err, errEnded)}, nil
		}
		return nil, err
	}
	defer ns.close()
	rctx, cancel := context.WithTimeout(ctx, o.readyTimeout)
	defer cancel()
	if nr, err := o.waitReady(rctx, ns, r.Ports, ended); nr != nil || err != nil {
		return nr, err
	}
	r.Ready = true
	client := probeClient(ns)
	defer client.CloseIdleConnections()
	for _, p := range o.probes {
		if !p.IsExec() {
			r.Probes = append(r.Probes, send(ctx, client, p, o.masks))
			continue
		}
		pr, err := execProbe(ctx, ns, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		pr.Body = mask(pr.Body, o.masks)
		r.Probes = append(r.Probes, pr)
	}
	return nil, nil
}

// waitReady tries each port until it accepts a TCP connection, the command
// ends, or ctx is done.
func (o *options) waitReady(ctx context.Context, ns *netns, ports []int, ended <-chan struct{}) (*notReady, error) {
	for _, port := range ports {
		addr := o.readyAddr(port)
		var last error // the last attempt's error, but one the readiness timeout cut short
		for {
			dctx, cancel := context.WithTimeout(ctx, time.Second)
			c, err := ns.dial(dctx, "tcp", addr)
			cancel()
			if err == nil {
				c.Close()
				break
			}
			if _, ok := errors.AsType[*nsError](err); ok {
				return nil, err
			}
			if last == nil || ctx.Err() == nil {
				last = err // on a loaded machine the timeout may cut an attempt that would have been refused
			}
			select {
			case <-ended:
				return &notReady{port: port, err: last, ended: true}, nil
			case <-ctx.Done():
				if !errors.Is(last, syscall.ECONNREFUSED) {
					// On a loaded machine the deadline may have cut the
					// only attempt there was: one more, on a second of its
					// own, says whether the port refuses.
					fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
					c, err := ns.dial(fctx, "tcp", addr)
					cancel()
					if err == nil {
						c.Close()
					} else if errors.Is(err, syscall.ECONNREFUSED) {
						last = err
					}
				}
				return &notReady{port: port, err: last}, nil
			case <-time.After(readyPoll):
			}
		}
	}
	return nil, nil
}

// reason says why the server of r was not ready, in a line that is the
// same from run to run: "port 8080 refused connections for 5s".
func (nr *notReady) reason(r *Result, o *options) string {
	if nr.ended && !r.TimedOut && !r.Stopped {
		return fmt.Sprintf("the command exited with code %d before port %d accepted connections", r.ExitCode, nr.port)
	}
	waited := min(o.readyTimeout, o.timeout)
	until := ""
	if o.timeout < o.readyTimeout {
		until = ", the run's timeout"
	}
	var ne net.Error
	switch {
	case errors.Is(nr.err, syscall.ECONNREFUSED):
		return fmt.Sprintf("port %d refused connections for %v%s", nr.port, waited, until)
	case nr.err == nil, errors.Is(nr.err, context.DeadlineExceeded), errors.As(nr.err, &ne) && ne.Timeout():
		return fmt.Sprintf("port %d accepted no connection within %v%s", nr.port, waited, until)
	}
	return fmt.Sprintf("port %d accepted no connection within %v%s: %s", nr.port, waited, until, answerError(nr.err, time.Second))
}

// probeClient is an HTTP client that connects from inside ns only: no
// proxy from the environment, no redirect followed, no connection kept,
// no compression asked for (the body is compared as the server sends it).
func probeClient(ns *netns) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            ns.dial,
			DisableKeepAlives:      true,
			DisableCompression:     true,
			MaxResponseHeaderBytes: 1 << 20,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// send sends p and keeps the answer, masked.
func send(ctx context.Context, client *http.Client, p Probe, masks []*regexp.Regexp) (pr ProbeResult) {
	pr.Probe = p
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var body io.Reader
	if p.Body != "" {
		body = strings.NewReader(p.Body)
	}
	req, err := http.NewRequestWithContext(ctx, p.method(), "http://"+p.addr()+p.Path, body)
	if err != nil {
		pr.Error = err.Error()
		return pr
	}
	req.Header.Set("User-Agent", "diet-probe")
	start := time.Now()
	defer func() { pr.Elapsed = time.Since(start) }()
	resp, err := client.Do(req)
	if err != nil {
		pr.Error = answerError(err, probeTimeout)
		return pr
	}
	defer resp.Body.Close()
	pr.Status = resp.StatusCode
	for _, name := range p.headers() {
		k := http.CanonicalHeaderKey(name)
		for _, v := range resp.Header[k] {
			if pr.Header == nil {
				pr.Header = http.Header{}
			}
			pr.Header.Add(k, string(mask([]byte(v), masks)))
		}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxProbeBody+1))
	if len(b) > MaxProbeBody {
		b, pr.Truncated = b[:MaxProbeBody], true
	}
	pr.Body = mask(b, masks)
	if err != nil {
		pr.Error = "body: " + answerError(err, probeTimeout)
	}
	return pr
}

// mask replaces every match of masks in b by [Masked].
func mask(b []byte, masks []*regexp.Regexp) []byte {
	for _, re := range masks {
		b = re.ReplaceAllLiteral(b, []byte(Masked))
	}
	return b
}

// answerError says why no answer came, the same way from run to run: no
// addresses, ports or times but the timeout.
func answerError(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %v", timeout)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without an answer"
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok {
		err = oe.Err
	}
	return err.Error()
}
