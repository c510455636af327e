// syscall: 4 goroutines make 250,000 getppid system calls each, every one
// through entersyscall/exitsyscall (syscall.Syscall; syscall.Getppid would
// use RawSyscall, which skips them).
package main

import (
	"sync"
	"syscall"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(4)
	for i := 0; i < 4; i++ {
		go func() {
			for j := 0; j < 250000; j++ {
				syscall.Syscall(syscall.SYS_GETPPID, 0, 0, 0)
			}
			wg.Done()
		}()
	}
	wg.Wait()
}
