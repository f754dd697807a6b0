// Command probeserver is the server of verify's probe tests, built by them
// with CGO_ENABLED=0 into a static program that an image of one file can
// run. It logs nothing, so that only its answers can tell two runs apart.
//
//	probeserver PORT [WORD...]   serve on 127.0.0.1:PORT
//	probeserver PORT idle        run without ever listening
//	probeserver get URL          print URL's body, as a health check does;
//	                             exit 1 when no answer or not 200
//
// Other words are ignored: tests mark their processes with them.
//
// Routes: / answers "hello"; /data the text of /app/data/greeting.txt,
// read at each request, or 500 when it is missing; /time the current time;
// /reach?port=P whether 127.0.0.1:P accepts a connection from inside;
// POST /echo its body.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(2)
	}
	if os.Args[1] == "get" && len(os.Args) == 3 {
		os.Exit(get(os.Args[2]))
	}
	if slices.Contains(os.Args[2:], "idle") {
		for {
			time.Sleep(time.Hour)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "hello")
	})
	mux.HandleFunc("GET /data", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile("/app/data/greeting.txt")
		if err != nil {
			http.Error(w, "no greeting", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(b)
	})
	mux.HandleFunc("GET /time", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "now %s\n", time.Now().Format(time.RFC3339Nano))
	})
	mux.HandleFunc("GET /reach", func(w http.ResponseWriter, r *http.Request) {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", r.URL.Query().Get("port")), time.Second)
		if err != nil {
			fmt.Fprintln(w, "unreachable")
			return
		}
		c.Close()
		fmt.Fprintln(w, "reached")
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.Copy(w, r.Body)
	})
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := http.Serve(l, mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func get(url string) int {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	io.Copy(os.Stdout, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
