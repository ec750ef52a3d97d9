package main

import "fmt"

//rtool:span
func work() {
	panic(nil)
}

func main() {
	fmt.Println("start")
	work()
	fmt.Println("main went on after panic(nil)")
}
