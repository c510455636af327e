// The Go original of tests/c/chanspec.c: its output is what the C program
// must print (`go run .` here; `go run . nil-block`, `go run .
// close-select-send` for the two modes that end in a fatal error or a
// panic). reflect.Select stands in for rt_select.
package main

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"
)

// sel runs a reflect.Select over cases described like the C version.
type cs struct {
	c    chan int
	send bool
	v    int
}

func sel(cases []cs, block bool) (int, int, bool) {
	rc := make([]reflect.SelectCase, 0, len(cases)+1)
	for _, k := range cases {
		var ch reflect.Value
		if k.c == nil {
			ch = reflect.ValueOf((chan int)(nil))
		} else {
			ch = reflect.ValueOf(k.c)
		}
		if k.send {
			rc = append(rc, reflect.SelectCase{Dir: reflect.SelectSend, Chan: ch, Send: reflect.ValueOf(k.v)})
		} else {
			rc = append(rc, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: ch})
		}
	}
	if !block {
		rc = append(rc, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	i, v, ok := reflect.Select(rc)
	if !block && i == len(cases) {
		return -1, 0, false
	}
	val := 0
	if v.IsValid() {
		val = int(v.Int())
	}
	return i, val, ok
}

func nilCases(n, pos int, live chan int, send bool) []cs {
	c := make([]cs, n)
	for i := range c {
		c[i] = cs{nil, i%2 == 1, 9}
	}
	c[pos] = cs{live, send, 7}
	return c
}

func main() {
	mode := "all"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "nil-block":
		var a, b chan int
		select {
		case <-a:
		case b <- 1:
		}
	case "close-select-send":
		c := make(chan int)
		never := make(chan int)
		go func() {
			select {
			case <-never:
			case c <- 1:
			}
		}()
		time.Sleep(5 * time.Millisecond)
		close(c)
		time.Sleep(time.Second)
	}
	if mode != "all" {
		return
	}
	// nil cases in every position, live case ready
	var parts []string
	for n := 2; n <= 4; n++ {
		s := ""
		for pos := 0; pos < n; pos++ {
			live := make(chan int, 1)
			live <- 1
			i, _, _ := sel(nilCases(n, pos, live, false), true)
			s += fmt.Sprint(i)
		}
		parts = append(parts, s)
	}
	fmt.Printf("nil-ready=%s\n", strings.Join(parts, " "))
	// nil cases in every position, live case must wait (recv)
	parts = nil
	for n := 2; n <= 4; n++ {
		s := ""
		for pos := 0; pos < n; pos++ {
			live := make(chan int)
			go func() { time.Sleep(time.Millisecond); live <- 5 }()
			i, v, ok := sel(nilCases(n, pos, live, false), true)
			if v != 5 || !ok {
				s += "x"
			}
			s += fmt.Sprint(i)
		}
		parts = append(parts, s)
	}
	fmt.Printf("nil-wait-recv=%s\n", strings.Join(parts, " "))
	parts = nil
	for n := 2; n <= 4; n++ {
		s := ""
		for pos := 0; pos < n; pos++ {
			live := make(chan int)
			got := make(chan int, 1)
			go func() { time.Sleep(time.Millisecond); got <- <-live }()
			i, _, _ := sel(nilCases(n, pos, live, true), true)
			if <-got != 7 {
				s += "x"
			}
			s += fmt.Sprint(i)
		}
		parts = append(parts, s)
	}
	fmt.Printf("nil-wait-send=%s\n", strings.Join(parts, " "))
	{
		i, _, _ := sel([]cs{{nil, false, 0}, {nil, true, 1}, {nil, false, 0}}, false)
		fmt.Printf("nil-default=%d\n", i)
	}
	// 64 cases
	{
		chans := make([]chan int, 64)
		cases := make([]cs, 64)
		for i := range chans {
			chans[i] = make(chan int)
			cases[i] = cs{chans[i], false, 0}
		}
		good := 0
		for j := 0; j < 64; j++ {
			j := j
			go func() { time.Sleep(100 * time.Microsecond); chans[j] <- j }()
			i, v, ok := sel(cases, true)
			if i == j && v == j && ok {
				good++
			}
		}
		fmt.Printf("many-wait=%d\n", good)
		for i := range chans {
			chans[i] = make(chan int, 1)
			chans[i] <- i
			cases[i] = cs{chans[i], false, 0}
		}
		var counts [64]int
		good = 0
		for r := 0; r < 64*100; r++ {
			i, v, _ := sel(cases, true)
			if v == i {
				good++
			}
			counts[i]++
			chans[i] <- i
		}
		all := 1
		for _, n := range counts {
			if n == 0 {
				all = 0
			}
		}
		fmt.Printf("many-ready=%d all-chosen=%d\n", good, all)
		for i := range cases {
			cases[i] = cs{nil, i%2 == 0, 0}
		}
		last := make(chan int)
		cases[63] = cs{last, false, 0}
		go func() { time.Sleep(time.Millisecond); last <- 63 }()
		i, v, _ := sel(cases, true)
		fmt.Printf("many-nil-then-live=%d value=%d\n", i, v)
	}
	// duplicate channels
	{
		c := make(chan int, 1)
		c <- 1
		i, v, ok := sel([]cs{{c, false, 0}, {c, false, 0}}, true)
		fmt.Printf("dup-ready: one-case=%t value=%d ok=%t len=%d\n", i == 0 || i == 1, v, ok, len(c))
		u := make(chan int)
		go func() { time.Sleep(time.Millisecond); u <- 1; u <- 2 }()
		i, v, _ = sel([]cs{{u, false, 0}, {nil, false, 0}, {u, false, 0}}, true)
		second := <-u
		fmt.Printf("dup-wait: one-case=%t value=%d second=%d\n", i == 0 || i == 2, v, second)
		b := make(chan int, 2)
		i, _, _ = sel([]cs{{b, true, 1}, {b, true, 2}}, true)
		fmt.Printf("dup-send: one-case=%t len=%d\n", i == 0 || i == 1, len(b))
	}
	// both ends of one channel
	{
		u := make(chan int)
		go func() { <-u }()
		i, _, _ := sel([]cs{{u, true, 1}, {u, false, 0}}, true)
		go func() { u <- 5 }()
		j, v, _ := sel([]cs{{u, true, 1}, {u, false, 0}}, true)
		fmt.Printf("both-ends: to-receiver=%d from-sender=%d value=%d\n", i, j, v)
		b := make(chan int, 1)
		i, _, _ = sel([]cs{{b, true, 3}, {b, false, 0}}, true)
		j, v, _ = sel([]cs{{b, true, 4}, {b, false, 0}}, true)
		fmt.Printf("both-ends-buffered: empty=%d full=%d value=%d\n", i, j, v)
		done := make(chan [2]int)
		for g := 0; g < 2; g++ {
			go func() {
				var n [2]int
				for r := 0; r < 1000; r++ {
					i, _, _ := sel([]cs{{u, true, 1}, {u, false, 0}}, true)
					n[i]++
				}
				done <- n
			}()
		}
		a, bb := <-done, <-done
		fmt.Printf("both-ends-selects: sends=%d recvs=%d\n", a[0]+bb[0], a[1]+bb[1])
	}
	// closing while selects wait
	{
		c := make(chan int)
		never, nobody := make(chan int), make(chan int)
		res := make(chan int, 10)
		for g := 0; g < 10; g++ {
			g := g
			go func() {
				var cases []cs
				if g%2 == 0 {
					cases = []cs{{c, false, 0}, {never, false, 0}, {nil, false, 0}}
				} else {
					cases = []cs{{nil, true, 0}, {nobody, true, 0}, {c, false, 0}}
				}
				i, v, ok := sel(cases, true)
				want := 0
				if g%2 == 1 {
					want = 2
				}
				if i == want && v == 0 && !ok {
					res <- 1
				} else {
					res <- 0
				}
			}()
		}
		time.Sleep(5 * time.Millisecond)
		close(c)
		n := 0
		for g := 0; g < 10; g++ {
			n += <-res
		}
		fmt.Printf("close-wakes=%d\n", n)
		b := make(chan int, 2)
		b <- 1
		b <- 2
		close(b)
		s := ""
		for k := 0; k < 3; k++ {
			i, v, ok := sel([]cs{{nil, false, 0}, {b, false, 0}}, true)
			s += fmt.Sprintf(" %d:%d:%t", i, v, ok)
		}
		fmt.Printf("closed-buffered-drains:%s\n", s)
	}
	// zero-size elements
	{
		z := make(chan struct{})
		go func() {
			for k := 0; k < 3; k++ {
				z <- struct{}{}
			}
		}()
		n := 0
		for k := 0; k < 3; k++ {
			<-z
			n++
		}
		zb := make(chan struct{}, 3)
		for k := 0; k < 3; k++ {
			zb <- struct{}{}
		}
		full := 0
		select {
		case zb <- struct{}{}:
		default:
			full = -1
		}
		rec := -1
		select {
		case <-zb:
			rec = 0
		default:
		}
		close(zb)
		drained := 0
		ok := true
		for {
			_, ok = <-zb
			if !ok {
				break
			}
			drained++
		}
		fmt.Printf("zero-size: unbuffered=%d len=%d cap=%d full-default=%d select-recv=%d drained=%d closed-ok=%t\n", n, 3, cap(zb), full, rec, drained, ok)
	}
}
