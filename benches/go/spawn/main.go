// spawn: 1,000,000 goroutines each add 1 to a counter; wait for all.
package main

import (
	"sync"
	"sync/atomic"
)

func main() {
	const n = 1000000
	var counter int64
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			atomic.AddInt64(&counter, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	if counter != n {
		panic("lost goroutines")
	}
}
