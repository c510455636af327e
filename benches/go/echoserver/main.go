// echoserver ADDRESS: a TCP echo server on Go's net package, one goroutine
// per connection, the counterpart of examples/echo.c for the `net`
// benchmarks. Listens on ADDRESS (":0" picks a free port), prints
// "listening on <address>" with the real port, and sends back every byte
// each client sends until it closes. The buffer is echo.c's size (3584
// bytes; here on the heap, as a buffer handed to Read escapes).
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 3584)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: echoserver ADDRESS")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "echoserver:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			// Out of descriptors: back off as echo.c and net/http do.
			if ne, ok := err.(net.Error); ok && ne.Temporary() {
				time.Sleep(backoff)
				if backoff < time.Second {
					backoff *= 2
				}
				continue
			}
			fmt.Fprintln(os.Stderr, "echoserver: accept:", err)
			os.Exit(1)
		}
		backoff = 5 * time.Millisecond
		go serve(c)
	}
}
