package main

import (
	"fmt"
	"time"
)

//rtool:span
func fail(name string, after time.Duration) {
	time.Sleep(after)
	panic(name + " failed")
}

func main() {
	go fail("first", 0)
	go fail("second", 300*time.Millisecond)
	time.Sleep(5 * time.Second)
	fmt.Println("main woke: both panics were lost")
}
