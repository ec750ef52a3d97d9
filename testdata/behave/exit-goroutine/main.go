package main

import (
	"fmt"
	"os"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	go func() {
		fmt.Println("goroutine: step", step(2))
		os.Exit(4)
	}()
	time.Sleep(5 * time.Second)
	fmt.Println("main woke: the goroutine did not exit")
}
