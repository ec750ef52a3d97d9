package main

import (
	"fmt"
	"log"
	"os"
	"sync"
	"time"
)

//rtool:span
func step(n int) int { return n + 1 }

// firstLine writes the first line it is given to stderr, and drops the rest.
type firstLine struct {
	mu   sync.Mutex
	done bool
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.done = true
		os.Stderr.Write(p)
	}
	return len(p), nil
}

func main() {
	log.SetFlags(0)
	log.SetOutput(&firstLine{})
	start := make(chan struct{})
	var ready sync.WaitGroup
	for i := 0; i < 4; i++ {
		ready.Add(1)
		go func(i int) {
			step(i)
			ready.Done()
			<-start
			log.Fatal("worker failed")
		}(i)
	}
	ready.Wait()
	fmt.Println("start")
	close(start)
	time.Sleep(5 * time.Second)
	fmt.Println("main woke: nobody exited")
}
