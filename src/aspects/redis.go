//go:build rtool

// Built-in tracing of github.com/redis/go-redis/v9 through its exported
// hook API: every client constructor (NewClient, NewFailoverClient,
// NewClusterClient, NewFailoverClusterClient, NewRing; NewUniversalClient
// goes through them) adds one hook, when tracing is on, that makes a
// client span per command and per pipeline or transaction (see
// rtool.invalid/support's redis.go for the attributes). A command runs
// through the hooks of nested clients too (a cluster's or a ring's node
// clients are Clients): a mark in the context passed on keeps it to the
// outermost client's span. Kept to v9.0.5 and later v9 versions (tested:
// v9.0.5 and v9.23.0); other versions build unchanged.
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

//rtool:aspect builtin.redis-hook
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0")
//rtool:inject

// rtoolHook is rtool's go-redis hook; addr, port and ns describe the
// client's configuration (empty where it names no single server, or no
// database index).
type rtoolHook struct {
	addr string
	port int64
	ns   string
}

// rtoolInHook marks the context of a command already in a span.
type rtoolInHook struct{}

func rtoolNewHook(network, addr, ns string) rtoolHook {
	if network == "unix" {
		return rtoolHook{addr: addr, ns: ns}
	}
	h := rtoolHook{ns: ns}
	if i := len(addr) - 1; i >= 0 {
		for i >= 0 && addr[i] != ':' {
			i--
		}
		if i < 0 {
			h.addr = addr
			return h
		}
		if p, err := strconv.Atoi(addr[i+1:]); err == nil {
			h.port = int64(p)
		}
		h.addr = addr[:i]
		if len(h.addr) > 1 && h.addr[0] == '[' && h.addr[len(h.addr)-1] == ']' {
			h.addr = h.addr[1 : len(h.addr)-1]
		}
	}
	return h
}

func (h rtoolHook) DialHook(next DialHook) DialHook { return next }

func (h rtoolHook) ProcessHook(next ProcessHook) ProcessHook {
	return func(ctx context.Context, cmd Cmder) (err error) {
		if ctx == nil || ctx.Value(rtoolInHook{}) != nil || !support.Enabled() {
			return next(ctx, cmd)
		}
		rtoolSpan := support.StartRedis(ctx, [][]any{cmd.Args()}, false, false, h.addr, h.port, h.ns)
		defer func() {
			e := err // the command's error, without changing what is returned
			if e == nil {
				e = cmd.Err()
			}
			rtoolEndRedis(rtoolSpan, e, recover())
		}()
		return next(context.WithValue(ctx, rtoolInHook{}, true), cmd)
	}
}

func (h rtoolHook) ProcessPipelineHook(next ProcessPipelineHook) ProcessPipelineHook {
	return func(ctx context.Context, cmds []Cmder) (err error) {
		if ctx == nil || ctx.Value(rtoolInHook{}) != nil || !support.Enabled() {
			return next(ctx, cmds)
		}
		// A transaction comes as MULTI, its commands, EXEC.
		inner, multi := cmds, false
		if n := len(cmds); n >= 2 && cmds[0].Name() == "multi" && cmds[n-1].Name() == "exec" {
			inner, multi = cmds[1:n-1], true
		}
		args := make([][]any, len(inner))
		for i, c := range inner {
			args[i] = c.Args()
		}
		rtoolSpan := support.StartRedis(ctx, args, true, multi, h.addr, h.port, h.ns)
		defer func() {
			e := err
			for _, c := range cmds {
				if e != nil && e != Nil {
					break
				}
				e = c.Err()
			}
			rtoolEndRedis(rtoolSpan, e, recover())
		}()
		return next(context.WithValue(ctx, rtoolInHook{}, true), cmds)
	}
}

// rtoolEndRedis: redis.Nil is an answer (no such key), not a failure.
func rtoolEndRedis(s *support.Span, err error, recovered any) {
	if err == Nil {
		err = nil
	}
	var rtoolServerErr Error
	support.EndRedis(s, err, err != nil && errors.As(err, &rtoolServerErr), recovered)
}

//rtool:aspect builtin.redis-client
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && function(name=NewClient, receiver=none)
//rtool:prepend
func _() {
	if support.Enabled() {
		defer func() {
			if RtoolResult0 != nil {
				rtoolOpt := RtoolResult0.Options()
				RtoolResult0.AddHook(rtoolNewHook(rtoolOpt.Network, rtoolOpt.Addr, strconv.Itoa(rtoolOpt.DB)))
			}
		}()
	}
}

// A failover client's address is the current master's, found through the
// sentinels: no server.address.
//
//rtool:aspect builtin.redis-failover
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && function(name=NewFailoverClient, receiver=none)
//rtool:prepend
func _() {
	if support.Enabled() {
		defer func() {
			if RtoolResult0 != nil {
				RtoolResult0.AddHook(rtoolNewHook("", "", strconv.Itoa(RtoolResult0.Options().DB)))
			}
		}()
	}
}

// A cluster has no database index but 0, and names a server only when
// configured with one address.
//
//rtool:aspect builtin.redis-cluster
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && (function(name=NewClusterClient, receiver=none) || function(name=NewFailoverClusterClient, receiver=none))
//rtool:prepend
func _() {
	if support.Enabled() {
		defer func() {
			if RtoolResult0 != nil {
				rtoolAddr := ""
				if rtoolAddrs := RtoolResult0.Options().Addrs; len(rtoolAddrs) == 1 {
					rtoolAddr = rtoolAddrs[0]
				}
				RtoolResult0.AddHook(rtoolNewHook("", rtoolAddr, ""))
			}
		}()
	}
}

//rtool:aspect builtin.redis-ring
//rtool:where package(github.com/redis/go-redis/v9) && module-version(min="v9.0.5", below="v10.0.0") && function(name=NewRing, receiver=none)
//rtool:prepend
func _() {
	if support.Enabled() {
		defer func() {
			if RtoolResult0 != nil {
				rtoolOpt := RtoolResult0.Options()
				rtoolAddr := ""
				if len(rtoolOpt.Addrs) == 1 {
					for _, rtoolA := range rtoolOpt.Addrs {
						rtoolAddr = rtoolA
					}
				}
				RtoolResult0.AddHook(rtoolNewHook("", rtoolAddr, strconv.Itoa(rtoolOpt.DB)))
			}
		}()
	}
}
