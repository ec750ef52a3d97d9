package main

import (
	"fmt"
	"os"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	fmt.Println("step", step(1))
	fmt.Fprintln(os.Stderr, "exiting with 3")
	os.Exit(3)
}
