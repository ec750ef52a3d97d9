package main

import (
	"fmt"
	"runtime"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

// main calls Goexit; the last other goroutine ends 3 s later, when the
// span's export is over.
func main() {
	fmt.Println("step", step(1))
	go func() {
		time.Sleep(3 * time.Second)
		fmt.Println("worker done")
	}()
	runtime.Goexit()
}
