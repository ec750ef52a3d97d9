package main

import (
	"fmt"
	"runtime"
	"sync"
)

//rtool:span
func quit() {
	defer fmt.Println("quit: deferred")
	runtime.Goexit()
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		quit()
		fmt.Println("not reached")
	}()
	wg.Wait()
	fmt.Println("done")
}
