package main

import (
	"fmt"
	"time"
)

//rtool:span
func work() {
	panic(nil)
}

func main() {
	go work()
	time.Sleep(5 * time.Second)
	fmt.Println("main woke: the goroutine's panic(nil) was lost")
}
