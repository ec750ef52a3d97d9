package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	start := make(chan struct{})
	var ready sync.WaitGroup
	for i := 0; i < 8; i++ {
		ready.Add(1)
		go func(i int) {
			step(i)
			ready.Done()
			<-start
			os.Exit(5)
		}(i)
	}
	ready.Wait()
	fmt.Println("start")
	close(start)
	time.Sleep(5 * time.Second)
	fmt.Println("main woke: nobody exited")
}
