package main

import "fmt"

//rtool:span
func step(n int) int { return n * 2 }

func main() {
	sum := 0
	for i := 0; i < 3; i++ {
		sum += step(i)
	}
	fmt.Println("sum", sum)
}
