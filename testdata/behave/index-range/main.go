package main

import (
	"fmt"
	"os"
)

//rtool:span
func pick(xs []string, i int) string {
	return xs[i]
}

func main() {
	xs := []string{"a", "b", "c"}
	fmt.Println(pick(xs, 1))
	fmt.Println(pick(xs, len(os.Args)+4))
}
