// httpserver ADDRESS: a minimal HTTP/1.1 responder on Go's net package, the
// counterpart of examples/httpd.rs for the `net` benchmarks: one goroutine
// per connection, keep-alive, every request answered "200 OK" with the
// body "hello, world\n" (the same bytes as httpd's answer). Parsing is
// minimal: a request is its head, up to a blank line, and a body of its
// Content-Length, skipped (no chunked bodies); pipelined requests are
// answered in order, in one write; "Connection: close" (or HTTP/1.0
// without keep-alive) closes after the answer. Prints "listening on
// <address>" once it listens.
package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"time"
)

const response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nhello, world\n"

var (
	crlf2      = []byte("\r\n\r\n")
	closeHdr   = []byte("\r\nconnection: close")
	lengthHdr  = []byte("\r\ncontent-length:")
	keepHdr    = []byte("\r\nconnection: keep-alive")
	http10     = []byte(" HTTP/1.0\r\n")
	lowerTable [256]byte
)

func init() {
	for i := range lowerTable {
		c := byte(i)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lowerTable[i] = c
	}
}

// look reads a request head: whether it asks to close the connection, and
// its body's length.
func look(head []byte, scratch []byte) (closing bool, body int) {
	l := scratch[:0]
	for _, c := range head {
		l = append(l, lowerTable[c])
	}
	if i := bytes.Index(l, lengthHdr); i >= 0 {
		for _, c := range l[i+len(lengthHdr):] {
			if c == ' ' {
				continue
			}
			if c < '0' || c > '9' {
				break
			}
			body = body*10 + int(c-'0')
		}
	}
	closing = bytes.Contains(l, closeHdr) ||
		bytes.Contains(head[:bytes.IndexByte(head, '\n')+1], http10) && !bytes.Contains(l, keepHdr)
	return closing, body
}

func serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 0, 4096)
	scratch := make([]byte, 0, 4096)
	out := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for {
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		out = out[:0]
		closing := false
		for !closing {
			i := bytes.Index(buf, crlf2)
			if i < 0 {
				break
			}
			cl, body := look(buf[:i+2], scratch)
			if len(buf) < i+4+body {
				break // the rest of its body is still to come
			}
			out = append(out, response...)
			buf = buf[:copy(buf, buf[i+4+body:])]
			closing = cl
		}
		if len(out) > 0 {
			if _, werr := c.Write(out); werr != nil {
				return
			}
		}
		if closing || err != nil || len(buf) > 65536 {
			return
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: httpserver ADDRESS")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "httpserver:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Temporary() {
				time.Sleep(backoff)
				if backoff < time.Second {
					backoff *= 2
				}
				continue
			}
			fmt.Fprintln(os.Stderr, "httpserver: accept:", err)
			os.Exit(1)
		}
		backoff = 5 * time.Millisecond
		go serve(c)
	}
}
