package main

import "fmt"

//rtool:span
func work() {
	defer func() {
		panic("second")
	}()
	panic("first")
}

func main() {
	fmt.Println("start")
	work()
}
