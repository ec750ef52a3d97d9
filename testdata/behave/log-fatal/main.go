package main

import (
	"fmt"
	"log"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	log.SetFlags(0)
	fmt.Println("step", step(6))
	log.Fatalf("fatal: %d", 7)
}
