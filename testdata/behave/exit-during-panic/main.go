package main

import (
	"fmt"
	"os"
)

//rtool:span
func work() {
	panic("work failed")
}

func main() {
	defer func() {
		fmt.Println("cleanup, then exit 3")
		os.Exit(3)
	}()
	work()
}
