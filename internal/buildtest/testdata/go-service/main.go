// Command quotesvc serves a few quotations as JSON over HTTP.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

const version = "1.4.2"

type quote struct {
	ID     int    `json:"id"`
	Text   string `json:"text"`
	Author string `json:"author"`
}

var quotes = []quote{
	{1, "Simplicity is prerequisite for reliability.", "Edsger W. Dijkstra"},
	{2, "Make it work, make it right, make it fast.", "Kent Beck"},
	{3, "Premature optimization is the root of all evil.", "Donald Knuth"},
}

func main() {
	addr := flag.String("addr", ":8080", "listen on `address`")
	showVersion := flag.Bool("version", false, "print the version and exit")
	selfTest := flag.Bool("selftest", false, "serve on a loopback port, query each endpoint once and exit")
	flag.Parse()
	switch {
	case *showVersion:
		fmt.Println("quotesvc", version)
	case *selfTest:
		if err := runSelfTest(os.Stdout); err != nil {
			log.Fatal(err)
		}
	default:
		log.Printf("quotesvc %s listening on %s", version, *addr)
		srv := &http.Server{Addr: *addr, Handler: routes(), ReadHeaderTimeout: 10 * time.Second}
		log.Fatal(srv.ListenAndServe())
	}
}

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /quotes/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil || id < 1 || id > len(quotes) {
			http.Error(w, "no such quote", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(quotes[id-1])
	})
	return mux
}

// runSelfTest serves on 127.0.0.1 and prints what each endpoint answers.
func runSelfTest(w io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: routes(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintln(w, "quotesvc", version)
	for _, path := range []string{"/healthz", "/quotes/2", "/quotes/9"} {
		resp, err := http.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "GET %s: %s %s", path, resp.Status, body)
	}
	if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
