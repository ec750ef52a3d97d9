package main

import (
	"fmt"
	"runtime"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	fmt.Println("step", step(1))
	go func() {
		time.Sleep(50 * time.Millisecond)
		fmt.Println("worker done")
	}()
	runtime.Goexit()
}
