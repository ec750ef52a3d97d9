package main

import "fmt"

//rtool:span
func work(n int) int {
	if n == 3 {
		panic(fmt.Sprintf("disk full at %d", n))
	}
	return n
}

//rtool:span
func run() {
	for i := 0; i < 5; i++ {
		fmt.Println("work", work(i))
	}
}

func main() {
	run()
	fmt.Println("not reached")
}
