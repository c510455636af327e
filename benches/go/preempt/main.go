// preempt: at GOMAXPROCS=1, 100 rounds of: a goroutine spins without a
// single call until main runs again. Main, runnable behind it, gets the
// P only when the spinner is preempted, after 10 ms of running
// (forcePreemptNS), so a round lasts 10 ms plus the preemption latency.
package main

import (
	"runtime"
	"sync"
	"sync/atomic"
)

func main() {
	var released int32
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		atomic.StoreInt32(&released, 0)
		wg.Add(1)
		go func() {
			for atomic.LoadInt32(&released) == 0 {
			}
			wg.Done()
		}()
		runtime.Gosched() // the spinner runs; we wait behind it
		atomic.StoreInt32(&released, 1)
		wg.Wait()
	}
}
