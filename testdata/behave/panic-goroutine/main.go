package main

import (
	"fmt"
	"time"
)

//rtool:span
func job(n int) {
	if n > 1 {
		panic("background job failed")
	}
}

func main() {
	go func() {
		job(1)
		job(2)
	}()
	time.Sleep(5 * time.Second)
	fmt.Println("main woke: the goroutine's panic was lost")
}
