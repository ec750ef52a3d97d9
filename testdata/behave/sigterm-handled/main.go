package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	fmt.Println("step", step(1))
	fmt.Println("ready")
	s := <-c
	fmt.Println("got", s, "step", step(2))
}
