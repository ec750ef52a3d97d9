package main

import "fmt"

//rtool:span
func step(n int) int { return n + 1 }

func write(m map[int]int) {
	for i := 0; ; i++ {
		m[i%1000] = i
	}
}

func main() {
	fmt.Println("step", step(1))
	m := map[int]int{}
	// Two writers with the same stack, whichever the runtime catches.
	for i := 0; i < 2; i++ {
		go write(m)
	}
	select {}
}
