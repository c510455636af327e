// fanout: CPU-bound work (argument: total iterations, default 400M) split
// over GOMAXPROCS goroutines.
package main

import (
	"os"
	"runtime"
	"strconv"
	"sync"
)

var total uint64 = 400000000

var results [64]uint64

func main() {
	if len(os.Args) > 1 {
		if v, err := strconv.ParseUint(os.Args[1], 10, 64); err == nil {
			total = v
		}
	}
	p := runtime.GOMAXPROCS(0)
	if p > 64 {
		p = 64
	}
	var wg sync.WaitGroup
	wg.Add(p)
	for id := 0; id < p; id++ {
		go func(id int) {
			n := total / uint64(runtime.GOMAXPROCS(0))
			x := uint64(id + 1)
			for i := uint64(0); i < n; i++ {
				x ^= x << 13 // xorshift: a dependent chain no compiler shortens
				x ^= x >> 7
				x ^= x << 17
			}
			results[id] = x
			wg.Done()
		}(id)
	}
	wg.Wait()
}
