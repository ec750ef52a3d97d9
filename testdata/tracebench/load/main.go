// A closed-loop HTTP load generator for scripts/bench: C keep-alive
// connections send GET requests for D seconds (after a warm-up) and it
// prints the completed requests per second during those D seconds, and
// the requests completed in all. Built without rtool.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "", "server address")
	conns := flag.Int("c", 16, "connections")
	dur := flag.Duration("d", 3*time.Second, "measured duration")
	warm := flag.Duration("warmup", 500*time.Millisecond, "warm-up")
	flag.Parse()
	var count, total atomic.Int64
	var measuring atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.Dial("tcp", *addr)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			req := []byte(fmt.Sprintf("GET /items/%d HTTP/1.1\r\nHost: %s\r\n\r\n", i, *addr))
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Write(req); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					fmt.Fprintln(os.Stderr, "status", resp.StatusCode)
					os.Exit(1)
				}
				total.Add(1)
				if measuring.Load() {
					count.Add(1)
				}
			}
		}(i)
	}
	time.Sleep(*warm)
	measuring.Store(true)
	start := time.Now()
	time.Sleep(*dur)
	n := count.Load()
	took := time.Since(start)
	close(stop)
	fmt.Printf("%.1f %d\n", float64(n)/took.Seconds(), total.Load())
	os.Exit(0)
}
