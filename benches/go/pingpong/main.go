// pingpong: two goroutines pass a token over two unbuffered channels,
// 1,000,000 round trips.
package main

const n = 1000000

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			v := <-ping
			pong <- v + 1
		}
	}()
	v := 0
	for i := 0; i < n; i++ {
		ping <- v
		v = <-pong
	}
	if v != n {
		panic("lost a token")
	}
}
