// nethttp ADDRESS: Go's net/http answering every request "200 OK" with the
// body "hello, world\n", for reference in the `net` benchmarks' http
// table. Prints "listening on <address>" once it listens.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

var body = []byte("hello, world\n")

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: nethttp ADDRESS")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "nethttp:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	fmt.Fprintln(os.Stderr, "nethttp:", http.Serve(ln, h))
	os.Exit(1)
}
