// hello: the smallest program, for size, start-up time and system calls.
package main

import "os"

func main() {
	os.Stdout.WriteString("hello, world\n")
}
