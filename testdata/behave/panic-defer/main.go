package main

import "fmt"

//rtool:span
func cleanup() {
	panic("cleanup failed")
}

func main() {
	defer cleanup()
	fmt.Println("main body done")
}
