// The server of scripts/bench's gRPC throughput comparison: gRPC's own
// health service (google.golang.org/grpc/health, no generated code of
// ours), unary Check, built plainly and with rtool (whose built-in gRPC
// tracing then covers it). It prints its address and serves until killed.
package main

import (
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := grpc.NewServer()
	healthpb.RegisterHealthServer(s, health.NewServer()) // "" is SERVING
	fmt.Println(l.Addr())
	if err := s.Serve(l); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
