package main

import "fmt"

//rtool:span
func step(n int) int { return n + 1 }

func main() {
	fmt.Println("step", step(1))
	ch := make(chan int)
	<-ch
}
