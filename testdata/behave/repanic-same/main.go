package main

import "fmt"

//rtool:span
func inner() {
	panic("boom")
}

//rtool:span
func outer() {
	defer func() {
		r := recover()
		fmt.Println("recovered:", r)
		panic(r)
	}()
	inner()
}

func main() {
	outer()
}
