package main

import "fmt"

//rtool:span
func work(n int) int {
	if n == 2 {
		panic(fmt.Sprintf("bad %d", n))
	}
	return n
}

func safe(n int) (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return work(n), nil
}

func main() {
	for i := 0; i < 4; i++ {
		fmt.Println(safe(i))
	}
}
