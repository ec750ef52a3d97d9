package main

import (
	"context"
	"fmt"
	"os"
)

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	ctx, stop := signalContext()
	defer stop()
	fmt.Println("step", step(1))
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Println("interrupted:", context.Cause(ctx) != nil)
	os.Exit(3)
}
