// A closed-loop gRPC load generator for scripts/bench: C goroutines call
// the health service's unary Check over one client connection for D
// seconds (after a warm-up) and it prints the completed calls per second
// during those D seconds, and the calls completed in all, as
// testdata/tracebench/load does. With -once it makes one call and prints
// the status it got. Every call must succeed and answer SERVING. Built
// without rtool.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	addr := flag.String("addr", "", "server address")
	conc := flag.Int("c", 16, "concurrent callers")
	dur := flag.Duration("d", 3*time.Second, "measured duration")
	warm := flag.Duration("warmup", 500*time.Millisecond, "warm-up")
	once := flag.Bool("once", false, "make one call and print its status")
	flag.Parse()
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail(err)
	}
	client := healthpb.NewHealthClient(conn)
	call := func() {
		resp, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err != nil {
			fail(err)
		}
		if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			fail(fmt.Errorf("status %v", resp.GetStatus()))
		}
	}
	if *once {
		call()
		fmt.Println(healthpb.HealthCheckResponse_SERVING)
		return
	}
	var count, total atomic.Int64
	var measuring atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < *conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				call()
				total.Add(1)
				if measuring.Load() {
					count.Add(1)
				}
			}
		}()
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

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
