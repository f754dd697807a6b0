// Command hello answers HTTP requests; it needs no cgo.
package main

import (
	"flag"
	"net/http"
)

func main() {
	addr := flag.String("listen", ":8080", "address")
	flag.Parse()
	http.ListenAndServe(*addr, http.NotFoundHandler())
}
