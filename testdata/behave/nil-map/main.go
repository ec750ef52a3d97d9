package main

import "fmt"

//rtool:span
func record(m map[string]int, k string) {
	m[k]++
}

func main() {
	var counts map[string]int
	fmt.Println("recording")
	record(counts, "a")
}
