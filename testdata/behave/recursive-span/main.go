package main

import "fmt"

//rtool:span
func descend(depth int) int {
	if depth == 5 {
		panic(fmt.Sprintf("too deep: %d", depth))
	}
	return descend(depth+1) + 1
}

func main() {
	fmt.Println(descend(0))
}
