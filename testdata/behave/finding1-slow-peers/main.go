package main

import (
	"fmt"
	"sync"
	"time"
)

//rtool:span
func process(id int) {
	if id == 2 {
		panic(fmt.Sprintf("worker %d: bad input", id))
	}
	time.Sleep(200 * time.Millisecond)
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			process(id)
		}(i)
	}
	wg.Wait()
	fmt.Println("all done")
}
