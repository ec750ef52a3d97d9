package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	fmt.Println("step", step(1))
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	signal.Stop(c)
	fmt.Println("ready")
	time.Sleep(30 * time.Second)
	fmt.Println("not killed")
}
