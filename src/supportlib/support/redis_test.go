package support

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedisOperationAndText(t *testing.T) {
	set := []any{"set", "user:1", "s3cret"}
	get := []any{"get", []byte("k")}
	for _, c := range []struct {
		cmds          [][]any
		batch, multi  bool
		op, text, raw string
	}{
		{[][]any{set}, false, false, "SET", "SET ? ?", "SET user:1 s3cret"},
		{[][]any{{"auth", "user", "pw"}}, false, false, "AUTH", "AUTH ? ?", "AUTH ? ?"},
		{[][]any{set, set}, true, false, "PIPELINE SET", "SET ? ?; SET ? ?", "SET user:1 s3cret; SET user:1 s3cret"},
		{[][]any{set, get}, true, true, "MULTI", "SET ? ?; GET ?", "SET user:1 s3cret; GET k"},
		{[][]any{{"incrbyfloat", "f", 1.5}, {"expire", "f", int64(10)}}, true, false, "PIPELINE", "INCRBYFLOAT ? ?; EXPIRE ? ?", "INCRBYFLOAT f 1.5; EXPIRE f 10"},
		{nil, true, false, "PIPELINE", "", ""},
	} {
		if op := redisOperation(c.cmds, c.batch, c.multi); op != c.op {
			t.Errorf("operation of %v: %q, want %q", c.cmds, op, c.op)
		}
		if got := redisText(c.cmds, false, -1); got != c.text {
			t.Errorf("sanitized %v: %q, want %q", c.cmds, got, c.text)
		}
		if got := redisText(c.cmds, true, -1); got != c.raw {
			t.Errorf("raw %v: %q, want %q", c.cmds, got, c.raw)
		}
	}
	for _, arg := range []any{strings.Repeat("é", 4000), []byte(strings.Repeat("é", 4000))} {
		long := redisText([][]any{{"set", "k", arg}, {"get", "k"}}, true, 2048)
		if utf8.RuneCountInString(long) != 2048 || !strings.HasPrefix(long, "SET k é") || !utf8.ValidString(long) {
			t.Errorf("long raw text: %d characters, valid UTF-8: %v", utf8.RuneCountInString(long), utf8.ValidString(long))
		}
	}
}

func TestRedisErrorPrefix(t *testing.T) {
	for msg, want := range map[string]string{
		"WRONGTYPE Operation against a key": "WRONGTYPE",
		"ERR unknown command":               "ERR",
		"NOSCRIPT":                          "NOSCRIPT",
		"redis: client is closed":           "",
		"":                                  "",
	} {
		if got := redisErrorPrefix(msg); got != want {
			t.Errorf("prefix of %q: %q, want %q", msg, got, want)
		}
	}
}

func TestServerOfURL(t *testing.T) {
	for u, want := range map[string]struct {
		host string
		port int64
	}{
		"nats://127.0.0.1:4222":            {"127.0.0.1", 4222},
		"tls://user:pa@ss@example.com:443": {"example.com", 443},
		"nats://[::1]:4222/x":              {"::1", 4222},
		"":                                 {"", 0},
	} {
		if h, p := serverOfURL(u); h != want.host || p != want.port {
			t.Errorf("server of %q: %q %d, want %q %d", u, h, p, want.host, want.port)
		}
	}
}
