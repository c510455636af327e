// echoclient: the load generator of the `net` benchmarks, run natively on
// the host against an echo server (examples/echo.c in this runtime, or
// benches/go/echoserver), whatever the server's target.
//
//	echoclient -mode rr -conns N -seconds S -size B ADDRESS
//
// dials N connections first, then on each, for S seconds, sends B bytes
// and waits for the same B bytes back (request/response), again and
// again. Prints one line:
//
//	conns=N requests=R seconds=T rps=X p50_us=P p99_us=Q errors=E
//
// (latencies over every round trip of every connection; errors counts
// connections that failed: reset, early end of file, wrong bytes, or no
// answer within 10 s, each also described on stderr).
//
//	echoclient -mode idle -conns N ADDRESS
//
// dials N connections, makes one round trip on each (so that the server
// has accepted it and its goroutine waits in a read), prints "ready N",
// then waits until its standard input ends, makes one more round trip on
// each (the server must still answer them all) and prints "ok=K errors=E".
//
// RLIMIT_NOFILE's soft limit is raised to the hard one; if N connections
// cannot fit below it, echoclient says so and exits with status 3.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const timeout = 10 * time.Second

var (
	mode    = flag.String("mode", "rr", "rr (request/response for -seconds) or idle")
	nconns  = flag.Int("conns", 1, "connections")
	seconds = flag.Float64("seconds", 3, "duration of the rr load")
	size    = flag.Int("size", 64, "message size in bytes")
)

func fail(code int, format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "echoclient: "+format+"\n", a...)
	os.Exit(code)
}

func raiseNofile(need uint64) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		fail(3, "getrlimit: %v", err)
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
			fail(3, "cannot raise RLIMIT_NOFILE to %d: %v", r.Max, err)
		}
	}
	if r.Cur < need {
		fail(3, "RLIMIT_NOFILE is %d (hard limit %d): %d connections need about %d descriptors; raise the hard limit (ulimit -Hn, as root)", r.Cur, r.Max, *nconns, need)
	}
}

// dialAll opens n connections, 64 dials at a time, retrying each a few
// times (a listen backlog can overflow under a burst of connections).
func dialAll(addr string, n int) []net.Conn {
	conns := make([]net.Conn, n)
	var next int64 = -1
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				var err error
				for try := 0; try < 5; try++ {
					var c net.Conn
					c, err = net.DialTimeout("tcp", addr, timeout)
					if err == nil {
						conns[i] = c
						break
					}
					time.Sleep(time.Duration(try+1) * 50 * time.Millisecond)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		fail(1, "dial %s: %v (after %d connections)", addr, e, countOpen(conns))
	}
	return conns
}

func countOpen(conns []net.Conn) int {
	k := 0
	for _, c := range conns {
		if c != nil {
			k++
		}
	}
	return k
}

// roundTrip sends msg and reads len(msg) bytes back into in, checking them.
func roundTrip(c net.Conn, msg, in []byte) error {
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write(msg); err != nil {
		return fmt.Errorf("write: %v", err)
	}
	if _, err := io.ReadFull(c, in); err != nil {
		return fmt.Errorf("read: %v", err)
	}
	if !bytes.Equal(msg, in) {
		return fmt.Errorf("echoed bytes differ")
	}
	return nil
}

func pattern(msg []byte, conn, seq int) {
	for j := range msg {
		msg[j] = byte(conn*31 + seq*7 + j)
	}
}

// allRoundTrips makes one round trip on every connection, 256 at a time.
func allRoundTrips(conns []net.Conn) (ok int, errs int) {
	var okN, errN int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for i, c := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, c net.Conn) {
			defer func() { <-sem; wg.Done() }()
			msg, in := make([]byte, *size), make([]byte, *size)
			pattern(msg, i, 0)
			if err := roundTrip(c, msg, in); err != nil {
				if atomic.AddInt64(&errN, 1) <= 5 {
					fmt.Fprintf(os.Stderr, "echoclient: connection %d: %v\n", i, err)
				}
				return
			}
			atomic.AddInt64(&okN, 1)
		}(i, c)
	}
	wg.Wait()
	return int(okN), int(errN)
}

func idle(addr string) {
	conns := dialAll(addr, *nconns)
	ok, errs := allRoundTrips(conns)
	if errs > 0 {
		fail(1, "%d of %d connections did not echo", errs, len(conns))
	}
	fmt.Printf("ready %d\n", ok)
	io.Copy(io.Discard, os.Stdin)
	ok, errs = allRoundTrips(conns)
	for _, c := range conns {
		c.Close()
	}
	fmt.Printf("ok=%d errors=%d\n", ok, errs)
	if errs > 0 {
		os.Exit(1)
	}
}

func rr(addr string) {
	conns := dialAll(addr, *nconns)
	var stop int32
	var errs int64
	lat := make([][]int64, len(conns))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			msg, in := make([]byte, *size), make([]byte, *size)
			l := make([]int64, 0, 1024)
			<-start
			for seq := 0; atomic.LoadInt32(&stop) == 0; seq++ {
				pattern(msg, i, seq)
				t0 := time.Now()
				if err := roundTrip(c, msg, in); err != nil {
					if atomic.AddInt64(&errs, 1) <= 5 {
						fmt.Fprintf(os.Stderr, "echoclient: connection %d, request %d: %v\n", i, seq, err)
					}
					break
				}
				l = append(l, int64(time.Since(t0)))
			}
			lat[i] = l
		}(i, c)
	}
	t0 := time.Now()
	close(start)
	time.Sleep(time.Duration(*seconds * float64(time.Second)))
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	elapsed := time.Since(t0).Seconds()
	for _, c := range conns {
		c.Close()
	}
	var all []int64
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	q := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(p * float64(len(all)))
		if i >= len(all) {
			i = len(all) - 1
		}
		return float64(all[i]) / 1e3
	}
	fmt.Printf("conns=%d requests=%d seconds=%.3f rps=%.0f p50_us=%.1f p99_us=%.1f errors=%d\n",
		len(conns), len(all), elapsed, float64(len(all))/elapsed, q(0.50), q(0.99), errs)
}

func main() {
	flag.Parse()
	if flag.NArg() != 1 || *nconns < 1 || *size < 1 {
		fmt.Fprintln(os.Stderr, "usage: echoclient [-mode rr|idle] [-conns N] [-seconds S] [-size B] ADDRESS")
		os.Exit(2)
	}
	raiseNofile(uint64(*nconns) + 64)
	switch *mode {
	case "rr":
		rr(flag.Arg(0))
	case "idle":
		idle(flag.Arg(0))
	default:
		fail(2, "unknown -mode %q", *mode)
	}
}
