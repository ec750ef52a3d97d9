// One request through every integration rtool ships beyond the standard
// library: HTTP routed by chi → gRPC (unary, in the same process, over
// loopback) → Redis, PostgreSQL through pgx, and a NATS publish, whose
// consumer writes to Redis again. The code has no tracing in it: rtool's
// built-in aspects make one trace of it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var consumed atomic.Int64

func main() {
	addrFile := flag.String("addr", "", "file to write the HTTP address to")
	redisAddr := flag.String("redis", "", "Redis address")
	natsURL := flag.String("nats", "", "NATS URL")
	dsn := flag.String("dsn", "", "PostgreSQL data source")
	flag.Parse()
	ctx := context.Background()

	rdb := redis.NewClient(&redis.Options{Addr: *redisAddr})
	pool, err := pgxpool.New(ctx, *dsn)
	check(err)
	nc, err := nats.Connect(*natsURL)
	check(err)
	_, err = nc.Subscribe("orders.viewed", func(m *nats.Msg) {
		rdb.Incr(context.Background(), "views:"+string(m.Data))
		consumed.Add(1)
	})
	check(err)
	check(nc.Flush())

	// The gRPC service, registered by hand (no generated code): its
	// messages are raw bytes.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	gs := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}))
	gs.RegisterService(&ordersDesc, &orders{rdb: rdb, pool: pool, nc: nc})
	go gs.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	check(err)

	r := chi.NewRouter()
	r.Get("/orders/{id}", func(w http.ResponseWriter, req *http.Request) {
		var name []byte
		if err := conn.Invoke(req.Context(), "/shop.Orders/Get", []byte(chi.URLParam(req, "id")), &name); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "order %s\n", name)
	})
	// Waits until the consumer has handled n messages (its spans have ended).
	r.Get("/consumed/{n}", func(w http.ResponseWriter, req *http.Request) {
		want := chi.URLParam(req, "n")
		for i := 0; i < 200 && fmt.Sprint(consumed.Load()) != want; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Fprintln(w, consumed.Load())
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	check(os.WriteFile(*addrFile, []byte(ln.Addr().String()), 0o644))
	log.Fatal(http.Serve(ln, r))
}

type orders struct {
	rdb  *redis.Client
	pool *pgxpool.Pool
	nc   *nats.Conn
}

// Get reads the order's name from the Redis cache, else from PostgreSQL
// (caching it), and announces the view on NATS.
func (o *orders) Get(ctx context.Context, id string) (string, error) {
	name, err := o.rdb.Get(ctx, "order:"+id).Result()
	if errors.Is(err, redis.Nil) {
		if err := o.pool.QueryRow(ctx, "SELECT name FROM orders WHERE id = $1", id).Scan(&name); err != nil {
			return "", err
		}
		if err := o.rdb.Set(ctx, "order:"+id, name, time.Minute).Err(); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	return name, o.nc.Publish("orders.viewed", []byte(id))
}

type ordersServer interface {
	Get(ctx context.Context, id string) (string, error)
}

var ordersDesc = grpc.ServiceDesc{
	ServiceName: "shop.Orders",
	HandlerType: (*ordersServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Get",
		Handler: func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
			var id []byte
			if err := dec(&id); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				name, err := srv.(ordersServer).Get(ctx, string(*req.(*[]byte)))
				return []byte(name), err
			}
			if in == nil {
				return h(ctx, &id)
			}
			return in(ctx, &id, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/shop.Orders/Get"}, h)
		},
	}},
}

// rawCodec carries messages as the bytes they are.
type rawCodec struct{}

func (rawCodec) Name() string { return "raw" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case []byte:
		return m, nil
	case *[]byte:
		return *m, nil
	}
	return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*p = append([]byte(nil), data...)
	return nil
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
