//go:build rtool

// Built-in tracing of github.com/redis/go-redis/v9 from inside the
// library: the methods every client's hook chain ends in (the innermost
// "hooks" go-redis itself installs) make a client span per command and
// per pipeline or transaction (see rtool.invalid/support's redis.go for
// the attributes). No hook is added, so a program's hooks, its
// autopipeliner and go-redis's own tests see the clients they made. The
// advised methods: (*baseClient).process, processPipeline and
// processTxPipeline (Client, Conn, Tx, the failover and sentinel
// clients), (*ClusterClient).process, processPipeline and
// processTxPipeline, (*Ring).process and generalProcessPipeline. A
// command that passes through nested clients (a cluster's or a ring's
// node clients; the commands a client sends to set up a connection while
// a command waits for it) gets one span, the outermost's: a mark in the
// context passed on says a span is open. Kept to v9.0.5 and later v9
// versions (tested: v9.0.5 and v9.23.0); other versions build unchanged.
package aspects

import (
	"context"
	"errors"
	"strconv"

	"rtool.invalid/support"
)

//rtool:aspect builtin.redis-otlp
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0")
//rtool:import rtool.invalid/support/otlp

//rtool:aspect builtin.redis-helpers
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0")
//rtool:inject

// rtoolRedisServer is where a client's commands go, as its configuration
// says: address, port and database index ("" and 0 where it names no
// single server, or no database index).
type rtoolRedisServer struct {
	addr string
	port int64
	ns   string
}

// rtoolInSpan marks the context of a command already in a span.
type rtoolInSpan struct{}

// rtoolClientServer describes a Client's (a Conn's, a Tx's) server. A
// failover client's address is the current master's, found through the
// sentinels: none (go-redis configures it as "FailoverClient").
func rtoolClientServer(opt *Options) rtoolRedisServer {
	if opt == nil {
		return rtoolRedisServer{}
	}
	ns := strconv.Itoa(opt.DB)
	switch {
	case opt.Addr == "FailoverClient":
		return rtoolRedisServer{ns: ns}
	case opt.Network == "unix":
		return rtoolRedisServer{addr: opt.Addr, ns: ns}
	}
	s := rtoolHostPort(opt.Addr)
	s.ns = ns
	return s
}

// rtoolHostPort splits host:port ([v6]:port); a port that is not a number
// is left out.
func rtoolHostPort(addr string) rtoolRedisServer {
	i := len(addr) - 1
	for i >= 0 && addr[i] != ':' {
		i--
	}
	if i < 0 {
		return rtoolRedisServer{addr: addr}
	}
	var s rtoolRedisServer
	if p, err := strconv.Atoi(addr[i+1:]); err == nil {
		s.port = int64(p)
	}
	s.addr = addr[:i]
	if len(s.addr) > 1 && s.addr[0] == '[' && s.addr[len(s.addr)-1] == ']' {
		s.addr = s.addr[1 : len(s.addr)-1]
	}
	return s
}

// rtoolOneServer: a cluster or ring names a server only when configured
// with exactly one address.
func rtoolOneServer(addrs []string, ns string) rtoolRedisServer {
	var s rtoolRedisServer
	if len(addrs) == 1 {
		s = rtoolHostPort(addrs[0])
	}
	s.ns = ns
	return s
}

// rtoolRingServer: a ring's shards are a map, named only when there is one.
func rtoolRingServer(opt *RingOptions) rtoolRedisServer {
	var addrs []string
	for _, a := range opt.Addrs {
		addrs = append(addrs, a)
	}
	return rtoolOneServer(addrs, strconv.Itoa(opt.DB))
}

// rtoolRedisStart begins the span of one command, unless ctx is already
// in one (then nil), and returns the context to pass on.
func rtoolRedisStart(ctx context.Context, cmd Cmder, srv rtoolRedisServer) (context.Context, *support.Span) {
	if ctx == nil || ctx.Value(rtoolInSpan{}) != nil {
		return ctx, nil
	}
	s := support.StartRedis(ctx, [][]any{cmd.Args()}, false, false, srv.addr, srv.port, srv.ns)
	return context.WithValue(ctx, rtoolInSpan{}, true), s
}

// rtoolRedisEnd ends a command's span with the error returned, else the
// command's own.
func rtoolRedisEnd(s *support.Span, err error, cmd Cmder) {
	if s == nil {
		return
	}
	if err == nil {
		err = rtoolCmdErr(cmd)
	}
	rtoolEndRedis(s, err)
}

// rtoolPipelineStart is rtoolRedisStart for a pipeline; a transaction
// comes as MULTI, its commands, EXEC.
func rtoolPipelineStart(ctx context.Context, cmds []Cmder, srv rtoolRedisServer) (context.Context, *support.Span) {
	if ctx == nil || ctx.Value(rtoolInSpan{}) != nil {
		return ctx, nil
	}
	inner, multi := cmds, false
	if n := len(cmds); n >= 2 && cmds[0].Name() == "multi" && cmds[n-1].Name() == "exec" {
		inner, multi = cmds[1:n-1], true
	}
	args := make([][]any, len(inner))
	for i, c := range inner {
		args[i] = c.Args()
	}
	s := support.StartRedis(ctx, args, true, multi, srv.addr, srv.port, srv.ns)
	return context.WithValue(ctx, rtoolInSpan{}, true), s
}

// rtoolPipelineEnd ends a pipeline's span with the error returned, else
// the first of its commands' (redis.Nil is an answer: the next one's).
func rtoolPipelineEnd(s *support.Span, err error, cmds []Cmder) {
	if s == nil {
		return
	}
	for _, c := range cmds {
		if err != nil && err != Nil {
			break
		}
		err = rtoolCmdErr(c)
	}
	rtoolEndRedis(s, err)
}

// rtoolCmdErr is a command's error without waiting: from v9.22.0 Err
// blocks until an autopipelined command has run, which it has not while
// the method that runs it returns (rawErr does not block); before, Err
// never waits.
func rtoolCmdErr(c Cmder) error {
	if r, ok := c.(interface{ rawErr() error }); ok {
		return r.rawErr()
	}
	return c.Err()
}

// rtoolEndRedis: redis.Nil is an answer (no such key), not a failure.
func rtoolEndRedis(s *support.Span, err error) {
	if err == Nil {
		err = nil
	}
	var rtoolServerErr Error
	support.EndRedis(s, err, err != nil && errors.As(err, &rtoolServerErr))
}

//rtool:aspect builtin.redis-client
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && function(name=process, receiver=*baseClient)
//rtool:prepend
func _() {
	if support.Enabled() {
		var rtoolSpan *support.Span
		if RtoolParam0, rtoolSpan = rtoolRedisStart(RtoolParam0, RtoolParam1, rtoolClientServer(RtoolReceiver.opt)); rtoolSpan != nil {
			defer func() { rtoolRedisEnd(rtoolSpan, RtoolResult0, RtoolParam1) }()
		}
	}
}

//rtool:aspect builtin.redis-client-pipeline
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0")
//rtool:where function(name=processPipeline, receiver=*baseClient) || function(name=processTxPipeline, receiver=*baseClient)
//rtool:prepend
func _() {
	if support.Enabled() {
		var rtoolSpan *support.Span
		if RtoolParam0, rtoolSpan = rtoolPipelineStart(RtoolParam0, RtoolParam1, rtoolClientServer(RtoolReceiver.opt)); rtoolSpan != nil {
			defer func() { rtoolPipelineEnd(rtoolSpan, RtoolResult0, RtoolParam1) }()
		}
	}
}

// A cluster has no database index but 0, which it does not name.
//
//rtool:aspect builtin.redis-cluster
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && function(name=process, receiver=*ClusterClient)
//rtool:prepend
func _() {
	if support.Enabled() {
		var rtoolSpan *support.Span
		if RtoolParam0, rtoolSpan = rtoolRedisStart(RtoolParam0, RtoolParam1, rtoolOneServer(RtoolReceiver.opt.Addrs, "")); rtoolSpan != nil {
			defer func() { rtoolRedisEnd(rtoolSpan, RtoolResult0, RtoolParam1) }()
		}
	}
}

//rtool:aspect builtin.redis-cluster-pipeline
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0")
//rtool:where function(name=processPipeline, receiver=*ClusterClient) || function(name=processTxPipeline, receiver=*ClusterClient)
//rtool:prepend
func _() {
	if support.Enabled() {
		var rtoolSpan *support.Span
		if RtoolParam0, rtoolSpan = rtoolPipelineStart(RtoolParam0, RtoolParam1, rtoolOneServer(RtoolReceiver.opt.Addrs, "")); rtoolSpan != nil {
			defer func() { rtoolPipelineEnd(rtoolSpan, RtoolResult0, RtoolParam1) }()
		}
	}
}

//rtool:aspect builtin.redis-ring
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && function(name=process, receiver=*Ring)
//rtool:prepend
func _() {
	if support.Enabled() {
		var rtoolSpan *support.Span
		if RtoolParam0, rtoolSpan = rtoolRedisStart(RtoolParam0, RtoolParam1, rtoolRingServer(RtoolReceiver.opt)); rtoolSpan != nil {
			defer func() { rtoolRedisEnd(rtoolSpan, RtoolResult0, RtoolParam1) }()
		}
	}
}

//rtool:aspect builtin.redis-ring-pipeline
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && function(name=generalProcessPipeline, receiver=*Ring)
//rtool:prepend
func _() {
	if support.Enabled() {
		var rtoolSpan *support.Span
		if RtoolParam0, rtoolSpan = rtoolPipelineStart(RtoolParam0, RtoolParam1, rtoolRingServer(RtoolReceiver.opt)); rtoolSpan != nil {
			defer func() { rtoolPipelineEnd(rtoolSpan, RtoolResult0, RtoolParam1) }()
		}
	}
}
