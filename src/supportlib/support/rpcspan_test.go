package support

import (
	"context"
	"testing"
)

// gRPC spans: names, target parsing, which codes are errors on each side,
// the remote parent, and a stream's span that is not left current.
func TestGRPCSpans(t *testing.T) {
	m := &memory{}
	use(t, sampler{bound: 1 << 63}, m)
	for _, c := range []struct {
		target string
		host   string
		port   int64
	}{
		{"grpc.io:50051", "grpc.io", 50051},
		{"dns://1.2.3.4/grpc.io:50051", "grpc.io", 50051},
		{"dns:///grpc.io:50051", "grpc.io", 50051},
		{"passthrough:///127.0.0.1:9", "127.0.0.1", 9},
		{"[::1]:9", "::1", 9},
		{"unix:///run/x.sock", "/run/x.sock", 0},
		{"unix:rel.sock", "rel.sock", 0},
		{"zk://zookeeper:2181/my-server", "zk://zookeeper:2181/my-server", 0},
		{"grpc.io", "grpc.io", 0},
	} {
		if h, p := grpcTarget(c.target); h != c.host || p != c.port {
			t.Errorf("grpcTarget(%q) = %q, %d", c.target, h, p)
		}
	}
	if GRPCCodeName(5) != "NOT_FOUND" || GRPCCodeName(16) != "UNAUTHENTICATED" || GRPCCodeName(17) != "17" {
		t.Errorf("code names")
	}

	for _, c := range []struct {
		code                 uint32
		serverErr, clientErr bool
	}{
		{0, false, false}, {1, false, true}, {2, true, true}, {4, true, true}, {5, false, true},
		{12, true, true}, {13, true, true}, {14, true, true}, {15, true, true}, {16, false, true},
	} {
		s := StartGRPCServer("/pkg.Svc/M", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v")
		if CurrentSpan() != s {
			t.Errorf("server span is not current")
		}
		EndGRPCServer(s, c.code, "msg")
		cl := StartGRPCClient(context.Background(), "/pkg.Svc/M", "h:1", false)
		EndGRPCClient(cl, c.code, "msg")
		for _, x := range []struct {
			s    *Span
			want bool
		}{{s, c.serverErr}, {cl, c.clientErr}} {
			et, _ := attr(x.s, "error.type").(string)
			if (x.s.Status == StatusError) != x.want || (et == GRPCCodeName(c.code)) != x.want ||
				attr(x.s, "rpc.response.status_code") != GRPCCodeName(c.code) || x.s.Name != "pkg.Svc/M" ||
				attr(x.s, "rpc.method") != "pkg.Svc/M" || attr(x.s, "rpc.system.name") != "grpc" {
				t.Errorf("code %d kind %d: %v %v", c.code, x.s.Kind, x.s.Status, x.s.Attrs)
			}
		}
		if s.TraceID.String() != "0af7651916cd43dd8448eb211c80319c" || s.Parent.String() != "b7ad6b7169203331" || s.State != "k=v" {
			t.Errorf("server span does not continue the traceparent: %v %v", s.TraceID, s.Parent)
		}
	}

	// The serving goroutine's span is never the parent; a stream's client
	// span is the child of the current span but does not replace it.
	outer := StartSpan("outer", KindInternal)
	s := StartGRPCServer("/pkg.Svc/M", "", "")
	if s.TraceID == outer.TraceID {
		t.Errorf("server span inherited the goroutine's span")
	}
	s.End()
	cs := StartGRPCClient(context.Background(), "/pkg.Svc/S", "h:1", true)
	if cs.Parent != outer.SpanID || CurrentSpan() != outer {
		t.Errorf("stream span: parent %v, current %v", cs.Parent, CurrentSpan())
	}
	cs.End()
	outer.End()
	if s := StartGRPCServer("", "", ""); s.Name != "grpc" || attr(s, "rpc.method") != "_OTHER" {
		t.Errorf("no method: %q %v", s.Name, s.Attrs)
	}
}
