package main

import (
	"fmt"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	fmt.Println("step", step(1))
	fmt.Println("ready")
	time.Sleep(30 * time.Second)
	fmt.Println("not killed")
}
