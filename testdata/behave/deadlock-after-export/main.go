package main

import (
	"fmt"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

// The span's export (after the one-second batch period) is over when the
// program deadlocks: nothing of the exporter's (a connection's deadline,
// a stopped timer the network poller still sleeps towards) may delay the
// runtime's deadlock detector.
func main() {
	fmt.Println("step", step(1))
	time.Sleep(3 * time.Second)
	ch := make(chan int)
	<-ch
}
