package main

import (
	"fmt"
	"io"
	"os"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	fmt.Println("step", step(1))
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin) // until the harness closes stdin, after the signal
	fmt.Println("survived, step", step(2))
}
