// parked: 100,000 goroutines block on one channel, then all are released.
package main

import "sync"

func main() {
	const n = 100000
	gate := make(chan int)
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-gate
			finished.Done()
		}()
	}
	started.Wait()
	close(gate)
	finished.Wait()
}
