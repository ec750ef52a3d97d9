package support

import (
	"context"
	"strconv"
	"strings"
)

// Redis client spans (rtool's src/aspect/builtin/redis.go calls these from
// inside go-redis, under the program's hooks), after OpenTelemetry
// semantic conventions v1.44.0 for Redis: db.system.name `redis`;
// db.operation.name the command (`SET`), or for a pipeline or transaction `PIPELINE`/`MULTI`, followed by the
// command when all are the same (`PIPELINE SET`), with
// db.operation.batch.size (not for a batch of one); the span named by
// db.operation.name (the conventions keep db.namespace, the database
// index the client was configured with, out of the name); db.query.text
// only as RTOOL_DB_QUERY_TEXT allows: sanitized (the default) keeps the
// command name and replaces every argument, keys included, by `?`
// (`SET ? ?`); raw writes the arguments (but never AUTH's or HELLO's);
// off leaves it out. A server error's prefix (`ERR`, `WRONGTYPE`) is
// db.response.status_code and error.type.

// StartRedis begins the span of one command (batch false: cmds holds
// one) or of a pipeline, a transaction when multi (cmds: the commands
// between MULTI and EXEC). Each command is its arguments, the name first.
// addr, port and ns come from the client's configuration ("" and 0 when it
// has none that fits).
func StartRedis(ctx context.Context, cmds [][]any, batch, multi bool, addr string, port int64, ns string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	op := redisOperation(cmds, batch, multi)
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", op, KindClient, nil)
	if !s.Sampled {
		return s
	}
	attrs := make([]Attr, 0, 9)
	attrs = append(attrs, String("db.system.name", "redis"), String("db.operation.name", op))
	if batch && len(cmds) != 1 {
		attrs = append(attrs, Int("db.operation.batch.size", int64(len(cmds))))
	}
	if ns != "" {
		attrs = append(attrs, String("db.namespace", ns))
	}
	if addr != "" {
		attrs = append(attrs, String("server.address", addr))
		if port > 0 {
			attrs = append(attrs, Int("server.port", port))
		}
	}
	if mode := queryTextMode(rec); mode != queryOff && len(cmds) > 0 {
		attrs = append(attrs, String("db.query.text", redisText(cmds, mode == queryRaw, rec.limits.query)))
	}
	s.Attrs = attrs
	return s
}

// EndRedis ends a Redis span with the operation's error (the caller leaves
// out redis.Nil, which is an answer). serverErr: err is the server's
// error reply, whose first word is its prefix.
func EndRedis(s *Span, err error, serverErr bool) {
	if s != nil && err != nil {
		t := ""
		if serverErr {
			t = redisErrorPrefix(err.Error())
		}
		if t != "" {
			s.SetAttributes(String("db.response.status_code", t), String("error.type", t))
		} else {
			s.SetAttributes(String("error.type", ErrorType(err)))
		}
		s.SetStatus(StatusError, err.Error())
	}
	s.EndDeferred()
}

// redisErrorPrefix: the first word of a server error, when it is a prefix
// as Redis writes them (capitals, `ERR`, `WRONGTYPE`, `NOSCRIPT`).
func redisErrorPrefix(msg string) string {
	end := strings.IndexByte(msg, ' ')
	if end < 0 {
		end = len(msg)
	}
	if end == 0 || end > 32 {
		return ""
	}
	for i := 0; i < end; i++ {
		if c := msg[i]; !('A' <= c && c <= 'Z' || c == '_' || '0' <= c && c <= '9') {
			return ""
		}
	}
	return msg[:end]
}

// redisName is a command's name in capitals.
func redisName(args []any) string {
	if len(args) == 0 {
		return ""
	}
	name, _ := args[0].(string)
	return strings.ToUpper(name)
}

func redisOperation(cmds [][]any, batch, multi bool) string {
	if !batch {
		if len(cmds) == 0 {
			return "redis"
		}
		if n := redisName(cmds[0]); n != "" {
			return n
		}
		return "redis"
	}
	op := "PIPELINE"
	if multi {
		op = "MULTI"
	}
	if len(cmds) == 0 {
		return op
	}
	first := redisName(cmds[0])
	for _, c := range cmds[1:] {
		if redisName(c) != first {
			return op
		}
	}
	if first == "" {
		return op
	}
	return op + " " + first
}

// redisText is db.query.text: the commands as redis-cli would take them,
// separated by `; `, every argument `?` unless raw (and AUTH's and
// HELLO's then too), cut at max characters as it is built.
func redisText(cmds [][]any, raw bool, max int) string {
	b := newTextBuilder(max, 64)
	for i, c := range cmds {
		if b.full() {
			break
		}
		if i > 0 {
			b.str("; ")
		}
		name := redisName(c)
		b.str(name)
		secret := name == "AUTH" || name == "HELLO"
		for j := 1; j < len(c) && !b.full(); j++ {
			b.char(' ')
			if bs, ok := c[j].([]byte); ok && raw && !secret {
				b.str(string(bs[:min(len(bs), b.room)])) // not a copy of all of it
			} else if raw && !secret {
				b.str(redisArg(c[j]))
			} else {
				b.char('?')
			}
		}
	}
	return b.String()
}

// redisArg is an argument's text as go-redis would send it.
func redisArg(a any) string {
	switch x := a.(type) {
	case []byte:
		return string(x)
	case nil:
		return ""
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return text(Any("", x).Value())
	}
	return text(a)
}
