package main

import "fmt"

//rtool:span
func work() {
	panic(nil)
}

func call() (out string) {
	defer func() {
		out = fmt.Sprint("recover: ", recover())
	}()
	work()
	return "returned normally"
}

func main() {
	fmt.Println(call())
}
