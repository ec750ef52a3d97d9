package main

import "fmt"

//rtool:span
func inner() {
	panic("boom")
}

func outer() {
	defer func() {
		if r := recover(); r != nil {
			panic(fmt.Errorf("outer: %v", r))
		}
	}()
	inner()
}

func main() {
	outer()
}
